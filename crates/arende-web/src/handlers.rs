//! The HTTP side: page handlers (GET) that run the synchronous engine inside
//! `spawn_blocking`, and form handlers (POST) that check the request is same-origin,
//! turn the form into a kernel command (`arende_core::command::Command`, the same JSON
//! commands as the API) and run it through `engine.execute` as the signed-in caller.

use std::sync::Arc;

use arende_core::Error;
use arende_core::authz::Actor;
use arende_core::command::{Command, CommandOptions};
use arende_core::deployment::{CountyEngine, Deployment};
use arende_core::ids::{BodyId, MatterId, MeetingId, PersonId, TenantId};
use arende_core::language::Language;
use arende_core::matter::{MatterCommand, MatterKind, Screening, SubmitMatter};
use arende_core::meeting::{
    Adjustment, AdjustmentMeans, Attendance, ItemKind, MeetingCommand, MeetingRecord, MinutesDraft,
    NoticeInput, Outcome as ParagraphOutcome, Paragraph,
};
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;

use crate::lang::negotiate;
use crate::layout::{Ctx, alert, page};
use crate::views;

/// The caller the server's auth middleware put in the request (an
/// `arende_core::authz::Actor` extension); `None` = not signed in (read-only pages).
#[derive(Debug, Clone)]
pub struct Caller(pub Option<Actor>);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Caller(parts.extensions.get::<Actor>().cloned()))
    }
}

/// The query every page takes: `?lang=en`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageQuery {
    /// `sv` or `en`.
    pub lang: Option<String>,
    /// The page of a paginated page (from 1; default 1).
    pub page: Option<usize>,
}

/// The matter page's query: the language and the "can it reach …?" question.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MatterQuery {
    /// `sv` or `en`.
    pub lang: Option<String>,
    /// The body asked about.
    pub body: Option<String>,
    /// The day asked about, `YYYY-MM-DD`.
    pub date: Option<String>,
}

/// What a page handler can fail with.
#[derive(Debug)]
pub enum PageError {
    /// No county under this tenant.
    NoTenant(String),
    /// A read failed (unknown id, store error).
    Read(Error, Language),
    /// The request was not same-origin (CSRF protection).
    CrossOrigin,
    /// A form needs a signed-in caller.
    NotSignedIn,
    /// A form field is missing or malformed.
    BadForm(String),
    /// The blocking task failed.
    Task(String),
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, detail) = match self {
            PageError::NoTenant(t) => (
                StatusCode::NOT_FOUND,
                "Okänt län / Unknown county".to_owned(),
                format!("Inget län med id \"{t}\" / no county \"{t}\""),
            ),
            PageError::Read(e, lang) => {
                let status = if matches!(e, Error::Unknown { .. }) {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::INTERNAL_SERVER_ERROR
                };
                let r = arende_notify::refusal::describe(&e, lang);
                (status, r.title, r.detail)
            }
            PageError::CrossOrigin => (
                StatusCode::FORBIDDEN,
                "Formuläret kom inte från den här webbplatsen / Cross-site form refused".to_owned(),
                "Skicka formuläret från sidan själv. / Send the form from the page itself."
                    .to_owned(),
            ),
            PageError::NotSignedIn => (
                StatusCode::UNAUTHORIZED,
                "Inte inloggad / Not signed in".to_owned(),
                "Logga in för att ändra något. / Sign in to change anything.".to_owned(),
            ),
            PageError::BadForm(what) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Formuläret är ofullständigt / The form is incomplete".to_owned(),
                what,
            ),
            PageError::Task(what) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internt fel / Internal error".to_owned(),
                what,
            ),
        };
        let body = html! {
            (maud::DOCTYPE)
            html lang="sv" { head { meta charset="utf-8"; title { (title) } link rel="stylesheet" href="/ui/assets/style.css"; }
                body { main id="main" { h1 { (title) } p { (detail) } } } }
        };
        (status, Html(body.into_string())).into_response()
    }
}

fn county(dep: &Deployment, tenant: &str) -> Result<Arc<CountyEngine>, PageError> {
    dep.county(&TenantId::new(tenant))
        .cloned()
        .ok_or_else(|| PageError::NoTenant(tenant.to_owned()))
}

