//! The forecast walk: a route compiled against the organisation (predecessors by
//! position, bodies and their meeting plans resolved, the deciding parties of political
//! steps), and one pass over its steps in route order. Inside the walk, bounds are
//! borrowed [`Link`]s (no allocation); they become owned [`Bound`]s only in the output.

use chrono::NaiveDate;

use super::index::{MeetingIndex, NoSlot};
use super::{
    Bound, ConsultationDates, Forecast, ForecastError, ForecastInput, Forecaster, MeetsAfter,
    PartyForecast, RecordedDecision, RecordedForce, StepForecast, target,
};
use crate::holidays::WorkCalendar;
use crate::ids::{BodyId, PartyId, StepId};
use crate::org::{Body, BodyKind, LeadTime, Organisation};
use crate::route::{Dependency, Purpose, Route, Step};

/// A political body deciding for a party.
#[derive(Debug, Clone)]
pub(crate) struct Decider<'o> {
    pub(super) party: Option<&'o PartyId>,
    pub(super) body: &'o Body,
    pub(super) plan: usize,
}

/// A step resolved against the organisation.
#[derive(Debug, Clone)]
pub(crate) struct CompiledStep<'o> {
    /// Predecessors: position in route order, and how this step depends on each.
    pub(super) preds: Vec<(usize, Dependency)>,
    /// The body and its meeting plan.
    pub(super) body: Option<(&'o Body, usize)>,
    /// For a political decision: who decides.
    pub(super) deciders: Vec<Decider<'o>>,
}

/// A route resolved against the organisation, in route (topological) order.
#[derive(Debug, Clone)]
pub(crate) struct Compiled<'o> {
    pub(super) steps: Vec<CompiledStep<'o>>,
}

fn body_of<'o>(
    org: &'o Organisation,
    index: &MeetingIndex,
    step: &Step,
    id: &BodyId,
) -> Result<(&'o Body, usize), ForecastError> {
    let unknown = || ForecastError::UnknownBody {
        step: step.id.clone(),
        body: id.clone(),
    };
    let body = org.body(id).ok_or_else(unknown)?;
    let plan = index.plan_of(id).ok_or_else(unknown)?;
    Ok((body, plan))
}

fn deciders<'o>(
    org: &'o Organisation,
    index: &MeetingIndex,
    step: &Step,
) -> Result<Vec<Decider<'o>>, ForecastError> {
    if step.parties.is_empty() {
        if let Some(b) = &step.body {
            let (body, plan) = body_of(org, index, step, b)?;
            return Ok(vec![Decider {
                party: body.party.as_ref(),
                body,
                plan,
            }]);
        }
    }
    let parties: Vec<&PartyId> = if step.parties.is_empty() {
        org.signatories().map(|p| &p.id).collect()
    } else {
        step.parties.iter().collect()
    };
    parties
        .into_iter()
        .map(|pid| {
            let party = org.party(pid).ok_or_else(|| ForecastError::UnknownParty {
                step: step.id.clone(),
                party: pid.clone(),
            })?;
            let bid =
                party
                    .political_body
                    .as_ref()
                    .ok_or_else(|| ForecastError::NoPoliticalBody {
                        step: step.id.clone(),
                        party: pid.clone(),
                    })?;
            let (body, plan) = body_of(org, index, step, bid)?;
            Ok(Decider {
                party: Some(&party.id),
                body,
                plan,
            })
        })
        .collect()
}

impl<'o> Compiled<'o> {
    /// Resolves a route's steps: bodies, plans, deciding parties, predecessors.
    pub fn new(
        org: &'o Organisation,
        index: &MeetingIndex,
        route: &Route,
    ) -> Result<Compiled<'o>, ForecastError> {
        let mut steps = Vec::with_capacity(route.len());
        for step in route.steps() {
            let preds = route
                .predecessors(&step.id)
                .into_iter()
                .filter_map(|(p, dep)| route.position(&p.id).map(|i| (i, dep)))
                .collect();
            let mut compiled = CompiledStep {
                preds,
                body: None,
                deciders: Vec::new(),
            };
            if step.purpose == Purpose::PoliticalDecision {
                compiled.deciders = deciders(org, index, step)?;
            } else {
                match &step.body {
                    Some(b) => compiled.body = Some(body_of(org, index, step, b)?),
                    None if step.purpose.needs_meeting() => {
                        return Err(ForecastError::NoBody {
                            step: step.id.clone(),
                            purpose: step.purpose,
                        });
                    }
                    None => {}
                }
            }
            steps.push(compiled);
        }
        Ok(Compiled { steps })
    }
}

