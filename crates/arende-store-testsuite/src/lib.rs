//! The conformance suite every `arende` store runs unchanged: the in-memory reference
//! store, SQLite and PostgreSQL.
//!
//! Like `object_store`'s `integration.rs`, the suite is a set of plain functions taking
//! a store (`&dyn Store`); [`run_all`] runs every case of [`CASES`] against a fresh
//! store from a factory, so an adapter's whole test is
//!
//! ```text
//! #[test]
//! fn conformance() {
//!     arende_store_testsuite::run_all(|| Fixture::new(MyStore::open(...)));
//! }
//! ```
//!
//! Beside the cases there are helpers that need threads or processes:
//! [`concurrent_appends`] (N writers race on one stream: exactly one wins each
//! version), [`follower_sees_every_event`] (a follower of `read_all` never skips an event
//! that commits late) and the [`crash`] module (a writer that acknowledges appends on
//! stdout, and the check that every acknowledged append survived a SIGKILL with nothing
//! half-written).
//!
//! The checks panic with a message naming the case and what differed: this crate is
//! only ever used from tests.

use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use arende_core::aggregate::{DecodeError, Event, decode};
use arende_core::ids::{CommandId, TenantId};
use arende_core::store::{
    AppendRequest, Appended, Corruption, EventData, EventStore, ExpectedVersion, Finding,
    IdempotencyStore, Outbox, OutboxMessage, OutboxStatus, RecordedEvent, Reservation,
    ReserveRequest, ScanStore, StoreError, StoredResponse, StreamId, verify_scan,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub mod crash;

/// A store under test: both halves of the storage contract, the whole-store scan and
/// the idempotency records.
pub trait Store: EventStore + Outbox + ScanStore + IdempotencyStore {}
impl<T: EventStore + Outbox + ScanStore + IdempotencyStore + ?Sized> Store for T {}

/// Damage a corruption case does to one stored event row, directly in the store's
/// tables (as a disk fault, a bad restore or a hand-made `UPDATE` would).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Damage {
    /// The row is deleted: a version gap.
    Delete,
    /// The row gets this version (a version not used in the stream).
    SetVersion(u64),
    /// The payload is NULL.
    NullPayload,
    /// The payload is not UTF-8.
    NonUtf8Payload,
    /// The command id is not a UUID.
    BadCommandId,
    /// The timestamp is not an instant.
    BadTimestamp,
}

impl Damage {
    /// Every kind of damage that makes a row unreadable.
    pub const UNREADABLE: [Damage; 4] = [
        Damage::NullPayload,
        Damage::NonUtf8Payload,
        Damage::BadCommandId,
        Damage::BadTimestamp,
    ];
}

/// The hook a store's tests give the suite to damage a row: `(tenant, stream, version,
/// damage)`, returning `false` when this store cannot hold such damage (e.g. a payload
/// that is not UTF-8 in PostgreSQL, whose `text` cannot hold one); the case then skips
/// that kind.
pub type Corrupter = Arc<dyn Fn(&TenantId, &StreamId, u64, Damage) -> bool + Send + Sync>;

/// A fresh store for one case, with whatever must live as long as it (a temporary
/// directory, a schema to drop afterwards).
pub struct Fixture {
    /// The store.
    pub store: Arc<dyn Store>,
    /// How to damage its rows, for the corruption cases.
    pub corrupter: Option<Corrupter>,
    // Dropped after `store` (fields drop in declaration order).
    _guard: Option<Box<dyn Any + Send>>,
}

impl Fixture {
    /// A fixture around a store that needs nothing else.
    pub fn new(store: impl Store + 'static) -> Self {
        Fixture {
            store: Arc::new(store),
            corrupter: None,
            _guard: None,
        }
    }

    /// A fixture that keeps `guard` alive until after the store is dropped.
    pub fn with_guard(store: impl Store + 'static, guard: impl Any + Send) -> Self {
        Fixture {
            store: Arc::new(store),
            corrupter: None,
            _guard: Some(Box::new(guard)),
        }
    }

    /// The same fixture with a hook to damage its rows: the corruption cases
    /// ([`CORRUPTION_CASES`]) run only on fixtures that have one.
    pub fn with_corrupter(
        mut self,
        corrupter: impl Fn(&TenantId, &StreamId, u64, Damage) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.corrupter = Some(Arc::new(corrupter));
        self
    }
}

/// A conformance case.
pub type Case = fn(&dyn Store);

/// Every case of the suite, by name.
pub const CASES: &[(&str, Case)] = &[
    ("append_and_read_in_order", append_and_read_in_order),
    ("version_conflicts", version_conflicts),
    ("any_version_appends", any_version_appends),
    ("idempotent_retry", idempotent_retry),
    ("empty_append_is_rejected", empty_append_is_rejected),
    ("too_deep_payload_is_refused", too_deep_payload_is_refused),
    ("outbox_only_append", outbox_only_append),
    ("read_all_in_commit_order", read_all_in_commit_order),
    ("tenant_isolation", tenant_isolation),
    ("tenant_log", tenant_log),
    ("unicode_round_trip", unicode_round_trip),
    ("large_payloads", large_payloads),
    ("corrupt_and_unknown_events", corrupt_and_unknown_events),
    ("outbox_claim_and_deliver", outbox_claim_and_deliver),
    ("outbox_claim_order_and_limit", outbox_claim_order_and_limit),
    ("outbox_lease_expiry", outbox_lease_expiry),
    ("outbox_retry_and_park", outbox_retry_and_park),
    ("outbox_unknown_message", outbox_unknown_message),
    ("outbox_undelivered_listing", outbox_undelivered_listing),
    ("idempotency_records", idempotency_records),
];

/// A corruption case: a store and the hook that damages its rows.
pub type CorruptionCase = fn(&dyn Store, &Corrupter);

/// The corruption cases, by name: damaged rows give typed errors naming tenant, stream
/// and version, nothing is appended onto a damaged stream, and the rest of the store
/// reads as before.
pub const CORRUPTION_CASES: &[(&str, CorruptionCase)] = &[
    ("a_version_gap_is_corruption", a_version_gap_is_corruption),
    (
        "swapped_versions_are_corruption",
        swapped_versions_are_corruption,
    ),
    (
        "unreadable_rows_are_corruption",
        unreadable_rows_are_corruption,
    ),
];

/// Runs every case of [`CASES`], each against a fresh store from `make`, the
/// [`CORRUPTION_CASES`] (the fixture must have a corrupter: every store's tests give
/// one), and then the thread helpers ([`concurrent_appends`] with 4 writers,
/// [`follower_sees_every_event`], [`idempotency_race`] with 8 requests a key).
pub fn run_all(make: impl Fn() -> Fixture) {
    for (name, case) in CASES {
        eprintln!("conformance case {name}");
        let fixture = make();
        case(&*fixture.store);
    }
    for (name, case) in CORRUPTION_CASES {
        eprintln!("conformance case {name}");
        let fixture = make();
        let Some(corrupter) = fixture.corrupter.clone() else {
            panic!("the fixture has no corrupter: give one with Fixture::with_corrupter");
        };
        case(&*fixture.store, &corrupter);
    }
    eprintln!("conformance case concurrent_appends");
    let fixture = make();
    concurrent_appends(fixture.store.clone(), 4, 10);
    eprintln!("conformance case follower_sees_every_event");
    let fixture = make();
    follower_sees_every_event(fixture.store.clone(), 4, 40);
    eprintln!("conformance case idempotency_race");
    let fixture = make();
    idempotency_race(fixture.store.clone(), 8, 10);
}

// ---------------------------------------------------------------------------------------
// Building requests

/// 2024-10-01 08:00 UTC plus `minutes`: the suite's instants (whole microseconds, which
/// every store keeps exactly).
pub fn instant(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 10, 1, 8, 0, 0)
        .single()
        .unwrap_or_default()
        + Duration::minutes(minutes)
}

