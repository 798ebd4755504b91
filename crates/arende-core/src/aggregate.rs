//! Event-sourced aggregates: a matter, a meeting and an assignment are each a stream of
//! events; the state is the fold of the events (`apply`), and a command is checked
//! against the state (`decide`) to yield new events or a typed error.
//!
//! Events are stored as their serde JSON (externally tagged: `{"Variant": {…}}`) with
//! the variant name as the event type, so a stored event is readable without the code.
//! The kernel writes each event in an audit envelope, `{"event": {"Variant": {…}},
//! "audit": {…}}` ([`Audit`]: who, on which mandate, under which configuration);
//! events stored before the envelope read as they are, with the mandate and the
//! configuration unknown.

use std::borrow::Cow;

use serde::Serialize;
use serde::de::DeserializeOwned;

use serde::Deserialize;

use crate::ids::{BodyId, TenantId};
use crate::store::{EventData, RecordedEvent, StreamId};
use crate::terms::Mandate;

/// An event type that can be stored.
pub trait Event: Serialize + DeserializeOwned + Clone + std::fmt::Debug {
    /// The event's type name (the enum variant), e.g. `MatterRegistered`.
    fn event_type(&self) -> &'static str;
    /// Every event type name this enum knows, to tell "unknown" from "corrupt".
    fn known_types() -> &'static [&'static str];
    /// The key of the aggregate this event names, when it names one (a matter's
    /// `Submitted` carries the matter's id): such an event stored in a stream other than
    /// `{PREFIX}-{key}` is corrupt ([`DecodeError::ForeignAggregate`]). By default an
    /// event names none.
    fn subject(&self) -> Option<String> {
        None
    }
    /// The body and the mandate this event was taken under, for events that are the
    /// exercise of a mandate (a decision, a recommendation, a readiness check, a
    /// political decision). By default none.
    fn mandate(&self) -> Option<(BodyId, Mandate)> {
        None
    }
}

/// The audit record of an event (revisionsspår): who issued the command, the mandate
/// the event was taken under, and the configuration in force — so that "who decided
/// this, on which mandate, under which rules" is answered years later.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Audit {
    /// Who issued the command (a person id, or `system:<name>`).
    pub actor: String,
    /// The body and the mandate it acted under, for decisions, recommendations and
    /// readiness checks; `None` for other events, and unknown for events stored before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mandate: Option<AuditMandate>,
    /// The configuration version: the county's declared version and a hash of the
    /// configuration (`2024.3#9f2c…`); `None` (unknown) for events stored before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
}

/// A body's mandate, as recorded in an [`Audit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditMandate {
    /// The body that acted.
    pub body: BodyId,
    /// The mandate (mandat) it acted under.
    pub mandate: Mandate,
}

/// The stored form of an event with its audit record.
#[derive(Serialize)]
struct Enveloped<'a, E> {
    event: &'a E,
    audit: AuditRef<'a>,
}

/// [`Audit`] with borrowed text: the same JSON, written without copying the actor and
/// the configuration version into every event.
#[derive(Serialize)]
struct AuditRef<'a> {
    actor: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    mandate: Option<AuditMandate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<&'a str>,
}

#[derive(Deserialize)]
struct EnvelopedOwned<E> {
    event: E,
}

/// The start of an enveloped payload (no event variant is named `event`).
const ENVELOPE: &str = "{\"event\":";

/// Encodes an event with its audit record (the mandate taken from the event).
pub fn encode_audited<E: Event>(event: &E, actor: &str, config: Option<&str>) -> EventData {
    let audit = AuditRef {
        actor,
        mandate: event
            .mandate()
            .map(|(body, mandate)| AuditMandate { body, mandate }),
        config,
    };
    // One buffer of about the size of a matter event with its envelope (most are
    // 150–400 bytes), so it rarely grows.
    let mut buf = Vec::with_capacity(384);
    let payload = match serde_json::to_writer(&mut buf, &Enveloped { event, audit }) {
        // serde_json writes only UTF-8.
        Ok(()) => String::from_utf8(buf).unwrap_or_default(),
        Err(e) => format!(
            "{{\"EncodingFailed\":{}}}",
            serde_json::Value::String(e.to_string())
        ),
    };
    EventData {
        event_type: Cow::Borrowed(event.event_type()),
        payload,
    }
}

