//! The audit log: who did what, acting for whom, on which item, when.
//! Entries are written only inside the transaction of the change they record.

use crate::engine::{Store, Tx, on_pool, on_tx};
use crate::error::StoreError;
use crate::model::{AuditEntry, AuditFilter};
use crate::{from_micros, new_uuid, parse_id, to_micros};
use adjutant_core::ids::{OrgId, PersonId};
use jiff::Timestamp;
use sqlx::Row;

/// Who is making a change, passed to every mutating store method.
#[derive(Debug, Clone)]
pub struct AuditCtx {
    /// The person acting, if a person (the CLI and the demo seeder are not).
    pub actor: Option<PersonId>,
    /// How to show the actor: a name, or `cli` / `system`.
    pub actor_label: String,
    /// The principal the actor works for under a delegation.
    pub on_behalf_of: Option<PersonId>,
    /// When the change happens.
    pub now: Timestamp,
}

impl AuditCtx {
    /// A change made by the system itself (e.g. the demo seeder, the CLI).
    pub fn system(label: &str, now: Timestamp) -> Self {
        Self {
            actor: None,
            actor_label: label.to_string(),
            on_behalf_of: None,
            now,
        }
    }
}

/// Appends an audit entry inside `tx`.
pub(crate) async fn record(
    tx: &mut Tx,
    org: OrgId,
    ctx: &AuditCtx,
    action: &str,
    item_type: &str,
    item_id: Option<String>,
    details: serde_json::Value,
) -> Result<(), StoreError> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO audit_log (org_id, id, at, actor_id, actor_label, on_behalf_of, action, item_type, item_id, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(org.to_string())
        .bind(new_uuid().to_string())
        .bind(to_micros(ctx.now))
        .bind(ctx.actor.map(|p| p.to_string()))
        .bind(&ctx.actor_label)
        .bind(ctx.on_behalf_of.map(|p| p.to_string()))
        .bind(action)
        .bind(item_type)
        .bind(item_id)
        .bind(details.to_string())
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

macro_rules! audit_row {
    ($r:expr) => {{
        let r = $r;
        let actor: Option<String> = r.try_get("actor_id")?;
        let obo: Option<String> = r.try_get("on_behalf_of")?;
        let details: String = r.try_get("details")?;
        AuditEntry {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            at: from_micros(r.try_get("at")?),
            actor: actor.as_deref().map(parse_id).transpose()?,
            actor_label: r.try_get("actor_label")?,
            on_behalf_of: obo.as_deref().map(parse_id).transpose()?,
            action: r.try_get("action")?,
            item_type: r.try_get("item_type")?,
            item_id: r.try_get("item_id")?,
            details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
        }
    }};
}

impl Store {
    /// Reads audit entries of `org`, newest first.
    pub async fn audit_list(&self, org: OrgId, f: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = i64::from(f.limit.clamp(1, 1000));
        // Compared with substr, not LIKE: the prefix is literal (no wildcards) and
        // case-sensitive on both engines.
        let prefix = f.action_prefix.clone();
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM audit_log WHERE org_id = $1
                   AND ($2 IS NULL OR actor_id = $2)
                   AND ($3 IS NULL OR substr(action, 1, length($3)) = $3)
                   AND ($4 IS NULL OR item_id = $4)
                   AND ($5 IS NULL OR at < $5)
                 ORDER BY at DESC, id DESC LIMIT $6",
            )
            .bind(org.to_string())
            .bind(f.actor.map(|p| p.to_string()))
            .bind(prefix)
            .bind(f.item_id.clone())
            .bind(f.before.map(to_micros))
            .bind(limit)
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(audit_row!(r))).collect()
        })
    }
}
