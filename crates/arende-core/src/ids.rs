//! Typed identifiers: one newtype per kind of thing, so a body id is never taken for a party id.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// The text is shared (`Arc<str>`): a clone, as every event, fact and stored row
        /// that names the id makes one, copies no bytes and allocates nothing.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Makes an id from its text form (as written in the configuration).
            pub fn new(id: impl Into<String>) -> Self {
                Self(Arc::from(id.into()))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id's shared text (a reference count, no copy).
            pub fn shared(&self) -> Arc<str> {
                self.0.clone()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(Arc::from(s))
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(Arc::from(s))
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        // The JSON form is the bare string, as before the text was shared.
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(SharedStrVisitor).map(Self)
            }
        }
    };
}

/// Reads a string into an `Arc<str>` with one allocation (no intermediate `String` when
/// the deserializer lends the text).
pub(crate) struct SharedStrVisitor;

impl serde::de::Visitor<'_> for SharedStrVisitor {
    type Value = Arc<str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Arc<str>, E> {
        Ok(Arc::from(v))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Arc<str>, E> {
        Ok(Arc::from(v))
    }
}

string_id!(
    /// A county organisation (tenant): one configuration, e.g. `orebro`.
    TenantId
);
string_id!(
    /// A party (part): the Region, a municipality (kommun) or another actor.
    PartyId
);
string_id!(
    /// A county part (länsdel), e.g. `north`.
    CountyPartId
);
string_id!(
    /// A body (organ): a group, council or political body that meets.
    BodyId
);
string_id!(
    /// A person taking part in bodies.
    PersonId
);
string_id!(
    /// A route (beslutsväg) a kind of matter follows.
    RouteId
);
string_id!(
    /// A step of a route.
    StepId
);
string_id!(
    /// A planned meeting (sammanträde), e.g. `cg-joint-2024-11-15`.
    MeetingId
);

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A fresh, time-ordered id (UUID v7) from the given instant.
            pub fn new_at(at: chrono::DateTime<chrono::Utc>) -> Self {
                let ts = uuid::Timestamp::from_unix(
                    uuid::NoContext,
                    at.timestamp().max(0) as u64,
                    at.timestamp_subsec_nanos(),
                );
                Self(uuid::Uuid::new_v7(ts))
            }

            /// A random id (UUID v4).
            pub fn random() -> Self {
                Self(uuid::Uuid::new_v4())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;

            /// Parses the hyphenated (or simple) UUID text form.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// A matter (ärende).
    MatterId
);
uuid_id!(
    /// An assignment (uppdrag).
    AssignmentId
);
uuid_id!(
    /// A command, used to make retries idempotent.
    CommandId
);

/// A hash map for the core's internal maps keyed by ids (stream ids, step ids, command
/// ids): foldhash, seeded per process, instead of SipHash, which cost 8 % of a command.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A paragraph (§) of a meeting's minutes: where a decision is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MinutesRef {
    /// The meeting.
    pub meeting: MeetingId,
    /// The paragraph number (§).
    pub paragraph: u32,
}

impl fmt::Display for MinutesRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} § {}", self.meeting, self.paragraph)
    }
}

/// An id that the configuration or the store does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} \"{id}\"")]
pub struct UnknownId {
    /// What kind of id (`body`, `party`, `person`, `route`, `meeting`, `matter`, …).
    pub kind: &'static str,
    /// The id.
    pub id: String,
}

impl UnknownId {
    /// An unknown id of `kind`.
    pub fn new(kind: &'static str, id: impl fmt::Display) -> Self {
        UnknownId {
            kind,
            id: id.to_string(),
        }
    }
}

/// A command id derived from its parts, stable across retries and restarts (FNV-1a,
/// 128 bits, as a UUID version 8). A scheduler can use e.g.
/// `derived_command_id(&["notice", meeting.as_str()])` so that a retried send writes
/// nothing twice.
pub fn derived_command_id(parts: &[&str]) -> CommandId {
    const OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
    const PRIME: u128 = 0x0000000001000000000000000000013B;
    let mut h = OFFSET;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0x1f)) {
            h ^= u128::from(b);
            h = h.wrapping_mul(PRIME);
        }
    }
    CommandId(uuid::Builder::from_custom_bytes(h.to_be_bytes()).into_uuid())
}
