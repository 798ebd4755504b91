//! Bounds on what people type (inmatningsgränser): every text in a command is checked
//! before the command is decided, wherever it came from (the HTTP API, the dashboard's
//! forms, the command line, a scenario file, an embedder's code), so that no route can
//! store a megabyte title or a line break inside a name.
//!
//! Each string in a command's JSON form is judged by the name of its field:
//! - titles (`title`) at most [`InputLimits::title`] characters;
//! - names (`name`, `organisation`, `location`, `place`, `label`) at most
//!   [`InputLimits::name`];
//! - texts that may run over several lines (`text`, `note`, `reason`, `clauses`,
//!   `comments`, … see [`FieldKind::of`]) at most [`InputLimits::text`], with line
//!   breaks and tabs but no other control characters;
//! - every other string (ids, references, numbers, e-mail addresses) at most
//!   [`InputLimits::line`].
//!
//! Titles, names and other single-line fields take no control character at all (no line
//! break, no tab, no escape). The limits are the county's (`[limits]` in its
//! configuration) with these defaults. A refusal names the field by its path in the
//! command's JSON (`command.title`, `command.clauses[2]`), the limit and the length.

mod walk;

use serde::{Deserialize, Serialize};
#[cfg(test)]
use serde_json::Value;

/// The longest texts a county accepts, in characters (`[limits]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]
pub struct InputLimits {
    /// A title (of a matter, an agenda item, a §). Default 300.
    pub title: usize,
    /// A name (of a guest, an organisation, a place), or a label. Default 200.
    pub name: usize,
    /// Any other single-line field (an id, a reference, a case number). Default 500.
    pub line: usize,
    /// A text of several lines (a note, a reason, a clause, a § text). Default 20,000.
    pub text: usize,
}

impl Default for InputLimits {
    fn default() -> Self {
        InputLimits {
            title: 300,
            name: 200,
            line: 500,
            text: 20_000,
        }
    }
}

/// The largest limit a configuration may set (one million characters).
pub const MAX_LIMIT: usize = 1_000_000;

/// How a field is bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A title.
    Title,
    /// A name or a label.
    Name,
    /// Another single-line field.
    Line,
    /// A text of several lines.
    Text,
}

impl FieldKind {
    /// The kind of the field named `key` (its name in the JSON form, kebab-case).
    pub fn of(key: &str) -> FieldKind {
        match key {
            "title" => FieldKind::Title,
            "name" | "organisation" | "location" | "place" | "label" | "adjuster-label" => {
                FieldKind::Name
            }
            "text" | "note" | "notes" | "answer" | "report" | "comments" | "comment" | "reason"
            | "override-reason" | "recommendation" | "instructions" | "direction"
            | "expectations" | "problem" | "clauses" | "task" | "description" | "summary"
            | "motivation" | "message" => FieldKind::Text,
            _ => FieldKind::Line,
        }
    }

    /// Whether the field is single-line (no control character at all).
    pub fn single_line(self) -> bool {
        !matches!(self, FieldKind::Text)
    }
}

impl InputLimits {
    /// The limit for a kind of field.
    pub fn limit(&self, kind: FieldKind) -> usize {
        match kind {
            FieldKind::Title => self.title,
            FieldKind::Name => self.name,
            FieldKind::Line => self.line,
            FieldKind::Text => self.text,
        }
    }
}

/// A text in a command that is out of bounds. Exhaustive on purpose: the words a person
/// reads for each (`arende_notify::refusal`) fail to compile without a new variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// Longer than the county's limit.
    #[error("{field}: {length} characters where at most {limit} are accepted")]
    TooLong {
        /// The field's path in the command's JSON form, e.g. `command.title`.
        field: String,
        /// The limit, in characters.
        limit: usize,
        /// The text's length, in characters.
        length: usize,
    },
    /// A control character where none is accepted (a line break in a title, an escape
    /// anywhere).
    #[error(
        "{field}: a control character (U+{code:04X}) at character {position}; {}",
        if *single_line { "a single-line field takes none" } else { "only line breaks and tabs are accepted" }
    )]
    ControlCharacter {
        /// The field's path.
        field: String,
        /// The character's position (1 = the first).
        position: usize,
        /// The character's code point.
        code: u32,
        /// Whether the field is single-line.
        single_line: bool,
    },
}

impl InputError {
    /// The field's path in the command's JSON form.
    pub fn field(&self) -> &str {
        match self {
            InputError::TooLong { field, .. } | InputError::ControlCharacter { field, .. } => field,
        }
    }
}

