//! NATS JetStream: each message is published to `PREFIX.<tenant>.<kind>` (one subject
//! per organisation and kind, e.g. `arende.orebro.notice`) with the outbox id as the
//! `Nats-Msg-Id` header, so JetStream drops a redelivery within the stream's duplicate
//! window. The transport makes sure the stream exists, with a duplicate window long
//! enough to cover a dispatcher's lease and retries (one day by default, where the
//! server's default is two minutes). A stream that already exists with a shorter
//! window than the redelivery horizon ([`redelivery_horizon`]) is refused with
//! [`NotifyError::DuplicateWindowTooShort`]: a retry after the window would be stored
//! twice.

use async_nats::jetstream;
use async_nats::jetstream::stream::Config as StreamConfig;

use crate::dispatcher::DispatchConfig;
use crate::error::NotifyError;
use crate::render::Outgoing;
use crate::transport::{BoxFuture, DeliveryError, Transport};

/// Where to publish.
#[derive(Debug, Clone)]
pub struct NatsConfig {
    /// The server URL, e.g. `nats://127.0.0.1:4222`.
    pub url: String,
    /// The JetStream stream that holds the messages.
    pub stream: String,
    /// The first subject token, e.g. `arende`.
    pub subject_prefix: String,
    /// How long JetStream remembers message ids to drop duplicates (set on a stream
    /// the transport creates).
    pub duplicate_window: std::time::Duration,
    /// How long after its first attempt a message may be published again (by a retry,
    /// or after a lease ran out): the stream's duplicate window must be at least this.
    /// [`redelivery_horizon`] of the dispatcher's configuration.
    pub redelivery_horizon: std::time::Duration,
}

/// How long after its first attempt the dispatcher may publish a message again: every
/// retry's longest delay (without jitter's shortening) plus a lease per attempt (a
/// crashed dispatcher's claim runs out before another takes the message).
pub fn redelivery_horizon(config: &DispatchConfig) -> std::time::Duration {
    let b = &config.backoff;
    let key = uuid::Uuid::nil();
    let no_jitter = crate::dispatcher::Backoff {
        jitter: false,
        ..*b
    };
    let mut total = chrono::Duration::zero();
    for failures in 1..b.max_attempts.max(1) {
        total = total
            .checked_add(&no_jitter.delay(failures, key))
            .unwrap_or(chrono::Duration::MAX);
    }
    let leases = config
        .lease
        .checked_mul(i32::try_from(b.max_attempts.max(1)).unwrap_or(i32::MAX))
        .unwrap_or(chrono::Duration::MAX);
    total
        .checked_add(&leases)
        .unwrap_or(chrono::Duration::MAX)
        .to_std()
        .unwrap_or(std::time::Duration::MAX)
}

impl NatsConfig {
    /// The defaults for a server at `url`: stream `ARENDE`, subjects `arende.>`, a one-day
    /// duplicate window, the redelivery horizon of the default dispatcher (about 21.5
    /// hours: eleven retries backing off from one minute to six hours, and a lease of
    /// five minutes per attempt).
    pub fn new(url: impl Into<String>) -> Self {
        NatsConfig {
            url: url.into(),
            stream: "ARENDE".into(),
            subject_prefix: "arende".into(),
            duplicate_window: std::time::Duration::from_secs(24 * 3600),
            redelivery_horizon: redelivery_horizon(&DispatchConfig::default()),
        }
    }
}

/// A subject token from free text: NATS separators and wildcards become `_`.
pub fn subject_token(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| match c {
            '.' | '*' | '>' => '_',
            c if c.is_whitespace() || c.is_control() => '_',
            c => c,
        })
        .collect();
    if t.is_empty() { "_".into() } else { t }
}

/// The NATS JetStream transport.
pub struct NatsTransport {
    js: jetstream::Context,
    config: NatsConfig,
}

impl NatsTransport {
    /// Connects and makes sure the stream exists.
    pub async fn connect(config: NatsConfig) -> Result<Self, NotifyError> {
        let setup = |message: String| NotifyError::Setup {
            transport: "nats",
            message,
        };
        let client = async_nats::connect(&config.url)
            .await
            .map_err(|e| setup(format!("{}: {e}", config.url)))?;
        let js = jetstream::new(client);
        let stream = js
            .get_or_create_stream(StreamConfig {
                name: config.stream.clone(),
                subjects: vec![format!("{}.>", config.subject_prefix)],
                duplicate_window: config.duplicate_window,
                ..Default::default()
            })
            .await
            .map_err(|e| setup(format!("stream {}: {e}", config.stream)))?;
        let window = stream.cached_info().config.duplicate_window;
        if window < config.redelivery_horizon {
            return Err(NotifyError::DuplicateWindowTooShort {
                stream: config.stream.clone(),
                window,
                horizon: config.redelivery_horizon,
            });
        }
        Ok(NatsTransport { js, config })
    }

    /// The subject of a message: `PREFIX.<tenant>.<kind>`.
    pub fn subject(&self, msg: &Outgoing) -> String {
        format!(
            "{}.{}.{}",
            self.config.subject_prefix,
            subject_token(msg.tenant.as_str()),
            subject_token(&msg.kind)
        )
    }

    /// The JetStream context (for consumers and tests).
    pub fn jetstream(&self) -> &jetstream::Context {
        &self.js
    }
}

impl Transport for NatsTransport {
    fn name(&self) -> &'static str {
        "nats"
    }

    fn deliver<'a>(&'a self, msg: &'a Outgoing) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert(
                async_nats::header::NATS_MESSAGE_ID,
                msg.id.to_string().as_str(),
            );
            headers.insert("Content-Type", "application/json");
            let ack = self
                .js
                .publish_with_headers(self.subject(msg), headers, msg.wire_json().into())
                .await
                .map_err(|e| DeliveryError::transient("nats", format!("publish: {e}")))?;
            // Acknowledged, whether stored now or recognised as a duplicate.
            ack.await.map_err(|e| {
                DeliveryError::transient("nats", format!("no acknowledgement: {e}"))
            })?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_window_covers_the_default_redelivery_horizon() {
        let horizon = redelivery_horizon(&DispatchConfig::default());
        // 1+2+4+…+256 minutes, then 6 h twice (the cap), and 12 leases of 5 minutes.
        let minutes = 1 + 2 + 4 + 8 + 16 + 32 + 64 + 128 + 256 + 360 + 360 + 12 * 5;
        assert_eq!(horizon, std::time::Duration::from_secs(60 * minutes));
        let c = NatsConfig::new("nats://x");
        assert!(c.duplicate_window >= c.redelivery_horizon);
        // The server's default of two minutes is far too short.
        assert!(std::time::Duration::from_secs(120) < horizon);
    }

    #[test]
    fn subject_tokens_cannot_split_or_wildcard() {
        assert_eq!(subject_token("orebro"), "orebro");
        assert_eq!(subject_token("a.b*c> d"), "a_b_c__d");
        assert_eq!(subject_token(""), "_");
    }
}
