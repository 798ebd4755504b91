//! Forecast: when can a matter be decided? A pure function of the organisation (meeting
//! plans, lead times), a route (or a matter's position on it) and the date its documents
//! are ready: the earliest date of every remaining step, what bounds each date (so the
//! critical path can be walked back), and whether a target meeting is reachable.
//!
//! The rules (DOMAIN.md, "Meetings" and the three routes):
//! - a step at a body is taken only at a planned, not cancelled meeting of that body
//!   (including meetings of a joint session the body is part of), and only at a meeting
//!   whose notice date (kallelse) is on or after the day the step's documents are ready;
//! - a step that needs its predecessor's *decision* ([`Dependency::Decision`](crate::route::Dependency::Decision)) has its
//!   documents ready when the predecessor's minutes are final (meeting day +
//!   `minutes_final`); a forum confirming readiness on the *same proposal*
//!   ([`Dependency::SameProposal`](crate::route::Dependency::SameProposal)) may be called before its predecessor meets, but meets
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

mod backward;
mod compute;
mod index;
mod target;
mod text;
mod what_if;

#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use std::collections::HashMap;

use crate::ids::{BodyId, MeetingId, PartyId, RouteId, StepId};
use crate::org::{DateError, LeadTime, Organisation, check_date};
use crate::route::{Purpose, Route};

pub use backward::{BackwardPlan, Goal, PartyLatest, StepLatest};
use compute::Compiled;
use index::MeetingIndex;
pub use target::{Miss, Target, TargetOutcome};
pub use text::purpose_text;
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
    /// No remaining step of the route is the one a backward plan's goal is about.
    #[error("no remaining step of the route is taken for the goal \"{goal}\"")]
    GoalNotOnRoute {
        /// The goal.
        goal: Goal,
    },
    /// A what-if names a body the organisation does not have.
    #[error("unknown body \"{0}\"")]
    UnknownAssumptionBody(BodyId),
    /// A what-if cancels a meeting that is not in any plan.
    #[error("unknown meeting \"{0}\"")]
    UnknownMeeting(MeetingId),
    /// A date in the input, or a date moved by a what-if, is outside the supported
    /// dates ([`FIRST_DATE`](crate::org::FIRST_DATE) to
    /// [`LAST_DATE`](crate::org::LAST_DATE)).
    #[error(transparent)]
    Date(#[from] DateError),
    /// A duration in the input is longer than ten years
    /// ([`LeadTime::MAX_DAYS`]).
    #[error(
        "{field}: {value} is longer than ten years (at most 3660 days, 522 weeks or 120 months)"
    )]
    TooLong {
        /// The field that gave it, e.g. `durations.remiss_period`.
        field: String,
        /// The duration.
        value: LeadTime,
    },
}

impl ForecastError {
    /// The message in Swedish.
    pub fn swedish(&self) -> String {
        match self {
            ForecastError::UnknownBody { step, body } => {
                format!("steget \"{step}\" nämner det okända organet \"{body}\"")
            }
            ForecastError::NoBody { step, purpose } => format!(
                "steget \"{step}\" ({}) tas på ett möte men nämner inget organ",
                purpose.swedish()
            ),
            ForecastError::UnknownParty { step, party } => {
                format!("steget \"{step}\" nämner den okända parten \"{party}\"")
            }
            ForecastError::NoPoliticalBody { step, party } => format!(
                "parten \"{party}\" har inget politiskt organ för det politiska beslutet i steget \"{step}\""
            ),
            ForecastError::NoConsultationPeriod { step } => {
                format!("remissteget \"{step}\" har ingen svarstid: ange en (t.ex. --remiss-weeks)")
            }
            ForecastError::QuorumTooLarge {
                step,
                quorum,
                parties,
            } => format!(
                "steget \"{step}\" behöver {quorum} antaganden, men bara {parties} parter beslutar"
            ),
            ForecastError::UnknownStep { route, step } => {
                format!("beslutsvägen \"{route}\" har inget steg \"{step}\"")
            }
            ForecastError::TargetNotOnRoute { body, purpose } => format!(
                "inget återstående steg i beslutsvägen tas vid \"{body}\"{}",
                purpose
                    .map(|p| format!(" för {}", p.swedish()))
                    .unwrap_or_default()
            ),
            ForecastError::GoalNotOnRoute { goal } => {
                format!("inget återstående steg i beslutsvägen tas för målet \"{goal}\"")
            }
            ForecastError::UnknownAssumptionBody(b) => format!("okänt organ \"{b}\""),
            ForecastError::UnknownMeeting(m) => format!("okänt möte \"{m}\""),
            ForecastError::Date(e) => e.swedish(),
            ForecastError::TooLong { field, value } => format!(
                "{field}: {} är längre än tio år (högst 3660 dagar, 522 veckor eller 120 månader)",
                value.swedish()
            ),
        }
    }
}

