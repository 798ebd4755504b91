//! The matter read model: a compact row per matter, built from the global event log
//! ([`EventStore::read_all`]) and caught up incrementally from the last position seen.
//! It answers the queries the domain asks for: matters per body and status, matters per
//! submitter, submitters owed feedback (återkoppling), stuck matters, and open
//! consultations (remiss) with missing responses.
//!
//! Rows keep ids as interned symbols (a `u32` per body, person, step or meeting) and no
//! history, so an open matter costs a few hundred bytes however long its stream.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use chrono_tz::Europe::Stockholm;
use serde::{Deserialize, Serialize};

use crate::aggregate::decode;
use crate::error::Result;
use crate::ids::{BodyId, MatterId, MeetingId, PersonId, TenantId};
use crate::matter::{
    Advance, Closure, Conclusion, Matter, MatterEvent, MatterKind, MatterStatus, RemissRecipient,
};
use crate::route::Purpose;
use crate::store::{EventStore, RecordedEvent};

type Sym = u32;
const NONE: Sym = u32::MAX;

#[derive(Debug, Default)]
struct Interner {
    index: HashMap<Box<str>, Sym>,
    names: Vec<Box<str>>,
}

impl Interner {
    fn sym(&mut self, s: &str) -> Sym {
        if let Some(&x) = self.index.get(s) {
            return x;
        }
        let x = self.names.len() as Sym;
        self.names.push(s.into());
        self.index.insert(s.into(), x);
        x
    }

    fn find(&self, s: &str) -> Option<Sym> {
        self.index.get(s).copied()
    }

    fn name(&self, x: Sym) -> &str {
        self.names.get(x as usize).map_or("", |s| s)
    }
}

#[derive(Debug, Clone, Copy)]
struct ActiveRow {
    step: Sym,
    body: Sym,
    purpose: Purpose,
}

#[derive(Debug, Clone)]
struct RemissRow {
    body: Sym,
    deadline: NaiveDate,
    missing: Vec<RemissRecipient>,
    recipients: u32,
}

#[derive(Debug, Clone)]
struct Row {
    title: Box<str>,
    active: Vec<ActiveRow>,
    remiss: Option<Box<RemissRow>>,
    last_change_on: NaiveDate,
    version: u32,
    last_change: u32,
    told_through: u32,
    submitter: Sym,
    body: Sym,
    last_body: Sym,
    scheduled: Sym,
    status: MatterStatus,
    kind: MatterKind,
}

/// A matter as the read model shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatterSummary {
    /// The matter.
    pub id: MatterId,
    /// Its title.
    pub title: String,
    /// Its kind.
    pub kind: MatterKind,
    /// Its status.
    pub status: MatterStatus,
    /// Who raised it.
    pub submitter: PersonId,
    /// The body it was submitted to.
    pub body: BodyId,
    /// The bodies it is at now (see [`Matter::current_bodies`]).
    pub at: Vec<BodyId>,
    /// The meeting it is scheduled on.
    pub scheduled: Option<MeetingId>,
    /// Its stream version.
    pub version: u64,
    /// Whether its submitter has not been told of its last change.
    pub owes_feedback: bool,
    /// The day of its last change (`None` when summarised from a state alone).
    pub last_change_on: Option<NaiveDate>,
}

impl Matter {
    /// The matter as the read model shows it (without the day of its last change, which
    /// only the stored events know).
    pub fn summary(&self) -> Option<MatterSummary> {
        Some(MatterSummary {
            id: self.id?,
            title: self.title.clone(),
            kind: self.kind,
            status: self.status,
            submitter: self.submitter.clone(),
            body: self.body.clone(),
            at: self.current_bodies().into_iter().cloned().collect(),
            scheduled: self.scheduled.clone(),
            version: self.version,
            owes_feedback: self.owes_feedback(),
            last_change_on: None,
        })
    }
}

/// A submitter and the matters whose last change they have not been told of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwedFeedback {
    /// The submitter.
    pub submitter: PersonId,
    /// Their matters owed feedback, oldest change first.
    pub matters: Vec<MatterSummary>,
}

