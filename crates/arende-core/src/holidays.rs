//! Swedish public holidays (allmänna helgdagar) and the working-day calendar built on
//! them: which days are not working days, lead times that move to the working day
//! before, and statutory periods that end on the next working day.
//!
//! The holidays are those of lagen (1989:253) om allmänna helgdagar, computed (Easter by
//! the Gregorian computus), plus the days that lagen (1930:173) om beräkning av
//! lagstadgad tid treats like them (midsommarafton, julafton, nyårsafton). A county's
//! configuration may add local days off (`[calendar] days-off`). The same calendar
//! serves the meeting plans, the call and notice dates, the laga-kraft dates and the
//! forecast.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::terms::LeadTime;

/// A Swedish public holiday or a day treated like one (helgdag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Holiday {
    /// New Year's Day (nyårsdagen), 1 January.
    NewYearsDay,
    /// Epiphany (trettondedag jul), 6 January.
    Epiphany,
    /// Good Friday (långfredagen).
    GoodFriday,
    /// Easter Sunday (påskdagen).
    EasterSunday,
    /// Easter Monday (annandag påsk).
    EasterMonday,
    /// May Day (första maj).
    MayDay,
    /// Ascension Day (Kristi himmelsfärdsdag), the 6th Thursday after Easter.
    AscensionDay,
    /// National Day (Sveriges nationaldag), 6 June.
    NationalDay,
    /// Whitsunday (pingstdagen), the 7th Sunday after Easter.
    Pentecost,
    /// Midsummer Eve (midsommarafton), the Friday between 19 and 25 June.
    MidsummerEve,
    /// Midsummer Day (midsommardagen), the Saturday between 20 and 26 June.
    MidsummerDay,
    /// All Saints' Day (alla helgons dag), the Saturday between 31 October and 6 November.
    AllSaintsDay,
    /// Christmas Eve (julafton).
    ChristmasEve,
    /// Christmas Day (juldagen).
    ChristmasDay,
    /// Boxing Day (annandag jul).
    BoxingDay,
    /// New Year's Eve (nyårsafton).
    NewYearsEve,
}

impl Holiday {
    /// The Swedish name, e.g. `annandag påsk`.
    pub fn swedish(self) -> &'static str {
        match self {
            Holiday::NewYearsDay => "nyårsdagen",
            Holiday::Epiphany => "trettondedag jul",
            Holiday::GoodFriday => "långfredagen",
            Holiday::EasterSunday => "påskdagen",
            Holiday::EasterMonday => "annandag påsk",
            Holiday::MayDay => "första maj",
            Holiday::AscensionDay => "Kristi himmelsfärdsdag",
            Holiday::NationalDay => "Sveriges nationaldag",
            Holiday::Pentecost => "pingstdagen",
            Holiday::MidsummerEve => "midsommarafton",
            Holiday::MidsummerDay => "midsommardagen",
            Holiday::AllSaintsDay => "alla helgons dag",
            Holiday::ChristmasEve => "julafton",
            Holiday::ChristmasDay => "juldagen",
            Holiday::BoxingDay => "annandag jul",
            Holiday::NewYearsEve => "nyårsafton",
        }
    }

    /// The English name, e.g. `Easter Monday`.
    pub fn english(self) -> &'static str {
        match self {
            Holiday::NewYearsDay => "New Year's Day",
            Holiday::Epiphany => "Epiphany",
            Holiday::GoodFriday => "Good Friday",
            Holiday::EasterSunday => "Easter Sunday",
            Holiday::EasterMonday => "Easter Monday",
            Holiday::MayDay => "May Day",
            Holiday::AscensionDay => "Ascension Day",
            Holiday::NationalDay => "National Day",
            Holiday::Pentecost => "Whitsunday",
            Holiday::MidsummerEve => "Midsummer Eve",
            Holiday::MidsummerDay => "Midsummer Day",
            Holiday::AllSaintsDay => "All Saints' Day",
            Holiday::ChristmasEve => "Christmas Eve",
            Holiday::ChristmasDay => "Christmas Day",
            Holiday::BoxingDay => "Boxing Day",
            Holiday::NewYearsEve => "New Year's Eve",
        }
    }
}

/// Easter Sunday of a Gregorian year (the anonymous Gregorian computus of Meeus, Jones
/// and Butcher); `None` for a year outside the calendar.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The first `weekday` on or after `date`.
fn weekday_on_or_after(date: NaiveDate, weekday: Weekday) -> Option<NaiveDate> {
    let ahead = (7 + weekday.num_days_from_monday() - date.weekday().num_days_from_monday()) % 7;
    date.checked_add_days(Days::new(u64::from(ahead)))
}

