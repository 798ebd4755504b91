//! The meeting (sammanträde) aggregate: call for matters, notice, attendance, agenda,
//! minutes, adjustment and distribution.

/// A refused meeting command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MeetingError {}

use serde::{Deserialize, Serialize};

use crate::ids::MeetingId;

/// A paragraph (§) of a meeting's minutes: where a decision is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MinutesRef {
    /// The meeting.
    pub meeting: MeetingId,
    /// The paragraph number (§).
    pub paragraph: u32,
}
