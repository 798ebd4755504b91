//! Per-body meeting indices: every planned (not cancelled) meeting a body can handle a
//! matter at, sorted by date, so the first meeting after a date is a binary search.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::ids::{BodyId, MeetingId};
use crate::org::{Body, BodyKind, MeetingStatus, Organisation, PlannedMeeting};

/// One meeting a body can handle a matter at, with its cut-offs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Slot {
    /// The meeting day.
    pub date: NaiveDate,
    /// The notice date: documents must be ready by then.
    pub notice: NaiveDate,
    /// The call-for-matters date.
    pub call: NaiveDate,
    /// The meeting.
    pub meeting: MeetingId,
}

/// Why no meeting was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NoSlot {
    /// The last meeting day in the body's plan, if it has any.
    pub plan_ends: Option<NaiveDate>,
}

/// The meeting plans of every body, indexed for search by date.
#[derive(Debug, Clone, Default)]
pub(crate) struct MeetingIndex {
    plans: Vec<Vec<Slot>>,
    by_body: HashMap<BodyId, usize>,
}

/// Whether `meeting` is one that `body` meets at: it lists the body, lists a joint
/// session the body is part of, or (for a joint session) lists every body of the session.
fn takes_part(body: &Body, joint_sessions: &[&Body], meeting: &PlannedMeeting) -> bool {
    if meeting.bodies.contains(&body.id) {
        return true;
    }
    if joint_sessions
        .iter()
        .any(|j| meeting.bodies.contains(&j.id))
    {
        return true;
    }
    body.kind == BodyKind::JointSession
        && !body.joint_of.is_empty()
        && body.joint_of.iter().all(|b| meeting.bodies.contains(b))
}

impl MeetingIndex {
    /// Indexes every body's meetings once.
    pub fn new(org: &Organisation) -> MeetingIndex {
        let mut index = MeetingIndex {
            plans: Vec::with_capacity(org.bodies.len()),
            by_body: HashMap::with_capacity(org.bodies.len()),
        };
        for body in org.bodies.values() {
            let joint: Vec<&Body> = org.joint_sessions_of(&body.id).collect();
            let mut slots: Vec<Slot> = org
                .meetings
                .iter()
                .filter(|m| m.status != MeetingStatus::Cancelled && takes_part(body, &joint, m))
                .map(|m| Slot {
                    date: m.date,
                    notice: m.notice,
                    call: m.call_for_matters,
                    meeting: m.id.clone(),
                })
                .collect();
            slots.sort_by_key(|s| (s.date, s.notice));
            index.by_body.insert(body.id.clone(), index.plans.len());
            index.plans.push(slots);
        }
        index
    }

    /// The plan number of a body, for [`MeetingIndex::first_in`].
    pub fn plan_of(&self, body: &BodyId) -> Option<usize> {
        self.by_body.get(body).copied()
    }

    /// The meetings a body can handle matters at, in date order.
    pub fn slots(&self, body: &BodyId) -> &[Slot] {
        self.plan_of(body)
            .and_then(|p| self.plans.get(p))
            .map_or(&[], Vec::as_slice)
    }

    /// The meetings of plan `plan` (see [`MeetingIndex::plan_of`]), in date order.
    pub fn plan(&self, plan: usize) -> &[Slot] {
        self.plans.get(plan).map_or(&[], Vec::as_slice)
    }

    /// Adds a meeting to a body's plan (for what-if), keeping the order.
    pub fn add(&mut self, body: &BodyId, slot: Slot) {
        let plan = match self.plan_of(body) {
            Some(p) => p,
            None => {
                self.by_body.insert(body.clone(), self.plans.len());
                self.plans.push(Vec::new());
                self.plans.len() - 1
            }
        };
        if let Some(slots) = self.plans.get_mut(plan) {
            let at = slots.partition_point(|s| (s.date, s.notice) <= (slot.date, slot.notice));
            slots.insert(at, slot);
        }
    }

    /// Removes a meeting from every plan (for what-if). Returns whether it was there.
    pub fn remove(&mut self, meeting: &MeetingId) -> bool {
        let mut found = false;
        for slots in &mut self.plans {
            let before = slots.len();
            slots.retain(|s| &s.meeting != meeting);
            found |= slots.len() != before;
        }
        found
    }

    /// The first meeting of plan `plan` whose notice date is on or after `documents`
    /// (the documents are ready by the notice) and, when `after` is given, whose day is
    /// strictly after it.
    pub fn first_in(
        &self,
        plan: usize,
        documents: NaiveDate,
        after: Option<NaiveDate>,
    ) -> Result<&Slot, NoSlot> {
        let slots = self.plans.get(plan).map_or(&[][..], Vec::as_slice);
        // A notice is never after its meeting, so no meeting before `documents` fits.
        let from = match after.and_then(|a| a.succ_opt()) {
            Some(a) if a > documents => a,
            _ => documents,
        };
        let start = slots.partition_point(|s| s.date < from);
        slots[start..]
            .iter()
            .find(|s| s.notice >= documents && after.is_none_or(|a| s.date > a))
            .ok_or(NoSlot {
                plan_ends: slots.last().map(|s| s.date),
            })
    }

    /// The meeting of `body` on `date`, if it has one.
    pub fn on(&self, body: &BodyId, date: NaiveDate) -> Option<&Slot> {
        let slots = self.slots(body);
        let start = slots.partition_point(|s| s.date < date);
        slots.get(start).filter(|s| s.date == date)
    }
}
