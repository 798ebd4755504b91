//! RFC 9457 problem documents (`application/problem+json`): every refusal of the
//! service, whether the engine refused a command (the typed error's fields become
//! extension members, its text comes from `arende_notify::refusal`) or the request
//! itself was wrong (malformed JSON, unknown tenant, wrong content type, oversized
//! body, missing credentials). Never a bare 500.

use arende_core::language::Language;
use arende_notify::refusal::{self, RefusalClass};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The prefix of every problem `type` URI: `urn:arende:problem:<code>`.
pub const TYPE_PREFIX: &str = "urn:arende:problem:";

/// A problem document (problemrapport) as RFC 9457 defines it, with the refusal's
/// typed fields as extension members (boxed: results that carry one stay small).
#[derive(Debug, Clone)]
pub struct Problem(pub Box<ProblemData>);

impl std::ops::Deref for Problem {
    type Target = ProblemData;
    fn deref(&self) -> &ProblemData {
        &self.0
    }
}

impl std::ops::DerefMut for Problem {
    fn deref_mut(&mut self) -> &mut ProblemData {
        &mut self.0
    }
}

/// What a [`Problem`] holds.
#[derive(Debug, Clone)]
pub struct ProblemData {
    /// The HTTP status.
    pub status: StatusCode,
    /// The machine code; the `type` is [`TYPE_PREFIX`] + code.
    pub code: String,
    /// A short title.
    pub title: String,
    /// What is wrong and where.
    pub detail: String,
    /// Extension members (the typed error's fields).
    pub fields: Map<String, Value>,
    /// Extra response headers (e.g. `Retry-After`, `WWW-Authenticate`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

/// The shape of a problem document, for the OpenAPI document.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ProblemDoc {
    /// A URI naming the kind of problem, `urn:arende:problem:<code>`.
    #[schema(rename = "type")]
    r#type: String,
    /// A short title, in the language asked for (Swedish by default).
    title: String,
    /// The HTTP status.
    status: u16,
    /// What is wrong and where, in the language asked for.
    detail: String,
    /// The machine code of the problem.
    code: String,
}

impl Problem {
    /// A problem with a status, a code, and a title and detail in the language asked for.
    pub fn new(
        status: StatusCode,
        code: &str,
        lang: Language,
        title: (&str, &str),
        detail: (String, String),
    ) -> Self {
        let (title, detail) = match lang {
            Language::Swedish => (title.0.to_owned(), detail.0),
            Language::English => (title.1.to_owned(), detail.1),
        };
        Problem(Box::new(ProblemData {
            status,
            code: code.to_owned(),
            title,
            detail,
            fields: Map::new(),
            headers: Vec::new(),
        }))
    }

    /// Adds an extension member.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(name.to_owned(), value.into());
        self
    }

    /// Adds a response header.
    pub fn header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((name, v));
        }
        self
    }

    /// The problem of an error from the core, with its typed fields. `expected` tells
    /// whether the client gave an expected version (`If-Match`): a conflict is then a
    /// failed precondition (412), otherwise 409.
    pub fn from_core(err: &arende_core::Error, lang: Language, expected: bool) -> Self {
        let r = refusal::describe(err, lang);
        let status = match refusal::classify(err) {
            RefusalClass::Forbidden => StatusCode::FORBIDDEN,
            RefusalClass::NotFound => StatusCode::NOT_FOUND,
            RefusalClass::State => StatusCode::CONFLICT,
            RefusalClass::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            RefusalClass::Conflict if expected => StatusCode::PRECONDITION_FAILED,
            RefusalClass::Conflict => StatusCode::CONFLICT,
            RefusalClass::System => match err {
                arende_core::Error::Store(arende_core::store::StoreError::Backend { .. }) => {
                    StatusCode::SERVICE_UNAVAILABLE
                }
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
        };
        if status.is_server_error() {
            tracing::error!(error = %err, "request failed");
        }
        Problem(Box::new(ProblemData {
            status,
            code: r.code.to_owned(),
            title: r.title,
            detail: r.detail,
            fields: r.fields,
            headers: Vec::new(),
        }))
    }

    /// The problem document as JSON.
    pub fn body(&self) -> Value {
        let mut m = self.fields.clone();
        m.insert(
            "type".into(),
            Value::String(format!("{TYPE_PREFIX}{}", self.code)),
        );
        m.insert("title".into(), Value::String(self.title.clone()));
        m.insert("status".into(), Value::from(self.status.as_u16()));
        m.insert("detail".into(), Value::String(self.detail.clone()));
        m.insert("code".into(), Value::String(self.code.clone()));
        Value::Object(m)
    }

    /// An unknown tenant.
    pub fn unknown_tenant(tenant: &str, lang: Language) -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "unknown-tenant",
            lang,
            ("Okänt län", "Unknown tenant"),
            (
                format!("tjänsten betjänar inget län \"{tenant}\""),
                format!("no county \"{tenant}\" is served here"),
            ),
        )
        .with("tenant", tenant)
    }

    /// A query or path parameter that cannot be read.
    pub fn bad_parameter(what: &str, reason: &str, lang: Language) -> Self {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "invalid-parameter",
            lang,
            ("Ogiltig parameter", "Invalid parameter"),
            (format!("{what}: {reason}"), format!("{what}: {reason}")),
        )
        .with("parameter", what)
    }

    /// No route matches the path.
    pub fn not_found(path: &str, lang: Language) -> Self {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            lang,
            ("Finns inte", "Not found"),
            (
                format!("det finns ingen resurs {path}"),
                format!("there is no resource {path}"),
            ),
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = self.body().to_string();
        let status = self.status;
        let ProblemData { headers, .. } = *self.0;
        let mut resp = (
            status,
            [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))],
            body,
        )
            .into_response();
        for (k, v) in headers {
            resp.headers_mut().insert(k, v);
        }
        resp
    }
}
