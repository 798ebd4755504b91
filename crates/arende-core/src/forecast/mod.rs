//! Forecast: when can a matter be decided? A pure function of the organisation (meeting
//! plans, lead times), a route (or a matter's position on it) and the date its documents
//! are ready: the earliest date of every remaining step, what bounds each date (so the
//! critical path can be walked back), and whether a target meeting is reachable.
//!
//! The rules (DOMAIN.md, "Meetings" and the three routes):
//! - a step at a body is taken only at a planned, not cancelled meeting of that body
//!   (including meetings of a joint session the body is part of), and only at a meeting
//!   whose notice date (kallelse) is on or after the day the step's documents are ready;
//! - a step that needs its predecessor's *decision* ([`Dependency::Decision`]) has its
//!   documents ready when the predecessor's minutes are final (meeting day +
//!   `minutes_final`); a forum confirming readiness on the *same proposal*
//!   ([`Dependency::SameProposal`]) may be called before its predecessor meets, but meets
//!   after it;
//! - a consultation (remiss) is sent when its documents are ready, runs for its period,
//!   and its successors wait until the responses are worked in;
//! - a political decision is taken in every party at the party's own political body; it
//!   is final (vinner laga kraft) the day after the appeal period, which runs from the
//!   announcement of the adjusted minutes (Kommunallagen); entry into force waits for
//!   the last party (or the step's quorum) to be final;
//! - no meeting late enough in the known plan: the step is [`Bound::BeyondPlan`] and
//!   everything after it is [`Bound::AfterUnknown`]; nothing is guessed.
//!
//! [`Forecaster`] indexes every body's meetings once (sorted by date, found by binary
//! search), so re-forecasting many matters against one organisation is cheap.

mod index;
mod target;
mod text;
mod what_if;

#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{BodyId, MeetingId, PartyId, StepId};
use crate::org::{Body, BodyKind, LeadTime, Organisation};
use crate::route::{Dependency, Purpose, Route, Step};

use index::MeetingIndex;
pub use target::{Miss, Target, TargetOutcome};
pub use text::Lang;
pub use what_if::{Assumption, StepDifference, WhatIf};

/// A forecast that could not be made: the input names something the organisation or
/// the route does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ForecastError {
    /// A step names a body the organisation does not have.
    #[error("step \"{step}\" names the unknown body \"{body}\"")]
    UnknownBody {
        /// The step.
        step: StepId,
        /// The body.
        body: BodyId,
    },
    /// A step that is taken at a meeting names no body.
    #[error("step \"{step}\" ({}) is taken at a meeting but names no body", purpose.name())]
    NoBody {
        /// The step.
        step: StepId,
        /// Its purpose.
        purpose: Purpose,
    },
    /// A party that must take a political decision is unknown.
    #[error("step \"{step}\" names the unknown party \"{party}\"")]
    UnknownParty {
        /// The step.
        step: StepId,
        /// The party.
        party: PartyId,
    },
    /// A party that must take a political decision has no political body.
    #[error(
        "party \"{party}\" has no political body for the political decision in step \"{step}\""
    )]
    NoPoliticalBody {
        /// The step.
        step: StepId,
        /// The party.
        party: PartyId,
    },
    /// A consultation step has no period, and none was given.
    #[error("consultation step \"{step}\" has no response period: give one (e.g. --remiss-weeks)")]
    NoConsultationPeriod {
        /// The step.
        step: StepId,
    },
    /// An entry into force needs more adoptions than there are parties deciding.
    #[error("step \"{step}\" needs {quorum} adoptions, but only {parties} parties decide")]
    QuorumTooLarge {
        /// The entry-into-force step.
        step: StepId,
        /// Its quorum.
        quorum: u32,
        /// The parties deciding.
        parties: usize,
    },
    /// A completed step is not on the route.
    #[error("route \"{route}\" has no step \"{step}\"")]
    UnknownStep {
        /// The route.
        route: String,
        /// The step.
        step: StepId,
    },
    /// The target body is not taken by any remaining step of the route.
    #[error("no remaining step of the route is taken at \"{body}\"{}", purpose.map(|p| format!(" for {}", p.name())).unwrap_or_default())]
    TargetNotOnRoute {
        /// The body.
        body: BodyId,
        /// The purpose asked for, if any.
        purpose: Option<Purpose>,
    },
    /// A what-if names a body the organisation does not have.
    #[error("unknown body \"{0}\"")]
    UnknownAssumptionBody(BodyId),
    /// A what-if cancels a meeting that is not in any plan.
    #[error("unknown meeting \"{0}\"")]
    UnknownMeeting(MeetingId),
}

