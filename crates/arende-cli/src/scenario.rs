//! Scenario files (scenariofiler) for `arende simulate`: dated kernel commands, in TOML
//! or JSON, parsed into typed steps. Parsing is pure and total: any input gives either a
//! [`Scenario`] or a [`ScenarioError`] naming the step (its number and date) and what is
//! wrong in it, never a panic (`fuzz/fuzz_targets/scenario.rs` holds it to that).
//!
//! The TOML form (the JSON form has the same keys, `step` an array of objects):
//!
//! ```toml
//! title = "Hemsjukvård"                 # optional
//! config = "../config/orebro.toml"      # optional: the county, relative to this file
//!
//! [[step]]
//! date = "2024-09-02"                   # the day the step runs (simulated time)
//! as = "jaana-jansson"                  # the person acting (a person id)
//! command-id = "…"                      # optional: the command's id (idempotency key)
//! expected-version = 1                  # optional: the stream version read
//! expect = "refused"                    # optional: the step must be refused
//! command = { aggregate = "matter", command = { type = "submit", kind = "information", title = "IF", body = "sbu" } }
//!
//! [[expect]]                             # optional: how matters stand at the end
//! matter = "0191c0fb-9980-7496-8809-d6cda40da5b7"
//! status = "in-force"
//! ```
//!
//! Steps run in file order; their dates may not go back (time in a simulation only
//! moves forward).

use arende_core::command::Command;
use arende_core::ids::{CommandId, MatterId};
use chrono::NaiveDate;
use serde_json::{Map, Value};

/// A parsed scenario (scenario): what to run, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// Its title, shown first in the timeline.
    pub title: Option<String>,
    /// The county configuration the scenario is written for, as written (relative to the
    /// scenario file).
    pub config: Option<String>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// How matters must stand at the end.
    pub expect: Vec<Expectation>,
}

/// One dated command of a scenario (steg).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Its number in the file, from 1.
    pub number: usize,
    /// The day it runs.
    pub date: NaiveDate,
    /// The person acting (handläggare), by id.
    pub actor: String,
    /// The command's id, when the file gives one.
    pub command_id: Option<CommandId>,
    /// The stream version the step expects, when the file gives one.
    pub expected_version: Option<u64>,
    /// Whether the step must be refused (`expect = "refused"`).
    pub refused: bool,
    /// The kernel command.
    pub command: Command,
}

/// How a matter must stand when the scenario ends (förväntat läge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The matter.
    pub matter: MatterId,
    /// Its status by its English name (`MatterStatus::name`), e.g. `in-force`.
    pub status: String,
}

/// The file format of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

impl Format {
    /// The format a file's name says (`.json` is JSON, anything else TOML), or for
    /// text without a name (standard input) the format its first character says.
    pub fn guess(path: Option<&std::path::Path>, text: &str) -> Format {
        match path.and_then(|p| p.extension()).and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Format::Json,
            Some(_) => Format::Toml,
            None if text.trim_start().starts_with('{') => Format::Json,
            None => Format::Toml,
        }
    }
}

/// Where in a scenario something is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The file as a whole (its syntax or its top-level keys).
    File,
    /// A step, by number and (when it could be read) date.
    Step {
        /// The step's number, from 1.
        number: usize,
        /// Its date, when it could be read.
        date: Option<NaiveDate>,
    },
    /// An `[[expect]]` entry, by number from 1.
    Expect(usize),
}

/// What is wrong in a scenario file (felaktigt scenario).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {problem}")]
pub struct ScenarioError {
    /// Where.
    pub place: Place,
    /// What.
    pub problem: Problem,
}

