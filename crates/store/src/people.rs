//! People of an organisation, with or without a login.

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::model::{NewPerson, Person, PersonPatch};
use crate::{from_micros, new_uuid, parse_id, to_micros};
use adjutant_core::ids::{OrgId, PersonId};
use sqlx::Row;

macro_rules! person_select {
    () => {
        "SELECT p.*, c.person_id IS NOT NULL AS has_login,
        c.totp_secret IS NOT NULL AS totp_enabled
    FROM persons p LEFT JOIN credentials c ON c.person_id = p.id"
    };
}

macro_rules! person_row {
    ($r:expr) => {{
        let r = $r;
        let role: String = r.try_get("role")?;
        Person {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            name: r.try_get("name")?,
            email: r.try_get("email")?,
            role: role
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("unknown role `{role}`")))?,
            time_zone: r.try_get("time_zone")?,
            disabled: r.try_get("disabled")?,
            has_login: r.try_get("has_login")?,
            totp_enabled: r.try_get("totp_enabled")?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

impl Store {
    /// Adds a person to `org`.
    pub async fn person_create(
        &self,
        org: OrgId,
        new: &NewPerson,
        ctx: &AuditCtx,
    ) -> Result<Person, StoreError> {
        let id = PersonId(new_uuid());
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO persons (org_id, id, name, email, role, time_zone, disabled, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7, $7)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(&new.name)
            .bind(new.email.as_deref())
            .bind(new.role.as_str())
            .bind(&new.time_zone)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("a person with that e-mail address already exists"))?;
            if let Some(hash) = &new.password_hash {
                let Some(login) = new.email.as_deref() else {
                    return Err(StoreError::Conflict(
                        "a person needs an e-mail address to sign in".into(),
                    ));
                };
                sqlx::query(
                    "INSERT INTO credentials (org_id, person_id, login, password_hash, updated_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(login)
                .bind(hash)
                .bind(to_micros(ctx.now))
                .execute(&mut *c)
                .await
                .map_err(StoreError::on_constraint("that e-mail address is already used to sign in elsewhere"))?;
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "person.create",
            "person",
            Some(id.to_string()),
            serde_json::json!({"name": new.name, "email": new.email, "role": new.role, "time_zone": new.time_zone, "login": new.password_hash.is_some()}),
        )
        .await?;
        tx.commit().await?;
        self.person_get(org, id).await
    }

    /// The person `id` in `org`.
    pub async fn person_get(&self, org: OrgId, id: PersonId) -> Result<Person, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(concat!(person_select!(), " WHERE p.org_id = $1 AND p.id = $2"))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("person"))?;
            Ok(person_row!(&row))
        })
    }

    /// The person in `org` with this e-mail address.
    pub async fn person_by_email(&self, org: OrgId, email: &str) -> Result<Person, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(concat!(person_select!(), " WHERE p.org_id = $1 AND p.email = $2"))
                .bind(org.to_string())
                .bind(email.trim().to_lowercase())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("person"))?;
            Ok(person_row!(&row))
        })
    }

    /// Everyone in `org`, by name.
    pub async fn person_list(&self, org: OrgId) -> Result<Vec<Person>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(concat!(
                person_select!(),
                " WHERE p.org_id = $1 ORDER BY p.name, p.id"
            ))
            .bind(org.to_string())
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(person_row!(r))).collect()
        })
    }

    /// Changes a person; disabling also ends their sessions and revokes their tokens.
    pub async fn person_update(
        &self,
        org: OrgId,
        id: PersonId,
        patch: &PersonPatch,
        ctx: &AuditCtx,
    ) -> Result<Person, StoreError> {
        let before = self.person_get(org, id).await?;
        let mut tx = self.begin().await?;
        let now = to_micros(ctx.now);
        let email = match &patch.email {
            Some(e) => e.clone(),
            None => before.email.clone(),
        };
        on_tx!(&mut tx, |c| {
            let done = sqlx::query(
                "UPDATE persons SET name = $3, email = $4, role = $5, time_zone = $6, disabled = $7, updated_at = $8
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(patch.name.as_ref().unwrap_or(&before.name))
            .bind(email.as_deref())
            .bind(patch.role.unwrap_or(before.role).as_str())
            .bind(patch.time_zone.as_ref().unwrap_or(&before.time_zone))
            .bind(patch.disabled.unwrap_or(before.disabled))
            .bind(now)
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("a person with that e-mail address already exists"))?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("person"));
            }
            // Their zone and status shape their free time: caches of it must reload.
            crate::calendar::bump_agendas!(c, org, vec![id.to_string()]);
            if patch.email.is_some() && before.has_login {
                // The sign-in name is the e-mail address: it moves with it.
                let Some(login) = email.as_deref() else {
                    return Err(StoreError::Conflict(
                        "a person who can sign in needs an e-mail address".into(),
                    ));
                };
                sqlx::query("UPDATE credentials SET login = $3 WHERE org_id = $1 AND person_id = $2")
                    .bind(org.to_string())
                    .bind(id.to_string())
                    .bind(login)
                    .execute(&mut *c)
                    .await
                    .map_err(StoreError::on_constraint(
                        "that e-mail address is already used to sign in elsewhere",
                    ))?;
            }
            if patch.disabled == Some(true) {
                sqlx::query("DELETE FROM sessions WHERE org_id = $1 AND person_id = $2")
                    .bind(org.to_string())
                    .bind(id.to_string())
                    .execute(&mut *c)
                    .await?;
                sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $3 WHERE org_id = $1 AND person_id = $2 AND revoked_at IS NULL",
                )
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(now)
                .execute(&mut *c)
                .await?;
            }
        });
        let mut changes = serde_json::Map::new();
        if let Some(n) = &patch.name {
            changes.insert("name".into(), serde_json::json!({"from": before.name, "to": n}));
        }
        if let Some(e) = &patch.email {
            changes.insert("email".into(), serde_json::json!({"from": before.email, "to": e}));
        }
        if let Some(r) = patch.role {
            changes.insert("role".into(), serde_json::json!({"from": before.role, "to": r}));
        }
        if let Some(z) = &patch.time_zone {
            changes.insert(
                "time_zone".into(),
                serde_json::json!({"from": before.time_zone, "to": z}),
            );
        }
        if let Some(d) = patch.disabled {
            changes.insert(
                "disabled".into(),
                serde_json::json!({"from": before.disabled, "to": d}),
            );
        }
        audit::record(
            &mut tx,
            org,
            ctx,
            "person.update",
            "person",
            Some(id.to_string()),
            serde_json::Value::Object(changes),
        )
        .await?;
        tx.commit().await?;
        self.person_get(org, id).await
    }
}