/// An event with a JSON payload.
pub fn event(event_type: &str, payload: &str) -> EventData {
    EventData {
        event_type: event_type.to_owned().into(),
        payload: payload.to_owned(),
    }
}

/// An outbox message available at `available_at`.
pub fn message(kind: &str, payload: &str, available_at: DateTime<Utc>) -> OutboxMessage {
    OutboxMessage {
        id: Uuid::new_v4(),
        kind: kind.to_owned(),
        payload: payload.to_owned(),
        available_at,
    }
}

/// An append request with a fresh command id, actor `tester`, recorded at `instant(0)`.
pub fn request(
    tenant: &str,
    stream: &str,
    expected: ExpectedVersion,
    events: Vec<EventData>,
    outbox: Vec<OutboxMessage>,
) -> AppendRequest {
    AppendRequest {
        tenant: TenantId::new(tenant),
        stream: StreamId::new(stream),
        expected,
        command_id: CommandId::random(),
        actor: "tester".into(),
        recorded_at: instant(0),
        events,
        outbox,
    }
}

/// `n` events `Noted` with payloads `{"Noted":{"n":i}}`, i from `start`.
pub fn noted(start: u64, n: u64) -> Vec<EventData> {
    (start..start + n)
        .map(|i| event("Noted", &format!("{{\"Noted\":{{\"n\":{i}}}}}")))
        .collect()
}

fn append_ok(store: &dyn Store, req: AppendRequest) -> Appended {
    let stream = req.stream.clone();
    match store.append(req) {
        Ok(a) => a,
        Err(e) => panic!("append to {stream} failed: {e:?}"),
    }
}

fn read(store: &dyn Store, tenant: &str, stream: &str, from: u64) -> Vec<RecordedEvent> {
    store
        .read_stream(&TenantId::new(tenant), &StreamId::new(stream), from)
        .unwrap_or_else(|e| panic!("read_stream {tenant}/{stream} failed: {e:?}"))
}

fn read_everything(store: &dyn Store) -> Vec<RecordedEvent> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = store
            .read_all(after, 1000)
            .unwrap_or_else(|e| panic!("read_all failed: {e:?}"));
        let Some(last) = page.last() else {
            return all;
        };
        after = last.position;
        all.extend(page);
    }
}

/// A tenant's log by [`EventStore::visit_tenant`], each borrowed event copied out; the
/// count it returns must be the number of events it handed over.
fn visited(
    store: &dyn Store,
    tenant: &str,
    after: u64,
    limit: usize,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let mut out = Vec::new();
    let n = store.visit_tenant(&TenantId::new(tenant), after, limit, &mut |e| {
        out.push(e.to_recorded());
    })?;
    assert_eq!(
        n,
        out.len(),
        "visit_tenant returns how many events it handed over"
    );
    Ok(out)
}

fn versions(events: &[RecordedEvent]) -> Vec<u64> {
    events.iter().map(|e| e.version).collect()
}

fn counts(store: &dyn Store, tenant: &str) -> BTreeMap<String, u64> {
    store
        .outbox_counts(&TenantId::new(tenant))
        .unwrap_or_else(|e| panic!("outbox_counts failed: {e:?}"))
}

fn count(store: &dyn Store, tenant: &str, status: &str) -> u64 {
    counts(store, tenant).get(status).copied().unwrap_or(0)
}

