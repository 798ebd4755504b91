//! Backward planning (bakåtplanering): from a goal — a body's meeting, every party's
//! political decision by a day, or entry into force by a day — the latest day each
//! remaining step must be taken, the last meeting that still makes it, and the slack
//! against the forecast's earliest day, so a process lead sees how much room is left.
//!
//! The walk runs the forecast's rules in reverse over the same compiled route and the
//! same meeting index, in reverse route order: each step hands its predecessors what it
//! needs of them (their result by its documents' day, their meeting before its own, their
//! decisions in legal force by its entry into force), and each step then takes the last
//! meeting of its body that satisfies all of its successors.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::compute::{Compiled, CompiledStep, consultation_periods};
use super::index::Slot;
use super::{Forecast, ForecastError, ForecastInput, Forecaster};
use crate::holidays::WorkCalendar;
use crate::ids::{BodyId, MeetingId, PartyId, RouteId, StepId};
use crate::org::{Body, LeadTime};
use crate::route::{Dependency, Purpose, Step};

/// What to plan backward from (målet för bakåtplaneringen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Goal {
    /// The matter is taken at this body's meeting on this day (for `purpose`, or the last
    /// step the route takes there).
    Meeting {
        /// The body (or joint session, or a party's political body).
        body: BodyId,
        /// The meeting day.
        date: NaiveDate,
        /// The purpose; `None` = the last step the route takes at the body.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        purpose: Option<Purpose>,
    },
    /// Every party has taken its political decision by this day (the meeting is on or
    /// before it).
    DecidedBy {
        /// The day.
        date: NaiveDate,
    },
    /// The matter enters into force by this day: every party's decision is in legal
    /// force (laga kraft) by then.
    InForceBy {
        /// The day.
        date: NaiveDate,
    },
}

impl Goal {
    /// The goal's day.
    pub fn date(&self) -> NaiveDate {
        match self {
            Goal::Meeting { date, .. } | Goal::DecidedBy { date } | Goal::InForceBy { date } => {
                *date
            }
        }
    }

    /// Parses `BODY@YYYY-MM-DD` (a meeting), `decided-by:YYYY-MM-DD` or
    /// `in-force-by:YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Goal, String> {
        let date = |d: &str| {
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map_err(|_| format!("\"{}\" is not a date of the form YYYY-MM-DD", d.trim()))
        };
        let text = text.trim();
        if let Some(d) = text.strip_prefix("decided-by:") {
            return Ok(Goal::DecidedBy { date: date(d)? });
        }
        if let Some(d) = text.strip_prefix("in-force-by:") {
            return Ok(Goal::InForceBy { date: date(d)? });
        }
        let Some((body, d)) = text.rsplit_once('@') else {
            return Err(format!(
                "expected BODY@YYYY-MM-DD, decided-by:YYYY-MM-DD or in-force-by:YYYY-MM-DD, found \"{text}\""
            ));
        };
        if body.trim().is_empty() {
            return Err(format!("no body before '@' in \"{text}\""));
        }
        Ok(Goal::Meeting {
            body: BodyId::new(body.trim()),
            date: date(d)?,
            purpose: None,
        })
    }
}

impl std::fmt::Display for Goal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Goal::Meeting { body, date, .. } => write!(f, "{body}@{date}"),
            Goal::DecidedBy { date } => write!(f, "decided-by:{date}"),
            Goal::InForceBy { date } => write!(f, "in-force-by:{date}"),
        }
    }
}

/// One party's latest political decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyLatest {
    /// The party.
    pub party: PartyId,
    /// Its political body.
    pub body: BodyId,
    /// The last meeting day that still makes the goal; `None` when no meeting in the
    /// known plan does.
    pub latest: Option<NaiveDate>,
    /// That meeting.
    pub meeting: Option<MeetingId>,
    /// Its notice date: the party's documents must be ready by then.
    pub documents_by: Option<NaiveDate>,
    /// The forecast's earliest meeting day.
    pub earliest: Option<NaiveDate>,
    /// Days between the earliest and the latest (negative: that many days late).
    pub slack_days: Option<i64>,
}

