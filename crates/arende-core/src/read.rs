//! The read API: every query in one place, apart from the commands. Reads take no lock
//! that a command takes on its hot path: an aggregate's state is folded from its stream
//! in the store (not from the kernel's cache), and the matter read model has its own
//! lock, which commands never take.
//!
//! `engine.read()` gives a [`Read`]; its methods are nouns with the subject first:
//! `read.matter(id)`, `read.meeting(&id)`, `read.matters_at(&body, status)`,
//! `read.proposed_agenda(&meeting, &[], language)`, `read.owed_feedback()`,
//! `read.overdue_assignments(as_of)`, `read.follow_ups_due(from, to)`,
//! `read.legal_force(matter)` (each party's laga-kraft dates), `read.legal_overdue(as_of)`,
//! `read.notice_board(&party)`, …

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::aggregate::{Aggregate, fold};
use crate::assignment::{Assignment, AssignmentError};
use crate::calendar::{Conflict, Deadline, IcsOptions, conflicts, to_ics};
use crate::clock::Clock;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::ids::{AssignmentId, BodyId, MatterId, MeetingId, PartyId, PersonId, UnknownId};
use crate::legal::{LegalDates, LegalPeriods, legal_dates};
use crate::matter::{Matter, MatterStatus, PartyLegal};
use crate::meeting::{
    Candidate, ItemKind, Language, Meeting, MeetingError, MeetingPhase, ProposedAgenda,
    build_agenda, render_markdown, standard_agenda,
};
use crate::notification::Recipient;
use crate::org::{MeetingStatus, Organisation, PlannedMeeting};
use crate::projection::{MatterProjection, MatterSummary, OwedFeedback, RemissDue};
use crate::route::Purpose;
use crate::store::{EventStore, RecordedEvent};
use crate::subscription::{FollowTarget, SUBSCRIPTIONS_KEY, Subscriptions};

/// An assignment with its due date resolved, as the queries return it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentView {
    /// The id.
    pub id: AssignmentId,
    /// The state.
    pub assignment: Assignment,
    /// The due date (None when due at a meeting no longer in the plan).
    pub due_date: Option<NaiveDate>,
}

/// A matter's follow-up or the end of its extension falling due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateDue {
    /// The matter.
    pub matter: MatterId,
    /// Its title.
    pub title: String,
    /// What falls due: `follow-up` (uppföljning) or `valid-until` (giltig till, the end of an extension).
    pub what: &'static str,
    /// The date.
    pub date: NaiveDate,
}

/// One party's decision on a matter on its way to legal force (laga kraft), with the
/// dates of [`crate::legal::legal_dates`]: recorded where recorded, else the latest the
/// law allows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PartyLegalView {
    /// The matter.
    pub matter: MatterId,
    /// Its title.
    pub title: String,
    /// The party.
    pub party: PartyId,
    /// The state recorded on the matter.
    pub recorded: PartyLegal,
    /// The dates of the rule.
    pub dates: LegalDates,
    /// The first day in legal force with the recorded appeals (överklaganden) taken into
    /// account: `None` while one lodged in time is pending, or when the decision was
    /// annulled; else the rule's day, or the day the last ruling was final if later.
    pub in_force_from: Option<NaiveDate>,
}

/// A step towards legal force that is overdue (a reminder is due for it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LegalOverdue {
    /// The matter.
    pub matter: MatterId,
    /// Its title.
    pub title: String,
    /// The party.
    pub party: PartyId,
    /// Its political body.
    pub body: BodyId,
    /// What is overdue: `adjustment` (justering) or `announcement` (anslag).
    pub what: &'static str,
    /// The day of the decision.
    pub decided_on: NaiveDate,
    /// The day it was due.
    pub due: NaiveDate,
}

/// A notice on a party's notice board (anslagstavla): the minutes with its decision on
/// a matter are adjusted, and the appeal period runs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NoticeBoardEntry {
    /// The matter.
    pub matter: MatterId,
    /// Its title.
    pub title: String,
    /// The political body whose minutes were adjusted.
    pub body: BodyId,
    /// The day of the decision (the meeting).
    pub decided_on: NaiveDate,
    /// The day the minutes were adjusted.
    pub adjusted_on: NaiveDate,
    /// The day of the notice.
    pub announced_on: NaiveDate,
    /// Whether the notice came later than the law allows.
    pub late: bool,
    /// The last day to appeal (laglighetsprövning).
    pub appeal_ends: NaiveDate,
    /// The first day the decision is in legal force unless appealed (the day after the
    /// appeal period).
    pub legal_force: NaiveDate,
    /// Whether an appeal was lodged in time (överklagat): the decision is in legal force
    /// only once it is settled (see [`PartyLegal::force_from_facts`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub appealed: bool,
}

