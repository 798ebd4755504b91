//! Interoperability with the reference clients (issue 12.8): the iCalendar invitation
//! and a published plan are parsed by Python's `icalendar`, and a webhook signed here
//! is verified by the Standard Webhooks reference library (`standardwebhooks`). Names
//! carry commas, quotes, colons, semicolons and Swedish letters. Outside CI a missing
//! Python or package is reported and the test skipped; with `CI=true` it fails.

use std::io::Write as _;
use std::process::{Command, Stdio};

use arende_core::calendar::{IcsOptions, to_ics};
use arende_core::ids::{MeetingId, PersonId, TenantId};
use arende_core::notification::{
    Language, MeetingRef, Notification, NotificationKind, Recipient, RecipientReason,
};
use arende_notify::ics::invitation;
use arende_notify::webhook::{Secret, signature_header};
use chrono::NaiveDate;

use crate::support::unavailable;

/// Names a naive writer gets wrong.
const TRICKY: [&str; 4] = [
    "Berg, Anna \"Sekreterare\"",
    "Åsa Öberg; justerare: ordförande",
    "Lärkan ^ Ängel",
    "Ola Ström",
];

/// Runs `script` with `input` on stdin; `None` (reported) when Python or a package is
/// missing.
fn python(packages: &[&str], script: &str, input: &str) -> Option<String> {
    let probe = format!("import {}", packages.join(", "));
    let ok = Command::new("python3")
        .args(["-c", &probe])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        unavailable(&format!(
            "python3 with {} (pip install {})",
            packages.join(", "),
            packages.join(" ")
        ));
        return None;
    }
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("python3 finishes");
    assert!(
        out.status.success(),
        "the reference client refused the input: {}\n--- input ---\n{input}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).expect("utf-8"))
}

/// Prints, per component, the CN of ORGANIZER and every ATTENDEE, and SUMMARY and
/// LOCATION, one JSON object per line.
const READ_ICS: &str = r#"
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
print(json.dumps({"prodid": str(cal.get("PRODID")), "method": str(cal.get("METHOD"))}))
for c in cal.walk("VEVENT"):
    att = c.get("ATTENDEE") or []
    if not isinstance(att, list):
        att = [att]
    org = c.get("ORGANIZER")
    print(json.dumps({
        "organizer": None if org is None else [str(org), org.params.get("CN")],
        "attendees": [[str(a), a.params.get("CN")] for a in att],
        "summary": str(c.get("SUMMARY")),
        "location": None if c.get("LOCATION") is None else str(c.get("LOCATION")),
    }, ensure_ascii=False))
"#;

fn lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect()
}

