//! Regression tests for inputs that panicked (issue 12.1): a query or a forecast whose
//! arguments would move a date out of the calendar is a typed error naming the
//! argument. The fuzzers' findings (fuzz/) are kept here too, as plain tests.

use std::sync::Arc;

use arende::clock::SimulatedClock;
use arende::engine::Engine;
use arende::error::Error;
use arende::forecast::{Assumption, ForecastError, ForecastInput, Forecaster};
use arende::ids::RouteId;
use arende::org::{DateError, LeadTime, Organisation};
use arende::store::MemoryStore;
use chrono::NaiveDate;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn orebro() -> Organisation {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/orebro.toml");
    match arende::load_file(path) {
        Ok(org) => org,
        Err(e) => panic!("config/orebro.toml does not load: {e}"),
    }
}

#[test]
fn stuck_matters_with_a_large_age_is_a_typed_error() {
    let engine = Engine::new(
        Arc::new(orebro()),
        Arc::new(MemoryStore::new()),
        Arc::new(SimulatedClock::at_date(d(2024, 11, 1))),
    );
    assert!(
        engine
            .read()
            .stuck_matters(d(2024, 11, 1), 30)
            .unwrap()
            .is_empty()
    );
    match engine.read().stuck_matters(d(2024, 11, 1), u32::MAX) {
        Err(Error::Date(DateError::Overflow { field, .. })) => {
            assert_eq!(field, "stuck_matters.days")
        }
        other => panic!("expected a date error, got {other:?}"),
    }
}

#[test]
fn forecasts_refuse_dates_and_durations_outside_the_calendar() {
    let org = orebro();
    let route = org.route(&RouteId::new("chief-group-agreement")).unwrap();
    let f = Forecaster::new(&org);
    let input = ForecastInput::new(route, d(2024, 10, 29));
    for (days, ok) in [(5, true), (i64::MAX, false), (i64::MIN, false)] {
        let r = f.what_if(&input, &[Assumption::ReadyLater { days }]);
        assert_eq!(r.is_ok(), ok, "{days}: {r:?}");
        if !ok {
            assert!(matches!(
                r,
                Err(ForecastError::Date(DateError::Overflow { .. }))
            ));
        }
    }
    let huge = Assumption::RemissPeriod {
        period: LeadTime::Weeks(u32::MAX),
    };
    assert!(matches!(
        f.what_if(&input, &[huge]),
        Err(ForecastError::TooLong { .. })
    ));
    let mut far = ForecastInput::new(route, NaiveDate::MAX);
    assert!(matches!(f.forecast(&far), Err(ForecastError::Date(_))));
    far.ready = d(2024, 10, 29);
    far.durations.remiss_period = Some(LeadTime::Months(u32::MAX));
    assert!(matches!(
        f.forecast(&far),
        Err(ForecastError::TooLong { .. })
    ));
    let extra = Assumption::ExtraMeeting {
        body: "cg-joint".into(),
        date: NaiveDate::MIN,
    };
    assert!(matches!(
        f.what_if(&input, &[extra]),
        Err(ForecastError::Date(_))
    ));
}
