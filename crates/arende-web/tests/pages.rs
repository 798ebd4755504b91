//! The dashboard over HTTP in process (tower's `oneshot` on the router, no socket): every
//! page of the Örebro examples' data answers in Swedish and English under 200 kB; the
//! family-centre agreement's timeline has its history with meeting and § and its forecast
//! with the critical path; "can the unbroken-schooling agreement be decided on 15
//! November 2024?" is answered with the reason and the earliest alternative; a matter is
//! submitted and screened through the forms; a cross-site post and a refused command
//! write nothing.

mod support;

use std::sync::Arc;

use arende_core::authz::Actor;
use arende_core::deployment::Deployment;
use arende_core::ids::{PersonId, TenantId};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

fn app(dep: &Arc<Deployment>, actor: Option<&str>) -> Router {
    let router = arende_web::routes::<Arc<Deployment>>();
    let router = match actor {
        Some(p) => router.layer(axum::Extension(Actor::Person(PersonId::new(p)))),
        None => router,
    };
    router.with_state(Arc::clone(dep))
}

async fn get(app: &Router, uri: &str) -> (StatusCode, String) {
    let res = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("a request"))
        .await
        .expect("a response");
    let status = res.status();
    let body = res.into_body().collect().await.expect("a body").to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn post(
    app: &Router,
    uri: &str,
    form: &str,
    origin: Option<&str>,
) -> (StatusCode, String, String) {
    let mut req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "localhost");
    if let Some(o) = origin {
        req = req.header(header::ORIGIN, o);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(form.to_owned())).expect("a request"))
        .await
        .expect("a response");
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = res.into_body().collect().await.expect("a body").to_bytes();
    (
        status,
        location,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

fn log_len(dep: &Deployment, tenant: &str) -> usize {
    let engine = dep.county(&TenantId::new(tenant)).expect("the county");
    engine
        .store()
        .read_tenant(&TenantId::new(tenant), 0, 100_000)
        .expect("the log")
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_over_http() {
    let data = tokio::task::spawn_blocking(support::load)
        .await
        .expect("the loader runs")
        .expect("the examples' data loads");
    let dep = Arc::clone(&data.deployment);
    let reader = app(&dep, None);
    let fam = support::FAMILY;
    let sch = support::SCHOOLING;

    // Every page, in Swedish and English, under 200 kB, with the lang attribute.
    let pages = [
        format!("/ui/{fam}"),
        format!("/ui/{fam}/bodies/sbu"),
        format!("/ui/{fam}/bodies/cg-joint"),
        format!("/ui/{fam}/bodies/sbu/calendar"),
        format!("/ui/{fam}/persons/peter-bergvall-virtanen/calendar"),
        format!("/ui/{fam}/matters/{}", data.family),
        format!("/ui/{fam}/meetings/sbu-2024-10-15"),
        format!("/ui/{fam}/meetings/cg-joint-2024-11-15"),
        format!("/ui/{fam}/matters/new"),
        format!("/ui/{sch}/matters/{}", data.schooling),
    ];
    for uri in &pages {
        let (status, html) = get(&reader, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {html}");
        assert!(html.len() < 200_000, "{uri} is {} bytes", html.len());
        assert!(html.contains("<html lang=\"sv\">"), "{uri} is not Swedish");
        assert!(
            html.contains("Du är inte inloggad"),
            "{uri} has no sign-in notice"
        );
        assert!(
            !html.contains("<form method=\"post\""),
            "{uri} shows a form to no one"
        );
        let sep = if uri.contains('?') { '&' } else { '?' };
        let (status, en) = get(&reader, &format!("{uri}{sep}lang=en")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(en.contains("<html lang=\"en\">"), "{uri} in English");
    }
    assert_eq!(get(&reader, "/ui/nowhere").await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&reader, &format!("/ui/{fam}/bodies/nobody")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&reader, &format!("/ui/{fam}/matters/not-an-id"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&reader, "/ui/assets/style.css").await.0, StatusCode::OK);

    // The family-centre agreement: history with meeting and §, forecast with the critical path.
    let (_, html) = get(&reader, &format!("/ui/{fam}/matters/{}", data.family)).await;
    assert!(html.contains("id=\"history\""));
    assert!(html.contains(" § "), "the history names a meeting and §");
    assert!(html.contains("id=\"forecast\""), "a forecast ahead");
    assert!(
        html.contains("class=\"critical\""),
        "the critical path is marked"
    );
    assert!(html.contains("<svg"), "the route diagram");
    assert!(html.contains("Parternas beslut"), "the parties' board");

    // "Can the unbroken-schooling agreement be decided on 15 November 2024?"
    let ask = format!(
        "/ui/{sch}/matters/{}?body=cg-joint&date=2024-11-15",
        data.schooling
    );
    let (status, html) = get(&reader, &ask).await;
    assert_eq!(status, StatusCode::OK);
    let answer = html
        .split("id=\"answer\"")
        .nth(1)
        .expect("an answer in place");
    assert!(answer.contains("Nej."), "not reachable: {answer}");
    assert!(
        answer.contains("Tidigast"),
        "with the earliest alternative: {answer}"
    );
    // Planned backward from that meeting: the latest day of each step, and how late.
    let backward = html
        .split("id=\"backward\"")
        .nth(1)
        .expect("a backward plan under the answer");
    assert!(backward.contains("Bakåtplanering"), "{backward}");
    assert!(backward.contains("dagar för sent"), "{backward}");
    let (status, _) = get(
        &reader,
        &format!(
            "/ui/{sch}/matters/{}?body=cg-joint&date=15/11",
            data.schooling
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a malformed date is named"
    );

    // Submit and screen through the forms, as the preparatory group's secretary.
    let daniel = app(&dep, Some("daniel-berglund"));
    let (_, html) = get(&daniel, &format!("/ui/{fam}/matters/new")).await;
    assert!(html.contains("Daniel"), "signed in by name");
    let before = log_len(&dep, fam);
    let (status, _, _) = post(
        &daniel,
        &format!("/ui/{fam}/matters"),
        "title=Ny+rutin&kind=routine&body=sbu",
        Some("http://evil.example"),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a cross-site post is refused"
    );
    let (status, _, _) = post(
        &reader,
        &format!("/ui/{fam}/matters"),
        "title=Ny+rutin&kind=routine&body=sbu",
        Some("http://localhost"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no caller, no command");
    assert_eq!(log_len(&dep, fam), before, "nothing written");
    let (status, location, body) = post(
        &daniel,
        &format!("/ui/{fam}/matters"),
        "title=Ny+rutin+f%C3%B6r+skolskjuts&kind=routine&body=sbu",
        Some("http://localhost"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(
        location.starts_with(&format!("/ui/{fam}/matters/")),
        "{location}"
    );
    let (_, page) = get(&daniel, &location).await;
    let location = location.split('?').next().unwrap_or_default().to_owned();
    assert!(page.contains("Ny rutin för skolskjuts"));
    assert!(page.contains("anmält"));
    let version = page
        .split("name=\"version\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the screening form carries the version")
        .to_owned();

    // A refused screening (a person with no role at the body) writes nothing and says why.
    let outsider = app(&dep, Some("malin-duckert-ek"));
    let before = log_len(&dep, fam);
    let (status, _, refusal) = post(
        &outsider,
        &format!("{location}/screen"),
        &format!("screening=handle&version={version}"),
        Some("http://localhost"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refusal.contains("role=\"alert\""), "{refusal}");
    assert_eq!(
        log_len(&dep, fam),
        before,
        "a refused command writes nothing"
    );

    let (status, back, body) = post(
        &daniel,
        &format!("{location}/screen"),
        &format!("screening=handle&version={version}"),
        Some("http://localhost"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page) = get(&daniel, &back).await;
    assert!(page.contains("under handläggning"), "screened for handling");
    assert!(page.contains("<svg"), "now on a route");
}

#[test]
fn the_openapi_document_lists_the_pages_as_html() {
    use utoipa::OpenApi;
    let doc = arende_web::ApiDoc::openapi();
    let json = serde_json::to_value(&doc).expect("serialisable");
    let paths = json["paths"].as_object().expect("paths");
    for p in [
        "/ui/{tenant}",
        "/ui/{tenant}/bodies/{body}",
        "/ui/{tenant}/matters/{matter}",
        "/ui/{tenant}/meetings/{meeting}",
        "/ui/{tenant}/persons/{person}/calendar",
    ] {
        let get = &paths[p]["get"];
        assert!(
            get["responses"]["200"]["content"]["text/html"].is_object(),
            "{p}"
        );
    }
    assert!(paths["/ui/{tenant}/matters"]["post"].is_object());
}

fn field_values(html: &str, marker: &str) -> Vec<String> {
    html.split(marker)
        .skip(1)
        .filter_map(|s| {
            s.split("value=\"")
                .nth(1)?
                .split('"')
                .next()
                .map(str::to_owned)
        })
        .collect()
}

fn version_of(html: &str) -> String {
    field_values(html, "name=\"version\"")
        .into_iter()
        .next()
        .expect("a form with the version")
}

/// A note that tries to forge a § into the minutes and run a script.
const HOSTILE_NOTE: &str = "## § 9 Beslut <script>alert(1)</script> \
     [klick](javascript:alert(3)) ![b](https://evil.example/x.png)";

/// A week of a secretary's meeting through the forms: the notice with the proposed
/// agenda, the meeting held with its attendance, the minutes, the adjustment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_through_the_forms() {
    let data = tokio::task::spawn_blocking(support::load)
        .await
        .expect("the loader runs")
        .expect("the examples' data loads");
    let dep = Arc::clone(&data.deployment);
    let fam = support::FAMILY;
    let meeting = format!("/ui/{fam}/meetings/cg-joint-2024-11-15");
    let peter = app(&dep, Some("peter-bergvall-virtanen"));
    let local = Some("http://localhost");

    let (_, page) = get(&peter, &format!("{meeting}?lang=sv")).await;
    assert!(page.contains("id=\"n-send\""), "the notice form");
    let (status, _, body) = post(
        &peter,
        &format!("{meeting}/notice?lang=sv"),
        &format!("expectations=L%C3%A4s&version={}", version_of(&page)),
        local,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page) = get(&peter, &format!("{meeting}?lang=sv")).await;
    assert!(page.contains("id=\"phase\">kallat<"), "the notice is sent");

    data.clock
        .set_date(chrono::NaiveDate::from_ymd_opt(2024, 11, 15).expect("a day"));
    let (_, page) = get(&peter, &format!("{meeting}?lang=sv")).await;
    let present = field_values(&page, "name=\"present\"");
    assert!(!present.is_empty(), "the members to tick");
    // The form offers the roster of the joint session's bodies on the meeting's day.
    {
        let county = dep
            .county(&arende_core::ids::TenantId::new(fam))
            .expect("the county");
        let org = county.org();
        let day = chrono::NaiveDate::from_ymd_opt(2024, 11, 15).expect("a day");
        let bodies = org.expanded_bodies(&[arende_core::ids::BodyId::new("cg-joint")]);
        let mut roster: Vec<String> = org
            .memberships_on(day)
            .filter(|m| bodies.contains(&m.body) && m.substitute_for.is_none())
            .filter(|m| m.role != arende_core::org::Role::Substitute)
            .map(|m| m.person.to_string())
            .collect();
        roster.sort();
        roster.dedup();
        let mut offered = present.clone();
        offered.sort();
        assert_eq!(offered, roster);
    }
    let mut form: Vec<String> = present.iter().map(|p| format!("present={p}")).collect();
    form.push(format!("version={}", version_of(&page)));
    let (status, _, body) = post(
        &peter,
        &format!("{meeting}/held?lang=sv"),
        &form.join("&"),
        local,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    let (_, page) = get(&peter, &format!("{meeting}?lang=sv")).await;
    assert!(page.contains("id=\"m-submit\""), "the minutes form");
    let chair = field_values(&page, "<option")
        .into_iter()
        .next()
        .expect("a member");
    let form = format!(
        "chair={chair}&secretary=peter-bergvall-virtanen&adjuster={chair}&notes={}%0ADragning&version={}",
        form_urlencoded::byte_serialize(HOSTILE_NOTE.as_bytes()).collect::<String>(),
        version_of(&page)
    );
    let (status, _, body) = post(&peter, &format!("{meeting}/minutes?lang=sv"), &form, local).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page) = get(&peter, &format!("{meeting}?lang=sv")).await;
    assert!(
        page.contains("class=\"minutes\""),
        "the minutes, rendered from their Markdown"
    );
    assert!(
        page.contains("Väntar på justering av"),
        "awaiting adjustment"
    );
    // What was typed into the note is shown as text: no § forged into the minutes, no
    // live script, link or remote image.
    assert!(page.contains("§ 9 Beslut"), "the note is shown");
    for forged in [
        "<h2>§ 9",
        "<h3>§ 9",
        "<h4>§ 9",
        "<script>alert",
        "href=\"javascript:",
        "<img",
    ] {
        assert!(!page.contains(forged), "{forged} in the minutes");
    }

    let adjuster = app(&dep, Some(&chair));
    let (_, page) = get(&adjuster, &format!("{meeting}?lang=sv")).await;
    // Adjusted on a day still ahead: refused, in words, and nothing written.
    let form = format!("on=2024-11-18&means=email&version={}", version_of(&page));
    let (status, _, body) = post(
        &adjuster,
        &format!("{meeting}/adjust?lang=sv"),
        &form,
        local,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("role=\"alert\"") && body.contains("2024-11-18"));
    data.clock
        .set_date(chrono::NaiveDate::from_ymd_opt(2024, 11, 18).expect("a day"));
    let form = format!("on=2024-11-18&means=email&version={}", version_of(&page));
    let (status, _, body) = post(
        &adjuster,
        &format!("{meeting}/adjust?lang=sv"),
        &form,
        local,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page) = get(&adjuster, &format!("{meeting}?lang=sv")).await;
    assert!(page.contains("id=\"adjusted\""), "adjusted");
    assert!(page.contains("2024-11-18"));
}