#[test]
fn the_invitation_parses_in_python_icalendar_with_every_name_intact() {
    let day = NaiveDate::from_ymd_opt(2024, 12, 16).unwrap();
    let mut n = Notification::new(NotificationKind::Notice, TenantId::new("orebro"), day);
    n.meeting = Some(MeetingRef {
        id: MeetingId::new("sbu-2024-12-16"),
        body_name: "Samverkansgrupp barn, unga; familj: Örebro län".into(),
        start: arende_core::clock::stockholm_instant(day, 13, 0),
        end: arende_core::clock::stockholm_instant(day, 15, 0),
        location: Some("Enen, plan 2; rum \"Ängen\"".into()),
        sequence: 2,
    });
    for (i, name) in TRICKY.iter().enumerate() {
        n.add_recipient(Recipient {
            person: Some(PersonId::new(format!("p{i}"))),
            name: (*name).into(),
            email: Some(format!("p{i}@example.se")),
            reason: RecipientReason::Member,
            language: Default::default(),
        });
    }
    let now = arende_core::clock::stockholm_instant(day, 9, 0);
    let ics = invitation(&n, (TRICKY[0], "sekr@example.se"), now).expect("an invitation");
    let Some(out) = python(&["icalendar"], READ_ICS, &ics) else {
        return;
    };
    let v = lines(&out);
    assert!(
        v[0]["prodid"]
            .as_str()
            .unwrap()
            .starts_with("-//arende//arende ")
    );
    assert_eq!(v[0]["method"], "REQUEST");
    assert_eq!(v.len(), 2, "{out}");
    let e = &v[1];
    assert_eq!(e["organizer"][0], "mailto:sekr@example.se");
    assert_eq!(e["organizer"][1], TRICKY[0]);
    let attendees: Vec<(String, String)> = e["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a[0].as_str().unwrap().into(), a[1].as_str().unwrap().into()))
        .collect();
    assert_eq!(attendees.len(), TRICKY.len(), "{out}");
    for (i, name) in TRICKY.iter().enumerate() {
        assert_eq!(
            attendees[i],
            (format!("mailto:p{i}@example.se"), (*name).into())
        );
    }
    assert_eq!(
        e["summary"],
        "Samverkansgrupp barn, unga; familj: Örebro län"
    );
    assert_eq!(e["location"], "Enen, plan 2; rum \"Ängen\"");
}

#[test]
fn a_published_plan_parses_in_python_icalendar_with_an_organizer_per_event() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/orebro.toml"
    ))
    .expect("orebro.toml");
    let org = arende_core::config::load_str(&text, "orebro.toml").expect("loads");
    let meetings: Vec<_> = org.meetings.iter().take(20).cloned().collect();
    let options = IcsOptions {
        name: "Sammanträdesplan, Region Örebro län: \"alla\"".into(),
        generated_at: arende_core::clock::stockholm_instant(
            NaiveDate::from_ymd_opt(2024, 9, 1).unwrap(),
            9,
            0,
        ),
        language: Language::Swedish,
        with_lead_dates: true,
    };
    let ics = to_ics(&org, &meetings, &[], &options);
    let Some(out) = python(&["icalendar"], READ_ICS, &ics) else {
        return;
    };
    let v = lines(&out);
    assert_eq!(v[0]["method"], "PUBLISH");
    assert_eq!(v.len(), meetings.len() + 1);
    for e in &v[1..] {
        assert!(!e["organizer"].is_null(), "an event without ORGANIZER: {e}");
        assert!(e["organizer"][1].is_string(), "{e}");
    }
}

#[test]
fn a_signed_webhook_verifies_with_the_standard_webhooks_reference_library() {
    let secret_text = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let secret = Secret::parse(secret_text).expect("a whsec_ secret");
    let id = "msg_2Ve9dGW8rWbKSh2Bb3nT1Hz3L0N";
    // The reference library checks the timestamp against its own wall clock, so the
    // timestamp is its clock's (the crate reads no clock of its own).
    let Some(now) = python(
        &["standardwebhooks"],
        "import time; print(int(time.time()))",
        "",
    ) else {
        return;
    };
    let ts: i64 = now.trim().parse().expect("unix seconds");
    let body = r#"{"kind":"notice","title":"Kallelse: Berg, Anna \"Sekr\" – Örebro"}"#;
    let signature = signature_header(id, ts, body.as_bytes(), std::slice::from_ref(&secret));
    let input = serde_json::json!({
        "secret": secret_text,
        "secret_without_prefix": secret_text.trim_start_matches("whsec_"),
        "id": id,
        "timestamp": ts.to_string(),
        "signature": signature,
        "body": body,
    })
    .to_string();
    let script = r#"
import sys, json
from standardwebhooks.webhooks import Webhook
m = json.loads(sys.stdin.read())
headers = {"webhook-id": m["id"], "webhook-timestamp": m["timestamp"], "webhook-signature": m["signature"]}
for s in (m["secret"], m["secret_without_prefix"]):
    Webhook(s).verify(m["body"], headers)
try:
    Webhook(m["secret"]).verify(m["body"] + " ", headers)
    print("tampered body accepted")
except Exception:
    print("ok")
"#;
    let Some(out) = python(&["standardwebhooks"], script, &input) else {
        return;
    };
    assert_eq!(out.trim(), "ok");
}
