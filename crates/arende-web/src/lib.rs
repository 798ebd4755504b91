//! `arende-web`: the secretary's dashboard (sekreterarens vy), server-rendered pages that
//! `arende serve` mounts next to its JSON API.
//!
//! - [`routes`] gives the pages under `/ui/{tenant}/…` and the embedded assets under
//!   `/ui/assets/…`; [`ApiDoc`] lists them for the OpenAPI document.
//! - [`views`] builds each page from the engine's reads into a view model and renders
//!   it (testable without HTTP); [`layout`] is the page shell; [`svg`] draws routes.
//! - [`handlers`] are the HTTP side: the engine runs inside `spawn_blocking`; forms are
//!   same-origin checked and post the kernel's commands through `engine.execute` as the
//!   caller the server's auth put in the request (`arende_core::authz::Actor`).
//!
//! Pages work without JavaScript; `live.js` only refreshes pages without forms. Swedish
//! is the default, English with `?lang=en` or `Accept-Language`.

pub mod forms;
pub mod handlers;
pub mod lang;
pub mod layout;
pub mod svg;
pub mod views;

use std::sync::Arc;

use arende_core::deployment::Deployment;
use axum::Router;
use axum::extract::FromRef;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

/// The stylesheet, embedded in the binary.
pub const STYLE_CSS: &str = include_str!("../assets/style.css");
/// The live-update script, embedded in the binary.
pub const LIVE_JS: &str = include_str!("../assets/live.js");

/// The dashboard's routes: pages under `/ui/{tenant}/…`, assets under `/ui/assets/…`.
/// The state must give the deployment (`Arc<Deployment>: FromRef<S>`); the server's
/// auth middleware puts the caller in an `Actor` extension (none: read-only pages).
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Deployment>: FromRef<S>,
{
    use handlers::*;
    Router::new()
        .route("/ui/assets/style.css", get(style))
        .route("/ui/assets/live.js", get(script))
        .route("/ui/{tenant}", get(county_page))
        .route("/ui/{tenant}/", get(county_page))
        .route("/ui/{tenant}/bodies/{body}", get(body_page))
        .route("/ui/{tenant}/bodies/{body}/calendar", get(body_calendar))
        .route(
            "/ui/{tenant}/persons/{person}/calendar",
            get(person_calendar),
        )
        .route("/ui/{tenant}/matters", axum::routing::post(post_submit))
        .route("/ui/{tenant}/matters/new", get(new_matter))
        .route("/ui/{tenant}/matters/{matter}", get(matter_page))
        .route(
            "/ui/{tenant}/matters/{matter}/screen",
            axum::routing::post(post_screen),
        )
        .route("/ui/{tenant}/meetings/{meeting}", get(meeting_page))
        .route(
            "/ui/{tenant}/meetings/{meeting}/notice",
            axum::routing::post(post_notice),
        )
        .route(
            "/ui/{tenant}/meetings/{meeting}/held",
            axum::routing::post(post_held),
        )
        .route(
            "/ui/{tenant}/meetings/{meeting}/minutes",
            axum::routing::post(post_minutes),
        )
        .route(
            "/ui/{tenant}/meetings/{meeting}/adjust",
            axum::routing::post(post_adjust),
        )
}

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE_CSS,
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        LIVE_JS,
    )
}

/// The dashboard's pages and forms in the OpenAPI document (text/html responses).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        handlers::county_page,
        handlers::body_page,
        handlers::body_calendar,
        handlers::person_calendar,
        handlers::matter_page,
        handlers::meeting_page,
        handlers::new_matter,
        handlers::post_submit,
        handlers::post_screen,
        handlers::post_notice,
        handlers::post_held,
        handlers::post_minutes,
        handlers::post_adjust,
    ),
    tags((name = "dashboard", description = "The secretary's dashboard: server-rendered pages and forms"))
)]
pub struct ApiDoc;