/// The audit record of a stored event; for an event stored before the envelope, the
/// store's actor with the mandate and the configuration unknown. Never fails on a
/// payload it cannot read: the audit of such an event is as unknown.
pub fn audit_of(rec: &RecordedEvent) -> Audit {
    #[derive(Deserialize)]
    struct AuditOnly {
        audit: Audit,
    }
    if rec.payload.starts_with(ENVELOPE)
        && let Ok(a) = serde_json::from_str::<AuditOnly>(&rec.payload)
    {
        return a.audit;
    }
    Audit {
        actor: rec.actor.to_string(),
        mandate: None,
        config: None,
    }
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
    #[error("unknown event type {event_type} at version {version} of stream {stream} of {tenant}")]
    UnknownType {
        /// The organisation.
        tenant: TenantId,
        /// The stream.
        stream: StreamId,
        /// The version.
        version: u64,
        /// The unknown type.
        event_type: String,
    },
    /// The payload does not parse as the type it claims to be.
    #[error(
        "corrupt event {event_type} at version {version} of stream {stream} of {tenant}: {reason}"
    )]
    Corrupt {
        /// The organisation.
        tenant: TenantId,
        /// The stream.
        stream: StreamId,
        /// The version.
        version: u64,
        /// The stored type.
        event_type: String,
        /// What the parser said.
        reason: String,
    },
    /// The event names another aggregate than the one its stream is for (e.g. a
    /// `Submitted` carrying another matter's id).
    #[error(
        "event {event_type} at version {version} of stream {stream} of {tenant} belongs to \
         {names}"
    )]
    ForeignAggregate {
        /// The organisation.
        tenant: TenantId,
        /// The stream.
        stream: StreamId,
        /// The version.
        version: u64,
        /// The stored type.
        event_type: String,
        /// The stream the event names.
        names: StreamId,
    },
}

