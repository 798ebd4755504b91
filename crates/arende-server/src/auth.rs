//! Authentication and authorization at the door (inloggning och behörighet): Bearer
//! JWTs from a configured OpenID Connect issuer (keys from a JWKS file or URL; the
//! algorithm, signature, `iss`, `aud`, `exp`, `nbf` and `iat` checked with a configured
//! clock leeway; a configured claim names the person), and API keys for integrations,
//! each a system identity with a scope (its tenant, the commands it may send, or read
//! only). Default deny: a request to `/v1/…` without valid credentials is refused; a
//! person reaches only the tenants where they hold a role. Each identity has its own
//! rate limit. On success the caller is a request extension:
//! [`arende_core::authz::Actor`] (what other crates read) and [`Caller`] (its scope).
//! A refused token's problem document says why in its `reason` member
//! ([`TokenRefusal`]).
//!
//! A key's command scope travels inside its actor
//! ([`Actor::service_scoped`]): the engine's one entry point refuses a command outside
//! it, whichever route sent it (`/v1`, the dashboard's forms, any later one), and checks
//! every command against the person's roles at the body concerned. This layer only
//! decides who is calling and where they may knock.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

pub use arende_core::authz::CommandScope;
use arende_core::authz::{Action, Actor};
use arende_core::deployment::Deployment;
use arende_core::ids::{PersonId, TenantId};
use arende_core::language::Language;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::lang::from_headers;
use crate::problem::Problem;
use crate::state::AppState;

/// The server's authentication configuration (the TOML file given with `--auth`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// The OpenID Connect issuer whose tokens name people.
    #[serde(default)]
    pub oidc: Option<OidcConfig>,
    /// API keys for integrations.
    #[serde(default)]
    pub api_keys: Vec<ApiKeyConfig>,
    /// The default rate limit of an identity.
    #[serde(default)]
    pub rate_limit: RateLimitConfig,
}

/// An OpenID Connect issuer (utfärdare av inloggningar).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The issuer (`iss`) tokens must name.
    pub issuer: String,
    /// The audience (`aud`) tokens must name: this service.
    pub audience: String,
    /// A JWKS file with the issuer's public keys.
    #[serde(default)]
    pub jwks_file: Option<PathBuf>,
    /// A JWKS URL (e.g. the issuer's `jwks_uri`), fetched at start and every
    /// `refresh_seconds`.
    #[serde(default)]
    pub jwks_url: Option<String>,
    /// How often to fetch the JWKS URL again (seconds, default 600).
    #[serde(default = "default_refresh")]
    pub refresh_seconds: u64,
    /// The claim whose value is the person's id in the county configuration (default
    /// `sub`).
    #[serde(default = "default_claim")]
    pub person_claim: String,
    /// How far the issuer's clock and this one may differ, in seconds (default 30, at
    /// most [`MAX_LEEWAY_SECONDS`]): a token is refused when it expired more than this
    /// long ago, or when its `nbf` or `iat` lies more than this far ahead.
    #[serde(default = "default_leeway")]
    pub leeway_seconds: u64,
}

/// The largest clock leeway `[oidc] leeway_seconds` may give (five minutes).
pub const MAX_LEEWAY_SECONDS: u64 = 300;

fn default_refresh() -> u64 {
    600
}

fn default_leeway() -> u64 {
    30
}

fn default_claim() -> String {
    "sub".to_owned()
}

/// An API key (API-nyckel) for an integration: a system identity with a scope.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyConfig {
    /// The identity's name, as the audit trail shows it (`system:<name>`).
    pub name: String,
    /// The key itself (prefer `key_sha256`: then the file holds no secret).
    #[serde(default)]
    pub key: Option<String>,
    /// The SHA-256 of the key, hex.
    #[serde(default)]
    pub key_sha256: Option<String>,
    /// The tenant the key is for.
    pub tenant: String,
    /// The commands the key may send, by name (`matter/submit`, `matter/*`, `*`).
    #[serde(default)]
    pub commands: Vec<String>,
    /// The actions its system identity holds at every body (`screen`,
    /// `record-outcome`, …); the engine checks commands against them.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Reads only: every command is refused.
    #[serde(default)]
    pub read_only: bool,
    /// Requests per second (default: `[rate_limit]`).
    #[serde(default)]
    pub per_second: Option<u32>,
    /// Burst (default: `[rate_limit]`).
    #[serde(default)]
    pub burst: Option<u32>,
}

