//! Unit tests of the loader: the schema, meeting plans and each kind of problem.

use chrono::{NaiveDate, NaiveTime};

use super::*;
use crate::ids::{BodyId, MeetingId};
use crate::org::MeetingStatus;

const OREBRO: &str = include_str!("../../../../config/orebro.toml");

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

#[test]
fn orebro_loads() {
    let org = match load_str(OREBRO, "orebro.toml") {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(org.tenant.as_str(), "orebro");
}
