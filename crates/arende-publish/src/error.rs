//! The one error of the published reads and its RFC 9457 problem+json form: each
//! variant names what is wrong and where, with its text in Swedish (default) or English.

use arende_core::language::Language;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Why a published read was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// No county is served under the tenant in the path.
    #[error("no county is served under the tenant {tenant}")]
    UnknownTenant {
        /// The tenant asked for.
        tenant: String,
    },
    /// The object asked for does not exist in the county (kind and id).
    #[error("no {kind} {id} in the tenant {tenant}")]
    NotFound {
        /// The tenant.
        tenant: String,
        /// What was asked for, e.g. `meeting`.
        kind: &'static str,
        /// Its id as given.
        id: String,
    },
    /// A query parameter could not be read.
    #[error("the parameter {name}={value} cannot be read: {reason}")]
    BadParameter {
        /// The parameter.
        name: &'static str,
        /// The value given.
        value: String,
        /// Why it cannot be read.
        reason: String,
    },
    /// A person's feed asked for without being that person or holding their feed token.
    #[error("the calendar of {person} is only for {person} (sign in, or use the feed token URL)")]
    NotThePerson {
        /// The person whose feed was asked for.
        person: String,
    },
    /// A feed token asked for where no feed key is configured.
    #[error("feed tokens are not enabled in this deployment (no feed key is configured)")]
    TokensDisabled,
    /// The engine failed to read (a store error, a corrupt stream).
    #[error("the county {tenant} could not be read: {source}")]
    Engine {
        /// The tenant.
        tenant: String,
        /// The engine's error (boxed: it is large, and rare).
        #[source]
        source: Box<arende_core::error::Error>,
    },
    /// A feed document could not be written.
    #[error("the feed could not be written: {reason}")]
    Render {
        /// Why.
        reason: String,
    },
    /// The blocking task reading the county did not finish.
    #[error("the read was interrupted: {reason}")]
    Interrupted {
        /// Why.
        reason: String,
    },
}

impl PublishError {
    /// The engine's error for a tenant; an unknown id becomes [`PublishError::NotFound`].
    pub fn engine(tenant: &str, source: arende_core::error::Error) -> Self {
        if let arende_core::error::Error::Unknown { kind, id } = &source {
            return PublishError::NotFound {
                tenant: tenant.to_owned(),
                kind,
                id: id.clone(),
            };
        }
        PublishError::Engine {
            tenant: tenant.to_owned(),
            source: Box::new(source),
        }
    }

    /// The HTTP status of the refusal.
    pub fn status(&self) -> StatusCode {
        match self {
            PublishError::UnknownTenant { .. } | PublishError::NotFound { .. } => {
                StatusCode::NOT_FOUND
            }
            PublishError::BadParameter { .. } => StatusCode::BAD_REQUEST,
            PublishError::NotThePerson { .. } => StatusCode::FORBIDDEN,
            PublishError::TokensDisabled => StatusCode::NOT_FOUND,
            PublishError::Engine { .. }
            | PublishError::Render { .. }
            | PublishError::Interrupted { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short stable name of the kind of refusal (the problem `type` ends with it).
    pub fn code(&self) -> &'static str {
        match self {
            PublishError::UnknownTenant { .. } => "unknown-tenant",
            PublishError::NotFound { .. } => "not-found",
            PublishError::BadParameter { .. } => "bad-parameter",
            PublishError::NotThePerson { .. } => "not-the-person",
            PublishError::TokensDisabled => "tokens-disabled",
            PublishError::Engine { .. } => "engine",
            PublishError::Render { .. } => "render",
            PublishError::Interrupted { .. } => "interrupted",
        }
    }

    /// The text a person reads, in `language`. Internal failures are not detailed.
    pub fn text(&self, language: Language) -> String {
        let sv = language == Language::Swedish;
        match (self, sv) {
            (PublishError::UnknownTenant { tenant }, true) => {
                format!("inget län betjänas under {tenant}")
            }
            (PublishError::NotFound { kind, id, .. }, true) => {
                format!("det finns ingen {} {id}", kind_swedish(kind))
            }
            (
                PublishError::BadParameter {
                    name,
                    value,
                    reason,
                },
                true,
            ) => {
                format!("parametern {name}={value} kan inte läsas: {reason}")
            }
            (PublishError::NotThePerson { person }, true) => format!(
                "kalendern för {person} är bara för {person} (logga in eller använd prenumerationslänken)"
            ),
            (PublishError::TokensDisabled, true) => {
                "prenumerationslänkar är inte påslagna här (ingen flödesnyckel är konfigurerad)"
                    .to_owned()
            }
            (
                PublishError::Engine { .. }
                | PublishError::Render { .. }
                | PublishError::Interrupted { .. },
                true,
            ) => "ett internt fel inträffade".to_owned(),
            (
                PublishError::Engine { .. }
                | PublishError::Render { .. }
                | PublishError::Interrupted { .. },
                false,
            ) => "an internal error occurred".to_owned(),
            (other, false) => other.to_string(),
        }
    }

    /// The problem+json response in `language`.
    pub fn into_problem(self, language: Language) -> Response {
        let status = self.status();
        let (tenant, kind, id, parameter) = match &self {
            PublishError::UnknownTenant { tenant } => (Some(tenant.clone()), None, None, None),
            PublishError::NotFound { tenant, kind, id } => {
                (Some(tenant.clone()), Some(*kind), Some(id.clone()), None)
            }
            PublishError::BadParameter { name, .. } => (None, None, None, Some(*name)),
            PublishError::NotThePerson { person } => {
                (None, Some("person"), Some(person.clone()), None)
            }
            _ => (None, None, None, None),
        };
        let body = Problem {
            kind: format!("urn:arende:problem:{}", self.code()),
            title: self.code(),
            status: status.as_u16(),
            detail: self.text(language),
            tenant,
            object: kind,
            id,
            parameter,
        };
        let mut response = (status, axum::Json(body)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

fn kind_swedish(kind: &str) -> &str {
    match kind {
        "meeting" => "sammanträde",
        "matter" => "ärende",
        "body" => "organ",
        "person" => "person",
        "party" => "part",
        "membership" => "uppdrag i organ",
        "agenda item" => "punkt på föredragningslistan",
        "consultation" => "behandling",
        "file" => "fil",
        other => other,
    }
}

/// An RFC 9457 problem document with the typed error's fields.
#[derive(Debug, Serialize)]
struct Problem {
    #[serde(rename = "type")]
    kind: String,
    title: &'static str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<&'static str>,
}

impl IntoResponse for PublishError {
    fn into_response(self) -> Response {
        self.into_problem(Language::Swedish)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_ids_become_not_found_and_texts_follow_the_language() {
        let e = PublishError::engine(
            "orebro",
            arende_core::ids::UnknownId::new("meeting", "x-2024").into(),
        );
        assert_eq!(e.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            e.text(Language::Swedish),
            "det finns ingen sammanträde x-2024"
        );
        assert!(e.text(Language::English).contains("no meeting x-2024"));
        let bad = PublishError::BadParameter {
            name: "page",
            value: "x".into(),
            reason: "not a number".into(),
        };
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    }
}
