//! The errors of the notification crate.

use arende_core::store::StoreError;

/// What can go wrong outside a single delivery (a delivery failure is retried or
/// parked, never returned).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// The outbox's store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The engine refused or failed a command (scheduler).
    #[error(transparent)]
    Core(#[from] arende_core::Error),
    /// Templates could not be loaded.
    #[error(transparent)]
    Templates(#[from] crate::template::TemplateErrors),
    /// An existing JetStream stream forgets message ids sooner than the dispatcher may
    /// publish a message again: a retry would be stored twice.
    #[error(
        "nats stream {stream} has a duplicate window of {window:?}, shorter than the dispatcher's redelivery horizon of {horizon:?}: raise the stream's duplicate_window (e.g. `nats stream edit {stream} --dupe-window 24h`)"
    )]
    DuplicateWindowTooShort {
        /// The stream.
        stream: String,
        /// Its duplicate window.
        window: std::time::Duration,
        /// How long after a first attempt a message may be published again.
        horizon: std::time::Duration,
    },
    /// A transport could not be set up (bad address, secret too short, …).
    #[error("{transport} transport cannot be set up: {message}")]
    Setup {
        /// Which transport.
        transport: &'static str,
        /// What is wrong.
        message: String,
    },
}
