//! Unit tests of the loader: the Örebro file, meeting plans, lead times, and each kind
//! of problem (the full corpus of bad files is in the root `tests/config/bad/`).

use chrono::{NaiveDate, NaiveTime};

use super::*;
use crate::ids::{BodyId, MeetingId, RouteId, StepId};
use crate::org::{LeadTime, MeetingStatus};
use crate::route::Dependency;
use crate::testing::d;

const OREBRO: &str = include_str!("../../../../config/orebro.toml");

/// A small valid configuration the problem tests start from.
const BASE: &str = r#"
[organisation]
tenant = "test"
name = "Testlän"
version = "1"

[parties.region]
name = "Regionen"
kind = "region"
political-body = "region-rs"

[parties.town]
name = "Kommunen"
kind = "municipality"
political-body = "town-ks"

[bodies.prep]
name = "Beredningsgrupp"
kind = "preparatory"
mandates = ["inform", "prepare", "recommend"]
parent = "chiefs"

[bodies.chiefs]
name = "Chefsgrupp"
kind = "chief-group"
mandates = ["inform", "prepare", "decide", "consult", "readiness-check"]

[bodies.region-rs]
name = "Regionstyrelsen"
kind = "political"
party = "region"
mandates = ["political-decision"]

[bodies.town-ks]
name = "Kommunstyrelsen"
kind = "political"
party = "town"
mandates = ["political-decision"]

[people.anna]
name = "Anna"
email = "anna@example.se"
party = "town"

[memberships.prep]
member = ["anna"]
"#;

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn load(text: &str) -> crate::org::Organisation {
    match load_str(text, "test.toml") {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    }
}