/// The kinds of problem in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// Not valid TOML or JSON; the parser's message (with its line and column).
    #[error("not valid {format}: {message}")]
    Syntax {
        /// `TOML` or `JSON`.
        format: &'static str,
        /// The parser's message.
        message: String,
    },
    /// The file has no steps.
    #[error("the scenario has no steps")]
    NoSteps,
    /// A key that is required is missing.
    #[error("\"{0}\" is missing")]
    Missing(&'static str),
    /// A key that a scenario does not have.
    #[error("unknown key \"{0}\"")]
    UnknownKey(String),
    /// A value of the wrong kind or form.
    #[error("\"{key}\": {message}")]
    Invalid {
        /// The key.
        key: &'static str,
        /// What is wrong with its value.
        message: String,
    },
    /// The command is not a kernel command.
    #[error("the command is not a kernel command: {0}")]
    Command(String),
    /// A date before the step before it.
    #[error("{date} is before the previous step's date {previous}: time only moves forward")]
    Backwards {
        /// The step's date.
        date: NaiveDate,
        /// The previous step's date.
        previous: NaiveDate,
    },
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::File => f.write_str("the scenario"),
            Place::Step {
                number,
                date: Some(d),
            } => write!(f, "step {number} ({d})"),
            Place::Step { number, date: None } => write!(f, "step {number}"),
            Place::Expect(n) => write!(f, "expectation {n}"),
        }
    }
}

impl Place {
    /// The place in Swedish, e.g. `steg 3 (2024-09-02)`.
    pub fn swedish(&self) -> String {
        match self {
            Place::File => "scenariot".into(),
            Place::Step {
                number,
                date: Some(d),
            } => format!("steg {number} ({d})"),
            Place::Step { number, date: None } => format!("steg {number}"),
            Place::Expect(n) => format!("förväntan {n}"),
        }
    }
}

impl Problem {
    /// The problem in Swedish.
    pub fn swedish(&self) -> String {
        match self {
            Problem::Syntax { format, message } => format!("inte giltig {format}: {message}"),
            Problem::NoSteps => "scenariot har inga steg".into(),
            Problem::Missing(key) => format!("\"{key}\" saknas"),
            Problem::UnknownKey(key) => format!("okänd nyckel \"{key}\""),
            Problem::Invalid { key, message } => format!("\"{key}\": {message}"),
            Problem::Command(m) => format!("kommandot är inget kärnkommando: {m}"),
            Problem::Backwards { date, previous } => {
                format!("{date} är före föregående stegs datum {previous}: tiden går bara framåt")
            }
        }
    }
}

impl ScenarioError {
    /// The error in Swedish, e.g. `steg 3 (2024-09-02): "as" saknas`.
    pub fn swedish(&self) -> String {
        format!("{}: {}", self.place.swedish(), self.problem.swedish())
    }
}

fn at(place: Place, problem: Problem) -> ScenarioError {
    ScenarioError { place, problem }
}

/// Converts TOML to the JSON data model (a TOML date or datetime becomes its text).
fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// Parses a scenario in `format`.
pub fn parse(text: &str, format: Format) -> Result<Scenario, ScenarioError> {
    let root = match format {
        Format::Toml => toml::from_str::<toml::Table>(text)
            .map(|t| toml_to_json(toml::Value::Table(t)))
            .map_err(|e| Problem::Syntax {
                format: "TOML",
                message: e.to_string().trim_end().to_owned(),
            }),
        Format::Json => serde_json::from_str::<Value>(text).map_err(|e| Problem::Syntax {
            format: "JSON",
            message: e.to_string(),
        }),
    }
    .map_err(|p| at(Place::File, p))?;
    let Value::Object(mut root) = root else {
        return Err(at(
            Place::File,
            Problem::Invalid {
                key: "scenario",
                message: "expected a table of keys".into(),
            },
        ));
    };
    let title = optional_text(&mut root, "title").map_err(|p| at(Place::File, p))?;
    let config = optional_text(&mut root, "config").map_err(|p| at(Place::File, p))?;
    let steps = list(&mut root, "step").map_err(|p| at(Place::File, p))?;
    let expects = list(&mut root, "expect").map_err(|p| at(Place::File, p))?;
    if let Some(key) = root.keys().next() {
        return Err(at(Place::File, Problem::UnknownKey(key.clone())));
    }
    if steps.is_empty() {
        return Err(at(Place::File, Problem::NoSteps));
    }
    let mut out = Vec::with_capacity(steps.len());
    let mut previous: Option<NaiveDate> = None;
    for (i, raw) in steps.into_iter().enumerate() {
        let step = parse_step(i + 1, raw)?;
        if let Some(p) = previous
            && step.date < p
        {
            return Err(at(
                Place::Step {
                    number: step.number,
                    date: Some(step.date),
                },
                Problem::Backwards {
                    date: step.date,
                    previous: p,
                },
            ));
        }
        previous = Some(step.date);
        out.push(step);
    }
    let mut expect = Vec::with_capacity(expects.len());
    for (i, raw) in expects.into_iter().enumerate() {
        expect.push(parse_expect(raw).map_err(|p| at(Place::Expect(i + 1), p))?);
    }
    Ok(Scenario {
        title,
        config,
        steps: out,
        expect,
    })
}