fn claim(store: &dyn Store, now: DateTime<Utc>, lease_minutes: i64, limit: usize) -> Vec<Uuid> {
    store
        .claim(now, Duration::minutes(lease_minutes), limit)
        .unwrap_or_else(|e| panic!("claim failed: {e:?}"))
        .into_iter()
        .map(|r| {
            assert_eq!(
                r.status,
                OutboxStatus::Claimed,
                "a claimed record is Claimed"
            );
            r.message.id
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The cases

/// Appends are read back in version order with every field as appended; versions start
/// at 1; `from_version` skips; an unknown stream reads as empty.
pub fn append_and_read_in_order(store: &dyn Store) {
    let mut first = request(
        "t1",
        "matter-a",
        ExpectedVersion::NoStream,
        noted(1, 3),
        vec![],
    );
    first.actor = "person:anna".into();
    first.recorded_at = instant(0) + Duration::microseconds(123_456);
    let a = append_ok(store, first.clone());
    assert_eq!((a.version, a.duplicate), (3, false));
    assert!(a.position >= 3, "positions start at 1: {a:?}");

    let second = request(
        "t1",
        "matter-a",
        ExpectedVersion::Exact(3),
        noted(4, 2),
        vec![],
    );
    let b = append_ok(store, second.clone());
    assert_eq!((b.version, b.duplicate), (5, false));
    assert!(b.position > a.position, "later append, later position");

    let got = read(store, "t1", "matter-a", 1);
    assert_eq!(versions(&got), vec![1, 2, 3, 4, 5]);
    for (i, e) in got.iter().enumerate() {
        let (req, data) = if i < 3 {
            (&first, &first.events[i])
        } else {
            (&second, &second.events[i - 3])
        };
        assert_eq!(e.tenant.as_str(), "t1");
        assert_eq!(e.stream.as_str(), "matter-a");
        assert_eq!(e.event_type, data.event_type);
        assert_eq!(e.payload, data.payload);
        assert_eq!(e.actor, req.actor);
        assert_eq!(e.command_id, req.command_id);
        assert_eq!(e.recorded_at, req.recorded_at, "recorded_at kept to the µs");
    }
    assert!(got.windows(2).all(|w| w[0].position < w[1].position));
    assert_eq!(
        got[2].position, a.position,
        "Appended.position is the last event's"
    );
    assert_eq!(got[4].position, b.position);

    assert_eq!(versions(&read(store, "t1", "matter-a", 4)), vec![4, 5]);
    assert_eq!(
        versions(&read(store, "t1", "matter-a", 0)),
        vec![1, 2, 3, 4, 5]
    );
    assert!(read(store, "t1", "matter-a", 6).is_empty());
    assert!(read(store, "t1", "matter-none", 1).is_empty());
}

fn expect_conflict(store: &dyn Store, req: AppendRequest, actual: u64) {
    let expected = req.expected;
    match store.append(req) {
        Err(StoreError::Conflict {
            tenant,
            stream,
            expected: e,
            actual: a,
        }) => {
            assert_eq!(tenant.as_str(), "t1");
            assert_eq!(stream.as_str(), "matter-c");
            assert_eq!(e, expected);
            assert_eq!(a, actual, "conflict reports the actual version");
        }
        other => panic!("expected a conflict for {expected:?}, got {other:?}"),
    }
}

/// A writer that expects the wrong version gets [`StoreError::Conflict`] with the
/// actual version, and nothing of its request (events or outbox) is written.
pub fn version_conflicts(store: &dyn Store) {
    let out = |n: i64| vec![message("notice", "{}", instant(n))];
    expect_conflict(
        store,
        request(
            "t1",
            "matter-c",
            ExpectedVersion::Exact(1),
            noted(1, 1),
            out(0),
        ),
        0,
    );
    append_ok(
        store,
        request(
            "t1",
            "matter-c",
            ExpectedVersion::NoStream,
            noted(1, 2),
            out(0),
        ),
    );
    expect_conflict(
        store,
        request(
            "t1",
            "matter-c",
            ExpectedVersion::NoStream,
            noted(9, 1),
            out(1),
        ),
        2,
    );
    expect_conflict(
        store,
        request(
            "t1",
            "matter-c",
            ExpectedVersion::Exact(1),
            noted(9, 1),
            out(2),
        ),
        2,
    );
    // Ahead of the stream: must not leave a gap.
    expect_conflict(
        store,
        request(
            "t1",
            "matter-c",
            ExpectedVersion::Exact(5),
            noted(9, 1),
            out(3),
        ),
        2,
    );
    let got = read(store, "t1", "matter-c", 1);
    assert_eq!(
        versions(&got),
        vec![1, 2],
        "conflicting appends wrote nothing"
    );
    assert_eq!(
        count(store, "t1", "pending"),
        1,
        "no outbox rows from conflicts"
    );
    let c = append_ok(
        store,
        request(
            "t1",
            "matter-c",
            ExpectedVersion::Exact(2),
            noted(3, 1),
            out(4),
        ),
    );
    assert_eq!(c.version, 3);
    assert_eq!(count(store, "t1", "pending"), 2);
}

/// `ExpectedVersion::Any` appends after whatever is there.
pub fn any_version_appends(store: &dyn Store) {
    let a = append_ok(
        store,
        request("t1", "log-any", ExpectedVersion::Any, noted(1, 2), vec![]),
    );
    assert_eq!(a.version, 2);
    let b = append_ok(
        store,
        request("t1", "log-any", ExpectedVersion::Any, noted(3, 1), vec![]),
    );
    assert_eq!(b.version, 3);
    assert_eq!(versions(&read(store, "t1", "log-any", 1)), vec![1, 2, 3]);
}

/// Retrying a command id already recorded on the stream writes nothing and returns the
/// original outcome with `duplicate: true`, even when its expected version is stale.
pub fn idempotent_retry(store: &dyn Store) {
    let req = request(
        "t1",
        "matter-i",
        ExpectedVersion::NoStream,
        noted(1, 2),
        vec![message("feedback", "{}", instant(0))],
    );
    let first = append_ok(store, req.clone());
    assert!(!first.duplicate);
    let again = append_ok(store, req.clone());
    assert_eq!(
        again,
        Appended {
            duplicate: true,
            ..first
        }
    );
    // The stream moves on; the retry (now with a stale expected version) is still a
    // duplicate, not a conflict.
    append_ok(
        store,
        request(
            "t1",
            "matter-i",
            ExpectedVersion::Exact(2),
            noted(3, 1),
            vec![],
        ),
    );
    let late = append_ok(store, req.clone());
    assert_eq!(
        late,
        Appended {
            duplicate: true,
            ..first
        }
    );
    assert_eq!(versions(&read(store, "t1", "matter-i", 1)), vec![1, 2, 3]);
    assert_eq!(
        count(store, "t1", "pending"),
        1,
        "the outbox row is written once"
    );
    assert_eq!(read_everything(store).len(), 3);

    // The same command id on another stream, or in another tenant, is another command.
    let mut other = req.clone();
    other.stream = StreamId::new("matter-j");
    other.outbox = vec![];
    assert!(!append_ok(store, other).duplicate);
    let mut elsewhere = req;
    elsewhere.tenant = TenantId::new("t2");
    elsewhere.outbox = vec![];
    assert!(!append_ok(store, elsewhere).duplicate);
}

/// A request with neither events nor outbox messages is invalid and writes nothing.
pub fn empty_append_is_rejected(store: &dyn Store) {
    match store.append(request(
        "t1",
        "matter-e",
        ExpectedVersion::NoStream,
        vec![],
        vec![],
    )) {
        Err(StoreError::InvalidRequest { stream, .. }) => assert_eq!(stream.as_str(), "matter-e"),
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    assert!(read_everything(store).is_empty());
}

/// A payload nesting deeper than `MAX_PAYLOAD_DEPTH` is refused with a typed error
/// naming the stream and the event, and nothing of the request is written; one at the
/// limit (brackets inside strings not counted) is stored and reads back as JSON.
pub fn too_deep_payload_is_refused(store: &dyn Store) {
    use arende_core::store::MAX_PAYLOAD_DEPTH;
    let deep = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));
    let events = vec![
        event("Noted", "{\"Noted\":{\"n\":1}}"),
        event("Noted", &deep(MAX_PAYLOAD_DEPTH + 1)),
    ];
    match store.append(request(
        "t1",
        "matter-deep",
        ExpectedVersion::NoStream,
        events,
        vec![],
    )) {
        Err(StoreError::PayloadTooDeep {
            stream,
            index,
            limit,
        }) => {
            assert_eq!(stream.as_str(), "matter-deep");
            assert_eq!(index, 1);
            assert_eq!(limit, MAX_PAYLOAD_DEPTH);
        }
        other => panic!("expected PayloadTooDeep, got {other:?}"),
    }
    assert!(read_everything(store).is_empty(), "nothing is written");
    let at_limit = format!(
        "{{\"s\":\"{}\",\"v\":{}}}",
        "[".repeat(500),
        deep(MAX_PAYLOAD_DEPTH - 1)
    );
    append_ok(
        store,
        request(
            "t1",
            "matter-deep",
            ExpectedVersion::NoStream,
            vec![event("Noted", &at_limit)],
            vec![],
        ),
    );
    let stored = read_everything(store);
    assert_eq!(stored.len(), 1);
    assert!(
        serde_json::from_str::<serde_json::Value>(&stored[0].payload).is_ok(),
        "a payload at the limit reads back as JSON"
    );
}

/// A command may write only outbox messages: the stream stays where it is.
pub fn outbox_only_append(store: &dyn Store) {
    append_ok(
        store,
        request(
            "t1",
            "matter-o",
            ExpectedVersion::NoStream,
            noted(1, 1),
            vec![],
        ),
    );
    let a = append_ok(
        store,
        request(
            "t1",
            "matter-o",
            ExpectedVersion::Exact(1),
            vec![],
            vec![message("reminder", "{}", instant(0))],
        ),
    );
    assert_eq!(a.version, 1, "no events, same version");
    assert!(!a.duplicate);
    assert_eq!(versions(&read(store, "t1", "matter-o", 1)), vec![1]);
    assert_eq!(count(store, "t1", "pending"), 1);
    expect_version_after_outbox_only(store);
}

fn expect_version_after_outbox_only(store: &dyn Store) {
    let b = append_ok(
        store,
        request(
            "t1",
            "matter-o",
            ExpectedVersion::Exact(1),
            noted(2, 1),
            vec![],
        ),
    );
    assert_eq!(b.version, 2);
}

/// `read_all` returns every tenant's events in the order they were committed, with
/// strictly increasing positions, and pages without loss.
pub fn read_all_in_commit_order(store: &dyn Store) {
    let mut expect: Vec<(String, String, u64)> = Vec::new();
    let mut at: BTreeMap<(String, String), u64> = BTreeMap::new();
    for round in 0..4u64 {
        for (tenant, stream) in [("t1", "s-a"), ("t2", "s-a"), ("t1", "s-b")] {
            let v = at.entry((tenant.into(), stream.into())).or_insert(0);
            let n = 1 + (round % 2);
            append_ok(
                store,
                request(
                    tenant,
                    stream,
                    ExpectedVersion::at(*v),
                    noted(*v + 1, n),
                    vec![],
                ),
            );
            for k in 1..=n {
                expect.push((tenant.into(), stream.into(), *v + k));
            }
            *v += n;
        }
    }
    let all = read_everything(store);
    let got: Vec<(String, String, u64)> = all
        .iter()
        .map(|e| (e.tenant.to_string(), e.stream.to_string(), e.version))
        .collect();
    assert_eq!(got, expect, "read_all is in commit order");
    assert!(all.windows(2).all(|w| w[0].position < w[1].position));

    // Pages of 3 give the same sequence.
    let mut paged = Vec::new();
    let mut after = 0;
    loop {
        let page = store.read_all(after, 3).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(page.len() <= 3);
        let Some(last) = page.last() else { break };
        after = last.position;
        paged.extend(page);
    }
    assert_eq!(paged, all);
    // Starting from the middle.
    let mid = all[4].position;
    let rest = store.read_all(mid, 100).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(rest, all[5..].to_vec());
    assert!(
        store
            .read_all(all[all.len() - 1].position, 10)
            .unwrap_or_default()
            .is_empty()
    );
}

/// The same stream name in two tenants is two streams; outbox views are per tenant.
pub fn tenant_isolation(store: &dyn Store) {
    append_ok(
        store,
        request(
            "orebro",
            "matter-x",
            ExpectedVersion::NoStream,
            noted(1, 2),
            vec![message("notice", "{}", instant(0))],
        ),
    );
    append_ok(
        store,
        request(
            "varmland",
            "matter-x",
            ExpectedVersion::NoStream,
            noted(1, 1),
            vec![],
        ),
    );
    let a = read(store, "orebro", "matter-x", 1);
    let b = read(store, "varmland", "matter-x", 1);
    assert_eq!(versions(&a), vec![1, 2]);
    assert_eq!(versions(&b), vec![1]);
    assert!(a.iter().all(|e| e.tenant.as_str() == "orebro"));
    assert!(b.iter().all(|e| e.tenant.as_str() == "varmland"));
    // Each tenant's version check sees only its own stream.
    expect_tenant_conflict(store);
    assert_eq!(count(store, "orebro", "pending"), 1);
    assert_eq!(count(store, "varmland", "pending"), 0);
    assert!(counts(store, "nowhere").values().all(|&n| n == 0));
}

fn expect_tenant_conflict(store: &dyn Store) {
    match store.append(request(
        "varmland",
        "matter-x",
        ExpectedVersion::Exact(2),
        noted(2, 1),
        vec![],
    )) {
        Err(StoreError::Conflict { actual: 1, .. }) => {}
        other => panic!("expected a conflict at actual 1, got {other:?}"),
    }
}

/// [`EventStore::read_tenant`] gives one tenant's events, in the order of the whole log,
/// with positions from it, paged without loss; nothing of another tenant.
/// [`EventStore::visit_tenant`] hands over exactly the same events, field for field, in
/// every one of these reads.
pub fn tenant_log(store: &dyn Store) {
    for round in 0..3u64 {
        for (tenant, stream) in [("orebro", "s-a"), ("varmland", "s-a"), ("orebro", "s-b")] {
            append_ok(
                store,
                request(
                    tenant,
                    stream,
                    ExpectedVersion::at(round),
                    noted(round + 1, 1),
                    vec![],
                ),
            );
        }
    }
    let all = read_everything(store);
    for tenant in ["orebro", "varmland"] {
        let t = TenantId::new(tenant);
        let expect: Vec<RecordedEvent> = all.iter().filter(|e| e.tenant == t).cloned().collect();
        let got = store
            .read_tenant(&t, 0, 1000)
            .unwrap_or_else(|e| panic!("read_tenant failed: {e:?}"));
        assert_eq!(got, expect, "{tenant}'s log is its part of the whole log");
        let seen = visited(store, tenant, 0, 1000)
            .unwrap_or_else(|e| panic!("visit_tenant failed: {e:?}"));
        assert_eq!(seen, expect, "{tenant}'s log visited is the log read");
        let mut paged = Vec::new();
        let mut after = 0;
        loop {
            let page = store
                .read_tenant(&t, after, 2)
                .unwrap_or_else(|e| panic!("{e:?}"));
            assert!(page.len() <= 2);
            let visited_page = visited(store, tenant, after, 2).unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!(visited_page, page, "{tenant}'s page after {after} visited");
            let Some(last) = page.last() else { break };
            after = last.position;
            paged.extend(page);
        }
        assert_eq!(paged, expect, "{tenant}'s log pages without loss");
        let mid = expect[1].position;
        let rest = store
            .read_tenant(&t, mid, 100)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(rest, expect[2..].to_vec(), "{tenant}'s log from the middle");
        let rest = visited(store, tenant, mid, 100).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            rest,
            expect[2..].to_vec(),
            "{tenant}'s log visited from the middle"
        );
    }
    assert!(
        store
            .read_tenant(&TenantId::new("nowhere"), 0, 10)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .is_empty()
    );
    assert!(
        visited(store, "nowhere", 0, 10)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .is_empty()
    );
}

/// Swedish letters (and others) survive in every text field.
pub fn unicode_round_trip(store: &dyn Store) {
    let text = "å ä ö Å Ä Ö – é ü ß 中文 🙂 \"citat\" \\ \u{2028}";
    let payload = serde_json::json!({ "rubrik": text }).to_string();
    let mut req = request(
        "region-örebro-län",
        "ärende-Åmål-ö",
        ExpectedVersion::NoStream,
        vec![event("ÄrendeRegistrerat", &payload)],
        vec![message("kallelse-ö", &payload, instant(0))],
    );
    req.actor = "person:åsa.öberg".into();
    append_ok(store, req.clone());
    let got = read(store, "region-örebro-län", "ärende-Åmål-ö", 1);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].event_type, "ÄrendeRegistrerat");
    assert_eq!(got[0].payload, payload);
    assert_eq!(&*got[0].actor, "person:åsa.öberg");
    assert_eq!(got[0].tenant.as_str(), "region-örebro-län");
    assert_eq!(got[0].stream.as_str(), "ärende-Åmål-ö");
    let claimed = store
        .claim(instant(0), Duration::minutes(1), 10)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].message, req.outbox[0]);
    assert_eq!(claimed[0].tenant.as_str(), "region-örebro-län");
}

