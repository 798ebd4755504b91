//! The county configuration through the facade: `config/orebro.toml` loads with every
//! id other systems rely on, its routes export to DOT and Mermaid, and each file of the
//! bad-configuration corpus (`tests/config/bad/*.toml`) gives exactly the problems its
//! sibling `*.expected` lists.
//!
//! An `.expected` file has one problem per line: `LINE PATH MESSAGE-FRAGMENT` (every
//! problem has a line: one of the whole file is on line 1); `#` starts a comment. Every
//! problem also reads in Swedish.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use arende::config::{ConfigProblem, load_str};
use arende::ids::{BodyId, MeetingId, PartyId, PersonId, RouteId, StepId};
use arende::org::{BodyKind, Mandate, MeetingStatus, Organisation, Role};
use arende::route::{Dependency, Purpose};
use chrono::NaiveDate;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn orebro() -> Organisation {
    match arende::load_file(root().join("config/orebro.toml")) {
        Ok(org) => org,
        Err(e) => panic!("config/orebro.toml does not load: {e}"),
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const SIGNATORIES: [&str; 13] = [
    "region",
    "askersund",
    "degerfors",
    "hallsberg",
    "hallefors",
    "karlskoga",
    "kumla",
    "laxa",
    "lekeberg",
    "lindesberg",
    "ljusnarsberg",
    "nora",
    "orebro",
];

#[test]
fn orebro_has_every_id_others_rely_on() {
    let org = orebro();
    assert_eq!(org.tenant.as_str(), "orebro");
    for p in SIGNATORIES
        .iter()
        .chain(&["lansstyrelsen", "polisen", "oru", "liu"])
    {
        assert!(org.party(&PartyId::new(*p)).is_some(), "party {p} missing");
    }
    let bodies = [
        "sbu",
        "cg-social",
        "cg-school",
        "cg-public-health",
        "cg-joint",
        "kcrd",
        "council-social",
        "council-public-health",
        "council-regional",
        "steering-home-health-care",
        "lansdel-north",
        "lansdel-south",
        "lansdel-west",
        "lansdel-orebro",
        "wg-unbroken-schooling",
        "region-rs",
        "orebro-ks",
    ];
    for b in bodies {
        assert!(org.body(&BodyId::new(b)).is_some(), "body {b} missing");
    }
    for r in ["county-agreement", "chief-group-agreement", "information"] {
        assert!(org.route(&RouteId::new(r)).is_some(), "route {r} missing");
    }
    let parts: BTreeSet<&str> = org.county_parts.keys().map(|c| c.as_str()).collect();
    assert_eq!(parts, BTreeSet::from(["north", "orebro", "south", "west"]));
    let in_parts: usize = org.county_parts.values().map(|c| c.parties.len()).sum();
    assert_eq!(in_parts, 12, "every municipality lies in one county part");
    let joint = org.body(&BodyId::new("cg-joint")).unwrap();
    assert_eq!(joint.kind, BodyKind::JointSession);
    assert_eq!(joint.joint_of.len(), 3);
    assert!(
        org.body(&BodyId::new("wg-unbroken-schooling"))
            .unwrap()
            .temporary
    );
}

#[test]
fn orebro_has_13_signatories_each_with_a_political_body() {
    let org = orebro();
    let signatories: BTreeSet<&str> = org.signatories().map(|p| p.id.as_str()).collect();
    assert_eq!(signatories, SIGNATORIES.into_iter().collect());
    let mut political = BTreeSet::new();
    for p in org.signatories() {
        let body = p.political_body.as_ref().and_then(|b| org.body(b));
        let body = body.unwrap_or_else(|| panic!("{} has no political body", p.id));
        assert_eq!(body.kind, BodyKind::Political);
        assert_eq!(body.party.as_ref(), Some(&p.id));
        assert!(body.may(Mandate::PoliticalDecision));
        political.insert(body.id.clone());
    }
    assert_eq!(political.len(), 13);
    assert_eq!(
        org.bodies
            .values()
            .filter(|b| b.kind == BodyKind::Political)
            .count(),
        13
    );
    for p in ["lansstyrelsen", "polisen", "oru", "liu"] {
        assert!(!org.party(&PartyId::new(p)).unwrap().signatory);
    }
}

#[test]
fn sbu_prepares_and_recommends_but_cannot_decide() {
    let org = orebro();
    let sbu = org.body(&BodyId::new("sbu")).unwrap();
    assert_eq!(sbu.kind, BodyKind::Preparatory);
    for m in [Mandate::Prepare, Mandate::Recommend, Mandate::Inform] {
        assert!(sbu.may(m), "sbu lacks {}", m.name());
    }
    assert!(!sbu.may(Mandate::Decide));
    let deciders: BTreeSet<&str> = org
        .bodies_with(Mandate::Decide)
        .map(|b| b.id.as_str())
        .collect();
    assert!(deciders.contains("cg-joint") && deciders.contains("kcrd"));
    assert!(!deciders.contains("sbu"));
}

#[test]
fn orebro_has_the_people_of_the_reference_minutes() {
    let org = orebro();
    let roles = |person: &str, body: &str| org.roles_of(&PersonId::new(person), &BodyId::new(body));
    // Minutes 003: the specific council.
    assert!(roles("jenny-steen", "council-social").contains(&Role::Chair));
    assert!(roles("tina-johansson", "council-social").contains(&Role::Adjuster));
    assert!(roles("tina-johansson", "council-social").contains(&Role::Substitute));
    assert!(roles("malin-duckert-ek", "council-social").contains(&Role::Secretary));
    assert!(roles("ingmar-angman", "council-social").contains(&Role::Official));
    let council = BodyId::new("council-social");
    assert_eq!(
        org.members_of(&council)
            .filter(|m| m.role == Role::Member)
            .count(),
        12
    );
    assert_eq!(
        org.members_of(&council)
            .filter(|m| m.role == Role::Substitute)
            .count(),
        12
    );
    let tina = org
        .members_of(&council)
        .find(|m| m.role == Role::Substitute && m.person.as_str() == "tina-johansson")
        .unwrap();
    assert_eq!(
        tina.substitute_for.as_ref().unwrap().as_str(),
        "jerry-karjalainen"
    );
    assert_eq!(tina.party.as_ref().unwrap().as_str(), "laxa");
    // Minutes 000: the preparatory group.
    assert!(roles("daniel-berglund", "sbu").contains(&Role::Secretary));
    assert!(roles("monica-skantz", "sbu").contains(&Role::Member));
    // Minutes 001: the chief groups with their municipalities.
    assert!(roles("peter-bergvall-virtanen", "cg-joint").contains(&Role::Secretary));
    assert!(roles("johanna-viberg", "cg-social").contains(&Role::Member));
    assert!(roles("michael-tybell", "cg-school").contains(&Role::Member));
    assert!(roles("malin-lindkvist", "cg-public-health").contains(&Role::Member));
    let person = |id: &str| org.person(&PersonId::new(id)).unwrap();
    assert_eq!(
        person("tina-lanefjord").party.as_ref().unwrap().as_str(),
        "hallefors"
    );
    assert_eq!(person("ingmar-angman").name, "Ingmar Ångman");
    assert_eq!(
        person("ingmar-angman").email.as_deref(),
        Some("ingmar.angman@example.se")
    );
    for p in [
        "ann-sofie-vennerstrand",
        "tarja-nordling",
        "susann-cederlund",
        "anna-petersen",
    ] {
        assert!(org.person(&PersonId::new(p)).is_some(), "{p} missing");
    }
    for p in org.people.values() {
        assert!(
            p.email.as_deref().unwrap_or("").ends_with("@example.se"),
            "{} has a real-looking address",
            p.id
        );
        assert!(p.id.as_str().is_ascii());
    }
}

#[test]
fn orebro_meeting_plan_has_the_dates_of_the_minutes() {
    let org = orebro();
    let time = |h: u32, m: u32| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let cases = [
        ("sbu-2024-05-23", None),
        (
            "sbu-2024-10-15",
            Some((time(10, 0), time(12, 0), "Hjortkvarn")),
        ),
        ("sbu-2024-12-16", Some((time(13, 0), time(15, 0), "Enen"))),
        (
            "cg-joint-2024-11-15",
            Some((time(13, 0), time(16, 0), "Immanuelkyrkan")),
        ),
        (
            "council-social-2024-05-17",
            Some((time(13, 0), time(16, 0), "Eken")),
        ),
        ("steering-home-health-care-2024-05-28", None),
        ("cg-social-2024-05-30", None),
        ("kcrd-2024-06-12", None),
        ("council-regional-2024-09-13", None),
    ];
    for (id, details) in cases {
        let m = org
            .meeting(&MeetingId::new(id))
            .unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(m.status, MeetingStatus::Confirmed, "{id}");
        if let Some((start, end, place)) = details {
            assert_eq!((m.start, m.end), (start, end), "{id}");
            assert!(m.location.as_deref().unwrap_or("").contains(place), "{id}");
        }
    }
    let cg = org.meeting(&MeetingId::new("cg-joint-2024-11-15")).unwrap();
    assert_eq!(
        (cg.call_for_matters, cg.notice),
        (d(2024, 10, 15), d(2024, 11, 1))
    );
    let sorted = org
        .meetings
        .windows(2)
        .all(|w| (w[0].date, w[0].start) <= (w[1].date, w[1].start));
    assert!(sorted, "meetings are sorted by date");
}

#[test]
fn every_orebro_body_meets_in_2025_and_kcrd_meets_after_the_joint_chief_group() {
    let org = orebro();
    for body in org.bodies.values() {
        if body.temporary {
            continue;
        }
        let in_2025 = org
            .meetings_of(&body.id)
            .filter(|m| m.date >= d(2025, 1, 1))
            .count();
        assert!(in_2025 >= 2, "{} has {in_2025} meetings in 2025", body.id);
    }
    let kcrd = BodyId::new("kcrd");
    assert!(
        org.meetings_of(&kcrd)
            .any(|m| m.date > d(2024, 11, 15) && m.date <= d(2024, 12, 31))
    );
    assert!(
        org.meetings_of(&kcrd)
            .any(|m| m.date >= d(2025, 1, 1) && m.date <= d(2025, 2, 28))
    );
    for p in org.signatories() {
        let body = p.political_body.clone().unwrap();
        let autumn = org
            .meetings_of(&body)
            .filter(|m| m.date >= d(2024, 9, 1) && m.date <= d(2024, 12, 31))
            .count();
        assert!(autumn >= 3, "{body} meets {autumn} times in autumn 2024");
        assert!(org.meetings_of(&body).all(|m| m.date >= d(2024, 9, 1)));
    }
}

#[test]
fn nobody_in_orebro_is_planned_into_two_overlapping_meetings() {
    let org = orebro();
    let mut bodies_of: BTreeMap<&PersonId, BTreeSet<&BodyId>> = BTreeMap::new();
    for m in &org.memberships {
        bodies_of.entry(&m.person).or_default().insert(&m.body);
    }
    let live: Vec<_> = org
        .meetings
        .iter()
        .filter(|m| m.status != MeetingStatus::Cancelled)
        .collect();
    let mut clashes = Vec::new();
    for (i, a) in live.iter().enumerate() {
        for b in live[i + 1..].iter().take_while(|b| b.date == a.date) {
            if a.start < b.end && b.start < a.end {
                for (person, bodies) in &bodies_of {
                    let at = |m: &arende::org::PlannedMeeting| {
                        m.bodies.iter().any(|x| bodies.contains(x))
                    };
                    if at(a) && at(b) {
                        clashes.push(format!("{person}: {} and {}", a.id, b.id));
                    }
                }
            }
        }
    }
    assert!(clashes.is_empty(), "{clashes:#?}");
}

#[test]
fn orebro_routes_have_the_shape_of_the_minutes() {
    let org = orebro();
    let county = org.route(&RouteId::new("county-agreement")).unwrap();
    let order: Vec<&str> = county.steps().map(|s| s.id.as_str()).collect();
    let pos = |id: &str| {
        order
            .iter()
            .position(|s| *s == id)
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    assert!(pos("remiss") < pos("final-proposal"));
    assert!(pos("steering-readiness") < pos("cg-social-readiness"));
    assert!(pos("cg-social-readiness") < pos("kcrd-readiness"));
    assert!(pos("kcrd-readiness") < pos("council-recommendation"));
    assert!(pos("council-recommendation") < pos("political-decision"));
    assert!(pos("political-decision") < pos("entry-into-force"));
    let dep = |to: &str| county.predecessors(&StepId::new(to))[0].1;
    assert_eq!(dep("cg-social-readiness"), Dependency::SameProposal);
    assert_eq!(dep("kcrd-readiness"), Dependency::SameProposal);
    assert_eq!(dep("council-recommendation"), Dependency::Decision);
    let political = county.step(&StepId::new("political-decision")).unwrap();
    assert_eq!(political.purpose, Purpose::PoliticalDecision);
    assert!(political.parties.is_empty(), "every signatory decides");
    let body_of = |step: &str| {
        county
            .step(&StepId::new(step))
            .unwrap()
            .body
            .as_ref()
            .unwrap()
            .as_str()
    };
    assert_eq!(body_of("steering-readiness"), "steering-home-health-care");
    assert_eq!(body_of("kcrd-readiness"), "kcrd");
    assert_eq!(body_of("council-recommendation"), "council-regional");

    let school = org.route(&RouteId::new("chief-group-agreement")).unwrap();
    let purposes: Vec<Purpose> = school.steps().map(|s| s.purpose).collect();
    assert_eq!(
        purposes,
        vec![
            Purpose::Drafting,
            Purpose::Preparation,
            Purpose::Information,
            Purpose::Consultation,
            Purpose::Decision
        ]
    );
    assert_eq!(
        school.first().body.as_ref().unwrap().as_str(),
        "wg-unbroken-schooling"
    );
    let last = school.steps().last().unwrap();
    assert!(
        org.body(last.body.as_ref().unwrap())
            .unwrap()
            .may(Mandate::Decide)
    );
    assert!(
        school
            .steps()
            .all(|s| s.purpose != Purpose::PoliticalDecision)
    );

    let info = org.route(&RouteId::new("information")).unwrap();
    assert_eq!(info.len(), 1);
    assert_eq!(info.first().purpose, Purpose::Information);
    assert_eq!(org.matter_kinds["agreement"].as_str(), "county-agreement");
}

/// A DOT graph read back: node id → label, and edges (from, to, style).
struct Dot {
    nodes: BTreeMap<String, String>,
    edges: Vec<(String, String, String)>,
}

/// The nodes and edges of a DOT digraph, read back from the text.
fn parse_dot(dot: &str) -> Dot {
    fn quoted(s: &str) -> Option<(String, &str)> {
        let s = s.trim_start().strip_prefix('"')?;
        let mut out = String::new();
        let mut chars = s.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    let (_, n) = chars.next()?;
                    out.push(if n == 'n' { '\n' } else { n });
                }
                '"' => return Some((out, &s[i + 1..])),
                c => out.push(c),
            }
        }
        None
    }
    let mut nodes = BTreeMap::new();
    let mut edges = Vec::new();
    let body = dot.trim().strip_prefix("digraph ").expect("a digraph");
    assert!(body.ends_with('}'));
    for line in body.lines().skip(1) {
        let line = line.trim();
        let Some((first, rest)) = quoted(line) else {
            continue;
        };
        if let Some(rest) = rest.trim_start().strip_prefix("->") {
            let (second, attrs) = quoted(rest).expect("edge target");
            let style = attrs
                .split("style=")
                .nth(1)
                .unwrap()
                .split(',')
                .next()
                .unwrap()
                .to_owned();
            edges.push((first, second, style));
        } else {
            let label = rest
                .split_once("label=")
                .map(|(_, l)| quoted(l).unwrap().0)
                .unwrap();
            assert!(line.ends_with("];"), "{line}");
            nodes.insert(first, label);
        }
    }
    Dot { nodes, edges }
}