/// A bound inside the walk, borrowing its ids.
#[derive(Debug, Clone, Copy)]
enum Link<'a> {
    Ready(NaiveDate),
    MinutesFinal {
        step: &'a StepId,
        meeting: NaiveDate,
        final_on: NaiveDate,
    },
    SameProposal {
        step: &'a StepId,
        meeting: NaiveDate,
    },
    Predecessor {
        step: &'a StepId,
        date: NaiveDate,
    },
    Consultation {
        step: &'a StepId,
        deadline: NaiveDate,
        processed: NaiveDate,
    },
    LegalForce {
        step: &'a StepId,
        party: Option<&'a PartyId>,
        body: &'a BodyId,
        decided: NaiveDate,
        final_on: NaiveDate,
    },
    BeyondPlan {
        body: &'a BodyId,
        documents_ready: NaiveDate,
        plan_ends: Option<NaiveDate>,
    },
    AfterUnknown {
        step: &'a StepId,
    },
}

impl Link<'_> {
    fn bound(self) -> Bound {
        match self {
            Link::Ready(date) => Bound::Ready { date },
            Link::MinutesFinal {
                step,
                meeting,
                final_on,
            } => Bound::MinutesFinal {
                step: step.clone(),
                meeting,
                final_on,
            },
            Link::SameProposal { step, meeting } => Bound::SameProposal {
                step: step.clone(),
                meeting,
            },
            Link::Predecessor { step, date } => Bound::Predecessor {
                step: step.clone(),
                date,
            },
            Link::Consultation {
                step,
                deadline,
                processed,
            } => Bound::Consultation {
                step: step.clone(),
                deadline,
                processed,
            },
            Link::LegalForce {
                step,
                party,
                body,
                decided,
                final_on,
            } => Bound::LegalForce {
                step: step.clone(),
                party: party.cloned(),
                body: body.clone(),
                decided,
                final_on,
            },
            Link::BeyondPlan {
                body,
                documents_ready,
                plan_ends,
            } => Bound::BeyondPlan {
                body: body.clone(),
                documents_ready,
                plan_ends,
            },
            Link::AfterUnknown { step } => Bound::AfterUnknown { step: step.clone() },
        }
    }
}

/// Legal force of one party's decision.
#[derive(Debug, Clone, Copy)]
struct Force<'a> {
    party: Option<&'a PartyId>,
    body: &'a BodyId,
    decided: NaiveDate,
    final_on: NaiveDate,
}

/// What successors see of a step with a known date.
#[derive(Debug, Clone, Copy)]
struct Known<'a> {
    /// The day its documents were ready, and why.
    documents: NaiveDate,
    documents_bound: Link<'a>,
    /// The event day (meeting, sent, drafted, last decision).
    date: NaiveDate,
    /// What a decision-dependent successor waits for (minutes final, responses in).
    result: NaiveDate,
    result_bound: Link<'a>,
    /// Taken at a meeting (a successor meets after it).
    at_meeting: bool,
}

#[derive(Debug, Default)]
struct Node<'a> {
    known: Option<Known<'a>>,
    /// Legal force per deciding party, sorted by `final_on` (only the known ones).
    force: Vec<Force<'a>>,
    /// How many parties decide (0 when the step is not a decision at a political body).
    deciders: usize,
    /// The earliest a deciding party not in `force` could be final.
    unknown_floor: Option<NaiveDate>,
    /// Deciding parties that will never be in force (a recorded rejection, or a
    /// decision annulled on appeal): they take no part in the entry into force.
    never: usize,
}

