//! `arende simulate` on the scenario files of `scenarios/`: each reaches the outcome the
//! Rust example with the same route reaches (the same script, `examples/support`, run
//! here): the matter ends in the same state — status, every step done where and when,
//! every party's decision, the dates in force, the same number of events — on SQLite and
//! on PostgreSQL. A bad scenario names its step and the typed error; never a panic.

// The examples' script finds the workspace's `config/orebro.toml` upward from here.
#[path = "../../../examples/support/mod.rs"]
#[allow(missing_docs, clippy::all)]
mod examples;
mod support;

use arende::matter::Matter;
use support::{Store, json, orebro, scenario, status, text};

/// The matter as `arende matter show --format json` prints it, comparable with the
/// example's (see [`comparable`]).
fn shown(store: &Store, id: &str) -> serde_json::Value {
    let o = store.arende(&["matter", "show", id, "--format", "json"]);
    status(&o, 0);
    comparable(json(&o)["matter"].clone())
}

fn example_state(m: &Matter) -> serde_json::Value {
    comparable(serde_json::to_value(m).expect("a matter serialises"))
}

/// A matter without the ids the example draws fresh each run (its own id, and the ids
/// of the assignments reported to it: the scenario file fixes them): those reported
/// are counted instead.
fn comparable(mut v: serde_json::Value) -> serde_json::Value {
    if let Some(map) = v.as_object_mut() {
        map.remove("id");
        if let Some(reported) = map.get_mut("reported_assignments") {
            let count = reported.as_array().map_or(0, Vec::len);
            *reported = serde_json::json!(count);
        }
    }
    v
}

fn simulate_matches(file: &str, matter: &str, example: &Matter, refusal: &str) {
    for store in Store::all() {
        let o = store.arende(&["simulate", &scenario(file)]);
        status(&o, 0);
        let out = text(&o.stdout);
        assert_eq!(
            out.matches("avslaget, som väntat").count(),
            1,
            "one refusal, as in the example:\n{out}"
        );
        assert!(out.contains(refusal), "{refusal} not in:\n{out}");
        assert!(out.contains("meddelat"), "{out}");
        let cli = shown(&store, matter);
        let rust = example_state(example);
        assert_eq!(
            cli, rust,
            "{file}: the scenario's matter differs from the example's"
        );
    }
}

#[test]
fn family_centres_scenario_reaches_the_examples_outcome() {
    let s = examples::family_centres::run(None).expect("the example runs");
    assert_eq!(s.run.matter_after.status.name(), "in-force");
    simulate_matches(
        "family-centres.toml",
        "018da6a1-3800-7da2-ac87-16d81b1498aa",
        &s.run.matter_after,
        "sbu saknar mandat att besluta",
    );
}

#[test]
fn home_health_care_scenario_reaches_the_examples_outcome() {
    let s = examples::home_health_care::run(None).expect("the example runs");
    assert_eq!(s.run.matter_after.status.name(), "in-force");
    simulate_matches(
        "home-health-care.toml",
        "018d63ae-8c00-7e69-8bf7-7fe6923ba553",
        &s.run.matter_after,
        "laxa",
    );
}

#[test]
fn unbroken_schooling_scenario_reaches_the_examples_outcome() {
    let s = examples::unbroken_schooling::run(None).expect("the example runs");
    assert_eq!(s.run.matter_after.status.name(), "decided");
    simulate_matches(
        "unbroken-schooling.toml",
        "0191c0fb-9980-7496-8809-d6cda40da5b7",
        &s.run.matter_after,
        "cg-information",
    );
}

#[test]
fn the_timeline_is_english_with_lang_en() {
    let store = Store::sqlite();
    let o = store.arende(&[
        "--lang",
        "en",
        "simulate",
        &scenario("unbroken-schooling.toml"),
    ]);
    status(&o, 0);
    let out = text(&o.stdout);
    assert!(out.contains("refused, as expected"), "{out}");
    assert!(out.contains("At the end:"), "{out}");
    assert!(!out.contains("avslaget"), "one language per run:\n{out}");
}

const STEP: &str = r#"
[[step]]
date = "2024-09-02"
as = "jaana-jansson"
command = { aggregate = "matter", matter = "0191a9f0-0000-7000-8000-000000000001", command = { type = "submit", id = "0191a9f0-0000-7000-8000-000000000001", kind = "information", title = "IF", body = "sbu" } }
"#;