/// Every Swedish public holiday (and day treated like one) of `year`, in date order.
/// Empty for a year outside the calendar.
pub fn holidays(year: i32) -> Vec<(NaiveDate, Holiday)> {
    let fixed = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
    let Some(easter) = easter_sunday(year) else {
        return Vec::new();
    };
    let from_easter = |days: i64| easter.checked_add_signed(chrono::Duration::days(days));
    let midsummer_eve = fixed(6, 19).and_then(|d| weekday_on_or_after(d, Weekday::Fri));
    let list = [
        (fixed(1, 1), Holiday::NewYearsDay),
        (fixed(1, 6), Holiday::Epiphany),
        (from_easter(-2), Holiday::GoodFriday),
        (Some(easter), Holiday::EasterSunday),
        (from_easter(1), Holiday::EasterMonday),
        (fixed(5, 1), Holiday::MayDay),
        (from_easter(39), Holiday::AscensionDay),
        (fixed(6, 6), Holiday::NationalDay),
        (from_easter(49), Holiday::Pentecost),
        (midsummer_eve, Holiday::MidsummerEve),
        (
            midsummer_eve.and_then(|d| d.succ_opt()),
            Holiday::MidsummerDay,
        ),
        (
            fixed(10, 31).and_then(|d| weekday_on_or_after(d, Weekday::Sat)),
            Holiday::AllSaintsDay,
        ),
        (fixed(12, 24), Holiday::ChristmasEve),
        (fixed(12, 25), Holiday::ChristmasDay),
        (fixed(12, 26), Holiday::BoxingDay),
        (fixed(12, 31), Holiday::NewYearsEve),
    ];
    let mut out: Vec<(NaiveDate, Holiday)> = list
        .into_iter()
        .filter_map(|(d, h)| d.map(|d| (d, h)))
        .collect();
    out.sort();
    out
}

/// The holiday on `date`, if any (the first in [`Holiday`]'s order when two fall on
/// the same day, as [`holidays`] lists them). Decided from the month and day, with
/// Easter computed only for a day in March to June: no list is built, since every
/// working-day step of a statutory period asks.
pub fn holiday_on(date: NaiveDate) -> Option<Holiday> {
    let (month, day) = (date.month(), date.day());
    let fixed = match (month, day) {
        (1, 1) => Some(Holiday::NewYearsDay),
        (1, 6) => Some(Holiday::Epiphany),
        (5, 1) => Some(Holiday::MayDay),
        (6, 6) => Some(Holiday::NationalDay),
        (12, 24) => Some(Holiday::ChristmasEve),
        (12, 25) => Some(Holiday::ChristmasDay),
        (12, 26) => Some(Holiday::BoxingDay),
        (12, 31) => Some(Holiday::NewYearsEve),
        _ => None,
    };
    let weekday = date.weekday();
    let by_weekday = match (month, day, weekday) {
        (6, 19..=25, Weekday::Fri) => Some(Holiday::MidsummerEve),
        (6, 20..=26, Weekday::Sat) => Some(Holiday::MidsummerDay),
        (10, 31, Weekday::Sat) | (11, 1..=6, Weekday::Sat) => Some(Holiday::AllSaintsDay),
        _ => None,
    };
    // Easter falls between 22 March and 25 April, so its holidays between 20 March
    // (Good Friday) and 13 June (Whitsunday).
    let by_easter = if (3..=6).contains(&month) {
        easter_sunday(date.year()).and_then(|easter| {
            match date.signed_duration_since(easter).num_days() {
                -2 => Some(Holiday::GoodFriday),
                0 => Some(Holiday::EasterSunday),
                1 => Some(Holiday::EasterMonday),
                39 => Some(Holiday::AscensionDay),
                49 => Some(Holiday::Pentecost),
                _ => None,
            }
        })
    } else {
        None
    };
    [fixed, by_weekday, by_easter].into_iter().flatten().min()
}

/// Why a day is not a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "holiday")]
pub enum DayOff {
    /// Saturday or Sunday.
    Weekend,
    /// A public holiday.
    Holiday(Holiday),
    /// A local day off from the configuration (`[calendar] days-off`).
    Local,
}

