//! Stored data keeps working: SQLite stores written by the engine of an earlier release
//! (`tests/fixtures/stores/*.sqlite`, the three examples' files as main wrote them before
//! the command-surface change) load to the same states (`*.states.txt`) and take new
//! commands. Set `ARENDE_BLESS=1` to rewrite the expected states (only when a state's
//! shape changes on purpose).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arende::authz::Actor;
use arende::clock::SimulatedClock;
use arende::engine::Engine;
use arende::ids::{AssignmentId, MatterId, MeetingId, PersonId};
use arende::sqlite::SqliteStore;
use arende::store::EventStore;
use arende::subscription::{FollowTarget, Follower};
use chrono::NaiveDate;

const FIXTURES: [&str; 3] = ["home_health_care", "family_centres", "unbroken_schooling"];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stores")
}

/// A copy of a fixture store in a temporary directory (the fixture itself stays as it is).
fn copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let to = tmp.path().join(format!("{name}.sqlite"));
    std::fs::copy(dir().join(format!("{name}.sqlite")), &to).expect("copy the fixture");
    (tmp, to)
}

/// Every stream of the store, by name.
fn streams(store: &SqliteStore) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut after = 0;
    loop {
        let batch = store.read_all(after, 1000).expect("read the log");
        let Some(last) = batch.last() else { break };
        after = last.position;
        out.extend(batch.into_iter().map(|r| String::from(r.stream)));
    }
    out
}

/// Every aggregate's state, one block per stream, in stream order.
fn states(engine: &Engine<SqliteStore, Arc<SimulatedClock>>) -> String {
    let mut out = String::new();
    for stream in streams(engine.store()) {
        let state = if let Some(id) = stream.strip_prefix("matter-") {
            let id: MatterId = id.parse().expect("matter id");
            format!("{:#?}", engine.read().matter(id).expect("matter loads"))
        } else if let Some(id) = stream.strip_prefix("meeting-") {
            format!(
                "{:#?}",
                engine
                    .read()
                    .meeting(&MeetingId::from(id))
                    .expect("meeting loads")
            )
        } else if let Some(id) = stream.strip_prefix("assignment-") {
            let id: AssignmentId = id.parse().expect("assignment id");
            format!(
                "{:#?}",
                engine.read().assignment(id).expect("assignment loads")
            )
        } else {
            continue;
        };
        out.push_str(&format!("== {stream}\n{state}\n"));
    }
    out
}

#[test]
fn stores_written_before_load_to_the_same_states() {
    let org = Arc::new(arende::load_file("config/orebro.toml").expect("configuration"));
    for name in FIXTURES {
        let (_tmp, path) = copy(name);
        let store = SqliteStore::open(&path).expect("the fixture opens");
        let clock = Arc::new(SimulatedClock::at_date(
            NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        ));
        let engine = Engine::new(org.clone(), store, clock);
        let got = states(&engine);
        let expected_path = dir().join(format!("{name}.states.txt"));
        if std::env::var_os("ARENDE_BLESS").is_some() {
            std::fs::write(&expected_path, &got).expect("write the expected states");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).expect("expected states");
        assert!(got.lines().count() > 100, "{name}: too little loaded");
        assert!(
            got == expected,
            "{name}: states differ from {}",
            expected_path.display()
        );
    }
}

#[test]
fn stores_written_before_take_new_commands_and_replay_no_old_effects() {
    let org = Arc::new(arende::load_file("config/orebro.toml").expect("configuration"));
    for name in FIXTURES {
        let (_tmp, path) = copy(name);
        let store = SqliteStore::open(&path).expect("the fixture opens");
        let before = store.read_all(0, 1_000_000).expect("the log").len();
        let clock = Arc::new(SimulatedClock::at_date(
            NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        ));
        let engine = Engine::new(org.clone(), store, clock);
        // Policies start at the end of an old log: its effects were applied by the
        // commands that wrote it, and none is applied again.
        let effects = engine.run_policies().expect("policies");
        assert!(effects.is_empty(), "{name}: {effects:?}");
        let after_start = engine.store().read_all(0, 1_000_000).expect("the log");
        let new: Vec<_> = after_start[before..]
            .iter()
            .map(|r| r.stream.as_str().to_owned())
            .collect();
        assert_eq!(new, vec!["policies-checkpoint".to_owned()], "{name}");
        // A new command appends to an old matter's world.
        let matter: MatterId = streams(engine.store())
            .iter()
            .find_map(|s| s.strip_prefix("matter-").map(|k| k.parse().expect("id")))
            .expect("a matter");
        let person = PersonId::new("jaana-jansson");
        let followed = engine
            .follow(
                &Actor::Person(person.clone()),
                FollowTarget::Matter(matter),
                Follower::Person(person),
            )
            .expect("a follow appends");
        assert!(followed.version >= 1 && !followed.duplicate, "{name}");
        let total = engine
            .store()
            .read_all(0, 1_000_000)
            .expect("the log")
            .len();
        assert_eq!(total, before + 2, "{name}: checkpoint and follow");
    }
}