/// A 1 MiB event payload and a 1 MiB outbox payload come back byte for byte.
pub fn large_payloads(store: &dyn Store) {
    let body: String = "åäö0123456789abcdefghijklmnopqrstuvwxyz"
        .chars()
        .cycle()
        .take(1 << 20)
        .collect();
    let payload = serde_json::json!({ "Noted": { "text": body } }).to_string();
    assert!(payload.len() > 1 << 20);
    let req = request(
        "t1",
        "matter-big",
        ExpectedVersion::NoStream,
        vec![event("Noted", &payload), event("Noted", "{}")],
        vec![message("minutes", &payload, instant(0))],
    );
    append_ok(store, req.clone());
    let got = read(store, "t1", "matter-big", 1);
    assert_eq!(got.len(), 2);
    assert!(
        got[0].payload == payload,
        "1 MiB payload differs after reading"
    );
    let claimed = store
        .claim(instant(0), Duration::minutes(1), 10)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(claimed.len(), 1);
    assert!(
        claimed[0].message.payload == payload,
        "1 MiB outbox payload differs"
    );
}

/// The event type of the decoding check: one known type, `Noted`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum ProbeEvent {
    /// A note.
    Noted {
        /// A number.
        n: u64,
    },
    /// Another known type, to store a payload that names the wrong type.
    Renamed {
        /// A name.
        name: String,
    },
}

impl Event for ProbeEvent {
    fn event_type(&self) -> &'static str {
        match self {
            ProbeEvent::Noted { .. } => "Noted",
            ProbeEvent::Renamed { .. } => "Renamed",
        }
    }
    fn known_types() -> &'static [&'static str] {
        &["Noted", "Renamed"]
    }
}

