//! Vendors, contracts and the contracts' documents.
//!
//! A vendor or a contract is one row holding its domain JSON in `data`,
//! beside the columns queries filter on. A vendor's name is unique within its
//! organisation (case and spacing aside). A vendor with contracts cannot be
//! deleted. Notice given on a contract is kept in its own columns, so the
//! terms and the act of giving notice are audited apart.

use crate::audit::{self, AuditCtx};
use crate::engine::{Store, on_pool, on_tx};
use crate::error::StoreError;
use crate::tasks::ensure_in_org;
use crate::{from_micros, json, new_uuid, parse_date, parse_id, to_micros};
use adjutant_core::ids::{ContractId, DocumentId, OrgId, PersonId, VendorId};
use adjutant_core::office::contract::ContractData;
use adjutant_core::office::vendor::VendorData;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use sqlx::Row;

/// A stored vendor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VendorRecord {
    pub id: VendorId,
    pub org: OrgId,
    pub data: VendorData,
    /// How many contracts it holds.
    pub contracts: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Notice given on a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeGiven {
    pub on: Date,
    pub by: Option<PersonId>,
    pub note: String,
}

/// A stored contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractRecord {
    pub id: ContractId,
    pub org: OrgId,
    pub data: ContractData,
    pub vendor_name: String,
    pub notice_given: Option<NoticeGiven>,
    pub documents: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A contract's file, without its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentRecord {
    pub id: DocumentId,
    pub org: OrgId,
    pub contract: ContractId,
    pub filename: String,
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    pub uploaded_by: Option<PersonId>,
    pub created_at: Timestamp,
}

const VENDOR_SELECT: &str = "SELECT v.*,
        (SELECT COUNT(*) FROM contracts k WHERE k.vendor_id = v.id) AS contract_count
   FROM vendors v WHERE v.org_id = $1";

const CONTRACT_SELECT: &str = "SELECT k.*, v.name AS vendor_name,
        (SELECT COUNT(*) FROM contract_documents d WHERE d.contract_id = k.id) AS document_count
   FROM contracts k JOIN vendors v ON v.id = k.vendor_id WHERE k.org_id = $1";

const DOCUMENT_COLUMNS: &str =
    "org_id, id, contract_id, filename, content_type, size, sha256, uploaded_by, created_at";

