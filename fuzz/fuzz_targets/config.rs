//! Fuzz target: configuration loading. Any text → `config::load_str` returns an
//! organisation or problems, each with a line and column inside the text; never a
//! panic, never a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = arende_core::config::load_str(text, "fuzz.toml") {
        let lines = text.split('\n').count();
        assert!(!e.problems.is_empty());
        for p in &e.problems {
            assert!(p.line >= 1 && p.line <= lines, "{p}");
            assert!(p.column >= 1, "{p}");
            assert!(!p.swedish.is_empty(), "{p}");
        }
    }
});