/// A notification waiting in the outbox, read without claiming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingNotification {
    /// The outbox message's id (every transport's idempotency key).
    pub id: uuid::Uuid,
    /// Where it stands (pending, claimed by a dispatcher, parked).
    pub status: crate::store::OutboxStatus,
    /// How many deliveries failed so far.
    pub attempts: u32,
    /// The last failure.
    pub last_error: Option<String>,
    /// Not before this instant.
    pub available_at: chrono::DateTime<chrono::Utc>,
    /// The facts to tell.
    pub notification: crate::notification::Notification,
}

/// The read API of an engine; see the module docs.
pub struct Read<'e, S, C> {
    engine: &'e Engine<S, C>,
}

impl<S: EventStore, C: Clock> Engine<S, C> {
    /// The read API.
    pub fn read(&self) -> Read<'_, S, C> {
        Read { engine: self }
    }
}

impl<S: EventStore, C: Clock> Read<'_, S, C> {
    /// An aggregate's state and version, folded from its stream in the store.
    pub fn state<A: Aggregate>(&self, key: &str) -> Result<(A, u64)> {
        let e = self.engine;
        let stream = Engine::<S, C>::stream_of::<A>(key);
        let records = e.store().read_stream(&e.org().tenant, &stream, 1)?;
        Ok(fold::<A>(&records)?)
    }

    /// A matter's current state; an unknown id is [`Error::Unknown`].
    pub fn matter(&self, id: MatterId) -> Result<Matter> {
        Ok(self.matter_and_version(id)?.0)
    }

    /// A matter's current state and its stream's version (for `expected_version`).
    pub fn matter_and_version(&self, id: MatterId) -> Result<(Matter, u64)> {
        let (m, v) = self.state::<Matter>(&id.to_string())?;
        if m.exists() {
            Ok((m, v))
        } else {
            Err(UnknownId::new("matter", id).into())
        }
    }

    /// A meeting's state (an empty state with phase `Planned` when nothing has been
    /// recorded yet).
    pub fn meeting(&self, id: &MeetingId) -> Result<Meeting> {
        self.engine.planned(id)?;
        Ok(self.state::<Meeting>(id.as_str())?.0)
    }

    /// A meeting as it now stands in the plan: the configured plan with the moves,
    /// confirmation or cancellation recorded since (same id; raised sequence).
    pub fn effective_meeting(&self, id: &MeetingId) -> Result<PlannedMeeting> {
        let plan = self.engine.planned(id)?;
        Ok(self.meeting(id)?.effective_plan(&plan))
    }

    /// Every planned meeting as it now stands (cancelled ones included, with that
    /// status), in date order.
    pub fn meeting_plan(&self) -> Result<Vec<PlannedMeeting>> {
        let org = self.engine.org();
        let mut out = Vec::with_capacity(org.meetings.len());
        for plan in &org.meetings {
            let (state, _) = self.state::<Meeting>(plan.id.as_str())?;
            out.push(state.effective_plan(plan));
        }
        out.sort_by(|a, b| (a.date, a.start, &a.id).cmp(&(b.date, b.start, &b.id)));
        Ok(out)
    }

    /// A body's meetings as they now stand (including joint meetings it takes part in).
    pub fn body_meeting_plan(&self, body: &BodyId) -> Result<Vec<PlannedMeeting>> {
        let org = self.engine.org();
        if org.body(body).is_none() {
            return Err(UnknownId::new("body", body).into());
        }
        let joint: Vec<BodyId> = org.joint_sessions_of(body).map(|b| b.id.clone()).collect();
        Ok(self
            .meeting_plan()?
            .into_iter()
            .filter(|m| m.bodies.contains(body) || m.bodies.iter().any(|b| joint.contains(b)))
            .collect())
    }

    /// The next meeting (as it stands) of the same bodies after `meeting`.
    pub fn next_meeting_after(&self, meeting: &MeetingId) -> Result<Option<PlannedMeeting>> {
        let plan = self.effective_meeting(meeting)?;
        Ok(self.meeting_plan()?.into_iter().find(|m| {
            m.date > plan.date
                && m.status != MeetingStatus::Cancelled
                && m.bodies.iter().any(|b| plan.bodies.contains(b))
        }))
    }

    /// Meetings whose call for matters is due by `as_of` and not yet sent (for the
    /// scheduler): not cancelled, not yet held.
    pub fn meetings_due_for_call(&self, as_of: NaiveDate) -> Result<Vec<PlannedMeeting>> {
        let mut out = Vec::new();
        for plan in &self.engine.org().meetings {
            let (state, _) = self.state::<Meeting>(plan.id.as_str())?;
            let p = state.effective_plan(plan);
            if p.status != MeetingStatus::Cancelled
                && state.phase == MeetingPhase::Planned
                && p.call_for_matters <= as_of
                && p.date >= as_of
            {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Meetings whose notice is due by `as_of` and not yet sent (for the scheduler).
    pub fn meetings_due_for_notice(&self, as_of: NaiveDate) -> Result<Vec<PlannedMeeting>> {
        let mut out = Vec::new();
        for plan in &self.engine.org().meetings {
            let (state, _) = self.state::<Meeting>(plan.id.as_str())?;
            let p = state.effective_plan(plan);
            if p.status != MeetingStatus::Cancelled
                && matches!(
                    state.phase,
                    MeetingPhase::Planned | MeetingPhase::CallForMattersSent
                )
                && p.notice <= as_of
                && p.date >= as_of
            {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// The proposed agenda of a meeting: the standing items around the items dropped at
    /// the body's previous meeting (carried first), then the open matters at its bodies
    /// ([`Read::matter_candidates`]) and the `extra` candidates that make the cut-offs;
    /// the rest are deferred to the meeting where they fit.
    pub fn proposed_agenda(
        &self,
        meeting: &MeetingId,
        extra: &[Candidate],
        language: Language,
    ) -> Result<ProposedAgenda> {
        let plan = self.effective_meeting(meeting)?;
        let all = self.meeting_plan()?;
        let shares = |m: &PlannedMeeting| m.bodies.iter().any(|b| plan.bodies.contains(b));
        let following: Vec<PlannedMeeting> = all
            .iter()
            .filter(|m| m.date > plan.date && shares(m))
            .cloned()
            .collect();
        let mut all_candidates: Vec<Candidate> = Vec::new();
        if let Some(previous) = all
            .iter()
            .rfind(|m| m.date < plan.date && shares(m) && m.status != MeetingStatus::Cancelled)
        {
            let (prev, _) = self.state::<Meeting>(previous.id.as_str())?;
            for (item, _) in prev.dropped_items() {
                all_candidates.push(Candidate {
                    matter: item.matter,
                    title: item.title.clone(),
                    kind: item.kind,
                    presenter: item.presenter.clone(),
                    time_box: item.time_box,
                    submitter: item.submitter.clone(),
                    submitted_on: previous.date,
                    documents_ready_on: Some(previous.date),
                    carried_from: Some(previous.id.clone()),
                });
            }
        }
        all_candidates.extend(self.matter_candidates(meeting)?);
        all_candidates.extend(extra.iter().cloned());
        let mut built = build_agenda(&plan, &following, &all_candidates, 1);
        built.items = standard_agenda(built.items, language);
        Ok(built)
    }

    /// The open matters at a meeting's bodies that are not scheduled on another
    /// meeting, as agenda candidates (submitted on their registration day, documents
    /// ready when marked ready).
    pub fn matter_candidates(&self, meeting: &MeetingId) -> Result<Vec<Candidate>> {
        let plan = self.engine.planned(meeting)?;
        let mut out: Vec<Candidate> = Vec::new();
        // A matter at two of a joint meeting's bodies is one candidate (a set: the
        // bodies may hold thousands).
        let mut seen: std::collections::HashSet<MatterId> = std::collections::HashSet::new();
        for body in &plan.bodies {
            for s in self.matters_at(body, None)? {
                if !s.status.is_open()
                    || s.scheduled.as_ref().is_some_and(|m| m != meeting)
                    || !seen.insert(s.id)
                {
                    continue;
                }
                let m = self.matter(s.id)?;
                let kind = if m.status == MatterStatus::InformationItem {
                    ItemKind::Information
                } else {
                    match m
                        .active
                        .iter()
                        .find(|a| a.body.as_ref().is_some_and(|b| plan.bodies.contains(b)))
                        .map(|a| a.purpose)
                    {
                        Some(
                            Purpose::Decision
                            | Purpose::ReadinessCheck
                            | Purpose::PoliticalDecision,
                        ) => ItemKind::Decision,
                        Some(Purpose::Information) | None => ItemKind::Information,
                        Some(_) => ItemKind::Discussion,
                    }
                };
                out.push(Candidate {
                    matter: Some(s.id),
                    title: m.title.clone(),
                    kind,
                    presenter: None,
                    time_box: None,
                    submitter: Some(m.submitter.clone()),
                    submitted_on: m.registered_on,
                    documents_ready_on: m.documents_ready,
                    carried_from: None,
                });
            }
        }
        Ok(out)
    }

    /// A meeting's minutes rendered as Markdown.
    pub fn minutes(&self, meeting: &MeetingId, language: Language) -> Result<String> {
        let state = self.meeting(meeting)?;
        render_markdown(self.engine.org(), &state, language).ok_or_else(|| {
            MeetingError::InvalidTransition {
                meeting: meeting.clone(),
                phase: state.phase,
                action: "render minutes that are not drafted",
            }
            .into()
        })
    }

    /// An assignment's state.
    pub fn assignment(&self, id: AssignmentId) -> Result<Assignment> {
        let (state, _) = self.state::<Assignment>(&id.to_string())?;
        if state.id.is_none() {
            return Err(AssignmentError::NotFound(id).into());
        }
        Ok(state)
    }

    /// Every assignment of the organisation, with its due date resolved against the
    /// meeting plan as it stands.
    pub fn assignments(&self) -> Result<Vec<AssignmentView>> {
        let plan = self.meeting_plan()?;
        let mut out = Vec::new();
        for (_, a) in self.all_of::<Assignment>()? {
            let Some(id) = a.id else { continue };
            let due_date = a.due_date(&plan);
            out.push(AssignmentView {
                id,
                assignment: a,
                due_date,
            });
        }
        out.sort_by(|x, y| x.due_date.cmp(&y.due_date).then(x.id.cmp(&y.id)));
        Ok(out)
    }

    /// Open assignments whose due date is before `as_of` (förfallna uppdrag).
    pub fn overdue_assignments(&self, as_of: NaiveDate) -> Result<Vec<AssignmentView>> {
        Ok(self
            .assignments()?
            .into_iter()
            .filter(|v| v.assignment.is_open() && v.due_date.is_some_and(|d| d < as_of))
            .collect())
    }

    /// Open assignments due on or before `as_of` (for the scheduler's `AssignmentDue`).
    pub fn assignments_due(&self, as_of: NaiveDate) -> Result<Vec<AssignmentView>> {
        Ok(self
            .assignments()?
            .into_iter()
            .filter(|v| v.assignment.is_open() && v.due_date.is_some_and(|d| d <= as_of))
            .collect())
    }

    /// Every stream of one aggregate type of this tenant, folded, by key.
    pub fn all_of<A: Aggregate>(&self) -> Result<Vec<(String, A)>> {
        let e = self.engine;
        let prefix = format!("{}-", A::PREFIX);
        let tenant = &e.org().tenant;
        let mut streams: BTreeMap<String, Vec<RecordedEvent>> = BTreeMap::new();
        let mut after = 0;
        loop {
            let page = e.store().read_tenant(tenant, after, 1000)?;
            let Some(last) = page.last() else { break };
            after = last.position;
            for rec in page {
                if &rec.tenant == tenant && rec.stream.as_str().starts_with(&prefix) {
                    streams
                        .entry(rec.stream.as_str().to_owned())
                        .or_default()
                        .push(rec);
                }
            }
        }
        let mut out = Vec::with_capacity(streams.len());
        for (name, records) in streams {
            match fold::<A>(&records) {
                Ok((state, _)) => out.push((name[prefix.len()..].to_owned(), state)),
                Err(e) => {
                    // One damaged stream is left out of the list (and said to be), not
                    // the whole tenant's list refused.
                    let version = records
                        .iter()
                        .find(|r| crate::aggregate::decode_for::<A>(r).is_err())
                        .map_or(0, |r| r.version);
                    let mut damaged = e_lock(&self.engine.damaged);
                    damaged.insert(
                        name.clone(),
                        crate::projection::Quarantined {
                            stream: name,
                            version,
                            reason: e.to_string(),
                        },
                    );
                }
            }
        }
        Ok(out)
    }

    /// How many streams the reads have left out so far (see [`Read::quarantined`]),
    /// without reading the store: for a page's banner.
    pub fn quarantined_seen(&self) -> usize {
        let view = e_lock(&self.engine.matter_view);
        let mut streams: std::collections::BTreeSet<&str> =
            view.quarantined().map(|q| q.stream.as_str()).collect();
        let damaged = e_lock(&self.engine.damaged);
        streams.extend(damaged.values().map(|q| q.stream.as_str()));
        streams.len()
    }

    /// The streams left out of the reads because a stored event of theirs cannot be
    /// decoded (quarantined): the matters the read model found, and the streams of other
    /// aggregates the lists found so far. Empty when the store is sound.
    pub fn quarantined(&self) -> Result<Vec<crate::projection::Quarantined>> {
        let mut out: Vec<crate::projection::Quarantined> =
            self.query_matters(|p| p.quarantined().cloned().collect())?;
        for q in e_lock(&self.engine.damaged).values() {
            // A matter's stream is found by the read model and by a matter list alike.
            if !out.iter().any(|o| o.stream == q.stream) {
                out.push(q.clone());
            }
        }
        Ok(out)
    }

    /// Every current follow, up to date with the store.
    pub fn subscriptions(&self) -> Result<Subscriptions> {
        Ok(self.state::<Subscriptions>(SUBSCRIPTIONS_KEY)?.0)
    }

    /// The followers of any of `targets`, each once, as notification recipients.
    pub fn followers(&self, targets: &[FollowTarget]) -> Result<Vec<Recipient>> {
        Ok(self.subscriptions()?.recipients(self.engine.org(), targets))
    }

    /// Runs a query on the engine's matter read model after catching it up with the
    /// store.
    pub fn query_matters<R>(&self, query: impl FnOnce(&MatterProjection) -> R) -> Result<R> {
        let e = self.engine;
        let mut view = e.matter_view.lock().unwrap_or_else(|p| p.into_inner());
        view.catch_up(e.store())?;
        Ok(query(&view))
    }

    /// Every matter of the tenant, oldest first.
    pub fn matters(&self) -> Result<Vec<MatterSummary>> {
        self.query_matters(MatterProjection::all)
    }

    /// The matters at a body now, optionally in one status.
    pub fn matters_at(
        &self,
        body: &BodyId,
        status: Option<MatterStatus>,
    ) -> Result<Vec<MatterSummary>> {
        self.query_matters(|p| p.matters_at(body, status))
    }

    /// The matters in one status, at any body.
    pub fn matters_in(&self, status: MatterStatus) -> Result<Vec<MatterSummary>> {
        self.query_matters(|p| p.matters_in(status))
    }

    /// The matters a person submitted.
    pub fn matters_of_submitter(&self, person: &PersonId) -> Result<Vec<MatterSummary>> {
        self.query_matters(|p| p.matters_of_submitter(person))
    }

    /// The submitters owed feedback (återkoppling) and their matters.
    pub fn owed_feedback(&self) -> Result<Vec<OwedFeedback>> {
        self.query_matters(|p| p.owed_feedback())
    }

    /// Open matters with no change for `days` days as of `as_of`.
    pub fn stuck_matters(&self, as_of: NaiveDate, days: u32) -> Result<Vec<MatterSummary>> {
        self.query_matters(|p| p.stuck(as_of, days))?
            .map_err(Into::into)
    }

    /// Open consultations with missing responses as of `as_of` (for reminders and for
    /// "missing responses at the deadline").
    pub fn remiss_deadlines(&self, as_of: NaiveDate) -> Result<Vec<RemissDue>> {
        self.query_matters(|p| p.remiss_deadlines(as_of))
    }

    /// Follow-ups (uppföljning) and ends of extensions (förlängning) of matters falling
    /// due from `from` to `to` (both included), in date order.
    pub fn follow_ups_due(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DateDue>> {
        let mut out = Vec::new();
        for (_, m) in self.all_of::<Matter>()? {
            let Some(id) = m.id else { continue };
            let mut push = |what: &'static str, date: Option<NaiveDate>| {
                if let Some(date) = date.filter(|d| *d >= from && *d <= to) {
                    out.push(DateDue {
                        matter: id,
                        title: m.title.clone(),
                        what,
                        date,
                    });
                }
            };
            push("follow-up", m.next_follow_up);
            push("valid-until", m.valid_until);
        }
        out.sort_by_key(|a| (a.date, a.matter));
        Ok(out)
    }

    /// A matter's history: its events in order (an unknown matter has none).
    pub fn matter_history(&self, id: MatterId) -> Result<Vec<crate::matter::MatterEvent>> {
        let e = self.engine;
        let stream = Engine::<S, C>::stream_of::<Matter>(&id.to_string());
        let records = e.store().read_stream(&e.org().tenant, &stream, 1)?;
        records
            .iter()
            .map(|r| crate::aggregate::decode_for::<Matter>(r).map_err(Into::into))
            .collect()
    }

    /// Each deciding party's road to legal force (laga kraft) on a matter, in party
    /// order: the recorded dates, and the rule's dates for the rest (the latest the
    /// law allows). The forecast uses the same rule.
    pub fn legal_force(&self, id: MatterId) -> Result<Vec<PartyLegalView>> {
        let m = self.matter(id)?;
        if !m.exists() {
            return Err(UnknownId::new("matter", id).into());
        }
        Ok(self.legal_views(id, &m))
    }

    fn legal_views(&self, id: MatterId, m: &Matter) -> Vec<PartyLegalView> {
        let org = self.engine.org();
        let calendar = org.calendar();
        m.legal
            .iter()
            .filter_map(|(party, l)| {
                let body = org.body(&l.body)?;
                let dates = legal_dates(
                    &calendar,
                    LegalPeriods::of(&body.lead_times),
                    l.decided_on,
                    l.facts(),
                );
                let in_force_from = if l.appeal_pending() || l.annulled() {
                    None
                } else {
                    Some(
                        l.appeals
                            .iter()
                            .filter(|a| !a.late)
                            .filter_map(|a| a.settled.map(|s| s.on))
                            .fold(dates.legal_force, NaiveDate::max),
                    )
                };
                Some(PartyLegalView {
                    matter: id,
                    title: m.title.clone(),
                    party: party.clone(),
                    recorded: l.clone(),
                    dates,
                    in_force_from,
                })
            })
            .collect()
    }

    /// Adjustments (justering within 14 days of the meeting) and notices (anslag within
    /// 2 days of the adjustment) of political decisions overdue on `as_of` (due before
    /// it and not recorded), by due date.
    pub fn legal_overdue(&self, as_of: NaiveDate) -> Result<Vec<LegalOverdue>> {
        let mut out = Vec::new();
        for (_, m) in self.all_of::<Matter>()? {
            let Some(id) = m.id else { continue };
            for v in self.legal_views(id, &m) {
                let what = if !v.dates.adjusted_recorded {
                    Some(("adjustment", v.dates.adjust_by))
                } else if !v.dates.announced_recorded {
                    Some(("announcement", v.dates.announce_by))
                } else {
                    None
                };
                if let Some((what, due)) = what.filter(|(_, due)| *due < as_of) {
                    out.push(LegalOverdue {
                        matter: id,
                        title: v.title,
                        party: v.party,
                        body: v.recorded.body,
                        what,
                        decided_on: v.recorded.decided_on,
                        due,
                    });
                }
            }
        }
        out.sort_by(|a, b| (a.due, a.matter, &a.party).cmp(&(b.due, b.matter, &b.party)));
        Ok(out)
    }

    /// The dates of matters to watch, for the reminders of the schedule
    /// ([`crate::schedule::DateState`], `sent` left false): each step towards a
    /// party's legal force not yet recorded (due by the rule's date), each next
    /// follow-up and each end of validity of a matter not closed, with the secretaries
    /// of the body concerned as recipients.
    pub fn dates_to_watch(&self) -> Result<Vec<crate::schedule::DateState>> {
        use crate::notification::{DueStep, RecipientReason};
        use crate::schedule::DateState;
        let org = self.engine.org();
        let secretaries = |body: &BodyId| -> Vec<Recipient> {
            org.members_of(body)
                .filter(|m| m.role == crate::org::Role::Secretary)
                .filter_map(|m| org.person(&m.person))
                .map(|p| Recipient::from_person(p, RecipientReason::Member))
                .collect()
        };
        let mut out = Vec::new();
        for (_, m) in self.all_of::<Matter>()? {
            let Some(id) = m.id else { continue };
            for v in self.legal_views(id, &m) {
                let step = if !v.dates.adjusted_recorded {
                    Some((DueStep::Adjustment, v.dates.adjust_by))
                } else if !v.dates.announced_recorded {
                    Some((DueStep::Announcement, v.dates.announce_by))
                } else {
                    None
                };
                if let Some((step, date)) = step {
                    out.push(DateState {
                        matter: id,
                        matter_title: m.title.clone(),
                        step,
                        date,
                        party: Some(v.party.clone()),
                        recipients: secretaries(&v.recorded.body),
                        body: v.recorded.body,
                        sent: false,
                    });
                }
            }
            if matches!(m.status, MatterStatus::Closed(_)) {
                continue;
            }
            let admin = m
                .current_bodies()
                .into_iter()
                .next()
                .cloned()
                .unwrap_or_else(|| m.body.clone());
            for (step, date) in [
                (DueStep::FollowUp, m.next_follow_up),
                (DueStep::ValidUntil, m.valid_until),
            ] {
                if let Some(date) = date {
                    out.push(DateState {
                        matter: id,
                        matter_title: m.title.clone(),
                        step,
                        date,
                        party: None,
                        recipients: secretaries(&admin),
                        body: admin.clone(),
                        sent: false,
                    });
                }
            }
        }
        out.sort_by_key(|x| (x.date, x.key()));
        Ok(out)
    }

    /// A party's notice board (anslagstavla) as data: the notices that minutes with
    /// its decisions on matters are adjusted, newest first.
    pub fn notice_board(&self, party: &PartyId) -> Result<Vec<NoticeBoardEntry>> {
        if self.engine.org().party(party).is_none() {
            return Err(UnknownId::new("party", party).into());
        }
        let mut out = Vec::new();
        for (_, m) in self.all_of::<Matter>()? {
            let Some(id) = m.id else { continue };
            let Some(l) = m.legal.get(party) else {
                continue;
            };
            if let (Some(adjusted_on), Some(announced_on), Some(appeal_ends)) =
                (l.adjusted_on, l.announced_on, l.appeal_ends)
            {
                let legal_force = appeal_ends.succ_opt().unwrap_or(appeal_ends);
                out.push(NoticeBoardEntry {
                    matter: id,
                    title: m.title.clone(),
                    body: l.body.clone(),
                    decided_on: l.decided_on,
                    adjusted_on,
                    announced_on,
                    late: l.announced_late,
                    appeal_ends,
                    legal_force,
                    appealed: l.appeals.iter().any(|a| !a.late),
                });
            }
        }
        out.sort_by_key(|e| std::cmp::Reverse((e.announced_on, e.matter)));
        Ok(out)
    }

    /// The forecast of a stored matter: the steps it has completed, each dated by its
    /// minutes' meeting (as the plan now stands) or else by the day it was recorded,
    /// its ready date (documents ready, else registered), and the meeting plan as it
    /// now stands (meetings moved, cancelled or added at run time). `targets` are the
    /// questions to answer ("can it reach … on …?"). An unknown matter, or one on no
    /// route, is an error naming it.
    pub fn forecast(
        &self,
        id: MatterId,
        targets: &[crate::forecast::Target],
    ) -> Result<crate::forecast::Forecast> {
        let stored = self.stored_position(id)?;
        let route = stored.route()?;
        let mut input = stored.input(route);
        for t in targets {
            input = input.target(t.clone());
        }
        Ok(crate::forecast::forecast(&stored.org, &input)?)
    }

    /// The backward plan of a stored matter (bakåtplanering): from `goal` (a body's
    /// meeting, every party decided by a day, entry into force by a day), the latest day
    /// each remaining step must be taken, the last meeting that still makes it, and the
    /// slack against the forecast. The matter's position and the meeting plan are read
    /// as for [`Read::forecast`].
    pub fn plan_backward(
        &self,
        id: MatterId,
        goal: &crate::forecast::Goal,
    ) -> Result<crate::forecast::BackwardPlan> {
        let stored = self.stored_position(id)?;
        let route = stored.route()?;
        let input = stored.input(route);
        Ok(crate::forecast::plan_backward(&stored.org, &input, goal)?)
    }

    /// A stored matter's position for a forecast: the organisation with the meeting
    /// plan as it now stands, its route, ready date and completed steps.
    fn stored_position(&self, id: MatterId) -> Result<StoredPosition> {
        let e = self.engine;
        let stream = Engine::<S, C>::stream_of::<Matter>(&id.to_string());
        let records = e.store().read_stream(&e.org().tenant, &stream, 1)?;
        let plan = self.meeting_plan()?;
        let meeting_day = |m: &MeetingId| plan.iter().find(|p| &p.id == m).map(|p| p.date);
        let mut state = Matter::default();
        let mut dates: BTreeMap<crate::ids::StepId, NaiveDate> = BTreeMap::new();
        let mut decided_at: BTreeMap<crate::ids::PartyId, MeetingId> = BTreeMap::new();
        for rec in &records {
            let event = crate::aggregate::decode_for::<Matter>(rec)?;
            if let crate::matter::MatterEvent::PoliticalDecisionRecorded {
                party,
                minutes: Some(m),
                ..
            } = &event
            {
                decided_at.insert(party.clone(), m.meeting.clone());
            }
            let before = state.done.len();
            state.apply(&event);
            let recorded = rec
                .recorded_at
                .with_timezone(&chrono_tz::Europe::Stockholm)
                .date_naive();
            for done in state.done.iter().skip(before) {
                let day = done
                    .at
                    .as_ref()
                    .and_then(|a| a.minutes.as_ref())
                    .and_then(|m| meeting_day(&m.meeting))
                    .unwrap_or(recorded);
                dates.insert(done.step.clone(), day);
            }
        }
        if !state.exists() {
            return Err(UnknownId::new("matter", id).into());
        }
        let route = state
            .route
            .clone()
            .ok_or_else(|| UnknownId::new("route of matter", id))?;
        let decided = state
            .legal
            .iter()
            .map(|(party, legal)| {
                use crate::forecast::RecordedForce;
                let force = if legal.annulled() {
                    RecordedForce::Never
                } else if legal.appeal_pending() {
                    RecordedForce::AppealPending
                } else {
                    legal
                        .force_from_facts()
                        .map_or(RecordedForce::ByTheLaw, RecordedForce::From)
                };
                crate::forecast::RecordedDecision {
                    party: party.clone(),
                    on: legal.decided_on,
                    meeting: decided_at.get(party).cloned(),
                    adopted: state.political.get(party)
                        == Some(&crate::matter::PartyDecision::Adopted),
                    adjusted_on: legal.adjusted_on,
                    announced_on: legal.announced_on,
                    force,
                }
            })
            .collect();
        let mut org = (**e.org()).clone();
        org.meetings = plan.clone();
        Ok(StoredPosition {
            org,
            route,
            ready: state.documents_ready.unwrap_or(state.registered_on),
            completed: dates,
            decided,
        })
    }

    /// The open consultations (remiss) with missing responses, as calendar deadlines
    /// ("synpunkter senast …"), optionally only those sent by `body`. The entry's
    /// sequence is the matter's version, so a changed deadline raises it.
    pub fn remiss_calendar_deadlines(&self, body: Option<&BodyId>) -> Result<Vec<Deadline>> {
        let today = self.engine.clock().today();
        let due = self.remiss_deadlines(today)?;
        let mut out = Vec::with_capacity(due.len());
        for r in due {
            if body.is_some_and(|b| b != &r.body) {
                continue;
            }
            let version = self
                .query_matters(|p| p.summary(r.matter).map(|s| s.version))?
                .unwrap_or(0);
            let missing: Vec<String> = r.missing.iter().map(|m| m.to_string()).collect();
            out.push(Deadline {
                key: format!("remiss-{}", r.matter),
                summary: format!("Synpunkter senast {}: {}", r.deadline, r.title),
                due: r.deadline,
                sequence: u32::try_from(version).unwrap_or(u32::MAX),
                cancelled: false,
                description: Some(format!("Remissvar saknas från: {}", missing.join(", "))),
            });
        }
        Ok(out)
    }

    /// People who sit in two bodies meeting at overlapping times, in the plan as it
    /// now stands.
    pub fn meeting_conflicts(&self) -> Result<Vec<Conflict>> {
        Ok(conflicts(self.engine.org(), &self.meeting_plan()?))
    }

    /// A body's meeting plan as iCalendar, with its call and notice dates, the
    /// deadlines of the consultations it sent, and the given extra deadlines.
    pub fn body_calendar(
        &self,
        body: &BodyId,
        deadlines: &[Deadline],
        language: Language,
    ) -> Result<String> {
        let Some(b) = self.engine.org().body(body) else {
            return Err(Error::from(UnknownId::new("body", body)));
        };
        let options = IcsOptions {
            name: match language {
                Language::Swedish => format!("Sammanträdesplan {}", b.name),
                Language::English => format!("Meeting plan {}", b.name),
            },
            generated_at: self.engine.clock().now(),
            language,
            with_lead_dates: true,
        };
        let mut all = self.remiss_calendar_deadlines(Some(body))?;
        all.extend(deadlines.iter().cloned());
        Ok(to_ics(
            self.engine.org(),
            &self.body_meeting_plan(body)?,
            &all,
            &options,
        ))
    }

    /// Every body's meeting plan together as iCalendar, with every open consultation's
    /// deadline and the given extra deadlines.
    pub fn calendar(&self, deadlines: &[Deadline], language: Language) -> Result<String> {
        let org = self.engine.org();
        let options = IcsOptions {
            name: match language {
                Language::Swedish => format!("Sammanträdesplan {}", org.name),
                Language::English => format!("Meeting plan {}", org.name),
            },
            generated_at: self.engine.clock().now(),
            language,
            with_lead_dates: true,
        };
        let mut all = self.remiss_calendar_deadlines(None)?;
        all.extend(deadlines.iter().cloned());
        Ok(to_ics(org, &self.meeting_plan()?, &all, &options))
    }
}

impl<S: EventStore + crate::store::Outbox, C: Clock> Read<'_, S, C> {
    /// Up to `limit` of the tenant's notifications not yet delivered, oldest first, as
    /// typed facts, without claiming them (a dispatcher still gets every one). A
    /// message whose payload cannot be read is an error naming it.
    pub fn pending_notifications(&self, limit: usize) -> Result<Vec<PendingNotification>> {
        let e = self.engine;
        let records = e.store().undelivered(&e.org().tenant, limit)?;
        records
            .into_iter()
            .map(|r| {
                let notification = serde_json::from_str(&r.message.payload).map_err(|err| {
                    Error::Notification {
                        id: r.message.id,
                        reason: err.to_string(),
                    }
                })?;
                Ok(PendingNotification {
                    id: r.message.id,
                    status: r.status,
                    attempts: r.attempts,
                    last_error: r.last_error,
                    available_at: r.message.available_at,
                    notification,
                })
            })
            .collect()
    }
}

/// A stored matter's position, read for a forecast.
struct StoredPosition {
    /// The organisation, with the meeting plan as it now stands.
    org: Organisation,
    /// The matter's route.
    route: crate::ids::RouteId,
    /// The day its documents are (or were) ready.
    ready: NaiveDate,
    /// The steps it has completed, with their days.
    completed: BTreeMap<crate::ids::StepId, NaiveDate>,
    /// Its political decisions as recorded, per party.
    decided: Vec<crate::forecast::RecordedDecision>,
}

impl StoredPosition {
    fn route(&self) -> Result<&crate::route::Route> {
        self.org
            .route(&self.route)
            .ok_or_else(|| UnknownId::new("route", &self.route).into())
    }

    fn input<'r>(&self, route: &'r crate::route::Route) -> crate::forecast::ForecastInput<'r> {
        let mut input = crate::forecast::ForecastInput::new(route, self.ready);
        for (step, day) in &self.completed {
            if route.step(step).is_some() {
                input = input.completed(step.clone(), *day);
            }
        }
        input.decided.clone_from(&self.decided);
        input
    }
}

fn e_lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The map is consistent after every insert: a poisoned lock is usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}
