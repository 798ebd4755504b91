//! The languages texts for people are written in: Swedish (the default) and English.
//!
//! It sits at the bottom of the core's layers so that the organisation (a person's
//! language) and the notification facts (a recipient's language) can both name it.

use serde::{Deserialize, Serialize};

/// A language texts are rendered in. Swedish is the default.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub enum Language {
    /// Swedish (svenska), the default.
    #[default]
    #[serde(rename = "sv")]
    Swedish,
    /// English.
    #[serde(rename = "en")]
    English,
}

impl Language {
    /// Every language.
    pub const ALL: [Language; 2] = [Language::Swedish, Language::English];

    /// The BCP 47 code, `sv` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Swedish => "sv",
            Language::English => "en",
        }
    }

    /// Parses `sv`/`en` (also `sv-SE`, `en-GB`, `svenska`, `english`).
    pub fn from_code(code: &str) -> Option<Language> {
        let c = code.trim().to_lowercase();
        let primary = c.split(['-', '_']).next().unwrap_or("");
        match primary {
            "sv" | "svenska" | "swedish" => Some(Language::Swedish),
            "en" | "english" | "engelska" => Some(Language::English),
            _ => None,
        }
    }

    /// Whether this is the default language (Swedish), e.g. to leave it out of JSON.
    pub fn is_default(&self) -> bool {
        *self == Language::Swedish
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_and_print() {
        for (code, lang) in [
            ("sv", Language::Swedish),
            ("sv-SE", Language::Swedish),
            ("svenska", Language::Swedish),
            ("en", Language::English),
            ("en_GB", Language::English),
            (" English ", Language::English),
        ] {
            assert_eq!(Language::from_code(code), Some(lang), "{code}");
        }
        assert_eq!(Language::from_code("fi"), None);
        assert_eq!(Language::English.to_string(), "en");
        assert_eq!(Language::default(), Language::Swedish);
    }
}
