//! Reads (läsningar) as JSON: matters (filtered and paged), one matter with its history
//! and version, its forecast and what-if targets; meetings, agenda, notice, minutes
//! (Markdown and HTML) and attendance; assignments, owed feedback, follow-ups due; the
//! county configuration and its routes (DOT, Mermaid, SVG). Each runs on a blocking
//! thread (the engine's stores block) and refuses with a problem document.

use std::collections::BTreeMap;
use std::sync::Arc;

use arende_core::deployment::CountyEngine;
use arende_core::forecast::{Goal, Target};
use arende_core::ids::{BodyId, MatterId, MeetingId, PartyId, RouteId, TenantId};
use arende_core::language::Language;
use arende_core::matter::{Matter, MatterKind, MatterStatus};
use arende_core::meeting::Meeting;
use arende_core::projection::MatterSummary;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder, ResponsesBuilder};
use utoipa::{IntoParams, IntoResponses, ToSchema};

use crate::commands::etag;
use crate::extract::{P, Q, TenantPath};
use crate::feed::FeedEvent;
use crate::lang::Lang;
use crate::problem::{PROBLEM_JSON, Problem};
use crate::state::AppState;

/// The refusals every read may answer with, as problem documents.
pub struct ReadRefusals;

impl IntoResponses for ReadRefusals {
    fn responses() -> BTreeMap<String, RefOr<utoipa::openapi::response::Response>> {
        let problem = || {
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "ProblemDoc",
                ))))
                .build()
        };
        let mut b = ResponsesBuilder::new();
        for (code, what) in [
            ("400", "A parameter cannot be read"),
            ("401", "No or invalid credentials"),
            ("403", "Not permitted"),
            ("404", "Unknown tenant or id"),
            (
                "409",
                "Not possible in the current state (e.g. minutes not drafted)",
            ),
            ("422", "Invalid input"),
            ("429", "Rate limited"),
            ("503", "The store is unavailable"),
        ] {
            b = b.response(
                code,
                ResponseBuilder::new()
                    .description(what)
                    .content(PROBLEM_JSON, problem())
                    .build(),
            );
        }
        b.build().into()
    }
}

/// The read routes, under `/v1/{tenant}/…`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/{tenant}/matters", get(list_matters))
        .route("/v1/{tenant}/matters/{id}", get(matter))
        .route("/v1/{tenant}/matters/{id}/forecast", get(forecast))
        .route(
            "/v1/{tenant}/matters/{id}/backward-plan",
            get(backward_plan),
        )
        .route("/v1/{tenant}/meetings", get(meetings))
        .route("/v1/{tenant}/meetings/{id}", get(meeting))
        .route("/v1/{tenant}/meetings/{id}/agenda", get(agenda))
        .route("/v1/{tenant}/meetings/{id}/notice", get(notice))
        .route("/v1/{tenant}/meetings/{id}/minutes", get(minutes))
        .route("/v1/{tenant}/meetings/{id}/attendance", get(attendance))
        .route("/v1/{tenant}/assignments", get(assignments))
        .route("/v1/{tenant}/feedback", get(feedback))
        .route("/v1/{tenant}/follow-ups", get(follow_ups))
        .route("/v1/{tenant}/config", get(config))
        .route("/v1/{tenant}/routes/{id}", get(route))
}

/// Runs a read on the tenant's engine on a blocking thread.
async fn read<F>(state: &AppState, tenant: &str, lang: Language, f: F) -> Response
where
    F: FnOnce(Arc<CountyEngine>) -> Result<Response, Problem> + Send + 'static,
{
    let deployment = state.deployment();
    let Some(engine) = deployment.county(&TenantId::new(tenant)).cloned() else {
        return Problem::unknown_tenant(tenant, lang).into_response();
    };
    match tokio::task::spawn_blocking(move || f(engine)).await {
        Ok(Ok(r)) => r,
        Ok(Err(p)) => p.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "read task failed");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                lang,
                ("Internt fel", "Internal error"),
                (
                    "läsningen kunde inte göras klart".into(),
                    "the read could not be completed".into(),
                ),
            )
            .into_response()
        }
    }
}

