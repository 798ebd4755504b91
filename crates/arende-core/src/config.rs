//! County configuration: the TOML a process lead reads and edits, loaded into a
//! validated, immutable [`Organisation`](crate::org::Organisation). Loading reports every
//! problem at once, each with its place in the file.

use serde::{Deserialize, Serialize};

/// One problem in a configuration file, with its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigProblem {
    /// The table/key path, e.g. `routes.county-agreement.steps[3].body`.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
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
#[error("invalid configuration {source_name}: {} problem(s){}", problems.len(), problems.iter().map(|p| format!("\n  {p}")).collect::<String>())]
pub struct ConfigErrors {
    /// The file (or other source) name.
    pub source_name: String,
    /// The problems, in file order.
    pub problems: Vec<ConfigProblem>,
}
