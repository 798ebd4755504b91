//! Event-sourced aggregates: a matter, a meeting and an assignment are each a stream of
//! events; the state is the fold of the events (`apply`), and a command is checked
//! against the state (`decide`) to yield new events or a typed error.
//!
//! Events are stored as their serde JSON (externally tagged: `{"Variant": {…}}`) with
//! the variant name as the event type, so a stored event is readable without the code.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::store::{EventData, RecordedEvent, StreamId};

/// An event type that can be stored.
pub trait Event: Serialize + DeserializeOwned + Clone + std::fmt::Debug {
    /// The event's type name (the enum variant), e.g. `MatterRegistered`.
    fn event_type(&self) -> &'static str;
    /// Every event type name this enum knows, to tell "unknown" from "corrupt".
    fn known_types() -> &'static [&'static str];
}

/// State rebuilt from a stream of events.
pub trait Aggregate: Default + Clone + std::fmt::Debug {
    /// The events of this aggregate.
    type Event: Event;
    /// The stream-name prefix, e.g. `matter`.
    const PREFIX: &'static str;
    /// Folds one event into the state. Must not fail: events are facts.
    fn apply(&mut self, event: &Self::Event);
}

/// A stored event that cannot be decoded.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The stored type is not one this version knows.
    #[error("unknown event type {event_type} at version {version} of stream {stream}")]
    UnknownType {
        /// The stream.
        stream: StreamId,
        /// The version.
        version: u64,
        /// The unknown type.
        event_type: String,
    },
    /// The payload does not parse as the type it claims to be.
    #[error("corrupt event {event_type} at version {version} of stream {stream}: {reason}")]
    Corrupt {
        /// The stream.
        stream: StreamId,
        /// The version.
        version: u64,
        /// The stored type.
        event_type: String,
        /// What the parser said.
        reason: String,
    },
}

/// Encodes an event for the store.
pub fn encode<E: Event>(event: &E) -> EventData {
    EventData {
        event_type: event.event_type().to_owned(),
        // Serialising our own event enums to JSON cannot fail: they hold only strings,
        // numbers, dates and maps with string keys.
        payload: serde_json::to_string(event).unwrap_or_else(|e| {
            format!(
                "{{\"EncodingFailed\":{}}}",
                serde_json::Value::String(e.to_string())
            )
        }),
    }
}

/// Decodes a stored event, telling an unknown type from a corrupt payload.
pub fn decode<E: Event>(rec: &RecordedEvent) -> Result<E, DecodeError> {
    if !E::known_types().contains(&rec.event_type.as_str()) {
        return Err(DecodeError::UnknownType {
            stream: rec.stream.clone(),
            version: rec.version,
            event_type: rec.event_type.clone(),
        });
    }
    let event: E = serde_json::from_str(&rec.payload).map_err(|e| DecodeError::Corrupt {
        stream: rec.stream.clone(),
        version: rec.version,
        event_type: rec.event_type.clone(),
        reason: e.to_string(),
    })?;
    if event.event_type() != rec.event_type {
        return Err(DecodeError::Corrupt {
            stream: rec.stream.clone(),
            version: rec.version,
            event_type: rec.event_type.clone(),
            reason: format!("payload holds a {} event", event.event_type()),
        });
    }
    Ok(event)
}

/// What a pure `decide` yields: the events, and the notification facts to write to the
/// outbox in the same append.
#[derive(Debug, Clone)]
pub struct Decision<E> {
    /// The events.
    pub events: Vec<E>,
    /// The notifications (facts, no prose).
    pub notifications: Vec<crate::notification::Notification>,
}

impl<E> Decision<E> {
    /// Events without notifications.
    pub fn events(events: Vec<E>) -> Self {
        Decision {
            events,
            notifications: Vec::new(),
        }
    }
}

/// Folds stored events into a state, returning it and the stream's version.
pub fn fold<A: Aggregate>(records: &[RecordedEvent]) -> Result<(A, u64), DecodeError> {
    let mut state = A::default();
    let mut version = 0;
    for rec in records {
        let e: A::Event = decode(rec)?;
        state.apply(&e);
        version = rec.version;
    }
    Ok((state, version))
}