impl ForecastInput<'_> {
    /// Checks that every date of the input is a supported date and every duration at
    /// most ten years, so that no date computed from them leaves the calendar.
    pub fn validate(&self) -> Result<(), ForecastError> {
        check_date("ready", self.ready)?;
        for c in &self.completed {
            check_date(&format!("completed.{}", c.step), c.date)?;
        }
        if let Some(t) = &self.target {
            check_date("target", t.date)?;
        }
        let d = &self.durations;
        for (field, value) in [
            ("durations.remiss_period", d.remiss_period),
            ("durations.processing", d.processing),
            ("durations.to_political", d.to_political),
        ] {
            check_duration(field, value)?;
        }
        Ok(())
    }
}

/// Refuses a duration longer than ten years.
pub(crate) fn check_duration(field: &str, value: Option<LeadTime>) -> Result<(), ForecastError> {
    match value {
        Some(v) if !v.within_bounds() => Err(ForecastError::TooLong {
            field: field.to_owned(),
            value: v,
        }),
        _ => Ok(()),
    }
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

/// A party's political decision as a stored matter records it: the forecast takes its
/// day, its minutes and its road to legal force as they are instead of forecasting the
/// party's meeting. A decision not yet recorded for a party is forecast as before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedDecision {
    /// The party.
    pub party: PartyId,
    /// The day of the decision.
    pub on: NaiveDate,
    /// The meeting it was taken at, when its minutes are cited.
    pub meeting: Option<MeetingId>,
    /// Adopted; a rejected decision never enters into force for the party, which then
    /// takes no part in the entry into force.
    pub adopted: bool,
    /// The day its minutes were adjusted (justerade), once recorded.
    pub adjusted_on: Option<NaiveDate>,
    /// The day it was announced on the notice board (anslag), once recorded.
    pub announced_on: Option<NaiveDate>,
    /// Legal force as the recorded facts settle it, when they do.
    pub force: RecordedForce,
}

/// How far a recorded decision's legal force (laga kraft) is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "from", rename_all = "kebab-case")]
pub enum RecordedForce {
    /// Not yet settled: the law's periods run from the recorded days (adjustment and
    /// notice when recorded, their last lawful days otherwise).
    ByTheLaw,
    /// Settled: in legal force from this day (the appeal period over, and any appeal
    /// lodged in time ruled on).
    From(NaiveDate),
    /// An appeal lodged in time awaits its ruling (överklagande): the day is unknown,
    /// and no earlier than the day after the appeal period.
    AppealPending,
    /// Never: the decision was annulled on appeal (upphävt).
    Never,
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
    /// Political decisions already recorded, per party (a stored matter's facts).
    pub decided: Vec<RecordedDecision>,
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
            decided: Vec::new(),
        }
    }

    /// With a party's political decision as recorded.
    pub fn decided(mut self, decision: RecordedDecision) -> Self {
        self.decided.push(decision);
        self
    }

    /// The recorded decision of `party`, if any.
    pub fn decision_of(&self, party: &PartyId) -> Option<&RecordedDecision> {
        self.decided.iter().find(|d| &d.party == party)
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
    /// The decision as recorded, when the party has decided: the date is then the
    /// decision's day, not a forecast (absent for a forecast).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided: Option<Decided>,
}

