//! What every response of the service gets at the edge (kanten), whichever route made
//! it: the security headers a region's review asks for, and a problem document for
//! every refusal that a route or the router itself made without one.
//!
//! - [`security_headers`]: `Content-Security-Policy` (own scripts, styles and images
//!   only; no framing, no foreign form targets), `X-Frame-Options: DENY`,
//!   `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` (a person's
//!   feed link carries a token that must not leak through a `Referer`).
//! - [`problems_everywhere`]: a response of status 400 or above whose body is neither a
//!   problem document nor a page of the dashboard (the router's 405, an extractor's
//!   plain-text rejection of a path or query, a layer's 408 or 413) is replaced by an
//!   RFC 9457 problem document of the same status, in the request's language, keeping
//!   its headers (`Allow`, `Retry-After`). The replaced text is not shown: it names
//!   Rust types.
//! - [`say_quarantined`]: the published reads (OParl, feeds, the dashboard) of a county
//!   with quarantined streams say that they leave them out, in a `Warning` header (the
//!   dashboard also says it on the page, `/v1` lists in their body).

use arende_core::language::Language;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::problem::{PROBLEM_JSON, Problem};
use crate::state::AppState;

/// Adds `Warning: 199 arende "…"` to a published read of a county whose reads leave
/// out quarantined streams (how many, and that `arende store verify` names them). The
/// count is what the reads have found so far; nothing is read from the store here.
pub async fn say_quarantined(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let tenant = crate::auth::extension_tenant(req.uri().path()).map(str::to_owned);
    let mut resp = next.run(req).await;
    let Some(tenant) = tenant else {
        return resp;
    };
    let deployment = state.deployment();
    let Some(county) = deployment.county(&arende_core::ids::TenantId::new(tenant.as_str())) else {
        return resp;
    };
    let n = county.read().quarantined_seen();
    if n > 0 {
        let text = format!(
            "199 arende \"{n} stored streams are left out: an event cannot be decoded (arende store verify)\""
        );
        if let Ok(v) = HeaderValue::from_str(&text) {
            resp.headers_mut().insert(header::WARNING, v);
        }
    }
    resp
}

/// The dashboard's pages load their own stylesheet, script and images only, post their
/// forms only to this service, and may not be framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every response (a route that set its own keeps it).
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    resp
}

/// Whether a response already speaks for itself: a problem document, or an HTML page
/// (the dashboard's own error pages).
fn explained(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|m| m == PROBLEM_JSON || m == "text/html")
}

/// The code, title and detail of a refusal the router or a layer made, by status.
fn words(
    status: StatusCode,
) -> (
    &'static str,
    (&'static str, &'static str),
    (&'static str, &'static str),
) {
    match status.as_u16() {
        400 => (
            "bad-request",
            ("Felaktig begäran", "Bad request"),
            (
                "adressen, dess parametrar eller begäran kan inte läsas",
                "the path, its parameters or the request cannot be read",
            ),
        ),
        404 => (
            "not-found",
            ("Finns inte", "Not found"),
            ("det finns ingen sådan resurs", "there is no such resource"),
        ),
        405 => (
            "method-not-allowed",
            ("Metoden är inte tillåten", "Method not allowed"),
            (
                "resursen tar inte emot den metoden; se Allow för dem den tar emot",
                "the resource does not take this method; Allow lists those it takes",
            ),
        ),
        408 => (
            "request-timeout",
            ("Tidsgränsen överskreds", "Request timeout"),
            (
                "begäran kom inte fram i tid",
                "the request did not arrive in time",
            ),
        ),
        413 => (
            "payload-too-large",
            ("För stor begäran", "Payload too large"),
            ("begäran är för stor", "the request body is too large"),
        ),
        414 => (
            "uri-too-long",
            ("För lång adress", "URI too long"),
            ("adressen är för lång", "the request's URI is too long"),
        ),
        415 => (
            "unsupported-media-type",
            ("Fel innehållstyp", "Unsupported media type"),
            (
                "begärans innehållstyp tas inte emot här",
                "the request's content type is not accepted here",
            ),
        ),
        422 => (
            "invalid-input",
            ("Ogiltiga uppgifter", "Invalid input"),
            (
                "begärans innehåll har fel form",
                "the request's content has the wrong shape",
            ),
        ),
        429 => (
            "rate-limited",
            ("För många anrop", "Too many requests"),
            (
                "för många anrop: vänta en stund",
                "too many requests: wait a moment",
            ),
        ),
        431 => (
            "headers-too-large",
            ("För stora huvuden", "Request header fields too large"),
            (
                "begärans huvuden är för stora",
                "the request's header fields are too large",
            ),
        ),
        503 => (
            "unavailable",
            ("Tjänsten är inte tillgänglig", "Service unavailable"),
            (
                "tjänsten kan inte svara just nu; försök igen",
                "the service cannot answer now; try again",
            ),
        ),
        s if s >= 500 => (
            "internal",
            ("Internt fel", "Internal error"),
            ("ett internt fel inträffade", "an internal error happened"),
        ),
        _ => (
            "refused",
            ("Begäran avslogs", "Request refused"),
            ("begäran avslogs", "the request was refused"),
        ),
    }
}

/// The problem document that replaces an unexplained refusal of `status`.
pub fn problem_for_status(status: StatusCode, lang: Language) -> Problem {
    let (code, title, (sv, en)) = words(status);
    Problem::new(status, code, lang, title, (sv.to_owned(), en.to_owned()))
}

/// Replaces every unexplained refusal with a problem document (see the module docs).
pub async fn problems_everywhere(req: Request, next: Next) -> Response {
    let lang = crate::lang::from_headers(req.headers());
    let resp = next.run(req).await;
    let status = resp.status();
    if status.as_u16() < 400 || explained(&resp) {
        return resp;
    }
    let (mut parts, _) = resp.into_parts();
    let problem = problem_for_status(status, lang).into_response();
    let (problem_parts, body): (_, Body) = problem.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &problem_parts.headers {
        parts.headers.insert(name.clone(), value.clone());
    }
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_words_in_both_languages_without_type_names() {
        for s in 400..600u16 {
            let Ok(status) = StatusCode::from_u16(s) else {
                continue;
            };
            let (code, (sv_t, en_t), (sv, en)) = words(status);
            assert!(!code.is_empty() && !sv_t.is_empty() && !en_t.is_empty());
            assert!(!sv.contains('`') && !en.contains('`'));
        }
    }
}
