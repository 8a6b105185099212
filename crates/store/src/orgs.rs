//! Organisations: the tenants.

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::model::Organisation;
use crate::{from_micros, new_uuid, parse_id, to_micros};
use adjutant_core::ids::OrgId;
use adjutant_core::people::OrgSlug;
use sqlx::Row;

macro_rules! org_row {
    ($r:expr) => {{
        let r = $r;
        Organisation {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            slug: r.try_get("slug")?,
            name: r.try_get("name")?,
            created_at: from_micros(r.try_get("created_at")?),
        }
    }};
}

impl Store {
    /// Creates an organisation.
    pub async fn org_create(
        &self,
        slug: &OrgSlug,
        name: &str,
        ctx: &AuditCtx,
    ) -> Result<Organisation, StoreError> {
        let org = Organisation {
            id: OrgId(new_uuid()),
            slug: slug.as_str().to_string(),
            name: name.trim().to_string(),
            created_at: ctx.now,
        };
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query("INSERT INTO organisations (id, slug, name, created_at) VALUES ($1, $2, $3, $4)")
                .bind(org.id.to_string())
                .bind(&org.slug)
                .bind(&org.name)
                .bind(to_micros(org.created_at))
                .execute(&mut *c)
                .await
                .map_err(StoreError::on_constraint(
                    "an organisation with that slug already exists",
                ))?;
        });
        audit::record(
            &mut tx,
            org.id,
            ctx,
            "organisation.create",
            "organisation",
            Some(org.id.to_string()),
            serde_json::json!({"slug": org.slug, "name": org.name}),
        )
        .await?;
        tx.commit().await?;
        Ok(org)
    }

    /// Every organisation on this server, oldest first.
    pub async fn org_list(&self) -> Result<Vec<Organisation>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query("SELECT * FROM organisations ORDER BY created_at, id")
                .fetch_all(c)
                .await?;
            rows.iter().map(|r| Ok(org_row!(r))).collect()
        })
    }

    /// The organisation with this id.
    pub async fn org_get(&self, id: OrgId) -> Result<Organisation, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM organisations WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("organisation"))?;
            Ok(org_row!(&row))
        })
    }

    /// The organisation with this slug.
    pub async fn org_by_slug(&self, slug: &str) -> Result<Organisation, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM organisations WHERE slug = $1")
                .bind(slug.trim())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("organisation"))?;
            Ok(org_row!(&row))
        })
    }
}