/// Checks every text of a command (any value with a JSON form; the engine gives it its
/// `Command`) against `limits` (see the module docs). It walks the value as serde
/// writes it, naming fields as the JSON form does, without building that JSON.
pub fn check_command<T: Serialize + ?Sized>(
    command: &T,
    limits: &InputLimits,
) -> Result<(), InputError> {
    let mut walk = walk::Walk {
        limits,
        path: String::new(),
        kind: FieldKind::Line,
    };
    match command.serialize(&mut walk) {
        Ok(()) | Err(walk::Stop::Other) => Ok(()),
        Err(walk::Stop::Input(e)) => Err(e),
    }
}

fn check_text(
    text: &str,
    kind: FieldKind,
    limits: &InputLimits,
    path: &str,
) -> Result<(), InputError> {
    let limit = limits.limit(kind);
    let single_line = kind.single_line();
    let mut length = 0;
    for c in text.chars() {
        length += 1;
        if c.is_control() && (single_line || !matches!(c, '\n' | '\r' | '\t')) {
            return Err(InputError::ControlCharacter {
                field: path.to_owned(),
                position: length,
                code: u32::from(c),
                single_line,
            });
        }
    }
    if length > limit {
        return Err(InputError::TooLong {
            field: path.to_owned(),
            limit,
            length,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A submission in the command's JSON form.
    fn submit(title: &str) -> Value {
        json!({"aggregate": "matter", "command": {"type": "submit", "kind": "information", "title": title, "body": "sbu"}})
    }

    #[test]
    fn a_title_over_the_limit_is_refused_naming_the_field_and_the_limit() {
        let limits = InputLimits {
            title: 10,
            ..InputLimits::default()
        };
        assert!(check_command(&submit("IF-frågan"), &limits).is_ok());
        let err = check_command(&submit("Hemsjukvård i Hallsberg"), &limits).unwrap_err();
        assert_eq!(
            err,
            InputError::TooLong {
                field: "command.title".into(),
                limit: 10,
                length: 23
            }
        );
    }

    #[test]
    fn a_line_break_in_a_title_is_refused_but_not_in_a_note() {
        let err =
            check_command(&submit("Avtal\n## § 9 Beslut"), &InputLimits::default()).unwrap_err();
        assert!(
            matches!(&err, InputError::ControlCharacter { field, position: 6, code: 10, single_line: true } if field == "command.title"),
            "{err:?}"
        );
        let note = |text: &str| json!({"aggregate": "matter", "command": {"type": "record-outcome", "note": text, "clauses": ["att godkänna", text]}});
        assert!(check_command(&note("rad ett\nrad två\ttab"), &InputLimits::default()).is_ok());
        let err = check_command(&note("escape \u{1b}[31m"), &InputLimits::default()).unwrap_err();
        assert!(
            matches!(
                &err,
                InputError::ControlCharacter {
                    single_line: false,
                    code: 0x1b,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn an_element_of_a_list_is_named_with_its_index() {
        let limits = InputLimits {
            text: 5,
            ..InputLimits::default()
        };
        let v = json!({"command": {"clauses": ["kort", "alldeles för lång"]}});
        assert_eq!(
            check_command(&v, &limits).unwrap_err().field(),
            "command.clauses[1]"
        );
    }

    #[test]
    fn the_walk_names_fields_inside_variants_and_steps_back_out() {
        #[derive(Serialize)]
        #[serde(rename_all = "kebab-case")]
        enum Screening {
            AnswerDirectly { answer: String },
            Pair(String, String),
        }
        #[derive(Serialize)]
        struct Cmd {
            screening: Screening,
            title: String,
        }
        let limits = InputLimits::default();
        // A line break is fine in an answer (a text) …
        let ok = Cmd {
            screening: Screening::AnswerDirectly {
                answer: "rad ett\nrad två".into(),
            },
            title: "IF".into(),
        };
        assert!(check_command(&ok, &limits).is_ok());
        // … and the title after the variant is a title again.
        let bad = Cmd {
            title: "IF\nx".into(),
            ..ok
        };
        let err = check_command(&bad, &limits).unwrap_err();
        assert_eq!(err.field(), "title", "{err:?}");
        let pair = Cmd {
            screening: Screening::Pair("a".into(), "b\u{7}".into()),
            title: "IF".into(),
        };
        assert_eq!(
            check_command(&pair, &limits).unwrap_err().field(),
            "screening.pair[1]"
        );
    }

    #[test]
    fn characters_are_counted_not_bytes() {
        let limits = InputLimits {
            title: 3,
            ..InputLimits::default()
        };
        assert!(check_command(&submit("åäö"), &limits).is_ok());
        assert!(check_command(&submit("åäöx"), &limits).is_err());
    }
}