/// A step the matter has already taken, with its date: the meeting day for a step at a
/// meeting, the day the responses were worked in for a consultation, the day the draft
/// was finished for drafting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletedStep {
    /// The step.
    pub step: StepId,
    /// When it was taken.
    pub date: NaiveDate,
}

/// Durations that override or add to the route's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Durations {
    /// The response period of every consultation (remisstid), instead of the route's.
    pub remiss_period: Option<LeadTime>,
    /// Time to work the responses in after the deadline, instead of the route's.
    pub processing: Option<LeadTime>,
    /// Time each party needs after the recommendation's minutes are final before its
    /// documents are ready for its political body (beredning i partens organisation).
    pub to_political: Option<LeadTime>,
}

/// What to forecast: a route (or a matter's position on it) and the day its documents
/// are ready.
#[derive(Debug, Clone)]
pub struct ForecastInput<'r> {
    /// The route.
    pub route: &'r Route,
    /// The day the documents for the next step are ready; no step is before it.
    pub ready: NaiveDate,
    /// Steps already taken (the matter's position on the route).
    pub completed: Vec<CompletedStep>,
    /// Durations overriding the route's.
    pub durations: Durations,
    /// A meeting to test for reachability.
    pub target: Option<Target>,
}

impl<'r> ForecastInput<'r> {
    /// A forecast of the whole route from documents ready on `ready`.
    pub fn new(route: &'r Route, ready: NaiveDate) -> Self {
        ForecastInput {
            route,
            ready,
            completed: Vec::new(),
            durations: Durations::default(),
            target: None,
        }
    }

    /// With a step already taken on `date`.
    pub fn completed(mut self, step: impl Into<StepId>, date: NaiveDate) -> Self {
        self.completed.push(CompletedStep {
            step: step.into(),
            date,
        });
        self
    }

    /// With these durations.
    pub fn durations(mut self, durations: Durations) -> Self {
        self.durations = durations;
        self
    }

    /// With a target meeting.
    pub fn target(mut self, target: Target) -> Self {
        self.target = Some(target);
        self
    }
}

/// What bounds a date: the link of the critical path behind it. Variants naming a `step`
/// point at a predecessor, whose own bound continues the chain
/// ([`Forecast::critical_path`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Bound {
    /// The day the documents are ready (the input).
    Ready {
        /// The day.
        date: NaiveDate,
    },
    /// A predecessor's decision: its minutes are final (justerat) on `final_on`.
    MinutesFinal {
        /// The predecessor.
        step: StepId,
        /// Its meeting day.
        meeting: NaiveDate,
        /// The day its minutes are final.
        final_on: NaiveDate,
    },
    /// A forum on the same proposal: it must meet after its predecessor's meeting.
    SameProposal {
        /// The predecessor.
        step: StepId,
        /// Its meeting day.
        meeting: NaiveDate,
    },
    /// A predecessor taken outside meetings (drafting, entry into force) on `date`.
    Predecessor {
        /// The predecessor.
        step: StepId,
        /// Its day.
        date: NaiveDate,
    },
    /// A consultation (remiss): responses due on `deadline`, worked in by `processed`.
    Consultation {
        /// The consultation step.
        step: StepId,
        /// The response deadline (svar senast).
        deadline: NaiveDate,
        /// The day the responses are worked in.
        processed: NaiveDate,
    },
    /// Political decisions: the decision that completes the quorum (or the last one) is
    /// final (vinner laga kraft) on `final_on`.
    LegalForce {
        /// The political-decision step.
        step: StepId,
        /// The party whose decision completes the quorum.
        party: Option<PartyId>,
        /// Its political body.
        body: BodyId,
        /// The day it decides.
        decided: NaiveDate,
        /// The day the decision is final (after announcement and appeal period).
        final_on: NaiveDate,
    },
    /// No meeting of `body` late enough in its known plan: the date is unknown.
    BeyondPlan {
        /// The body.
        body: BodyId,
        /// The day the documents would be ready.
        documents_ready: NaiveDate,
        /// The last meeting day of the body's plan, if it has any.
        plan_ends: Option<NaiveDate>,
    },
    /// Waits for a step whose date is unknown (beyond the plan).
    AfterUnknown {
        /// That step.
        step: StepId,
    },
}