#[test]
fn orebro_routes_export_to_dot_and_mermaid() {
    let org = orebro();
    for id in ["county-agreement", "chief-group-agreement", "information"] {
        let route = org.route(&RouteId::new(id)).unwrap();
        let dot = route.to_dot(&org);
        let Dot { nodes, edges } = parse_dot(&dot);
        assert_eq!(nodes.len(), route.len(), "{dot}");
        for step in route.steps() {
            let label = &nodes[step.id.as_str()];
            assert!(label.contains(&step.name), "{label}");
            assert!(label.contains(step.purpose.swedish()), "{label}");
            if let Some(body) = &step.body {
                assert!(label.contains(&org.body(body).unwrap().name), "{label}");
            }
        }
        let expected: BTreeSet<(String, String, String)> = route
            .edges()
            .map(|(a, b, dep)| {
                let style = if dep == Dependency::SameProposal {
                    "dashed"
                } else {
                    "solid"
                };
                (a.to_string(), b.to_string(), style.to_owned())
            })
            .collect();
        assert_eq!(edges.len(), expected.len());
        assert_eq!(edges.into_iter().collect::<BTreeSet<_>>(), expected);

        let mermaid = route.to_mermaid(&org);
        assert!(mermaid.contains("flowchart TD"));
        for step in route.steps() {
            assert!(
                mermaid.contains(&format!("[{}]<br/>", step.id)),
                "{mermaid}"
            );
        }
        let arrows = mermaid
            .lines()
            .filter(|l| l.contains("-->") || l.contains(".->"))
            .count();
        assert_eq!(arrows, route.edges().count());
    }
    let county = org
        .route(&RouteId::new("county-agreement"))
        .unwrap()
        .to_dot(&org);
    assert!(county.contains("13 parter"));
    assert!(county.contains("svarstid 8 veckor"));
    assert!(county.contains("style=dashed"));
}

