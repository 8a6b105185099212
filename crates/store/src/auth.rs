//! Sign-in secrets, browser sessions, API tokens and sign-in throttling.
//!
//! Session and token secrets are never stored: only their SHA-256 hashes,
//! computed by the server. A hash identifies its row across organisations
//! because the secret it hashes is 256 random bits.

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::model::{ApiToken, Credential, Person, Session};
use crate::{from_micros, new_uuid, parse_id, to_micros};
use adjutant_core::ids::{OrgId, PersonId, SessionId, TokenId};
use jiff::Timestamp;
use sqlx::Row;

macro_rules! credential_row {
    ($r:expr) => {{
        let r = $r;
        Credential {
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            person: parse_id(&r.try_get::<String, _>("person_id")?)?,
            login: r.try_get("login")?,
            password_hash: r.try_get("password_hash")?,
            totp_secret: r.try_get("totp_secret")?,
            totp_last_step: r.try_get("totp_last_step")?,
        }
    }};
}

macro_rules! session_row {
    ($r:expr) => {{
        let r = $r;
        let acting: Option<String> = r.try_get("acting_for")?;
        Session {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            person: parse_id(&r.try_get::<String, _>("person_id")?)?,
            mfa_pending: r.try_get("mfa_pending")?,
            acting_for: acting.as_deref().map(parse_id).transpose()?,
            created_at: from_micros(r.try_get("created_at")?),
            last_seen_at: from_micros(r.try_get("last_seen_at")?),
            expires_at: from_micros(r.try_get("expires_at")?),
        }
    }};
}

macro_rules! token_row {
    ($r:expr) => {{
        let r = $r;
        let exp: Option<i64> = r.try_get("expires_at")?;
        let used: Option<i64> = r.try_get("last_used_at")?;
        let rev: Option<i64> = r.try_get("revoked_at")?;
        ApiToken {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            person: parse_id(&r.try_get::<String, _>("person_id")?)?,
            name: r.try_get("name")?,
            created_at: from_micros(r.try_get("created_at")?),
            expires_at: exp.map(from_micros),
            last_used_at: used.map(from_micros),
            revoked_at: rev.map(from_micros),
        }
    }};
}

/// A new session to store.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub org: OrgId,
    pub person: PersonId,
    pub token_hash: String,
    pub mfa_pending: bool,
    pub now: Timestamp,
    pub expires_at: Timestamp,
}

impl Store {
    // ---- credentials ----

