//! NATS JetStream: each message is published to `PREFIX.<tenant>.<kind>` (one subject
//! per organisation and kind, e.g. `arende.orebro.notice`) with the outbox id as the
//! `Nats-Msg-Id` header, so JetStream drops a redelivery within the stream's duplicate
//! window. The transport makes sure the stream exists, with a duplicate window long
//! enough to cover a dispatcher's lease and retries (one day by default, where the
//! server's default is two minutes).

use async_nats::jetstream;
use async_nats::jetstream::stream::Config as StreamConfig;

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
    /// How long JetStream remembers message ids to drop duplicates.
    pub duplicate_window: std::time::Duration,
}

impl NatsConfig {
    /// The defaults for a server at `url`: stream `ARENDE`, subjects `arende.>`, a one-day
    /// duplicate window.
    pub fn new(url: impl Into<String>) -> Self {
        NatsConfig {
            url: url.into(),
            stream: "ARENDE".into(),
            subject_prefix: "arende".into(),
            duplicate_window: std::time::Duration::from_secs(24 * 3600),
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
        js.get_or_create_stream(StreamConfig {
            name: config.stream.clone(),
            subjects: vec![format!("{}.>", config.subject_prefix)],
            duplicate_window: config.duplicate_window,
            ..Default::default()
        })
        .await
        .map_err(|e| setup(format!("stream {}: {e}", config.stream)))?;
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
    fn subject_tokens_cannot_split_or_wildcard() {
        assert_eq!(subject_token("orebro"), "orebro");
        assert_eq!(subject_token("a.b*c> d"), "a_b_c__d");
        assert_eq!(subject_token(""), "_");
    }
}
