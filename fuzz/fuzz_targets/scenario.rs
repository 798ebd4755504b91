//! Fuzz target: scenario files of `arende simulate` (`crates/arende-cli/src/scenario.rs`,
//! included by path so that the target needs neither the stores nor the dispatcher).
//! Any text, as TOML or (when it starts with `{`) JSON, parses to a scenario or to a
//! typed error naming the file, a step (number from 1, date) or an expectation, in both
//! languages; never a panic. A parsed scenario has steps numbered 1, 2, 3 … whose dates
//! never go back.
#![no_main]

#[path = "../../crates/arende-cli/src/scenario.rs"]
#[allow(dead_code)]
mod scenario;

use libfuzzer_sys::fuzz_target;
use scenario::{Format, Place, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse(text, Format::guess(None, text)) {
        Ok(s) => {
            assert!(!s.steps.is_empty());
            for (i, step) in s.steps.iter().enumerate() {
                assert_eq!(step.number, i + 1);
                if i > 0 {
                    assert!(s.steps[i - 1].date <= step.date);
                }
            }
        }
        Err(e) => {
            if let Place::Step { number, .. } | Place::Expect(number) = e.place {
                assert!(number >= 1);
            }
            let _ = (e.to_string(), e.swedish());
        }
    }
});