/// Stores keep type and payload as opaque text: an unknown type, a payload that is not
/// JSON and a payload of another type are stored and read back, and decoding them gives
/// a typed error naming the stream and the version (no panic).
pub fn corrupt_and_unknown_events(store: &dyn Store) {
    append_ok(
        store,
        request(
            "t1",
            "matter-bad",
            ExpectedVersion::NoStream,
            vec![
                event("Noted", "{\"Noted\":{\"n\":1}}"),
                event("MatterTeleported", "{\"MatterTeleported\":{}}"),
                event("Noted", "{not json"),
                event("Noted", "{\"Renamed\":{\"name\":\"x\"}}"),
            ],
            vec![],
        ),
    );
    let got = read(store, "t1", "matter-bad", 1);
    assert_eq!(
        versions(&got),
        vec![1, 2, 3, 4],
        "bad events are stored as given"
    );
    assert_eq!(got[2].payload, "{not json");
    assert_eq!(
        decode::<ProbeEvent>(&got[0]),
        Ok(ProbeEvent::Noted { n: 1 })
    );
    match decode::<ProbeEvent>(&got[1]) {
        Err(DecodeError::UnknownType {
            tenant,
            stream,
            version,
            event_type,
            ..
        }) => {
            assert_eq!(tenant.as_str(), "t1");
            assert_eq!(stream.as_str(), "matter-bad");
            assert_eq!(version, 2);
            assert_eq!(event_type, "MatterTeleported");
        }
        other => panic!("expected UnknownType, got {other:?}"),
    }
    for (i, v) in [(2usize, 3u64), (3, 4)] {
        match decode::<ProbeEvent>(&got[i]) {
            Err(DecodeError::Corrupt {
                tenant,
                stream,
                version,
                ..
            }) => {
                assert_eq!(tenant.as_str(), "t1");
                assert_eq!(stream.as_str(), "matter-bad");
                assert_eq!(version, v);
            }
            other => panic!("expected Corrupt at version {v}, got {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Corruption

fn damage(corrupter: &Corrupter, tenant: &str, stream: &str, version: u64, d: Damage) -> bool {
    corrupter(&TenantId::new(tenant), &StreamId::new(stream), version, d)
}

/// A stream of `n` events `t1/stream`, beside neighbours that must stay readable:
/// `t1/{stream}-before`, `t2/{stream}` and `t1/{stream}-after`.
fn damaged_world(store: &dyn Store, stream: &str, n: u64) {
    append_ok(
        store,
        request(
            "t1",
            &format!("{stream}-before"),
            ExpectedVersion::NoStream,
            noted(1, 2),
            vec![],
        ),
    );
    append_ok(
        store,
        request("t1", stream, ExpectedVersion::NoStream, noted(1, n), vec![]),
    );
    append_ok(
        store,
        request("t2", stream, ExpectedVersion::NoStream, noted(1, 2), vec![]),
    );
    append_ok(
        store,
        request(
            "t1",
            &format!("{stream}-after"),
            ExpectedVersion::NoStream,
            noted(1, 2),
            vec![],
        ),
    );
}

fn expect_corrupt(
    what: &str,
    result: Result<impl std::fmt::Debug, StoreError>,
    stream: &str,
    version: u64,
) -> Corruption {
    match result {
        Err(StoreError::Corrupt {
            tenant,
            stream: s,
            version: v,
            problem,
        }) => {
            assert_eq!(tenant.as_str(), "t1", "{what}: the tenant is named");
            assert_eq!(s.as_str(), stream, "{what}: the stream is named");
            assert_eq!(v, version, "{what}: the version is named ({problem})");
            problem
        }
        other => panic!("{what}: expected Corrupt at t1/{stream}/{version}, got {other:?}"),
    }
}

/// Every event row of the store, readable or not, as the scan sees it.
fn scanned(store: &dyn Store) -> Vec<Result<RecordedEvent, String>> {
    let mut rows = Vec::new();
    store
        .scan(&mut |r| rows.push(r.map_err(|e| e.to_string())))
        .unwrap_or_else(|e| panic!("scan failed: {e:?}"));
    rows
}

/// Appends in every way onto a damaged stream are refused with `Corrupt` naming it, and
/// nothing is written.
fn nothing_appends_onto(store: &dyn Store, stream: &str, version: u64) {
    let before = scanned(store);
    for expected in [
        ExpectedVersion::NoStream,
        ExpectedVersion::Exact(version.saturating_sub(1).max(1)),
        ExpectedVersion::Exact(version),
        ExpectedVersion::Exact(version + 1),
        ExpectedVersion::Any,
    ] {
        let r = store.append(request(
            "t1",
            stream,
            expected,
            noted(version + 1, 1),
            vec![message("notice", "{}", instant(0))],
        ));
        assert!(
            matches!(&r, Err(StoreError::Corrupt { tenant: t, stream: s, .. })
                if t.as_str() == "t1" && s.as_str() == stream),
            "append with {expected:?} onto damaged t1/{stream}: expected Corrupt, got {r:?}"
        );
    }
    assert_eq!(
        scanned(store),
        before,
        "nothing was appended onto t1/{stream}"
    );
    assert_eq!(count(store, "t1", "pending"), 0, "no outbox message either");
}

/// The neighbours of a damaged stream read as before, and so do other tenants' logs.
fn neighbours_read(store: &dyn Store, stream: &str) {
    let (before, after) = (format!("{stream}-before"), format!("{stream}-after"));
    assert_eq!(versions(&read(store, "t1", &before, 1)), vec![1, 2]);
    assert_eq!(versions(&read(store, "t1", &after, 1)), vec![1, 2]);
    assert_eq!(versions(&read(store, "t2", stream, 1)), vec![1, 2]);
    let t2 = store
        .read_tenant(&TenantId::new("t2"), 0, 100)
        .unwrap_or_else(|e| panic!("t2's log fails because of t1's damage: {e:?}"));
    assert_eq!(t2.len(), 2);
    let t2_visited = visited(store, "t2", 0, 100)
        .unwrap_or_else(|e| panic!("t2's log visited fails because of t1's damage: {e:?}"));
    assert_eq!(t2_visited, t2);
    // The neighbours still take appends.
    append_ok(
        store,
        request("t1", &after, ExpectedVersion::Exact(2), noted(3, 1), vec![]),
    );
}

fn findings(store: &dyn Store) -> Vec<Finding> {
    verify_scan(store).unwrap_or_else(|e| panic!("verify_scan failed: {e:?}"))
}

/// A deleted row in the middle of a stream: reading it fails with `Corrupt` naming the
/// missing version, nothing is appended onto it whatever the expected version, its
/// neighbours read and write as before, and the whole-store scan names it.
pub fn a_version_gap_is_corruption(store: &dyn Store, corrupter: &Corrupter) {
    damaged_world(store, "gap", 4);
    assert!(
        damage(corrupter, "t1", "gap", 2, Damage::Delete),
        "every store can lose a row"
    );
    let problem = expect_corrupt(
        "read_stream",
        store.read_stream(&TenantId::new("t1"), &StreamId::new("gap"), 1),
        "gap",
        2,
    );
    assert_eq!(
        problem,
        Corruption::VersionOutOfOrder {
            expected: 2,
            found: 3
        }
    );
    nothing_appends_onto(store, "gap", 4);
    neighbours_read(store, "gap");
    let found = findings(store);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (
            found[0].tenant.as_str(),
            found[0].stream.as_str(),
            found[0].version
        ),
        ("t1", "gap", 2)
    );
}

/// Two versions that trade places (the later one written first): reading fails with
/// `Corrupt` naming the second; when they are the last two, nothing is appended.
pub fn swapped_versions_are_corruption(store: &dyn Store, corrupter: &Corrupter) {
    damaged_world(store, "swap", 4);
    let swap = |a: u64, b: u64| {
        assert!(damage(corrupter, "t1", "swap", a, Damage::SetVersion(1000)));
        assert!(damage(corrupter, "t1", "swap", b, Damage::SetVersion(a)));
        assert!(damage(corrupter, "t1", "swap", 1000, Damage::SetVersion(b)));
    };
    swap(3, 4);
    let problem = expect_corrupt(
        "read_stream",
        store.read_stream(&TenantId::new("t1"), &StreamId::new("swap"), 1),
        "swap",
        4,
    );
    assert!(
        matches!(problem, Corruption::PositionOutOfOrder { .. }),
        "{problem:?}"
    );
    nothing_appends_onto(store, "swap", 4);
    neighbours_read(store, "swap");
    swap(1, 2);
    expect_corrupt(
        "read_stream",
        store.read_stream(&TenantId::new("t1"), &StreamId::new("swap"), 1),
        "swap",
        2,
    );
    let found = findings(store);
    let named: Vec<u64> = found.iter().map(|f| f.version).collect();
    assert_eq!(named, vec![2, 4], "{found:?}");
}

/// A row that cannot be read (each kind the store can hold): `read_stream` fails with
/// `Corrupt` naming it, `read_all` returns the events before it and then fails naming
/// it, other streams and other tenants' logs read as before, and the scan names it.
pub fn unreadable_rows_are_corruption(store: &dyn Store, corrupter: &Corrupter) {
    let mut tried = 0;
    for (k, d) in Damage::UNREADABLE.into_iter().enumerate() {
        let stream = format!("bad-{k}");
        let start = read_everything(store).last().map_or(0, |e| e.position);
        damaged_world(store, &stream, 3);
        if !damage(corrupter, "t1", &stream, 2, d) {
            eprintln!("  (this store cannot hold {d:?})");
            continue;
        }
        tried += 1;
        let problem = expect_corrupt(
            &format!("read_stream after {d:?}"),
            store.read_stream(&TenantId::new("t1"), &StreamId::new(&stream), 1),
            &stream,
            2,
        );
        assert!(
            matches!(problem, Corruption::Unreadable { .. }),
            "{d:?}: {problem:?}"
        );
        // Reading from version 3 on does not meet the bad row.
        assert_eq!(versions(&read(store, "t1", &stream, 3)), vec![3]);
        // The global log: the events before the bad row, then an error naming it.
        let before = store
            .read_all(start, 1000)
            .unwrap_or_else(|e| panic!("read_all up to the bad row: {e:?}"));
        assert_eq!(
            before.len(),
            3,
            "{d:?}: read_all returns the events before the bad row"
        );
        let at = before.last().map_or(start, |e| e.position);
        expect_corrupt(
            &format!("read_all at the bad row after {d:?}"),
            store.read_all(at, 1000),
            &stream,
            2,
        );
        expect_corrupt(
            &format!("read_tenant at the bad row after {d:?}"),
            store.read_tenant(&TenantId::new("t1"), at, 1000),
            &stream,
            2,
        );
        // Visited, the tenant's log does the same: the events before the bad row, then
        // an error naming it (nothing of it is handed over).
        let t1_before = visited(store, "t1", start, 1000)
            .unwrap_or_else(|e| panic!("visit_tenant up to the bad row: {e:?}"));
        assert_eq!(
            t1_before, before,
            "{d:?}: visit_tenant hands over the events before the bad row"
        );
        expect_corrupt(
            &format!("visit_tenant at the bad row after {d:?}"),
            visited(store, "t1", at, 1000),
            &stream,
            2,
        );
        assert_eq!(
            versions(&read(store, "t1", &format!("{stream}-after"), 1)),
            vec![1, 2]
        );
        assert_eq!(versions(&read(store, "t2", &stream, 1)), vec![1, 2]);
        let t2 = store
            .read_tenant(&TenantId::new("t2"), 0, 1000)
            .unwrap_or_else(|e| panic!("t2's log fails because of t1's damage: {e:?}"));
        assert_eq!(t2.len(), 2 * (k + 1));
        let found = findings(store);
        assert!(
            found.iter().any(|f| f.tenant.as_str() == "t1"
                && f.stream.as_str() == stream
                && f.version == 2),
            "{d:?}: the scan names the row: {found:?}"
        );
        // Remove the bad row so the next kind starts from a readable log.
        assert!(damage(corrupter, "t1", &stream, 2, Damage::Delete));
    }
    eprintln!("  {tried} kinds of unreadable rows tried");
}

/// A claimed message is not handed out again while claimed; delivered is final;
/// messages not yet available are not claimed.
pub fn outbox_claim_and_deliver(store: &dyn Store) {
    let now_msg = message("notice", "{\"n\":1}", instant(0));
    let later_msg = message("reminder", "{\"n\":2}", instant(60));
    append_ok(
        store,
        request(
            "t1",
            "matter-ob",
            ExpectedVersion::NoStream,
            noted(1, 1),
            vec![now_msg.clone(), later_msg.clone()],
        ),
    );
    assert_eq!(count(store, "t1", "pending"), 2);
    let records = store
        .claim(instant(0), Duration::minutes(5), 10)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(records.len(), 1, "only the available message");
    assert_eq!(records[0].message, now_msg);
    assert_eq!(records[0].tenant.as_str(), "t1");
    assert_eq!(
        (records[0].attempts, records[0].last_error.clone()),
        (0, None)
    );
    assert!(
        claim(store, instant(1), 5, 10).is_empty(),
        "claimed once at a time"
    );
    assert_eq!(count(store, "t1", "claimed"), 1);
    store
        .mark_delivered(now_msg.id)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(count(store, "t1", "delivered"), 1);
    assert_eq!(claim(store, instant(60), 5, 10), vec![later_msg.id]);
    store
        .mark_delivered(later_msg.id)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        claim(store, instant(10_000), 5, 10).is_empty(),
        "delivered is final"
    );
    assert_eq!(count(store, "t1", "delivered"), 2);
    assert_eq!(count(store, "t1", "pending"), 0);
}

/// `undelivered` lists a tenant's messages not yet delivered, oldest first, at most
/// `limit`, and changes nothing: a claim afterwards still gets them.
pub fn outbox_undelivered_listing(store: &dyn Store) {
    let first = message("notice", "{\"n\":1}", instant(0));
    let second = message("reminder", "{\"n\":2}", instant(60));
    let other = message("notice", "{\"n\":3}", instant(0));
    append_ok(
        store,
        request(
            "t1",
            "matter-ul",
            ExpectedVersion::NoStream,
            noted(1, 1),
            vec![first.clone(), second.clone()],
        ),
    );
    append_ok(
        store,
        request(
            "t2",
            "matter-ul",
            ExpectedVersion::NoStream,
            noted(1, 1),
            vec![other],
        ),
    );
    let t1 = TenantId::new("t1");
    let listed = |limit| {
        store
            .undelivered(&t1, limit)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .into_iter()
            .map(|r| r.message.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        listed(10),
        vec![first.id, second.id],
        "oldest first, one tenant"
    );
    assert_eq!(listed(1), vec![first.id]);
    assert_eq!(
        listed(10),
        vec![first.id, second.id],
        "listing changes nothing"
    );
    assert_eq!(count(store, "t1", "pending"), 2);
    assert_eq!(
        claim(store, instant(0), 5, 10).len(),
        2,
        "t1's first and t2's"
    );
    store
        .mark_delivered(first.id)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        listed(10),
        vec![second.id],
        "delivered ones leave the listing"
    );
}

/// Claims take the oldest available messages first, at most `limit`.
pub fn outbox_claim_order_and_limit(store: &dyn Store) {
    let msgs: Vec<OutboxMessage> = [30, 10, 40, 20, 0]
        .iter()
        .map(|&m| message("notice", &format!("{{\"at\":{m}}}"), instant(m)))
        .collect();
    append_ok(
        store,
        request(
            "t1",
            "matter-ord",
            ExpectedVersion::NoStream,
            noted(1, 1),
            msgs.clone(),
        ),
    );
    assert_eq!(
        claim(store, instant(100), 5, 2),
        vec![msgs[4].id, msgs[1].id]
    );
    assert_eq!(
        claim(store, instant(100), 5, 2),
        vec![msgs[3].id, msgs[0].id]
    );
    assert_eq!(claim(store, instant(100), 5, 2), vec![msgs[2].id]);
    assert!(claim(store, instant(100), 5, 2).is_empty());
}

/// A claim whose lease ran out without delivery or failure is claimable again (a
/// dispatcher that died loses nothing).
pub fn outbox_lease_expiry(store: &dyn Store) {
    let m = message("notice", "{}", instant(0));
    append_ok(
        store,
        request(
            "t1",
            "matter-lease",
            ExpectedVersion::NoStream,
            noted(1, 1),
            vec![m.clone()],
        ),
    );
    assert_eq!(claim(store, instant(0), 5, 10), vec![m.id]);
    assert!(
        claim(store, instant(4), 5, 10).is_empty(),
        "lease still running"
    );
    assert_eq!(claim(store, instant(5), 5, 10), vec![m.id], "lease ran out");
    assert!(
        claim(store, instant(9), 5, 10).is_empty(),
        "the new lease runs"
    );
    store
        .mark_delivered(m.id)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(claim(store, instant(100), 5, 10).is_empty());
}

/// `mark_failed` with a retry time makes the message pending again at that time, with
/// the attempt counted and the error kept; without one it parks the message.
pub fn outbox_retry_and_park(store: &dyn Store) {
    let m = message("notice", "{}", instant(0));
    let other = message("notice", "{}", instant(0));
    append_ok(
        store,
        request(
            "t1",
            "matter-retry",
            ExpectedVersion::NoStream,
            noted(1, 1),
            vec![m.clone(), other.clone()],
        ),
    );
    assert_eq!(claim(store, instant(0), 5, 1), vec![m.id]);
    store
        .mark_failed(m.id, "smtp: 451 försök senare", Some(instant(10)))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(count(store, "t1", "pending"), 2);
    assert_eq!(
        claim(store, instant(5), 60, 10),
        vec![other.id],
        "not before retry"
    );
    let again = store
        .claim(instant(10), Duration::minutes(5), 10)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].message.id, m.id);
    assert_eq!(again[0].attempts, 1);
    assert_eq!(
        again[0].last_error.as_deref(),
        Some("smtp: 451 försök senare")
    );
    assert_eq!(again[0].message.available_at, instant(10));
    store
        .mark_failed(m.id, "smtp: 550 ingen sådan mottagare", None)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let parked = store
        .parked(&TenantId::new("t1"))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].message.id, m.id);
    assert_eq!(parked[0].status, OutboxStatus::Parked);
    assert_eq!(parked[0].attempts, 2);
    assert_eq!(
        parked[0].last_error.as_deref(),
        Some("smtp: 550 ingen sådan mottagare")
    );
    assert!(
        store
            .parked(&TenantId::new("t2"))
            .unwrap_or_else(|e| panic!("{e:?}"))
            .is_empty()
    );
    assert_eq!(count(store, "t1", "parked"), 1);
    assert_eq!(
        count(store, "t1", "claimed"),
        1,
        "the other is still claimed"
    );
    assert!(claim(store, instant(100_000), 5, 10).contains(&other.id));
    assert_eq!(count(store, "t1", "parked"), 1, "parked is never claimed");
}

