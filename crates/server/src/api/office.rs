//! `/api/v1` office routes: vendors, contracts (with the last day to give
//! notice), notice given, the deadlines due, and contract documents. Lists
//! answer JSON, or CSV with `?format=csv`.

use super::meetings::file_response;
use super::{ApiJson, ApiQuery, caller, path_id as id};
use crate::app::AppState;
use crate::auth::ApiAuth;
use crate::error::{ApiError, ApiResult, Problem};
use crate::ops::office::{
    self as ops, ContractDetail, ContractFilter, ContractInput, ContractView, DocumentView, DueView,
    NoticeInput, VendorDetail, VendorInput, VendorView,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde::Deserialize;
use utoipa::IntoParams;

/// The most a contract document may weigh (the same limit as meeting files).
pub const DOCUMENT_BODY_LIMIT: usize = adjutant_core::meetings::MAX_MATERIAL_BYTES;

/// JSON (default) or CSV.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FormatQuery {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// Which contracts to list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ContractsQuery {
    /// A vendor's id or name.
    pub vendor: Option<String>,
    /// not_started, active, notice_due, terminating, ending or ended.
    pub state: Option<String>,
    pub category: Option<String>,
    /// Words in the title, vendor, reference or category.
    pub q: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// How far ahead to look.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DueQuery {
    /// Days from today, 0–730 (default 60).
    pub days: Option<i64>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// The uploaded document's name.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DocumentQuery {
    /// e.g. `signed-contract.pdf`.
    pub filename: String,
}

/// Whether CSV was asked for; anything but `json` or `csv` is an error.
pub fn wants_csv(format: Option<&str>) -> ApiResult<bool> {
    match format.map(str::trim) {
        None | Some("") | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(other) => Err(adjutant_core::ValidationError::field(
            "format",
            format!("unknown value `{other}`; expected json or csv"),
        )
        .into()),
    }
}

/// A CSV download named `name`.
pub fn csv_response(name: &str, body: String) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

// ---- vendors ----

