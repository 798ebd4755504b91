//! The axum handlers of the published reads and their OpenAPI document: each finds the
//! county by its tenant, runs a mapping function of [`crate::oparl`] or
//! [`crate::feeds`] on tokio's blocking pool, and writes JSON, Markdown, iCalendar or
//! Atom — or an RFC 9457 problem+json in Swedish or English (`Accept-Language`).
//!
//! URLs in OParl objects and feeds are absolute, built from the configured public base
//! URL ([`PublishConfig::public_url`]), never from the request's `Host` or
//! `X-Forwarded-Host` (which a client chooses: links built from them could point a
//! reader anywhere).

use std::collections::BTreeMap;
use std::sync::Arc;

use arende_core::authz::Actor;
use arende_core::deployment::Deployment;
use arende_core::ids::TenantId;
use arende_core::language::Language;
use axum::Router;
use axum::extract::{Extension, FromRef, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

use crate::error::PublishError;
use crate::feeds;
use crate::oparl::{self, BodyList, County, DEFAULT_PAGE_SIZE, ListFilter, PaperCache, to_json};
use crate::token::FeedKey;

/// How the published reads are served.
#[derive(Debug, Clone)]
pub struct PublishConfig {
    /// Objects per OParl list page when the client gives no `limit` (default 100).
    pub page_size: usize,
    /// The key of persons' feed tokens; without one, only the person reads their feed.
    pub feed_key: Option<FeedKey>,
    /// The public base URL (scheme and authority, e.g. `https://arende.region.se`) that
    /// every absolute link in OParl objects and feeds starts with.
    pub public_url: String,
}

/// The public base URL when none is configured.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

impl Default for PublishConfig {
    fn default() -> Self {
        PublishConfig {
            page_size: DEFAULT_PAGE_SIZE,
            feed_key: None,
            public_url: DEFAULT_PUBLIC_URL.to_owned(),
        }
    }
}

/// The published reads with the default configuration (pages of 100, no feed tokens).
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Deployment>: FromRef<S>,
{
    routes_with(PublishConfig::default())
}

/// The published reads with a configuration.
pub fn routes_with<S>(config: PublishConfig) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Deployment>: FromRef<S>,
{
    Router::new()
        .route("/oparl/v1/{tenant}/system", get(system))
        .route("/oparl/v1/{tenant}/bodies", get(bodies))
        .route("/oparl/v1/{tenant}/body/{party}", get(body))
        .route("/oparl/v1/{tenant}/body/{party}/{list}", get(body_list))
        .route("/oparl/v1/{tenant}/organization/{body}", get(organization))
        .route(
            "/oparl/v1/{tenant}/organization/{body}/meetings",
            get(organization_meetings),
        )
        .route("/oparl/v1/{tenant}/person/{person}", get(person))
        .route(
            "/oparl/v1/{tenant}/membership/{person}/{body}/{role}",
            get(membership),
        )
        .route("/oparl/v1/{tenant}/meeting/{meeting}", get(meeting))
        .route("/oparl/v1/{tenant}/location/{meeting}", get(location))
        .route(
            "/oparl/v1/{tenant}/agenda-item/{meeting}/{order}",
            get(agenda_item),
        )
        .route("/oparl/v1/{tenant}/paper/{matter}", get(paper))
        .route(
            "/oparl/v1/{tenant}/consultation/{matter}/{step}",
            get(consultation),
        )
        .route("/oparl/v1/{tenant}/file/{meeting}/{kind}", get(file))
        .route(
            "/oparl/v1/{tenant}/file/{meeting}/{kind}/content",
            get(file_content),
        )
        .route("/feeds/{tenant}/body/{body}", get(body_feed))
        .route("/feeds/{tenant}/person/{person}", get(person_feed))
        .route("/feeds/{tenant}/person/{person}/token", get(person_token))
        .route("/feeds/{tenant}/matter/{matter}", get(matter_feed))
        .route(
            "/feeds/{tenant}/party/{party}/notice-board.atom",
            get(notice_board_feed),
        )
        .route(
            "/feeds/{tenant}/body/{body}/decisions.atom",
            get(decisions_feed),
        )
        .layer(Extension(Arc::new(config)))
        .layer(Extension(Arc::new(PaperCache::new())))
}

/// The OpenAPI document of every path served by [`routes`].
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        system,
        bodies,
        body,
        body_list,
        organization,
        organization_meetings,
        person,
        membership,
        meeting,
        location,
        agenda_item,
        paper,
        consultation,
        file,
        file_content,
        body_feed,
        person_feed,
        person_token,
        matter_feed,
        notice_board_feed,
        decisions_feed,
    ),
    tags(
        (name = "oparl", description = "OParl 1.1 read API (public)"),
        (name = "feeds", description = "iCalendar and Atom feeds"),
    )
)]
pub struct ApiDoc;

