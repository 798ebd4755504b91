//! The feeds: iCalendar per body, person and matter, and Atom per party's notice board
//! and per body's decisions — read by real clients (PyPI's `icalendar` and
//! `feedparser`) over real HTTP, a person's calendar refused to others, and a matter's
//! forecast entries keeping their UIDs (with a higher SEQUENCE) after a meeting moves.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use anyhow::{Context, Result, ensure};
use arende::authz::Actor;
use arende::clock::SimulatedClock;
use arende::deployment::{CountyEngine, Deployment, SharedClock, SharedStore};
use arende::ids::{MatterId, PartyId, PersonId, TenantId};
use arende::language::Language;
use arende::matter::{MatterCommand, MatterKind, Screening, SubmitMatter};
use arende::meeting::{MeetingCommand, Reschedule};
use arende::org::Role;
use arende::store::MemoryStore;
use arende_publish::oparl::County;
use arende_publish::{FeedKey, PublishConfig, feeds, routes_with};
use common::{Server, TestState, get};
use icalendar::{Calendar, CalendarComponent, Component};

fn memory_county(today: chrono::NaiveDate) -> Result<Arc<CountyEngine>> {
    let store: SharedStore = Arc::new(MemoryStore::new());
    let clock: SharedClock = Arc::new(SimulatedClock::at_date(today));
    let mut d = Deployment::new();
    Ok(d.add(common::orebro(), store, clock)?)
}

/// UID → (DUE or DTSTART text, SEQUENCE) of every entry.
fn entries(text: &str) -> Result<BTreeMap<String, (String, u32)>> {
    let cal: Calendar = text.parse().map_err(|e| anyhow::anyhow!("{e}\n{text}"))?;
    let mut out = BTreeMap::new();
    for c in &cal.components {
        let (uid, when, seq) = match c {
            CalendarComponent::Todo(t) => (
                t.get_uid(),
                t.property_value("DUE"),
                t.property_value("SEQUENCE"),
            ),
            CalendarComponent::Event(e) => (
                e.get_uid(),
                e.property_value("DTSTART"),
                e.property_value("SEQUENCE"),
            ),
            _ => continue,
        };
        let uid = uid.context("an entry without UID")?.to_owned();
        let seq: u32 = seq.context("SEQUENCE")?.parse()?;
        out.insert(uid, (when.unwrap_or_default().to_owned(), seq));
    }
    Ok(out)
}

