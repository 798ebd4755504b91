//! Meeting plans (sammanträdesplaner): the text forms of dates, time windows and
//! recurrence rules ("second friday", "andra fredagen", "every other tuesday"), and the
//! expansion of a rule into dates. Pure functions; the loader attaches positions.

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};

use crate::org::{FIRST_DATE, LAST_DATE};

use super::raw::DateText;
use super::{Text, tx};

/// A time window on a day, local time (Europe/Stockholm).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    /// Start.
    pub start: NaiveTime,
    /// End (after the start).
    pub end: NaiveTime,
}

/// Which occurrence of a weekday in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nth {
    /// The 1st … 5th.
    Number(u8),
    /// The last.
    Last,
}

/// How a meeting recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recurrence {
    /// The nth weekday of every month, e.g. the second Friday.
    Monthly {
        /// Which one.
        nth: Nth,
        /// The weekday.
        weekday: Weekday,
    },
    /// Every `interval` weeks on a weekday, counted from the rule's first date.
    Weekly {
        /// Every how many weeks (1 = every week, 2 = every other week).
        interval: u32,
        /// The weekday.
        weekday: Weekday,
    },
}

/// A recurrence over a date range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRule {
    /// How it recurs.
    pub recurrence: Recurrence,
    /// The first date it may fall on.
    pub from: NaiveDate,
    /// The last date it may fall on.
    pub until: NaiveDate,
    /// Months (1–12) without meetings, e.g. July.
    pub skip_months: Vec<u32>,
}

impl MeetingRule {
    /// Every date the rule gives, in order.
    pub fn dates(&self) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        match self.recurrence {
            Recurrence::Monthly { nth, weekday } => {
                let (mut y, mut m) = (self.from.year(), self.from.month());
                while (y, m) <= (self.until.year(), self.until.month()) {
                    if let Some(d) = nth_weekday(y, m, nth, weekday)
                        && d >= self.from
                        && d <= self.until
                        && !self.skip_months.contains(&m)
                    {
                        out.push(d);
                    }
                    if m == 12 {
                        let Some(next) = y.checked_add(1) else { break };
                        y = next;
                        m = 1;
                    } else {
                        m += 1;
                    }
                }
            }
            Recurrence::Weekly { interval, weekday } => {
                let ahead = (7 + weekday.num_days_from_monday()
                    - self.from.weekday().num_days_from_monday())
                    % 7;
                let step = Days::new(7 * u64::from(interval.max(1)));
                let mut next = self.from.checked_add_days(Days::new(u64::from(ahead)));
                while let Some(d) = next.filter(|d| *d <= self.until) {
                    if !self.skip_months.contains(&d.month()) {
                        out.push(d);
                    }
                    next = d.checked_add_days(step);
                }
            }
        }
        out
    }
}

