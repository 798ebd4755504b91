//! County configuration: the TOML a process lead reads and edits, loaded into a
//! validated, immutable [`Organisation`]. Loading reports every problem at once, each
//! with its place in the file (table/key path, line and column).
//!
//! The core does no I/O: [`load_str`] takes the text; reading a file belongs to the
//! caller (the facade crate's `load_file`).
//!
//! # The schema (see `config/orebro.toml` for a complete example)
//!
//! ```toml
//! [organisation]
//! tenant = "orebro"
//! name = "Region Örebro län med kommuner"
//! version = "2024.11"
//!
//! [defaults.lead-times]            # every body, unless it says otherwise
//! call-for-matters = "1 month"     # inhämta frågor
//! notice = "2 weeks"               # kallelse
//! minutes-final = "2 weeks"        # justering
//! announcement = "2 days"          # political bodies only: anslag
//! appeal = "3 weeks"               # political bodies only: laglighetsprövning
//!
//! [parties.laxa]                   # kind: region | municipality | other
//! name = "Laxå kommun"
//! kind = "municipality"
//! county-part = "south"
//! political-body = "laxa-ks"       # signatory defaults to true for region/municipality
//!
//! [county-parts.south]
//! name = "Södra länsdelen"
//!
//! [bodies.sbu]                     # kind, mandates, parent, joint-of, party, minutes
//! name = "Samverkansgrupp barn och unga"
//! kind = "preparatory"
//! mandates = ["inform", "prepare", "recommend"]
//! parent = "cg-joint"
//! minutes = "notes"                # notes | protocol
//!
//! [people.ingmar-angman]
//! name = "Ingmar Ångman"
//! email = "ingmar.angman@example.se"
//! party = "region"
//!
//! [memberships.sbu]                # one list per role
//! member = ["ingmar-angman"]
//! secretary = ["daniel-berglund"]
//! substitute-for = { yvonne-hagstrom = "jonas-hansen" }
//! represents = { cecilia-ljung = "karlskoga" }   # when not the person's own party
//!
//! [routes.information]
//! name = "Information"
//! steps = [{ id = "present", name = "Dragning", purpose = "information", body = "sbu" }]
//! edges = []                       # { from, to, dependency = "decision" | "same-proposal" }
//!
//! [matter-kinds]
//! information = "information"
//!
//! [permissions]                    # action = [roles]; unlisted actions keep defaults
//! adjust-minutes = ["adjuster", "chair"]
//!
//! [meeting-plans.sbu]              # key = body, or `bodies = [...]` for a joint plan
//! time = "10:00-12:00"
//! meetings = [{ date = 2024-10-15, location = "Hjortkvarn" }]
//! rules = [{ every = "second friday", from = 2025-01-01, until = 2025-06-30, skip-months = [] }]
//! moved = [{ from = 2025-03-14, to = 2025-03-21 }]
//! changed = [{ date = 2025-05-09, time = "13:00-16:00" }]
//! cancelled = [2025-06-13]
//!
//! [calendar]
//! days-off = [2024-12-27]           # local days off besides the public holidays
//! ```
//!
//! Meeting ids are `<plan key>-<YYYY-MM-DD>` of the originally planned date and are kept
//! when a meeting is moved. All dates and times are local, Europe/Stockholm. A rule never
//! plans a meeting on a Swedish public holiday or a local day off (a meeting written in
//! `meetings` may fall on one): the dates left out are reported as warnings
//! ([`load_str_with_warnings`]). Call-for-matters and notice dates that fall on a
//! weekend, holiday or local day off move to the working day before.

mod build;
pub mod plan;
mod raw;
mod swedish;

/// A JSON or TOML parser's syntax message in Swedish (as the loader words its own).
pub(crate) fn swedish_syntax(en: &str) -> String {
    swedish::syntax(en)
}

/// A serde message (missing field, unknown variant, wrong type) in Swedish.
pub(crate) fn swedish_serde(en: &str) -> String {
    swedish::serde(en)
}

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::notification::Language;
use crate::org::Organisation;

/// One problem in a configuration file, with its place, in English and Swedish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigProblem {
    /// The table/key path, e.g. `routes.county-agreement.steps[3].body`.
    pub path: String,
    /// 1-based line (line 1 for a problem of the whole file, such as a missing table).
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, in English.
    pub message: String,
    /// What is wrong, in Swedish.
    pub swedish: String,
}

impl ConfigProblem {
    /// What is wrong, in `lang`.
    pub fn message_in(&self, lang: Language) -> &str {
        match lang {
            Language::Swedish => &self.swedish,
            Language::English => &self.message,
        }
    }

    /// `LINE:COLUMN: PATH: MESSAGE` in `lang`.
    pub fn render(&self, lang: Language) -> String {
        format!(
            "{}:{}: {}: {}",
            self.line,
            self.column,
            self.path,
            self.message_in(lang)
        )
    }
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Language::English))
    }
}

/// Every problem found in a configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render(Language::English))]
pub struct ConfigErrors {
    /// The file (or other source) name.
    pub source_name: String,
    /// The problems, in file order.
    pub problems: Vec<ConfigProblem>,
}

