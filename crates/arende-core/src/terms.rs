//! The organisation's basic terms, below everything else in the model: the mandates a
//! body may hold, the roles people hold in bodies, whether a body keeps minutes or
//! notes, lead times and periods, and the dates arende computes with. `org`, `route`
//! and `authz` build on them without depending on each other in a loop.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// What a body may do (mandat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mandate {
    /// Raise (anmäla) matters upward.
    Raise,
    /// Receive information (dragning, för kännedom).
    Inform,
    /// Draft and investigate.
    Draft,
    /// Prepare (bereda) a matter and form a recommendation.
    Prepare,
    /// Recommend (rekommendera, föreslå) to a higher body or to the parties.
    Recommend,
    /// Send a matter on consultation (remiss).
    Consult,
    /// Confirm that the parties are ready for the decision process (ställningstagande).
    ReadinessCheck,
    /// Decide within delegated mandate (besluta).
    Decide,
    /// Take direction decisions (inriktningsbeslut).
    DirectionDecision,
    /// Give assignments (uppdrag).
    Assign,
    /// Decide that a matter goes to political decision in the parties.
    ForwardToPolitical,
    /// Adopt or reject for its own party (politiskt beslut).
    PoliticalDecision,
}

impl Mandate {
    /// Every mandate, in order.
    pub const ALL: [Mandate; 12] = [
        Mandate::Raise,
        Mandate::Inform,
        Mandate::Draft,
        Mandate::Prepare,
        Mandate::Recommend,
        Mandate::Consult,
        Mandate::ReadinessCheck,
        Mandate::Decide,
        Mandate::DirectionDecision,
        Mandate::Assign,
        Mandate::ForwardToPolitical,
        Mandate::PoliticalDecision,
    ];

    /// The configuration name, e.g. `readiness-check`.
    pub fn name(self) -> &'static str {
        match self {
            Mandate::Raise => "raise",
            Mandate::Inform => "inform",
            Mandate::Draft => "draft",
            Mandate::Prepare => "prepare",
            Mandate::Recommend => "recommend",
            Mandate::Consult => "consult",
            Mandate::ReadinessCheck => "readiness-check",
            Mandate::Decide => "decide",
            Mandate::DirectionDecision => "direction-decision",
            Mandate::Assign => "assign",
            Mandate::ForwardToPolitical => "forward-to-political",
            Mandate::PoliticalDecision => "political-decision",
        }
    }

    /// The Swedish term, for texts shown to secretaries.
    pub fn swedish(self) -> &'static str {
        match self {
            Mandate::Raise => "anmäla ärenden",
            Mandate::Inform => "ta emot information",
            Mandate::Draft => "ta fram underlag",
            Mandate::Prepare => "bereda",
            Mandate::Recommend => "rekommendera",
            Mandate::Consult => "skicka på remiss",
            Mandate::ReadinessCheck => "ta ställning till beslutsberedskap",
            Mandate::Decide => "besluta",
            Mandate::DirectionDecision => "fatta inriktningsbeslut",
            Mandate::Assign => "ge uppdrag",
            Mandate::ForwardToPolitical => "föra ärenden till politiskt beslut",
            Mandate::PoliticalDecision => "fatta politiskt beslut",
        }
    }
}

/// Whether a body keeps notes or formal minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum MinutesKind {
    /// Notes (minnesanteckningar): final when distributed.
    #[default]
    Notes,
    /// Formal minutes (protokoll): final when adjusted (justerat).
    Protocol,
}

/// A lead time such as "1 month", "2 weeks" or "10 days".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LeadTime {
    /// Calendar days.
    Days(u32),
    /// Weeks of seven days.
    Weeks(u32),
    /// Calendar months (the same day of the month, clamped to the month's end).
    Months(u32),
}

impl LeadTime {
    /// The longest lead time, period or duration a configuration or a caller may ask for:
    /// ten years, as 3660 days, 522 weeks or 120 months. Longer values are refused when
    /// parsed, so date arithmetic on a validated organisation cannot leave the calendar.
    pub const MAX_DAYS: u32 = 3660;
    /// The longest lead time in weeks (see [`LeadTime::MAX_DAYS`]).
    pub const MAX_WEEKS: u32 = 522;
    /// The longest lead time in months (see [`LeadTime::MAX_DAYS`]).
    pub const MAX_MONTHS: u32 = 120;

    /// Whether the lead time is within the bounds ([`LeadTime::MAX_DAYS`] and its
    /// siblings).
    pub fn within_bounds(self) -> bool {
        match self {
            LeadTime::Days(d) => d <= Self::MAX_DAYS,
            LeadTime::Weeks(w) => w <= Self::MAX_WEEKS,
            LeadTime::Months(m) => m <= Self::MAX_MONTHS,
        }
    }