macro_rules! vendor_row {
    ($r:expr) => {{
        let r = $r;
        let data: String = r.try_get("data")?;
        VendorRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            data: serde_json::from_str(&data).map_err(corrupt("vendor"))?,
            contracts: r.try_get("contract_count")?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

macro_rules! contract_row {
    ($r:expr) => {{
        let r = $r;
        let data: String = r.try_get("data")?;
        let given: Option<String> = r.try_get("notice_given_on")?;
        let by: Option<String> = r.try_get("notice_given_by")?;
        ContractRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            data: serde_json::from_str(&data).map_err(corrupt("contract"))?,
            vendor_name: r.try_get("vendor_name")?,
            notice_given: match given {
                Some(on) => Some(NoticeGiven {
                    on: parse_date(&on)?,
                    by: by.as_deref().map(parse_id).transpose()?,
                    note: r.try_get("notice_note")?,
                }),
                None => None,
            },
            documents: r.try_get("document_count")?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
        }
    }};
}

macro_rules! document_row {
    ($r:expr) => {{
        let r = $r;
        let by: Option<String> = r.try_get("uploaded_by")?;
        let size: i64 = r.try_get("size")?;
        DocumentRecord {
            id: parse_id(&r.try_get::<String, _>("id")?)?,
            org: parse_id(&r.try_get::<String, _>("org_id")?)?,
            contract: parse_id(&r.try_get::<String, _>("contract_id")?)?,
            filename: r.try_get("filename")?,
            content_type: r.try_get("content_type")?,
            size: u64::try_from(size).map_err(|_| StoreError::Corrupt(format!("stored file size {size}")))?,
            sha256: r.try_get("sha256")?,
            uploaded_by: by.as_deref().map(parse_id).transpose()?,
            created_at: from_micros(r.try_get("created_at")?),
        }
    }};
}

fn vendor_audit(d: &VendorData) -> serde_json::Value {
    serde_json::json!({"name": d.name, "categories": d.categories, "contacts": d.contacts.len()})
}

fn contract_audit(d: &ContractData) -> serde_json::Value {
    serde_json::json!({"title": d.title, "vendor": d.vendor, "owner": d.owner, "start": d.start,
        "term_months": d.term_months, "auto_renew": d.auto_renew, "renewal_months": d.renewal_months,
        "notice": d.notice, "value": d.value, "value_period": d.value_period, "alert_days": d.alert_days})
}

impl Store {
    // ---- vendors ----

    /// Adds a vendor; its name must be new in `org`.
    pub async fn vendor_create(
        &self,
        org: OrgId,
        data: &VendorData,
        ctx: &AuditCtx,
    ) -> Result<VendorRecord, StoreError> {
        let id = VendorId(new_uuid());
        let taken = format!("a vendor named `{}` already exists", data.name.trim());
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO vendors (org_id, id, name, name_key, data, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(data.name.trim())
            .bind(data.name_key())
            .bind(json(data)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint(&taken))?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "vendor.create",
            "vendor",
            Some(id.to_string()),
            vendor_audit(data),
        )
        .await?;
        tx.commit().await?;
        self.vendor_get(org, id).await
    }

    /// Replaces a vendor's fields.
    pub async fn vendor_update(
        &self,
        org: OrgId,
        id: VendorId,
        data: &VendorData,
        ctx: &AuditCtx,
    ) -> Result<VendorRecord, StoreError> {
        let taken = format!("a vendor named `{}` already exists", data.name.trim());
        let mut tx = self.begin().await?;
        let before: VendorData = on_tx!(&mut tx, |c| {
            let stored: String = sqlx::query("SELECT data FROM vendors WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("vendor"))?
                .try_get("data")?;
            let before: VendorData = serde_json::from_str(&stored).map_err(corrupt("vendor"))?;
            sqlx::query(
                "UPDATE vendors SET name = $3, name_key = $4, data = $5, updated_at = $6
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(data.name.trim())
            .bind(data.name_key())
            .bind(json(data)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint(&taken))?;
            before
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "vendor.update",
            "vendor",
            Some(id.to_string()),
            serde_json::json!({"name": data.name, "from": vendor_audit(&before), "to": vendor_audit(data)}),
        )
        .await?;
        tx.commit().await?;
        self.vendor_get(org, id).await
    }

    /// Deletes a vendor that holds no contract.
    pub async fn vendor_delete(
        &self,
        org: OrgId,
        id: VendorId,
        ctx: &AuditCtx,
    ) -> Result<VendorRecord, StoreError> {
        let mut tx = self.begin().await?;
        let before = on_tx!(&mut tx, |c| {
            let sql = format!("{VENDOR_SELECT} AND v.id = $2");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("vendor"))?;
            let before = vendor_row!(&row);
            if before.contracts > 0 {
                return Err(StoreError::Conflict(format!(
                    "{} holds {} contract(s); delete or move them first",
                    before.data.name, before.contracts
                )));
            }
            sqlx::query("DELETE FROM vendors WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await
                .map_err(StoreError::on_constraint("the vendor holds contracts"))?;
            before
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "vendor.delete",
            "vendor",
            Some(id.to_string()),
            vendor_audit(&before.data),
        )
        .await?;
        tx.commit().await?;
        Ok(before)
    }

    pub async fn vendor_get(&self, org: OrgId, id: VendorId) -> Result<VendorRecord, StoreError> {
        let sql = format!("{VENDOR_SELECT} AND v.id = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("vendor"))?;
            Ok(vendor_row!(&row))
        })
    }

    /// Every vendor of `org` by name.
    pub async fn vendor_list(&self, org: OrgId) -> Result<Vec<VendorRecord>, StoreError> {
        let sql = format!("{VENDOR_SELECT} ORDER BY v.name_key, v.id");
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .fetch_all(c)
                .await?;
            rows.iter().map(|r| Ok(vendor_row!(r))).collect()
        })
    }

    /// The vendor of `org` with this name (case and spacing aside).
    pub async fn vendor_by_name(&self, org: OrgId, name: &str) -> Result<VendorRecord, StoreError> {
        let key = VendorData {
            name: name.into(),
            ..VendorData::default()
        }
        .name_key();
        let sql = format!("{VENDOR_SELECT} AND v.name_key = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(&key)
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("vendor"))?;
            Ok(vendor_row!(&row))
        })
    }

    // ---- contracts ----

    /// Adds a contract; its vendor and owner must be of `org`.
    pub async fn contract_create(
        &self,
        org: OrgId,
        data: &ContractData,
        ctx: &AuditCtx,
    ) -> Result<ContractRecord, StoreError> {
        let id = ContractId(new_uuid());
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| {
            ensure_in_org!(c, org, "vendors", [data.vendor], "vendor");
            ensure_in_org!(c, org, "persons", data.owner.iter(), "owner");
            sqlx::query(
                "INSERT INTO contracts (org_id, id, vendor_id, title, owner_id, data, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(data.vendor.to_string())
            .bind(data.title.trim())
            .bind(data.owner.map(|p| p.to_string()))
            .bind(json(data)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "contract.create",
            "contract",
            Some(id.to_string()),
            contract_audit(data),
        )
        .await?;
        tx.commit().await?;
        self.contract_get(org, id).await
    }

    /// Replaces a contract's terms; its vendor and owner must be of `org`.
    pub async fn contract_update(
        &self,
        org: OrgId,
        id: ContractId,
        data: &ContractData,
        ctx: &AuditCtx,
    ) -> Result<ContractRecord, StoreError> {
        let mut tx = self.begin().await?;
        let before: ContractData = on_tx!(&mut tx, |c| {
            let stored: String = sqlx::query("SELECT data FROM contracts WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("contract"))?
                .try_get("data")?;
            let before: ContractData = serde_json::from_str(&stored).map_err(corrupt("contract"))?;
            ensure_in_org!(c, org, "vendors", [data.vendor], "vendor");
            ensure_in_org!(c, org, "persons", data.owner.iter(), "owner");
            sqlx::query(
                "UPDATE contracts SET vendor_id = $3, title = $4, owner_id = $5, data = $6, updated_at = $7
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(data.vendor.to_string())
            .bind(data.title.trim())
            .bind(data.owner.map(|p| p.to_string()))
            .bind(json(data)?)
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            before
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "contract.update",
            "contract",
            Some(id.to_string()),
            serde_json::json!({"title": data.title, "from": contract_audit(&before), "to": contract_audit(data)}),
        )
        .await?;
        tx.commit().await?;
        self.contract_get(org, id).await
    }

    /// Records that notice was given on `on` (or, with `None`, withdraws it).
    pub async fn contract_set_notice(
        &self,
        org: OrgId,
        id: ContractId,
        given: Option<(Date, &str)>,
        ctx: &AuditCtx,
    ) -> Result<ContractRecord, StoreError> {
        let mut tx = self.begin().await?;
        let title: String = on_tx!(&mut tx, |c| {
            let title: String = sqlx::query("SELECT title FROM contracts WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("contract"))?
                .try_get("title")?;
            sqlx::query(
                "UPDATE contracts SET notice_given_on = $3, notice_given_by = $4, notice_note = $5, updated_at = $6
                 WHERE org_id = $1 AND id = $2",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(given.map(|(d, _)| d.to_string()))
            .bind(given.and(ctx.actor).map(|p| p.to_string()))
            .bind(given.map_or("", |(_, n)| n))
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await?;
            title
        });
        let (action, detail) = match given {
            Some((on, note)) => (
                "contract.notice",
                serde_json::json!({"title": title, "on": on, "note": note}),
            ),
            None => ("contract.notice_withdrawn", serde_json::json!({"title": title})),
        };
        audit::record(
            &mut tx,
            org,
            ctx,
            action,
            "contract",
            Some(id.to_string()),
            detail,
        )
        .await?;
        tx.commit().await?;
        self.contract_get(org, id).await
    }

    /// Deletes a contract with its documents, returning it as it was.
    pub async fn contract_delete(
        &self,
        org: OrgId,
        id: ContractId,
        ctx: &AuditCtx,
    ) -> Result<ContractRecord, StoreError> {
        let mut tx = self.begin().await?;
        let before = on_tx!(&mut tx, |c| {
            let sql = format!("{CONTRACT_SELECT} AND k.id = $2");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("contract"))?;
            let before = contract_row!(&row);
            sqlx::query("DELETE FROM contracts WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await
                .map_err(StoreError::on_constraint(
                    "the contract has invoices; it cannot be deleted",
                ))?;
            before
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "contract.delete",
            "contract",
            Some(id.to_string()),
            contract_audit(&before.data),
        )
        .await?;
        tx.commit().await?;
        Ok(before)
    }

    pub async fn contract_get(&self, org: OrgId, id: ContractId) -> Result<ContractRecord, StoreError> {
        let sql = format!("{CONTRACT_SELECT} AND k.id = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("contract"))?;
            Ok(contract_row!(&row))
        })
    }

    /// Every contract of `org` (or of one vendor), by vendor then title.
    pub async fn contract_list(
        &self,
        org: OrgId,
        vendor: Option<VendorId>,
    ) -> Result<Vec<ContractRecord>, StoreError> {
        let sql = match vendor {
            Some(_) => format!("{CONTRACT_SELECT} AND k.vendor_id = $2 ORDER BY v.name_key, k.title, k.id"),
            None => format!("{CONTRACT_SELECT} ORDER BY v.name_key, k.title, k.id"),
        };
        on_pool!(&self.pool, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(org.to_string());
            if let Some(v) = vendor {
                q = q.bind(v.to_string());
            }
            let rows = q.fetch_all(c).await?;
            rows.iter().map(|r| Ok(contract_row!(r))).collect()
        })
    }

    // ---- documents ----

    /// Stores a file with a contract. `sha256` is the hex digest of `bytes`,
    /// computed by the caller. The audit entry names the file, never its content.
    #[allow(clippy::too_many_arguments)]
    pub async fn document_add(
        &self,
        org: OrgId,
        contract: ContractId,
        filename: &str,
        content_type: &str,
        sha256: &str,
        bytes: &[u8],
        ctx: &AuditCtx,
    ) -> Result<DocumentRecord, StoreError> {
        let size =
            i64::try_from(bytes.len()).map_err(|_| StoreError::Conflict("the file is too large".into()))?;
        let id = DocumentId(new_uuid());
        let mut tx = self.begin().await?;
        let title: String = on_tx!(&mut tx, |c| {
            let title: String = sqlx::query("SELECT title FROM contracts WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(contract.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("contract"))?
                .try_get("title")?;
            sqlx::query(
                "INSERT INTO contract_documents (org_id, id, contract_id, filename, content_type, size, sha256,
                     content, uploaded_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(org.to_string())
            .bind(id.to_string())
            .bind(contract.to_string())
            .bind(filename)
            .bind(content_type)
            .bind(size)
            .bind(sha256)
            .bind(bytes)
            .bind(ctx.actor.map(|p| p.to_string()))
            .bind(to_micros(ctx.now))
            .execute(&mut *c)
            .await
            .map_err(StoreError::on_constraint("the contract no longer exists"))?;
            title
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "contract.document_add",
            "contract",
            Some(contract.to_string()),
            serde_json::json!({"title": title, "document": id, "filename": filename, "size": size,
                "content_type": content_type}),
        )
        .await?;
        tx.commit().await?;
        let sql = format!("SELECT {DOCUMENT_COLUMNS} FROM contract_documents WHERE org_id = $1 AND id = $2");
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
                .ok_or(StoreError::NotFound("document"))?;
            Ok(document_row!(&row))
        })
    }

    /// A contract's file with its content.
    pub async fn document_get(
        &self,
        org: OrgId,
        contract: ContractId,
        id: DocumentId,
    ) -> Result<(DocumentRecord, Vec<u8>), StoreError> {
        on_pool!(&self.pool, |c| {
            let row = sqlx::query(
                "SELECT * FROM contract_documents WHERE org_id = $1 AND contract_id = $2 AND id = $3",
            )
            .bind(org.to_string())
            .bind(contract.to_string())
            .bind(id.to_string())
            .fetch_optional(c)
            .await?
            .ok_or(StoreError::NotFound("document"))?;
            let content: Vec<u8> = row.try_get("content")?;
            Ok((document_row!(&row), content))
        })
    }

    /// A contract's files (without content), oldest first.
    pub async fn documents_of(
        &self,
        org: OrgId,
        contract: ContractId,
    ) -> Result<Vec<DocumentRecord>, StoreError> {
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM contract_documents WHERE org_id = $1 AND contract_id = $2
             ORDER BY created_at, id"
        );
        on_pool!(&self.pool, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(contract.to_string())
                .fetch_all(c)
                .await?;
            rows.iter().map(|r| Ok(document_row!(r))).collect()
        })
    }

    /// Deletes a contract's file.
    pub async fn document_delete(
        &self,
        org: OrgId,
        contract: ContractId,
        id: DocumentId,
        ctx: &AuditCtx,
    ) -> Result<DocumentRecord, StoreError> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM contract_documents WHERE org_id = $1 AND contract_id = $2 AND id = $3"
        );
        let doc = on_tx!(&mut tx, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(org.to_string())
                .bind(contract.to_string())
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound("document"))?;
            let doc = document_row!(&row);
            sqlx::query("DELETE FROM contract_documents WHERE org_id = $1 AND id = $2")
                .bind(org.to_string())
                .bind(id.to_string())
                .execute(&mut *c)
                .await?;
            doc
        });
        audit::record(
            &mut tx,
            org,
            ctx,
            "contract.document_delete",
            "contract",
            Some(contract.to_string()),
            serde_json::json!({"document": id, "filename": doc.filename}),
        )
        .await?;
        tx.commit().await?;
        Ok(doc)
    }
}

fn corrupt(what: &'static str) -> impl Fn(serde_json::Error) -> StoreError {
    move |e| StoreError::Corrupt(format!("stored {what}: {e}"))
}