/// Marking a message that does not exist is [`StoreError::UnknownMessage`].
pub fn outbox_unknown_message(store: &dyn Store) {
    let id = Uuid::new_v4();
    match store.mark_delivered(id) {
        Err(StoreError::UnknownMessage(u)) => assert_eq!(u, id),
        other => panic!("expected UnknownMessage, got {other:?}"),
    }
    match store.mark_failed(id, "x", None) {
        Err(StoreError::UnknownMessage(u)) => assert_eq!(u, id),
        other => panic!("expected UnknownMessage, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Thread helpers

/// What [`concurrent_appends`] observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RaceReport {
    /// Appends written (writers × appends each).
    pub appended: u64,
    /// Conflicts the writers got (and retried after).
    pub conflicts: u64,
}

/// `writers` threads each append `appends_each` single-event commands to one stream,
/// each reading the stream's version and appending with it, retrying after a conflict.
/// Checks that every command landed exactly once, versions are 1..=N with no gap or
/// duplicate, and no error other than a conflict occurred.
pub fn concurrent_appends(
    store: Arc<dyn Store>,
    writers: usize,
    appends_each: usize,
) -> RaceReport {
    let tenant = TenantId::new("race");
    let stream = StreamId::new(format!("matter-race-{}", Uuid::new_v4().simple()));
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            let (tenant, stream) = (tenant.clone(), stream.clone());
            std::thread::spawn(move || {
                let mut conflicts = 0u64;
                for i in 0..appends_each {
                    let command_id = CommandId::random();
                    loop {
                        let current = store
                            .read_stream(&tenant, &stream, 1)
                            .unwrap_or_else(|e| panic!("read failed: {e:?}"))
                            .last()
                            .map_or(0, |e| e.version);
                        let req = AppendRequest {
                            tenant: tenant.clone(),
                            stream: stream.clone(),
                            expected: ExpectedVersion::at(current),
                            command_id,
                            actor: format!("writer-{w}").into(),
                            recorded_at: instant(0),
                            events: vec![event("Noted", &format!("{{\"writer\":{w},\"i\":{i}}}"))],
                            outbox: vec![],
                        };
                        match store.append(req) {
                            Ok(a) => {
                                assert_eq!(a.version, current + 1, "won the next version");
                                break;
                            }
                            Err(StoreError::Conflict { .. }) => conflicts += 1,
                            Err(e) => panic!("writer {w} got {e:?}"),
                        }
                    }
                }
                conflicts
            })
        })
        .collect();
    let conflicts: u64 = handles
        .into_iter()
        .map(|h| h.join().unwrap_or_else(|_| panic!("a writer panicked")))
        .sum();
    let events = store
        .read_stream(&tenant, &stream, 1)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let total = (writers * appends_each) as u64;
    assert_eq!(
        versions(&events),
        (1..=total).collect::<Vec<_>>(),
        "no gaps"
    );
    let distinct: BTreeSet<&str> = events.iter().map(|e| e.payload.as_str()).collect();
    assert_eq!(distinct.len() as u64, total, "every command exactly once");
    let commands: BTreeSet<CommandId> = events.iter().map(|e| e.command_id).collect();
    assert_eq!(commands.len() as u64, total);
    RaceReport {
        appended: total,
        conflicts,
    }
}