/// A rate limit: a steady rate and a burst.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Requests per second.
    pub per_second: u32,
    /// How many may come at once.
    pub burst: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            per_second: 50,
            burst: 100,
        }
    }
}

/// An authentication configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AuthConfigError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML of this shape.
    #[error("{path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        source: Box<toml::de::Error>,
    },
    /// An entry is invalid.
    #[error("{place}: {problem}")]
    Invalid {
        /// Where, e.g. `api_keys[2]`.
        place: String,
        /// What is wrong.
        problem: String,
    },
    /// The JWKS cannot be had or read.
    #[error("JWKS {source_name}: {problem}")]
    Jwks {
        /// The file or URL.
        source_name: String,
        /// What is wrong.
        problem: String,
    },
}

impl AuthConfig {
    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<Self, AuthConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| AuthConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| AuthConfigError::Parse {
            path: path.to_owned(),
            source: Box::new(e),
        })
    }
}

/// Why a Bearer token was refused: the `reason` member of the 401 problem document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    /// Not a JWT (three base64url parts with a JSON header and claims).
    Malformed,
    /// An algorithm this service does not accept (`none`, a symmetric `HS*`, or one
    /// the issuer's key is not for).
    AlgorithmNotAccepted,
    /// No key of the issuer has the token's `kid`.
    UnknownKey,
    /// The signature does not verify with the issuer's key.
    BadSignature,
    /// `exp` lies in the past (beyond the leeway).
    Expired,
    /// `nbf` lies in the future (beyond the leeway).
    NotYetValid,
    /// `iat` lies in the future (beyond the leeway).
    IssuedInFuture,
    /// `iss` is not the configured issuer.
    WrongIssuer,
    /// `aud` does not name this service.
    WrongAudience,
    /// A claim that must be there is missing or not of its type (`exp`, `iss`, `aud`,
    /// the person claim).
    MissingClaim,
    /// The service has no issuer configured: it accepts no tokens.
    NoIssuer,
}

impl TokenRefusal {
    /// The machine code, e.g. `not-yet-valid`.
    pub fn code(self) -> &'static str {
        match self {
            TokenRefusal::Malformed => "malformed",
            TokenRefusal::AlgorithmNotAccepted => "algorithm-not-accepted",
            TokenRefusal::UnknownKey => "unknown-key",
            TokenRefusal::BadSignature => "bad-signature",
            TokenRefusal::Expired => "expired",
            TokenRefusal::NotYetValid => "not-yet-valid",
            TokenRefusal::IssuedInFuture => "issued-in-future",
            TokenRefusal::WrongIssuer => "wrong-issuer",
            TokenRefusal::WrongAudience => "wrong-audience",
            TokenRefusal::MissingClaim => "missing-claim",
            TokenRefusal::NoIssuer => "no-issuer",
        }
    }

    /// What it means, in Swedish and English.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            TokenRefusal::Malformed => {
                ("token är ingen giltig JWT", "the token is not a valid JWT")
            }
            TokenRefusal::AlgorithmNotAccepted => (
                "tokens algoritm godtas inte (bara utfärdarens asymmetriska nycklar)",
                "the token's algorithm is not accepted (only the issuer's asymmetric keys)",
            ),
            TokenRefusal::UnknownKey => (
                "ingen av utfärdarens nycklar har tokens nyckel-id (kid)",
                "no key of the issuer has the token's key id (kid)",
            ),
            TokenRefusal::BadSignature => (
                "signaturen stämmer inte med utfärdarens nyckel",
                "the signature does not verify with the issuer's key",
            ),
            TokenRefusal::Expired => ("token har gått ut (exp)", "the token has expired (exp)"),
            TokenRefusal::NotYetValid => (
                "token gäller ännu inte (nbf ligger i framtiden)",
                "the token is not valid yet (nbf lies in the future)",
            ),
            TokenRefusal::IssuedInFuture => (
                "token är utfärdad i framtiden (iat)",
                "the token was issued in the future (iat)",
            ),
            TokenRefusal::WrongIssuer => (
                "token kommer från fel utfärdare (iss)",
                "the token comes from the wrong issuer (iss)",
            ),
            TokenRefusal::WrongAudience => (
                "token är inte utfärdad för den här tjänsten (aud)",
                "the token was not issued for this service (aud)",
            ),
            TokenRefusal::MissingClaim => (
                "ett krävt anspråk saknas eller har fel typ",
                "a required claim is missing or of the wrong type",
            ),
            TokenRefusal::NoIssuer => (
                "tjänsten tar inte emot inloggningar (ingen utfärdare konfigurerad)",
                "this service accepts no tokens (no issuer configured)",
            ),
        }
    }

    fn of(kind: &jsonwebtoken::errors::ErrorKind) -> Self {
        use jsonwebtoken::errors::ErrorKind as K;
        match kind {
            K::ExpiredSignature => TokenRefusal::Expired,
            K::ImmatureSignature => TokenRefusal::NotYetValid,
            K::InvalidIssuer => TokenRefusal::WrongIssuer,
            K::InvalidAudience => TokenRefusal::WrongAudience,
            K::InvalidSignature | K::InvalidEcdsaKey | K::InvalidEddsaKey | K::InvalidRsaKey(_) => {
                TokenRefusal::BadSignature
            }
            K::InvalidAlgorithm
            | K::InvalidAlgorithmName
            | K::UnsupportedAlgorithm
            | K::MissingAlgorithm => TokenRefusal::AlgorithmNotAccepted,
            K::MissingRequiredClaim(_) | K::InvalidClaimFormat(_) => TokenRefusal::MissingClaim,
            _ => TokenRefusal::Malformed,
        }
    }
}

