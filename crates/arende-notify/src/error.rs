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
    /// A transport could not be set up (bad address, secret too short, …).
    #[error("{transport} transport cannot be set up: {message}")]
    Setup {
        /// Which transport.
        transport: &'static str,
        /// What is wrong.
        message: String,
    },
}
