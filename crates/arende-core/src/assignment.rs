//! The assignment (uppdrag) aggregate.

/// A refused assignment command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssignmentError {}