    /// The date this lead time before `date` (e.g. 2024-11-15 − 2 weeks = 2024-11-01),
    /// or `None` when it falls outside the calendar.
    pub fn checked_before(self, date: NaiveDate) -> Option<NaiveDate> {
        match self {
            LeadTime::Days(d) => date.checked_sub_days(Days::new(u64::from(d))),
            LeadTime::Weeks(w) => date.checked_sub_days(Days::new(u64::from(w) * 7)),
            LeadTime::Months(m) => date.checked_sub_months(Months::new(m)),
        }
    }

    /// The date this lead time after `date`, or `None` when it falls outside the
    /// calendar.
    pub fn checked_after(self, date: NaiveDate) -> Option<NaiveDate> {
        match self {
            LeadTime::Days(d) => date.checked_add_days(Days::new(u64::from(d))),
            LeadTime::Weeks(w) => date.checked_add_days(Days::new(u64::from(w) * 7)),
            LeadTime::Months(m) => date.checked_add_months(Months::new(m)),
        }
    }

    /// The date this lead time before `date` (e.g. 2024-11-15 − 2 weeks = 2024-11-01).
    /// Never panics: a date that would fall before the calendar's first day is that
    /// first day ([`NaiveDate::MIN`]). Dates of a validated organisation and of checked
    /// input stay far inside the calendar; use [`LeadTime::checked_before`] to report
    /// the overflow instead.
    pub fn before(self, date: NaiveDate) -> NaiveDate {
        self.checked_before(date).unwrap_or(NaiveDate::MIN)
    }

    /// The date this lead time after `date`. Never panics: a date that would fall after
    /// the calendar's last day is that last day ([`NaiveDate::MAX`]); use
    /// [`LeadTime::checked_after`] to report the overflow instead.
    pub fn after(self, date: NaiveDate) -> NaiveDate {
        self.checked_after(date).unwrap_or(NaiveDate::MAX)
    }

    /// Parses "1 month", "2 weeks", "10 days", "1 dag", "2 veckor", "1 månad"; refuses
    /// values longer than ten years ([`LeadTime::MAX_DAYS`]).
    pub fn parse(text: &str) -> Result<LeadTime, LeadTimeError> {
        let mut parts = text.split_whitespace();
        let (Some(n), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(LeadTimeError::Form {
                text: text.to_owned(),
            });
        };
        let lead = match unit.to_lowercase().as_str() {
            "day" | "days" | "dag" | "dagar" => LeadTime::Days,
            "week" | "weeks" | "vecka" | "veckor" => LeadTime::Weeks,
            "month" | "months" | "månad" | "månader" => LeadTime::Months,
            other => {
                return Err(LeadTimeError::Unit {
                    unit: other.to_owned(),
                });
            }
        };
        let digits = !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
        let value: Option<u32> = if digits { n.parse().ok() } else { None };
        match value.map(lead) {
            Some(l) if l.within_bounds() => Ok(l),
            _ if digits => Err(LeadTimeError::TooLong {
                text: text.to_owned(),
            }),
            _ => Err(LeadTimeError::Number {
                number: n.to_owned(),
            }),
        }
    }
}

/// A lead time, period or duration that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LeadTimeError {
    /// Not a number and a unit.
    #[error("expected a number and a unit such as \"2 weeks\", found \"{text}\"")]
    Form {
        /// The text.
        text: String,
    },
    /// The number is not a whole number.
    #[error("\"{number}\" is not a whole number of days, weeks or months")]
    Number {
        /// The number as written.
        number: String,
    },
    /// An unknown unit.
    #[error("unknown unit \"{unit}\": use days, weeks or months")]
    Unit {
        /// The unit as written.
        unit: String,
    },
    /// Longer than ten years.
    #[error("\"{text}\" is longer than ten years (at most 3660 days, 522 weeks or 120 months)")]
    TooLong {
        /// The text.
        text: String,
    },
}

impl LeadTimeError {
    /// The message in Swedish.
    pub fn swedish(&self) -> String {
        match self {
            LeadTimeError::Form { text } => {
                format!("väntade ett tal och en enhet som \"2 veckor\", fann \"{text}\"")
            }
            LeadTimeError::Number { number } => {
                format!("\"{number}\" är inte ett helt antal dagar, veckor eller månader")
            }
            LeadTimeError::Unit { unit } => {
                format!("okänd enhet \"{unit}\": använd dagar, veckor eller månader")
            }
            LeadTimeError::TooLong { text } => format!(
                "\"{text}\" är längre än tio år (högst 3660 dagar, 522 veckor eller 120 månader)"
            ),
        }
    }
}

