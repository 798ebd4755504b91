//! Operations endpoints (drift): liveness `/healthz`, readiness `/readyz` (the store
//! answers), and Prometheus metrics `/metrics` (the store's gauges read at scrape).

use arende_core::policy::PolicyCheckpoint;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// The most events counted for the policy lag (a larger lag shows as this).
const LAG_CAP: usize = 100_000;

/// The answer of a health check.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, `degraded` (ready, with streams quarantined) or `unavailable`.
    pub status: String,
    /// What failed, when something did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Streams left out of the reads because a stored event cannot be decoded: the
    /// service stays ready for everything else (`arende store verify` names the damage).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub quarantined: Vec<serde_json::Value>,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is alive", body = Health)))]
pub async fn healthz() -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".into(),
        detail: None,
        quarantined: Vec::new(),
    })
}

/// Readiness: every county's store answers a read.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "Ready", body = Health),
              (status = 503, description = "The store does not answer", body = Health)))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let deployment = state.deployment();
    let metrics = state.clone();
    let checked = tokio::task::spawn_blocking(move || {
        let mut quarantined = Vec::new();
        for county in deployment.counties() {
            let tenant = &county.org().tenant;
            county
                .store()
                .read_tenant(tenant, u64::MAX - 1, 1)
                .map_err(|e| format!("{tenant}: {e}"))?;
            let q = county
                .read()
                .quarantined()
                .map_err(|e| format!("{tenant}: {e}"))?;
            metrics
                .metrics()
                .quarantined
                .with_label_values(&[tenant.as_str()])
                .set(q.len() as i64);
            quarantined.extend(q.into_iter().map(|q| {
                serde_json::json!({"tenant": tenant.as_str(), "stream": q.stream, "version": q.version})
            }));
        }
        Ok::<_, String>(quarantined)
    })
    .await;
    match checked {
        Ok(Ok(quarantined)) => (
            StatusCode::OK,
            axum::Json(Health {
                status: if quarantined.is_empty() {
                    "ok"
                } else {
                    "degraded"
                }
                .into(),
                detail: None,
                quarantined,
            }),
        )
            .into_response(),
        Ok(Err(e)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(Health {
                status: "unavailable".into(),
                detail: Some(e),
                quarantined: Vec::new(),
            }),
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(Health {
                status: "unavailable".into(),
                detail: Some(e.to_string()),
                quarantined: Vec::new(),
            }),
        )
            .into_response(),
    }
}

/// Reads the store's gauges: outbox depth and age, log head, policy lag and the streams
/// quarantined.
fn refresh_gauges(state: &AppState) {
    let metrics = state.metrics();
    let deployment = state.deployment();
    let now = chrono::Utc::now();
    for county in deployment.counties() {
        let tenant = county.org().tenant.clone();
        let t = tenant.as_str();
        // The events after the policies' checkpoint: the lag (counted up to a cap) and
        // the log's head.
        if let Ok((checkpoint, _)) = county.read().state::<PolicyCheckpoint>("checkpoint")
            && let Ok(after) = county
                .store()
                .read_tenant(&tenant, checkpoint.position, LAG_CAP)
        {
            let head = after.last().map_or(checkpoint.position, |e| e.position);
            metrics
                .log_head
                .with_label_values(&[t])
                .set(i64::try_from(head).unwrap_or(i64::MAX));
            metrics
                .policy_lag
                .with_label_values(&[t])
                .set(i64::try_from(after.len()).unwrap_or(i64::MAX));
        }
        if let Ok(q) = county.read().quarantined() {
            metrics
                .quarantined
                .with_label_values(&[t])
                .set(i64::try_from(q.len()).unwrap_or(i64::MAX));
        }
        if let Some(outbox) = state.outbox() {
            if let Ok(counts) = outbox.outbox_counts(&tenant) {
                for (status, n) in counts {
                    metrics
                        .outbox_depth
                        .with_label_values(&[t, status.as_str()])
                        .set(i64::try_from(n).unwrap_or(i64::MAX));
                }
            }
            let age = outbox
                .undelivered(&tenant, 1)
                .ok()
                .and_then(|v| {
                    v.first()
                        .map(|r| (now - r.message.available_at).num_seconds().max(0))
                })
                .unwrap_or(0);
            metrics.outbox_age.with_label_values(&[t]).set(age);
        }
    }
}

/// Prometheus metrics in the text format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Metrics in the Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let s = state.clone();
    let _ = tokio::task::spawn_blocking(move || refresh_gauges(&s)).await;
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics().render(),
    )
        .into_response()
}
