//! Fuzz target: event decoding. The first byte picks the aggregate (matter, meeting,
//! assignment, subscriptions), the second one of its known event types (or the rest of
//! the input up to a NUL as an unknown type); the rest is the stored payload. Decoding
//! gives an event or a typed error, and a decoded event folds into the state without
//! a panic.
#![no_main]

use arende_core::aggregate::{Aggregate, Event, decode};
use arende_core::assignment::Assignment;
use arende_core::ids::{CommandId, TenantId};
use arende_core::matter::Matter;
use arende_core::meeting::Meeting;
use arende_core::store::{RecordedEvent, StreamId};
use arende_core::subscription::Subscriptions;
use libfuzzer_sys::fuzz_target;

fn run<A: Aggregate>(pick: u8, rest: &[u8]) {
    let known = <A::Event as Event>::known_types();
    let (event_type, payload) = match known.get(usize::from(pick)) {
        Some(t) => ((*t).to_owned(), rest),
        None => match rest.iter().position(|b| *b == 0) {
            Some(i) => (String::from_utf8_lossy(&rest[..i]).into_owned(), &rest[i + 1..]),
            None => (String::new(), rest),
        },
    };
    let Ok(payload) = std::str::from_utf8(payload) else {
        return;
    };
    let rec = RecordedEvent {
        position: 1,
        tenant: TenantId::new("fuzz"),
        stream: StreamId::new(format!("{}-fuzz", A::PREFIX)),
        version: 1,
        event_type: event_type.into(),
        payload: payload.to_owned(),
        actor: "fuzz".into(),
        command_id: CommandId::random(),
        recorded_at: chrono::DateTime::UNIX_EPOCH,
    };
    if let Ok(event) = decode::<A::Event>(&rec) {
        let mut state = A::default();
        state.apply(&event);
        state.apply(&event);
    }
}

fuzz_target!(|data: &[u8]| {
    let [which, pick, rest @ ..] = data else {
        return;
    };
    match which % 4 {
        0 => run::<Matter>(*pick, rest),
        1 => run::<Meeting>(*pick, rest),
        2 => run::<Assignment>(*pick, rest),
        _ => run::<Subscriptions>(*pick, rest),
    }
});