/// Encodes an event for the store.
pub fn encode<E: Event>(event: &E) -> EventData {
    EventData {
        event_type: Cow::Borrowed(event.event_type()),
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
    if !E::known_types().contains(&&*rec.event_type) {
        return Err(DecodeError::UnknownType {
            tenant: rec.tenant.clone(),
            stream: rec.stream.clone(),
            version: rec.version,
            event_type: rec.event_type.to_string(),
        });
    }
    let parsed = if rec.payload.starts_with(ENVELOPE) {
        serde_json::from_str::<EnvelopedOwned<E>>(&rec.payload).map(|x| x.event)
    } else {
        serde_json::from_str::<E>(&rec.payload)
    };
    let event: E = parsed.map_err(|e| DecodeError::Corrupt {
        tenant: rec.tenant.clone(),
        stream: rec.stream.clone(),
        version: rec.version,
        event_type: rec.event_type.to_string(),
        reason: e.to_string(),
    })?;
    if event.event_type() != rec.event_type {
        return Err(DecodeError::Corrupt {
            tenant: rec.tenant.clone(),
            stream: rec.stream.clone(),
            version: rec.version,
            event_type: rec.event_type.to_string(),
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

/// Decodes a stored event of aggregate `A`: [`decode`], and the event must name no
/// other aggregate than the one its stream is for ([`Event::subject`]).
pub fn decode_for<A: Aggregate>(rec: &RecordedEvent) -> Result<A::Event, DecodeError> {
    let event: A::Event = decode(rec)?;
    if let Some(key) = event.subject() {
        let names = format!("{}-{}", A::PREFIX, key);
        if names != rec.stream.as_str() {
            return Err(DecodeError::ForeignAggregate {
                tenant: rec.tenant.clone(),
                stream: rec.stream.clone(),
                version: rec.version,
                event_type: rec.event_type.to_string(),
                names: StreamId::new(names),
            });
        }
    }
    Ok(event)
}

/// Folds stored events into a state, returning it and the stream's version. Each event
/// is decoded with [`decode_for`].
pub fn fold<A: Aggregate>(records: &[RecordedEvent]) -> Result<(A, u64), DecodeError> {
    let mut state = A::default();
    let mut version = 0;
    for rec in records {
        let e: A::Event = decode_for::<A>(rec)?;
        state.apply(&e);
        version = rec.version;
    }
    Ok((state, version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::CommandId;
    use serde::Deserialize;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    enum Probe {
        Opened { id: String },
        Noted,
    }

    impl Event for Probe {
        fn event_type(&self) -> &'static str {
            match self {
                Probe::Opened { .. } => "Opened",
                Probe::Noted => "Noted",
            }
        }
        fn known_types() -> &'static [&'static str] {
            &["Opened", "Noted"]
        }
        fn subject(&self) -> Option<String> {
            match self {
                Probe::Opened { id } => Some(id.clone()),
                Probe::Noted => None,
            }
        }
    }

    #[derive(Debug, Clone, Default)]
    struct Thing(u32);

    impl Aggregate for Thing {
        type Event = Probe;
        const PREFIX: &'static str = "thing";
        fn apply(&mut self, _: &Probe) {
            self.0 += 1;
        }
    }

    fn rec(stream: &str, version: u64, event: &Probe) -> RecordedEvent {
        let data = encode(event);
        RecordedEvent {
            position: version,
            tenant: TenantId::new("orebro"),
            stream: StreamId::new(stream),
            version,
            event_type: data.event_type,
            payload: data.payload,
            actor: "x".into(),
            command_id: CommandId::random(),
            recorded_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn an_audited_event_reads_back_with_its_audit_and_an_old_one_as_unknown() {
        let opened = Probe::Opened { id: "a".into() };
        let data = encode_audited(&opened, "tina", Some("2024.1#00ff"));
        assert!(data.payload.starts_with(ENVELOPE), "{}", data.payload);
        let mut r = rec("thing-a", 1, &opened);
        r.payload = data.payload;
        r.actor = "tina".into();
        assert_eq!(decode::<Probe>(&r).unwrap(), opened);
        assert_eq!(
            audit_of(&r),
            Audit {
                actor: "tina".into(),
                mandate: None,
                config: Some("2024.1#00ff".into()),
            }
        );
        // Stored before the envelope: the event reads, its audit is the store's actor
        // with the mandate and the configuration unknown.
        let old = rec("thing-a", 1, &opened);
        assert_eq!(decode::<Probe>(&old).unwrap(), opened);
        assert_eq!(
            audit_of(&old),
            Audit {
                actor: "x".into(),
                mandate: None,
                config: None,
            }
        );
        // An envelope that does not parse is corrupt, never a panic.
        let mut bad = rec("thing-a", 1, &opened);
        bad.payload = "{\"event\": 7, \"audit\": 1}".into();
        assert!(matches!(
            decode::<Probe>(&bad),
            Err(DecodeError::Corrupt { .. })
        ));
        assert_eq!(audit_of(&bad).config, None);
    }

    #[test]
    fn an_event_naming_its_own_aggregate_folds() {
        let opened = Probe::Opened { id: "a".into() };
        let records = [rec("thing-a", 1, &opened), rec("thing-a", 2, &Probe::Noted)];
        let (state, version) = fold::<Thing>(&records).expect("fold");
        assert_eq!((state.0, version), (2, 2));
    }

    #[test]
    fn an_event_naming_another_aggregate_is_corruption_naming_the_row() {
        let opened = Probe::Opened { id: "b".into() };
        let records = [rec("thing-a", 1, &opened)];
        match fold::<Thing>(&records) {
            Err(DecodeError::ForeignAggregate {
                tenant,
                stream,
                version,
                names,
                ..
            }) => {
                assert_eq!(tenant.as_str(), "orebro");
                assert_eq!(stream.as_str(), "thing-a");
                assert_eq!(version, 1);
                assert_eq!(names.as_str(), "thing-b");
            }
            other => panic!("expected ForeignAggregate, got {other:?}"),
        }
    }
}