// ───────────────────────────── request context ─────────────────────────────

fn language(headers: &HeaderMap, query: Option<&str>) -> Language {
    if let Some(l) = query.and_then(Language::from_code) {
        return l;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .map(|part| part.split(';').next().unwrap_or("").trim())
                .find_map(Language::from_code)
        })
        .unwrap_or_default()
}

type Params = Query<BTreeMap<String, String>>;

/// Runs `f` on the county of `tenant` on the blocking pool.
async fn on_county<T, F>(
    deployment: Arc<Deployment>,
    tenant: String,
    config: &PublishConfig,
    f: F,
) -> Result<T, PublishError>
where
    T: Send + 'static,
    F: FnOnce(&County<'_>) -> Result<T, PublishError> + Send + 'static,
{
    let engine = deployment
        .county(&TenantId::new(tenant.as_str()))
        .cloned()
        .ok_or(PublishError::UnknownTenant { tenant })?;
    let origin = config.public_url.trim_end_matches('/').to_owned();
    tokio::task::spawn_blocking(move || f(&County::new(&engine, &origin)))
        .await
        .map_err(|e| PublishError::Interrupted {
            reason: e.to_string(),
        })?
}

/// A response of JSON text, written on the blocking pool beside the read that built it
/// (a page of objects is large: its writing is as much work as its reading).
fn json_text(result: Result<Vec<u8>, PublishError>, lang: Language) -> Response {
    match result {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        Err(e) => e.into_problem(lang),
    }
}

/// One object of a county as JSON: `f` runs on the blocking pool against the county;
/// a refusal is a problem in the language the request asked for.
async fn object<T, F>(
    deployment: Arc<Deployment>,
    tenant: String,
    config: &PublishConfig,
    headers: &HeaderMap,
    f: F,
) -> Response
where
    T: Serialize + Send + 'static,
    F: FnOnce(&County<'_>) -> Result<T, PublishError> + Send + 'static,
{
    let lang = language(headers, None);
    json(on_county(deployment, tenant, config, f).await, lang)
}

fn json<T: Serialize>(result: Result<T, PublishError>, lang: Language) -> Response {
    match result {
        Ok(value) => axum::Json(value).into_response(),
        Err(e) => e.into_problem(lang),
    }
}

fn text(
    result: Result<String, PublishError>,
    content_type: &'static str,
    lang: Language,
) -> Response {
    match result {
        Ok(body) => {
            let mut r = body.into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            r
        }
        Err(e) => e.into_problem(lang),
    }
}

fn filter(
    params: &BTreeMap<String, String>,
    config: &PublishConfig,
) -> Result<ListFilter, PublishError> {
    ListFilter::parse(params, config.page_size)
}

// ───────────────────────────── OParl handlers ─────────────────────────────

/// The county's OParl System.
#[utoipa::path(get, path = "/oparl/v1/{tenant}/system", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)")),
    responses(
        (status = 200, description = "The OParl System", body = oparl::System),
        (status = 404, description = "No such tenant", content_type = "application/problem+json"),
    ))]
async fn system(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    object(d, tenant, &config, &headers, |c| Ok(c.system())).await
}

/// Every Body (party) of the county, paged.
#[utoipa::path(get, path = "/oparl/v1/{tenant}/bodies", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)"), ListParams),
    responses(
        (status = 200, description = "A page of bodies", body = oparl::ObjectList<oparl::Body>),
        (status = 400, description = "A parameter cannot be read", content_type = "application/problem+json"),
        (status = 404, description = "No such tenant", content_type = "application/problem+json"),
    ))]
async fn bodies(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path(tenant): Path<String>,
    Query(params): Params,
    headers: HeaderMap,
) -> Response {
    let lang = language(&headers, None);
    let f = match filter(&params, &config) {
        Ok(f) => f,
        Err(e) => return e.into_problem(lang),
    };
    json(
        on_county(d, tenant, &config, move |c| c.bodies(&f)).await,
        lang,
    )
}

/// A party's Body.
#[utoipa::path(get, path = "/oparl/v1/{tenant}/body/{party}", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("party" = String, Path, description = "The party's id")),
    responses(
        (status = 200, description = "The Body", body = oparl::Body),
        (status = 404, description = "No such tenant or party", content_type = "application/problem+json"),
    ))]