/// The first day arende computes with: dates in configurations, commands and queries
/// lie between [`FIRST_DATE`] and [`LAST_DATE`], so that every lead time and period
/// (at most ten years) stays inside the calendar.
pub const FIRST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1000, 1, 1).expect("a valid date");
/// The last day arende computes with (see [`FIRST_DATE`]).
pub const LAST_DATE: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid date");

/// A date, or a computation on a date, outside the supported calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// A date given outside [`FIRST_DATE`]..=[`LAST_DATE`].
    #[error("{field}: {date} is outside the supported dates 1000-01-01 to 9999-12-31")]
    OutOfRange {
        /// The field or option that gave it.
        field: String,
        /// The date.
        date: NaiveDate,
    },
    /// An offset or period that would move a date outside the supported dates.
    #[error(
        "{field}: {amount} would move {date} outside the supported dates 1000-01-01 to 9999-12-31"
    )]
    Overflow {
        /// The field or option that gave the offset.
        field: String,
        /// The date it was applied to.
        date: NaiveDate,
        /// The offset as given (e.g. "9223372036854775807 days").
        amount: String,
    },
}

impl DateError {
    /// The message in Swedish.
    pub fn swedish(&self) -> String {
        match self {
            DateError::OutOfRange { field, date } => format!(
                "{field}: {date} ligger utanför de datum som stöds (1000-01-01 till 9999-12-31)"
            ),
            DateError::Overflow {
                field,
                date,
                amount,
            } => format!(
                "{field}: {amount} skulle flytta {date} utanför de datum som stöds (1000-01-01 till 9999-12-31)"
            ),
        }
    }
}

/// Checks that `date` (given by `field`) lies between [`FIRST_DATE`] and [`LAST_DATE`].
pub fn check_date(field: &str, date: NaiveDate) -> Result<NaiveDate, DateError> {
    if (FIRST_DATE..=LAST_DATE).contains(&date) {
        Ok(date)
    } else {
        Err(DateError::OutOfRange {
            field: field.to_owned(),
            date,
        })
    }
}

/// `date` moved by `days` (negative: earlier), checked to stay between [`FIRST_DATE`]
/// and [`LAST_DATE`]; `field` names the option or field that gave the offset.
pub fn offset_date(field: &str, date: NaiveDate, days: i64) -> Result<NaiveDate, DateError> {
    let moved = if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    match moved {
        Some(d) if (FIRST_DATE..=LAST_DATE).contains(&d) => Ok(d),
        _ => Err(DateError::Overflow {
            field: field.to_owned(),
            date,
            amount: format!("{days} days"),
        }),
    }
}

impl LeadTime {
    /// The lead time in Swedish, e.g. "2 veckor", "1 månad", "10 dagar".
    pub fn swedish(self) -> String {
        match self {
            LeadTime::Days(1) => "1 dag".to_owned(),
            LeadTime::Days(n) => format!("{n} dagar"),
            LeadTime::Weeks(1) => "1 vecka".to_owned(),
            LeadTime::Weeks(n) => format!("{n} veckor"),
            LeadTime::Months(1) => "1 månad".to_owned(),
            LeadTime::Months(n) => format!("{n} månader"),
        }
    }
}

impl std::fmt::Display for LeadTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LeadTime::Days(1) => write!(f, "1 day"),
            LeadTime::Days(n) => write!(f, "{n} days"),
            LeadTime::Weeks(1) => write!(f, "1 week"),
            LeadTime::Weeks(n) => write!(f, "{n} weeks"),
            LeadTime::Months(1) => write!(f, "1 month"),
            LeadTime::Months(n) => write!(f, "{n} months"),
        }
    }
}

/// A role in a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Member (ledamot).
    Member,
    /// Substitute (ersättare).
    Substitute,
    /// Chair (ordförande).
    Chair,
    /// Secretary (sekreterare).
    Secretary,
    /// Adjuster (justerare) of minutes.
    Adjuster,
    /// Official attending (tjänsteperson), e.g. a process lead.
    Official,
}

impl Role {
    /// The Swedish term.
    pub fn swedish(self) -> &'static str {
        match self {
            Role::Member => "ledamot",
            Role::Substitute => "ersättare",
            Role::Chair => "ordförande",
            Role::Secretary => "sekreterare",
            Role::Adjuster => "justerare",
            Role::Official => "tjänsteperson",
        }
    }
}