/// One remaining step's latest date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepLatest {
    /// The step.
    pub step: StepId,
    /// What it is for.
    pub purpose: Purpose,
    /// The body taking it.
    pub body: Option<BodyId>,
    /// The latest day the step can be taken and still make the goal: the last meeting
    /// that makes it, the last day to send a consultation, the last party's decision.
    /// `None` when nothing in the known plan makes it.
    pub latest: Option<NaiveDate>,
    /// The last meeting that still makes it.
    pub meeting: Option<MeetingId>,
    /// The latest day its documents must be ready (the notice date of that meeting, or
    /// the day a consultation must be sent).
    pub documents_by: Option<NaiveDate>,
    /// The call-for-matters date of that meeting: register the matter by then.
    pub call_for_matters: Option<NaiveDate>,
    /// The forecast's earliest day.
    pub earliest: Option<NaiveDate>,
    /// Days between the earliest and the latest (for political decisions, the least of
    /// the parties'); negative: that many days late.
    pub slack_days: Option<i64>,
    /// The successors whose needs set the latest day (empty for the goal's own step).
    pub needed_by: Vec<StepId>,
    /// For political decisions: one per party.
    pub parties: Vec<PartyLatest>,
}

impl StepLatest {
    /// Whether the step can still be taken in time.
    pub fn in_time(&self) -> bool {
        if !self.parties.is_empty() {
            return self
                .parties
                .iter()
                .all(|p| p.slack_days.is_some_and(|s| s >= 0));
        }
        self.slack_days.is_some_and(|s| s >= 0)
    }
}

/// The backward plan of a route towards a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackwardPlan {
    /// The route.
    pub route: RouteId,
    /// The goal.
    pub goal: Goal,
    /// The step the goal is about.
    pub goal_step: StepId,
    /// The day the documents are ready (the forecast's input).
    pub ready: NaiveDate,
    /// The latest day the documents for the next step must be ready to make the goal.
    pub documents_by: Option<NaiveDate>,
    /// Whether the goal can still be made: every step it needs is in time.
    pub feasible: bool,
    /// The least slack of any step whose earliest and latest days are known, in days
    /// (negative: the goal is missed by that many days at that step).
    pub slack_days: Option<i64>,
    /// The step with that least slack (the first in route order on a tie): where the
    /// plan is tightest, and where to act first.
    pub tightest: Option<StepId>,
    /// The remaining steps the goal needs, in route order.
    pub steps: Vec<StepLatest>,
    /// The forward forecast the slack is measured against.
    pub forecast: Forecast,
}

impl BackwardPlan {
    /// A step's latest date.
    pub fn step(&self, id: &str) -> Option<&StepLatest> {
        self.steps.iter().find(|s| s.step.as_str() == id)
    }
}

/// What the successors need of a step.
#[derive(Debug, Default, Clone)]
struct Need<'a> {
    /// Whether the goal needs the step at all.
    needed: bool,
    /// Its result (minutes final, responses worked in, the day itself) by this day.
    result_by: Option<NaiveDate>,
    /// Its own documents ready by this day (a forum on the same proposal after it).
    documents_by: Option<NaiveDate>,
    /// Its meeting strictly before this day.
    before: Option<NaiveDate>,
    /// Its meeting (every party's) on or before this day.
    on_or_before: Option<NaiveDate>,
    /// Its decisions in legal force by this day.
    force_by: Option<NaiveDate>,
    /// The goal's own meeting: this body, this day.
    fixed: Option<(&'a BodyId, NaiveDate)>,
    /// A successor cannot be taken in time at all, so neither can this step.
    unreachable: bool,
    /// The successors that need it.
    by: Vec<&'a StepId>,
}

fn tighten(slot: &mut Option<NaiveDate>, date: NaiveDate) {
    *slot = Some(slot.map_or(date, |d| d.min(date)));
}