/// Every vendor, with its contracts' yearly value (office managers, principals, assistants, administrators).
#[utoipa::path(get, path = "/api/v1/vendors", tag = "office", security(("bearer" = []), ("session" = [])),
    params(FormatQuery),
    responses((status = 200, content((Vec<VendorView> = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn vendors(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let rows = ops::list_vendors(&state, &caller(auth), org).await?;
    Ok(if csv {
        csv_response("vendors.csv", ops::vendors_csv(&rows))
    } else {
        Json(rows).into_response()
    })
}

/// Adds a vendor (office managers and administrators).
#[utoipa::path(post, path = "/api/v1/vendors", tag = "office", security(("bearer" = []), ("session" = [])),
    request_body = VendorInput,
    responses((status = 201, body = VendorView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn vendor_create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<VendorInput>,
) -> ApiResult<(StatusCode, Json<VendorView>)> {
    let org = auth.org();
    let v = ops::create_vendor(&state, &caller(auth), org, &input).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// One vendor with its contracts.
#[utoipa::path(get, path = "/api/v1/vendors/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Vendor id")),
    responses((status = 200, body = VendorDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn vendor_get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(vid): Path<String>,
) -> ApiResult<Json<VendorDetail>> {
    let org = auth.org();
    Ok(Json(
        ops::get_vendor(&state, &caller(auth), org, id(&vid, "vendor")?).await?,
    ))
}

/// Changes a vendor.
#[utoipa::path(put, path = "/api/v1/vendors/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Vendor id")), request_body = VendorInput,
    responses((status = 200, body = VendorView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn vendor_update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(vid): Path<String>,
    ApiJson(input): ApiJson<VendorInput>,
) -> ApiResult<Json<VendorView>> {
    let org = auth.org();
    Ok(Json(
        ops::update_vendor(&state, &caller(auth), org, id(&vid, "vendor")?, &input).await?,
    ))
}

/// Deletes a vendor that holds no contract.
#[utoipa::path(delete, path = "/api/v1/vendors/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Vendor id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn vendor_delete(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(vid): Path<String>,
) -> ApiResult<StatusCode> {
    let org = auth.org();
    ops::delete_vendor(&state, &caller(auth), org, id(&vid, "vendor")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- contracts ----

/// Contracts as they stand today, filtered.
#[utoipa::path(get, path = "/api/v1/contracts", tag = "office", security(("bearer" = []), ("session" = [])),
    params(ContractsQuery),
    responses((status = 200, content((Vec<ContractView> = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn contracts(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<ContractsQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let filter = ContractFilter {
        vendor: q.vendor,
        state: q.state,
        category: q.category,
        q: q.q,
    };
    let rows = ops::list_contracts(&state, &caller(auth), org, &filter).await?;
    Ok(if csv {
        csv_response("contracts.csv", ops::contracts_csv(&rows))
    } else {
        Json(rows).into_response()
    })
}

/// Adds a contract (office managers and administrators).
#[utoipa::path(post, path = "/api/v1/contracts", tag = "office", security(("bearer" = []), ("session" = [])),
    request_body = ContractInput,
    responses((status = 201, body = ContractView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn contract_create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiJson(input): ApiJson<ContractInput>,
) -> ApiResult<(StatusCode, Json<ContractView>)> {
    let org = auth.org();
    let k = ops::create_contract(&state, &caller(auth), org, &input).await?;
    Ok((StatusCode::CREATED, Json(k)))
}

/// The last days to give notice, and the ends of contracts, within `days`, soonest first.
#[utoipa::path(get, path = "/api/v1/contracts/due", tag = "office", security(("bearer" = []), ("session" = [])),
    params(DueQuery),
    responses((status = 200, content((DueView = "application/json"), (String = "text/csv"))), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn contracts_due(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<DueQuery>,
) -> ApiResult<Response> {
    let org = auth.org();
    let csv = wants_csv(q.format.as_deref())?;
    let due = ops::contracts_due(&state, &caller(auth), org, q.days).await?;
    Ok(if csv {
        let mut out = ops::csv_line(&["date", "days_left", "kind", "contract", "vendor", "text"]);
        for i in &due.items {
            out.push_str(&ops::csv_line(&[
                &i.alert.date,
                &i.alert.days_left.to_string(),
                &i.alert.kind,
                &i.contract.title,
                &i.contract.vendor.name,
                &i.alert.text,
            ]));
        }
        csv_response("contracts-due.csv", out)
    } else {
        Json(due).into_response()
    })
}

/// One contract with where it stands and its documents.
#[utoipa::path(get, path = "/api/v1/contracts/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Contract id")),
    responses((status = 200, body = ContractDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn contract_get(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(kid): Path<String>,
) -> ApiResult<Json<ContractDetail>> {
    let org = auth.org();
    Ok(Json(
        ops::get_contract(&state, &caller(auth), org, id(&kid, "contract")?).await?,
    ))
}

/// Changes a contract's terms.
#[utoipa::path(put, path = "/api/v1/contracts/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Contract id")), request_body = ContractInput,
    responses((status = 200, body = ContractView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn contract_update(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(kid): Path<String>,
    ApiJson(input): ApiJson<ContractInput>,
) -> ApiResult<Json<ContractView>> {
    let org = auth.org();
    Ok(Json(
        ops::update_contract(&state, &caller(auth), org, id(&kid, "contract")?, &input).await?,
    ))
}

/// Deletes a contract and its documents.
#[utoipa::path(delete, path = "/api/v1/contracts/{id}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Contract id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn contract_delete(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(kid): Path<String>,
) -> ApiResult<StatusCode> {
    let org = auth.org();
    ops::delete_contract(&state, &caller(auth), org, id(&kid, "contract")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records that notice was given (today unless `on` says otherwise).
#[utoipa::path(post, path = "/api/v1/contracts/{id}/notice", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Contract id")), request_body = NoticeInput,
    responses((status = 200, body = ContractView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn notice_give(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(kid): Path<String>,
    ApiJson(input): ApiJson<NoticeInput>,
) -> ApiResult<Json<ContractView>> {
    let org = auth.org();
    Ok(Json(
        ops::give_notice(&state, &caller(auth), org, id(&kid, "contract")?, &input).await?,
    ))
}

/// Withdraws recorded notice.
#[utoipa::path(delete, path = "/api/v1/contracts/{id}/notice", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Contract id")),
    responses((status = 200, body = ContractView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn notice_withdraw(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(kid): Path<String>,
) -> ApiResult<Json<ContractView>> {
    let org = auth.org();
    Ok(Json(
        ops::withdraw_notice(&state, &caller(auth), org, id(&kid, "contract")?).await?,
    ))
}

/// Attaches a document (PDF, image, Office or text file, up to 10 MiB; the type is read from the content).
#[utoipa::path(post, path = "/api/v1/contracts/{id}/documents", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Contract id"), DocumentQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = DocumentView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn document_upload(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path(kid): Path<String>,
    ApiQuery(q): ApiQuery<DocumentQuery>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<DocumentView>)> {
    let org = auth.org();
    let body = body.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "the file is larger than {} MiB, the most a contract document may be",
                DOCUMENT_BODY_LIMIT / (1024 * 1024)
            ),
        )
    })?;
    let d = ops::upload_document(
        &state,
        &caller(auth),
        org,
        id(&kid, "contract")?,
        &q.filename,
        &body,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// Downloads a contract document.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/documents/{doc}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Contract id"), ("doc" = String, Path, description = "Document id")),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn document_download(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path((kid, did)): Path<(String, String)>,
) -> ApiResult<Response> {
    let org = auth.org();
    let (rec, bytes) = ops::download_document(
        &state,
        &caller(auth),
        org,
        id(&kid, "contract")?,
        id(&did, "document")?,
    )
    .await?;
    Ok(file_response(&rec.content_type, &rec.filename, bytes))
}

/// Deletes a contract document.
#[utoipa::path(delete, path = "/api/v1/contracts/{id}/documents/{doc}", tag = "office", security(("bearer" = []), ("session" = [])),
    params(("id" = String, Path, description = "Contract id"), ("doc" = String, Path, description = "Document id")),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn document_delete(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    Path((kid, did)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let org = auth.org();
    ops::delete_document(
        &state,
        &caller(auth),
        org,
        id(&kid, "contract")?,
        id(&did, "document")?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
