//! The matter (ärende) aggregate: its commands, events and state machine.

/// A refused matter command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MatterError {}
