//! Delegations: an assistant acting for a principal in some scopes.

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::model::DelegationRecord;
use crate::{from_micros, new_uuid, parse_id, to_micros};
use adjutant_core::delegation::{Level, Scope};
use adjutant_core::ids::{DelegationId, OrgId, PersonId};
use sqlx::Row;

macro_rules! delegation_select {
    () => {
        "SELECT d.*, p.name AS principal_name, q.name AS delegate_name
    FROM delegations d
    JOIN persons p ON p.id = d.principal_id
    JOIN persons q ON q.id = d.delegate_id"
    };
}

macro_rules! delegation_row {
    ($r:expr) => {{
        let r = $r;
        let scopes: String = r.try_get("scopes")?;
        let level: String = r.try_get("level")?;
        DelegationRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            principal: parse_id(&r.try_get::<String, _>("principal_id")?)?,
            principal_name: r.try_get("principal_name")?,
            delegate: parse_id(&r.try_get::<String, _>("delegate_id")?)?,
            delegate_name: r.try_get("delegate_name")?,
            scopes: Scope::parse_list(&scopes).map_err(|e| StoreError::Corrupt(e.summary()))?,
            level: level
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("unknown level `{level}`")))?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

fn scopes_text(scopes: &[Scope]) -> String {
    scopes.iter().map(Scope::as_str).collect::<Vec<_>>().join(",")
}

/// Which delegations to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct DelegationFilter {
    pub principal: Option<PersonId>,
    pub delegate: Option<PersonId>,
}

impl Store {
    /// Grants `delegate` the right to act for `principal`; granting again replaces
    /// the scopes and level. Both people must be in `org`.
    pub async fn delegation_grant(
        &self,
        org: OrgId,
        principal: PersonId,
        delegate: PersonId,
        scopes: &[Scope],
        level: Level,
        ctx: &AuditCtx,
    ) -> Result<DelegationRecord, StoreError> {
        if scopes.is_empty() {
            return Err(StoreError::Conflict(
                "a delegation needs at least one scope".into(),
            ));
        }
        if principal == delegate {
            return Err(StoreError::Conflict(
                "a person cannot delegate to themselves".into(),
            ));
        }
        // Both ends must exist in this organisation (foreign keys alone would
        // accept a person of another organisation).
        self.person_get(org, principal).await?;
        self.person_get(org, delegate).await?;
        let mut tx = self.begin().await?;
        let now = to_micros(ctx.now);
        let id = on_tx!(&mut tx, |c| {
            let existing = sqlx::query(
                "SELECT id FROM delegations WHERE org_id = $1 AND principal_id = $2 AND delegate_id = $3",
            )
            .bind(org.to_string())
            .bind(principal.to_string())
            .bind(delegate.to_string())
            .fetch_optional(&mut *c)
            .await?;
            match existing {
                Some(r) => {
                    let id: String = r.try_get("id")?;
                    sqlx::query("UPDATE delegations SET scopes = $3, level = $4, updated_at = $5 WHERE org_id = $1 AND id = $2")
                        .bind(org.to_string())
                        .bind(&id)
                        .bind(scopes_text(scopes))
                        .bind(level.as_str())
                        .bind(now)
                        .execute(&mut *c)
                        .await?;
                    id
                }
                None => {
                    let id = new_uuid().to_string();
                    sqlx::query(
                        "INSERT INTO delegations (org_id, id, principal_id, delegate_id, scopes, level, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                    )
                    .bind(org.to_string())
                    .bind(&id)
                    .bind(principal.to_string())
                    .bind(delegate.to_string())
                    .bind(scopes_text(scopes))
                    .bind(level.as_str())
                    .bind(now)
                    .execute(&mut *c)
                    .await
                    .map_err(StoreError::on_constraint("that delegation already exists"))?;
                    id
                }
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "delegation.grant",
            "delegation",
            Some(id.clone()),
            serde_json::json!({"principal": principal, "delegate": delegate, "scopes": scopes, "level": level}),
        )
        .await?;
        tx.commit().await?;
        self.delegation_get(org, parse_id(&id)?).await
    }

    /// The delegation `id` in `org`.
    pub async fn delegation_get(&self, org: OrgId, id: DelegationId) -> Result<DelegationRecord, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(concat!(
                delegation_select!(),
                " WHERE d.org_id = $1 AND d.id = $2"
            ))
            .bind(org.to_string())
            .bind(id.to_string())
            .fetch_optional(c)
            .await?
            .ok_or(StoreError::NotFound("delegation"))?;
            Ok(delegation_row!(&row))
        })
    }

    /// Delegations in `org`, optionally only of one principal or one delegate.
    pub async fn delegation_list(
        &self,
        org: OrgId,
        f: DelegationFilter,
    ) -> Result<Vec<DelegationRecord>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(concat!(delegation_select!(), " WHERE d.org_id = $1 AND ($2 IS NULL OR d.principal_id = $2) AND ($3 IS NULL OR d.delegate_id = $3)
                 ORDER BY p.name, q.name"))
            .bind(org.to_string())
            .bind(f.principal.map(|p| p.to_string()))
            .bind(f.delegate.map(|p| p.to_string()))
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(delegation_row!(r))).collect()
        })
    }

    /// Revokes a delegation; sessions acting under it fall back to the delegate themselves.
    pub async fn delegation_revoke(
        &self,
        org: OrgId,
        id: DelegationId,
        ctx: &AuditCtx,
    ) -> Result<DelegationRecord, StoreError> {
        let d = self.delegation_get(org, id).await?;
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query("DELETE FROM delegations WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
            sqlx::query("UPDATE sessions SET acting_for = NULL WHERE org_id = $1 AND person_id = $2 AND acting_for = $3")
                .bind(org.to_string())
                .bind(d.delegate.to_string())
                .bind(d.principal.to_string())
                .execute(&mut *c)
                .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "delegation.revoke",
            "delegation",
            Some(id.to_string()),
            serde_json::json!({"principal": d.principal, "delegate": d.delegate, "scopes": d.scopes, "level": d.level}),
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }
}