fn ctx_for(engine: &CountyEngine, lang: Language, caller: &Caller) -> Ctx {
    let org = engine.org();
    let actor_name = caller.0.as_ref().map(|a| match a.person() {
        Some(p) => views::person_name(org, p),
        None => a.audit_name(),
    });
    Ctx {
        tenant: org.tenant.clone(),
        county: org.name.clone(),
        lang,
        actor: caller.0.clone(),
        actor_name,
        quarantined: engine.read().quarantined_seen(),
    }
}

fn lang_of(q: Option<&str>, headers: &HeaderMap) -> Language {
    negotiate(
        q,
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// Runs a page's build and render on the blocking pool.
async fn render<F>(
    engine: Arc<CountyEngine>,
    lang: Language,
    f: F,
) -> Result<Html<String>, PageError>
where
    F: FnOnce(&CountyEngine) -> Result<Markup, Error> + Send + 'static,
{
    tokio::task::spawn_blocking(move || f(&engine))
        .await
        .map_err(|e| PageError::Task(e.to_string()))?
        .map(|m| Html(m.into_string()))
        .map_err(|e| PageError::Read(e, lang))
}

/// `GET /ui/{tenant}`: the county overview.
#[utoipa::path(get, path = "/ui/{tenant}", tag = "dashboard", params(("tenant" = String, Path, description = "The tenant id"), ("lang" = Option<String>, Query, description = "sv (default) or en")), responses((status = 200, description = "The county overview (länsöversikt)", content_type = "text/html", body = String), (status = 404, description = "No such county or id", content_type = "text/html", body = String)))]
pub async fn county_page(
    State(dep): State<Arc<Deployment>>,
    Path(tenant): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Html<String>, PageError> {
    let engine = county(&dep, &tenant)?;
    let lang = lang_of(q.lang.as_deref(), &headers);
    let ctx = ctx_for(&engine, lang, &caller);
    render(engine, lang, move |e| {
        Ok(views::county::render(&ctx, &views::county::build(e)?))
    })
    .await
}

/// `GET /ui/{tenant}/bodies/{body}`: a body's page.
#[utoipa::path(get, path = "/ui/{tenant}/bodies/{body}", tag = "dashboard", params(("tenant" = String, Path, description = "The tenant id"), ("body" = String, Path, description = "The body id"), ("lang" = Option<String>, Query, description = "sv (default) or en"), ("page" = Option<usize>, Query, description = "The page of its lists, from 1 (25 rows each)")), responses((status = 200, description = "A body's page (organets sida)", content_type = "text/html", body = String), (status = 404, description = "No such county or id", content_type = "text/html", body = String)))]
pub async fn body_page(
    State(dep): State<Arc<Deployment>>,
    Path((tenant, body)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Html<String>, PageError> {
    let engine = county(&dep, &tenant)?;
    let lang = lang_of(q.lang.as_deref(), &headers);
    let ctx = ctx_for(&engine, lang, &caller);
    let page = q.page.unwrap_or(1).max(1);
    render(engine, lang, move |e| {
        Ok(views::body::render(
            &ctx,
            &views::body::build_page(e, &BodyId::new(body), lang, page)?,
        ))
    })
    .await
}

/// `GET /ui/{tenant}/bodies/{body}/calendar`: a body's calendar.
#[utoipa::path(get, path = "/ui/{tenant}/bodies/{body}/calendar", tag = "dashboard", params(("tenant" = String, Path, description = "The tenant id"), ("body" = String, Path, description = "The body id"), ("lang" = Option<String>, Query, description = "sv (default) or en")), responses((status = 200, description = "A body's calendar with its subscribe link", content_type = "text/html", body = String), (status = 404, description = "No such county or id", content_type = "text/html", body = String)))]
pub async fn body_calendar(
    State(dep): State<Arc<Deployment>>,
    Path((tenant, body)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Html<String>, PageError> {
    let engine = county(&dep, &tenant)?;
    let lang = lang_of(q.lang.as_deref(), &headers);
    let ctx = ctx_for(&engine, lang, &caller);
    render(engine, lang, move |e| {
        let v = views::calendar::build(e, views::calendar::Owner::Body(BodyId::new(body)))?;
        Ok(views::calendar::render(&ctx, &v))
    })
    .await
}

/// `GET /ui/{tenant}/persons/{person}/calendar`: a person's calendar.
#[utoipa::path(get, path = "/ui/{tenant}/persons/{person}/calendar", tag = "dashboard", params(("tenant" = String, Path, description = "The tenant id"), ("person" = String, Path, description = "The person id"), ("lang" = Option<String>, Query, description = "sv (default) or en")), responses((status = 200, description = "A person's calendar with its subscribe link", content_type = "text/html", body = String), (status = 404, description = "No such county or id", content_type = "text/html", body = String)))]
pub async fn person_calendar(
    State(dep): State<Arc<Deployment>>,
    Path((tenant, person)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Html<String>, PageError> {
    let engine = county(&dep, &tenant)?;
    let lang = lang_of(q.lang.as_deref(), &headers);
    let ctx = ctx_for(&engine, lang, &caller);
    render(engine, lang, move |e| {
        let v = views::calendar::build(e, views::calendar::Owner::Person(PersonId::new(person)))?;
        Ok(views::calendar::render(&ctx, &v))
    })
    .await
}

/// `GET /ui/{tenant}/matters/{matter}`: a matter's page; `?body=&date=` asks "can it
/// reach BODY on DATE?".
#[utoipa::path(get, path = "/ui/{tenant}/matters/{matter}", tag = "dashboard", params(("tenant" = String, Path, description = "The tenant id"), ("matter" = String, Path, description = "The matter id"), ("lang" = Option<String>, Query, description = "sv (default) or en"), ("body" = Option<String>, Query, description = "Can it reach this body …"), ("date" = Option<String>, Query, description = "… on this day (YYYY-MM-DD)?")), responses((status = 200, description = "A matter's page: timeline, forecast, can-it-reach question, route, parties", content_type = "text/html", body = String), (status = 404, description = "No such county or id", content_type = "text/html", body = String)))]
pub async fn matter_page(
    State(dep): State<Arc<Deployment>>,
    Path((tenant, matter)): Path<(String, String)>,
    Query(q): Query<MatterQuery>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Html<String>, PageError> {
    let engine = county(&dep, &tenant)?;
    let lang = lang_of(q.lang.as_deref(), &headers);
    let id = parse_matter(&matter, lang)?;
    let question = match (q.body.as_deref(), q.date.as_deref()) {
        (Some(b), Some(d)) if !b.is_empty() && !d.is_empty() => Some((
            BodyId::new(b),
            NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                PageError::BadForm(format!(
                    "\"{d}\" är inget datum (ÅÅÅÅ-MM-DD) / is no date (YYYY-MM-DD)"
                ))
            })?,
        )),
        _ => None,
    };
    let ctx = ctx_for(&engine, lang, &caller);
    render(engine, lang, move |e| {
        Ok(views::matter::render(
            &ctx,
            &views::matter::build(e, id, question, lang)?,
        ))
    })
    .await
}

fn parse_matter(text: &str, lang: Language) -> Result<MatterId, PageError> {
    text.parse::<MatterId>().map_err(|_| {
        PageError::Read(
            Error::Unknown {
                kind: "matter",
                id: text.to_owned(),
            },
            lang,
        )
    })
}

/// `GET /ui/{tenant}/meetings/{meeting}`: a meeting's page.
#[utoipa::path(get, path = "/ui/{tenant}/meetings/{meeting}", tag = "dashboard", params(("tenant" = String, Path, description = "The tenant id"), ("meeting" = String, Path, description = "The meeting id"), ("lang" = Option<String>, Query, description = "sv (default) or en")), responses((status = 200, description = "A meeting's page: agenda, notice, attendance, minutes, adjustment", content_type = "text/html", body = String), (status = 404, description = "No such county or id", content_type = "text/html", body = String)))]
pub async fn meeting_page(
    State(dep): State<Arc<Deployment>>,
    Path((tenant, meeting)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Html<String>, PageError> {
    let engine = county(&dep, &tenant)?;
    let lang = lang_of(q.lang.as_deref(), &headers);
    let ctx = ctx_for(&engine, lang, &caller);
    render(engine, lang, move |e| {
        Ok(views::meeting::render(
            &ctx,
            &views::meeting::build(e, &MeetingId::new(meeting), lang)?,
        ))
    })
    .await
}

/// `GET /ui/{tenant}/matters/new`: the submission form.
#[utoipa::path(get, path = "/ui/{tenant}/matters/new", tag = "dashboard", params(("tenant" = String, Path, description = "The tenant id"), ("lang" = Option<String>, Query, description = "sv (default) or en")), responses((status = 200, description = "The form to submit a matter", content_type = "text/html", body = String), (status = 404, description = "No such county or id", content_type = "text/html", body = String)))]
pub async fn new_matter(
    State(dep): State<Arc<Deployment>>,
    Path(tenant): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Html<String>, PageError> {
    let engine = county(&dep, &tenant)?;
    let lang = lang_of(q.lang.as_deref(), &headers);
    let ctx = ctx_for(&engine, lang, &caller);
    Ok(Html(
        views::forms::submit_page(&ctx, engine.org()).into_string(),
    ))
}

/// Whether a form post comes from this site: `Sec-Fetch-Site: same-origin`, else an
/// `Origin` (or, without one, a `Referer`) whose host is the request's `Host`.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let get = |h: header::HeaderName| headers.get(h).and_then(|v| v.to_str().ok());
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin";
    }
    let Some(host) = get(header::HOST) else {
        return false;
    };
    let from = get(header::ORIGIN).or_else(|| get(header::REFERER));
    let Some(from) = from else { return false };
    let rest = from
        .strip_prefix("https://")
        .or_else(|| from.strip_prefix("http://"))
        .unwrap_or("");
    let origin_host = rest.split('/').next().unwrap_or("");
    !origin_host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// The fields of a posted form, in order (a name may repeat, e.g. `present`).
#[derive(Debug, Clone, Default)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    /// Parses `application/x-www-form-urlencoded`.
    pub fn parse(body: &[u8]) -> Self {
        FormFields(form_urlencoded::parse(body).into_owned().collect())
    }
    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// A required, non-empty field.
    pub fn required(&self, name: &str) -> Result<&str, PageError> {
        self.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                PageError::BadForm(format!(
                    "fältet \"{name}\" saknas / the field \"{name}\" is missing"
                ))
            })
    }
    /// The page's stream version (`version`), for `expected_version`.
    pub fn version(&self) -> Result<Option<u64>, PageError> {
        match self.get("version") {
            None | Some("") => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                PageError::BadForm(format!("\"{v}\" är ingen version / is no version"))
            }),
        }
    }
}

/// Checks origin and caller, then runs `make` (which builds the command from the
/// engine's reads) and the command on the blocking pool; a success redirects to
/// `back` (or to the page `make` names), a refusal is shown in plain words.
async fn act<F>(
    dep: Arc<Deployment>,
    tenant: String,
    headers: HeaderMap,
    caller: Caller,
    lang: Language,
    back: String,
    make: F,
) -> Result<Response, PageError>
where
    F: FnOnce(&CountyEngine) -> Result<(Command, CommandOptions), Error> + Send + 'static,
{
    if !same_origin(&headers) {
        return Err(PageError::CrossOrigin);
    }
    let actor = caller.0.clone().ok_or(PageError::NotSignedIn)?;
    let engine = county(&dep, &tenant)?;
    let ctx = ctx_for(&engine, lang, &caller);
    let run = {
        let engine = Arc::clone(&engine);
        tokio::task::spawn_blocking(move || {
            let (command, options) = make(&engine)?;
            engine.execute(&actor, command, options)
        })
    };
    match run.await.map_err(|e| PageError::Task(e.to_string()))? {
        Ok(outcome) => {
            let to = match outcome.into_matter() {
                Some(x) if back.is_empty() => x
                    .state
                    .id
                    .map(|id| ctx.href(&format!("matters/{id}")))
                    .unwrap_or_else(|| ctx.href("")),
                _ => ctx.href(&back),
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let r = arende_notify::refusal::describe(&e, lang);
            let back_href = if back.is_empty() {
                ctx.href("matters/new")
            } else {
                ctx.href(&back)
            };
            let body = html! {
                (alert(&r.title, &r.detail))
                p { a href=(back_href) { (ctx.t("Tillbaka", "Back")) } }
            };
            let markup = page(&ctx, ctx.t("Åtgärden nekades", "Refused"), &back, body);
            // A command outside the caller's key's scope is 403, as the API answers;
            // any other refusal is shown as 422.
            let status = if matches!(e, Error::CommandNotInScope { .. }) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok((status, Html(markup.into_string())).into_response())
        }
    }
}

/// `POST /ui/{tenant}/matters`: submit a matter (`submit`).
#[utoipa::path(post, request_body(content = crate::forms::SubmitForm, content_type = "application/x-www-form-urlencoded", description = "The form's fields"), path = "/ui/{tenant}/matters", tag = "dashboard", params(("tenant" = String, Path, description = "The tenant id")), responses((status = 303, description = "Done: to the page"), (status = 403, description = "Not same-origin", content_type = "text/html", body = String), (status = 422, description = "Refused, in plain words", content_type = "text/html", body = String)))]
pub async fn post_submit(
    State(dep): State<Arc<Deployment>>,
    Path(tenant): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    caller: Caller,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = lang_of(q.lang.as_deref(), &headers);
    let f = FormFields::parse(&body);
    let title = f.required("title")?.to_owned();
    let kind_name = f.required("kind")?;
    let kind = MatterKind::ALL
        .into_iter()
        .find(|k| k.name() == kind_name)
        .ok_or_else(|| PageError::BadForm(format!("okänt slag / unknown kind \"{kind_name}\"")))?;
    let to = BodyId::new(f.required("body")?);
    act(
        dep,
        tenant,
        headers,
        caller,
        lang,
        String::new(),
        move |_| {
            Ok((
                Command::Matter {
                    matter: None,
                    command: MatterCommand::Submit(SubmitMatter::new(kind, title, to)),
                },
                CommandOptions::default(),
            ))
        },
    )
    .await
}

/// `POST /ui/{tenant}/matters/{matter}/screen`: screen a matter (`screen`).
#[utoipa::path(post, request_body(content = crate::forms::ScreenForm, content_type = "application/x-www-form-urlencoded", description = "The form's fields"), path = "/ui/{tenant}/matters/{matter}/screen", tag = "dashboard", params(("tenant" = String, Path, description = "The tenant id"), ("matter" = String, Path, description = "The matter id")), responses((status = 303, description = "Done: to the page"), (status = 403, description = "Not same-origin", content_type = "text/html", body = String), (status = 422, description = "Refused, in plain words", content_type = "text/html", body = String)))]
pub async fn post_screen(
    State(dep): State<Arc<Deployment>>,
    Path((tenant, matter)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    caller: Caller,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = lang_of(q.lang.as_deref(), &headers);
    let id = parse_matter(&matter, lang)?;
    let f = FormFields::parse(&body);
    let screening = match f.required("screening")? {
        "handle" => Screening::Handle { route: None },
        "information-item" => Screening::InformationItem,
        "answer-directly" => Screening::AnswerDirectly {
            answer: f.required("answer")?.to_owned(),
        },
        other => {
            return Err(PageError::BadForm(format!(
                "okänd bedömning / unknown screening \"{other}\""
            )));
        }
    };
    let options = options_for(&f)?;
    act(
        dep,
        tenant,
        headers,
        caller,
        lang,
        format!("matters/{id}"),
        move |_| {
            Ok((
                Command::Matter {
                    matter: Some(id),
                    command: MatterCommand::Screen { screening },
                },
                options,
            ))
        },
    )
    .await
}

fn options_for(f: &FormFields) -> Result<CommandOptions, PageError> {
    Ok(match f.version()? {
        Some(v) => CommandOptions::default().expecting(v),
        None => CommandOptions::default(),
    })
}

/// `POST /ui/{tenant}/meetings/{meeting}/notice`: send the notice with the proposed
/// agenda (`send-notice`).
#[utoipa::path(post, request_body(content = crate::forms::NoticeForm, content_type = "application/x-www-form-urlencoded", description = "The form's fields"), path = "/ui/{tenant}/meetings/{meeting}/notice", tag = "dashboard", params(("tenant" = String, Path, description = "The tenant id"), ("meeting" = String, Path, description = "The meeting id")), responses((status = 303, description = "Done: to the page"), (status = 403, description = "Not same-origin", content_type = "text/html", body = String), (status = 422, description = "Refused, in plain words", content_type = "text/html", body = String)))]
pub async fn post_notice(
    State(dep): State<Arc<Deployment>>,
    Path((tenant, meeting)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    caller: Caller,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = lang_of(q.lang.as_deref(), &headers);
    let f = FormFields::parse(&body);
    let expectations = f
        .get("expectations")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let options = options_for(&f)?;
    let id = MeetingId::new(meeting);
    let back = format!("meetings/{id}");
    act(dep, tenant, headers, caller, lang, back, move |e| {
        let agenda = e.read().proposed_agenda(&id, &[], lang)?;
        Ok((
            Command::Meeting {
                meeting: id,
                command: MeetingCommand::SendNotice(NoticeInput {
                    agenda: agenda.items,
                    documents: Vec::new(),
                    expectations,
                    substitutes_called: Vec::new(),
                }),
            },
            options,
        ))
    })
    .await
}

/// `POST /ui/{tenant}/meetings/{meeting}/held`: record the meeting as held with its
/// attendance (`record-held`).
#[utoipa::path(post, request_body(content = crate::forms::HeldForm, content_type = "application/x-www-form-urlencoded", description = "The form's fields"), path = "/ui/{tenant}/meetings/{meeting}/held", tag = "dashboard", params(("tenant" = String, Path, description = "The tenant id"), ("meeting" = String, Path, description = "The meeting id")), responses((status = 303, description = "Done: to the page"), (status = 403, description = "Not same-origin", content_type = "text/html", body = String), (status = 422, description = "Refused, in plain words", content_type = "text/html", body = String)))]
pub async fn post_held(
    State(dep): State<Arc<Deployment>>,
    Path((tenant, meeting)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    caller: Caller,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = lang_of(q.lang.as_deref(), &headers);
    let f = FormFields::parse(&body);
    let present: Vec<PersonId> = f.all("present").into_iter().map(PersonId::new).collect();
    let options = options_for(&f)?;
    let id = MeetingId::new(meeting);
    let back = format!("meetings/{id}");
    act(dep, tenant, headers, caller, lang, back, move |e| {
        let page = views::meeting::build(e, &id, lang)?;
        let absent = page
            .members
            .into_iter()
            .map(|(p, _)| p)
            .filter(|p| !present.contains(p))
            .collect();
        Ok((
            Command::Meeting {
                meeting: id,
                command: MeetingCommand::RecordHeld(MeetingRecord {
                    attendance: Attendance {
                        present,
                        absent,
                        substitutes: Vec::new(),
                        guests: Vec::new(),
                    },
                    added: Vec::new(),
                    dropped: Vec::new(),
                    order: Vec::new(),
                }),
            },
            options,
        ))
    })
    .await
}

/// `POST /ui/{tenant}/meetings/{meeting}/minutes`: record the minutes, one § per agenda
/// item with the note written for it (`draft-minutes`).
#[utoipa::path(post, request_body(content = crate::forms::MinutesForm, content_type = "application/x-www-form-urlencoded", description = "The form's fields"), path = "/ui/{tenant}/meetings/{meeting}/minutes", tag = "dashboard", params(("tenant" = String, Path, description = "The tenant id"), ("meeting" = String, Path, description = "The meeting id")), responses((status = 303, description = "Done: to the page"), (status = 403, description = "Not same-origin", content_type = "text/html", body = String), (status = 422, description = "Refused, in plain words", content_type = "text/html", body = String)))]
pub async fn post_minutes(
    State(dep): State<Arc<Deployment>>,
    Path((tenant, meeting)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    caller: Caller,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = lang_of(q.lang.as_deref(), &headers);
    let f = FormFields::parse(&body);
    let chair = PersonId::new(f.required("chair")?);
    let secretary = PersonId::new(f.required("secretary")?);
    let label = |name: &str| {
        f.get(name)
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
    };
    let first = f.required("adjuster")?;
    let mut adjusters = vec![(PersonId::new(first), label("adjuster-label"))];
    if let Some(second) = f.get("adjuster-2").filter(|p| !p.is_empty() && *p != first) {
        adjusters.push((PersonId::new(second), label("adjuster-2-label")));
    }
    let notes: Vec<String> = f
        .get("notes")
        .unwrap_or("")
        .lines()
        .map(|l| l.trim().to_owned())
        .collect();
    let options = options_for(&f)?;
    let id = MeetingId::new(meeting);
    let back = format!("meetings/{id}");
    act(dep, tenant, headers, caller, lang, back, move |e| {
        let state = e.read().meeting(&id)?;
        let paragraphs = state
            .agenda
            .iter()
            .filter(|entry| entry.dropped.is_none())
            .enumerate()
            .map(|(i, entry)| {
                let mut p = Paragraph::new(
                    u32::try_from(i + 1).unwrap_or(u32::MAX),
                    entry.item.title.clone(),
                );
                p.agenda_item = Some(entry.item.number);
                p.matter = entry.item.matter;
                p.text = notes.get(i).cloned().unwrap_or_default();
                p.outcome = if entry.item.matter.is_some() && entry.item.kind != ItemKind::Decision
                {
                    ParagraphOutcome::Discussed
                } else {
                    ParagraphOutcome::Recorded
                };
                p
            })
            .collect();
        Ok((
            Command::Meeting {
                meeting: id,
                command: MeetingCommand::DraftMinutes(MinutesDraft {
                    chair,
                    secretary,
                    adjusters: adjusters.iter().map(|(p, _)| p.clone()).collect(),
                    paragraphs,
                    adjuster_labels: adjusters
                        .into_iter()
                        .filter_map(|(p, label)| label.map(|l| (p, l)))
                        .collect(),
                    adjusters_elected_in: None,
                }),
            },
            options,
        ))
    })
    .await
}

/// `POST /ui/{tenant}/meetings/{meeting}/adjust`: adjust the minutes (`adjust-minutes`).
#[utoipa::path(post, request_body(content = crate::forms::AdjustForm, content_type = "application/x-www-form-urlencoded", description = "The form's fields"), path = "/ui/{tenant}/meetings/{meeting}/adjust", tag = "dashboard", params(("tenant" = String, Path, description = "The tenant id"), ("meeting" = String, Path, description = "The meeting id")), responses((status = 303, description = "Done: to the page"), (status = 403, description = "Not same-origin", content_type = "text/html", body = String), (status = 422, description = "Refused, in plain words", content_type = "text/html", body = String)))]
pub async fn post_adjust(
    State(dep): State<Arc<Deployment>>,
    Path((tenant, meeting)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    caller: Caller,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = lang_of(q.lang.as_deref(), &headers);
    let f = FormFields::parse(&body);
    let on_text = f.required("on")?;
    let on = NaiveDate::parse_from_str(on_text, "%Y-%m-%d")
        .map_err(|_| PageError::BadForm(format!("\"{on_text}\" är inget datum / is no date")))?;
    let means = match f.required("means")? {
        "email" => AdjustmentMeans::Email,
        "at-meeting" => AdjustmentMeans::AtMeeting,
        "signature" => AdjustmentMeans::Signature,
        "electronic-signature" => AdjustmentMeans::ElectronicSignature,
        other => {
            return Err(PageError::BadForm(format!(
                "okänt sätt / unknown means \"{other}\""
            )));
        }
    };
    let by = f.get("by").filter(|p| !p.is_empty()).map(PersonId::new);
    let reference = f
        .get("reference")
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned);
    let options = options_for(&f)?;
    let id = MeetingId::new(meeting);
    let back = format!("meetings/{id}");
    act(dep, tenant, headers, caller, lang, back, move |_| {
        Ok((
            Command::Meeting {
                meeting: id,
                command: MeetingCommand::AdjustMinutes(Adjustment {
                    on,
                    means,
                    by,
                    reference,
                }),
            },
            options,
        ))
    })
    .await
}
