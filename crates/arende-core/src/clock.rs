//! Time, injected: the core never reads the system clock. Examples and tests run on a
//! [`SimulatedClock`] (e.g. through the autumn of 2024); production passes a system clock
//! from the facade crate.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use std::sync::Mutex;

/// A source of the current instant.
pub trait Clock: Send + Sync {
    /// The current instant, in UTC.
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in Europe/Stockholm (deadlines and meeting days are local dates).
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&Stockholm).date_naive()
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

/// A clock that stands still until it is moved: simulated time.
#[derive(Debug)]
pub struct SimulatedClock {
    now: Mutex<DateTime<Utc>>,
}

impl SimulatedClock {
    /// A clock standing at `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(now),
        }
    }

    /// A clock standing at 09:00 Stockholm time on `date`.
    pub fn at_date(date: NaiveDate) -> Self {
        Self::new(stockholm_instant(date, 9, 0))
    }

    /// Moves the clock to `now` (it may go backwards; the caller decides).
    pub fn set(&self, now: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) = now;
    }

    /// Moves the clock to 09:00 Stockholm time on `date`.
    pub fn set_date(&self, date: NaiveDate) {
        self.set(stockholm_instant(date, 9, 0));
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }
}

impl Clock for SimulatedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The UTC instant of a local Stockholm wall-clock time (the earlier one in the autumn
/// fold; skipped spring-forward times move to the next valid instant).
pub fn stockholm_instant(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let naive = date
        .and_hms_opt(hour.min(23), minute.min(59), 0)
        .unwrap_or_else(|| date.and_time(chrono::NaiveTime::MIN));
    match Stockholm.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        chrono::LocalResult::None => Stockholm
            .from_local_datetime(
                &naive
                    .checked_add_signed(chrono::TimeDelta::hours(1))
                    .unwrap_or(naive),
            )
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&naive)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stockholm_instants_follow_summer_time() {
        let winter = stockholm_instant(NaiveDate::from_ymd_opt(2024, 11, 15).unwrap(), 13, 0);
        assert_eq!(winter.to_rfc3339(), "2024-11-15T12:00:00+00:00");
        let summer = stockholm_instant(NaiveDate::from_ymd_opt(2024, 5, 28).unwrap(), 13, 0);
        assert_eq!(summer.to_rfc3339(), "2024-05-28T11:00:00+00:00");
    }

    #[test]
    fn simulated_clock_moves_only_when_told() {
        let c = SimulatedClock::at_date(NaiveDate::from_ymd_opt(2024, 10, 1).unwrap());
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2024, 10, 1).unwrap());
        c.advance(chrono::Duration::days(14));
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2024, 10, 15).unwrap());
    }
}
