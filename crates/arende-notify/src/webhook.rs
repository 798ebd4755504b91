//! Webhooks: an HTTP POST of the message's JSON body ([`Outgoing::wire_json`]), signed
//! per [Standard Webhooks](https://www.standardwebhooks.com/):
//! - `webhook-id`: the idempotency key (the outbox message id), the same on every retry;
//! - `webhook-timestamp`: unix seconds of the attempt (from the injected clock);
//! - `webhook-signature`: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one
//!   per signing secret, space-separated (so a secret can be rotated without a gap).
//!
//! Receivers call [`verify`]: it compares in constant time (`hmac`'s `verify_slice`),
//! rejects timestamps more than [`TOLERANCE_SECONDS`] off, and accepts the message when
//! any signature matches any of its secrets.
//!
//! Answers: 2xx is delivered. **410 Gone disables the endpoint**: the message that got
//! it is parked (a permanent failure, visible in `Outbox::parked` with the reason),
//! the endpoint is remembered as disabled (in memory and, with
//! [`WebhookTransport::with_state_file`], across restarts), and later messages are not
//! sent to it and count as delivered for this transport (the receiver said it wants no
//! more; with a [`Fanout`](crate::transport::Fanout) the other transports still carry
//! them). 408, 429 and 5xx are retried; other 4xx are permanent. Network errors are
//! retried.
//!
//! The HTTP client is `ureq` (blocking, small, rustls), run on tokio's blocking pool.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arende_core::ids::TenantId;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::NotifyError;
use crate::render::Outgoing;
use crate::transport::{BoxFuture, DeliveryError, Transport};

type HmacSha256 = Hmac<Sha256>;

/// The shortest secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 24;
/// How far a timestamp may be from the receiver's clock, in seconds.
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

/// A signing secret (at least [`MIN_SECRET_BYTES`] bytes).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

/// A secret that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// Fewer than [`MIN_SECRET_BYTES`] bytes.
    #[error("a webhook secret needs at least {MIN_SECRET_BYTES} bytes, this one has {0}")]
    TooShort(usize),
    /// Not base64 (after the optional `whsec_` prefix).
    #[error("a webhook secret is whsec_ followed by base64 (Standard Webhooks): {0}")]
    NotBase64(String),
}