impl Bound {
    /// The predecessor step this bound points at, if any.
    pub fn step(&self) -> Option<&StepId> {
        match self {
            Bound::MinutesFinal { step, .. }
            | Bound::SameProposal { step, .. }
            | Bound::Predecessor { step, .. }
            | Bound::Consultation { step, .. }
            | Bound::LegalForce { step, .. }
            | Bound::AfterUnknown { step } => Some(step),
            Bound::Ready { .. } | Bound::BeyondPlan { .. } => None,
        }
    }

    /// The day this bound sets (documents ready, or the day to meet after), if known.
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Bound::Ready { date } | Bound::Predecessor { date, .. } => Some(*date),
            Bound::MinutesFinal { final_on, .. } | Bound::LegalForce { final_on, .. } => {
                Some(*final_on)
            }
            Bound::SameProposal { meeting, .. } => Some(*meeting),
            Bound::Consultation { processed, .. } => Some(*processed),
            Bound::BeyondPlan { .. } | Bound::AfterUnknown { .. } => None,
        }
    }

    /// A short machine name, e.g. `minutes-final`.
    pub fn kind(&self) -> &'static str {
        match self {
            Bound::Ready { .. } => "ready",
            Bound::MinutesFinal { .. } => "minutes-final",
            Bound::SameProposal { .. } => "same-proposal",
            Bound::Predecessor { .. } => "predecessor",
            Bound::Consultation { .. } => "consultation",
            Bound::LegalForce { .. } => "legal-force",
            Bound::BeyondPlan { .. } => "beyond-plan",
            Bound::AfterUnknown { .. } => "after-unknown",
        }
    }
}

/// A predecessor's meeting that a step must meet strictly after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetsAfter {
    /// The predecessor.
    pub step: StepId,
    /// Its meeting day.
    pub date: NaiveDate,
}

/// The dates of a consultation (remiss).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsultationDates {
    /// Sent (remissen skickas).
    pub sent: NaiveDate,
    /// Responses due (svar senast).
    pub deadline: NaiveDate,
    /// Responses worked in.
    pub processed: NaiveDate,
}

/// One party's political decision (politiskt beslut) in a political-decision step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyForecast {
    /// The party.
    pub party: PartyId,
    /// Its political body.
    pub body: BodyId,
    /// The day its documents are ready.
    pub documents_ready: NaiveDate,
    /// The meeting day, when within the plan.
    pub date: Option<NaiveDate>,
    /// The meeting.
    pub meeting: Option<MeetingId>,
    /// The notice date of that meeting (the cut-off that applied).
    pub cutoff: Option<NaiveDate>,
    /// The day the minutes are adjusted.
    pub minutes_final: Option<NaiveDate>,
    /// The day the decision is final (vinner laga kraft).
    pub legal_force: Option<NaiveDate>,
    /// When the date is unknown: the last meeting day of the body's plan.
    pub plan_ends: Option<NaiveDate>,
}

/// The forecast of one remaining step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepForecast {
    /// The step.
    pub step: StepId,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub purpose: Purpose,
    /// The body taking it (none for political decisions in every party and entry into
    /// force).
    pub body: Option<BodyId>,
    /// The day its documents are ready, when known.
    pub documents_ready: Option<NaiveDate>,
    /// Why the documents are ready then.
    pub documents_bound: Bound,
    /// It must meet strictly after this predecessor's meeting.
    pub meets_after: Option<MeetsAfter>,
    /// The earliest day: the meeting, the consultation sent, the last political
    /// decision, the entry into force. `None` when beyond the known plan.
    pub date: Option<NaiveDate>,
    /// The meeting chosen.
    pub meeting: Option<MeetingId>,
    /// The notice date (kallelse) of the chosen meeting: the cut-off that applied.
    pub cutoff: Option<NaiveDate>,
    /// The call-for-matters date of the chosen meeting: register the matter by then.
    pub call_for_matters: Option<NaiveDate>,
    /// The day its minutes are final (for political decisions: the last party's).
    pub minutes_final: Option<NaiveDate>,
    /// For a consultation: sent, deadline, worked in.
    pub consultation: Option<ConsultationDates>,
    /// For political decisions: one per party.
    pub parties: Vec<PartyForecast>,
    /// What bounds the date.
    pub bound_by: Bound,
}

/// The forecast of a route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forecast {
    /// The route.
    pub route: crate::ids::RouteId,
    /// The day the documents are ready.
    pub ready: NaiveDate,
    /// Every remaining step, in route order (each after its predecessors).
    pub steps: Vec<StepForecast>,
    /// The answer for the target, if one was given.
    pub target: Option<TargetOutcome>,
}