async fn body(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, party)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    object(d, tenant, &config, &headers, move |c| c.body(&party)).await
}

/// One of a Body's lists, paged and filtered.
#[utoipa::path(get, path = "/oparl/v1/{tenant}/body/{party}/{list}", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("party" = String, Path, description = "The party's id"),
           ("list" = String, Path, description = "organizations, people, memberships, meetings, agenda-items, papers, consultations or files"),
           ListParams),
    responses(
        (status = 200, description = "A page of the list", body = oparl::ObjectList<serde_json::Value>),
        (status = 400, description = "A parameter cannot be read", content_type = "application/problem+json"),
        (status = 404, description = "No such tenant, party or list", content_type = "application/problem+json"),
    ))]
async fn body_list(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Extension(papers): Extension<Arc<PaperCache>>,
    Path((tenant, party, list)): Path<(String, String, String)>,
    Query(params): Params,
    headers: HeaderMap,
) -> Response {
    let lang = language(&headers, None);
    let Some(which) = BodyList::from_path(&list) else {
        return PublishError::NotFound {
            tenant,
            kind: "list",
            id: list,
        }
        .into_problem(lang);
    };
    let f = match filter(&params, &config) {
        Ok(f) => f,
        Err(e) => return e.into_problem(lang),
    };
    json_text(
        on_county(d, tenant, &config, move |c| match which {
            // Papers: each one's text from the cache while its matter is unchanged.
            BodyList::Papers => c.papers_json(&party, &f, &papers),
            _ => to_json(&c.body_list(&party, which, &f)?),
        })
        .await,
        lang,
    )
}

/// A body's Organization.
#[utoipa::path(get, path = "/oparl/v1/{tenant}/organization/{body}", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("body" = String, Path, description = "The body's id")),
    responses(
        (status = 200, description = "The Organization", body = oparl::Organization),
        (status = 404, description = "No such tenant or body", content_type = "application/problem+json"),
    ))]
async fn organization(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, body)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    object(d, tenant, &config, &headers, move |c| c.organization(&body)).await
}

/// The meetings of a body's Organization, paged.
#[utoipa::path(get, path = "/oparl/v1/{tenant}/organization/{body}/meetings", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("body" = String, Path, description = "The body's id"), ListParams),
    responses(
        (status = 200, description = "A page of meetings", body = oparl::ObjectList<oparl::MeetingObject>),
        (status = 400, description = "A parameter cannot be read", content_type = "application/problem+json"),
        (status = 404, description = "No such tenant or body", content_type = "application/problem+json"),
    ))]
async fn organization_meetings(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, body)): Path<(String, String)>,
    Query(params): Params,
    headers: HeaderMap,
) -> Response {
    let lang = language(&headers, None);
    let f = match filter(&params, &config) {
        Ok(f) => f,
        Err(e) => return e.into_problem(lang),
    };
    json(
        on_county(d, tenant, &config, move |c| {
            c.organization_meetings(&body, &f)
        })
        .await,
        lang,
    )
}

/// A Person with their memberships.
#[utoipa::path(get, path = "/oparl/v1/{tenant}/person/{person}", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("person" = String, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The Person", body = oparl::Person),
        (status = 404, description = "No such tenant or person", content_type = "application/problem+json"),
    ))]
async fn person(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, person)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    object(d, tenant, &config, &headers, move |c| c.person(&person)).await
}

/// A Membership: a person's role in a body.
#[utoipa::path(get, path = "/oparl/v1/{tenant}/membership/{person}/{body}/{role}", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("person" = String, Path, description = "The person's id"),
           ("body" = String, Path, description = "The body's id"),
           ("role" = String, Path, description = "member, substitute, chair, secretary, adjuster or official")),
    responses(
        (status = 200, description = "The Membership", body = oparl::MembershipObject),
        (status = 404, description = "No such membership", content_type = "application/problem+json"),
    ))]
async fn membership(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, person, body, role)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Response {
    object(d, tenant, &config, &headers, move |c| {
        c.membership(&person, &body, &role)
    })
    .await
}

/// A Meeting with its agenda.
#[utoipa::path(get, path = "/oparl/v1/{tenant}/meeting/{meeting}", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("meeting" = String, Path, description = "The meeting's id")),
    responses(
        (status = 200, description = "The Meeting", body = oparl::MeetingObject),
        (status = 404, description = "No such meeting", content_type = "application/problem+json"),
    ))]
