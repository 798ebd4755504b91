//! `arende-server`: the engine as a service (tjänst). The kernel's commands and the
//! reads over HTTP with axum, an OpenAPI 3.1 document generated from the handlers
//! (utoipa) at `/openapi.json`, authentication (OIDC JWTs, API keys) and rate limits,
//! a change feed of committed events (long poll and Server-Sent Events), and the
//! operations endpoints (`/healthz`, `/readyz`, `/metrics`).
//!
//! Why it looks like this: one process serves one or many counties (a
//! [`Deployment`](arende_core::deployment::Deployment)); the tenant is part of every
//! path. The engine is synchronous (its stores block), so every call into it runs on a
//! blocking thread, never on a runtime worker. Commands are the kernel's JSON
//! commands, not a second vocabulary; refusals are RFC 9457 problem documents whose
//! text comes from `arende_notify::refusal` in Swedish or English.
//!
//! Code map:
//! - [`state`]: the shared state; [`auth`]: who may call; [`problem`]: refusals;
//!   [`lang`]: `Accept-Language`; [`extract`]: extractors that refuse with problems;
//!   [`edge`]: security headers and a problem document for every refusal, on every route.
//! - [`commands`]: `POST /v1/{tenant}/commands`; [`reads`]: the JSON reads;
//!   [`feed`]: the change feed; [`ops`]: health, readiness, metrics.
//! - [`public`]: what anonymous callers reach and how often; [`net`]: connections
//!   bounded in number and time.
//! - [`app`] builds the router (with the routes of other crates merged in, see
//!   [`Extension`]), [`internal_app`] the internal listener's; [`serve_with`] runs one
//!   until a shutdown signal, ending streams and finishing the requests in flight
//!   within a deadline.

pub mod auth;
pub mod commands;
pub mod edge;
pub mod extract;
pub mod feed;
pub mod lang;
pub mod metrics;
pub mod net;
pub mod ops;
pub mod problem;
pub mod public;
pub mod reads;
pub mod state;

use std::sync::Arc;

use axum::Router;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub use net::{NetOptions, serve, serve_with};
pub use state::{AppState, ServerOptions};

/// The security schemes of the OpenAPI document: `bearer` (an OIDC JWT) and `api_key`
/// (the `X-Api-Key` header).
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))),
        );
    }
}

/// The OpenAPI document of this crate's endpoints.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "arende",
        description = "Ärendeflöde as a service: the kernel's commands, reads, and a change feed per county (tenant). Refusals are RFC 9457 problem documents in Swedish (default) or English by Accept-Language."
    ),
    paths(
        commands::post_command,
        feed::events,
        reads::list_matters,
        reads::matter,
        reads::forecast,
        reads::backward_plan,
        reads::meetings,
        reads::meeting,
        reads::agenda,
        reads::notice,
        reads::minutes,
        reads::attendance,
        reads::assignments,
        reads::feedback,
        reads::follow_ups,
        reads::config,
        reads::route,
        ops::healthz,
        ops::readyz,
        ops::metrics,
    ),
    components(schemas(
        problem::ProblemDoc,
        commands::CommandAccepted,
        commands::CommandBody,
        feed::FeedEvent,
        feed::FeedPage,
        reads::MatterPage,
        reads::MatterDetail,
        ops::Health,
    )),
    modifiers(&Security),
    tags(
        (name = "commands", description = "The kernel's commands"),
        (name = "matters", description = "Matters (ärenden)"),
        (name = "meetings", description = "Meetings (sammanträden) and minutes"),
        (name = "assignments", description = "Assignments (uppdrag)"),
        (name = "configuration", description = "The county's configuration"),
        (name = "feed", description = "The change feed"),
        (name = "operations", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

/// Routes of another crate merged into the service (OParl and feeds, the dashboard):
/// its router over the service's state and its OpenAPI document.
pub struct Extension {
    /// The routes (built with the other crate's `routes::<AppState>()`).
    pub router: Router<AppState>,
    /// Its OpenAPI document (`ApiDoc::openapi()`), merged into `/openapi.json`.
    pub doc: utoipa::openapi::OpenApi,
}

/// The whole OpenAPI document: this crate's and the extensions'.
pub fn openapi(extensions: &[utoipa::openapi::OpenApi]) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for e in extensions {
        doc.merge(e.clone());
    }
    doc
}

async fn not_found(uri: Uri, headers: axum::http::HeaderMap) -> Response {
    problem::Problem::not_found(uri.path(), lang::from_headers(&headers)).into_response()
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    problem::Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        arende_core::language::Language::Swedish,
        ("Internt fel", "Internal error"),
        (
            "ett internt fel inträffade; inget avslutades halvvägs".into(),
            "an internal error happened".into(),
        ),
    )
    .into_response()
}