/// The algorithms a token may be signed with: the asymmetric ones an issuer's JWKS
/// publishes keys for. `none` and the symmetric `HS*` (whose "key" would be the
/// issuer's public key) never.
const ACCEPTED_ALGORITHMS: [&str; 9] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
];

/// The `alg` of a token's header, read without trusting anything else in it.
fn header_alg(token: &str) -> Option<String> {
    use base64::Engine as _;
    let head = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head.trim_end_matches('='))
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("alg")?.as_str().map(str::to_owned)
}

/// What the caller may do beyond the engine's own checks.
#[derive(Debug, Clone)]
pub enum Scope {
    /// A person: wherever they hold a role; the engine checks each command.
    Person,
    /// An integration's key.
    Key {
        /// Its tenant.
        tenant: TenantId,
        /// The commands it may send.
        commands: CommandScope,
        /// Reads only.
        read_only: bool,
    },
}

/// The authenticated caller (anropare).
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who acts.
    pub actor: Actor,
    /// Their scope.
    pub scope: Scope,
}

struct ApiKey {
    name: String,
    tenant: TenantId,
    commands: CommandScope,
    read_only: bool,
    actions: Vec<Action>,
    limit: RateLimitConfig,
}

struct Jwks {
    keys: Vec<(Option<String>, DecodingKey)>,
}

/// Checks credentials and rate limits (see the module docs).
pub struct Authenticator {
    oidc: Option<OidcConfig>,
    jwks: Arc<RwLock<Jwks>>,
    keys: HashMap<[u8; 32], Arc<ApiKey>>,
    default_limit: RateLimitConfig,
    limiters: Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("oidc", &self.oidc.as_ref().map(|o| &o.issuer))
            .field("api_keys", &self.keys.len())
            .finish()
    }
}

fn parse_jwks(text: &str, source_name: &str) -> Result<Jwks, AuthConfigError> {
    let set: JwkSet = serde_json::from_str(text).map_err(|e| AuthConfigError::Jwks {
        source_name: source_name.to_owned(),
        problem: e.to_string(),
    })?;
    let mut keys = Vec::new();
    for jwk in &set.keys {
        let key = DecodingKey::from_jwk(jwk).map_err(|e| AuthConfigError::Jwks {
            source_name: source_name.to_owned(),
            problem: e.to_string(),
        })?;
        keys.push((jwk.common.key_id.clone(), key));
    }
    Ok(Jwks { keys })
}

