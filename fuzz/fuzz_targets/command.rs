//! Fuzz target: the JSON commands. The input is a JSON list of `{"actor": PERSON,
//! "command": Command}` (the top-level [`Command`] of every aggregate, in its JSON
//! form); where it parses, each command runs in turn through `Engine::execute` of an
//! in-memory engine over the repository's own organisation (`config/orebro.toml`).
//! Every command is accepted or refused with a typed error; never a panic. The same
//! bytes also go through the strict reader the service and the command line use
//! (`arende_core::strict::from_json`): a refusal with a line and column, never a panic;
//! and a list it accepts is one serde accepts too.
#![no_main]

use std::sync::{Arc, OnceLock};

use arende_core::authz::Actor;
use arende_core::clock::SimulatedClock;
use arende_core::engine::Engine;
use arende_core::command::{Command, CommandOptions};
use arende_core::ids::PersonId;
use arende_core::org::Organisation;
use arende_core::store::MemoryStore;
use libfuzzer_sys::fuzz_target;

#[derive(serde::Deserialize, serde::Serialize)]
struct Step {
    actor: String,
    command: Command,
}

fn org() -> Arc<Organisation> {
    static ORG: OnceLock<Arc<Organisation>> = OnceLock::new();
    ORG.get_or_init(|| {
        let text = include_str!("../../config/orebro.toml");
        Arc::new(arende_core::config::load_str(text, "orebro.toml").expect("orebro loads"))
    })
    .clone()
}

fuzz_target!(|data: &[u8]| {
    match arende_core::strict::from_json::<Vec<Step>>(data) {
        Ok(_) => assert!(serde_json::from_slice::<Vec<Step>>(data).is_ok()),
        Err(e) => {
            let (line, column) = e.position();
            assert!(line >= 1 && column >= 1, "{e}");
        }
    }
    let Ok(steps) = serde_json::from_slice::<Vec<Step>>(data) else {
        return;
    };
    let start = chrono::NaiveDate::from_ymd_opt(2024, 9, 2).expect("a date");
    let engine = Engine::new(
        org(),
        Arc::new(MemoryStore::new()),
        Arc::new(SimulatedClock::at_date(start)),
    );
    for step in steps.into_iter().take(64) {
        let actor = Actor::Person(PersonId::new(step.actor.as_str()));
        let _ = engine.execute(&actor, step.command, CommandOptions::default());
    }
});