#[test]
fn a_matters_forecast_keeps_its_uids_and_raises_the_sequence_when_a_meeting_moves() -> Result<()> {
    let engine = memory_county(common::support::d(2024, 9, 2))?;
    let jaana = Actor::Person(PersonId::new("jaana-jansson"));
    let secretary = Actor::Person(PersonId::new("daniel-berglund"));
    let submitted = engine.submit_matter(
        &jaana,
        SubmitMatter::new(
            MatterKind::Agreement,
            "Överenskommelse om samverkan, kommatecken; semikolon",
            "sbu",
        ),
    )?;
    let id: MatterId = submitted.state.id.context("an id")?;
    engine.run_matter(
        id,
        &secretary,
        MatterCommand::Screen {
            screening: Screening::Handle { route: None },
        },
    )?;
    engine.run_matter(
        id,
        &secretary,
        MatterCommand::RegisterCaseNumber {
            party: PartyId::new("region"),
            number: "RS 24/0815".into(),
        },
    )?;

    let before = feeds::matter_calendar(&engine, &id.to_string(), Language::Swedish)?;
    assert!(before.contains("METHOD:PUBLISH\r\n"), "{before}");
    let first = entries(&before)?;
    let forecast_uids: BTreeSet<&String> = first
        .keys()
        .filter(|u| u.starts_with("forecast-"))
        .collect();
    ensure!(
        forecast_uids.len() >= 3,
        "too few forecast entries: {first:?}"
    );

    // Move the meeting of the first remaining step a week later.
    let forecast = engine.read().forecast(id, &[])?;
    let step = forecast
        .steps
        .iter()
        .find(|s| s.meeting.is_some())
        .context("a step at a meeting")?;
    let meeting_id = step.meeting.clone().context("the meeting")?;
    let plan = engine.read().effective_meeting(&meeting_id)?;
    let bodies = engine.org().expanded_bodies(&plan.bodies);
    let sec = engine
        .org()
        .memberships
        .iter()
        .find(|m| m.role == Role::Secretary && bodies.contains(&m.body))
        .context("a secretary of the meeting")?
        .person
        .clone();
    engine.run_meeting(
        &meeting_id,
        &Actor::Person(sec),
        MeetingCommand::Move {
            to: Reschedule {
                date: plan.date + chrono::Days::new(7),
                start: plan.start,
                end: plan.end,
                location: None,
            },
            reason: Some("krockar med annat möte".into()),
        },
        arende::command::CommandOptions::default(),
    )?;

    let after_text = feeds::matter_calendar(&engine, &id.to_string(), Language::Swedish)?;
    let after = entries(&after_text)?;
    let after_uids: BTreeSet<&String> = after
        .keys()
        .filter(|u| u.starts_with("forecast-"))
        .collect();
    assert_eq!(
        forecast_uids, after_uids,
        "the forecast entries keep their UIDs"
    );
    for uid in &forecast_uids {
        assert!(
            after[*uid].1 > first[*uid].1,
            "{uid}: SEQUENCE {} → {}",
            first[*uid].1,
            after[*uid].1
        );
    }
    let moved = format!("forecast-{id}-{}@orebro.arende", step.step);
    assert_ne!(
        first[&moved].0, after[&moved].0,
        "the moved step's date changed"
    );
    // Rendering again without a change gives the same UIDs and sequences.
    assert_eq!(
        entries(&feeds::matter_calendar(
            &engine,
            &id.to_string(),
            Language::Swedish
        )?)?,
        after
    );

    // The paper carries the case number in `reference`.
    let county = County::new(&engine, "http://localhost");
    let paper = county.paper(&id.to_string())?;
    assert_eq!(paper.reference.as_deref(), Some("RS 24/0815"));
    assert!(paper.consultation.iter().any(|c| c.authoritative));
    Ok(())
}

/// Marks the caller as the person named in `x-test-person`, as the server's
/// authentication would.
async fn as_person(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Some(p) = req
        .headers()
        .get("x-test-person")
        .and_then(|v| v.to_str().ok())
    {
        let actor = Actor::Person(PersonId::new(p));
        req.extensions_mut().insert(actor);
    }
    next.run(req).await
}