fn optional_text(
    map: &mut Map<String, Value>,
    key: &'static str,
) -> Result<Option<String>, Problem> {
    match map.remove(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Problem::Invalid {
            key,
            message: "expected text".into(),
        }),
    }
}

fn list(map: &mut Map<String, Value>, key: &'static str) -> Result<Vec<Value>, Problem> {
    match map.remove(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(Problem::Invalid {
            key,
            message: "expected a list (an array of tables)".into(),
        }),
    }
}

fn date_of(v: Value) -> Result<NaiveDate, Problem> {
    let invalid = |message: String| Problem::Invalid {
        key: "date",
        message,
    };
    let Value::String(s) = v else {
        return Err(invalid("expected a date YYYY-MM-DD".into()));
    };
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| invalid(format!("\"{s}\" is not a date YYYY-MM-DD")))
}

fn parse_step(number: usize, raw: Value) -> Result<Step, ScenarioError> {
    let Value::Object(mut map) = raw else {
        return Err(at(
            Place::Step { number, date: None },
            Problem::Invalid {
                key: "step",
                message: "expected a table".into(),
            },
        ));
    };
    let date = map
        .remove("date")
        .ok_or(Problem::Missing("date"))
        .and_then(date_of)
        .map_err(|p| at(Place::Step { number, date: None }, p))?;
    let place = Place::Step {
        number,
        date: Some(date),
    };
    let fail = |p: Problem| at(place.clone(), p);
    const KEYS: [&str; 5] = ["as", "command-id", "expected-version", "expect", "command"];
    if let Some(key) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(fail(Problem::UnknownKey(key.clone())));
    }
    let actor = match map.remove("as") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(_) => {
            return Err(fail(Problem::Invalid {
                key: "as",
                message: "expected a person id".into(),
            }));
        }
        None => return Err(fail(Problem::Missing("as"))),
    };
    let command_id = match map.remove("command-id") {
        None => None,
        Some(Value::String(s)) => Some(s.trim().parse::<CommandId>().map_err(|_| {
            fail(Problem::Invalid {
                key: "command-id",
                message: format!("\"{s}\" is not a UUID"),
            })
        })?),
        Some(_) => {
            return Err(fail(Problem::Invalid {
                key: "command-id",
                message: "expected a UUID as text".into(),
            }));
        }
    };
    let expected_version = match map.remove("expected-version") {
        None => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| {
            fail(Problem::Invalid {
                key: "expected-version",
                message: "expected a whole number ≥ 0".into(),
            })
        })?),
    };
    let refused = match map.remove("expect") {
        None => false,
        Some(Value::String(s)) if s == "refused" => true,
        Some(Value::String(s)) if s == "done" => false,
        Some(_) => {
            return Err(fail(Problem::Invalid {
                key: "expect",
                message: "expected \"refused\" or \"done\"".into(),
            }));
        }
    };
    let command = map
        .remove("command")
        .ok_or(fail(Problem::Missing("command")))?;
    if let Some(key) = map.keys().next() {
        return Err(fail(Problem::UnknownKey(key.clone())));
    }
    let command: Command =
        serde_json::from_value(command).map_err(|e| fail(Problem::Command(e.to_string())))?;
    Ok(Step {
        number,
        date,
        actor,
        command_id,
        expected_version,
        refused,
        command,
    })
}