impl<'a> Need<'a> {
    /// The latest meeting day any constraint allows (before looking at lead times).
    fn ceiling(&self) -> Option<NaiveDate> {
        if self.unreachable {
            return None;
        }
        [
            self.before.and_then(|b| b.pred_opt()),
            self.on_or_before,
            self.result_by,
            self.force_by,
            self.fixed.map(|(_, d)| d),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The last slot of `slots` that satisfies every constraint, for `body`.
    fn last_slot<'s>(
        &self,
        calendar: &WorkCalendar,
        body: &Body,
        slots: &'s [Slot],
    ) -> Option<&'s Slot> {
        if let Some((fixed_body, _)) = self.fixed
            && fixed_body != &body.id
        {
            return None;
        }
        let ceiling = self.ceiling()?;
        let end = slots.partition_point(|s| s.date <= ceiling);
        slots[..end].iter().rev().find(|s| {
            self.fixed.is_none_or(|(_, d)| s.date == d)
                && self
                    .result_by
                    .is_none_or(|r| body.lead_times.minutes_final.after(s.date) <= r)
                && self
                    .force_by
                    .is_none_or(|f| super::compute::legal_force(calendar, body, s.date) <= f)
        })
    }
}

/// The last day `x` with `f(x) <= limit`, for a monotone `f` that is `lead` after `x`
/// (or a composition of lead times): starts from the inverse and corrects the months'
/// clamping by single days.
fn last_day_before(
    limit: NaiveDate,
    back: &[LeadTime],
    f: impl Fn(NaiveDate) -> NaiveDate,
) -> NaiveDate {
    let mut x = back.iter().fold(limit, |d, l| l.before(d));
    // Months clamp to the month's end, so the inverse may be a few days off.
    for _ in 0..8 {
        match x.succ_opt() {
            Some(next) if f(next) <= limit => x = next,
            _ => break,
        }
    }
    for _ in 0..8 {
        if f(x) <= limit {
            break;
        }
        match x.pred_opt() {
            Some(prev) => x = prev,
            None => break,
        }
    }
    x
}

/// The step the goal is about, by position.
fn goal_step(
    steps: &[&Step],
    compiled: &Compiled<'_>,
    remaining: &[bool],
    goal: &Goal,
) -> Option<usize> {
    let candidates = (0..steps.len()).filter(|&i| remaining[i]);
    match goal {
        Goal::Meeting { body, purpose, .. } => {
            let at_body: Vec<usize> = candidates
                .filter(|&i| {
                    let cs = &compiled.steps[i];
                    cs.body.is_some_and(|(b, _)| &b.id == body) && cs.deciders.is_empty()
                        || cs.deciders.iter().any(|d| &d.body.id == body)
                })
                .collect();
            match purpose {
                Some(p) => at_body.into_iter().find(|&i| steps[i].purpose == *p),
                None => at_body.last().copied(),
            }
        }
        Goal::DecidedBy { .. } => candidates
            .rev()
            .find(|&i| steps[i].purpose == Purpose::PoliticalDecision),
        Goal::InForceBy { .. } => {
            let all: Vec<usize> = candidates.collect();
            all.iter()
                .rev()
                .find(|&&i| steps[i].purpose == Purpose::EntryIntoForce)
                .or_else(|| {
                    all.iter()
                        .rev()
                        .find(|&&i| steps[i].purpose == Purpose::PoliticalDecision)
                })
                .copied()
        }
    }
}

/// Whether a step is taken at a meeting (its successors meet after it).
fn at_meeting(step: &Step, cs: &CompiledStep<'_>) -> bool {
    !cs.deciders.is_empty() || (cs.body.is_some() && step.purpose.needs_meeting())
}