fn core(lang: Language) -> impl Fn(arende_core::Error) -> Problem {
    move |e| Problem::from_core(&e, lang, false)
}

fn json(value: Value) -> Response {
    axum::Json(value).into_response()
}

fn parse_kebab<T: serde::de::DeserializeOwned>(
    what: &str,
    text: &str,
    lang: Language,
) -> Result<T, Problem> {
    serde_json::from_value(Value::String(text.to_owned()))
        .map_err(|e| Problem::bad_parameter(what, &format!("\"{text}\": {e}"), lang))
}

fn matter_id(text: &str, lang: Language) -> Result<MatterId, Problem> {
    text.parse::<MatterId>().map_err(|e| {
        Problem::bad_parameter(
            "id",
            &format!("\"{text}\" är inget ärende-id (UUID) / is not a matter id: {e}"),
            lang,
        )
    })
}

// ───────────────────────────── matters ─────────────────────────────

/// The filters and page of the matter list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatterQuery {
    /// Only matters at this body now.
    pub body: Option<String>,
    /// Only matters in this status (kebab-case, e.g. `in-preparation`).
    pub state: Option<String>,
    /// Only matters this party takes part in (its case number, political decision, or a
    /// step of the matter's route).
    pub party: Option<String>,
    /// Only matters of this kind (e.g. `agreement`).
    pub kind: Option<String>,
    /// Skip this many (default 0).
    #[param(minimum = 0)]
    pub offset: Option<usize>,
    /// At most this many (default 50, at most 500).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
}

/// A page of matters.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct MatterPage {
    /// The matters, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub matters: Vec<MatterSummary>,
    /// How many match the filters.
    pub total: usize,
    /// The offset of this page.
    pub offset: usize,
    /// The page size asked for.
    pub limit: usize,
    /// Streams left out because a stored event of theirs cannot be decoded
    /// (quarantined; `arende store verify` names the damage). Absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub quarantined: Vec<arende_core::projection::Quarantined>,
}

fn takes_part(org: &arende_core::org::Organisation, m: &Matter, party: &PartyId) -> bool {
    m.case_numbers.contains_key(party)
        || m.political.contains_key(party)
        || m.in_force_for.contains(party)
        || m.route
            .as_ref()
            .and_then(|r| org.route(r))
            .is_some_and(|r| r.steps().any(|s| s.parties.contains(party)))
}

