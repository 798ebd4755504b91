//! The `arende` binary, run as a user would: every verb on `config/orebro.toml`, and the
//! errors (bad configuration, unreadable file, unknown ids, bad dates) as typed messages
//! with a non-zero exit code, never a panic.

use std::process::{Command, Output};

const ORG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/orebro.toml");

fn arende(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_arende"))
        .args(args)
        .output()
        .expect("the arende binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "arende panicked: {stderr}");
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_summarises_a_valid_configuration() {
    let o = arende(&["check", ORG]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("giltig konfiguration"), "{s}");
    for word in [
        "parter",
        "organ",
        "personer",
        "beslutsvägar",
        "planerade möten",
    ] {
        assert!(s.contains(word), "{word} missing in {s}");
    }
    let en = stdout(&arende(&["--lang", "en", "check", ORG]));
    assert!(
        en.contains("valid configuration") && en.contains("routes"),
        "{en}"
    );
}

#[test]
fn check_lists_every_problem_with_its_place_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[organisation]\ntenant = 3\nname = \"X\"\nversion = \"1\"\n\n[bodies.x]\nkind = \"nope\"\nname = \"X\"\n",
    )
    .unwrap();
    let o = arende(&["check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("ogiltig konfiguration"), "{e}");
    // Each problem on its own line with the file, line and column.
    let lines: Vec<&str> = e.lines().skip(1).collect();
    assert!(lines.len() >= 2, "{e}");
    assert!(e.contains("bad.toml:2:"), "{e}");
    assert!(e.contains("bad.toml:7:"), "{e}");
    assert!(stdout(&o).is_empty());
}

#[test]
fn check_of_an_unreadable_file_fails_with_a_message() {
    let o = arende(&["check", "/no/such/orebro.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("kan inte läsa /no/such/orebro.toml"));
}

#[test]
fn route_as_text_dot_and_mermaid() {
    let o = arende(&["route", ORG, "county-agreement"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("Beslutsväg county-agreement"), "{s}");
    assert!(
        s.contains("steering-readiness → cg-social-readiness (samma förslag"),
        "{s}"
    );
    assert!(s.contains("13 parter"), "{s}");
    let dot = stdout(&arende(&[
        "route",
        ORG,
        "county-agreement",
        "--format",
        "dot",
    ]));
    assert!(dot.starts_with("digraph \"county-agreement\""), "{dot}");
    assert!(
        dot.contains("\"steering-readiness\" -> \"cg-social-readiness\" [style=dashed"),
        "{dot}"
    );
    let mermaid = stdout(&arende(&[
        "route",
        ORG,
        "chief-group-agreement",
        "--format",
        "mermaid",
    ]));
    assert!(mermaid.contains("flowchart"), "{mermaid}");
    assert!(mermaid.contains("[cg-information]"), "{mermaid}");
    let o = arende(&["route", ORG, "nope"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("okänd beslutsväg \"nope\""));
    assert!(stderr(&o).contains("county-agreement"));
}

const SCHOOLING: [&str; 9] = [
    "forecast",
    ORG,
    "--route",
    "chief-group-agreement",
    "--done",
    "sbu-preparation@2024-10-15",
    "--target",
    "cg-joint@2024-11-15",
    "--ready",
];

#[test]
fn forecast_plans_backward_from_a_goal() {
    // The chief-group route, ready 29 October, prepared at sbu on 15 October.
    let with = |extra: &[&str]| {
        let mut args = vec![
            "forecast",
            ORG,
            "--route",
            "chief-group-agreement",
            "--ready",
            "2024-10-29",
            "--done",
            "sbu-preparation@2024-10-15",
        ];
        args.extend_from_slice(extra);
        arende(&args)
    };
    let o = with(&[
        "--latest-for",
        "cg-joint@2024-11-15",
        "--purpose",
        "information",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(
        s.starts_with("Bakåtplanering mot cg-joint@2024-11-15"),
        "{s}"
    );
    assert!(s.contains("Målet kan nås"), "{s}");
    assert!(s.contains("handlingar klara senast 2024-11-01"), "{s}");
    let o = with(&["--latest-for", "cg-joint@2024-11-15", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // The decision on 15 November is not within reach: the remiss is late.
    assert_eq!(v["feasible"], false, "{v}");
    assert!(v["slack_days"].as_i64().is_some_and(|d| d < 0), "{v}");
    // --purpose needs a target or a goal; a goal and a target do not go together; a
    // goal must read as one.
    for bad in [
        &["--purpose", "information"][..],
        &[
            "--target",
            "cg-joint@2024-11-15",
            "--latest-for",
            "decided-by:2025-06-01",
        ],
        &["--latest-for", "soon"],
    ] {
        let o = with(bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
    }
}

#[test]
fn forecast_text_answers_the_15_november_question() {
    let mut args = SCHOOLING.to_vec();
    args.push("2024-10-29");
    let o = arende(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(
        s.contains("2024-11-15  Dragning för gemensam chefsgrupp"),
        "{s}"
    );
    assert!(s.contains("kallelse 2024-11-01"), "{s}");
    assert!(
        s.contains("Mål: cg-joint 2024-11-15: nås inte för beslut"),
        "{s}"
    );
    assert!(s.contains("remissen (remiss)"), "{s}");
    assert!(s.contains("Nås för: information (cg-information)"), "{s}");

    args.extend(["--purpose", "information"]);
    let s = stdout(&arende(&args));
    assert!(
        s.contains("Mål: cg-joint 2024-11-15: nås för information"),
        "{s}"
    );

    let mut en = vec!["--lang", "en"];
    en.extend(&SCHOOLING);
    en.push("2024-11-05");
    en.extend(["--purpose", "information"]);
    let s = stdout(&arende(&en));
    assert!(s.contains("not reachable for information"), "{s}");
    assert!(s.contains("the notice goes out on 2024-11-01"), "{s}");
}

#[test]
fn forecast_json_has_steps_and_target() {
    let mut args = SCHOOLING.to_vec();
    args.extend(["2024-10-29", "--format", "json"]);
    let o = arende(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let steps = v["steps"].as_array().unwrap();
    assert!(!steps.is_empty());
    for s in steps {
        for key in ["step", "body", "purpose", "date", "cutoff", "bound_by"] {
            assert!(s.get(key).is_some(), "{key} missing in {s}");
        }
    }
    let info = steps
        .iter()
        .find(|s| s["step"] == "cg-information")
        .unwrap();
    assert_eq!(info["date"], "2024-11-15");
    assert_eq!(info["cutoff"], "2024-11-01");
    assert_eq!(info["purpose"], "information");
    let decision = steps.iter().find(|s| s["step"] == "cg-decision").unwrap();
    assert_eq!(decision["bound_by"]["kind"], "consultation");
    assert_eq!(decision["bound_by"]["step"], "remiss");
    let t = &v["target"];
    assert_eq!(t["reachable"], false);
    assert_eq!(t["earliest"], decision["date"]);
    assert!(t["reason"].as_str().unwrap().contains("remiss"), "{t}");

    let mut args = SCHOOLING.to_vec();
    args.extend(["2024-11-05", "--format", "json", "--purpose", "information"]);
    let v: serde_json::Value = serde_json::from_slice(&arende(&args).stdout).unwrap();
    assert_eq!(v["target"]["reachable"], false);
    assert_eq!(v["target"]["miss"]["kind"], "notice-cutoff");
    assert_eq!(v["target"]["miss"]["notice"], "2024-11-01");
    assert!(
        v["target"]["reason"]
            .as_str()
            .unwrap()
            .contains("2024-11-01")
    );
}

#[test]
fn forecast_what_if_and_remiss_weeks() {
    let mut args = SCHOOLING.to_vec();
    args.extend(["2024-10-29", "--what-if-later", "5"]);
    let s = stdout(&arende(&args));
    assert!(
        s.contains("Om underlaget blir klart 5 dagar senare:"),
        "{s}"
    );
    assert!(s.contains("cg-information  2024-11-15 → "), "{s}");

    let mut args = SCHOOLING.to_vec();
    args.extend(["2024-10-29", "--remiss-weeks", "2", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&arende(&args).stdout).unwrap();
    let remiss = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "remiss")
        .unwrap();
    assert_eq!(remiss["consultation"]["sent"], "2024-11-29");
    assert_eq!(remiss["consultation"]["deadline"], "2024-12-13");
}

#[test]
fn forecast_errors_are_typed_and_fail() {
    let base = [
        "forecast",
        ORG,
        "--route",
        "chief-group-agreement",
        "--ready",
    ];
    // A malformed date is a usage error (exit 2).
    let mut args = base.to_vec();
    args.push("2024-13-01");
    let o = arende(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not a date of the form YYYY-MM-DD"));
    // An unknown target body, step or route is an error naming it (exit 1).
    let mut args = base.to_vec();
    args.extend(["2024-10-29", "--target", "nobody@2024-11-15"]);
    let o = arende(&args);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("okänt organ \"nobody\""),
        "{}",
        stderr(&o)
    );
    let mut args = base.to_vec();
    args.extend(["2024-10-29", "--done", "nothing@2024-10-01"]);
    let o = arende(&args);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("okänt steg \"nothing\""),
        "{}",
        stderr(&o)
    );
    // A target at a body the route does not reach.
    let mut args = base.to_vec();
    args.extend(["2024-10-29", "--target", "kcrd@2024-12-11"]);
    let o = arende(&args);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("kcrd"), "{}", stderr(&o));
    let o = arende(&["forecast", ORG, "--route", "chief-group-agreement"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn calendar_shows_call_and_notice_dates_and_writes_ics() {
    let dir = tempfile::tempdir().unwrap();
    let ics = dir.path().join("cg-joint.ics");
    let o = arende(&[
        "calendar",
        ORG,
        "--body",
        "cg-joint",
        "--ics",
        ics.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("Sammanträdesplan"), "{s}");
    let line = s.lines().find(|l| l.starts_with("2024-11-15")).unwrap();
    assert!(
        line.contains("2024-10-15") && line.contains("2024-11-01"),
        "{line}"
    );
    let text = std::fs::read_to_string(&ics).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR"));
    assert!(text.contains("UID:cg-joint-2024-11-15@orebro"), "{text}");
    // 13:00 in Stockholm (CET) is 12:00 UTC.
    assert!(text.contains("DTSTART:20241115T120000Z"), "{text}");
    // The call-for-matters and notice dates are to-dos with due dates.
    assert!(
        text.contains("BEGIN:VTODO") && text.contains("20241101"),
        "{text}"
    );
    let o = arende(&["calendar", ORG, "--body", "nobody"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("okänt organ \"nobody\""));
    let o = arende(&[
        "calendar",
        ORG,
        "--body",
        "cg-joint",
        "--ics",
        "/no/such/dir/x.ics",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("kan inte skriva"));
}

/// Regression (issue 12.1): values that overflowed a date panicked; now each is a typed
/// error naming the option or field, in the language asked for.
#[test]
fn overflowing_values_are_typed_errors_not_panics() {
    let mut args = SCHOOLING.to_vec();
    args.extend(["2024-10-29", "--what-if-later", "9223372036854775807"]);
    let o = arende(&args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--what-if-later: 9223372036854775807 days skulle flytta 2024-10-29"),
        "{}",
        stderr(&o)
    );
    let mut args = SCHOOLING.to_vec();
    args.extend(["2024-10-29", "--what-if-later", "-9223372036854775808"]);
    assert_eq!(arende(&args).status.code(), Some(2));

    for option in [
        "--remiss-weeks",
        "--what-if-remiss-weeks",
        "--political-weeks",
    ] {
        let mut args = vec!["--lang", "en"];
        args.extend(SCHOOLING);
        args.extend(["2024-10-29", option, "4294967295"]);
        let o = arende(&args);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!(
                "error: {option}: 4294967295 weeks is longer than ten years"
            )),
            "{}",
            stderr(&o)
        );
    }

    let mut args = SCHOOLING.to_vec();
    args.push("262142-01-01");
    let o = arende(&args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--ready"), "{}", stderr(&o));

    // A remiss period that large in the configuration is refused by `check`, so it can
    // no longer pass `check` and panic in `forecast`.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("remiss.toml");
    let org = std::fs::read_to_string(ORG).unwrap();
    let start = org.find("period = \"").unwrap() + "period = \"".len();
    let end = start + org[start..].find('"').unwrap();
    let text = format!("{}4294967295 weeks{}", &org[..start], &org[end..]);
    std::fs::write(&path, text).unwrap();
    for verb in [
        &["check"][..],
        &["forecast", "--route", "x", "--ready", "2024-10-29"],
    ] {
        let mut args = vec![verb[0], path.to_str().unwrap()];
        args.extend(&verb[1..]);
        let o = arende(&args);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("\"4294967295 weeks\" är längre än tio år"),
            "{}",
            stderr(&o)
        );
    }

    let path = dir.path().join("lead.toml");
    std::fs::write(
        &path,
        "[organisation]\ntenant = \"t\"\nname = \"T\"\nversion = \"1\"\n\n[defaults.lead-times]\nnotice = \"100000000 days\"\n",
    )
    .unwrap();
    let o = arende(&["check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("lead.toml:7:10:"), "{}", stderr(&o));
}

/// `arende check` speaks one language per run: every problem of the corpus in Swedish
/// by default, in English with `--lang en`.
#[test]
fn check_speaks_one_language() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/config/bad/13-many.toml"
    );
    let sv = stderr(&arende(&["check", file]));
    let en = stderr(&arende(&["--lang", "en", "check", file]));
    assert!(sv.starts_with("fel: ogiltig konfiguration"), "{sv}");
    assert!(en.starts_with("error: invalid configuration"), "{en}");
    for english in [
        "unknown",
        "invalid",
        "duplicate",
        "listed",
        "expected",
        "missing",
    ] {
        assert!(
            !sv.contains(english),
            "{english:?} in the Swedish report:\n{sv}"
        );
    }
    for swedish in ["okänd", "ogiltig", "dubblerat", "saknas"] {
        assert!(
            !en.contains(swedish),
            "{swedish:?} in the English report:\n{en}"
        );
    }
    assert_eq!(sv.lines().count(), en.lines().count());
}