#[test]
fn a_bad_scenario_names_its_step_and_the_typed_error() {
    let store = Store::sqlite();
    let head = format!("config = \"{}\"\n", orebro());

    // A command the kernel does not have: step 2 and its date, exit 1, nothing run.
    let bad = store.file(
        "bad.toml",
        &format!(
            "{head}{STEP}\n[[step]]\ndate = \"2024-09-03\"\nas = \"daniel-berglund\"\ncommand = {{ aggregate = \"matter\", command = {{ type = \"fly\" }} }}\n"
        ),
    );
    let o = store.arende(&["simulate", &bad]);
    status(&o, 1);
    assert!(
        text(&o.stderr).contains("steg 2 (2024-09-03): kommandot är inget kärnkommando"),
        "{}",
        text(&o.stderr)
    );

    // A refusal where the scenario expects the step to run: the step and the refusal.
    let refused = store.file(
        "refused.toml",
        &format!(
            "{head}{STEP}\n[[step]]\ndate = \"2024-09-03\"\nas = \"jaana-jansson\"\ncommand = {{ aggregate = \"matter\", matter = \"0191a9f0-0000-7000-8000-000000000001\", command = {{ type = \"screen\", screening = \"information-item\" }} }}\n"
        ),
    );
    let o = store.arende(&["simulate", &refused]);
    status(&o, 1);
    let err = text(&o.stderr);
    assert!(err.contains("avslaget: steg 2 (2024-09-03), matter/screen: jaana-jansson får inte utföra screen vid sbu"), "{err}");
    // What ran before the refusal stays; the refused step wrote nothing.
    let o = store.arende(&[
        "matter",
        "show",
        "0191a9f0-0000-7000-8000-000000000001",
        "--format",
        "json",
    ]);
    status(&o, 0);
    assert_eq!(json(&o)["matter"]["status"], "registered");
    let other = Store::sqlite();
    let o = other.arende(&["--lang", "en", "simulate", &refused]);
    status(&o, 1);
    assert!(
        text(&o.stderr).contains("refused: step 2 (2024-09-03), matter/screen"),
        "{}",
        text(&o.stderr)
    );

    // A step expected to be refused that runs is an error too.
    let runs = store.file(
        "runs.toml",
        &format!(
            "{head}{}",
            STEP.replace(
                "as = \"jaana-jansson\"",
                "as = \"jaana-jansson\"\nexpect = \"refused\""
            )
        ),
    );
    let o = Store::sqlite().arende(&["simulate", &runs]);
    status(&o, 1);
    assert!(
        text(&o.stderr).contains("steg 1 (2024-09-02), matter/submit: skulle ha avslagits"),
        "{}",
        text(&o.stderr)
    );

    // An expectation the end does not meet.
    let expect = store.file(
        "expect.toml",
        &format!("{head}[[expect]]\nmatter = \"0191a9f0-0000-7000-8000-000000000001\"\nstatus = \"in-force\"\n{STEP}"),
    );
    let o = Store::sqlite().arende(&["simulate", &expect]);
    status(&o, 1);
    assert!(
        text(&o.stderr).contains("har läget registered vid slutet, scenariot väntar in-force"),
        "{}",
        text(&o.stderr)
    );

    // Not TOML at all: the line and column; an unknown person; no configuration.
    let o = store.arende_in(&["simulate", "-"], Some("[[step]\ndate = "));
    status(&o, 1);
    assert!(
        text(&o.stderr).contains("inte giltig TOML"),
        "{}",
        text(&o.stderr)
    );
    let nobody = store.file(
        "nobody.toml",
        &format!("{head}{}", STEP.replace("jaana-jansson", "nobody")),
    );
    let o = Store::sqlite().arende(&["simulate", &nobody]);
    status(&o, 1);
    assert!(
        text(&o.stderr)
            .contains("steg 1 (2024-09-02), matter/submit: okänt id för person \"nobody\""),
        "{}",
        text(&o.stderr)
    );
    let noconfig = store.file("noconfig.toml", STEP);
    let o = support::run(&["simulate", &noconfig], &[], None);
    status(&o, 2);
}

#[test]
fn a_scenario_runs_in_its_json_form_from_standard_input() {
    let store = Store::sqlite();
    let text_toml = format!("config = \"{}\"\n{STEP}", orebro());
    let t: toml::Table = toml::from_str(&text_toml).expect("TOML");
    let json_form = serde_json::to_string(&t).expect("JSON");
    let o = store.arende_in(&["simulate", "-"], Some(&json_form));
    status(&o, 0);
    assert!(text(&o.stdout).contains("anmält"), "{}", text(&o.stdout));
}