impl Forecaster<'_> {
    /// Plans `input` backward from `goal`: the latest day of every remaining step the
    /// goal needs, the last meeting that still makes it, and the slack against the
    /// forecast. Pure: the same input gives the same answer.
    pub fn plan_backward(
        &self,
        input: &ForecastInput<'_>,
        goal: &Goal,
    ) -> Result<BackwardPlan, ForecastError> {
        super::check_date("goal", goal.date())?;
        let mut forward_input = input.clone();
        forward_input.target = None;
        let forecast = self.forecast(&forward_input)?;
        let compiled_own;
        let compiled = match self.compiled(input.route) {
            Some(c) => c?,
            None => {
                compiled_own = Compiled::new(self.org, &self.index, input.route)?;
                &compiled_own
            }
        };
        let steps: Vec<&Step> = input.route.steps().collect();
        let n = steps.len();
        let mut remaining = vec![true; n];
        for c in &input.completed {
            if let Some(p) = input.route.position(&c.step) {
                remaining[p] = false;
            }
        }
        let goal_at = goal_step(&steps, compiled, &remaining, goal)
            .ok_or_else(|| ForecastError::GoalNotOnRoute { goal: goal.clone() })?;
        let calendar = self.org.calendar();
        let mut needs: Vec<Need<'_>> = vec![Need::default(); n];
        {
            let need = &mut needs[goal_at];
            need.needed = true;
            match goal {
                Goal::Meeting { body, date, .. } => need.fixed = Some((body, *date)),
                Goal::DecidedBy { date } => need.on_or_before = Some(*date),
                Goal::InForceBy { date } => {
                    if steps[goal_at].purpose == Purpose::EntryIntoForce {
                        need.result_by = Some(*date);
                    } else {
                        need.force_by = Some(*date);
                    }
                }
            }
        }
        let mut out: Vec<Option<StepLatest>> = vec![None; n];
        for i in (0..n).rev() {
            if !remaining[i] || !needs[i].needed {
                continue;
            }
            let need = std::mem::take(&mut needs[i]);
            let step = steps[i];
            let cs = &compiled.steps[i];
            let earliest = forecast.step(step.id.as_str());
            let mut latest = StepLatest {
                step: step.id.clone(),
                purpose: step.purpose,
                body: step.body.clone(),
                latest: None,
                meeting: None,
                documents_by: None,
                call_for_matters: None,
                earliest: earliest.and_then(|f| f.date),
                slack_days: None,
                needed_by: need.by.iter().map(|s| (*s).clone()).collect(),
                parties: Vec::new(),
            };
            // What the step's predecessors must deliver: their documents (or results)
            // by `own_documents`, and their meetings before `meets`.
            let (own_documents, meets) = if step.purpose == Purpose::PoliticalDecision {
                self.political_latest(&calendar, cs, &need, earliest, input, &mut latest)
            } else if step.purpose == Purpose::EntryIntoForce || !at_meeting(step, cs) {
                let consultation = (step.purpose == Purpose::Consultation)
                    .then(|| consultation_periods(step, input))
                    .transpose()?;
                let limit = [
                    need.result_by,
                    need.documents_by,
                    need.on_or_before,
                    need.force_by,
                ]
                .into_iter()
                .flatten()
                .min()
                .filter(|_| !need.unreachable);
                let day = match (limit, consultation) {
                    (Some(r), Some((period, processing))) => {
                        let sent = last_day_before(
                            need.result_by.unwrap_or(r).min(need.force_by.unwrap_or(r)),
                            &[processing, period],
                            |x| processing.after(period.after(x)),
                        );
                        Some(need.documents_by.map_or(sent, |d| d.min(sent)))
                    }
                    (limit, _) => limit,
                };
                latest.latest = day;
                latest.documents_by = day;
                // A step outside meetings may be taken on its predecessor's meeting day.
                (day, day.and_then(|d| d.succ_opt()))
            } else {
                match cs.body {
                    Some((body, plan)) => {
                        match need.last_slot(&calendar, body, self.index.plan(plan)) {
                            Some(slot) => {
                                latest.latest = Some(slot.date);
                                latest.meeting = Some(slot.meeting.clone());
                                let documents = need
                                    .documents_by
                                    .map_or(slot.notice, |d| d.min(slot.notice));
                                latest.documents_by = Some(documents);
                                latest.call_for_matters = Some(slot.call);
                                (Some(documents), Some(slot.date))
                            }
                            None => (None, None),
                        }
                    }
                    None => (None, None),
                }
            };
            if latest.parties.is_empty() {
                latest.slack_days = latest
                    .latest
                    .zip(latest.earliest)
                    .map(|(l, e)| (l - e).num_days());
            }
            // Hand the predecessors what this step needs of them.
            let is_entry = step.purpose == Purpose::EntryIntoForce;
            for &(p, dep) in &cs.preds {
                if !remaining.get(p).copied().unwrap_or(false) {
                    continue;
                }
                let pred = steps[p];
                let pcs = &compiled.steps[p];
                let pred_meets = at_meeting(pred, pcs);
                let pn = &mut needs[p];
                pn.needed = true;
                pn.by.push(&step.id);
                let Some(documents) = own_documents else {
                    // Nothing makes it here, so nothing earlier can: the predecessor
                    // has no latest day either.
                    pn.unreachable = true;
                    continue;
                };
                if is_entry && pred_meets {
                    tighten(&mut pn.force_by, documents);
                } else if pred_meets && dep == Dependency::SameProposal {
                    tighten(&mut pn.documents_by, documents);
                } else {
                    tighten(&mut pn.result_by, documents);
                }
                if pred_meets && let Some(m) = meets {
                    tighten(&mut pn.before, m);
                }
            }
            out[i] = Some(latest);
        }
        let steps_out: Vec<StepLatest> = out.into_iter().flatten().collect();
        let feasible = steps_out.iter().all(StepLatest::in_time);
        let tightest = steps_out
            .iter()
            .filter_map(|s| s.slack_days.map(|d| (d, &s.step)))
            .min_by_key(|(d, _)| *d);
        let slack_days = tightest.map(|(d, _)| d);
        let tightest = tightest.map(|(_, s)| s.clone());
        let documents_by = steps_out
            .iter()
            .filter(|s| {
                let p = input.route.position(&s.step).unwrap_or(0);
                compiled.steps[p].preds.iter().all(|&(q, _)| !remaining[q])
            })
            .map(|s| s.documents_by)
            .try_fold(None::<NaiveDate>, |m, d| {
                d.map(|d| Some(m.map_or(d, |m| m.min(d))))
            })
            .flatten();
        Ok(BackwardPlan {
            route: input.route.id().clone(),
            goal: goal.clone(),
            goal_step: steps[goal_at].id.clone(),
            ready: input.ready,
            documents_by,
            feasible,
            slack_days,
            tightest,
            steps: steps_out,
            forecast,
        })
    }
}