/// An open consultation with responses missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemissDue {
    /// The matter.
    pub matter: MatterId,
    /// Its title.
    pub title: String,
    /// The body that sent the remiss.
    pub body: BodyId,
    /// Comments by this date.
    pub deadline: NaiveDate,
    /// How many recipients were consulted.
    pub recipients: u32,
    /// The recipients that have not answered.
    pub missing: Vec<RemissRecipient>,
    /// Days from the query date to the deadline (negative: past it).
    pub days_left: i64,
}

impl RemissDue {
    /// Whether the deadline has passed with responses missing.
    pub fn overdue(&self) -> bool {
        self.days_left < 0
    }
}

/// The matter read model of one tenant.
#[derive(Debug)]
pub struct MatterProjection {
    tenant: TenantId,
    position: u64,
    rows: HashMap<MatterId, Row>,
    syms: Interner,
    /// Matters whose stream holds an event that cannot be decoded: left out of every
    /// list (one damaged stream never takes the tenant's reads down), with the first
    /// version that failed and why.
    quarantined: BTreeMap<MatterId, Quarantined>,
}

/// A stream left out of the reads because an event of it cannot be decoded (karantän).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quarantined {
    /// The stream.
    pub stream: String,
    /// The first version that cannot be decoded.
    pub version: u64,
    /// Why, in the decoder's words.
    pub reason: String,
}

/// How many events a catch-up reads per batch.
const BATCH: usize = 1024;

impl MatterProjection {
    /// An empty read model for a tenant.
    pub fn new(tenant: TenantId) -> Self {
        MatterProjection {
            tenant,
            position: 0,
            rows: HashMap::new(),
            syms: Interner::default(),
            quarantined: BTreeMap::new(),
        }
    }

    /// The last global position applied.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// How many matters it holds.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether it holds no matter.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// An estimate of the memory the read model holds, in bytes: the table of rows (at
    /// its capacity), each row's title, current steps and open remiss, and the interned
    /// names. Allocator overhead is not counted.
    pub fn approx_bytes(&self) -> usize {
        use std::mem::size_of;
        let table = self.rows.capacity() * (size_of::<MatterId>() + size_of::<Row>() + 1);
        let rows: usize = self
            .rows
            .values()
            .map(|r| {
                r.title.len()
                    + r.active.capacity() * size_of::<ActiveRow>()
                    + r.remiss.as_ref().map_or(0, |x| {
                        size_of::<RemissRow>() + x.missing.capacity() * size_of::<RemissRecipient>()
                    })
            })
            .sum();
        let names: usize = self
            .syms
            .names
            .iter()
            .map(|n| 2 * n.len() + 2 * size_of::<Box<str>>() + size_of::<Sym>())
            .sum();
        table + rows + names
    }

    /// Reads and applies everything after the last position seen; returns how many of
    /// this tenant's matter events were applied.
    pub fn catch_up<S: EventStore + ?Sized>(&mut self, store: &S) -> Result<usize> {
        let mut applied = 0;
        loop {
            let batch = store.read_tenant(&self.tenant, self.position, BATCH)?;
            let n = batch.len();
            for rec in &batch {
                if self.apply_record(rec)? {
                    applied += 1;
                }
                self.position = rec.position;
            }
            if n < BATCH {
                return Ok(applied);
            }
        }
    }

    /// Applies one stored event (ignoring other tenants and other streams).
    pub fn apply_record(&mut self, rec: &RecordedEvent) -> Result<bool> {
        if rec.tenant != self.tenant {
            return Ok(false);
        }
        let Some(key) = rec.stream.as_str().strip_prefix("matter-") else {
            return Ok(false);
        };
        let Ok(uuid) = uuid::Uuid::parse_str(key) else {
            return Ok(false);
        };
        let id = MatterId(uuid);
        if self.quarantined.contains_key(&id) {
            return Ok(false);
        }
        let event: MatterEvent = match decode(rec) {
            Ok(e) => e,
            Err(e) => {
                // The stream is left out from here on, and said to be.
                self.rows.remove(&id);
                self.quarantined.insert(
                    id,
                    Quarantined {
                        stream: rec.stream.as_str().to_owned(),
                        version: rec.version,
                        reason: e.to_string(),
                    },
                );
                return Ok(false);
            }
        };
        let date = rec.recorded_at.with_timezone(&Stockholm).date_naive();
        self.apply(id, &event, date);
        Ok(true)
    }