/// Asserts exactly these problems: (path, line, message fragment), in file order.
#[track_caller]
fn check(text: &str, expected: &[(&str, usize, &str)]) {
    let problems = match load_str(text, "test.toml") {
        Ok(_) => panic!(
            "expected {} problem(s), the configuration loaded",
            expected.len()
        ),
        Err(e) => e.problems,
    };
    let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(problems.len(), expected.len(), "problems: {shown:#?}");
    for (p, (path, line, fragment)) in problems.iter().zip(expected) {
        assert_eq!(p.path, *path, "problems: {shown:#?}");
        assert_eq!(p.line, *line, "problems: {shown:#?}");
        assert!(
            p.message.contains(fragment),
            "{:?} lacks {fragment:?}",
            p.message
        );
        assert!(p.column >= 1);
    }
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn base_loads_with_defaults() {
    let org = load(BASE);
    let prep = org.body(&BodyId::new("prep")).unwrap();
    assert_eq!(prep.lead_times.call_for_matters, LeadTime::Months(1));
    assert_eq!(prep.lead_times.notice, LeadTime::Weeks(2));
    assert_eq!(prep.lead_times.announcement, None);
    assert_eq!(org.signatories().count(), 2);
    assert_eq!(org.memberships.len(), 1);
    assert_eq!(org.memberships[0].party.as_ref().unwrap().as_str(), "town");
}

#[test]
fn a_membership_may_represent_another_party_than_the_persons_own() {
    let org = load(&format!("{BASE}represents = {{ anna = \"region\" }}\n"));
    assert_eq!(
        org.memberships[0].party.as_ref().unwrap().as_str(),
        "region"
    );
    assert_eq!(
        org.person(&crate::ids::PersonId::new("anna"))
            .unwrap()
            .party
            .as_ref()
            .unwrap()
            .as_str(),
        "town"
    );
}

#[test]
fn political_bodies_get_the_political_default_lead_times() {
    let text = format!(
        "{BASE}\n[defaults.lead-times]\nnotice = \"10 days\"\nannouncement = \"2 days\"\nappeal = \"3 weeks\"\n"
    );
    let org = load(&text);
    let ks = org.body(&BodyId::new("town-ks")).unwrap();
    assert_eq!(ks.lead_times.announcement, Some(LeadTime::Days(2)));
    assert_eq!(ks.lead_times.appeal, Some(LeadTime::Weeks(3)));
    assert_eq!(ks.lead_times.notice, LeadTime::Days(10));
    let prep = org.body(&BodyId::new("prep")).unwrap();
    assert_eq!(prep.lead_times.announcement, None);
    assert_eq!(prep.lead_times.notice, LeadTime::Days(10));
}

#[test]
fn joint_chief_group_meeting_of_15_november_gets_its_call_and_notice_dates() {
    let org = load(OREBRO);
    let m = org.meeting(&MeetingId::new("cg-joint-2024-11-15")).unwrap();
    assert_eq!(m.date, d(2024, 11, 15));
    assert_eq!((m.start, m.end), (t(13, 0), t(16, 0)));
    assert_eq!(m.notice, d(2024, 11, 1));
    assert_eq!(m.call_for_matters, d(2024, 10, 15));
    assert!(m.location.as_deref().unwrap().contains("Immanuelkyrkan"));
    for b in ["cg-joint", "cg-social", "cg-school", "cg-public-health"] {
        assert!(
            m.bodies.contains(&BodyId::new(b)),
            "{b} is not at the joint meeting"
        );
    }
    assert_eq!(m.bodies[0].as_str(), "cg-joint");
}

#[test]
fn joint_meeting_uses_the_joint_session_lead_times() {
    // The joint session has its own, longer lead times; its members keep the defaults.
    let text = r#"
[organisation]
tenant = "t"
name = "T"
version = "1"
[bodies.a]
name = "A"
kind = "chief-group"
[bodies.b]
name = "B"
kind = "chief-group"
[bodies.ab]
name = "A och B"
kind = "joint-session"
joint-of = ["a", "b"]
lead-times = { call-for-matters = "6 weeks", notice = "3 weeks" }
[meeting-plans.ab]
meetings = [{ date = 2024-11-15, time = "13:00-16:00" }]
[meeting-plans.both]
bodies = ["a", "b"]
meetings = [{ date = 2024-11-22, time = "13:00-14:00" }]
"#;
    let org = load(text);
    let m = org.meeting(&MeetingId::new("ab-2024-11-15")).unwrap();
    assert_eq!(m.call_for_matters, d(2024, 10, 4));
    assert_eq!(m.notice, d(2024, 10, 25));
    // A joint plan without a joint-session body uses the earliest dates of its bodies.
    let m = org.meeting(&MeetingId::new("both-2024-11-22")).unwrap();
    assert_eq!(m.call_for_matters, d(2024, 10, 22));
    assert_eq!(m.notice, d(2024, 11, 8));
    assert_eq!(m.bodies, vec![BodyId::new("a"), BodyId::new("b")]);
}

#[test]
fn second_friday_rule_for_spring_2025_with_a_moved_date_and_a_changed_time() {
    let text = format!(
        "{BASE}\n{}",
        r#"
[meeting-plans.chiefs]
location = "Rum A"
rules = [{ every = "second friday", from = 2025-01-01, until = 2025-06-30, time = "08:30-12:00" }]
moved = [{ from = 2025-03-14, to = 2025-03-21 }]
changed = [{ date = 2025-05-09, time = "13:00-16:00" }]
"#
    );
    let org = load(&text);
    let got: Vec<(
        String,
        NaiveDate,
        NaiveTime,
        NaiveTime,
        Option<NaiveDate>,
        u32,
    )> = org
        .meetings
        .iter()
        .map(|m| {
            (
                m.id.to_string(),
                m.date,
                m.start,
                m.end,
                m.moved_from,
                m.sequence,
            )
        })
        .collect();
    let morning = (t(8, 30), t(12, 0));
    let expected = vec![
        (
            "chiefs-2025-01-10".to_owned(),
            d(2025, 1, 10),
            morning.0,
            morning.1,
            None,
            0,
        ),
        (
            "chiefs-2025-02-14".to_owned(),
            d(2025, 2, 14),
            morning.0,
            morning.1,
            None,
            0,
        ),
        (
            "chiefs-2025-03-14".to_owned(),
            d(2025, 3, 21),
            morning.0,
            morning.1,
            Some(d(2025, 3, 14)),
            1,
        ),
        (
            "chiefs-2025-04-11".to_owned(),
            d(2025, 4, 11),
            morning.0,
            morning.1,
            None,
            0,
        ),
        (
            "chiefs-2025-05-09".to_owned(),
            d(2025, 5, 9),
            t(13, 0),
            t(16, 0),
            None,
            1,
        ),
        (
            "chiefs-2025-06-13".to_owned(),
            d(2025, 6, 13),
            morning.0,
            morning.1,
            None,
            0,
        ),
    ];
    assert_eq!(got, expected);
    // The moved meeting's lead-time dates follow its new date.
    let moved = org.meeting(&MeetingId::new("chiefs-2025-03-14")).unwrap();
    assert_eq!(moved.call_for_matters, d(2025, 2, 21));
    assert_eq!(moved.notice, d(2025, 3, 7));
    assert!(
        org.meetings
            .iter()
            .all(|m| m.status == MeetingStatus::Tentative)
    );
    assert!(
        org.meetings
            .iter()
            .all(|m| m.location.as_deref() == Some("Rum A"))
    );
}

#[test]
fn cancelled_meetings_stay_in_the_plan_as_cancelled() {
    let text = format!(
        "{BASE}\n{}",
        r#"
[meeting-plans.prep]
time = "09:00-12:00"
meetings = [{ date = "2024-10-15" }, { date = 2024-11-12, status = "tentative" }]
cancelled = [2024-11-12]
"#
    );
    let org = load(&text);
    let m = org.meeting(&MeetingId::new("prep-2024-11-12")).unwrap();
    assert_eq!(m.status, MeetingStatus::Cancelled);
    assert_eq!(m.sequence, 1);
    let prep = BodyId::new("prep");
    let on: Vec<_> = org.meetings_of(&prep).map(|m| m.id.to_string()).collect();
    assert_eq!(on, vec!["prep-2024-10-15"]);
    assert_eq!(
        org.meeting(&MeetingId::new("prep-2024-10-15"))
            .unwrap()
            .status,
        MeetingStatus::Confirmed
    );
}

#[test]
fn routes_load_with_their_edges_and_dependencies() {
    let text = format!(
        "{BASE}\n{}",
        r#"
[routes.r]
name = "R"
steps = [
  { id = "prepare", name = "Beredning", purpose = "preparation", body = "prep" },
  { id = "ready", name = "Redo", purpose = "readiness-check", body = "chiefs" },
  { id = "politics", name = "Politiskt beslut", purpose = "political-decision" },
  { id = "in-force", name = "Ikraftträdande", purpose = "entry-into-force", quorum = 2 },
]
edges = [
  { from = "prepare", to = "ready", dependency = "same-proposal" },
  { from = "ready", to = "politics" },
  { from = "politics", to = "in-force" },
]
[matter-kinds]
agreement = "r"
"#
    );
    let org = load(&text);
    let r = org.route(&RouteId::new("r")).unwrap();
    assert_eq!(r.len(), 4);
    assert_eq!(r.first().id.as_str(), "prepare");
    let preds = r.predecessors(&StepId::new("ready"));
    assert_eq!(preds[0].1, Dependency::SameProposal);
    assert_eq!(org.matter_kinds["agreement"].as_str(), "r");
}

#[test]
fn syntax_errors_are_reported_with_their_lines() {
    let text = "[organisation]\ntenant = \"t\"\nname = \"T\nversion = 1\n[bodies.a\n";
    let problems = load_str(text, "bad.toml").unwrap_err().problems;
    assert!(problems.len() >= 2, "{problems:?}");
    assert_eq!(problems[0].line, 3);
    assert!(
        problems
            .iter()
            .all(|p| p.message.starts_with("TOML syntax"))
    );
    assert!(problems.iter().any(|p| p.line == 5));
}

#[test]
fn shape_errors_in_one_entry_do_not_hide_problems_in_others() {
    let text = BASE.replace(
        "[bodies.chiefs]\nname = \"Chefsgrupp\"",
        "[bodies.chiefs]\nname = \"Chefsgrupp\"\ncolour = \"blue\"",
    ) + "\n[people.bo]\nname = \"Bo\"\nparty = \"twon\"\n";
    check(
        &text,
        &[
            // Only the faulty entry is reported: prep's parent still names a known body.
            (
                "bodies.chiefs",
                line_of(&text, "colour"),
                "unknown field `colour`",
            ),
            (
                "people.bo.party",
                line_of(&text, "\"twon\""),
                "did you mean \"town\"",
            ),
        ],
    );
}

#[test]
fn decision_at_a_preparatory_body_names_the_mandate_and_who_holds_it() {
    let text = format!(
        "{BASE}\n{}",
        r#"
[routes.r]
name = "R"
steps = [{ id = "decide", name = "Beslut", purpose = "decision", body = "prep" }]
"#
    );
    check(
        &text,
        &[(
            "routes.r.steps[0].body",
            line_of(&text, "purpose = \"decision\""),
            "body \"prep\" lacks the mandate `decide` (besluta) for a decision step; bodies that hold it: chiefs",
        )],
    );
}

#[test]
fn political_step_needs_a_political_body_in_every_deciding_party() {
    let text = BASE.replace("political-body = \"town-ks\"\n", "")
        + r#"
[routes.r]
name = "R"
steps = [{ id = "politics", name = "Politiskt beslut", purpose = "political-decision" }]
"#;
    check(
        &text,
        &[(
            "routes.r.steps[0].parties",
            line_of(&text, "purpose = \"political-decision\""),
            "party \"town\" has no political body",
        )],
    );
}

#[test]
fn cycles_and_unreachable_steps_are_reported_at_the_step() {
    let text = format!(
        "{BASE}\n{}",
        r#"
[routes.loop]
name = "Loop"
steps = [
  { id = "a", name = "A", purpose = "preparation", body = "prep" },
  { id = "b", name = "B", purpose = "preparation", body = "chiefs" },
  { id = "c", name = "C", purpose = "preparation", body = "chiefs" },
]
edges = [{ from = "a", to = "b" }, { from = "b", to = "c" }, { from = "c", to = "b" }]

[routes.island]
name = "Island"
steps = [
  { id = "a", name = "A", purpose = "preparation", body = "prep" },
  { id = "b", name = "B", purpose = "preparation", body = "chiefs" },
  { id = "lost", name = "Lost", purpose = "information", body = "chiefs" },
]
edges = [{ from = "a", to = "b" }]
"#
    );
    let problems = load_str(&text, "t").unwrap_err().problems;
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert_eq!(problems[0].path, "routes.loop.steps[1]");
    assert!(problems[0].message.contains("cycle"));
    assert_eq!(problems[1].path, "routes.island.steps[2]");
    assert_eq!(problems[1].line, line_of(&text, "id = \"lost\""));
    assert!(problems[1].message.contains("\"lost\" is unreachable"));
}

#[test]
fn meeting_problems_are_reported_each_with_its_line() {
    let text = format!(
        "{BASE}\n{}",
        r#"
[meeting-plans.prep]
meetings = [
  { date = 2024-10-15, time = "12:00-10:00" },
  { date = "2024-02-30", time = "10:00-12:00" },
  { date = 2024-11-12, time = "10:00-12:00" },
  { date = 2024-11-12, time = "13:00-14:00" },
]
rules = [{ every = "second fryday", from = 2025-01-01, until = 2025-06-30, time = "08:30-12:00" }]
moved = [{ from = 2024-12-01, to = 2024-12-08 }]

[meeting-plans.prep-and-friends]
bodies = ["prep", "chefs"]
meetings = [{ date = 2025-03-30, time = "02:30-03:30" }]
"#
    );
    check(
        &text,
        &[
            (
                "meeting-plans.prep.meetings[0].time",
                line_of(&text, "12:00-10:00"),
                "ends (10:00:00) before it starts",
            ),
            (
                "meeting-plans.prep.meetings[1].date",
                line_of(&text, "2024-02-30"),
                "invalid date \"2024-02-30\"",
            ),
            (
                "meeting-plans.prep.meetings[3].date",
                line_of(&text, "13:00-14:00"),
                "duplicate id",
            ),
            (
                "meeting-plans.prep.rules[0].every",
                line_of(&text, "fryday"),
                "invalid recurrence",
            ),
            (
                "meeting-plans.prep.moved[0].from",
                line_of(&text, "moved"),
                "no meeting is planned on 2024-12-01",
            ),
            (
                "meeting-plans.prep-and-friends.bodies",
                line_of(&text, "\"chefs\""),
                "unknown body \"chefs\"",
            ),
            (
                "meeting-plans.prep-and-friends.meetings[0].date",
                line_of(&text, "02:30"),
                "does not exist in Europe/Stockholm",
            ),
        ],
    );
}

#[test]
fn permissions_override_defaults_and_reject_unknown_actions() {
    let org = load(&format!(
        "{BASE}\n[permissions]\nschedule = [\"secretary\", \"chair\"]\n"
    ));
    let roles = org.permissions.roles_for(crate::authz::Action::Schedule);
    assert_eq!(
        roles,
        vec![crate::org::Role::Chair, crate::org::Role::Secretary]
    );
    assert_eq!(
        org.permissions
            .roles_for(crate::authz::Action::AdjustMinutes),
        vec![crate::org::Role::Chair, crate::org::Role::Adjuster]
    );
    let text =
        format!("{BASE}\n[permissions]\nadjust-minute = [\"adjuster\"]\nschedule = [\"boss\"]\n");
    check(
        &text,
        &[
            (
                "permissions.adjust-minute",
                line_of(&text, "adjust-minute"),
                "did you mean \"adjust-minutes\"",
            ),
            (
                "permissions.schedule",
                line_of(&text, "boss"),
                "unknown role \"boss\"",
            ),
        ],
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = BASE
        .replace(
            "mandates = [\"inform\", \"prepare\", \"recommend\"]",
            "mandates = [\"inform\", \"prepare\", \"recomend\"]",
        )
        .replace("parent = \"chiefs\"", "parent = \"chief\"")
        + "\n[defaults.lead-times]\nnotice = \"2 fortnights\"\n[memberships.chiefs]\nmember = [\"anna\", \"bo\", \"anna\"]\n";
    let problems = load_str(&text, "t").unwrap_err().problems;
    let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "problems come in file order");
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(problems.len(), 5, "{messages:#?}");
    assert!(messages[0].contains("unknown mandate \"recomend\""));
    assert!(messages[1].contains("unknown body \"chief\" (did you mean \"chiefs\"?)"));
    assert!(messages[2].contains("invalid lead time"));
    assert!(messages[3].contains("unknown person \"bo\""));
    assert!(messages[4].contains("listed twice as member"));
}

#[test]
fn missing_organisation_and_unknown_sections_are_reported() {
    let text = "[bodies.a]\nname = \"A\"\nkind = \"chief-group\"\n\n[comittees.x]\nname = \"X\"\n";
    let problems = load_str(text, "t").unwrap_err().problems;
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert_eq!(problems[0].path, "organisation");
    assert_eq!(problems[0].line, 1);
    assert_eq!(problems[1].line, 5);
    assert!(problems[1].message.contains("unknown section `comittees`"));
}

#[test]
fn errors_display_with_source_line_and_path() {
    let text = BASE.replace("kind = \"preparatory\"", "kind = \"preparing\"");
    let err = load_str(&text, "lan.toml").unwrap_err();
    let shown = err.to_string();
    let line = line_of(&text, "preparing");
    assert!(
        shown.contains(&format!(
            "lan.toml:{line}:8: bodies.prep.kind: unknown body kind \"preparing\""
        )),
        "{shown}"
    );
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Whatever is done to a valid file (a line removed, duplicated or replaced, the
        /// text cut short), loading returns a result and never panics; every reported
        /// problem has a place inside the text.
        #[test]
        fn mangled_configurations_never_panic(
            line in 0usize..1400,
            action in 0u8..4,
            junk in "[a-z=\\[\\]\"{}, 0-9.-]{0,20}",
            cut in 0usize..60_000,
        ) {
            let lines: Vec<&str> = OREBRO.lines().collect();
            let at = line % lines.len();
            let text = match action {
                0 => lines.iter().enumerate().filter(|(i, _)| *i != at).map(|(_, l)| *l).collect::<Vec<_>>().join("\n"),
                1 => { let mut v = lines.clone(); v.insert(at, lines[at]); v.join("\n") }
                2 => { let mut v = lines.clone(); v[at] = &junk; v.join("\n") }
                _ => { let mut c = cut.min(OREBRO.len()); while !OREBRO.is_char_boundary(c) { c -= 1; } OREBRO[..c].to_owned() }
            };
            let line_count = text.lines().count().max(1);
            if let Err(e) = load_str(&text, "mangled.toml") {
                prop_assert!(!e.problems.is_empty());
                for p in &e.problems {
                    prop_assert!(p.line <= line_count + 1, "{}", p);
                }
            }
        }
    }
}

#[test]
fn a_person_may_read_english_and_an_unknown_language_is_refused_at_its_line() {
    use crate::language::Language;
    let org = load(BASE);
    let anna = org.person(&crate::ids::PersonId::new("anna")).unwrap();
    assert_eq!(anna.language, Language::Swedish, "Swedish when not set");
    let text = BASE.replace(
        "email = \"anna@example.se\"\n",
        "email = \"anna@example.se\"\nlanguage = \"en\"\n",
    );
    let org = load(&text);
    let anna = org.person(&crate::ids::PersonId::new("anna")).unwrap();
    assert_eq!(anna.language, Language::English);
    let text = BASE.replace(
        "email = \"anna@example.se\"\n",
        "email = \"anna@example.se\"\nlanguage = \"fi\"\n",
    );
    check(
        &text,
        &[(
            "people.anna.language",
            line_of(&text, "language = \"fi\""),
            "unknown language \"fi\": use sv or en",
        )],
    );
}

// ─────────────── holidays and local days off in meeting plans ───────────────

#[test]
fn rules_leave_out_holidays_and_local_days_off_with_a_warning_at_the_rule() {
    let text = format!(
        "{BASE}
[calendar]
days-off = [2025-02-03]

[meeting-plans.prep]
time = \"09:00-11:00\"
rules = [{{ every = \"every monday\", from = 2025-01-01, until = 2025-05-31 }}]
"
    );
    let loaded = load_str_with_warnings(&text, "test.toml").expect("valid");
    let org = &loaded.organisation;
    let dates: Vec<NaiveDate> = org.meetings.iter().map(|m| m.date).collect();
    // Epiphany (6 January) and Easter Monday (21 April 2025) are public holidays; 3
    // February is the configuration's local day off.
    for off in [d(2025, 1, 6), d(2025, 2, 3), d(2025, 4, 21)] {
        assert!(!dates.contains(&off), "{off} planned");
    }
    assert!(dates.contains(&d(2025, 1, 13)));
    let rule_line = line_of(&text, "every = \"every monday\"");
    let warned: Vec<(&str, usize, &str)> = loaded
        .warnings
        .iter()
        .map(|w| (w.path.as_str(), w.line, w.message.as_str()))
        .collect();
    assert_eq!(warned.len(), 3, "{warned:?}");
    assert!(
        warned
            .iter()
            .all(|(p, l, _)| *p == "meeting-plans.prep.rules[0].every" && *l == rule_line)
    );
    assert!(warned[0].2.contains("2025-01-06") && warned[0].2.contains("Epiphany"));
    assert!(warned[1].2.contains("2025-02-03") && warned[1].2.contains("local day off"));
    assert!(warned[2].2.contains("2025-04-21") && warned[2].2.contains("Easter Monday"));
    assert!(loaded.warnings[2].swedish.contains("annandag påsk"));
    assert!(loaded.warnings[0].column > 1);
    // Call and notice move to the working day before: the meeting on 5 May 2025 calls
    // for matters on Saturday 5 April → Friday 4 April, and gives notice on Easter
    // Monday → Thursday 17 April (Good Friday is off too).
    let m = org
        .meeting(&MeetingId::new("prep-2025-05-05"))
        .expect("planned");
    assert_eq!(m.call_for_matters, d(2025, 4, 4));
    assert_eq!(m.notice, d(2025, 4, 17));
    assert!(org.days_off.contains(&d(2025, 2, 3)));
}

#[test]
fn a_meeting_listed_explicitly_may_fall_on_a_holiday_and_exceptions_reach_left_out_dates() {
    let text = format!(
        "{BASE}
[meeting-plans.prep]
time = \"09:00-11:00\"
meetings = [{{ date = 2025-01-06 }}]
rules = [{{ every = \"every monday\", from = 2025-01-01, until = 2025-04-30 }}]
moved = [{{ from = 2025-04-21, to = 2025-04-22 }}]
"
    );
    let loaded = load_str_with_warnings(&text, "test.toml").expect("valid");
    let org = &loaded.organisation;
    assert!(org.meeting(&MeetingId::new("prep-2025-01-06")).is_some());
    let moved = org
        .meeting(&MeetingId::new("prep-2025-04-21"))
        .expect("moved off Easter Monday");
    assert_eq!(moved.date, d(2025, 4, 22));
    assert_eq!(moved.moved_from, Some(d(2025, 4, 21)));
    // Nothing was left out unasked.
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

#[test]
fn a_bad_day_off_is_reported_at_its_line() {
    let text = format!("{BASE}\n[calendar]\ndays-off = [\"2025-13-01\"]\n");
    check(
        &text,
        &[(
            "calendar.days-off[0]",
            line_of(&text, "days-off"),
            "invalid date",
        )],
    );
}

#[test]
fn orebro_plans_no_rule_meeting_on_a_holiday_and_the_sbu_call_leaves_the_sunday() {
    let loaded = load_str_with_warnings(OREBRO, "orebro.toml").expect("valid");
    let org = &loaded.organisation;
    let cal = org.calendar();
    for m in &org.meetings {
        if m.moved_from.is_none() && m.status == MeetingStatus::Tentative {
            assert!(cal.closed(m.date).is_none(), "{} on {}", m.id, m.date);
        }
        assert!(cal.is_working_day(m.call_for_matters), "{} call", m.id);
        assert!(cal.is_working_day(m.notice), "{} notice", m.id);
    }
    let sbu = org
        .meeting(&MeetingId::new("sbu-2024-10-15"))
        .expect("planned");
    assert_eq!(sbu.call_for_matters, d(2024, 9, 13));
}