async fn meeting(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, meeting)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    object(d, tenant, &config, &headers, move |c| c.meeting(&meeting)).await
}

/// A meeting's Location.
#[utoipa::path(get, path = "/oparl/v1/{tenant}/location/{meeting}", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("meeting" = String, Path, description = "The meeting's id")),
    responses(
        (status = 200, description = "The Location", body = oparl::Location),
        (status = 404, description = "No such meeting or no place", content_type = "application/problem+json"),
    ))]
async fn location(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, meeting)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    object(d, tenant, &config, &headers, move |c| c.location(&meeting)).await
}

/// An AgendaItem by meeting and place on the agenda.
#[utoipa::path(get, path = "/oparl/v1/{tenant}/agenda-item/{meeting}/{order}", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("meeting" = String, Path, description = "The meeting's id"),
           ("order" = String, Path, description = "The place on the agenda, from 1")),
    responses(
        (status = 200, description = "The AgendaItem", body = oparl::AgendaItem),
        (status = 404, description = "No such agenda item", content_type = "application/problem+json"),
    ))]
async fn agenda_item(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, meeting, order)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    object(d, tenant, &config, &headers, move |c| {
        c.agenda_item(&meeting, &order)
    })
    .await
}

/// A Paper (a matter).
#[utoipa::path(get, path = "/oparl/v1/{tenant}/paper/{matter}", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("matter" = String, Path, description = "The matter's id (UUID)")),
    responses(
        (status = 200, description = "The Paper", body = oparl::Paper),
        (status = 404, description = "No such matter", content_type = "application/problem+json"),
    ))]
async fn paper(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, matter)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    object(d, tenant, &config, &headers, move |c| c.paper(&matter)).await
}

/// A Consultation (a step of a matter's route).
#[utoipa::path(get, path = "/oparl/v1/{tenant}/consultation/{matter}/{step}", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("matter" = String, Path, description = "The matter's id (UUID)"),
           ("step" = String, Path, description = "The route step's id")),
    responses(
        (status = 200, description = "The Consultation", body = oparl::Consultation),
        (status = 404, description = "No such consultation", content_type = "application/problem+json"),
    ))]
async fn consultation(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, matter, step)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    object(d, tenant, &config, &headers, move |c| {
        c.consultation(&matter, &step)
    })
    .await
}

/// A meeting's File (`notice` or `minutes`).
#[utoipa::path(get, path = "/oparl/v1/{tenant}/file/{meeting}/{kind}", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("meeting" = String, Path, description = "The meeting's id"),
           ("kind" = String, Path, description = "notice or minutes")),
    responses(
        (status = 200, description = "The File", body = oparl::File),
        (status = 404, description = "No such file (yet)", content_type = "application/problem+json"),
    ))]
async fn file(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, meeting, kind)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    object(d, tenant, &config, &headers, move |c| {
        c.file(&meeting, &kind)
    })
    .await
}

/// The content of a meeting's File, as Markdown.
#[utoipa::path(get, path = "/oparl/v1/{tenant}/file/{meeting}/{kind}/content", tag = "oparl",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("meeting" = String, Path, description = "The meeting's id"),
           ("kind" = String, Path, description = "notice or minutes")),
    responses(
        (status = 200, description = "The document", content_type = "text/markdown", body = String),
        (status = 404, description = "No such file (yet)", content_type = "application/problem+json"),
    ))]
async fn file_content(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, meeting, kind)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let lang = language(&headers, None);
    text(
        on_county(d, tenant, &config, move |c| c.file_content(&meeting, &kind)).await,
        "text/markdown; charset=utf-8",
        lang,
    )
}

// ───────────────────────────── feeds ─────────────────────────────

const ICS: &str = "text/calendar; charset=utf-8";
const ATOM: &str = "application/atom+xml; charset=utf-8";

/// `lang` (sv or en) for the texts of a feed; `Accept-Language` otherwise.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct FeedParams {
    /// The language of the texts: `sv` (default) or `en`.
    lang: Option<String>,
    /// A person's feed token (person feeds only).
    token: Option<String>,
}

/// The paging and filters of an OParl list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ListParams {
    /// The page, from 1.
    page: Option<u64>,
    /// Objects per page (at most 1000; default 100).
    limit: Option<u64>,
    /// Only objects created at or after this instant (RFC 3339).
    created_since: Option<String>,
    /// Only objects created at or before this instant (RFC 3339).
    created_until: Option<String>,
    /// Only objects modified at or after this instant (RFC 3339).
    modified_since: Option<String>,
    /// Only objects modified at or before this instant (RFC 3339).
    modified_until: Option<String>,
}