fn fetch_jwks(url: &str) -> Result<Jwks, AuthConfigError> {
    let text = ureq::get(url)
        .call()
        .and_then(|mut r| r.body_mut().read_to_string())
        .map_err(|e| AuthConfigError::Jwks {
            source_name: url.to_owned(),
            problem: e.to_string(),
        })?;
    parse_jwks(&text, url)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

impl Authenticator {
    /// Builds the authenticator: reads the JWKS (file or URL) and checks every key's
    /// entry. A configuration that names an unknown action or has a key without a
    /// secret is refused, naming the entry.
    pub fn new(config: &AuthConfig) -> Result<Self, AuthConfigError> {
        let mut keys = HashMap::new();
        for (i, k) in config.api_keys.iter().enumerate() {
            let place = format!("api_keys[{i}] ({})", k.name);
            let digest = match (&k.key, &k.key_sha256) {
                (Some(key), None) => sha256(key),
                (None, Some(h)) => {
                    let h = h.trim().to_lowercase();
                    let mut out = [0u8; 32];
                    if h.len() != 64 {
                        return Err(AuthConfigError::Invalid {
                            place,
                            problem: "key_sha256 must be 64 hex digits".into(),
                        });
                    }
                    for (j, o) in out.iter_mut().enumerate() {
                        *o = u8::from_str_radix(h.get(j * 2..j * 2 + 2).unwrap_or("zz"), 16)
                            .map_err(|_| AuthConfigError::Invalid {
                                place: place.clone(),
                                problem: "key_sha256 must be 64 hex digits".into(),
                            })?;
                    }
                    out
                }
                _ => {
                    return Err(AuthConfigError::Invalid {
                        place,
                        problem: "give exactly one of key and key_sha256".into(),
                    });
                }
            };
            let mut actions = Vec::new();
            for a in &k.actions {
                actions.push(
                    Action::from_name(a).ok_or_else(|| AuthConfigError::Invalid {
                        place: place.clone(),
                        problem: format!(
                            "unknown action \"{a}\"; known: {}",
                            Action::ALL
                                .iter()
                                .map(|a| a.name())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    })?,
                );
            }
            let commands = if k.read_only {
                if !k.commands.is_empty() {
                    return Err(AuthConfigError::Invalid {
                        place,
                        problem: "a read_only key sends no commands: leave commands out".into(),
                    });
                }
                CommandScope::none()
            } else {
                CommandScope::only(k.commands.iter().cloned()).map_err(|e| {
                    AuthConfigError::Invalid {
                        place: place.clone(),
                        problem: e.to_string(),
                    }
                })?
            };
            let limit = RateLimitConfig {
                per_second: k.per_second.unwrap_or(config.rate_limit.per_second),
                burst: k.burst.unwrap_or(config.rate_limit.burst),
            };
            if keys.contains_key(&digest) {
                return Err(AuthConfigError::Invalid {
                    place,
                    problem: "the same key is configured twice".into(),
                });
            }
            keys.insert(
                digest,
                Arc::new(ApiKey {
                    name: k.name.clone(),
                    tenant: TenantId::new(k.tenant.clone()),
                    commands,
                    read_only: k.read_only,
                    actions,
                    limit,
                }),
            );
        }
        if let Some(o) = &config.oidc
            && o.leeway_seconds > MAX_LEEWAY_SECONDS
        {
            return Err(AuthConfigError::Invalid {
                place: "oidc.leeway_seconds".into(),
                problem: format!(
                    "{} seconds is more than the {MAX_LEEWAY_SECONDS} allowed",
                    o.leeway_seconds
                ),
            });
        }
        let jwks = match &config.oidc {
            None => Jwks { keys: Vec::new() },
            Some(o) => match (&o.jwks_file, &o.jwks_url) {
                (Some(file), None) => {
                    let text =
                        std::fs::read_to_string(file).map_err(|e| AuthConfigError::Jwks {
                            source_name: file.display().to_string(),
                            problem: e.to_string(),
                        })?;
                    parse_jwks(&text, &file.display().to_string())?
                }
                (None, Some(url)) => fetch_jwks(url)?,
                _ => {
                    return Err(AuthConfigError::Invalid {
                        place: "oidc".into(),
                        problem: "give exactly one of jwks_file and jwks_url".into(),
                    });
                }
            },
        };
        Ok(Authenticator {
            oidc: config.oidc.clone(),
            jwks: Arc::new(RwLock::new(jwks)),
            keys,
            default_limit: config.rate_limit,
            limiters: Mutex::new(HashMap::new()),
        })
    }

    /// Fetches the JWKS URL again every `refresh_seconds` (when one is configured).
    pub fn spawn_refresh(&self) {
        let Some(o) = &self.oidc else { return };
        let Some(url) = o.jwks_url.clone() else {
            return;
        };
        let every = std::time::Duration::from_secs(o.refresh_seconds.max(10));
        let jwks = Arc::clone(&self.jwks);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let u = url.clone();
                match tokio::task::spawn_blocking(move || fetch_jwks(&u)).await {
                    Ok(Ok(fresh)) => {
                        *jwks.write().unwrap_or_else(|p| p.into_inner()) = fresh;
                    }
                    Ok(Err(e)) => tracing::warn!(error = %e, "JWKS refresh failed"),
                    Err(e) => tracing::warn!(error = %e, "JWKS refresh failed"),
                }
            }
        });
    }

    fn limiter(&self, id: &str, limit: RateLimitConfig) -> Arc<DefaultDirectRateLimiter> {
        let mut map = self.limiters.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(map.entry(id.to_owned()).or_insert_with(|| {
            let rate = NonZeroU32::new(limit.per_second).unwrap_or(NonZeroU32::MIN);
            let burst = NonZeroU32::new(limit.burst).unwrap_or(rate);
            Arc::new(RateLimiter::direct(
                Quota::per_second(rate).allow_burst(burst),
            ))
        }))
    }

    fn unauthorized(lang: Language, sv: &str, en: &str) -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            lang,
            ("Inloggning krävs", "Authentication required"),
            (sv.to_owned(), en.to_owned()),
        )
        .header(header::WWW_AUTHENTICATE, "Bearer")
    }

    fn forbidden(lang: Language, sv: String, en: String) -> Problem {
        Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            lang,
            ("Åtkomst nekad", "Access denied"),
            (sv, en),
        )
    }

    /// Who is calling, from the `Authorization: Bearer` or `X-Api-Key` header, for a
    /// request to `tenant` with `method`. Refused (401, 403, 404 or 429) unless the
    /// credentials are valid, the caller may reach the tenant, and within its rate.
    pub fn authenticate(
        &self,
        headers: &axum::http::HeaderMap,
        method: &Method,
        tenant: &str,
        deployment: &Deployment,
        lang: Language,
    ) -> Result<Caller, Problem> {
        let api_key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        let (caller, limiter_id, limit) = if let Some(key) = api_key {
            let Some(k) = self.keys.get(&sha256(key.trim())) else {
                return Err(Self::unauthorized(
                    lang,
                    "API-nyckeln är okänd",
                    "the API key is unknown",
                ));
            };
            if k.tenant.as_str() != tenant {
                return Err(Self::forbidden(
                    lang,
                    format!(
                        "API-nyckeln {} gäller länet {}, inte {tenant}",
                        k.name, k.tenant
                    ),
                    format!(
                        "the API key {} is for tenant {}, not {tenant}",
                        k.name, k.tenant
                    ),
                )
                .with("tenant", tenant));
            }
            if k.read_only && method != Method::GET && method != Method::HEAD {
                return Err(Self::forbidden(
                    lang,
                    format!("API-nyckeln {} får bara läsa", k.name),
                    format!("the API key {} may only read", k.name),
                )
                .with("read_only", true));
            }
            (
                Caller {
                    actor: Actor::service_scoped(k.name.clone(), &k.actions, k.commands.clone()),
                    scope: Scope::Key {
                        tenant: k.tenant.clone(),
                        commands: k.commands.clone(),
                        read_only: k.read_only,
                    },
                },
                format!("key:{}", k.name),
                k.limit,
            )
        } else if let Some(token) = bearer {
            let person = self.person_of(token, lang)?;
            let Some(county) = deployment.county(&TenantId::new(tenant)) else {
                return Err(Problem::unknown_tenant(tenant, lang));
            };
            let org = county.org();
            if !org.memberships.iter().any(|m| m.person == person) {
                return Err(Self::forbidden(
                    lang,
                    format!("{person} har ingen roll i länet {tenant}"),
                    format!("{person} holds no role in tenant {tenant}"),
                )
                .with("person", person.to_string())
                .with("tenant", tenant));
            }
            (
                Caller {
                    actor: Actor::Person(person.clone()),
                    scope: Scope::Person,
                },
                format!("person:{person}"),
                self.default_limit,
            )
        } else {
            return Err(Self::unauthorized(
                lang,
                "ange en Bearer-token eller en API-nyckel (X-Api-Key)",
                "give a Bearer token or an API key (X-Api-Key)",
            ));
        };
        if self.limiter(&limiter_id, limit).check().is_err() {
            return Err(Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                lang,
                ("För många anrop", "Too many requests"),
                (
                    "för många anrop: vänta en stund".to_owned(),
                    "too many requests: wait a moment".to_owned(),
                ),
            )
            .header(header::RETRY_AFTER, "1"));
        }
        Ok(caller)
    }

    fn person_of(&self, token: &str, lang: Language) -> Result<PersonId, Problem> {
        self.check_token(token).map_err(|(reason, more)| {
            let (sv, en) = reason.words();
            let (sv, en) = match more {
                Some(m) => (
                    format!("ogiltig token: {sv} ({m})"),
                    format!("invalid token: {en} ({m})"),
                ),
                None => (
                    format!("ogiltig token: {sv}"),
                    format!("invalid token: {en}"),
                ),
            };
            Self::unauthorized(lang, &sv, &en).with("reason", reason.code())
        })
    }

    /// Checks a Bearer token completely: its algorithm (asymmetric, as the issuer's
    /// key), its signature by a key of the issuer, `iss`, `aud`, `exp` and `nbf` (with
    /// the leeway), `iat` not in the future beyond the leeway, and the person claim.
    /// A refusal says why, with what the check found when that helps.
    pub fn check_token(&self, token: &str) -> Result<PersonId, (TokenRefusal, Option<String>)> {
        let Some(oidc) = &self.oidc else {
            return Err((TokenRefusal::NoIssuer, None));
        };
        match header_alg(token) {
            None => return Err((TokenRefusal::Malformed, None)),
            Some(alg) if !ACCEPTED_ALGORITHMS.contains(&alg.as_str()) => {
                return Err((
                    TokenRefusal::AlgorithmNotAccepted,
                    Some(format!("alg {alg}")),
                ));
            }
            Some(_) => {}
        }
        let head = jsonwebtoken::decode_header(token)
            .map_err(|e| (TokenRefusal::of(e.kind()), Some(e.to_string())))?;
        if matches!(
            head.alg,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        ) {
            return Err((
                TokenRefusal::AlgorithmNotAccepted,
                Some(format!("alg {:?}", head.alg)),
            ));
        }
        let mut validation = Validation::new(head.alg);
        validation.set_issuer(&[oidc.issuer.as_str()]);
        validation.set_audience(&[oidc.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = oidc.leeway_seconds;
        let jwks = self.jwks.read().unwrap_or_else(|p| p.into_inner());
        // A key whose signature verified tells the claims' problem; otherwise the
        // signature's (or, without a key of that kid, the unknown key).
        let mut refusal: Option<(TokenRefusal, Option<String>)> = None;
        for (_, key) in jwks.keys.iter().filter(|(kid, _)| {
            head.kid.is_none() || kid.is_none() || kid.as_deref() == head.kid.as_deref()
        }) {
            match jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
                token,
                key,
                &validation,
            ) {
                Ok(data) => {
                    let now = chrono::Utc::now().timestamp();
                    let leeway = i64::try_from(oidc.leeway_seconds).unwrap_or(i64::MAX);
                    match data.claims.get("iat") {
                        None => {}
                        Some(v) => match v.as_f64() {
                            Some(iat) if iat > (now.saturating_add(leeway)) as f64 => {
                                return Err((
                                    TokenRefusal::IssuedInFuture,
                                    Some(format!("iat {iat}, now {now}")),
                                ));
                            }
                            Some(_) => {}
                            None => {
                                return Err((
                                    TokenRefusal::MissingClaim,
                                    Some("iat is not a number".into()),
                                ));
                            }
                        },
                    }
                    let Some(person) = data.claims.get(&oidc.person_claim).and_then(|v| v.as_str())
                    else {
                        return Err((
                            TokenRefusal::MissingClaim,
                            Some(format!(
                                "the claim \"{}\" naming the person",
                                oidc.person_claim
                            )),
                        ));
                    };
                    return Ok(PersonId::new(person));
                }
                Err(e) => {
                    let reason = TokenRefusal::of(e.kind());
                    let signature_failed = matches!(
                        reason,
                        TokenRefusal::BadSignature | TokenRefusal::AlgorithmNotAccepted
                    );
                    if refusal.is_none() || !signature_failed {
                        refusal = Some((reason, None));
                    }
                    if !signature_failed {
                        break;
                    }
                }
            }
        }
        Err(refusal.unwrap_or((
            TokenRefusal::UnknownKey,
            head.kid.map(|k| format!("kid {k}")),
        )))
    }

    /// The hex SHA-256 of a key, for `key_sha256` in the configuration.
    pub fn key_digest(key: &str) -> String {
        hex(&sha256(key))
    }
}