/// The service's router: `/v1/{tenant}/…` behind authentication, the extensions'
/// routes (credentials optional: a caller who gives valid ones is known to them;
/// anonymous callers limited per address), the operations endpoints (`/metrics` and
/// `/openapi.json` as [`public::OpsAccess`] says) and `/openapi.json`; anything else
/// is a 404 problem.
pub fn app(state: AppState, extensions: Vec<Extension>) -> Router {
    let mut docs = Vec::new();
    let mut extra: Router<AppState> = Router::new();
    for e in extensions {
        docs.push(e.doc);
        extra = extra.merge(e.router);
    }
    let doc = document(&state, &docs);
    let v1 = Router::new()
        .route("/v1/{tenant}/commands", post(commands::post_command))
        .route("/v1/{tenant}/events", get(feed::events))
        .merge(reads::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_caller,
        ));
    // Layering an empty router is refused by axum: only when there are extensions.
    let extra = if extra.has_routes() {
        extra
            .route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                auth::optional_caller,
            ))
            .route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                public::limit_anonymous,
            ))
            .route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                edge::say_quarantined,
            ))
    } else {
        extra
    };
    let guarded = ops_routes(doc).route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        public::ops_guard,
    ));
    Router::new()
        .merge(v1)
        .merge(extra)
        .merge(guarded)
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .fallback(not_found)
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn(edge::problems_everywhere))
        .layer(axum::middleware::from_fn(edge::security_headers))
        .with_state(state)
}

/// The internal listener's router (`arende serve --internal-listen`): `/healthz`,
/// `/readyz`, `/metrics` and `/openapi.json` (with the extensions' documents `docs`),
/// without credentials; it is meant for an address only the operators reach.
pub fn internal_app(state: AppState, docs: Vec<utoipa::openapi::OpenApi>) -> Router {
    let doc = document(&state, &docs);
    Router::new()
        .merge(ops_routes(doc))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .fallback(not_found)
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

/// The served OpenAPI document of this crate and the extensions' `docs`.
fn document(state: &AppState, docs: &[utoipa::openapi::OpenApi]) -> Arc<String> {
    let tenants: Vec<String> = state
        .deployment()
        .tenants()
        .map(|t| t.as_str().to_owned())
        .collect();
    Arc::new(served_document(&openapi(docs), &tenants))
}

/// `/metrics` and `/openapi.json`.
fn ops_routes(doc: Arc<String>) -> Router<AppState> {
    Router::new().route("/metrics", get(ops::metrics)).route(
        "/openapi.json",
        get(move || {
            let doc = Arc::clone(&doc);
            async move { ([(header::CONTENT_TYPE, "application/json")], (*doc).clone()) }
        }),
    )
}

/// The OpenAPI document as served: the `tenant` path parameter of every operation
/// lists the counties this process serves (an `enum`), so a client, a code generator
/// or a fuzzer knows the valid values.
fn served_document(doc: &utoipa::openapi::OpenApi, tenants: &[String]) -> String {
    let mut value = serde_json::to_value(doc).unwrap_or_default();
    if !tenants.is_empty()
        && let Some(paths) = value.get_mut("paths").and_then(|p| p.as_object_mut())
    {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for op in item.values_mut() {
                let Some(params) = op.get_mut("parameters").and_then(|p| p.as_array_mut()) else {
                    continue;
                };
                for p in params {
                    if p.get("name").and_then(|n| n.as_str()) == Some("tenant")
                        && p.get("in").and_then(|n| n.as_str()) == Some("path")
                    {
                        p["schema"] = serde_json::json!({"type": "string", "enum": tenants});
                    }
                }
            }
        }
    }
    serde_json::to_string(&value).unwrap_or_else(|_| "{}".to_owned())
}

/// Completes on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