#[test]
fn load_file_reports_an_unreadable_file() {
    let err = arende::load_file(root().join("config/no-such-county.toml")).unwrap_err();
    assert!(matches!(err, arende::LoadError::Read { .. }), "{err:?}");
    assert!(err.to_string().contains("no-such-county.toml"));
}

/// One expected problem: line, path, message fragment.
#[derive(Debug)]
struct Expected {
    line: usize,
    path: String,
    fragment: String,
}

fn read_expected(path: &Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.splitn(3, ' ');
            let (line, path, fragment) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap_or(""),
            );
            Expected {
                line: line
                    .parse()
                    .unwrap_or_else(|_| panic!("bad line number {line}")),
                path: path.to_owned(),
                fragment: fragment.trim().to_owned(),
            }
        })
        .collect()
}

fn matches(p: &ConfigProblem, e: &Expected) -> bool {
    p.line == e.line
        && p.column >= 1
        && p.path == e.path
        && p.message.contains(&e.fragment)
        && !p.swedish.is_empty()
        && p.swedish != p.message
}

#[test]
fn bad_configurations_give_exactly_the_expected_problems() {
    let dir = root().join("tests/config/bad");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 12, "the corpus has {} files", files.len());
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(file).unwrap();
        let expected = read_expected(&file.with_extension("expected"));
        assert!(!expected.is_empty(), "{name}: no expected problems listed");
        let problems = match load_str(&text, &name) {
            Ok(_) => {
                failures.push(format!("{name}: loaded without problems"));
                continue;
            }
            Err(e) => e.problems,
        };
        let ok = problems.len() == expected.len()
            && problems.iter().zip(&expected).all(|(p, e)| matches(p, e));
        if !ok {
            let got: Vec<String> = problems
                .iter()
                .map(|p| format!("{} {} {} | {}", p.line, p.path, p.message, p.swedish))
                .collect();
            failures.push(format!(
                "{name}: expected\n  {:?}\ngot\n  {}",
                expected,
                got.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
