//! A JSON body extractor whose errors name the offending field as a problem document.

use crate::error::ApiError;
use adjutant_core::FieldError;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use bytes::Bytes;
use serde::de::DeserializeOwned;

/// Like `axum::Json`, but malformed bodies, unknown fields and wrong types are
/// answered with a 400/415/422 problem naming the field.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let ct = ct.split(';').next().unwrap_or("").trim();
                ct == "application/json" || ct.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_unreadable",
                format!("the request body could not be read: {e}"),
            )
        })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(v) => Ok(ApiJson(v)),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                let message = inner.to_string();
                if inner.is_syntax() || inner.is_eof() {
                    return Err(ApiError::bad_request(
                        "malformed_json",
                        format!("the body is not valid JSON: {message}"),
                    ));
                }
                let field = if path == "." {
                    // Unknown or missing fields are reported at the top level; name them.
                    extract_quoted(&message).unwrap_or_else(|| "body".into())
                } else {
                    path
                };
                Err(ApiError {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    code: "invalid_body",
                    detail: format!("{field}: {message}"),
                    errors: vec![FieldError { field, message }],
                    retry_after: None,
                })
            }
        }
    }
}

/// The first back-quoted name in a serde message ("unknown field `x`").
fn extract_quoted(msg: &str) -> Option<String> {
    let start = msg.find('`')? + 1;
    let end = start + msg[start..].find('`')?;
    Some(msg[start..end].to_string())
}

/// Like `axum::extract::Query`, but errors are problem documents naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize::<_, T>(de)
            .map(ApiQuery)
            .map_err(|e| {
                let message = e.inner().to_string();
                let path = e.path().to_string();
                // Unknown parameters are reported at the top level; others at their own name.
                let field = if path == "." {
                    extract_quoted(&message).unwrap_or_else(|| "query".into())
                } else {
                    path
                };
                ApiError {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    code: "invalid_query",
                    detail: format!("{field}: {message}"),
                    errors: vec![FieldError { field, message }],
                    retry_after: None,
                }
            })
    }
}