fn parse_expect(raw: Value) -> Result<Expectation, Problem> {
    let Value::Object(mut map) = raw else {
        return Err(Problem::Invalid {
            key: "expect",
            message: "expected a table".into(),
        });
    };
    let matter = match map.remove("matter") {
        Some(Value::String(s)) => s.trim().parse::<MatterId>().map_err(|_| Problem::Invalid {
            key: "matter",
            message: format!("\"{s}\" is not a matter id (a UUID)"),
        })?,
        Some(_) => {
            return Err(Problem::Invalid {
                key: "matter",
                message: "expected a matter id".into(),
            });
        }
        None => return Err(Problem::Missing("matter")),
    };
    let status = optional_text(&mut map, "status")?.ok_or(Problem::Missing("status"))?;
    if let Some(key) = map.keys().next() {
        return Err(Problem::UnknownKey(key.clone()));
    }
    Ok(Expectation { matter, status })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
title = "t"
[[step]]
date = "2024-09-02"
as = "jaana-jansson"
command = { aggregate = "matter", command = { type = "submit", kind = "information", title = "IF", body = "sbu" } }
"#;

    #[test]
    fn a_toml_step_parses_with_its_number_and_date() {
        let s = parse(ONE, Format::Toml).expect("parses");
        assert_eq!(s.steps.len(), 1);
        assert_eq!(s.steps[0].number, 1);
        assert_eq!(s.steps[0].actor, "jaana-jansson");
        assert_eq!(s.steps[0].command.name(), "matter/submit");
    }

    #[test]
    fn an_unquoted_toml_date_is_a_date() {
        let s = parse(&ONE.replace("\"2024-09-02\"", "2024-09-02"), Format::Toml).expect("parses");
        assert_eq!(
            s.steps[0].date,
            NaiveDate::from_ymd_opt(2024, 9, 2).expect("date")
        );
    }

    #[test]
    fn a_bad_command_names_its_step_and_date() {
        let text = format!(
            "{ONE}\n[[step]]\ndate = \"2024-09-03\"\nas = \"x\"\ncommand = {{ aggregate = \"matter\", command = {{ type = \"fly\" }} }}\n"
        );
        let e = parse(&text, Format::Toml).expect_err("refused");
        assert_eq!(
            e.place,
            Place::Step {
                number: 2,
                date: NaiveDate::from_ymd_opt(2024, 9, 3)
            }
        );
        assert!(matches!(e.problem, Problem::Command(_)), "{e}");
        assert!(
            e.swedish().starts_with("steg 2 (2024-09-03)"),
            "{}",
            e.swedish()
        );
    }

    #[test]
    fn time_does_not_go_back_and_unknown_keys_are_named() {
        let back = format!(
            "{ONE}{}",
            ONE.replace("2024-09-02", "2024-09-01")
                .replace("title = \"t\"", "")
        );
        let e = parse(&back, Format::Toml).expect_err("refused");
        assert!(matches!(e.problem, Problem::Backwards { .. }), "{e}");
        let typo = ONE.replace("as = ", "ass = ");
        let e = parse(&typo, Format::Toml).expect_err("refused");
        assert_eq!(e.problem, Problem::UnknownKey("ass".into()));
        let e = parse("x = ", Format::Toml).expect_err("refused");
        assert!(matches!(e.problem, Problem::Syntax { .. }));
        let e = parse("[]", Format::Json).expect_err("refused");
        assert_eq!(e.place, Place::File);
        let e = parse("title = \"t\"", Format::Toml).expect_err("refused");
        assert_eq!(e.problem, Problem::NoSteps);
    }

    /// Every cut of the real scenario files (as a half-written file would be) parses or
    /// names a place; the fuzz target `scenario` explores further.
    #[test]
    fn cut_scenario_files_never_panic() {
        for text in [
            include_str!("../../../scenarios/family-centres.toml"),
            include_str!("../../../scenarios/unbroken-schooling.toml"),
        ] {
            let whole = parse(text, Format::Toml).expect("the scenario parses");
            assert!(whole.steps.len() > 30);
            let mut cuts = 0;
            for (i, _) in text.char_indices().step_by(97) {
                let cut = &text[..i];
                match parse(cut, Format::Toml) {
                    Ok(s) => assert!(s.steps.len() <= whole.steps.len()),
                    Err(e) => {
                        let _ = (e.to_string(), e.swedish());
                    }
                }
                cuts += 1;
            }
            assert!(cuts > 100);
        }
    }

    #[test]
    fn the_json_form_parses_the_same() {
        let json = r#"{"step": [{"date": "2024-09-02", "as": "jaana-jansson",
            "command": {"aggregate": "matter", "command": {"type": "submit", "kind": "information", "title": "IF", "body": "sbu"}}}]}"#;
        let a = parse(json, Format::Json).expect("parses");
        let b = parse(ONE, Format::Toml).expect("parses");
        assert_eq!(a.steps, b.steps);
        assert_eq!(Format::guess(None, json), Format::Json);
    }
}
