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
//! ```
//!
//! Meeting ids are `<plan key>-<YYYY-MM-DD>` of the originally planned date and are kept
//! when a meeting is moved. All dates and times are local, Europe/Stockholm.

mod build;
pub mod plan;
mod raw;

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::org::Organisation;

/// One problem in a configuration file, with its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigProblem {
    /// The table/key path, e.g. `routes.county-agreement.steps[3].body`.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}: {}: {}", l, c, self.path, self.message),
            (Some(l), None) => write!(f, "{}: {}: {}", l, self.path, self.message),
            _ => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Every problem found in a configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration {source_name}: {} problem(s){}", problems.len(), problems.iter().map(|p| format!("\n  {source_name}:{p}")).collect::<String>())]
pub struct ConfigErrors {
    /// The file (or other source) name.
    pub source_name: String,
    /// The problems, in file order.
    pub problems: Vec<ConfigProblem>,
}

/// Loads and validates a county configuration from its TOML text. `source_name` (e.g.
/// the file name) is used in the error. Every problem is reported, in file order.
pub fn load_str(text: &str, source_name: &str) -> Result<Organisation, ConfigErrors> {
    let mut problems = Problems::new(text);
    let org = build::build(text, &mut problems);
    let mut list = problems.list;
    list.sort_by(|a, b| {
        (
            a.line.unwrap_or(0),
            a.column.unwrap_or(0),
            &a.path,
            &a.message,
        )
            .cmp(&(
                b.line.unwrap_or(0),
                b.column.unwrap_or(0),
                &b.path,
                &b.message,
            ))
    });
    list.dedup();
    match org {
        Some(org) if list.is_empty() => Ok(org),
        _ => Err(ConfigErrors {
            source_name: source_name.to_owned(),
            problems: list,
        }),
    }
}

/// Collects problems, turning byte spans into lines and columns.
pub(crate) struct Problems<'a> {
    text: &'a str,
    list: Vec<ConfigProblem>,
}

impl<'a> Problems<'a> {
    fn new(text: &'a str) -> Self {
        Problems {
            text,
            list: Vec::new(),
        }
    }

    /// The 1-based line and column of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// Records a problem at a span (or without a position).
    pub(crate) fn at(
        &mut self,
        path: impl Into<String>,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = self.position(s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        self.list.push(ConfigProblem {
            path: path.into(),
            line,
            column,
            message: message.into(),
        });
    }

    /// Whether any problem has been recorded.
    pub(crate) fn count(&self) -> usize {
        self.list.len()
    }
}

#[cfg(test)]
mod tests;