impl Forecast {
    /// A step's forecast.
    pub fn step(&self, id: &str) -> Option<&StepForecast> {
        self.steps.iter().find(|s| s.step.as_str() == id)
    }

    /// The chain of bounds behind a step, from the step back to the ready date (or to a
    /// completed step): the critical path.
    pub fn critical_path(&self, id: &str) -> Vec<&StepForecast> {
        let mut out = Vec::new();
        let mut next = self.step(id);
        while let Some(s) = next {
            if out.len() > self.steps.len() {
                break;
            }
            out.push(s);
            next = s.bound_by.step().and_then(|p| self.step(p.as_str()));
        }
        out
    }

    /// The last known date of the route, and whether every step is known.
    pub fn end(&self) -> (Option<NaiveDate>, bool) {
        let last = self.steps.iter().filter_map(|s| s.date).max();
        (last, self.steps.iter().all(|s| s.date.is_some()))
    }
}

/// Legal force of a decision at one body.
#[derive(Debug, Clone)]
struct Force {
    party: Option<PartyId>,
    body: BodyId,
    decided: NaiveDate,
    final_on: NaiveDate,
}

/// What successors see of a step.
#[derive(Debug, Clone)]
struct Known {
    /// The day its documents were ready, and why.
    documents: NaiveDate,
    documents_bound: Bound,
    /// The event day (meeting, sent, drafted, last decision).
    date: NaiveDate,
    /// What a decision-dependent successor waits for (minutes final, responses worked in).
    result: NaiveDate,
    /// The bound a successor gets from `result`.
    result_bound: Bound,
    /// Taken at a meeting (a same-proposal successor meets after it).
    at_meeting: bool,
}

#[derive(Debug, Clone)]
struct Node {
    known: Option<Known>,
    /// Legal force per deciding party, sorted by `final_on` (only the known ones).
    force: Vec<Force>,
    /// How many parties decide (0 when the step is not a decision at a political body).
    deciders: usize,
    /// The earliest a party not in `force` could be final.
    unknown_floor: Option<NaiveDate>,
    /// Why `known` is `None`.
    unknown: Option<Bound>,
}

/// Forecasts against one organisation; indexes every body's meeting plan once.
#[derive(Debug, Clone)]
pub struct Forecaster<'o> {
    org: &'o Organisation,
    index: MeetingIndex,
}

/// The day the decision of `body` taken on `decided` is final: after the minutes are
/// adjusted, announced, and the appeal period has run out (the day after its last day).
fn legal_force(body: &Body, decided: NaiveDate) -> NaiveDate {
    let lt = &body.lead_times;
    let adjusted = lt.minutes_final.after(decided);
    let announced = lt.announcement.map_or(adjusted, |a| a.after(adjusted));
    match lt.appeal {
        Some(appeal) => {
            let last = appeal.after(announced);
            last.succ_opt().unwrap_or(last)
        }
        None => announced,
    }
}

/// The earliest day a body could meet on documents ready `documents` when its known plan
/// has no such meeting: after the plan ends, and late enough for the notice.
fn earliest_beyond(body: &Body, no: index::NoSlot, documents: NaiveDate) -> NaiveDate {
    let by_notice = body.lead_times.notice.after(documents);
    match no.plan_ends.and_then(|d| d.succ_opt()) {
        Some(after_plan) => after_plan.max(by_notice),
        None => by_notice,
    }
}

/// The gathered bounds of a step's predecessors.
struct Gathered {
    documents: NaiveDate,
    documents_bound: Bound,
    after: Option<(NaiveDate, Bound, StepId)>,
    waiting: Option<StepId>,
}

impl<'o> Forecaster<'o> {
    /// Indexes the organisation's meeting plans.
    pub fn new(org: &'o Organisation) -> Self {
        Forecaster {
            org,
            index: MeetingIndex::new(org),
        }
    }