impl ConfigErrors {
    /// The whole report in one language: a heading and one line per problem,
    /// `FILE:LINE:COLUMN: PATH: MESSAGE`.
    pub fn render(&self, lang: Language) -> String {
        let n = self.problems.len();
        let mut out = match lang {
            Language::Swedish => format!("ogiltig konfiguration {}: {n} problem", self.source_name),
            Language::English => format!(
                "invalid configuration {}: {n} problem{}",
                self.source_name,
                if n == 1 { "" } else { "s" }
            ),
        };
        for p in &self.problems {
            out.push_str("\n  ");
            out.push_str(&self.source_name);
            out.push(':');
            out.push_str(&p.render(lang));
        }
        out
    }
}

/// A message in English and Swedish (what the parsers of [`plan`] answer, and what a
/// [`ConfigProblem`] says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// English.
    pub en: String,
    /// Swedish.
    pub sv: String,
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

impl std::error::Error for Text {}

/// A text in English and Swedish.
pub(crate) fn tx(en: impl Into<String>, sv: impl Into<String>) -> Text {
    Text {
        en: en.into(),
        sv: sv.into(),
    }
}

/// Loads and validates a county configuration from its TOML text. `source_name` (e.g.
/// the file name) is used in the error. Every problem is reported, in file order, each
/// with its line and column. Warnings are dropped: see [`load_str_with_warnings`].
pub fn load_str(text: &str, source_name: &str) -> Result<Organisation, ConfigErrors> {
    load_str_with_warnings(text, source_name).map(|l| l.organisation)
}

/// A loaded configuration with what loading warns of (the configuration is valid, but
/// did something the process lead should know, e.g. left a rule-made meeting out
/// because it fell on a public holiday).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The organisation.
    pub organisation: Organisation,
    /// The warnings, in file order, each with its line and column.
    pub warnings: Vec<ConfigProblem>,
}

/// Loads and validates a county configuration, keeping its warnings (see [`Loaded`]).
pub fn load_str_with_warnings(text: &str, source_name: &str) -> Result<Loaded, ConfigErrors> {
    let mut problems = Problems::new(text);
    let org = build::build(text, &mut problems);
    let (list, warnings) = problems.finish();
    match org {
        Some(organisation) if list.is_empty() => Ok(Loaded {
            organisation,
            warnings,
        }),
        _ => Err(ConfigErrors {
            source_name: source_name.to_owned(),
            problems: list,
        }),
    }
}

/// A problem before its byte offset is turned into a line and column.
struct Pending {
    offset: usize,
    path: String,
    text: Text,
}

/// Collects problems; turns byte offsets into lines and columns once, at the end, in a
/// single pass over the text (so N problems cost O(N log N + text), not O(N × text)).
pub(crate) struct Problems<'a> {
    text: &'a str,
    list: Vec<Pending>,
    warnings: Vec<Pending>,
}

impl<'a> Problems<'a> {
    fn new(text: &'a str) -> Self {
        Problems {
            text,
            list: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Records a problem at a span; `None` places it at the start of the file (a
    /// problem of the whole file, such as a missing table).
    pub(crate) fn at(&mut self, path: impl Into<String>, span: Option<Range<usize>>, text: Text) {
        self.list.push(Pending {
            offset: span.map_or(0, |s| s.start.min(self.text.len())),
            path: path.into(),
            text,
        });
    }

    /// Records a warning at a span: the configuration stays valid.
    pub(crate) fn warn(&mut self, path: impl Into<String>, span: Option<Range<usize>>, text: Text) {
        self.warnings.push(Pending {
            offset: span.map_or(0, |s| s.start.min(self.text.len())),
            path: path.into(),
            text,
        });
    }

    /// How many problems have been recorded.
    pub(crate) fn count(&self) -> usize {
        self.list.len()
    }

    /// The problems and the warnings, each in file order, without duplicates, with
    /// lines and columns.
    fn finish(self) -> (Vec<ConfigProblem>, Vec<ConfigProblem>) {
        let Problems {
            text,
            list,
            warnings,
        } = self;
        (placed(text, list), placed(text, warnings))
    }
}

/// Pending problems in file order, without duplicates, with lines and columns.
fn placed(text: &str, mut list: Vec<Pending>) -> Vec<ConfigProblem> {
    list.sort_by(|a, b| (a.offset, &a.path, &a.text.en).cmp(&(b.offset, &b.path, &b.text.en)));
    list.dedup_by(|a, b| a.offset == b.offset && a.path == b.path && a.text.en == b.text.en);
    let mut out = Vec::with_capacity(list.len());
    // One walk over the text: (byte offset, line, column) of the last position.
    let (mut at, mut line, mut column) = (0usize, 1usize, 1usize);
    for p in list {
        let mut offset = p.offset;
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        for c in text[at..offset].chars() {
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        at = offset;
        out.push(ConfigProblem {
            path: p.path,
            line,
            column,
            message: p.text.en,
            swedish: p.text.sv,
        });
    }
    out
}

#[cfg(test)]
mod tests;