/// The tenant a `/v1/{tenant}/…` path names.
pub fn tenant_of(path: &str) -> Option<&str> {
    let mut parts = path.trim_start_matches('/').split('/');
    match (parts.next(), parts.next()) {
        (Some("v1"), Some(t)) if !t.is_empty() => Some(t),
        _ => None,
    }
}

/// The middleware in front of `/v1/{tenant}/…`: authenticates, checks the tenant and
/// the rate, and passes the caller on as request extensions (`Actor` and [`Caller`]).
pub async fn require_caller(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let lang = from_headers(req.headers());
    let Some(tenant) = tenant_of(req.uri().path()).map(str::to_owned) else {
        return next.run(req).await;
    };
    let deployment = state.deployment();
    match state
        .auth()
        .authenticate(req.headers(), req.method(), &tenant, &deployment, lang)
    {
        Ok(caller) => {
            if deployment.county(&TenantId::new(tenant.as_str())).is_none() {
                let p = Problem::unknown_tenant(&tenant, lang);
                return refuse(req, p, state.max_body_bytes()).await;
            }
            req.extensions_mut().insert(caller.actor.clone());
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(p) => refuse(req, p, state.max_body_bytes()).await,
    }
}

/// Refuses a request after reading its body (up to `limit`), so that the connection
/// stays usable for the client's next request.
async fn refuse(req: Request, problem: Problem, limit: usize) -> Response {
    let _ = axum::body::to_bytes(req.into_body(), limit).await;
    problem.into_response()
}

/// The tenant of a path of another crate's routes: `/oparl/v1/{tenant}/…`,
/// `/feeds/{tenant}/…`, `/ui/{tenant}/…`.
pub(crate) fn extension_tenant(path: &str) -> Option<&str> {
    let mut parts = path.trim_start_matches('/').split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("oparl"), Some("v1"), Some(t)) if !t.is_empty() => Some(t),
        (Some("feeds" | "ui"), Some(t), _) if !t.is_empty() => Some(t),
        _ => None,
    }
}

