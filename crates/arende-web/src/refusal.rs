//! Refusals (avslag) in plain words: a title and a detail for a refused command, in
//! Swedish or English. Replaced by `arende_notify::refusal::describe` once that is on
//! main, so that the API and the pages say the same.

use arende_core::Error;
use arende_core::language::Language;

use crate::lang::t;

/// A refusal's title and detail, for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What happened, in a few words.
    pub title: String,
    /// Why, naming what was wrong.
    pub detail: String,
}

/// Describes a refused command (or a failed read) in `lang`.
pub fn describe(error: &Error, lang: Language) -> Refusal {
    let (title, detail) = match error {
        Error::NotPermitted { body, needed, .. } => (
            t(lang, "Behörighet saknas", "Not permitted"),
            match lang {
                Language::English => format!(
                    "This needs one of the roles {} at {body}.",
                    needed
                        .iter()
                        .map(|r| format!("{r:?}").to_lowercase())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                _ => format!(
                    "Det kräver någon av rollerna {} i {body}.",
                    needed
                        .iter()
                        .map(|r| format!("{r:?}").to_lowercase())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
        ),
        Error::Matter(m) => (
            t(
                lang,
                "Ärendet tillåter inte detta",
                "The matter does not allow this",
            ),
            match lang {
                Language::English => m.to_string(),
                _ => m.swedish(),
            },
        ),
        Error::Forecast(f) => (
            t(lang, "Prognosen kan inte göras", "No forecast"),
            match lang {
                Language::English => f.to_string(),
                _ => f.swedish(),
            },
        ),
        Error::Meeting(m) => (
            t(
                lang,
                "Sammanträdet tillåter inte detta",
                "The meeting does not allow this",
            ),
            m.to_string(),
        ),
        other if other.is_conflict() => (
            t(lang, "Någon hann före", "Someone came first"),
            t(
                lang,
                "Ärendet ändrades medan du arbetade. Läs sidan igen och försök på nytt.",
                "It changed while you worked. Reload the page and try again.",
            )
            .to_owned(),
        ),
        other => (t(lang, "Åtgärden nekades", "Refused"), other.to_string()),
    };
    Refusal {
        title: title.to_owned(),
        detail,
    }
}