/// A deciding party's legal force, from its recorded decision.
enum PartyForce {
    /// In force from this day (settled, or by the law's periods from the recorded days).
    Final(NaiveDate),
    /// Not before this day (an appeal lodged in time awaits its ruling).
    NotBefore(NaiveDate),
    /// Never (rejected, or annulled on appeal).
    Never,
}

/// The day the decision of `body` taken on `decided` is final: after the minutes are
/// adjusted, announced, and the appeal period has run out (the day after its last day,
/// which moves to the next working day when it falls on a day off). The one rule of
/// [`crate::legal`], as the matter and the read API apply it.
pub(crate) fn legal_force(calendar: &WorkCalendar, body: &Body, decided: NaiveDate) -> NaiveDate {
    crate::legal::legal_force_of(calendar, body, decided)
}

/// The earliest day a body could meet on documents ready `documents` when its known plan
/// has no such meeting: after the plan ends, and late enough for the notice.
fn earliest_beyond(body: &Body, no: NoSlot, documents: NaiveDate) -> NaiveDate {
    let by_notice = body.lead_times.notice.after(documents);
    match no.plan_ends.and_then(|d| d.succ_opt()) {
        Some(after_plan) => after_plan.max(by_notice),
        None => by_notice,
    }
}

/// The bounds a step gets from the ready date and its predecessors.
struct Gathered<'a> {
    documents: NaiveDate,
    documents_bound: Link<'a>,
    after: Option<(NaiveDate, Link<'a>, &'a StepId)>,
    waiting: Option<&'a StepId>,
}

fn gather<'a>(
    cs: &CompiledStep<'_>,
    steps: &[&'a Step],
    nodes: &[Node<'a>],
    ready: NaiveDate,
) -> Gathered<'a> {
    let mut g = Gathered {
        documents: ready,
        documents_bound: Link::Ready(ready),
        after: None,
        waiting: None,
    };
    for &(p, dep) in &cs.preds {
        let (Some(node), Some(pred)) = (nodes.get(p), steps.get(p)) else {
            continue;
        };
        let Some(k) = &node.known else {
            g.waiting.get_or_insert(&pred.id);
            continue;
        };
        let (docs, bound) = match dep {
            Dependency::SameProposal if k.at_meeting => (k.documents, k.documents_bound),
            _ => (k.result, k.result_bound),
        };
        if docs > g.documents {
            g.documents = docs;
            g.documents_bound = bound;
        }
        if k.at_meeting && g.after.as_ref().is_none_or(|(a, _, _)| k.date > *a) {
            let b = match dep {
                Dependency::SameProposal => Link::SameProposal {
                    step: &pred.id,
                    meeting: k.date,
                },
                Dependency::Decision => k.result_bound,
            };
            g.after = Some((k.date, b, &pred.id));
        }
    }
    g
}

fn empty_forecast(step: &Step, ready: NaiveDate) -> StepForecast {
    StepForecast {
        step: step.id.clone(),
        purpose: step.purpose,
        body: step.body.clone(),
        documents_ready: None,
        documents_bound: Bound::Ready { date: ready },
        meets_after: None,
        date: None,
        meeting: None,
        cutoff: None,
        call_for_matters: None,
        minutes_final: None,
        consultation: None,
        parties: Vec::new(),
        bound_by: Bound::Ready { date: ready },
    }
}

/// A consultation step's response period and processing time, the input's durations
/// first (the forecast's and the backward plan's one rule).
pub(super) fn consultation_periods(
    step: &Step,
    input: &ForecastInput<'_>,
) -> Result<(LeadTime, LeadTime), ForecastError> {
    let spec = step.consultation.as_ref();
    let durations = &input.durations;
    let period = durations
        .remiss_period
        .or(spec.map(|s| s.period))
        .ok_or_else(|| ForecastError::NoConsultationPeriod {
            step: step.id.clone(),
        })?;
    let processing = durations
        .processing
        .or(spec.map(|s| s.processing))
        .unwrap_or(LeadTime::Days(0));
    Ok((period, processing))
}

