//! What-if: the same forecast under a changed assumption (documents ready later, an
//! extra meeting, a cancelled meeting, a shorter remiss), with the difference per step.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::index::Slot;
use super::{Forecast, ForecastError, ForecastInput, Forecaster, check_duration};
use crate::ids::{BodyId, MeetingId, StepId};
use crate::org::{LeadTime, check_date, offset_date};

/// A changed assumption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Assumption {
    /// The documents are ready this many days later (negative: earlier).
    ReadyLater {
        /// Days.
        days: i64,
    },
    /// An extra meeting of a body (its call and notice dates follow from the body's
    /// lead times; for a joint session, its bodies meet too).
    ExtraMeeting {
        /// The body.
        body: BodyId,
        /// The day.
        date: NaiveDate,
    },
    /// A planned meeting is cancelled.
    CancelMeeting {
        /// The meeting.
        meeting: MeetingId,
    },
    /// Every consultation (remiss) runs for this period.
    RemissPeriod {
        /// The period.
        period: LeadTime,
    },
    /// Responses are worked in within this time.
    Processing {
        /// The time.
        time: LeadTime,
    },
    /// Each party needs this long before its political body can take the matter.
    ToPolitical {
        /// The time.
        time: LeadTime,
    },
}

/// How one step moves under the changed assumption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepDifference {
    /// The step.
    pub step: StepId,
    /// Its date in the base forecast.
    pub before: Option<NaiveDate>,
    /// Its date under the changed assumption.
    pub after: Option<NaiveDate>,
    /// Days later (negative: earlier), when both are known.
    pub days: Option<i64>,
}

impl StepDifference {
    /// Whether the step moved (or became known or unknown).
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// Both forecasts and the difference per step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatIf {
    /// The forecast as planned.
    pub base: Forecast,
    /// The forecast under the changed assumptions.
    pub changed: Forecast,
    /// Every step of the base forecast, with how it moved.
    pub differences: Vec<StepDifference>,
}

impl<'o> Forecaster<'o> {
    /// The same forecaster with an assumption about the meeting plans applied.
    fn assume(&mut self, assumption: &Assumption) -> Result<(), ForecastError> {
        match assumption {
            Assumption::ExtraMeeting { body, date } => {
                let b = self
                    .org
                    .body(body)
                    .ok_or_else(|| ForecastError::UnknownAssumptionBody(body.clone()))?;
                check_date("what-if extra meeting", *date)?;
                // The same working-day calendar as the configuration's plans.
                let (call, notice) =
                    crate::calendar::derived_dates(self.org, std::slice::from_ref(body), *date);
                let slot = Slot {
                    date: *date,
                    notice,
                    call,
                    meeting: MeetingId::new(format!("{body}-{date}-extra")),
                };
                for part in &b.joint_of {
                    self.index.add(part, slot.clone());
                }
                self.index.add(body, slot);
                Ok(())
            }
            Assumption::CancelMeeting { meeting } => {
                if self.index.remove(meeting) {
                    Ok(())
                } else {
                    Err(ForecastError::UnknownMeeting(meeting.clone()))
                }
            }
            _ => Ok(()),
        }
    }

    /// Forecasts `input` as it is and under `assumptions`, and lists how every step moves.
    pub fn what_if(
        &self,
        input: &ForecastInput<'_>,
        assumptions: &[Assumption],
    ) -> Result<WhatIf, ForecastError> {
        let base = self.forecast(input)?;
        let mut changed_input = input.clone();
        let mut changed_forecaster = self.clone();
        for a in assumptions {
            match a {
                Assumption::ReadyLater { days } => {
                    changed_input.ready =
                        offset_date("what-if ready later", changed_input.ready, *days)?;
                }
                Assumption::RemissPeriod { period } => {
                    check_duration("what-if remiss period", Some(*period))?;
                    changed_input.durations.remiss_period = Some(*period);
                }
                Assumption::Processing { time } => {
                    check_duration("what-if processing", Some(*time))?;
                    changed_input.durations.processing = Some(*time);
                }
                Assumption::ToPolitical { time } => {
                    check_duration("what-if to political", Some(*time))?;
                    changed_input.durations.to_political = Some(*time);
                }
                Assumption::ExtraMeeting { .. } | Assumption::CancelMeeting { .. } => {
                    changed_forecaster.assume(a)?;
                }
            }
        }
        let changed = changed_forecaster.forecast(&changed_input)?;
        let differences = base
            .steps
            .iter()
            .map(|b| {
                let after = changed.step(b.step.as_str()).and_then(|s| s.date);
                StepDifference {
                    step: b.step.clone(),
                    before: b.date,
                    after,
                    days: b.date.zip(after).map(|(x, y)| (y - x).num_days()),
                }
            })
            .collect();
        Ok(WhatIf {
            base,
            changed,
            differences,
        })
    }
}
