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
    Matter(#[from] crate::matter::MatterError),
    /// A meeting or minutes command was refused.
    #[error(transparent)]
    Meeting(#[from] crate::meeting::MeetingError),
    /// An assignment command was refused.
    #[error(transparent)]
    Assignment(#[from] crate::assignment::AssignmentError),
    /// A forecast could not be made.
    #[error(transparent)]
    Forecast(#[from] crate::forecast::ForecastError),
    /// A date, or a date computed from a query's arguments, outside the supported dates.
    #[error(transparent)]
    Date(#[from] crate::org::DateError),
    /// A follow or unfollow was refused.
    #[error(transparent)]
    Subscription(#[from] crate::subscription::SubscriptionError),
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
    /// An id that the configuration does not know.
    #[error("unknown {kind} \"{id}\"")]
    Unknown {
        /// What kind of id (`body`, `party`, `person`, `route`, `meeting`, `matter`).
        kind: &'static str,
        /// The id.
        id: String,
    },
}

impl Error {
    /// Whether this is an optimistic-concurrency conflict (retry after reloading).
    pub fn is_conflict(&self) -> bool {
        matches!(self, Error::Store(StoreError::Conflict { .. }))
    }
}
