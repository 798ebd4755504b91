//! The SMTP transport against a real SMTP server (aiosmtpd) on loopback.

use std::sync::Arc;

use arende_core::clock::{Clock, SimulatedClock};
use arende_core::notification::Language;
use arende_core::store::{MemoryStore, Outbox};
use arende_notify::render::LanguagePolicy;
use arende_notify::smtp::{SmtpConfig, SmtpTransport};
use arende_notify::{Backoff, DispatchConfig, Dispatcher};
use chrono::Duration;

use crate::common::*;
use crate::support::SmtpServer;

fn transport(port: u16) -> SmtpTransport {
    let mut c = SmtpConfig::plain("127.0.0.1", port, "sekretariat@example.se");
    c.from_name = "Regional utveckling".into();
    c.message_id_domain = "arende.example.se".into();
    c.timeout = std::time::Duration::from_secs(5);
    SmtpTransport::new(c).expect("smtp transport")
}

#[tokio::test]
async fn a_notice_arrives_as_text_html_and_calendar_invitation_per_language() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(SimulatedClock::new(at(d(2024, 12, 2), 9, 0)));
    let mut languages = LanguagePolicy::default();
    languages
        .overrides
        .insert("anna-andersson".into(), Language::English);
    let dispatcher = Dispatcher::new(store.clone(), transport(server.port), clock.clone())
        .with_config(DispatchConfig {
            languages,
            ..Default::default()
        });
    let ids = enqueue(store.as_ref(), &[notice()], clock.now());
    let report = dispatcher.drain().await.expect("dispatch");
    assert_eq!(report.delivered, 1, "{report:?}");

    let mails = server.wait_for(2);
    assert_eq!(mails.len(), 2, "one e-mail per language");
    let sv = mails
        .iter()
        .find(|m| m.content_language.as_deref() == Some("sv"))
        .expect("Swedish e-mail");
    let en = mails
        .iter()
        .find(|m| m.content_language.as_deref() == Some("en"))
        .expect("English e-mail");
    assert_eq!(sv.rcpt_tos, vec!["ingmar-angman@example.se"]);
    assert_eq!(en.rcpt_tos, vec!["anna-andersson@example.se"]);
    assert_eq!(
        sv.message_id.as_deref(),
        Some(format!("<{}@arende.example.se>", ids[0]).as_str())
    );
    assert_eq!(
        en.message_id.as_deref(),
        Some(format!("<{}.en@arende.example.se>", ids[0]).as_str())
    );
    let key = ids[0].to_string();
    assert_eq!(sv.idempotency_key.as_deref(), Some(key.as_str()));
    assert_eq!(
        sv.subject,
        "Kallelse: Samverkansgrupp barn och unga i Örebro län 16 december 2024"
    );
    let text = sv.text.as_deref().expect("text part");
    assert!(
        text.contains("Tid: måndag 16 december 2024 kl. 13.00–15.00"),
        "{text}"
    );
    assert!(text.contains("2. Förslag till överenskommelse om regional samverkan"));
    assert!(text.contains("Förväntan på deltagarna: Ta med synpunkter"));
    let html = sv.html.as_deref().expect("html part");
    assert!(
        html.contains("<ol><li value=\"1\">Välkommen (för information)</li>"),
        "{html}"
    );
    assert!(
        en.text
            .as_deref()
            .unwrap_or("")
            .contains("Time: Monday 16 December 2024")
    );
    let ics = sv
        .calendar
        .as_deref()
        .expect("calendar invitation")
        .replace("\r\n ", "");
    for line in [
        "METHOD:REQUEST",
        "UID:sbu-2024-12-16@orebro.arende",
        "SEQUENCE:1",
        "DTSTART:20241216T120000Z",
        "DTEND:20241216T140000Z",
        "LOCATION:Enen",
        "ORGANIZER;CN=Regional utveckling:mailto:sekretariat@example.se",
    ] {
        assert!(ics.contains(line), "{line} missing from\n{ics}");
    }
    let ct = sv.attachments[0]["content_type"]
        .as_str()
        .unwrap_or("")
        .replace('"', "");
    assert!(
        ct.starts_with("text/calendar") && ct.contains("method=REQUEST"),
        "{ct}"
    );
    assert_eq!(sv.attachments[0]["filename"], "kallelse.ics");
    let counts = store.outbox_counts(&tenant()).expect("counts");
    assert_eq!(counts.get("delivered"), Some(&1));
}

#[tokio::test]
async fn while_the_smtp_server_is_down_messages_are_retried_and_none_is_lost() {
    let Some(mut server) = SmtpServer::start() else {
        return;
    };
    server.stop();
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(SimulatedClock::new(at(d(2024, 10, 15), 12, 0)));
    let backoff = Backoff {
        initial: Duration::minutes(1),
        max_delay: Duration::minutes(30),
        max_attempts: 20,
        ..Default::default()
    };
    let dispatcher = Dispatcher::new(store.clone(), transport(server.port), clock.clone())
        .with_config(DispatchConfig {
            backoff,
            ..Default::default()
        });
    let sent: Vec<_> = (1..=6).map(feedback).collect();
    let ids = enqueue(store.as_ref(), &sent, clock.now());

    // Two simulated hours of an absent server: every attempt fails and is rescheduled.
    let mut retried = 0;
    for _ in 0..24 {
        let r = dispatcher.drain().await.expect("dispatch");
        assert_eq!(r.delivered, 0);
        assert_eq!(r.parked, 0);
        retried += r.retried;
        clock.advance(Duration::minutes(5));
    }
    assert!(
        retried >= 6 * 5,
        "each message was retried several times: {retried}"
    );
    assert_eq!(server.messages().len(), 0);

    assert!(server.resume(), "the SMTP server comes back");
    for _ in 0..12 {
        dispatcher.drain().await.expect("dispatch");
        clock.advance(Duration::minutes(10));
    }
    let counts = store.outbox_counts(&tenant()).expect("counts");
    assert_eq!(counts.get("delivered"), Some(&6), "{counts:?}");
    assert!(store.parked(&tenant()).expect("parked").is_empty());
    let mails = server.wait_for(6);
    let mut keys: Vec<String> = mails
        .iter()
        .filter_map(|m| m.idempotency_key.clone())
        .collect();
    keys.sort();
    let mut expected: Vec<String> = ids.iter().map(|u| u.to_string()).collect();
    expected.sort();
    assert_eq!(keys, expected, "every message arrived, once");
}

#[tokio::test]
async fn a_bad_address_does_not_stop_the_others_and_is_parked_for_an_operator() {
    let Some(server) = SmtpServer::start() else {
        return;
    };
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(SimulatedClock::new(at(d(2024, 10, 15), 12, 0)));
    let dispatcher = Dispatcher::new(store.clone(), transport(server.port), clock.clone());
    let mut n = feedback(1);
    n.add_recipient(arende_core::notification::Recipient::by_address(
        "Felskriven".into(),
        Some("inte en adress".into()),
        arende_core::notification::RecipientReason::Follower,
    ));
    enqueue(store.as_ref(), &[n], clock.now());
    let r = dispatcher.drain().await.expect("dispatch");
    assert_eq!(r.parked, 1);
    let mails = server.wait_for(1);
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].rcpt_tos, vec!["susann-cederlund@example.se"]);
    let parked = store.parked(&tenant()).expect("parked");
    let error = parked[0].last_error.as_deref().unwrap_or("");
    assert!(
        error.contains("invalid address(es): Felskriven <inte en adress>"),
        "{error}"
    );
}