/// Matters, filtered by body, status, party and kind, paged.
#[utoipa::path(get, path = "/v1/{tenant}/matters", tag = "matters",
    params(("tenant" = String, Path, description = "The county"), MatterQuery),
    responses((status = 200, description = "A page of matters", body = MatterPage), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_matters(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    Q(q): Q<MatterQuery>,
) -> Response {
    read(&state, &tenant, lang, move |engine| {
        let status: Option<MatterStatus> = q
            .state
            .as_deref()
            .map(|s| parse_kebab("state", s, lang))
            .transpose()?;
        let kind: Option<MatterKind> = q
            .kind
            .as_deref()
            .map(|s| parse_kebab("kind", s, lang))
            .transpose()?;
        let body = q.body.as_deref().map(BodyId::new);
        if let Some(b) = &body
            && engine.org().body(b).is_none()
        {
            return Err(Problem::from_core(
                &arende_core::ids::UnknownId::new("body", b).into(),
                lang,
                false,
            ));
        }
        let party = q.party.as_deref().map(PartyId::new);
        if let Some(p) = &party
            && engine.org().party(p).is_none()
        {
            return Err(Problem::from_core(
                &arende_core::ids::UnknownId::new("party", p).into(),
                lang,
                false,
            ));
        }
        let r = engine.read();
        let mut all: Vec<MatterSummary> = match (&body, status, &party) {
            (Some(b), _, None) => r.matters_at(b, status).map_err(core(lang))?,
            (None, Some(s), None) => r.matters_in(s).map_err(core(lang))?,
            _ => {
                let org = engine.org();
                let matters = r.all_of::<Matter>().map_err(core(lang))?;
                let mut out = Vec::new();
                for (_, m) in matters {
                    if party.as_ref().is_some_and(|p| !takes_part(org, &m, p)) {
                        continue;
                    }
                    if let Some(s) = m.summary() {
                        let summary = r
                            .query_matters(|p| p.summary(s.id))
                            .map_err(core(lang))?
                            .unwrap_or(s);
                        if body.as_ref().is_some_and(|b| !summary.at.contains(b)) {
                            continue;
                        }
                        if status.is_some_and(|st| summary.status != st) {
                            continue;
                        }
                        out.push(summary);
                    }
                }
                out.sort_by_key(|s| s.id);
                out
            }
        };
        if let Some(k) = kind {
            all.retain(|s| s.kind == k);
        }
        let total = all.len();
        let offset = q.offset.unwrap_or(0);
        let limit = q.limit.unwrap_or(50).clamp(1, 500);
        let matters: Vec<MatterSummary> = all.into_iter().skip(offset).take(limit).collect();
        let quarantined = r.quarantined().map_err(core(lang))?;
        if !quarantined.is_empty() {
            tracing::warn!(tenant = %engine.org().tenant, streams = quarantined.len(), "quarantined streams left out of the list");
        }
        Ok(axum::Json(MatterPage {
            matters,
            total,
            offset,
            limit,
            quarantined,
        })
        .into_response())
    })
    .await
}

/// A matter with its version and history.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct MatterDetail {
    /// The matter's state.
    #[schema(value_type = Object)]
    pub matter: Value,
    /// Its stream version (also the `ETag`; send it as `If-Match` with a command).
    pub version: u64,
    /// Its events, oldest first.
    pub history: Vec<FeedEvent>,
}

/// One matter, its version and its history.
#[utoipa::path(get, path = "/v1/{tenant}/matters/{id}", tag = "matters",
    params(("tenant" = String, Path, description = "The county"), ("id" = String, Path, description = "The matter id (UUID)")),
    responses((status = 200, description = "The matter", body = MatterDetail, headers(("ETag" = String, description = "The version"))), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn matter(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    P(path): P<(String, String)>,
) -> Response {
    let id = path.1;
    read(&state, &tenant, lang, move |engine| {
        let id = matter_id(&id, lang)?;
        let stream = CountyEngine::stream_of::<Matter>(&id.to_string());
        let records = engine
            .store()
            .read_stream(&engine.org().tenant, &stream, 1)
            .map_err(|e| core(lang)(e.into()))?;
        if records.is_empty() {
            return Err(core(lang)(
                arende_core::ids::UnknownId::new("matter", id).into(),
            ));
        }
        let mut state = Matter::default();
        for rec in &records {
            let e = arende_core::aggregate::decode_for::<Matter>(rec)
                .map_err(|e| core(lang)(e.into()))?;
            arende_core::aggregate::Aggregate::apply(&mut state, &e);
        }
        let version = records.last().map_or(0, |r| r.version);
        let detail = MatterDetail {
            matter: serde_json::to_value(&state).unwrap_or(Value::Null),
            version,
            history: records.into_iter().map(FeedEvent::from).collect(),
        };
        let mut resp = axum::Json(detail).into_response();
        resp.headers_mut().insert(header::ETAG, etag(version));
        Ok(resp)
    })
    .await
}

/// The forecast's what-if targets.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForecastQuery {
    /// What-if targets, comma-separated `BODY@YYYY-MM-DD` ("can it reach this body's
    /// meeting on this day?"), e.g. `cg-joint@2024-11-15`.
    pub targets: Option<String>,
}

