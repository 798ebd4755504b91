//! The in-memory reference store runs the whole conformance suite.

use std::sync::Arc;

use arende_core::store::MemoryStore;
use arende_store_testsuite::{
    Damage, Fixture, concurrent_appends, follower_sees_every_event, run_all,
};

/// A memory store with its corrupter: rows can be removed or renumbered (a memory store
/// holds typed events, so it cannot hold an unreadable row).
fn fixture() -> Fixture {
    let store = Arc::new(MemoryStore::new());
    let damaged = store.clone();
    Fixture::new(store).with_corrupter(move |tenant, stream, version, damage| match damage {
        Damage::Delete => damaged.tamper(tenant, stream, version, |_| false),
        Damage::SetVersion(v) => damaged.tamper(tenant, stream, version, |e| {
            e.version = v;
            true
        }),
        _ => false,
    })
}

#[test]
fn memory_store_passes_the_suite() {
    run_all(fixture);
}

#[test]
fn memory_store_one_winner_per_version() {
    let report = concurrent_appends(Arc::new(MemoryStore::new()), 8, 25);
    assert_eq!(report.appended, 200);
}

#[test]
fn memory_store_follower_skips_nothing() {
    let n = follower_sees_every_event(Arc::new(MemoryStore::new()), 4, 100);
    assert_eq!(n, 800);
}

mod crash_check {
    use arende_core::ids::CommandId;
    use arende_core::store::{EventStore, ExpectedVersion, MemoryStore};
    use arende_store_testsuite::crash::{Ack, TENANT, verify};
    use arende_store_testsuite::{event, instant, message, request};

    fn whole_command(store: &MemoryStore, stream: &str, at: u64) -> CommandId {
        let mut req = request(TENANT, stream, ExpectedVersion::at(at), vec![], vec![]);
        let body = format!("{{\"command\":\"{}\"}}", req.command_id.0);
        req.events = vec![event("Noted", &body), event("Noted", &body)];
        req.outbox = vec![message("notice", &body, instant(0))];
        store.append(req.clone()).expect("append");
        req.command_id
    }

    #[test]
    fn verify_accepts_whole_commands() {
        let store = MemoryStore::new();
        let a = whole_command(&store, "crash-0", 0);
        let b = whole_command(&store, "crash-0", 2);
        let acks = [
            Ack::parse(&format!("ACK crash-0 2 {}", a.0)).expect("parse"),
            Ack::parse(&format!("ACK crash-0 4 {}", b.0)).expect("parse"),
        ];
        let v = verify(&store, &acks).expect("whole");
        assert_eq!((v.commands, v.acked), (2, 2));
    }

    #[test]
    fn verify_finds_a_lost_acknowledged_append() {
        let store = MemoryStore::new();
        let a = whole_command(&store, "crash-0", 0);
        let lost = CommandId::random();
        let acks = [
            Ack::parse(&format!("ACK crash-0 2 {}", a.0)).expect("parse"),
            Ack::parse(&format!("ACK crash-0 4 {}", lost.0)).expect("parse"),
        ];
        let err = verify(&store, &acks).expect_err("lost");
        assert!(err.contains("is lost"), "{err}");
    }

    #[test]
    fn verify_finds_events_without_their_outbox_message() {
        let store = MemoryStore::new();
        whole_command(&store, "crash-1", 0);
        let mut req = request(TENANT, "crash-1", ExpectedVersion::Exact(2), vec![], vec![]);
        let body = format!("{{\"command\":\"{}\"}}", req.command_id.0);
        req.events = vec![event("Noted", &body), event("Noted", &body)];
        store.append(req).expect("append");
        let err = verify(&store, &[]).expect_err("half-written");
        assert!(err.contains("0 outbox messages"), "{err}");
    }

    #[test]
    fn verify_finds_a_half_written_command() {
        let store = MemoryStore::new();
        let mut req = request(TENANT, "crash-2", ExpectedVersion::NoStream, vec![], vec![]);
        let body = format!("{{\"command\":\"{}\"}}", req.command_id.0);
        req.events = vec![event("Noted", &body)];
        req.outbox = vec![message("notice", &body, instant(0))];
        store.append(req).expect("append");
        let err = verify(&store, &[]).expect_err("half-written");
        assert!(err.contains("half-written"), "{err}");
    }
}