    /// The organisation.
    pub fn organisation(&self) -> &'o Organisation {
        self.org
    }

    /// Forecasts a route from its input. Pure: the same input gives the same answer.
    pub fn forecast(&self, input: &ForecastInput<'_>) -> Result<Forecast, ForecastError> {
        let route = input.route;
        let n = route.len();
        let mut completed: Vec<Option<NaiveDate>> = vec![None; n];
        for c in &input.completed {
            let p = route
                .position(&c.step)
                .ok_or_else(|| ForecastError::UnknownStep {
                    route: route.id().to_string(),
                    step: c.step.clone(),
                })?;
            completed[p] = Some(c.date);
        }
        let mut nodes: Vec<Node> = Vec::with_capacity(n);
        let mut steps = Vec::with_capacity(n);
        for (i, step) in route.steps().enumerate() {
            if let Some(date) = completed[i] {
                nodes.push(self.completed_node(step, date, input)?);
                continue;
            }
            let (node, forecast) = self.step(route, step, &nodes, input)?;
            nodes.push(node);
            steps.push(forecast);
        }
        let mut forecast = Forecast {
            route: route.id().clone(),
            ready: input.ready,
            steps,
            target: None,
        };
        if let Some(t) = &input.target {
            forecast.target = Some(target::evaluate(self, &forecast, t)?);
        }
        Ok(forecast)
    }

    fn body(&self, step: &Step, id: &BodyId) -> Result<&'o Body, ForecastError> {
        self.org.body(id).ok_or_else(|| ForecastError::UnknownBody {
            step: step.id.clone(),
            body: id.clone(),
        })
    }

    /// The political bodies deciding in a political-decision step.
    fn deciders(&self, step: &Step) -> Result<Vec<(Option<PartyId>, &'o Body)>, ForecastError> {
        if step.parties.is_empty() {
            if let Some(b) = &step.body {
                let body = self.body(step, b)?;
                return Ok(vec![(body.party.clone(), body)]);
            }
        }
        let parties: Vec<&PartyId> = if step.parties.is_empty() {
            self.org.signatories().map(|p| &p.id).collect()
        } else {
            step.parties.iter().collect()
        };
        parties
            .into_iter()
            .map(|pid| {
                let party = self
                    .org
                    .party(pid)
                    .ok_or_else(|| ForecastError::UnknownParty {
                        step: step.id.clone(),
                        party: pid.clone(),
                    })?;
                let bid = party.political_body.as_ref().ok_or_else(|| {
                    ForecastError::NoPoliticalBody {
                        step: step.id.clone(),
                        party: pid.clone(),
                    }
                })?;
                Ok((Some(pid.clone()), self.body(step, bid)?))
            })
            .collect()
    }

    /// What successors see of a step already taken on `date`.
    fn completed_node(
        &self,
        step: &Step,
        date: NaiveDate,
        input: &ForecastInput<'_>,
    ) -> Result<Node, ForecastError> {
        let ready = Bound::Ready { date: input.ready };
        let mut node = Node {
            known: None,
            force: Vec::new(),
            deciders: 0,
            unknown_floor: None,
            unknown: None,
        };
        let (result, result_bound, at_meeting) = match step.purpose {
            Purpose::PoliticalDecision => {
                let deciders = self.deciders(step)?;
                node.deciders = deciders.len();
                node.force = deciders
                    .iter()
                    .map(|(party, body)| Force {
                        party: party.clone(),
                        body: body.id.clone(),
                        decided: date,
                        final_on: legal_force(body, date),
                    })
                    .collect();
                node.force.sort_by_key(|f| f.final_on);
                let result = deciders
                    .iter()
                    .map(|(_, b)| b.lead_times.minutes_final.after(date))
                    .max()
                    .unwrap_or(date);
                let bound = Bound::MinutesFinal {
                    step: step.id.clone(),
                    meeting: date,
                    final_on: result,
                };
                (result, bound, true)
            }
            p if p.needs_meeting() => {
                let body = match &step.body {
                    Some(b) => self.body(step, b)?,
                    None => {
                        return Err(ForecastError::NoBody {
                            step: step.id.clone(),
                            purpose: p,
                        });
                    }
                };
                self.political_force(&mut node, body, date);
                let result = body.lead_times.minutes_final.after(date);
                let bound = Bound::MinutesFinal {
                    step: step.id.clone(),
                    meeting: date,
                    final_on: result,
                };
                (result, bound, true)
            }
            _ => (
                date,
                Bound::Predecessor {
                    step: step.id.clone(),
                    date,
                },
                false,
            ),
        };
        node.known = Some(Known {
            documents: input.ready.min(date),
            documents_bound: ready,
            date,
            result,
            result_bound,
            at_meeting,
        });
        Ok(node)
    }

    /// A decision at a party's own political body counts for entry into force.
    fn political_force(&self, node: &mut Node, body: &Body, date: NaiveDate) {
        if body.kind == BodyKind::Political {
            node.deciders = 1;
            node.force.push(Force {
                party: body.party.clone(),
                body: body.id.clone(),
                decided: date,
                final_on: legal_force(body, date),
            });
        }
    }

    /// The bounds a step gets from the ready date and its predecessors.
    fn gather(&self, route: &Route, step: &Step, nodes: &[Node], ready: NaiveDate) -> Gathered {
        let mut g = Gathered {
            documents: ready,
            documents_bound: Bound::Ready { date: ready },
            after: None,
            waiting: None,
        };
        for (pred, dep) in route.predecessors(&step.id) {
            let Some(node) = route.position(&pred.id).and_then(|p| nodes.get(p)) else {
                continue;
            };
            let Some(k) = &node.known else {
                g.waiting.get_or_insert_with(|| pred.id.clone());
                continue;
            };
            let (docs, bound) = match dep {
                Dependency::SameProposal if k.at_meeting => {
                    (k.documents, k.documents_bound.clone())
                }
                _ => (k.result, k.result_bound.clone()),
            };
            if docs > g.documents {
                g.documents = docs;
                g.documents_bound = bound;
            }
            if k.at_meeting && g.after.as_ref().is_none_or(|(a, _, _)| k.date > *a) {
                let b = match dep {
                    Dependency::SameProposal => Bound::SameProposal {
                        step: pred.id.clone(),
                        meeting: k.date,
                    },
                    Dependency::Decision => k.result_bound.clone(),
                };
                g.after = Some((k.date, b, pred.id.clone()));
            }
        }
        g
    }

    /// Forecasts one remaining step.
    fn step(
        &self,
        route: &Route,
        step: &Step,
        nodes: &[Node],
        input: &ForecastInput<'_>,
    ) -> Result<(Node, StepForecast), ForecastError> {
        let mut node = Node {
            known: None,
            force: Vec::new(),
            deciders: 0,
            unknown_floor: None,
            unknown: None,
        };
        let mut out = StepForecast {
            step: step.id.clone(),
            name: step.name.clone(),
            purpose: step.purpose,
            body: step.body.clone(),
            documents_ready: None,
            documents_bound: Bound::Ready { date: input.ready },
            meets_after: None,
            date: None,
            meeting: None,
            cutoff: None,
            call_for_matters: None,
            minutes_final: None,
            consultation: None,
            parties: Vec::new(),
            bound_by: Bound::Ready { date: input.ready },
        };
        if step.purpose == Purpose::EntryIntoForce {
            self.entry_into_force(route, step, nodes, input, &mut node, &mut out)?;
            return Ok((node, out));
        }
        if step.purpose == Purpose::PoliticalDecision {
            // Validate the parties even when the date cannot be known.
            let deciders = self.deciders(step)?;
            let g = self.gather(route, step, nodes, input.ready);
            if let Some(w) = g.waiting {
                out.bound_by = Bound::AfterUnknown { step: w };
                node.deciders = deciders.len();
                node.unknown = Some(out.bound_by.clone());
                return Ok((node, out));
            }
            self.political(step, g, deciders, &mut node, &mut out, input);
            return Ok((node, out));
        }
        let body = match (&step.body, step.purpose.needs_meeting()) {
            (Some(b), _) => Some(self.body(step, b)?),
            (None, true) => {
                return Err(ForecastError::NoBody {
                    step: step.id.clone(),
                    purpose: step.purpose,
                });
            }
            (None, false) => None,
        };
        let consultation = if step.purpose == Purpose::Consultation {
            let spec = step.consultation.as_ref();
            let period = input
                .durations
                .remiss_period
                .or(spec.map(|s| s.period))
                .ok_or_else(|| ForecastError::NoConsultationPeriod {
                    step: step.id.clone(),
                })?;
            let processing = input
                .durations
                .processing
                .or(spec.map(|s| s.processing))
                .unwrap_or(LeadTime::Days(0));
            Some((period, processing))
        } else {
            None
        };
        let g = self.gather(route, step, nodes, input.ready);
        if let Some(w) = g.waiting {
            out.bound_by = Bound::AfterUnknown { step: w };
            node.unknown = Some(out.bound_by.clone());
            return Ok((node, out));
        }
        out.documents_ready = Some(g.documents);
        out.documents_bound = g.documents_bound.clone();
        match (step.purpose.needs_meeting(), body) {
            (true, Some(body)) => {
                let after = g.after.as_ref().map(|(a, _, _)| *a);
                out.meets_after = g.after.as_ref().map(|(date, _, step)| MeetsAfter {
                    step: step.clone(),
                    date: *date,
                });
                match self.index.first(&body.id, g.documents, after) {
                    Ok(slot) => {
                        // Would the documents alone have allowed an earlier meeting?
                        let bound = match (&g.after, self.index.first(&body.id, g.documents, None))
                        {
                            (Some((a, b, _)), Ok(free)) if free.date <= *a => b.clone(),
                            _ => g.documents_bound.clone(),
                        };
                        let minutes = body.lead_times.minutes_final.after(slot.date);
                        out.date = Some(slot.date);
                        out.meeting = Some(slot.meeting.clone());
                        out.cutoff = Some(slot.notice);
                        out.call_for_matters = Some(slot.call);
                        out.minutes_final = Some(minutes);
                        out.bound_by = bound.clone();
                        self.political_force(&mut node, body, slot.date);
                        node.known = Some(Known {
                            documents: g.documents,
                            documents_bound: g.documents_bound,
                            date: slot.date,
                            result: minutes,
                            result_bound: Bound::MinutesFinal {
                                step: step.id.clone(),
                                meeting: slot.date,
                                final_on: minutes,
                            },
                            at_meeting: true,
                        });
                    }
                    Err(no) => {
                        out.bound_by = Bound::BeyondPlan {
                            body: body.id.clone(),
                            documents_ready: g.documents,
                            plan_ends: no.plan_ends,
                        };
                        node.unknown = Some(out.bound_by.clone());
                        if body.kind == BodyKind::Political {
                            node.deciders = 1;
                            node.unknown_floor =
                                Some(legal_force(body, earliest_beyond(body, no, g.documents)));
                        }
                    }
                }
            }
            _ => {
                // Taken outside meetings, but not before a predecessor's meeting on the
                // same proposal.
                let (date, bound) = match &g.after {
                    Some((a, b, _)) if *a > g.documents => (*a, b.clone()),
                    _ => (g.documents, g.documents_bound.clone()),
                };
                out.date = Some(date);
                out.bound_by = bound;
                let (result, result_bound) = match consultation {
                    Some((period, processing)) => {
                        let deadline = period.after(date);
                        let processed = processing.after(deadline);
                        out.consultation = Some(ConsultationDates {
                            sent: date,
                            deadline,
                            processed,
                        });
                        (
                            processed,
                            Bound::Consultation {
                                step: step.id.clone(),
                                deadline,
                                processed,
                            },
                        )
                    }
                    None => (
                        date,
                        Bound::Predecessor {
                            step: step.id.clone(),
                            date,
                        },
                    ),
                };
                node.known = Some(Known {
                    documents: g.documents,
                    documents_bound: g.documents_bound,
                    date,
                    result,
                    result_bound,
                    at_meeting: false,
                });
            }
        }
        Ok((node, out))
    }

    /// Political decisions in every party, in parallel.
    fn political(
        &self,
        step: &Step,
        g: Gathered,
        deciders: Vec<(Option<PartyId>, &'o Body)>,
        node: &mut Node,
        out: &mut StepForecast,
        input: &ForecastInput<'_>,
    ) {
        let documents = input
            .durations
            .to_political
            .map_or(g.documents, |t| t.after(g.documents));
        let after = g.after.as_ref().map(|(a, _, _)| *a);
        out.documents_ready = Some(g.documents);
        out.documents_bound = g.documents_bound.clone();
        out.meets_after = g.after.as_ref().map(|(date, _, step)| MeetsAfter {
            step: step.clone(),
            date: *date,
        });
        node.deciders = deciders.len();
        // The last party's meeting day and body, and the last minutes final.
        let mut last: Option<(NaiveDate, &'o Body)> = None;
        let mut minutes_final: Option<NaiveDate> = None;
        let mut beyond: Option<Bound> = None;
        for (party, body) in deciders {
            let mut pf = PartyForecast {
                party: party
                    .clone()
                    .unwrap_or_else(|| PartyId::new(body.id.as_str())),
                body: body.id.clone(),
                documents_ready: documents,
                date: None,
                meeting: None,
                cutoff: None,
                minutes_final: None,
                legal_force: None,
                plan_ends: None,
            };
            match self.index.first(&body.id, documents, after) {
                Ok(slot) => {
                    let minutes = body.lead_times.minutes_final.after(slot.date);
                    let force = legal_force(body, slot.date);
                    pf.date = Some(slot.date);
                    pf.meeting = Some(slot.meeting.clone());
                    pf.cutoff = Some(slot.notice);
                    pf.minutes_final = Some(minutes);
                    pf.legal_force = Some(force);
                    node.force.push(Force {
                        party,
                        body: body.id.clone(),
                        decided: slot.date,
                        final_on: force,
                    });
                    if last.is_none_or(|(d, _)| slot.date > d) {
                        last = Some((slot.date, body));
                    }
                    minutes_final = Some(minutes_final.map_or(minutes, |m| m.max(minutes)));
                }
                Err(no) => {
                    pf.plan_ends = no.plan_ends;
                    let floor = legal_force(body, earliest_beyond(body, no, documents));
                    node.unknown_floor = Some(node.unknown_floor.map_or(floor, |f| f.min(floor)));
                    beyond.get_or_insert_with(|| Bound::BeyondPlan {
                        body: body.id.clone(),
                        documents_ready: documents,
                        plan_ends: no.plan_ends,
                    });
                }
            }
            out.parties.push(pf);
        }
        node.force.sort_by_key(|f| f.final_on);
        match (beyond, last, minutes_final) {
            (None, Some((date, body)), Some(minutes)) => {
                out.date = Some(date);
                out.minutes_final = Some(minutes);
                // Would the documents alone have allowed the last party an earlier meeting?
                out.bound_by = match (&g.after, self.index.first(&body.id, documents, None)) {
                    (Some((a, b, _)), Ok(free)) if free.date <= *a => b.clone(),
                    _ => g.documents_bound.clone(),
                };
                node.known = Some(Known {
                    documents: g.documents,
                    documents_bound: g.documents_bound,
                    date,
                    result: minutes,
                    result_bound: Bound::MinutesFinal {
                        step: step.id.clone(),
                        meeting: date,
                        final_on: minutes,
                    },
                    at_meeting: true,
                });
            }
            (beyond, _, _) => {
                let b = beyond.unwrap_or(Bound::AfterUnknown {
                    step: step.id.clone(),
                });
                out.bound_by = b.clone();
                node.unknown = Some(b);
            }
        }
    }

    /// Entry into force: when the last deciding party (or the quorum) is final.
    fn entry_into_force(
        &self,
        route: &Route,
        step: &Step,
        nodes: &[Node],
        input: &ForecastInput<'_>,
        node: &mut Node,
        out: &mut StepForecast,
    ) -> Result<(), ForecastError> {
        let mut date = input.ready;
        let mut bound = Bound::Ready { date: input.ready };
        let mut waiting: Option<StepId> = None;
        for (pred, _) in route.predecessors(&step.id) {
            let Some(p) = route.position(&pred.id).and_then(|p| nodes.get(p)) else {
                continue;
            };
            let (d, b) = if p.deciders > 0 {
                let need = step.quorum.map_or(p.deciders, |q| q as usize);
                if need > p.deciders {
                    return Err(ForecastError::QuorumTooLarge {
                        step: step.id.clone(),
                        quorum: step.quorum.unwrap_or_default(),
                        parties: p.deciders,
                    });
                }
                let need = need.max(1);
                match p.force.get(need - 1) {
                    // Known only if no party beyond the plan could be final earlier.
                    Some(f) if p.unknown_floor.is_none_or(|floor| f.final_on <= floor) => (
                        f.final_on,
                        Bound::LegalForce {
                            step: pred.id.clone(),
                            party: f.party.clone(),
                            body: f.body.clone(),
                            decided: f.decided,
                            final_on: f.final_on,
                        },
                    ),
                    _ => {
                        waiting.get_or_insert_with(|| pred.id.clone());
                        continue;
                    }
                }
            } else if let Some(k) = &p.known {
                (k.result, k.result_bound.clone())
            } else {
                waiting.get_or_insert_with(|| pred.id.clone());
                continue;
            };
            if d > date {
                date = d;
                bound = b;
            }
        }
        if let Some(w) = waiting {
            out.bound_by = Bound::AfterUnknown { step: w };
            node.unknown = Some(out.bound_by.clone());
            return Ok(());
        }
        out.documents_ready = Some(date);
        out.documents_bound = bound.clone();
        out.date = Some(date);
        out.bound_by = bound.clone();
        node.known = Some(Known {
            documents: date,
            documents_bound: bound,
            date,
            result: date,
            result_bound: Bound::Predecessor {
                step: step.id.clone(),
                date,
            },
            at_meeting: false,
        });
        Ok(())
    }
}

/// Forecasts a route against an organisation (indexes the meeting plans on each call;
/// use a [`Forecaster`] to forecast many matters).
pub fn forecast(org: &Organisation, input: &ForecastInput<'_>) -> Result<Forecast, ForecastError> {
    Forecaster::new(org).forecast(input)
}