/// The forecast of a stored matter, and what-if targets.
#[utoipa::path(get, path = "/v1/{tenant}/matters/{id}/forecast", tag = "matters",
    params(("tenant" = String, Path, description = "The county"), ("id" = String, Path, description = "The matter id (UUID)"), ForecastQuery),
    responses((status = 200, description = "The forecast: each remaining step's earliest date, and each target reached or missed", body = Object), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn forecast(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    P(path): P<(String, String)>,
    Q(q): Q<ForecastQuery>,
) -> Response {
    let id = path.1;
    read(&state, &tenant, lang, move |engine| {
        let id = matter_id(&id, lang)?;
        let mut targets: Vec<Target> = Vec::new();
        for t in q
            .targets
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let target =
                Target::parse(t).map_err(|e| Problem::bad_parameter("targets", &e, lang))?;
            if engine.org().body(&target.body).is_none() {
                return Err(core(lang)(
                    arende_core::ids::UnknownId::new("body", &target.body).into(),
                ));
            }
            targets.push(target);
        }
        let f = engine.read().forecast(id, &targets).map_err(core(lang))?;
        Ok(json(serde_json::to_value(&f).unwrap_or(Value::Null)))
    })
    .await
}

/// The goal of a backward plan.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BackwardQuery {
    /// The goal: `BODY@YYYY-MM-DD` (taken at that body's meeting),
    /// `decided-by:YYYY-MM-DD` (every party decided) or `in-force-by:YYYY-MM-DD`.
    pub goal: String,
    /// For a meeting goal, the purpose of the step to plan for (e.g. `decision`,
    /// `information`); default: the last step the route takes at that body.
    pub purpose: Option<String>,
}

/// The backward plan of a stored matter (bakåtplanering): for a goal, the latest day
/// each remaining step must be taken, the last meeting that still makes it, and the
/// slack against the forecast.
#[utoipa::path(get, path = "/v1/{tenant}/matters/{id}/backward-plan", tag = "matters",
    params(("tenant" = String, Path, description = "The county"), ("id" = String, Path, description = "The matter id (UUID)"), BackwardQuery),
    responses((status = 200, description = "The backward plan: per remaining step its latest day, last meeting, documents-by day and slack; whether the goal can be made", body = Object), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn backward_plan(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    P(path): P<(String, String)>,
    Q(q): Q<BackwardQuery>,
) -> Response {
    let id = path.1;
    read(&state, &tenant, lang, move |engine| {
        let id = matter_id(&id, lang)?;
        let mut goal =
            Goal::parse(&q.goal).map_err(|e| Problem::bad_parameter("goal", &e, lang))?;
        if let Goal::Meeting { body, purpose, .. } = &mut goal {
            if engine.org().body(body).is_none() {
                return Err(core(lang)(
                    arende_core::ids::UnknownId::new("body", &*body).into(),
                ));
            }
            if let Some(p) = q.purpose.as_deref() {
                let parsed = serde_json::from_value(Value::String(p.to_owned())).map_err(|_| {
                    Problem::bad_parameter("purpose", &format!("unknown purpose \"{p}\""), lang)
                })?;
                *purpose = Some(parsed);
            }
        }
        let plan = engine.read().plan_backward(id, &goal).map_err(core(lang))?;
        Ok(json(serde_json::to_value(&plan).unwrap_or(Value::Null)))
    })
    .await
}

// ───────────────────────────── meetings ─────────────────────────────

/// The filter of the meeting list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingQuery {
    /// Only this body's meetings.
    pub body: Option<String>,
}