    /// Sets (or replaces) a person's password hash; their login is their e-mail address.
    pub async fn credential_set_password(
        &self,
        org: OrgId,
        person: &Person,
        password_hash: &str,
        ctx: &AuditCtx,
    ) -> Result<(), StoreError> {
        // Re-read the person within `org`: a caller's record from elsewhere must not pass.
        let person = &self.person_get(org, person.id).await?;
        let Some(login) = person.email.clone() else {
            return Err(StoreError::Conflict(
                "a person needs an e-mail address before they can sign in".into(),
            ));
        };
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO credentials (org_id, person_id, login, password_hash, updated_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (person_id) DO UPDATE SET password_hash = excluded.password_hash,
                     login = excluded.login, updated_at = excluded.updated_at",
            )
            .bind(org.to_string())
            .bind(person.id.to_string())
            .bind(&login)
            .bind(password_hash)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint(
                "that e-mail address is already used to sign in elsewhere",
            ))?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "person.set_password",
            "person",
            Some(person.id.to_string()),
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await
    }

    /// Replaces a password hash after a parameter upgrade on sign-in (not audited:
    /// the password did not change, only how it is hashed).
    pub async fn credential_rehash(
        &self,
        org: OrgId,
        person: PersonId,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        on_pool!(&self.pool, |c| {
            sqlx::query("UPDATE credentials SET password_hash = $3 WHERE org_id = $1 AND person_id = $2")
                .bind(org.to_string())
                .bind(person.to_string())
                .bind(password_hash)
                .execute(c)
                .await?;
        });
        Ok(())
    }

    /// The credential for a sign-in name (an e-mail address), across organisations.
    pub async fn credential_by_login(&self, login: &str) -> Result<Option<Credential>, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM credentials WHERE login = $1")
                .bind(login.trim().to_lowercase())
                .fetch_optional(c)
                .await?;
            Ok(match row {
                Some(r) => Some(credential_row!(&r)),
                None => None,
            })
        })
    }

    /// A person's credential, if they have one.
    pub async fn credential_get(
        &self,
        org: OrgId,
        person: PersonId,
    ) -> Result<Option<Credential>, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM credentials WHERE org_id = $1 AND person_id = $2")
                .bind(org.to_string())
                .bind(person.to_string())
                .fetch_optional(c)
                .await?;
            Ok(match row {
                Some(r) => Some(credential_row!(&r)),
                None => None,
            })
        })
    }

    /// Enables (Some) or removes (None) a TOTP second factor.
    pub async fn credential_set_totp(
        &self,
        org: OrgId,
        person: PersonId,
        secret: Option<&[u8]>,
        ctx: &AuditCtx,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            let done = sqlx::query(
                "UPDATE credentials SET totp_secret = $3, totp_last_step = NULL, updated_at = $4
                 WHERE org_id = $1 AND person_id = $2",
            )
            .bind(org.to_string())
            .bind(person.to_string())
            .bind(secret.map(|s| s.to_vec()))
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("login"));
            }
        });
        let action = if secret.is_some() {
            "person.totp_enable"
        } else {
            "person.totp_disable"
        };
        audit::record(
            &mut tx,
            org,
            ctx,
            action,
            "person",
            Some(person.to_string()),
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await
    }

    /// Records that TOTP step `step` was used; false if it (or a later one) already was,
    /// which refuses a replayed code.
    pub async fn credential_use_totp_step(
        &self,
        org: OrgId,
        person: PersonId,
        step: i64,
    ) -> Result<bool, StoreError> {
        on_pool!(&self.pool, |c| {
            let done = sqlx::query(
                "UPDATE credentials SET totp_last_step = $3
                 WHERE org_id = $1 AND person_id = $2 AND (totp_last_step IS NULL OR totp_last_step < $3)",
            )
            .bind(org.to_string())
            .bind(person.to_string())
            .bind(step)
            .execute(c)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    // ---- sessions ----

    /// Stores a new session and, in the same transaction, deletes the one it
    /// replaces (`rotate_from`), so a session id is rotated on every sign-in step.
    pub async fn session_create(
        &self,
        s: &NewSession,
        rotate_from: Option<SessionId>,
    ) -> Result<Session, StoreError> {
        let id = SessionId(new_uuid());
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            if let Some(old) = rotate_from {
                sqlx::query("DELETE FROM sessions WHERE id = $1")
                    .bind(old.to_string())
                    .execute(&mut *c)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO sessions (org_id, id, person_id, token_hash, mfa_pending, acting_for, created_at, last_seen_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, NULL, $6, $6, $7)",
            )
            .bind(s.org.to_string())
            .bind(id.to_string())
            .bind(s.person.to_string())
            .bind(&s.token_hash)
            .bind(s.mfa_pending)
            .bind(to_micros(s.now))
            .bind(to_micros(s.expires_at))
            .execute(&mut *c)
            .await?;
        });
        tx.commit().await?;
        Ok(Session {
            id,
            org: s.org,
            person: s.person,
            mfa_pending: s.mfa_pending,
            acting_for: None,
            created_at: s.now,
            last_seen_at: s.now,
            expires_at: s.expires_at,
        })
    }

    /// The session whose token hashes to `token_hash`.
    pub async fn session_by_hash(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(c)
                .await?;
            Ok(match row {
                Some(r) => Some(session_row!(&r)),
                None => None,
            })
        })
    }

    /// Marks a session as used now (for idle expiry).
    pub async fn session_touch(&self, id: SessionId, now: Timestamp) -> Result<(), StoreError> {
        on_pool!(&self.pool, |c| {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1")
                .bind(id.to_string())
                .bind(to_micros(now))
                .execute(c)
                .await?;
        });
        Ok(())
    }

    /// Sets whom a session acts for (None: for oneself).
    pub async fn session_set_acting_for(
        &self,
        org: OrgId,
        id: SessionId,
        acting_for: Option<PersonId>,
    ) -> Result<(), StoreError> {
        on_pool!(&self.pool, |c| {
            sqlx::query("UPDATE sessions SET acting_for = $3 WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .bind(acting_for.map(|p| p.to_string()))
                .execute(c)
                .await?;
        });
        Ok(())
    }

    /// Ends one session (sign out).
    pub async fn session_delete(&self, id: SessionId) -> Result<(), StoreError> {
        on_pool!(&self.pool, |c| {
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(id.to_string())
                .execute(c)
                .await?;
        });
        Ok(())
    }

    /// Ends every session of a person ("sign out everywhere"); returns how many.
    pub async fn session_delete_all(
        &self,
        org: OrgId,
        person: PersonId,
        ctx: &AuditCtx,
    ) -> Result<u64, StoreError> {
        self.person_get(org, person).await?;
        let mut tx = self.begin().await?;
        let n = on_tx!(&mut tx, |c| {
            sqlx::query("DELETE FROM sessions WHERE org_id = $1 AND person_id = $2")
                .bind(org.to_string())
                .bind(person.to_string())
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "session.revoke_all",
            "person",
            Some(person.to_string()),
            serde_json::json!({"sessions": n}),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Drops sessions past their absolute expiry or idle too long.
    pub async fn session_purge(&self, now: Timestamp, idle_since: Timestamp) -> Result<u64, StoreError> {
        on_pool!(&self.pool, |c| {
            Ok(
                sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2")
                    .bind(to_micros(now))
                    .bind(to_micros(idle_since))
                    .execute(c)
                    .await?
                    .rows_affected(),
            )
        })
    }

    // ---- API tokens ----

    /// Stores a new API token for `person`.
    pub async fn token_create(
        &self,
        org: OrgId,
        person: PersonId,
        name: &str,
        token_hash: &str,
        expires_at: Option<Timestamp>,
        ctx: &AuditCtx,
    ) -> Result<ApiToken, StoreError> {
        // The foreign key alone would accept a person of another organisation.
        self.person_get(org, person).await?;
        let t = ApiToken {
            id: TokenId(new_uuid()),
            org,
            person,
            name: name.to_string(),
            created_at: ctx.now,
            expires_at,
            last_used_at: None,
            revoked_at: None,
        };
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO api_tokens (org_id, id, person_id, name, token_hash, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(org.to_string())
            .bind(t.id.to_string())
            .bind(person.to_string())
            .bind(name)
            .bind(token_hash)
            .bind(to_micros(t.created_at))
            .bind(expires_at.map(to_micros))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("could not store the token; try again"))?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "token.create",
            "api_token",
            Some(t.id.to_string()),
            serde_json::json!({"name": name, "person": person, "expires_at": expires_at}),
        )
        .await?;
        tx.commit().await?;
        Ok(t)
    }

    /// The token whose secret hashes to `token_hash` (active or not).
    pub async fn token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM api_tokens WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(c)
                .await?;
            Ok(match row {
                Some(r) => Some(token_row!(&r)),
                None => None,
            })
        })
    }

    /// The token `id` in `org`.
    pub async fn token_get(&self, org: OrgId, id: TokenId) -> Result<ApiToken, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT * FROM api_tokens WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("API token"))?;
            Ok(token_row!(&row))
        })
    }

    /// Tokens in `org`, of one person or of everyone, newest first.
    pub async fn token_list(
        &self,
        org: OrgId,
        person: Option<PersonId>,
    ) -> Result<Vec<ApiToken>, StoreError> {
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(
                "SELECT * FROM api_tokens WHERE org_id = $1 AND ($2 IS NULL OR person_id = $2)
                 ORDER BY created_at DESC, id DESC",
            )
            .bind(org.to_string())
            .bind(person.map(|p| p.to_string()))
            .fetch_all(c)
            .await?;
            rows.iter().map(|r| Ok(token_row!(r))).collect()
        })
    }

    /// Revokes a token; revoking twice is harmless.
    pub async fn token_revoke(
        &self,
        org: OrgId,
        id: TokenId,
        ctx: &AuditCtx,
    ) -> Result<ApiToken, StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            let done = sqlx::query(
                "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3) WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound("API token"));
            }
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "token.revoke",
            "api_token",
            Some(id.to_string()),
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        self.token_get(org, id).await
    }

    /// Notes that a token was used (at most the caller's granularity; not audited).
    pub async fn token_touch(&self, id: TokenId, now: Timestamp) -> Result<(), StoreError> {
        on_pool!(&self.pool, |c| {
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(id.to_string())
                .bind(to_micros(now))
                .execute(c)
                .await?;
        });
        Ok(())
    }

    // ---- sign-in throttling ----

    /// Records a failed sign-in for each key (e.g. `account:…`, `ip:…`).
    pub async fn login_failure_record(&self, keys: &[String], now: Timestamp) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            for k in keys {
                sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                    .bind(k)
                    .bind(to_micros(now))
                    .execute(&mut *c)
                    .await?;
            }
        });
        tx.commit().await
    }

    /// Failed sign-ins for `key` since `since`.
    pub async fn login_failure_count(&self, key: &str, since: Timestamp) -> Result<i64, StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM login_failures WHERE key = $1 AND at >= $2")
                .bind(key)
                .bind(to_micros(since))
                .fetch_one(c)
                .await?;
            Ok(row.try_get::<i64, _>("n")?)
        })
    }

    /// Forgets failures for `key` (after a successful sign-in) and any older than `before`.
    pub async fn login_failure_clear(&self, key: &str, before: Timestamp) -> Result<(), StoreError> {
        on_pool!(&self.pool, |c| {
            sqlx::query("DELETE FROM login_failures WHERE key = $1 OR at < $2")
                .bind(key)
                .bind(to_micros(before))
                .execute(c)
                .await?;
        });
        Ok(())
    }
}