/// `writers` threads append `appends_each` commands (2 events each) to their own streams
/// while a follower reads `read_all` from its last seen position, continuously. Checks
/// that the follower saw exactly the final log: no event was skipped (a late committer
/// is never behind a position already handed out to the follower) and none seen twice.
/// Returns the number of events followed.
pub fn follower_sees_every_event(
    store: Arc<dyn Store>,
    writers: usize,
    appends_each: usize,
) -> usize {
    let start = read_everything(&*store).last().map_or(0, |e| e.position);
    let done = Arc::new(AtomicBool::new(false));
    let follower = {
        let (store, done) = (store.clone(), done.clone());
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            let mut after = start;
            loop {
                // Read `done` before reading, so the last pass sees every commit.
                let finished = done.load(Ordering::SeqCst);
                let page = store
                    .read_all(after, 64)
                    .unwrap_or_else(|e| panic!("follower read failed: {e:?}"));
                if let Some(last) = page.last() {
                    after = last.position;
                    seen.extend(page);
                } else if finished {
                    return seen;
                } else {
                    std::thread::yield_now();
                }
            }
        })
    };
    let run = Uuid::new_v4().simple().to_string();
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let store = store.clone();
            let run = run.clone();
            std::thread::spawn(move || {
                for i in 0..appends_each {
                    let req = request(
                        "follow",
                        &format!("matter-{run}-{w}"),
                        ExpectedVersion::at(2 * i as u64),
                        noted(2 * i as u64 + 1, 2),
                        vec![],
                    );
                    store
                        .append(req)
                        .unwrap_or_else(|e| panic!("writer {w} failed: {e:?}"));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap_or_else(|_| panic!("a writer panicked"));
    }
    done.store(true, Ordering::SeqCst);
    let seen = follower
        .join()
        .unwrap_or_else(|_| panic!("the follower panicked"));
    let all: Vec<RecordedEvent> = read_everything(&*store)
        .into_iter()
        .filter(|e| e.position > start)
        .collect();
    assert_eq!(
        all.len(),
        writers * appends_each * 2,
        "every event is in the log"
    );
    let seen_positions: Vec<u64> = seen.iter().map(|e| e.position).collect();
    let all_positions: Vec<u64> = all.iter().map(|e| e.position).collect();
    let skipped = all_positions
        .iter()
        .filter(|p| seen_positions.binary_search(p).is_err())
        .count();
    assert_eq!(skipped, 0, "the follower skipped {skipped} events");
    assert_eq!(
        seen_positions, all_positions,
        "the follower saw the log as it is"
    );
    seen.len()
}

// ---------------------------------------------------------------------------------------
// Idempotency records

fn reserve(
    store: &dyn Store,
    tenant: &TenantId,
    key: CommandId,
    fingerprint: &str,
    caller: &str,
    now: DateTime<Utc>,
) -> Reservation {
    store
        .reserve(ReserveRequest {
            tenant,
            key,
            fingerprint,
            caller,
            now,
            stale_after: Duration::minutes(1),
        })
        .unwrap_or_else(|e| panic!("reserve {key} failed: {e:?}"))
}

/// A key is reserved once per tenant, with its fingerprint and caller, before the
/// request runs; a second reservation sees the record (in flight, then with its
/// response); complete and release act only on the in-flight reservation of the same
/// fingerprint; a stale in-flight reservation is taken over by the same fingerprint
/// only; another tenant's key of the same id is another key.
pub fn idempotency_records(store: &dyn Store) {
    let t1 = TenantId::new("t1");
    let key = CommandId::random();
    assert_eq!(
        store.idempotency_record(&t1, key).expect("read"),
        None,
        "no record before the first request"
    );
    assert_eq!(
        reserve(store, &t1, key, "fp-a", "jaana", instant(0)),
        Reservation::Reserved
    );
    let Reservation::Existing(in_flight) = reserve(store, &t1, key, "fp-a", "jaana", instant(0))
    else {
        panic!("a second reservation of the same key is not the first's");
    };
    assert_eq!(in_flight.fingerprint, "fp-a");
    assert_eq!(in_flight.caller, "jaana");
    assert_eq!(in_flight.reserved_at, instant(0));
    assert_eq!(in_flight.response, None, "still in flight");
    let Reservation::Existing(other) = reserve(store, &t1, key, "fp-b", "mallory", instant(0))
    else {
        panic!("another request with the key got it");
    };
    assert_eq!(other.fingerprint, "fp-a", "the first request's fingerprint");
    assert_eq!(other.caller, "jaana");

    let response = StoredResponse {
        status: 201,
        body: "{\"version\":1,\"title\":\"Förskolan i Åre\"}".to_owned(),
        etag: Some("\"1\"".to_owned()),
    };
    assert!(
        !store
            .complete(&t1, key, "fp-b", &response)
            .expect("complete"),
        "another fingerprint completes nothing"
    );
    assert!(
        store
            .complete(&t1, key, "fp-a", &response)
            .expect("complete"),
        "the reserving request completes its key"
    );
    assert!(
        !store
            .complete(&t1, key, "fp-a", &response)
            .expect("complete"),
        "a completed record is not completed again"
    );
    assert!(
        !store.release(&t1, key, "fp-a").expect("release"),
        "a completed record is not released"
    );
    let Reservation::Existing(done) = reserve(store, &t1, key, "fp-a", "jaana", instant(10)) else {
        panic!("a completed key was reserved again");
    };
    assert_eq!(done.response.as_ref(), Some(&response));
    let no_etag = StoredResponse {
        status: 422,
        body: "{}".to_owned(),
        etag: None,
    };

    // Another tenant: another key.
    let t2 = TenantId::new("t2");
    assert_eq!(
        reserve(store, &t2, key, "fp-b", "mallory", instant(0)),
        Reservation::Reserved
    );
    assert!(
        store
            .complete(&t2, key, "fp-b", &no_etag)
            .expect("complete")
    );
    assert_eq!(
        store
            .idempotency_record(&t2, key)
            .expect("read")
            .and_then(|r| r.response),
        Some(no_etag)
    );

    // Release: the key is free again, for any request.
    let free = CommandId::random();
    assert_eq!(
        reserve(store, &t1, free, "fp-a", "jaana", instant(0)),
        Reservation::Reserved
    );
    assert!(!store.release(&t1, free, "fp-b").expect("release"));
    assert!(store.release(&t1, free, "fp-a").expect("release"));
    assert_eq!(store.idempotency_record(&t1, free).expect("read"), None);
    assert_eq!(
        reserve(store, &t1, free, "fp-b", "mallory", instant(1)),
        Reservation::Reserved
    );

    // A stale in-flight reservation (its process died): the same request takes it
    // over, another never does.
    let stale = CommandId::random();
    assert_eq!(
        reserve(store, &t1, stale, "fp-a", "jaana", instant(0)),
        Reservation::Reserved
    );
    assert!(
        matches!(
            reserve(store, &t1, stale, "fp-b", "mallory", instant(5)),
            Reservation::Existing(r) if r.fingerprint == "fp-a"
        ),
        "another request never takes a reservation over"
    );
    assert!(
        matches!(
            reserve(
                store,
                &t1,
                stale,
                "fp-a",
                "jaana",
                instant(0) + Duration::seconds(30)
            ),
            Reservation::Existing(_)
        ),
        "a fresh reservation is not taken over"
    );
    assert_eq!(
        reserve(store, &t1, stale, "fp-a", "jaana", instant(5)),
        Reservation::Reserved,
        "the same request takes a stale reservation over"
    );
    let taken = store
        .idempotency_record(&t1, stale)
        .expect("read")
        .expect("a record");
    assert_eq!(taken.reserved_at, instant(5));
}

/// `requests` threads reserve one key at once, each with its own fingerprint, `rounds`
/// times: each round exactly one gets it, and every other sees the winner's
/// fingerprint.
pub fn idempotency_race(store: Arc<dyn Store>, requests: usize, rounds: usize) {
    let tenant = TenantId::new("t1");
    for round in 0..rounds {
        let key = CommandId::random();
        let barrier = Arc::new(std::sync::Barrier::new(requests));
        let handles: Vec<_> = (0..requests)
            .map(|i| {
                let (store, barrier, tenant) = (store.clone(), barrier.clone(), tenant.clone());
                std::thread::spawn(move || {
                    let fingerprint = format!("fp-{i}");
                    barrier.wait();
                    let r = reserve(&*store, &tenant, key, &fingerprint, "racer", instant(0));
                    (fingerprint, r)
                })
            })
            .collect();
        let answers: Vec<(String, Reservation)> = handles
            .into_iter()
            .map(|h| h.join().expect("a racer panicked"))
            .collect();
        let winners: Vec<&String> = answers
            .iter()
            .filter(|(_, r)| *r == Reservation::Reserved)
            .map(|(f, _)| f)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {answers:?}");
        for (f, r) in &answers {
            if let Reservation::Existing(rec) = r {
                assert_eq!(
                    &rec.fingerprint, winners[0],
                    "round {round}: {f} saw {rec:?}"
                );
            }
        }
    }
}