impl Forecaster<'_> {
    /// Political decisions in every party: each party's last meeting that makes the
    /// goal. Returns the day the step's documents must be ready (before the parties'
    /// preparation, `to_political`) and the first party's latest meeting day.
    fn political_latest(
        &self,
        calendar: &WorkCalendar,
        cs: &CompiledStep<'_>,
        need: &Need<'_>,
        earliest: Option<&super::StepForecast>,
        input: &ForecastInput<'_>,
        out: &mut StepLatest,
    ) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let mut documents: Option<NaiveDate> = None;
        let mut first_meeting: Option<NaiveDate> = None;
        let mut last_meeting: Option<NaiveDate> = None;
        let mut all_known = true;
        for d in &cs.deciders {
            // The goal's own meeting binds only the party whose body it names.
            if need.fixed.is_some_and(|(b, _)| b != &d.body.id) {
                continue;
            }
            // A party whose decision is recorded needs no meeting any more.
            if d.party.is_some_and(|p| input.decision_of(p).is_some()) {
                continue;
            }
            let party = d
                .party
                .cloned()
                .unwrap_or_else(|| PartyId::new(d.body.id.as_str()));
            let party_earliest = earliest
                .and_then(|f| f.parties.iter().find(|p| p.body == d.body.id))
                .and_then(|p| p.date);
            let slot = need.last_slot(calendar, d.body, self.index.plan(d.plan));
            let latest = slot.map(|s| s.date);
            match slot {
                Some(s) => {
                    documents = Some(documents.map_or(s.notice, |x| x.min(s.notice)));
                    first_meeting = Some(first_meeting.map_or(s.date, |x| x.min(s.date)));
                    last_meeting = Some(last_meeting.map_or(s.date, |x| x.max(s.date)));
                }
                None => all_known = false,
            }
            out.parties.push(PartyLatest {
                party,
                body: d.body.id.clone(),
                latest,
                meeting: slot.map(|s| s.meeting.clone()),
                documents_by: slot.map(|s| s.notice),
                earliest: party_earliest,
                slack_days: latest.zip(party_earliest).map(|(l, e)| (l - e).num_days()),
            });
        }
        if !all_known || out.parties.is_empty() {
            return (None, None);
        }
        out.latest = last_meeting;
        out.documents_by = documents;
        out.slack_days = out.parties.iter().filter_map(|p| p.slack_days).min();
        // Each party prepares the matter for its political body (to_political) after the
        // documents of the step before are ready.
        let before_preparation = match (documents, input.durations.to_political) {
            (Some(d), Some(t)) => Some(last_day_before(d, &[t], |x| t.after(x))),
            (d, None) => d,
            (None, _) => None,
        };
        (before_preparation, first_meeting)
    }
}
