//! The reader's language from `Accept-Language` (RFC 9110 §12.5.4): Swedish unless the
//! caller prefers English; problem texts and rendered minutes follow it.

use arende_core::language::Language;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;

/// The language a request asked for (språk), Swedish by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lang(pub Language);

/// Picks Swedish or English from an `Accept-Language` value by quality: the first of
/// the highest weight that is one of the two; Swedish when neither is asked for.
pub fn negotiate(value: Option<&str>) -> Language {
    let Some(value) = value else {
        return Language::Swedish;
    };
    let mut best: Option<(f32, Language)> = None;
    for part in value.split(',') {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or("").trim();
        let q = pieces
            .filter_map(|p| p.trim().strip_prefix("q="))
            .filter_map(|q| q.trim().parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let lang = if tag == "*" {
            Some(Language::Swedish)
        } else {
            Language::from_code(tag)
        };
        if let Some(lang) = lang
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, lang));
        }
    }
    best.map_or(Language::Swedish, |(_, l)| l)
}

/// The language of a request's headers.
pub fn from_headers(headers: &HeaderMap) -> Language {
    negotiate(headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang(from_headers(&parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_is_the_default_and_quality_decides() {
        assert_eq!(negotiate(None), Language::Swedish);
        assert_eq!(negotiate(Some("fr")), Language::Swedish);
        assert_eq!(negotiate(Some("en-GB")), Language::English);
        assert_eq!(negotiate(Some("sv;q=0.4, en;q=0.9")), Language::English);
        assert_eq!(negotiate(Some("en;q=0.5, sv-SE")), Language::Swedish);
        assert_eq!(negotiate(Some("en;q=0")), Language::Swedish);
    }
}
