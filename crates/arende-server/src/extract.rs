//! Extractors whose refusals are problem documents: the tenant of a `/v1/{tenant}/…`
//! path, path parameters and query strings.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::lang::from_headers;
use crate::problem::Problem;

/// The tenant named by a `/v1/{tenant}/…` path.
#[derive(Debug, Clone)]
pub struct TenantPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for TenantPath {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match crate::auth::tenant_of(parts.uri.path()) {
            Some(t) => Ok(TenantPath(percent_decode(t))),
            None => Err(Problem::not_found(
                parts.uri.path(),
                from_headers(&parts.headers),
            )),
        }
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) == Some(&b'%')
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(h, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        if let Some(b) = bytes.get(i) {
            out.push(*b);
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Path parameters; a parameter that cannot be read is a 400 problem naming it.
#[derive(Debug, Clone)]
pub struct P<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for P<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let lang = from_headers(&parts.headers);
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(P(v)),
            Err(e) => Err(Problem::bad_parameter("path", &e.body_text(), lang)),
        }
    }
}

/// A query string; one that cannot be read is a 400 problem naming what is wrong.
#[derive(Debug, Clone)]
pub struct Q<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Q<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let lang = from_headers(&parts.headers);
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(Q(v)),
            Err(e) => Err(Problem::bad_parameter("query", &e.body_text(), lang)),
        }
    }
}
