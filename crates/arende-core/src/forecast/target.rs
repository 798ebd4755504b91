//! Targets: can the matter be taken at a given body's meeting on a given day, and if not,
//! which cut-off or step is missed, by how many days, and what is the earliest
//! alternative.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Bound, Forecast, ForecastError, Forecaster, MeetsAfter, StepForecast};
use crate::ids::{BodyId, MeetingId, StepId};
use crate::route::Purpose;

/// A meeting to reach: a body and a day, optionally for one purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The body (or joint session, or a party's political body).
    pub body: BodyId,
    /// The meeting day.
    pub date: NaiveDate,
    /// The purpose to reach it for; `None` = the last step the route takes there (the
    /// one that matters most, e.g. the decision rather than the information).
    pub purpose: Option<Purpose>,
}

impl Target {
    /// A target without a purpose.
    pub fn new(body: impl Into<BodyId>, date: NaiveDate) -> Self {
        Target {
            body: body.into(),
            date,
            purpose: None,
        }
    }

    /// For this purpose.
    pub fn for_purpose(mut self, purpose: Purpose) -> Self {
        self.purpose = Some(purpose);
        self
    }

    /// Parses `BODY@YYYY-MM-DD`, e.g. `cg-joint@2024-11-15`.
    pub fn parse(text: &str) -> Result<Target, String> {
        let Some((body, date)) = text.rsplit_once('@') else {
            return Err(format!(
                "expected BODY@YYYY-MM-DD (e.g. cg-joint@2024-11-15), found \"{text}\""
            ));
        };
        if body.trim().is_empty() {
            return Err(format!("no body before '@' in \"{text}\""));
        }
        let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .map_err(|_| format!("\"{date}\" is not a date of the form YYYY-MM-DD"))?;
        Ok(Target::new(body.trim(), date))
    }
}

/// Why a target is missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Miss {
    /// The body has no planned meeting that day.
    NoMeeting {
        /// The body.
        body: BodyId,
        /// The day asked for.
        date: NaiveDate,
        /// Its next planned meeting on or after that day, if any.
        next: Option<NaiveDate>,
    },
    /// The documents are ready only after the meeting's notice cut-off.
    NoticeCutoff {
        /// The meeting.
        meeting: MeetingId,
        /// Its notice date (kallelse): the documents had to be ready by then.
        notice: NaiveDate,
        /// The day the documents are ready.
        documents_ready: NaiveDate,
        /// How many days too late.
        days_late: i64,
        /// What makes the documents that late (e.g. the remiss).
        bound_by: Bound,
    },
    /// The step must meet after a predecessor that meets on or after the target day.
    MustFollow {
        /// The predecessor.
        step: StepId,
        /// Its meeting day.
        meeting: NaiveDate,
        /// How many days after the target day the predecessor meets (0 = the same day).
        days_late: i64,
    },
    /// The step's date is beyond the known meeting plans.
    BeyondPlan {
        /// What is unknown.
        bound: Bound,
    },
}

/// The answer for a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetOutcome {
    /// The target.
    pub target: Target,
    /// The step tested: the first remaining step at the body with the purpose asked
    /// for, or without a purpose the last one.
    pub step: StepId,
    /// Its purpose.
    pub purpose: Purpose,
    /// Whether the step can be taken at the target meeting.
    pub reachable: bool,
    /// The earliest day the step can be taken (the alternative when not reachable).
    pub earliest: Option<NaiveDate>,
    /// The meeting on that day.
    pub earliest_meeting: Option<MeetingId>,
    /// Why not, when not reachable.
    pub reason: Option<Miss>,
    /// Other remaining steps at the body that can be taken at the target meeting (e.g.
    /// information when the decision cannot).
    pub reachable_instead: Vec<(StepId, Purpose)>,
}

/// What a step offers at the target body: documents, meets-after, date and meeting.
struct AtBody<'a> {
    documents: Option<NaiveDate>,
    documents_bound: &'a Bound,
    after: Option<&'a MeetsAfter>,
    date: Option<NaiveDate>,
    meeting: Option<&'a MeetingId>,
}

fn at_body<'a>(step: &'a StepForecast, body: &BodyId) -> Option<AtBody<'a>> {
    if step.body.as_ref() == Some(body) && step.parties.is_empty() {
        return Some(AtBody {
            documents: step.documents_ready,
            documents_bound: &step.documents_bound,
            after: step.meets_after.as_ref(),
            date: step.date,
            meeting: step.meeting.as_ref(),
        });
    }
    let party = step.parties.iter().find(|p| &p.body == body)?;
    Some(AtBody {
        documents: Some(party.documents_ready),
        documents_bound: &step.documents_bound,
        after: step.meets_after.as_ref(),
        date: party.date,
        meeting: party.meeting.as_ref(),
    })
}

/// Whether the step can be taken at the target meeting, and if not, why.
fn check(
    forecaster: &Forecaster<'_>,
    step: &StepForecast,
    at: &AtBody<'_>,
    target: &Target,
) -> Result<(), Miss> {
    let Some(slot) = forecaster.index.on(&target.body, target.date) else {
        let slots = forecaster.index.slots(&target.body);
        let next = slots[slots.partition_point(|s| s.date < target.date)..]
            .first()
            .map(|s| s.date);
        return Err(Miss::NoMeeting {
            body: target.body.clone(),
            date: target.date,
            next,
        });
    };
    let Some(documents) = at.documents else {
        return Err(Miss::BeyondPlan {
            bound: step.bound_by.clone(),
        });
    };
    if let Some(after) = at.after.filter(|a| a.date >= target.date) {
        // A predecessor meets that day or later.
        return Err(Miss::MustFollow {
            step: after.step.clone(),
            meeting: after.date,
            days_late: (after.date - target.date).num_days(),
        });
    }
    if documents > slot.notice {
        return Err(Miss::NoticeCutoff {
            meeting: slot.meeting.clone(),
            notice: slot.notice,
            documents_ready: documents,
            days_late: (documents - slot.notice).num_days(),
            bound_by: at.documents_bound.clone(),
        });
    }
    Ok(())
}

/// Answers a target against a finished forecast.
pub(super) fn evaluate(
    forecaster: &Forecaster<'_>,
    forecast: &Forecast,
    target: &Target,
) -> Result<TargetOutcome, ForecastError> {
    let at_target: Vec<(&StepForecast, AtBody<'_>)> = forecast
        .steps
        .iter()
        .filter_map(|s| at_body(s, &target.body).map(|a| (s, a)))
        .collect();
    let chosen = match target.purpose {
        Some(p) => at_target.iter().find(|(s, _)| s.purpose == p),
        None => at_target.last(),
    };
    let Some((step, at)) = chosen else {
        return Err(ForecastError::TargetNotOnRoute {
            body: target.body.clone(),
            purpose: target.purpose,
        });
    };
    let result = check(forecaster, step, at, target);
    let reachable_instead = if result.is_err() {
        at_target
            .iter()
            .filter(|(s, _)| s.step != step.step)
            .filter(|(s, a)| check(forecaster, s, a, target).is_ok())
            .map(|(s, _)| (s.step.clone(), s.purpose))
            .collect()
    } else {
        Vec::new()
    };
    Ok(TargetOutcome {
        target: target.clone(),
        step: step.step.clone(),
        purpose: step.purpose,
        reachable: result.is_ok(),
        earliest: at.date,
        earliest_meeting: at.meeting.cloned(),
        reason: result.err(),
        reachable_instead,
    })
}
