//! Legal force (laga kraft) of a party's political decision: the one rule that the
//! matter aggregate, the read API and the forecast all use.
//!
//! For a decision at a party's political body (Kommunallagen):
//! - the minutes are adjusted (justeras) within the body's `minutes-final` lead time of
//!   the meeting (14 days, 5 kap. 69 §);
//! - the notice that they are adjusted is put on the party's notice board (anslagstavla)
//!   within `announcement` of the adjustment (2 days, 8 kap. 12 §);
//! - the decision may be appealed (laglighetsprövning) within `appeal` from that notice
//!   (3 weeks, 13 kap. 5 §);
//! - each of the three periods is set by law, so one whose last day is a Saturday,
//!   Sunday, public holiday, midsummer eve, Christmas eve or New Year's eve ends on the
//!   next working day (lagen (1930:173) om beräkning av lagstadgad tid, 2 §): minutes
//!   adjusted on a Friday may be announced on the Monday;
//! - the decision is in legal force (vinner laga kraft) the day after the period ends.
//!
//! Dates not yet recorded are taken at the latest the law allows, so a forecast and a
//! matter half-way to legal force give the same answer from the same facts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::holidays::WorkCalendar;
use crate::org::{Body, LeadTimes};
use crate::terms::LeadTime;

/// The announcement time when a body's configuration names none (2 days).
pub const ANNOUNCEMENT: LeadTime = LeadTime::Days(2);
/// The appeal period when a body's configuration names none (3 weeks).
pub const APPEAL: LeadTime = LeadTime::Weeks(3);

/// The periods of the rule, from a political body's lead times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalPeriods {
    /// Minutes adjusted within this of the meeting (justering).
    pub adjust_within: LeadTime,
    /// Notice on the notice board within this of the adjustment (anslag).
    pub announce_within: LeadTime,
    /// Appeal period from the notice (laglighetsprövning).
    pub appeal: LeadTime,
}

impl LegalPeriods {
    /// The periods of a body's lead times (the statutory ones where it names none).
    pub fn of(lead: &LeadTimes) -> Self {
        LegalPeriods {
            adjust_within: lead.minutes_final,
            announce_within: lead.announcement.unwrap_or(ANNOUNCEMENT),
            appeal: lead.appeal.unwrap_or(APPEAL),
        }
    }
}

/// The facts recorded so far on one party's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LegalFacts {
    /// The day of the decision (the meeting).
    pub decided: Option<NaiveDate>,
    /// The day the minutes were adjusted.
    pub adjusted: Option<NaiveDate>,
    /// The day the notice was put on the notice board.
    pub announced: Option<NaiveDate>,
}

/// The dates of one party's road to legal force: what is due by when, and when the
/// decision is (or at the latest will be) in legal force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalDates {
    /// The day of the decision.
    pub decided: NaiveDate,
    /// The minutes must be adjusted by this day.
    pub adjust_by: NaiveDate,
    /// The day they were adjusted, or (not yet recorded) the latest lawful day.
    pub adjusted: NaiveDate,
    /// Whether `adjusted` is recorded (not assumed).
    pub adjusted_recorded: bool,
    /// The notice must be on the notice board by this day.
    pub announce_by: NaiveDate,
    /// The day of the notice, or (not yet recorded) the latest lawful day.
    pub announced: NaiveDate,
    /// Whether `announced` is recorded.
    pub announced_recorded: bool,
    /// The last day of the appeal period (next working day when it ends on a day off).
    pub appeal_ends: NaiveDate,
    /// The first day the decision is in legal force (laga kraft): the day after.
    pub legal_force: NaiveDate,
}

impl LegalDates {
    /// Whether the adjustment was recorded after its due day.
    pub fn adjusted_late(&self) -> bool {
        self.adjusted_recorded && self.adjusted > self.adjust_by
    }

    /// Whether the notice was recorded after its due day.
    pub fn announced_late(&self) -> bool {
        self.announced_recorded && self.announced > self.announce_by
    }

    /// Whether the legal-force date rests on recorded facts only (else it is the
    /// latest the law allows).
    pub fn settled(&self) -> bool {
        self.adjusted_recorded && self.announced_recorded
    }
}

/// The rule: the dates of a decision of `body` on `decided`, from what is recorded in
/// `facts` (the rest at the latest the law allows), with `calendar`'s working days.
/// Dates beyond the calendar's end stay at its last day.
pub fn legal_dates(
    calendar: &WorkCalendar,
    periods: LegalPeriods,
    decided: NaiveDate,
    facts: LegalFacts,
) -> LegalDates {
    let statutory = |period: LeadTime, from: NaiveDate| {
        calendar
            .period_end(period, from)
            .unwrap_or_else(|| period.after(from))
    };
    let adjust_by = statutory(periods.adjust_within, decided);
    let adjusted = facts.adjusted.unwrap_or(adjust_by);
    let announce_by = statutory(periods.announce_within, adjusted);
    let announced = facts.announced.unwrap_or(announce_by);
    let appeal_ends = statutory(periods.appeal, announced);
    LegalDates {
        decided,
        adjust_by,
        adjusted,
        adjusted_recorded: facts.adjusted.is_some(),
        announce_by,
        announced,
        announced_recorded: facts.announced.is_some(),
        appeal_ends,
        legal_force: appeal_ends.succ_opt().unwrap_or(appeal_ends),
    }
}