/// The nth (or last) `weekday` of a month.
pub fn nth_weekday(year: i32, month: u32, nth: Nth, weekday: Weekday) -> Option<NaiveDate> {
    match nth {
        Nth::Number(n) => NaiveDate::from_weekday_of_month_opt(year, month, weekday, n),
        Nth::Last => {
            let next = if month == 12 {
                NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(year, month + 1, 1)?
            };
            let last = next.pred_opt()?;
            let back =
                (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
            last.checked_sub_days(Days::new(u64::from(back)))
        }
    }
}

fn weekday(word: &str) -> Option<Weekday> {
    let w = word.trim_end_matches(['s', ',']);
    Some(match w {
        "monday" | "mon" | "måndag" | "måndagen" => Weekday::Mon,
        "tuesday" | "tue" | "tisdag" | "tisdagen" => Weekday::Tue,
        "wednesday" | "wed" | "onsdag" | "onsdagen" => Weekday::Wed,
        "thursday" | "thu" | "torsdag" | "torsdagen" => Weekday::Thu,
        "friday" | "fri" | "fredag" | "fredagen" => Weekday::Fri,
        "saturday" | "sat" | "lördag" | "lördagen" => Weekday::Sat,
        "sunday" | "sun" | "söndag" | "söndagen" => Weekday::Sun,
        _ => return None,
    })
}

fn ordinal(word: &str) -> Option<Nth> {
    Some(match word {
        "first" | "1st" | "första" => Nth::Number(1),
        "second" | "2nd" | "andra" => Nth::Number(2),
        "third" | "3rd" | "tredje" => Nth::Number(3),
        "fourth" | "4th" | "fjärde" => Nth::Number(4),
        "last" | "sista" => Nth::Last,
        _ => return None,
    })
}

/// Parses a recurrence: "second friday", "last thursday", "every tuesday",
/// "every other wednesday", or the Swedish "andra fredagen", "sista torsdagen",
/// "varje tisdag", "varannan onsdag".
pub fn parse_recurrence(text: &str) -> Result<Recurrence, Text> {
    let lower = text.trim().to_lowercase();
    let words: Vec<&str> = lower
        .split_whitespace()
        .filter(|w| !matches!(*w, "the" | "of" | "month" | "i" | "månaden" | "on"))
        .collect();
    let bad = || {
        tx(
            format!(
                "invalid recurrence \"{text}\": write e.g. \"second friday\", \"last thursday\", \
                 \"every tuesday\" or \"every other wednesday\""
            ),
            format!(
                "ogiltig upprepning \"{text}\": skriv t.ex. \"andra fredagen\", \"sista torsdagen\", \
                 \"varje tisdag\" eller \"varannan onsdag\""
            ),
        )
    };
    match words.as_slice() {
        [o, w] if ordinal(o).is_some() => Ok(Recurrence::Monthly {
            nth: ordinal(o).ok_or_else(bad)?,
            weekday: weekday(w).ok_or_else(bad)?,
        }),
        ["every" | "varje", w] => Ok(Recurrence::Weekly {
            interval: 1,
            weekday: weekday(w).ok_or_else(bad)?,
        }),
        ["every", "other", w] | ["varannan", w] => Ok(Recurrence::Weekly {
            interval: 2,
            weekday: weekday(w).ok_or_else(bad)?,
        }),
        _ => Err(bad()),
    }
}

/// Parses a date written as text ("2024-11-15") or as a TOML date.
/// Dates are between [`FIRST_DATE`] and [`LAST_DATE`] (so that every lead time stays
/// inside the calendar).
pub(crate) fn parse_date(d: &DateText) -> Result<NaiveDate, Text> {
    let date = match d {
        DateText::Text(t) => NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| {
            tx(
                format!("invalid date \"{t}\": write it as YYYY-MM-DD, e.g. 2024-11-15"),
                format!("ogiltigt datum \"{t}\": skriv det som ÅÅÅÅ-MM-DD, t.ex. 2024-11-15"),
            )
        })?,
        DateText::Toml(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(date), None, None) => NaiveDate::from_ymd_opt(
                i32::from(date.year),
                u32::from(date.month),
                u32::from(date.day),
            )
            .ok_or_else(|| {
                tx(
                    format!("invalid date {dt}: no such day"),
                    format!("ogiltigt datum {dt}: dagen finns inte"),
                )
            })?,
            _ => {
                return Err(tx(
                    format!(
                        "invalid date {dt}: write only the day, e.g. 2024-11-15 (times go in `time`)"
                    ),
                    format!(
                        "ogiltigt datum {dt}: skriv bara dagen, t.ex. 2024-11-15 (tider skrivs i `time`)"
                    ),
                ));
            }
        },
    };
    if (FIRST_DATE..=LAST_DATE).contains(&date) {
        Ok(date)
    } else {
        Err(tx(
            format!("date {date} is outside the supported dates 1000-01-01 to 9999-12-31"),
            format!(
                "datumet {date} ligger utanför de datum som stöds (1000-01-01 till 9999-12-31)"
            ),
        ))
    }
}