    /// The matters left out because a stored event of theirs cannot be decoded.
    pub fn quarantined(&self) -> impl Iterator<Item = &Quarantined> {
        self.quarantined.values()
    }

    fn apply(&mut self, id: MatterId, event: &MatterEvent, date: NaiveDate) {
        use MatterEvent::*;
        if let Submitted {
            title,
            submitter,
            body,
            kind,
            ..
        } = event
        {
            let row = Row {
                title: title.as_str().into(),
                active: Vec::new(),
                remiss: None,
                last_change_on: date,
                version: 0,
                last_change: 0,
                told_through: 0,
                submitter: self.syms.sym(submitter.as_str()),
                body: self.syms.sym(body.as_str()),
                last_body: NONE,
                scheduled: NONE,
                status: MatterStatus::Registered,
                kind: *kind,
            };
            self.rows.insert(id, row);
        }
        let syms = &mut self.syms;
        let Some(row) = self.rows.get_mut(&id) else {
            return;
        };
        row.version += 1;
        if event.is_change() {
            row.last_change = row.version;
            row.last_change_on = date;
        }
        if let Some(at) = event.at() {
            row.last_body = syms.sym(at.body.as_str());
        }
        let active_row = |syms: &mut Interner, a: &crate::matter::ActiveStep| ActiveRow {
            step: syms.sym(a.step.as_str()),
            body: a.body.as_ref().map_or(NONE, |b| syms.sym(b.as_str())),
            purpose: a.purpose,
        };
        let advance = |row: &mut Row, syms: &mut Interner, adv: &Advance| {
            let done = syms.sym(adv.completed.as_str());
            row.active.retain(|a| a.step != done);
            for a in &adv.activated {
                let r = active_row(syms, a);
                if !row.active.iter().any(|x| x.step == r.step) {
                    row.active.push(r);
                }
            }
            row.scheduled = NONE;
            refresh(row);
        };
        match event {
            Submitted { .. } => {}
            CaseNumberRegistered { .. }
            | DocumentsReady { .. }
            | Extended { .. }
            | PartyMinutesAdjusted { .. }
            | Announced { .. }
            | AppealLodged { .. }
            | AppealSettled { .. }
            | AssignmentReportReceived { .. }
            | RevisionStarted { .. } => {}
            ScreenedAsInformation { .. } => row.status = MatterStatus::InformationItem,
            AcceptedForHandling { activated, .. } | Escalated { activated, .. } => {
                row.active = activated.iter().map(|a| active_row(syms, a)).collect();
                row.status = MatterStatus::InProgress;
                row.scheduled = NONE;
                refresh(row);
            }
            Redirected { to, .. } => {
                row.body = syms.sym(to.as_str());
                row.status = MatterStatus::Registered;
                row.scheduled = NONE;
            }
            AnsweredDirectly { .. } => row.status = MatterStatus::Closed(Closure::AnsweredDirectly),
            Scheduled { meeting, .. } => row.scheduled = syms.sym(meeting.as_str()),
            Presented { advance: a, .. }
            | Prepared { advance: a, .. }
            | Recommended { advance: a, .. }
            | ReadinessChecked { advance: a, .. }
            | Decided { advance: a, .. }
            | ForwardedToPolitical { advance: a, .. } => match a {
                Some(a) => advance(row, syms, a),
                None => row.scheduled = NONE,
            },
            DirectionDecided { .. } => row.scheduled = NONE,
            RemissSent {
                at,
                recipients,
                deadline,
                ..
            } => {
                row.remiss = Some(Box::new(RemissRow {
                    body: syms.sym(at.body.as_str()),
                    deadline: *deadline,
                    missing: recipients.clone(),
                    recipients: recipients.len() as u32,
                }));
            }
            RemissResponseRecorded { recipient, .. } => {
                if let Some(r) = &mut row.remiss {
                    r.missing.retain(|x| x != recipient);
                }
            }
            ResponsesWorkedIn { advance: a, .. } => {
                row.remiss = None;
                if let Some(a) = a {
                    advance(row, syms, a);
                }
            }
            ReferredBack {
                to, deactivated, ..
            } => {
                let gone: Vec<Sym> = deactivated.iter().map(|s| syms.sym(s.as_str())).collect();
                row.active.retain(|a| !gone.contains(&a.step));
                let r = active_row(syms, to);
                if !row.active.iter().any(|x| x.step == r.step) {
                    row.active.push(r);
                }
                row.scheduled = NONE;
                refresh(row);
            }
            Tabled { next_meeting, .. } => {
                row.scheduled = next_meeting.as_ref().map_or(NONE, |m| syms.sym(m.as_str()));
            }
            DroppedFromAgenda { moved_to, .. } => {
                row.scheduled = moved_to.as_ref().map_or(NONE, |m| syms.sym(m.as_str()));
            }
            Withdrawn { .. } => {
                row.status = MatterStatus::Closed(Closure::Withdrawn);
                row.scheduled = NONE;
            }
            Filed { .. } => {
                row.status = MatterStatus::Closed(Closure::Filed);
                row.scheduled = NONE;
            }
            PoliticalDecisionRecorded { advance: a, .. } | FollowedUp { advance: a, .. } => {
                if let Some(a) = a {
                    advance(row, syms, a);
                }
            }
            EnteredIntoForce { advance: a, .. } => {
                row.status = MatterStatus::InForce;
                if let Some(a) = a {
                    advance(row, syms, a);
                }
            }
            Concluded { outcome } => {
                if row.status != MatterStatus::InForce {
                    row.status = match outcome {
                        Conclusion::Rejected => MatterStatus::Closed(Closure::Rejected),
                        _ => MatterStatus::Decided,
                    };
                }
            }
            Revised { .. } => row.status = MatterStatus::Closed(Closure::Revised),
            FeedbackGiven { through, .. } => {
                row.told_through = row.told_through.max(*through as u32);
            }
        }
    }