/// The walk over one route.
struct Walk<'a, 'f> {
    index: &'f MeetingIndex,
    /// The working-day calendar (the organisation's).
    calendar: WorkCalendar,
    input: &'f ForecastInput<'a>,
    steps: Vec<&'a Step>,
}

impl<'a> Walk<'a, '_> {
    /// The recorded decision of a deciding party, if the input has one.
    fn recorded(&self, d: &Decider<'a>) -> Option<&RecordedDecision> {
        d.party.and_then(|p| self.input.decision_of(p))
    }

    /// A recorded decision's legal force.
    fn recorded_force(&self, body: &Body, r: &RecordedDecision) -> PartyForce {
        let by_the_law = || {
            crate::legal::legal_force_with(
                &self.calendar,
                body,
                r.on,
                crate::legal::LegalFacts {
                    decided: Some(r.on),
                    adjusted: r.adjusted_on,
                    announced: r.announced_on,
                },
            )
        };
        match (r.adopted, r.force) {
            (false, _) | (true, RecordedForce::Never) => PartyForce::Never,
            (true, RecordedForce::From(day)) => PartyForce::Final(day),
            (true, RecordedForce::ByTheLaw) => PartyForce::Final(by_the_law()),
            (true, RecordedForce::AppealPending) => PartyForce::NotBefore(by_the_law()),
        }
    }

    /// Adds a party's legal force from its recorded decision to `node`; the day it is
    /// final, when known.
    fn add_recorded(
        &self,
        node: &mut Node<'a>,
        d: &Decider<'a>,
        r: &RecordedDecision,
    ) -> Option<NaiveDate> {
        match self.recorded_force(d.body, r) {
            PartyForce::Final(final_on) => {
                node.force.push(Force {
                    party: d.party,
                    body: &d.body.id,
                    decided: r.on,
                    final_on,
                });
                Some(final_on)
            }
            PartyForce::NotBefore(floor) => {
                node.unknown_floor = Some(node.unknown_floor.map_or(floor, |f| f.min(floor)));
                None
            }
            PartyForce::Never => {
                node.never += 1;
                None
            }
        }
    }

    /// Whether plan `plan` has a meeting on or before `after` that documents ready on
    /// `documents` could reach: then the predecessor's meeting, not the documents, bounds.
    fn earlier(&self, plan: usize, documents: NaiveDate, after: NaiveDate) -> bool {
        self.index
            .first_in(plan, documents, None)
            .is_ok_and(|free| free.date <= after)
    }

    /// What successors see of a step already taken on `date`.
    fn completed(&self, i: usize, cs: &CompiledStep<'a>, date: NaiveDate) -> Node<'a> {
        let step = self.steps[i];
        let mut node = Node::default();
        let minutes_bound = |final_on| Link::MinutesFinal {
            step: &step.id,
            meeting: date,
            final_on,
        };
        let (result, result_bound, at_meeting) = if step.purpose == Purpose::PoliticalDecision {
            node.deciders = cs.deciders.len();
            let mut result = date;
            for d in &cs.deciders {
                let minutes = match self.recorded(d) {
                    Some(r) => {
                        self.add_recorded(&mut node, d, r);
                        r.adjusted_on
                            .unwrap_or_else(|| d.body.lead_times.minutes_final.after(r.on))
                    }
                    None => {
                        node.force.push(Force {
                            party: d.party,
                            body: &d.body.id,
                            decided: date,
                            final_on: legal_force(&self.calendar, d.body, date),
                        });
                        d.body.lead_times.minutes_final.after(date)
                    }
                };
                result = result.max(minutes);
            }
            node.force.sort_by_key(|f| f.final_on);
            (result, minutes_bound(result), true)
        } else if let (Some((body, _)), true) = (cs.body, step.purpose.needs_meeting()) {
            political_force(&self.calendar, &mut node, body, date);
            let result = body.lead_times.minutes_final.after(date);
            (result, minutes_bound(result), true)
        } else {
            (
                date,
                Link::Predecessor {
                    step: &step.id,
                    date,
                },
                false,
            )
        };
        node.known = Some(Known {
            documents: self.input.ready.min(date),
            documents_bound: Link::Ready(self.input.ready),
            date,
            result,
            result_bound,
            at_meeting,
        });
        node
    }

    /// Forecasts one remaining step.
    fn step(
        &self,
        i: usize,
        cs: &CompiledStep<'a>,
        nodes: &[Node<'a>],
        out: &mut StepForecast,
    ) -> Result<Node<'a>, ForecastError> {
        let step = self.steps[i];
        let ready = self.input.ready;
        let mut node = Node::default();
        if step.purpose == Purpose::EntryIntoForce {
            self.entry_into_force(step, cs, nodes, &mut node, out)?;
            return Ok(node);
        }
        let consultation = (step.purpose == Purpose::Consultation)
            .then(|| consultation_periods(step, self.input))
            .transpose()?;
        let g = gather(cs, &self.steps, nodes, ready);
        if let Some(w) = g.waiting {
            out.bound_by = Bound::AfterUnknown { step: w.clone() };
            node.deciders = cs.deciders.len();
            return Ok(node);
        }
        out.documents_ready = Some(g.documents);
        out.documents_bound = g.documents_bound.bound();
        out.meets_after = g.after.map(|(date, _, step)| MeetsAfter {
            step: step.clone(),
            date,
        });
        if step.purpose == Purpose::PoliticalDecision {
            self.political(step, cs, &g, &mut node, out);
            return Ok(node);
        }
        match (step.purpose.needs_meeting(), cs.body) {
            (true, Some((body, plan))) => {
                let after = g.after.map(|(a, _, _)| a);
                match self.index.first_in(plan, g.documents, after) {
                    Ok(slot) => {
                        // Would the documents alone have allowed an earlier meeting?
                        let bound = match g.after {
                            Some((a, b, _)) if self.earlier(plan, g.documents, a) => b,
                            _ => g.documents_bound,
                        };
                        let minutes = body.lead_times.minutes_final.after(slot.date);
                        out.date = Some(slot.date);
                        out.meeting = Some(slot.meeting.clone());
                        out.cutoff = Some(slot.notice);
                        out.call_for_matters = Some(slot.call);
                        out.minutes_final = Some(minutes);
                        out.bound_by = bound.bound();
                        political_force(&self.calendar, &mut node, body, slot.date);
                        node.known = Some(Known {
                            documents: g.documents,
                            documents_bound: g.documents_bound,
                            date: slot.date,
                            result: minutes,
                            result_bound: Link::MinutesFinal {
                                step: &step.id,
                                meeting: slot.date,
                                final_on: minutes,
                            },
                            at_meeting: true,
                        });
                    }
                    Err(no) => {
                        out.bound_by = Link::BeyondPlan {
                            body: &body.id,
                            documents_ready: g.documents,
                            plan_ends: no.plan_ends,
                        }
                        .bound();
                        if body.kind == BodyKind::Political {
                            node.deciders = 1;
                            node.unknown_floor = Some(legal_force(
                                &self.calendar,
                                body,
                                earliest_beyond(body, no, g.documents),
                            ));
                        }
                    }
                }
            }
            _ => {
                // Taken outside meetings, but not before a predecessor's meeting on the
                // same proposal.
                let (date, bound) = match g.after {
                    Some((a, b, _)) if a > g.documents => (a, b),
                    _ => (g.documents, g.documents_bound),
                };
                out.date = Some(date);
                out.bound_by = bound.bound();
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
                            Link::Consultation {
                                step: &step.id,
                                deadline,
                                processed,
                            },
                        )
                    }
                    None => (
                        date,
                        Link::Predecessor {
                            step: &step.id,
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
        Ok(node)
    }

    /// Political decisions in every party, in parallel.
    fn political(
        &self,
        step: &'a Step,
        cs: &CompiledStep<'a>,
        g: &Gathered<'a>,
        node: &mut Node<'a>,
        out: &mut StepForecast,
    ) {
        let documents = self
            .input
            .durations
            .to_political
            .map_or(g.documents, |t| t.after(g.documents));
        let after = g.after.map(|(a, _, _)| a);
        node.deciders = cs.deciders.len();
        node.force.reserve(cs.deciders.len());
        out.parties.reserve(cs.deciders.len());
        // The last party's meeting day and plan, and the last minutes final.
        let mut last: Option<(NaiveDate, usize)> = None;
        let mut minutes_final: Option<NaiveDate> = None;
        let mut beyond: Option<Link<'a>> = None;
        for d in &cs.deciders {
            let mut pf = PartyForecast {
                party: d
                    .party
                    .cloned()
                    .unwrap_or_else(|| PartyId::new(d.body.id.as_str())),
                body: d.body.id.clone(),
                documents_ready: documents,
                date: None,
                meeting: None,
                cutoff: None,
                minutes_final: None,
                legal_force: None,
                plan_ends: None,
                decided: None,
            };
            if let Some(r) = self.recorded(d) {
                // Decided already: the recorded day, minutes and road to legal force.
                let minutes = r
                    .adjusted_on
                    .unwrap_or_else(|| d.body.lead_times.minutes_final.after(r.on));
                pf.date = Some(r.on);
                pf.decided = Some(super::Decided::of(r));
                pf.meeting = r.meeting.clone();
                pf.minutes_final = Some(minutes);
                pf.legal_force = self.add_recorded(node, d, r);
                if last.is_none_or(|(l, _)| r.on > l) {
                    last = Some((r.on, d.plan));
                }
                minutes_final = Some(minutes_final.map_or(minutes, |m| m.max(minutes)));
                out.parties.push(pf);
                continue;
            }
            match self.index.first_in(d.plan, documents, after) {
                Ok(slot) => {
                    let minutes = d.body.lead_times.minutes_final.after(slot.date);
                    let force = legal_force(&self.calendar, d.body, slot.date);
                    pf.date = Some(slot.date);
                    pf.meeting = Some(slot.meeting.clone());
                    pf.cutoff = Some(slot.notice);
                    pf.minutes_final = Some(minutes);
                    pf.legal_force = Some(force);
                    node.force.push(Force {
                        party: d.party,
                        body: &d.body.id,
                        decided: slot.date,
                        final_on: force,
                    });
                    if last.is_none_or(|(l, _)| slot.date > l) {
                        last = Some((slot.date, d.plan));
                    }
                    minutes_final = Some(minutes_final.map_or(minutes, |m| m.max(minutes)));
                }
                Err(no) => {
                    pf.plan_ends = no.plan_ends;
                    let floor = legal_force(
                        &self.calendar,
                        d.body,
                        earliest_beyond(d.body, no, documents),
                    );
                    node.unknown_floor = Some(node.unknown_floor.map_or(floor, |f| f.min(floor)));
                    beyond.get_or_insert(Link::BeyondPlan {
                        body: &d.body.id,
                        documents_ready: documents,
                        plan_ends: no.plan_ends,
                    });
                }
            }
            out.parties.push(pf);
        }
        node.force.sort_by_key(|f| f.final_on);
        match (beyond, last, minutes_final) {
            (None, Some((date, plan)), Some(minutes)) => {
                out.date = Some(date);
                out.minutes_final = Some(minutes);
                // Would the documents alone have allowed the last party an earlier meeting?
                let bound = match g.after {
                    Some((a, b, _)) if self.earlier(plan, documents, a) => b,
                    _ => g.documents_bound,
                };
                out.bound_by = bound.bound();
                node.known = Some(Known {
                    documents: g.documents,
                    documents_bound: g.documents_bound,
                    date,
                    result: minutes,
                    result_bound: Link::MinutesFinal {
                        step: &step.id,
                        meeting: date,
                        final_on: minutes,
                    },
                    at_meeting: true,
                });
            }
            (beyond, _, _) => {
                out.bound_by = beyond
                    .unwrap_or(Link::AfterUnknown { step: &step.id })
                    .bound();
            }
        }
    }

    /// Entry into force: when the last deciding party (or the quorum) is final.
    fn entry_into_force(
        &self,
        step: &'a Step,
        cs: &CompiledStep<'a>,
        nodes: &[Node<'a>],
        node: &mut Node<'a>,
        out: &mut StepForecast,
    ) -> Result<(), ForecastError> {
        let ready = self.input.ready;
        let mut date = ready;
        let mut bound = Link::Ready(ready);
        let mut waiting: Option<&'a StepId> = None;
        for &(p, _) in &cs.preds {
            let (Some(pn), Some(pred)) = (nodes.get(p), self.steps.get(p)) else {
                continue;
            };
            let (d, b) = if pn.deciders > 0 {
                let need = step
                    .quorum
                    .map_or(pn.deciders - pn.never.min(pn.deciders), |q| q as usize);
                if need > pn.deciders {
                    return Err(ForecastError::QuorumTooLarge {
                        step: step.id.clone(),
                        quorum: step.quorum.unwrap_or_default(),
                        parties: pn.deciders,
                    });
                }
                match pn.force.get(need.max(1) - 1) {
                    // Known only if no party beyond the plan could be final earlier.
                    Some(f) if pn.unknown_floor.is_none_or(|floor| f.final_on <= floor) => (
                        f.final_on,
                        Link::LegalForce {
                            step: &pred.id,
                            party: f.party,
                            body: f.body,
                            decided: f.decided,
                            final_on: f.final_on,
                        },
                    ),
                    _ => {
                        waiting.get_or_insert(&pred.id);
                        continue;
                    }
                }
            } else if let Some(k) = &pn.known {
                (k.result, k.result_bound)
            } else {
                waiting.get_or_insert(&pred.id);
                continue;
            };
            if d > date {
                date = d;
                bound = b;
            }
        }
        if let Some(w) = waiting {
            out.bound_by = Bound::AfterUnknown { step: w.clone() };
            return Ok(());
        }
        out.documents_ready = Some(date);
        out.documents_bound = bound.bound();
        out.date = Some(date);
        out.bound_by = out.documents_bound.clone();
        node.known = Some(Known {
            documents: date,
            documents_bound: bound,
            date,
            result: date,
            result_bound: Link::Predecessor {
                step: &step.id,
                date,
            },
            at_meeting: false,
        });
        Ok(())
    }
}

/// A decision at a party's own political body counts for entry into force.
fn political_force<'a>(
    calendar: &WorkCalendar,
    node: &mut Node<'a>,
    body: &'a Body,
    date: NaiveDate,
) {
    if body.kind == BodyKind::Political {
        node.deciders = 1;
        node.force.push(Force {
            party: body.party.as_ref(),
            body: &body.id,
            decided: date,
            final_on: legal_force(calendar, body, date),
        });
    }
}

/// Forecasts `input` over its compiled route.
pub(super) fn run<'o>(
    fc: &Forecaster<'o>,
    compiled: &Compiled<'o>,
    input: &ForecastInput<'_>,
) -> Result<Forecast, ForecastError> {
    let route = input.route;
    let walk = Walk {
        index: &fc.index,
        calendar: fc.org.calendar(),
        input,
        steps: route.steps().collect(),
    };
    let n = walk.steps.len();
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
    let mut nodes: Vec<Node<'_>> = Vec::with_capacity(n);
    let mut steps = Vec::with_capacity(n);
    for (i, cs) in compiled.steps.iter().enumerate() {
        if let Some(date) = completed[i] {
            nodes.push(walk.completed(i, cs, date));
            continue;
        }
        steps.push(empty_forecast(walk.steps[i], input.ready));
        if let Some(out) = steps.last_mut() {
            nodes.push(walk.step(i, cs, &nodes, out)?);
        }
    }
    let mut forecast = Forecast {
        route: route.id().clone(),
        ready: input.ready,
        steps,
        target: None,
    };
    if let Some(t) = &input.target {
        forecast.target = Some(target::evaluate(fc, &forecast, t)?);
    }
    Ok(forecast)
}