/// A party's recorded decision, as a forecast shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decided {
    /// Adopted (antaget); its legal force is the recorded day or the law's.
    Adopted,
    /// Rejected (avslaget): never in force for the party.
    Rejected,
    /// Adopted and appealed in time, the ruling awaited (överklagat).
    Appealed,
    /// Adopted, then annulled on appeal (upphävt).
    Annulled,
}

impl Decided {
    /// Of a recorded decision.
    pub fn of(decision: &RecordedDecision) -> Self {
        match (decision.adopted, decision.force) {
            (false, _) => Decided::Rejected,
            (true, RecordedForce::AppealPending) => Decided::Appealed,
            (true, RecordedForce::Never) => Decided::Annulled,
            (true, RecordedForce::ByTheLaw | RecordedForce::From(_)) => Decided::Adopted,
        }
    }

    /// The Swedish word, e.g. `antaget`, `överklagat`.
    pub fn swedish(self) -> &'static str {
        match self {
            Decided::Adopted => "antaget",
            Decided::Rejected => "avslaget",
            Decided::Appealed => "överklagat",
            Decided::Annulled => "upphävt",
        }
    }

    /// The English word.
    pub fn english(self) -> &'static str {
        match self {
            Decided::Adopted => "adopted",
            Decided::Rejected => "rejected",
            Decided::Appealed => "appealed",
            Decided::Annulled => "annulled",
        }
    }
}

/// The forecast of one remaining step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepForecast {
    /// The step.
    pub step: StepId,
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

/// Forecasts against one organisation: indexes every body's meeting plan (sorted by
/// date, searched by binary search) and compiles the organisation's routes once, so
/// re-forecasting many matters costs only the walk over each route.
#[derive(Debug, Clone)]
pub struct Forecaster<'o> {
    org: &'o Organisation,
    index: MeetingIndex,
    routes: HashMap<RouteId, Result<Compiled<'o>, ForecastError>>,
}

impl<'o> Forecaster<'o> {
    /// Indexes the organisation's meeting plans and compiles its routes.
    pub fn new(org: &'o Organisation) -> Self {
        let index = MeetingIndex::new(org);
        let routes = org
            .routes
            .iter()
            .map(|(id, r)| (id.clone(), Compiled::new(org, &index, r)))
            .collect();
        Forecaster { org, index, routes }
    }

    /// The organisation.
    pub fn organisation(&self) -> &'o Organisation {
        self.org
    }

    /// The compiled route when `route` is the organisation's own.
    fn compiled(&self, route: &Route) -> Option<Result<&Compiled<'o>, ForecastError>> {
        self.org
            .routes
            .get(route.id())
            .filter(|r| std::ptr::eq(*r, route))
            .and_then(|_| self.routes.get(route.id()))
            .map(|c| c.as_ref().map_err(Clone::clone))
    }

    /// Forecasts a route from its input. Pure: the same input gives the same answer.
    pub fn forecast(&self, input: &ForecastInput<'_>) -> Result<Forecast, ForecastError> {
        input.validate()?;
        let compiled;
        let route = match self.compiled(input.route) {
            Some(c) => c?,
            None => {
                compiled = Compiled::new(self.org, &self.index, input.route)?;
                &compiled
            }
        };
        compute::run(self, route, input)
    }
}

/// Plans a route backward from a goal against an organisation (see
/// [`Forecaster::plan_backward`]).
pub fn plan_backward(
    org: &Organisation,
    input: &ForecastInput<'_>,
    goal: &Goal,
) -> Result<BackwardPlan, ForecastError> {
    Forecaster::new(org).plan_backward(input, goal)
}

/// Forecasts a route against an organisation (indexes the meeting plans on each call;
/// use a [`Forecaster`] to forecast many matters).
pub fn forecast(org: &Organisation, input: &ForecastInput<'_>) -> Result<Forecast, ForecastError> {
    Forecaster::new(org).forecast(input)
}