    fn bodies_of(&self, row: &Row) -> Vec<Sym> {
        let mut out = Vec::new();
        if matches!(
            row.status,
            MatterStatus::InProgress | MatterStatus::PoliticalProcess
        ) {
            for a in &row.active {
                if a.body != NONE && !out.contains(&a.body) {
                    out.push(a.body);
                }
            }
        }
        if out.is_empty() {
            out.push(match row.status {
                MatterStatus::Registered | MatterStatus::InformationItem => row.body,
                _ if row.last_body != NONE => row.last_body,
                _ => row.body,
            });
        }
        out
    }

    fn summarise(&self, id: MatterId, row: &Row) -> MatterSummary {
        let s = |x: Sym| self.syms.name(x).to_owned();
        MatterSummary {
            id,
            title: row.title.to_string(),
            kind: row.kind,
            status: row.status,
            submitter: PersonId::new(s(row.submitter)),
            body: BodyId::new(s(row.body)),
            at: self
                .bodies_of(row)
                .into_iter()
                .map(|b| BodyId::new(s(b)))
                .collect(),
            scheduled: (row.scheduled != NONE).then(|| MeetingId::new(s(row.scheduled))),
            version: u64::from(row.version),
            owes_feedback: row.last_change > row.told_through,
            last_change_on: Some(row.last_change_on),
        }
    }

    fn collect(&self, mut keep: impl FnMut(&Row) -> bool) -> Vec<MatterSummary> {
        let mut out: Vec<MatterSummary> = self
            .rows
            .iter()
            .filter(|(_, r)| keep(r))
            .map(|(id, r)| self.summarise(*id, r))
            .collect();
        out.sort_by_key(|s| s.id);
        out
    }

    /// One matter.
    pub fn summary(&self, id: MatterId) -> Option<MatterSummary> {
        self.rows.get(&id).map(|r| self.summarise(id, r))
    }