/// The meeting plan as it now stands (moved, cancelled and added meetings included).
#[utoipa::path(get, path = "/v1/{tenant}/meetings", tag = "meetings",
    params(("tenant" = String, Path, description = "The county"), MeetingQuery),
    responses((status = 200, description = "The planned meetings in date order", body = Vec<Object>), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn meetings(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    Q(q): Q<MeetingQuery>,
) -> Response {
    read(&state, &tenant, lang, move |engine| {
        let r = engine.read();
        let plan = match q.body.as_deref() {
            Some(b) => {
                let b = BodyId::new(b);
                if engine.org().body(&b).is_none() {
                    return Err(core(lang)(
                        arende_core::ids::UnknownId::new("body", &b).into(),
                    ));
                }
                r.body_meeting_plan(&b)
            }
            None => r.meeting_plan(),
        }
        .map_err(core(lang))?;
        Ok(json(serde_json::to_value(&plan).unwrap_or(Value::Null)))
    })
    .await
}

fn load_meeting(
    engine: &CountyEngine,
    id: &str,
    lang: Language,
) -> Result<(MeetingId, Meeting), Problem> {
    let id = MeetingId::new(id);
    let r = engine.read();
    // An unknown meeting (neither planned nor stored) is refused by name.
    r.effective_meeting(&id).map_err(core(lang))?;
    let state = r.meeting(&id).map_err(core(lang))?;
    Ok((id, state))
}

fn meeting_json(engine: &CountyEngine, id: &MeetingId, m: &Meeting) -> Value {
    let plan = engine.read().effective_meeting(id).ok();
    json!({
        "id": id.to_string(),
        "plan": plan,
        "bodies": m.bodies,
        "slot": m.slot,
        "moved_from": m.moved_from,
        "status": m.status,
        "phase": m.phase,
        "sequence": m.sequence,
        "call_sent_on": m.call_sent_on,
        "notice_sent_on": m.notice_sent_on,
        "notices": m.notices,
        "agenda": m.agenda,
        "agenda_adopted": m.agenda_adopted,
        "held_on": m.held_on,
        "attendance": m.attendance,
        "minutes": m.minutes,
        "adjustment": m.adjustment,
        "distributed_on": m.distributed_on,
    })
}

/// One meeting: its plan and where it stands.
#[utoipa::path(get, path = "/v1/{tenant}/meetings/{id}", tag = "meetings",
    params(("tenant" = String, Path, description = "The county"), ("id" = String, Path, description = "The meeting id")),
    responses((status = 200, description = "The meeting", body = Object), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn meeting(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    P(path): P<(String, String)>,
) -> Response {
    let id = path.1;
    read(&state, &tenant, lang, move |engine| {
        let (id, m) = load_meeting(&engine, &id, lang)?;
        Ok(json(meeting_json(&engine, &id, &m)))
    })
    .await
}

/// A meeting's agenda: the adopted or sent one, else the proposal from the matters that wait.
#[utoipa::path(get, path = "/v1/{tenant}/meetings/{id}/agenda", tag = "meetings",
    params(("tenant" = String, Path, description = "The county"), ("id" = String, Path, description = "The meeting id")),
    responses((status = 200, description = "The agenda", body = Object), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn agenda(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    P(path): P<(String, String)>,
) -> Response {
    let id = path.1;
    read(&state, &tenant, lang, move |engine| {
        let (id, m) = load_meeting(&engine, &id, lang)?;
        if !m.agenda.is_empty() {
            return Ok(json(json!({
                "meeting": id.to_string(),
                "proposed": false,
                "adopted": m.agenda_adopted,
                "items": m.agenda,
            })));
        }
        let proposal = engine
            .read()
            .proposed_agenda(&id, &[], lang)
            .map_err(core(lang))?;
        Ok(json(json!({
            "meeting": id.to_string(),
            "proposed": true,
            "adopted": false,
            "items": proposal.items,
            "deferred": proposal.deferred,
        })))
    })
    .await
}

/// A meeting's notice (kallelse): when it was sent, the agenda, documents and
/// substitutes called.
#[utoipa::path(get, path = "/v1/{tenant}/meetings/{id}/notice", tag = "meetings",
    params(("tenant" = String, Path, description = "The county"), ("id" = String, Path, description = "The meeting id")),
    responses((status = 200, description = "The notice", body = Object), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn notice(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    P(path): P<(String, String)>,
) -> Response {
    let id = path.1;
    read(&state, &tenant, lang, move |engine| {
        let (id, m) = load_meeting(&engine, &id, lang)?;
        Ok(json(json!({
            "meeting": id.to_string(),
            "sent": m.notice_sent_on.is_some(),
            "sent_on": m.notice_sent_on,
            "notices": m.notices,
            "slot": m.slot,
            "bodies": m.bodies,
            "agenda": m.agenda,
            "documents": m.documents,
            "expectations": m.expectations,
            "substitutes_called": m.substitutes_called,
        })))
    })
    .await
}

/// The format of minutes.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MinutesQuery {
    /// `markdown` (default) or `html`.
    pub format: Option<String>,
}

/// Renders Markdown as an HTML page with the one safe renderer
/// ([`arende_notify::markdown::to_html`]): raw HTML is shown as text, links keep only
/// `http`, `https` and `mailto` targets, images are not loaded.
pub fn markdown_to_html(markdown: &str, title: &str, lang: Language) -> String {
    let body = arende_notify::markdown::to_html(markdown);
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{body}</body>\n</html>\n",
        lang.code(),
        esc(title)
    )
}

/// A meeting's minutes (protokoll or minnesanteckningar) as Markdown or HTML, in the
/// language asked for.
#[utoipa::path(get, path = "/v1/{tenant}/meetings/{id}/minutes", tag = "meetings",
    params(("tenant" = String, Path, description = "The county"), ("id" = String, Path, description = "The meeting id"), MinutesQuery,
           ("Accept-Language" = Option<String>, Header, description = "sv (default) or en")),
    responses((status = 200, description = "The minutes", content((String = "text/markdown"), (String = "text/html"))), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn minutes(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    P(path): P<(String, String)>,
    Q(q): Q<MinutesQuery>,
) -> Response {
    let id = path.1;
    read(&state, &tenant, lang, move |engine| {
        let html = match q.format.as_deref() {
            None | Some("markdown") | Some("md") => false,
            Some("html") => true,
            Some(other) => {
                return Err(Problem::bad_parameter(
                    "format",
                    &format!("\"{other}\": markdown eller html / markdown or html"),
                    lang,
                ));
            }
        };
        let (id, _) = load_meeting(&engine, &id, lang)?;
        let md = engine.read().minutes(&id, lang).map_err(core(lang))?;
        let (ctype, text) = if html {
            (
                "text/html; charset=utf-8",
                markdown_to_html(&md, id.as_ref(), lang),
            )
        } else {
            ("text/markdown; charset=utf-8", md)
        };
        let mut resp = text.into_response();
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
        resp.headers_mut().insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.code()),
        );
        Ok(resp)
    })
    .await
}

/// Who attended a meeting (närvaro): present, absent, substitutes, guests.
#[utoipa::path(get, path = "/v1/{tenant}/meetings/{id}/attendance", tag = "meetings",
    params(("tenant" = String, Path, description = "The county"), ("id" = String, Path, description = "The meeting id")),
    responses((status = 200, description = "The attendance (null before the meeting is recorded as held)", body = Object), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn attendance(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    P(path): P<(String, String)>,
) -> Response {
    let id = path.1;
    read(&state, &tenant, lang, move |engine| {
        let (id, m) = load_meeting(&engine, &id, lang)?;
        Ok(json(json!({
            "meeting": id.to_string(),
            "held_on": m.held_on,
            "attendance": m.attendance,
        })))
    })
    .await
}

// ───────────────────────────── assignments, feedback, follow-ups ─────────────────────────────

/// The filter of the assignment list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// Only assignments overdue on this day (YYYY-MM-DD; `today` for the service's today).
    pub overdue_on: Option<String>,
}

fn date_param(
    what: &str,
    text: &str,
    engine: &CountyEngine,
    lang: Language,
) -> Result<NaiveDate, Problem> {
    if text == "today" {
        return Ok(engine.clock().today());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        Problem::bad_parameter(
            what,
            &format!("\"{text}\" är inget datum ÅÅÅÅ-MM-DD / is not a date YYYY-MM-DD"),
            lang,
        )
    })
}

