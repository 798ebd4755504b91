//! Language negotiation (språkval) for the pages: Swedish by default, English with
//! `?lang=en` or when the browser's `Accept-Language` prefers it.

use arende_core::language::Language;

/// The page language: `?lang=` wins, then the first of `Accept-Language` that is Swedish
/// or English, else Swedish.
pub fn negotiate(query: Option<&str>, accept_language: Option<&str>) -> Language {
    match query.map(str::trim) {
        Some("en") => return Language::English,
        Some("sv") => return Language::Swedish,
        _ => {}
    }
    let Some(accept) = accept_language else {
        return Language::Swedish;
    };
    let mut best: Option<(f32, Language)> = None;
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|v| v.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let lang = if tag == "sv" || tag.starts_with("sv-") {
            Language::Swedish
        } else if tag == "en" || tag.starts_with("en-") {
            Language::English
        } else {
            continue;
        };
        if best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map_or(Language::Swedish, |(_, l)| l)
}

/// Picks the Swedish or the English text.
pub fn t(lang: Language, sv: &'static str, en: &'static str) -> &'static str {
    match lang {
        Language::English => en,
        _ => sv,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_wins_then_accept_language_then_swedish() {
        assert_eq!(negotiate(Some("en"), Some("sv")), Language::English);
        assert_eq!(
            negotiate(None, Some("de, en-GB;q=0.8, sv;q=0.5")),
            Language::English
        );
        assert_eq!(negotiate(None, Some("sv-SE, en;q=0.9")), Language::Swedish);
        assert_eq!(negotiate(None, Some("fr")), Language::Swedish);
        assert_eq!(negotiate(Some("xx"), None), Language::Swedish);
    }
}