impl Secret {
    /// A secret from raw bytes.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Result<Secret, SecretError> {
        let bytes = bytes.into();
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(SecretError::TooShort(bytes.len()));
        }
        Ok(Secret(bytes))
    }

    /// A secret as configured, read as the Standard Webhooks reference libraries read
    /// it: `whsec_<base64>`, or the base64 alone (the prefix is optional). The same
    /// text therefore signs here and verifies there. Text that is not base64 is
    /// refused rather than used as raw bytes (which the other side would decode
    /// differently).
    pub fn parse(text: &str) -> Result<Secret, SecretError> {
        let b64 = text.trim();
        let b64 = b64.strip_prefix("whsec_").unwrap_or(b64);
        let bytes = B64
            .decode(b64)
            .map_err(|e| SecretError::NotBase64(e.to_string()))?;
        Secret::from_bytes(bytes)
    }

    /// The `whsec_<base64>` form.
    pub fn to_whsec(&self) -> String {
        format!("whsec_{}", B64.encode(&self.0))
    }

    fn mac(&self, id: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
        // HMAC accepts keys of any length.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

/// The signature `v1,<base64>` of a message with one secret.
pub fn sign(id: &str, timestamp: i64, body: &[u8], secret: &Secret) -> String {
    let tag = secret.mac(id, timestamp, body).finalize().into_bytes();
    format!("v1,{}", B64.encode(tag))
}

/// The `webhook-signature` header value: one signature per secret, space-separated.
pub fn signature_header(id: &str, timestamp: i64, body: &[u8], secrets: &[Secret]) -> String {
    secrets
        .iter()
        .map(|s| sign(id, timestamp, body, s))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why a webhook was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A required header is missing.
    #[error("missing header {0}")]
    MissingHeader(&'static str),
    /// `webhook-timestamp` is not a number of seconds.
    #[error("webhook-timestamp is not unix seconds: {0:?}")]
    BadTimestamp(String),
    /// The timestamp is more than the tolerance away from now.
    #[error("webhook-timestamp {timestamp} is {skew} s from now (tolerance {TOLERANCE_SECONDS} s)")]
    Expired {
        /// The timestamp sent.
        timestamp: i64,
        /// How far off it is.
        skew: i64,
    },
    /// No signature matches any secret.
    #[error("no valid v1 signature for any configured secret")]
    NoMatch,
    /// The receiver has no secret configured.
    #[error("no secret configured")]
    NoSecrets,
}

/// Verifies a received webhook. `headers` are (name, value) pairs, names in any case.
pub fn verify<K, V>(
    headers: impl IntoIterator<Item = (K, V)>,
    body: &[u8],
    secrets: &[Secret],
    now: DateTime<Utc>,
) -> Result<(), VerifyError>
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    if secrets.is_empty() {
        return Err(VerifyError::NoSecrets);
    }
    let (mut id, mut ts, mut sig) = (None, None, None);
    for (k, v) in headers {
        let k = k.as_ref().to_ascii_lowercase();
        let v = v.as_ref().to_owned();
        match k.as_str() {
            "webhook-id" => id = Some(v),
            "webhook-timestamp" => ts = Some(v),
            "webhook-signature" => sig = Some(v),
            _ => {}
        }
    }
    let id = id.ok_or(VerifyError::MissingHeader("webhook-id"))?;
    let ts_text = ts.ok_or(VerifyError::MissingHeader("webhook-timestamp"))?;
    let sig = sig.ok_or(VerifyError::MissingHeader("webhook-signature"))?;
    let timestamp: i64 = ts_text
        .trim()
        .parse()
        .map_err(|_| VerifyError::BadTimestamp(ts_text.clone()))?;
    let skew = (now.timestamp() - timestamp).abs();
    if skew > TOLERANCE_SECONDS {
        return Err(VerifyError::Expired { timestamp, skew });
    }
    for candidate in sig.split_whitespace() {
        let Some(b64) = candidate.strip_prefix("v1,") else {
            continue;
        };
        let Ok(tag) = B64.decode(b64) else {
            continue;
        };
        for secret in secrets {
            if secret.mac(&id, timestamp, body).verify_slice(&tag).is_ok() {
                return Ok(());
            }
        }
    }
    Err(VerifyError::NoMatch)
}

/// One receiver of webhooks.
#[derive(Debug, Clone)]
pub struct WebhookEndpoint {
    /// The URL POSTed to.
    pub url: String,
    /// The signing secrets (each signs; the receiver needs one of them).
    pub secrets: Vec<Secret>,
    /// Only these organisations' messages (all when `None`).
    pub tenants: Option<Vec<TenantId>>,
    /// Only these kinds, e.g. `notice` (all when `None`).
    pub kinds: Option<Vec<String>>,
}

/// Why and when an endpoint was disabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disabled {
    /// The endpoint's URL.
    pub url: String,
    /// When (from the dispatcher's clock).
    pub at: DateTime<Utc>,
    /// The message that got the answer.
    pub message: uuid::Uuid,
    /// The answer.
    pub reason: String,
}

/// The webhook transport for one endpoint (several: use a `Fanout`).
pub struct WebhookTransport {
    endpoint: WebhookEndpoint,
    agent: ureq::Agent,
    disabled: Arc<Mutex<Option<Disabled>>>,
    state_file: Option<PathBuf>,
}