/// Assignments (uppdrag) with their due dates.
#[utoipa::path(get, path = "/v1/{tenant}/assignments", tag = "assignments",
    params(("tenant" = String, Path, description = "The county"), AssignmentQuery),
    responses((status = 200, description = "The assignments", body = Vec<Object>), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn assignments(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    Q(q): Q<AssignmentQuery>,
) -> Response {
    read(&state, &tenant, lang, move |engine| {
        let r = engine.read();
        let list = match q.overdue_on.as_deref() {
            Some(d) => r.overdue_assignments(date_param("overdue_on", d, &engine, lang)?),
            None => r.assignments(),
        }
        .map_err(core(lang))?;
        let out: Vec<Value> = list
            .into_iter()
            .map(|v| {
                let a = v.assignment;
                json!({
                    "id": v.id.to_string(),
                    "due_date": v.due_date,
                    "issuer": a.issuer,
                    "minutes": a.minutes,
                    "order": a.order,
                    "given_on": a.given_on,
                    "status": a.status,
                    "working_group": a.working_group,
                    "report": a.report,
                    "closed_on": a.closed_on,
                })
            })
            .collect();
        Ok(json(Value::Array(out)))
    })
    .await
}

/// The submitters owed feedback (återkoppling) and their matters.
#[utoipa::path(get, path = "/v1/{tenant}/feedback", tag = "matters",
    params(("tenant" = String, Path, description = "The county")),
    responses((status = 200, description = "Submitters and their matters owed feedback", body = Vec<Object>), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn feedback(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
) -> Response {
    read(&state, &tenant, lang, move |engine| {
        let owed = engine.read().owed_feedback().map_err(core(lang))?;
        Ok(json(serde_json::to_value(&owed).unwrap_or(Value::Null)))
    })
    .await
}

/// The window of follow-ups due.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {
    /// From this day (YYYY-MM-DD, default today).
    pub from: Option<String>,
    /// To this day (YYYY-MM-DD, default 90 days after `from`).
    pub to: Option<String>,
}

/// Follow-ups (uppföljning) and ends of extensions falling due in a window.
#[utoipa::path(get, path = "/v1/{tenant}/follow-ups", tag = "matters",
    params(("tenant" = String, Path, description = "The county"), FollowUpQuery),
    responses((status = 200, description = "What falls due, in date order", body = Vec<Object>), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn follow_ups(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    Q(q): Q<FollowUpQuery>,
) -> Response {
    read(&state, &tenant, lang, move |engine| {
        let from = match q.from.as_deref() {
            Some(d) => date_param("from", d, &engine, lang)?,
            None => engine.clock().today(),
        };
        let to = match q.to.as_deref() {
            Some(d) => date_param("to", d, &engine, lang)?,
            None => from.checked_add_days(chrono::Days::new(90)).unwrap_or(from),
        };
        let due = engine.read().follow_ups_due(from, to).map_err(core(lang))?;
        let out: Vec<Value> = due
            .into_iter()
            .map(|d| json!({"matter": d.matter.to_string(), "title": d.title, "what": d.what, "date": d.date}))
            .collect();
        Ok(json(Value::Array(out)))
    })
    .await
}

// ───────────────────────────── configuration ─────────────────────────────

/// The county's configuration: parties, bodies, people, memberships, routes and kinds.
#[utoipa::path(get, path = "/v1/{tenant}/config", tag = "configuration",
    params(("tenant" = String, Path, description = "The county")),
    responses((status = 200, description = "The configuration", body = Object), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn config(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
) -> Response {
    read(&state, &tenant, lang, move |engine| {
        let org = engine.org();
        Ok(json(json!({
            "tenant": org.tenant,
            "name": org.name,
            "version": org.version,
            "parties": org.parties,
            "county_parts": org.county_parts,
            "bodies": org.bodies,
            "people": org.people,
            "memberships": org.memberships,
            "routes": org.routes.keys().collect::<Vec<_>>(),
            "matter_kinds": org.matter_kinds,
            "permissions": org.permissions,
        })))
    })
    .await
}

/// The format of a route.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RouteQuery {
    /// `json` (default), `dot` (Graphviz), `mermaid` or `svg`. Labels are Swedish.
    pub format: Option<String>,
}

/// Renders DOT as SVG with layout-rs; a graph it cannot lay out is an error, not a panic.
pub fn dot_to_svg(dot: &str) -> Result<String, String> {
    use layout::backends::svg::SVGWriter;
    use layout::gv::{DotParser, GraphBuilder};
    let dot = dot.to_owned();
    std::panic::catch_unwind(move || {
        let mut parser = DotParser::new(&dot);
        let graph = parser.process()?;
        let mut builder = GraphBuilder::new();
        builder.visit_graph(&graph);
        let mut vg = builder.get();
        let mut svg = SVGWriter::new();
        vg.do_it(false, false, false, &mut svg);
        Ok(svg.finalize())
    })
    .map_err(|_| "the graph could not be laid out".to_owned())?
}

/// A route (beslutsväg): its steps as JSON, or drawn as DOT, Mermaid or SVG.
#[utoipa::path(get, path = "/v1/{tenant}/routes/{id}", tag = "configuration",
    params(("tenant" = String, Path, description = "The county"), ("id" = String, Path, description = "The route id"), RouteQuery),
    responses((status = 200, description = "The route", content((Object = "application/json"), (String = "text/vnd.graphviz"), (String = "text/vnd.mermaid"), (String = "image/svg+xml"))), ReadRefusals),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn route(
    State(state): State<AppState>,
    TenantPath(tenant): TenantPath,
    Lang(lang): Lang,
    P(path): P<(String, String)>,
    Q(q): Q<RouteQuery>,
) -> Response {
    let id = path.1;
    read(&state, &tenant, lang, move |engine| {
        let org = engine.org();
        let rid = RouteId::new(id.as_str());
        let Some(route) = org.route(&rid) else {
            return Err(core(lang)(
                arende_core::ids::UnknownId::new("route", &id).into(),
            ));
        };
        let text = |ctype: &'static str, body: String| {
            let mut r = body.into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
            r
        };
        match q.format.as_deref() {
            None | Some("json") => Ok(json(serde_json::to_value(route).unwrap_or(Value::Null))),
            Some("dot") => Ok(text(
                "text/vnd.graphviz; charset=utf-8",
                route.to_dot(&**org),
            )),
            Some("mermaid") => Ok(text(
                "text/vnd.mermaid; charset=utf-8",
                route.to_mermaid(&**org),
            )),
            Some("svg") => {
                let svg = dot_to_svg(&route.to_dot(&**org)).map_err(|e| {
                    Problem::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "unrenderable-route",
                        lang,
                        ("Beslutsvägen kan inte ritas", "The route cannot be drawn"),
                        (
                            format!("beslutsvägen {id} kan inte ritas: {e}"),
                            format!("route {id} cannot be drawn: {e}"),
                        ),
                    )
                })?;
                Ok(text("image/svg+xml", svg))
            }
            Some(other) => Err(Problem::bad_parameter(
                "format",
                &format!("\"{other}\": json, dot, mermaid eller/or svg"),
                lang,
            )),
        }
    })
    .await
}