#[test]
fn feeds_parse_in_real_clients_and_a_persons_calendar_is_theirs() -> Result<()> {
    let (_, path) = &common::stores().paths[0]; // home health care: political decisions in every party
    let deployment = common::deployment(path, common::support::d(2025, 6, 1))?;
    let engine = Arc::clone(
        deployment
            .county(&TenantId::new("orebro"))
            .context("orebro")?,
    );
    let key = FeedKey::new(*b"a test key of thirty-two bytes!!").context("key")?;
    let server = Server::start_at(|base| {
        let config = PublishConfig {
            feed_key: Some(key),
            public_url: base,
            ..PublishConfig::default()
        };
        routes_with::<TestState>(config)
            .layer(axum::middleware::from_fn(as_person))
            .with_state(TestState(deployment))
    })?;
    let b = &server.base;
    let dir = tempfile::tempdir()?;
    let mut files: Vec<(String, String)> = Vec::new();
    let mut save = |name: &str, kind: &str, body: &str| -> Result<()> {
        let p = dir.path().join(name);
        std::fs::write(&p, body)?;
        files.push((kind.to_owned(), p.to_string_lossy().into_owned()));
        Ok(())
    };

    // A body's calendar.
    let body = get(&format!("{b}/feeds/orebro/body/cg-social.ics"), &[])?;
    assert_eq!(body.status, 200, "{}", body.body);
    assert!(body.content_type.starts_with("text/calendar"));
    ensure!(
        body.body.matches("BEGIN:VEVENT").count() > 3,
        "{}",
        body.body
    );
    save("body.ics", "ics", &body.body)?;
    let english = get(&format!("{b}/feeds/orebro/body/cg-social.ics?lang=en"), &[])?;
    assert!(
        english.body.contains("X-WR-CALNAME:Meeting plan"),
        "{}",
        english.body
    );

    // A person's calendar: refused to others, open to them and to their token.
    let who = "malin-duckert-ek";
    let url = format!("{b}/feeds/orebro/person/{who}.ics");
    let refused = get(&url, &[])?;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.content_type.starts_with("application/problem+json"));
    assert_eq!(
        get(&url, &[("x-test-person", "peter-bergvall-virtanen")])?.status,
        403
    );
    assert_eq!(get(&format!("{url}?token=forged"), &[])?.status, 403);
    let own = get(&url, &[("x-test-person", who)])?;
    assert_eq!(own.status, 200, "{}", own.body);
    let token_url = get(
        &format!("{b}/feeds/orebro/person/{who}/token"),
        &[("x-test-person", who)],
    )?;
    assert_eq!(token_url.status, 200, "{}", token_url.body);
    let link: serde_json::Value = serde_json::from_str(&token_url.body)?;
    let link = link["url"].as_str().context("url")?;
    assert_eq!(
        get(&format!("{b}/feeds/orebro/person/{who}/token"), &[])?.status,
        403
    );
    let by_token = get(link, &[])?;
    assert_eq!(by_token.status, 200, "{}", by_token.body);
    assert_eq!(
        entries(&by_token.body)?.keys().collect::<Vec<_>>(),
        entries(&own.body)?.keys().collect::<Vec<_>>()
    );
    ensure!(own.body.contains("BEGIN:VEVENT"), "{}", own.body);
    save("person.ics", "ics", &own.body)?;

    // A matter's forecast.
    let matter = engine.read().matters()?.first().context("a matter")?.id;
    let m = get(&format!("{b}/feeds/orebro/matter/{matter}.ics"), &[])?;
    assert_eq!(m.status, 200, "{}", m.body);
    save("matter.ics", "ics", &m.body)?;
    assert_eq!(
        get(&format!("{b}/feeds/orebro/matter/not-a-matter.ics"), &[])?.status,
        404
    );

    // Atom: every party's notice board and every body's decisions.
    let mut notice_entries = 0;
    for party in engine.org().parties.keys() {
        let feed = get(
            &format!("{b}/feeds/orebro/party/{party}/notice-board.atom"),
            &[],
        )?;
        assert_eq!(feed.status, 200, "{}", feed.body);
        assert!(feed.content_type.starts_with("application/atom+xml"));
        notice_entries += feed.body.matches("<entry>").count();
        save(&format!("notice-{party}.atom"), "atom", &feed.body)?;
    }
    assert!(
        notice_entries >= 13,
        "a political decision of every party: {notice_entries}"
    );
    let mut decisions = 0;
    for body in engine.org().bodies.keys() {
        let feed = get(&format!("{b}/feeds/orebro/body/{body}/decisions.atom"), &[])?;
        assert_eq!(feed.status, 200, "{}", feed.body);
        decisions += feed.body.matches("<entry>").count();
        save(&format!("decisions-{body}.atom"), "atom", &feed.body)?;
    }
    assert!(decisions > 0, "no decision in any body's final minutes");
    assert_eq!(
        get(&format!("{b}/feeds/orebro/body/nobody/decisions.atom"), &[])?.status,
        404
    );

    // The reference clients.
    if common::python_has(&["icalendar", "feedparser"]) {
        let mut args: Vec<String> = Vec::new();
        for (kind, path) in &files {
            args.push(format!("{kind}:{path}"));
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = common::run_python("feeds_check.py", &refs)?;
        eprintln!("{out}");
        assert!(
            out.contains(&format!("atom entries {}", notice_entries + decisions)),
            "{out}"
        );
    }
    Ok(())
}