    /// The matters at a body now (see [`Matter::current_bodies`]), optionally only those
    /// in one status, oldest first.
    pub fn matters_at(&self, body: &BodyId, status: Option<MatterStatus>) -> Vec<MatterSummary> {
        let Some(b) = self.syms.find(body.as_str()) else {
            return Vec::new();
        };
        self.collect(|r| status.is_none_or(|s| r.status == s) && self.bodies_of(r).contains(&b))
    }

    /// Every matter of the tenant, oldest first (the published reads page through it).
    pub fn all(&self) -> Vec<MatterSummary> {
        self.collect(|_| true)
    }

    /// The matters in a status, oldest first.
    pub fn matters_in(&self, status: MatterStatus) -> Vec<MatterSummary> {
        self.collect(|r| r.status == status)
    }

    /// How many matters each body has, per status.
    pub fn counts_per_body(&self) -> BTreeMap<BodyId, BTreeMap<MatterStatus, usize>> {
        let mut out: BTreeMap<BodyId, BTreeMap<MatterStatus, usize>> = BTreeMap::new();
        for r in self.rows.values() {
            for b in self.bodies_of(r) {
                *out.entry(BodyId::new(self.syms.name(b)))
                    .or_default()
                    .entry(r.status)
                    .or_insert(0) += 1;
            }
        }
        out
    }

    /// The matters a person submitted, oldest first.
    pub fn matters_of_submitter(&self, person: &PersonId) -> Vec<MatterSummary> {
        let Some(p) = self.syms.find(person.as_str()) else {
            return Vec::new();
        };
        self.collect(|r| r.submitter == p)
    }

    /// The submitters owed feedback, each with the matters whose last change they have
    /// not been told of (oldest change first); submitters in id order.
    pub fn owed_feedback(&self) -> Vec<OwedFeedback> {
        let mut per: BTreeMap<PersonId, Vec<MatterSummary>> = BTreeMap::new();
        for (id, r) in &self.rows {
            if r.last_change > r.told_through {
                let s = self.summarise(*id, r);
                per.entry(s.submitter.clone()).or_default().push(s);
            }
        }
        per.into_iter()
            .map(|(submitter, mut matters)| {
                matters.sort_by_key(|m| (m.last_change_on, m.id));
                OwedFeedback { submitter, matters }
            })
            .collect()
    }

    /// Open matters (registered, information items, in progress, in the political
    /// process) with no change for at least `days` days as of `as_of`, longest stuck first.
    pub fn stuck(
        &self,
        as_of: NaiveDate,
        days: u32,
    ) -> Result<Vec<MatterSummary>, crate::org::DateError> {
        let limit = crate::org::offset_date("stuck_matters.days", as_of, -i64::from(days))?;
        let mut out = self.collect(|r| r.status.is_open() && r.last_change_on <= limit);
        out.sort_by_key(|s| (s.last_change_on, s.id));
        Ok(out)
    }

    /// Open consultations with missing responses as of `as_of`, earliest deadline first:
    /// those still running (for reminders) and those past their deadline (overdue).
    pub fn remiss_deadlines(&self, as_of: NaiveDate) -> Vec<RemissDue> {
        let mut out: Vec<RemissDue> = self
            .rows
            .iter()
            .filter_map(|(id, r)| {
                let rem = r.remiss.as_ref()?;
                if rem.missing.is_empty() || r.status.is_closed() {
                    return None;
                }
                Some(RemissDue {
                    matter: *id,
                    title: r.title.to_string(),
                    body: BodyId::new(self.syms.name(rem.body)),
                    deadline: rem.deadline,
                    recipients: rem.recipients,
                    missing: rem.missing.clone(),
                    days_left: (rem.deadline - as_of).num_days(),
                })
            })
            .collect();
        out.sort_by_key(|d| (d.deadline, d.matter));
        out
    }
}

fn refresh(row: &mut Row) {
    if matches!(
        row.status,
        MatterStatus::InProgress | MatterStatus::PoliticalProcess
    ) {
        row.status = if row
            .active
            .iter()
            .any(|a| a.purpose == Purpose::PoliticalDecision)
        {
            MatterStatus::PoliticalProcess
        } else {
            MatterStatus::InProgress
        };
    }
}