impl WebhookTransport {
    /// A transport for `endpoint`, with `timeout` per request.
    pub fn new(
        endpoint: WebhookEndpoint,
        timeout: std::time::Duration,
    ) -> Result<Self, NotifyError> {
        if endpoint.secrets.is_empty() {
            return Err(NotifyError::Setup {
                transport: "webhook",
                message: format!("endpoint {} has no signing secret", endpoint.url),
            });
        }
        if !(endpoint.url.starts_with("http://") || endpoint.url.starts_with("https://")) {
            return Err(NotifyError::Setup {
                transport: "webhook",
                message: format!("endpoint URL must be http(s): {}", endpoint.url),
            });
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Ok(WebhookTransport {
            endpoint,
            agent,
            disabled: Arc::new(Mutex::new(None)),
            state_file: None,
        })
    }

    /// Remembers a disablement in `path` (JSON), and reads one left by an earlier run.
    pub fn with_state_file(mut self, path: impl Into<PathBuf>) -> Result<Self, NotifyError> {
        let path = path.into();
        if let Ok(text) = std::fs::read_to_string(&path) {
            let all: BTreeMap<String, Disabled> =
                serde_json::from_str(&text).map_err(|e| NotifyError::Setup {
                    transport: "webhook",
                    message: format!("state file {}: {e}", path.display()),
                })?;
            *self.lock() = all.get(&self.endpoint.url).cloned();
        }
        self.state_file = Some(path);
        Ok(self)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Disabled>> {
        self.disabled.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether (and why) the endpoint is disabled.
    pub fn disabled(&self) -> Option<Disabled> {
        self.lock().clone()
    }

    /// Enables the endpoint again (an operator confirmed it is back).
    pub fn enable(&self) -> Result<(), NotifyError> {
        *self.lock() = None;
        self.save()
    }

    fn save(&self) -> Result<(), NotifyError> {
        let Some(path) = &self.state_file else {
            return Ok(());
        };
        let mut all: BTreeMap<String, Disabled> = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        match self.disabled() {
            Some(d) => all.insert(self.endpoint.url.clone(), d),
            None => all.remove(&self.endpoint.url),
        };
        let text = serde_json::to_string_pretty(&all).unwrap_or_default();
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| NotifyError::Setup {
                transport: "webhook",
                message: format!("state file {}: {e}", path.display()),
            })
    }

    fn wants(&self, msg: &Outgoing) -> bool {
        self.endpoint
            .tenants
            .as_ref()
            .is_none_or(|t| t.contains(&msg.tenant))
            && self
                .endpoint
                .kinds
                .as_ref()
                .is_none_or(|k| k.contains(&msg.kind))
    }
}

impl Transport for WebhookTransport {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn deliver<'a>(&'a self, msg: &'a Outgoing) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            if !self.wants(msg) || self.disabled().is_some() {
                return Ok(());
            }
            let body = msg.wire_json();
            let id = msg.id.to_string();
            let ts = msg.at.timestamp();
            let signature = signature_header(&id, ts, &body, &self.endpoint.secrets);
            let agent = self.agent.clone();
            let url = self.endpoint.url.clone();
            let answer = tokio::task::spawn_blocking(move || {
                agent
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("webhook-id", &id)
                    .header("webhook-timestamp", ts.to_string())
                    .header("webhook-signature", &signature)
                    .send(&body[..])
                    .map(|r| r.status().as_u16())
            })
            .await
            .map_err(|e| DeliveryError::transient("webhook", format!("request task: {e}")))?;
            let status = answer.map_err(|e| {
                DeliveryError::transient("webhook", format!("{}: {e}", self.endpoint.url))
            })?;
            match status {
                200..=299 => Ok(()),
                410 => {
                    *self.lock() = Some(Disabled {
                        url: self.endpoint.url.clone(),
                        at: msg.at,
                        message: msg.id,
                        reason: "410 Gone".into(),
                    });
                    // The disablement holds in memory even if it cannot be saved.
                    let saved = self
                        .save()
                        .err()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default();
                    Err(DeliveryError::permanent(
                        "webhook",
                        format!(
                            "{} answered 410 Gone: endpoint disabled{saved}",
                            self.endpoint.url
                        ),
                    ))
                }
                408 | 429 | 500..=599 => Err(DeliveryError::transient(
                    "webhook",
                    format!("{} answered {status}", self.endpoint.url),
                )),
                _ => Err(DeliveryError::permanent(
                    "webhook",
                    format!("{} answered {status}", self.endpoint.url),
                )),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(c: u8) -> Secret {
        Secret::from_bytes(vec![c; 32]).unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_728_982_800, 0).unwrap()
    }

    fn headers(id: &str, ts: i64, sig: &str) -> Vec<(String, String)> {
        vec![
            ("Webhook-Id".into(), id.into()),
            ("webhook-timestamp".into(), ts.to_string()),
            ("WEBHOOK-SIGNATURE".into(), sig.into()),
        ]
    }

    #[test]
    fn matches_the_standard_webhooks_reference_vector() {
        // The example of the Standard Webhooks specification's reference libraries.
        let s = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, &s),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn short_secrets_are_refused() {
        assert_eq!(
            Secret::from_bytes(vec![1; 23]),
            Err(SecretError::TooShort(23))
        );
        assert!(Secret::parse("whsec_!!!").is_err());
        // Plain text is not a Standard Webhooks secret: the reference libraries would
        // base64-decode it, so it is refused instead of signing with other bytes.
        assert!(Secret::parse("a-long-enough-plain-secret-text").is_err());
        assert_eq!(
            Secret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap(),
            Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap()
        );
        let s = secret(7);
        assert_eq!(Secret::parse(&s.to_whsec()).unwrap(), s);
    }

    #[test]
    fn verify_accepts_any_secret_and_any_signature_in_the_list() {
        let body = b"{\"x\":1}";
        let (old, new) = (secret(1), secret(2));
        let ts = now().timestamp();
        let sig = signature_header("m1", ts, body, &[old.clone(), new.clone()]);
        assert_eq!(sig.split(' ').count(), 2);
        // A receiver that already rotated to the new secret, or not yet.
        assert_eq!(
            verify(
                headers("m1", ts, &sig),
                body,
                std::slice::from_ref(&new),
                now()
            ),
            Ok(())
        );
        assert_eq!(
            verify(
                headers("m1", ts, &sig),
                body,
                std::slice::from_ref(&old),
                now()
            ),
            Ok(())
        );
        // A sender with only the new secret, a receiver with both.
        let sig_new = sign("m1", ts, body, &new);
        assert_eq!(
            verify(
                headers("m1", ts, &sig_new),
                body,
                &[old.clone(), new],
                now()
            ),
            Ok(())
        );
        assert_eq!(
            verify(headers("m1", ts, &sig_new), body, &[old], now()),
            Err(VerifyError::NoMatch)
        );
    }

    #[test]
    fn verify_rejects_tampering_skew_and_missing_headers() {
        let s = secret(3);
        let body = b"{\"x\":1}";
        let ts = now().timestamp();
        let sig = sign("m1", ts, body, &s);
        let ok = |h, b: &[u8], at| verify(h, b, std::slice::from_ref(&s), at);
        assert_eq!(
            ok(headers("m1", ts, &sig), b"{\"x\":2}", now()),
            Err(VerifyError::NoMatch)
        );
        assert_eq!(
            ok(headers("m2", ts, &sig), body, now()),
            Err(VerifyError::NoMatch)
        );
        assert_eq!(
            ok(headers("m1", ts, "v2,abc v1,!!"), body, now()),
            Err(VerifyError::NoMatch)
        );
        let at = now() + chrono::Duration::seconds(TOLERANCE_SECONDS);
        assert_eq!(ok(headers("m1", ts, &sig), body, at), Ok(()));
        let late = now() + chrono::Duration::seconds(TOLERANCE_SECONDS + 1);
        assert_eq!(
            ok(headers("m1", ts, &sig), body, late),
            Err(VerifyError::Expired {
                timestamp: ts,
                skew: TOLERANCE_SECONDS + 1
            })
        );
        let early = now() - chrono::Duration::seconds(TOLERANCE_SECONDS + 1);
        assert!(matches!(
            ok(headers("m1", ts, &sig), body, early),
            Err(VerifyError::Expired { .. })
        ));
        let mut h = headers("m1", ts, &sig);
        h.remove(2);
        assert_eq!(
            ok(h, body, now()),
            Err(VerifyError::MissingHeader("webhook-signature"))
        );
        assert_eq!(
            ok(
                headers("m1", 0, &sig)
                    .into_iter()
                    .map(|(k, v)| (k, if v == "0" { "soon".into() } else { v }))
                    .collect::<Vec<_>>(),
                body,
                now()
            ),
            Err(VerifyError::BadTimestamp("soon".into()))
        );
        assert_eq!(
            verify(headers("m1", ts, &sig), body, &[], now()),
            Err(VerifyError::NoSecrets)
        );
    }
}
