//! The core's error type. Each variant carries what a person needs to fix the problem:
//! the body, the mandate, the step, the place in the file.

use crate::aggregate::DecodeError;
use crate::authz::{Action, Actor};
use crate::config::ConfigErrors;
use crate::ids::BodyId;
use crate::org::Role;
use crate::store::StoreError;

/// The result type of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is invalid (every problem, each with its place).
    #[error(transparent)]
    Config(#[from] ConfigErrors),
    /// The store failed, or another writer came first ([`StoreError::Conflict`]).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored event cannot be read.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A matter command was refused.
    #[error(transparent)]
    Matter(crate::matter::MatterError),
    /// A meeting or minutes command was refused.
    #[error(transparent)]
    Meeting(crate::meeting::MeetingError),
    /// An assignment command was refused.
    #[error(transparent)]
    Assignment(crate::assignment::AssignmentError),
    /// A forecast could not be made.
    #[error(transparent)]
    Forecast(#[from] crate::forecast::ForecastError),
    /// A date, or a date computed from a query's arguments, outside the supported dates.
    #[error(transparent)]
    Date(#[from] crate::org::DateError),
    /// A follow or unfollow was refused.
    #[error(transparent)]
    Subscription(crate::subscription::SubscriptionError),
    /// The actor may not take this action at this body.
    #[error("{actor} may not {} at {body}: it needs one of the roles {needed:?}", action.name())]
    NotPermitted {
        /// Who tried.
        actor: Actor,
        /// What they tried.
        action: Action,
        /// Where.
        body: BodyId,
        /// The roles that would allow it.
        needed: Vec<Role>,
    },
    /// The command is outside the actor's command scope (an integration's API key that
    /// may send only some commands, or none): refused before anything is read or
    /// written, whichever route sent it.
    #[error("{actor} may not send {command}: it is outside its command scope")]
    CommandNotInScope {
        /// Who tried.
        actor: Actor,
        /// The command's name, e.g. `matter/screen`.
        command: String,
    },
    /// An outbox message whose payload cannot be read as a notification.
    #[error("outbox message {id} cannot be read as a notification: {reason}")]
    Notification {
        /// The message.
        id: uuid::Uuid,
        /// What the parser said.
        reason: String,
    },
    /// A text in the command is out of bounds (too long, or a control character).
    #[error(transparent)]
    Input(#[from] crate::input::InputError),
    /// An id that the configuration does not know.
    #[error("unknown {kind} \"{id}\"")]
    Unknown {
        /// What kind of id (`body`, `party`, `person`, `route`, `meeting`, `matter`).
        kind: &'static str,
        /// The id.
        id: String,
    },
}

impl From<crate::authz::NotPermitted> for Error {
    fn from(e: crate::authz::NotPermitted) -> Self {
        Error::NotPermitted {
            actor: e.actor,
            action: e.action,
            body: e.body,
            needed: e.needed,
        }
    }
}

impl From<crate::authz::CommandNotInScope> for Error {
    fn from(e: crate::authz::CommandNotInScope) -> Self {
        Error::CommandNotInScope {
            actor: e.actor,
            command: e.command,
        }
    }
}

impl From<crate::ids::UnknownId> for Error {
    fn from(e: crate::ids::UnknownId) -> Self {
        Error::Unknown {
            kind: e.kind,
            id: e.id,
        }
    }
}

impl From<crate::matter::MatterError> for Error {
    fn from(e: crate::matter::MatterError) -> Self {
        use crate::matter::MatterError as M;
        match e {
            M::NotPermitted(e) => e.into(),
            M::Unknown(e) => e.into(),
            e => Error::Matter(e),
        }
    }
}

impl From<crate::meeting::MeetingError> for Error {
    fn from(e: crate::meeting::MeetingError) -> Self {
        Error::Meeting(e)
    }
}

impl From<crate::assignment::AssignmentError> for Error {
    fn from(e: crate::assignment::AssignmentError) -> Self {
        use crate::assignment::AssignmentError as A;
        match e {
            A::NotPermitted(e) => e.into(),
            A::Unknown(e) => e.into(),
            e => Error::Assignment(e),
        }
    }
}

impl From<crate::subscription::SubscriptionError> for Error {
    fn from(e: crate::subscription::SubscriptionError) -> Self {
        use crate::subscription::SubscriptionError as S;
        match e {
            S::Unknown(e) => e.into(),
            e => Error::Subscription(e),
        }
    }
}

impl Error {
    /// Whether this is an optimistic-concurrency conflict (retry after reloading).
    pub fn is_conflict(&self) -> bool {
        matches!(self, Error::Store(StoreError::Conflict { .. }))
    }
}