/// `{id}.ics` → `id`; anything else is not a calendar.
fn ics_name(file: &str) -> Option<&str> {
    file.strip_suffix(".ics").filter(|s| !s.is_empty())
}

fn not_a_feed(tenant: String, kind: &'static str, id: String) -> PublishError {
    PublishError::NotFound { tenant, kind, id }
}

/// A body's meeting plan as iCalendar (`{body}.ics`).
#[utoipa::path(get, path = "/feeds/{tenant}/body/{body}", tag = "feeds",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("body" = String, Path, description = "`{body id}.ics`"), FeedParams),
    responses(
        (status = 200, description = "iCalendar (RFC 5545, METHOD:PUBLISH)", content_type = "text/calendar", body = String),
        (status = 404, description = "No such body", content_type = "application/problem+json"),
    ))]
async fn body_feed(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, file)): Path<(String, String)>,
    Query(params): Params,
    headers: HeaderMap,
) -> Response {
    let lang = language(&headers, params.get("lang").map(String::as_str));
    let Some(body) = ics_name(&file).map(str::to_owned) else {
        return not_a_feed(tenant, "calendar", file).into_problem(lang);
    };
    text(
        on_county(d, tenant, &config, move |c| {
            feeds::body_calendar(c.engine(), &body, lang)
        })
        .await,
        ICS,
        lang,
    )
}

/// A person's calendar (`{person}.ics`): only for that person, or with their feed token.
#[utoipa::path(get, path = "/feeds/{tenant}/person/{person}", tag = "feeds",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("person" = String, Path, description = "`{person id}.ics`"), FeedParams),
    responses(
        (status = 200, description = "iCalendar (RFC 5545, METHOD:PUBLISH)", content_type = "text/calendar", body = String),
        (status = 403, description = "Not that person and no valid token", content_type = "application/problem+json"),
        (status = 404, description = "No such person", content_type = "application/problem+json"),
    ))]
async fn person_feed(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    actor: Option<Extension<Actor>>,
    Path((tenant, file)): Path<(String, String)>,
    Query(params): Params,
    headers: HeaderMap,
) -> Response {
    let lang = language(&headers, params.get("lang").map(String::as_str));
    let Some(person) = ics_name(&file).map(str::to_owned) else {
        return not_a_feed(tenant, "calendar", file).into_problem(lang);
    };
    let is_them = matches!(actor.as_deref(), Some(Actor::Person(p)) if p.as_str() == person);
    let has_token = match (&config.feed_key, params.get("token")) {
        (Some(key), Some(token)) => key.verify(&tenant, &person, token),
        _ => false,
    };
    if !is_them && !has_token {
        return PublishError::NotThePerson { person }.into_problem(lang);
    }
    text(
        on_county(d, tenant, &config, move |c| {
            feeds::person_calendar(c.engine(), &person, lang)
        })
        .await,
        ICS,
        lang,
    )
}

/// The subscription URL of a person's calendar, with its feed token.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct FeedLink {
    /// The URL to give a calendar client.
    url: String,
}

/// A person's calendar subscription URL with its token (only for that person).
#[utoipa::path(get, path = "/feeds/{tenant}/person/{person}/token", tag = "feeds",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("person" = String, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The subscription URL", body = FeedLink),
        (status = 403, description = "Not that person", content_type = "application/problem+json"),
        (status = 404, description = "No such person, or tokens are not enabled", content_type = "application/problem+json"),
    ))]
async fn person_token(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    actor: Option<Extension<Actor>>,
    Path((tenant, person)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let lang = language(&headers, None);
    if !matches!(actor.as_deref(), Some(Actor::Person(p)) if p.as_str() == person) {
        return PublishError::NotThePerson { person }.into_problem(lang);
    }
    let Some(key) = config.feed_key.clone() else {
        return PublishError::TokensDisabled.into_problem(lang);
    };
    let base = config.public_url.trim_end_matches('/').to_owned();
    json(
        on_county(d, tenant.clone(), &config, move |c| {
            let org = c.engine().org();
            if org
                .person(&arende_core::ids::PersonId::new(person.as_str()))
                .is_none()
            {
                return Err(PublishError::NotFound {
                    tenant: tenant.clone(),
                    kind: "person",
                    id: person,
                });
            }
            let token = key.token(&tenant, &person);
            Ok(FeedLink {
                url: format!("{base}/feeds/{tenant}/person/{person}.ics?token={token}"),
            })
        })
        .await,
        lang,
    )
}

/// A matter's forecast dates as iCalendar (`{matter}.ics`), stable UIDs.
#[utoipa::path(get, path = "/feeds/{tenant}/matter/{matter}", tag = "feeds",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("matter" = String, Path, description = "`{matter id}.ics`"), FeedParams),
    responses(
        (status = 200, description = "iCalendar (RFC 5545, METHOD:PUBLISH)", content_type = "text/calendar", body = String),
        (status = 404, description = "No such matter", content_type = "application/problem+json"),
    ))]