impl DayOff {
    /// The Swedish description, e.g. `annandag påsk`, `helg`, `lokal ledig dag`.
    pub fn swedish(self) -> &'static str {
        match self {
            DayOff::Weekend => "helg",
            DayOff::Holiday(h) => h.swedish(),
            DayOff::Local => "lokal ledig dag",
        }
    }

    /// The English description.
    pub fn english(self) -> &'static str {
        match self {
            DayOff::Weekend => "a weekend",
            DayOff::Holiday(h) => h.english(),
            DayOff::Local => "a local day off",
        }
    }
}

/// The working-day calendar (arbetsdagar): weekends, Swedish public holidays and the
/// configuration's local days off are not working days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkCalendar {
    /// Local days off besides the public holidays.
    pub days_off: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    /// A calendar with these local days off.
    pub fn new(days_off: BTreeSet<NaiveDate>) -> Self {
        WorkCalendar { days_off }
    }

    /// Why `date` is not a working day (a holiday before a weekend, a local day off
    /// last), or `None` for a working day.
    pub fn day_off(&self, date: NaiveDate) -> Option<DayOff> {
        if let Some(h) = holiday_on(date) {
            return Some(DayOff::Holiday(h));
        }
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            return Some(DayOff::Weekend);
        }
        if self.days_off.contains(&date) {
            return Some(DayOff::Local);
        }
        None
    }

    /// Why a meeting may not be planned on `date` by a rule: a public holiday or a
    /// local day off (weekends are left to the rule's weekday).
    pub fn closed(&self, date: NaiveDate) -> Option<DayOff> {
        match self.day_off(date) {
            Some(DayOff::Weekend) | None => None,
            other => other,
        }
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.day_off(date).is_none()
    }

    /// The last working day on or before `date`; `None` outside the calendar.
    pub fn on_or_before(&self, date: NaiveDate) -> Option<NaiveDate> {
        let mut d = date;
        // At most a long weekend plus a run of holidays and local days off; the bound
        // keeps a calendar with every day off from looping.
        for _ in 0..=366 {
            if self.is_working_day(d) {
                return Some(d);
            }
            d = d.pred_opt()?;
        }
        None
    }

    /// The first working day on or after `date`; `None` outside the calendar.
    pub fn on_or_after(&self, date: NaiveDate) -> Option<NaiveDate> {
        let mut d = date;
        for _ in 0..=366 {
            if self.is_working_day(d) {
                return Some(d);
            }
            d = d.succ_opt()?;
        }
        None
    }

    /// A lead time before `date`, moved to the working day before when it falls on a
    /// weekend, holiday or local day off (a call for matters or a notice goes out
    /// then); `None` outside the calendar. Never after the unadjusted date.
    pub fn lead_before(&self, lead: LeadTime, date: NaiveDate) -> Option<NaiveDate> {
        self.on_or_before(lead.checked_before(date)?)
    }

    /// The last day of a statutory period of `period` from `date`: when it falls on a
    /// Saturday, Sunday, public holiday, midsummer eve, Christmas eve or New Year's
    /// eve, the next working day (lagen (1930:173) om beräkning av lagstadgad tid, 2 §).
    pub fn period_end(&self, period: LeadTime, date: NaiveDate) -> Option<NaiveDate> {
        self.on_or_after(period.checked_after(date)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;
    use proptest::prelude::*;

    #[test]
    fn easter_by_the_computus() {
        // Known Easter Sundays.
        for (y, m, day) in [
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(y), Some(d(y, m, day)), "{y}");
        }
    }

    #[test]
    fn the_swedish_holidays_of_2024_and_2025() {
        let names = |y| {
            holidays(y)
                .into_iter()
                .map(|(d, h)| (d.to_string(), h.swedish()))
                .collect::<Vec<_>>()
        };
        let y2024 = names(2024);
        assert_eq!(y2024.len(), 16);
        for (date, name) in [
            ("2024-01-06", "trettondedag jul"),
            ("2024-03-29", "långfredagen"),
            ("2024-04-01", "annandag påsk"),
            ("2024-05-09", "Kristi himmelsfärdsdag"),
            ("2024-05-19", "pingstdagen"),
            ("2024-06-21", "midsommarafton"),
            ("2024-06-22", "midsommardagen"),
            ("2024-11-02", "alla helgons dag"),
        ] {
            assert!(
                y2024.contains(&(date.to_owned(), name)),
                "{date} {name} in {y2024:?}"
            );
        }
        let y2025 = names(2025);
        for (date, name) in [
            ("2025-04-18", "långfredagen"),
            ("2025-04-21", "annandag påsk"),
            ("2025-05-29", "Kristi himmelsfärdsdag"),
            ("2025-06-20", "midsommarafton"),
            ("2025-11-01", "alla helgons dag"),
        ] {
            assert!(y2025.contains(&(date.to_owned(), name)), "{date} {name}");
        }
        // Midsummer on its latest dates, All Saints' on its latest.
        assert_eq!(holiday_on(d(2022, 6, 24)), Some(Holiday::MidsummerEve));
        assert_eq!(holiday_on(d(2022, 6, 25)), Some(Holiday::MidsummerDay));
        assert_eq!(holiday_on(d(2021, 11, 6)), Some(Holiday::AllSaintsDay));
        assert_eq!(holiday_on(d(2024, 6, 20)), None);
    }

    #[test]
    fn holiday_on_agrees_with_the_year_list_every_day_of_four_centuries() {
        let mut date = d(1900, 1, 1);
        while date < d(2300, 1, 1) {
            let listed = holidays(date.year())
                .into_iter()
                .find(|(day, _)| *day == date)
                .map(|(_, h)| h);
            assert_eq!(holiday_on(date), listed, "on {date}");
            date = date.succ_opt().expect("in range");
        }
    }

    #[test]
    fn the_sbu_call_for_15_october_2024_moves_off_the_sunday() {
        let cal = WorkCalendar::default();
        // One month before 15 October 2024 is Sunday 15 September.
        assert_eq!(LeadTime::Months(1).before(d(2024, 10, 15)), d(2024, 9, 15));
        assert_eq!(
            cal.lead_before(LeadTime::Months(1), d(2024, 10, 15)),
            Some(d(2024, 9, 13))
        );
        // Two weeks before a meeting after Easter lands on Good Friday → the Thursday.
        assert_eq!(
            cal.lead_before(LeadTime::Weeks(2), d(2025, 5, 2)),
            Some(d(2025, 4, 17))
        );
        // A local day off is skipped too.
        let local = WorkCalendar::new([d(2025, 4, 17)].into_iter().collect());
        assert_eq!(
            local.lead_before(LeadTime::Weeks(2), d(2025, 5, 2)),
            Some(d(2025, 4, 16))
        );
        assert_eq!(local.day_off(d(2025, 4, 17)), Some(DayOff::Local));
    }

    #[test]
    fn a_statutory_period_ends_on_the_next_working_day() {
        let cal = WorkCalendar::default();
        // Three weeks from Monday 17 June 2024 is Monday 8 July: a working day.
        assert_eq!(
            cal.period_end(LeadTime::Weeks(3), d(2024, 6, 17)),
            Some(d(2024, 7, 8))
        );
        // Three weeks from 3 December 2024 is Christmas Eve → Friday 27 December.
        assert_eq!(
            cal.period_end(LeadTime::Weeks(3), d(2024, 12, 3)),
            Some(d(2024, 12, 27))
        );
        // Ending on Saturday 16 November 2024 → Monday 18 November.
        assert_eq!(
            cal.period_end(LeadTime::Weeks(3), d(2024, 10, 26)),
            Some(d(2024, 11, 18))
        );
    }

    proptest! {
        /// A holiday-aware lead time never lands on a weekend, holiday or local day off,
        /// is never after the unadjusted date, and only moves over days off.
        #[test]
        fn holiday_aware_lead_times(
            days in 0i64..(365 * 30),
            lead in prop_oneof![
                (0u32..60).prop_map(LeadTime::Days),
                (0u32..10).prop_map(LeadTime::Weeks),
                (0u32..4).prop_map(LeadTime::Months),
            ],
            local in proptest::collection::btree_set(0i64..(365 * 30), 0..40),
        ) {
            let base = d(2010, 1, 1);
            let date = base + chrono::Duration::days(days);
            let cal = WorkCalendar::new(
                local.into_iter().map(|x| base + chrono::Duration::days(x)).collect(),
            );
            let plain = lead.before(date);
            let adjusted = cal.lead_before(lead, date).expect("inside the calendar");
            prop_assert!(cal.is_working_day(adjusted), "{adjusted} is a day off");
            prop_assert!(adjusted <= plain);
            let mut between = adjusted.succ_opt().expect("date");
            while between <= plain {
                prop_assert!(!cal.is_working_day(between), "skipped working day {between}");
                between = between.succ_opt().expect("date");
            }
            let end = cal.period_end(lead, date).expect("inside the calendar");
            prop_assert!(cal.is_working_day(end));
            prop_assert!(end >= lead.after(date));
        }
    }
}