/// The middleware in front of other crates' routes (OParl, feeds, dashboard): public
/// reads stay public, but a caller who gives credentials must give valid ones, and is
/// then passed on as `Actor` and [`Caller`] extensions.
pub async fn optional_caller(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let has_credentials = req.headers().contains_key(header::AUTHORIZATION)
        || req.headers().contains_key("x-api-key");
    if !has_credentials {
        return next.run(req).await;
    }
    let lang = from_headers(req.headers());
    let tenant = extension_tenant(req.uri().path()).unwrap_or("").to_owned();
    let deployment = state.deployment();
    match state
        .auth()
        .authenticate(req.headers(), req.method(), &tenant, &deployment, lang)
    {
        Ok(caller) => {
            req.extensions_mut().insert(caller.actor.clone());
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(p) => refuse(req, p, state.max_body_bytes()).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_with_a_command_pattern_naming_no_aggregate_is_refused_with_its_place() {
        let config: AuthConfig = toml::from_str(
            "[[api_keys]]\nname = \"diarium\"\nkey = \"s3cret\"\ntenant = \"orebro\"\ncommands = [\"matters/submit\"]\n",
        )
        .expect("the file parses");
        let err = Authenticator::new(&config).expect_err("an unknown aggregate");
        assert!(err.to_string().contains("api_keys[0] (diarium)"), "{err}");
        assert!(err.to_string().contains("matters/submit"), "{err}");
    }

    #[test]
    fn a_leeway_beyond_five_minutes_is_refused() {
        let config: AuthConfig = toml::from_str(
            "[oidc]\nissuer = \"i\"\naudience = \"a\"\njwks_file = \"/nonexistent\"\nleeway_seconds = 301\n",
        )
        .expect("the file parses");
        let err = Authenticator::new(&config).expect_err("too much leeway");
        assert!(err.to_string().contains("oidc.leeway_seconds"), "{err}");
    }

    #[test]
    fn a_key_naming_an_unknown_action_is_refused_with_its_place() {
        let config: AuthConfig = toml::from_str(
            "[[api_keys]]\nname = \"diarium\"\nkey = \"s3cret\"\ntenant = \"orebro\"\nactions = [\"fly\"]\n",
        )
        .expect("the file parses");
        let err = Authenticator::new(&config).expect_err("an unknown action");
        assert!(err.to_string().contains("api_keys[0] (diarium)"), "{err}");
        assert!(err.to_string().contains("fly"), "{err}");
    }
}