async fn matter_feed(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, file)): Path<(String, String)>,
    Query(params): Params,
    headers: HeaderMap,
) -> Response {
    let lang = language(&headers, params.get("lang").map(String::as_str));
    let Some(matter) = ics_name(&file).map(str::to_owned) else {
        return not_a_feed(tenant, "calendar", file).into_problem(lang);
    };
    text(
        on_county(d, tenant, &config, move |c| {
            feeds::matter_calendar(c.engine(), &matter, lang)
        })
        .await,
        ICS,
        lang,
    )
}

/// A party's notice board (anslagstavla) as Atom.
#[utoipa::path(get, path = "/feeds/{tenant}/party/{party}/notice-board.atom", tag = "feeds",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("party" = String, Path, description = "The party's id"), FeedParams),
    responses(
        (status = 200, description = "Atom (RFC 4287)", content_type = "application/atom+xml", body = String),
        (status = 404, description = "No such party", content_type = "application/problem+json"),
    ))]
async fn notice_board_feed(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, party)): Path<(String, String)>,
    Query(params): Params,
    headers: HeaderMap,
) -> Response {
    let lang = language(&headers, params.get("lang").map(String::as_str));
    let url = format!(
        "{}/feeds/{tenant}/party/{party}/notice-board.atom",
        config.public_url.trim_end_matches('/')
    );
    text(
        on_county(d, tenant, &config, move |c| {
            feeds::notice_board(c, &party, &url, lang)
        })
        .await,
        ATOM,
        lang,
    )
}

/// A body's decisions (§ from final minutes) as Atom.
#[utoipa::path(get, path = "/feeds/{tenant}/body/{body}/decisions.atom", tag = "feeds",
    params(("tenant" = String, Path, description = "The county (tenant)"),
           ("body" = String, Path, description = "The body's id"), FeedParams),
    responses(
        (status = 200, description = "Atom (RFC 4287)", content_type = "application/atom+xml", body = String),
        (status = 404, description = "No such body", content_type = "application/problem+json"),
    ))]
async fn decisions_feed(
    State(d): State<Arc<Deployment>>,
    Extension(config): Extension<Arc<PublishConfig>>,
    Path((tenant, body)): Path<(String, String)>,
    Query(params): Params,
    headers: HeaderMap,
) -> Response {
    let lang = language(&headers, params.get("lang").map(String::as_str));
    let url = format!(
        "{}/feeds/{tenant}/body/{body}/decisions.atom",
        config.public_url.trim_end_matches('/')
    );
    text(
        on_county(d, tenant, &config, move |c| {
            feeds::decisions(c, &body, &url, lang)
        })
        .await,
        ATOM,
        lang,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_comes_from_the_headers_and_the_query() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert_eq!(language(&h, None), Language::Swedish);
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("en-GB,en;q=0.8"),
        );
        assert_eq!(language(&h, None), Language::English);
        assert_eq!(language(&h, Some("sv")), Language::Swedish);
    }

    #[test]
    fn the_openapi_document_lists_every_path() {
        use utoipa::OpenApi;
        let doc = ApiDoc::openapi();
        let paths: Vec<&String> = doc.paths.paths.keys().collect();
        for p in [
            "/oparl/v1/{tenant}/system",
            "/oparl/v1/{tenant}/body/{party}/{list}",
            "/oparl/v1/{tenant}/file/{meeting}/{kind}/content",
            "/feeds/{tenant}/person/{person}",
            "/feeds/{tenant}/party/{party}/notice-board.atom",
            "/feeds/{tenant}/body/{body}/decisions.atom",
        ] {
            assert!(
                paths.iter().any(|x| x.as_str() == p),
                "{p} missing: {paths:?}"
            );
        }
        assert_eq!(paths.len(), 21);
    }
}