/// The day a decision of `body` taken on `decided` is in legal force at the latest
/// (minutes adjusted and announced on the last lawful days); for a body without an
/// appeal period (not political), the day its minutes are final. The forecast's rule.
pub fn legal_force_of(calendar: &WorkCalendar, body: &Body, decided: NaiveDate) -> NaiveDate {
    legal_force_with(calendar, body, decided, LegalFacts::default())
}

/// As [`legal_force_of`], from the days the minutes record: the adjustment and the
/// notice when recorded, their last lawful days while not (a stored matter's decision
/// whose road to legal force has begun).
pub fn legal_force_with(
    calendar: &WorkCalendar,
    body: &Body,
    decided: NaiveDate,
    facts: LegalFacts,
) -> NaiveDate {
    let lt = &body.lead_times;
    if lt.appeal.is_none() && lt.announcement.is_none() {
        return facts
            .adjusted
            .unwrap_or_else(|| lt.minutes_final.after(decided));
    }
    legal_dates(calendar, LegalPeriods::of(lt), decided, facts).legal_force
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    fn periods() -> LegalPeriods {
        LegalPeriods {
            adjust_within: LeadTime::Weeks(2),
            announce_within: LeadTime::Days(2),
            appeal: LeadTime::Weeks(3),
        }
    }

    #[test]
    fn recorded_dates_give_the_legal_force_date() {
        let cal = WorkCalendar::default();
        // Decided 3 June 2024, adjusted 14 June (by e-mail), announced 17 June: the
        // appeal period ends Monday 8 July, legal force 9 July.
        let dates = legal_dates(
            &cal,
            periods(),
            d(2024, 6, 3),
            LegalFacts {
                decided: Some(d(2024, 6, 3)),
                adjusted: Some(d(2024, 6, 14)),
                announced: Some(d(2024, 6, 17)),
            },
        );
        assert_eq!(dates.adjust_by, d(2024, 6, 17));
        // Two days after Friday 14 June is a Sunday: the notice is due on the Monday.
        assert_eq!(dates.announce_by, d(2024, 6, 17));
        assert!(!dates.adjusted_late());
        assert!(
            !dates.announced_late(),
            "on the working day after the weekend"
        );
        assert_eq!(dates.appeal_ends, d(2024, 7, 8));
        assert_eq!(dates.legal_force, d(2024, 7, 9));
        assert!(dates.settled());
    }

    #[test]
    fn an_appeal_period_ending_on_christmas_eve_runs_to_the_next_working_day() {
        let cal = WorkCalendar::default();
        let dates = legal_dates(
            &cal,
            periods(),
            d(2024, 11, 15),
            LegalFacts {
                decided: Some(d(2024, 11, 15)),
                adjusted: Some(d(2024, 12, 1)),
                announced: Some(d(2024, 12, 3)),
            },
        );
        assert!(dates.adjusted_late());
        assert_eq!(dates.appeal_ends, d(2024, 12, 27));
        assert_eq!(dates.legal_force, d(2024, 12, 28));
    }

    #[test]
    fn statutory_periods_ending_on_a_day_off_run_to_the_next_working_day() {
        let cal = WorkCalendar::default();
        // Decided Friday 20 December 2024: 14 days end on Friday 3 January (a working
        // day); adjusted Thursday 2 January, the notice is due Saturday 4 January, so
        // Monday 6 January, which is Epiphany: Tuesday 7 January.
        let dates = legal_dates(
            &cal,
            periods(),
            d(2024, 12, 20),
            LegalFacts {
                decided: Some(d(2024, 12, 20)),
                adjusted: Some(d(2025, 1, 2)),
                announced: Some(d(2025, 1, 7)),
            },
        );
        assert_eq!(dates.adjust_by, d(2025, 1, 3));
        assert_eq!(dates.announce_by, d(2025, 1, 7));
        assert!(!dates.announced_late());
        // A 14-day period ending on Midsummer Eve (Friday 20 June 2025) runs to Monday.
        let dates = legal_dates(&cal, periods(), d(2025, 6, 6), LegalFacts::default());
        assert_eq!(dates.adjust_by, d(2025, 6, 23));
        assert_eq!(dates.announce_by, d(2025, 6, 25));
    }

    #[test]
    fn unrecorded_dates_are_the_latest_lawful_ones() {
        let cal = WorkCalendar::default();
        let dates = legal_dates(&cal, periods(), d(2024, 11, 5), LegalFacts::default());
        // Adjusted by 19 Nov, announced by 21 Nov, appeal to 12 Dec: in force 13 Dec.
        assert_eq!(dates.adjusted, d(2024, 11, 19));
        assert_eq!(dates.announced, d(2024, 11, 21));
        assert_eq!(dates.legal_force, d(2024, 12, 13));
        assert!(!dates.settled());
    }
}
