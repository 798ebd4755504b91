//! The meeting (sammanträde) aggregate: call for matters, notice, attendance, agenda,
//! minutes, adjustment and distribution.

/// A refused meeting command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MeetingError {}