fn parse_clock(t: &str) -> Option<NaiveTime> {
    let t = t.trim();
    let (h, m) = match t.split_once([':', '.']) {
        Some((h, m)) => (h, m),
        None => (t, "0"),
    };
    if h.is_empty() || h.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// Parses a time window: "08:30-12:00", "8.30–12.00", "13-15".
pub fn parse_window(text: &str) -> Result<TimeWindow, Text> {
    let Some((a, b)) = text.split_once(['-', '–', '—']) else {
        return Err(tx(
            format!("invalid time \"{text}\": write a start and an end, e.g. \"08:30-12:00\""),
            format!("ogiltig tid \"{text}\": skriv en start och ett slut, t.ex. \"08:30-12:00\""),
        ));
    };
    let clock = |c: &str| {
        parse_clock(c).ok_or_else(|| {
            let c = c.trim();
            tx(
                format!("invalid time \"{text}\": \"{c}\" is not a time of day"),
                format!("ogiltig tid \"{text}\": \"{c}\" är inget klockslag"),
            )
        })
    };
    let start = clock(a)?;
    let end = clock(b)?;
    if end <= start {
        return Err(tx(
            format!("meeting ends ({end}) before it starts ({start}) in \"{text}\""),
            format!("mötet slutar ({end}) innan det börjar ({start}) i \"{text}\""),
        ));
    }
    Ok(TimeWindow { start, end })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;
    use chrono::Duration;

    #[test]
    fn recurrences_parse_in_english_and_swedish() {
        let second_friday = Recurrence::Monthly {
            nth: Nth::Number(2),
            weekday: Weekday::Fri,
        };
        assert_eq!(parse_recurrence("second Friday").unwrap(), second_friday);
        assert_eq!(
            parse_recurrence("andra fredagen i månaden").unwrap(),
            second_friday
        );
        assert_eq!(
            parse_recurrence("the last thursday of the month").unwrap(),
            Recurrence::Monthly {
                nth: Nth::Last,
                weekday: Weekday::Thu
            }
        );
        assert_eq!(
            parse_recurrence("varannan onsdag").unwrap(),
            Recurrence::Weekly {
                interval: 2,
                weekday: Weekday::Wed
            }
        );
        assert!(parse_recurrence("second fryday").is_err());
        assert!(parse_recurrence("fortnightly").is_err());
    }

    #[test]
    fn windows_parse_and_reject_end_before_start() {
        let w = parse_window("8.30–12.00").unwrap();
        assert_eq!(w.start, NaiveTime::from_hms_opt(8, 30, 0).unwrap());
        assert_eq!(w.end, NaiveTime::from_hms_opt(12, 0, 0).unwrap());
        assert_eq!(
            parse_window("13-15").unwrap().end,
            NaiveTime::from_hms_opt(15, 0, 0).unwrap()
        );
        assert!(
            parse_window("12:00-08:30")
                .unwrap_err()
                .en
                .contains("before it starts")
        );
        assert!(parse_window("25:00-26:00").is_err());
        assert!(parse_window("morning").is_err());
    }

    #[test]
    fn monthly_rule_skips_months_and_stays_in_range() {
        let rule = MeetingRule {
            recurrence: parse_recurrence("last tuesday").unwrap(),
            from: d(2024, 6, 1),
            until: d(2024, 9, 30),
            skip_months: vec![7],
        };
        assert_eq!(
            rule.dates(),
            vec![d(2024, 6, 25), d(2024, 8, 27), d(2024, 9, 24)]
        );
    }

    #[test]
    fn weekly_rule_starts_on_first_matching_day() {
        let rule = MeetingRule {
            recurrence: parse_recurrence("every other wednesday").unwrap(),
            from: d(2025, 1, 1),
            until: d(2025, 2, 1),
            skip_months: vec![],
        };
        assert_eq!(
            rule.dates(),
            vec![d(2025, 1, 1), d(2025, 1, 15), d(2025, 1, 29)]
        );
    }

    #[test]
    fn dates_parse_from_text_and_reject_impossible_days() {
        assert_eq!(
            parse_date(&DateText::Text("2024-11-15".into())).unwrap(),
            d(2024, 11, 15)
        );
        assert!(parse_date(&DateText::Text("2025-02-30".into())).is_err());
        assert!(parse_date(&DateText::Text("15 november".into())).is_err());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn weekday_of(i: u8) -> Weekday {
            Weekday::try_from(i % 7).unwrap()
        }

        proptest! {
            /// A monthly rule gives at most one date per month, each the right weekday,
            /// inside its range, outside the skipped months, in increasing order.
            #[test]
            fn monthly_rules_give_the_nth_weekday_of_each_month(
                start in 0i64..2000,
                len in 0i64..800,
                nth in prop_oneof![(1u8..=5).prop_map(Nth::Number), Just(Nth::Last)],
                wd in 0u8..7,
                skip in proptest::collection::vec(1u32..=12, 0..4),
            ) {
                let from = d(2023, 1, 1) + Duration::days(start);
                let until = from + Duration::days(len);
                let weekday = weekday_of(wd);
                let rule = MeetingRule { recurrence: Recurrence::Monthly { nth, weekday }, from, until, skip_months: skip.clone() };
                let dates = rule.dates();
                for w in dates.windows(2) {
                    prop_assert!(w[0] < w[1]);
                    prop_assert!((w[0].year(), w[0].month()) != (w[1].year(), w[1].month()));
                }
                for x in &dates {
                    prop_assert!(*x >= from && *x <= until);
                    prop_assert_eq!(x.weekday(), weekday);
                    prop_assert!(!skip.contains(&x.month()));
                    match nth {
                        Nth::Number(n) => prop_assert_eq!((x.day() - 1) / 7 + 1, u32::from(n)),
                        Nth::Last => prop_assert!((*x + Duration::days(7)).month() != x.month()),
                    }
                }
            }

            /// A weekly rule steps by its interval from the first matching day.
            #[test]
            fn weekly_rules_step_by_their_interval(
                start in 0i64..2000,
                len in 0i64..400,
                interval in 1u32..4,
                wd in 0u8..7,
            ) {
                let from = d(2023, 1, 1) + Duration::days(start);
                let until = from + Duration::days(len);
                let weekday = weekday_of(wd);
                let rule = MeetingRule { recurrence: Recurrence::Weekly { interval, weekday }, from, until, skip_months: vec![] };
                let dates = rule.dates();
                if let Some(first) = dates.first() {
                    prop_assert!(*first - from < Duration::days(7));
                }
                for w in dates.windows(2) {
                    prop_assert_eq!(w[1] - w[0], Duration::weeks(i64::from(interval)));
                }
                prop_assert!(dates.iter().all(|x| x.weekday() == weekday && *x >= from && *x <= until));
                if let Some(first) = dates.first() {
                    let span = (until - *first).num_days();
                    prop_assert_eq!(dates.len() as i64, span / (7 * i64::from(interval)) + 1);
                }
            }
        }
    }
}
