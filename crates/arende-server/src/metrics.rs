//! Prometheus metrics (mätvärden) of the service: commands by kind and outcome, command
//! latency, the outbox's depth and age, and the policies' lag behind the log. Gauges
//! of the store are read when `/metrics` is scraped.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The service's metrics in their own registry.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Commands by tenant, command name (`matter/submit`) and outcome (`ok`,
    /// `duplicate`, or the refusal code).
    pub commands: IntCounterVec,
    /// Command latency in seconds, by command name.
    pub latency: HistogramVec,
    /// Outbox messages by tenant and status.
    pub outbox_depth: IntGaugeVec,
    /// Age in seconds of the oldest undelivered outbox message, by tenant.
    pub outbox_age: IntGaugeVec,
    /// Events of a tenant's log the policies have not handled yet.
    pub policy_lag: IntGaugeVec,
    /// The last position of a tenant's log.
    pub log_head: IntGaugeVec,
    /// Streams of a tenant left out of the reads because an event cannot be decoded.
    pub quarantined: IntGaugeVec,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// Fresh metrics in a registry of their own.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let commands = IntCounterVec::new(
            Opts::new(
                "arende_commands_total",
                "Commands by tenant, kind and outcome",
            ),
            &["tenant", "command", "outcome"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("arende_command_seconds", "Command latency in seconds").buckets(
                vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ],
            ),
            &["command"],
        )?;
        let outbox_depth = IntGaugeVec::new(
            Opts::new(
                "arende_outbox_messages",
                "Outbox messages by tenant and status",
            ),
            &["tenant", "status"],
        )?;
        let outbox_age = IntGaugeVec::new(
            Opts::new(
                "arende_outbox_oldest_age_seconds",
                "Age of the oldest undelivered outbox message",
            ),
            &["tenant"],
        )?;
        let policy_lag = IntGaugeVec::new(
            Opts::new(
                "arende_policy_lag_events",
                "Events of the tenant's log not yet handled by the policies",
            ),
            &["tenant"],
        )?;
        let log_head = IntGaugeVec::new(
            Opts::new(
                "arende_log_position",
                "The last position of the tenant's log",
            ),
            &["tenant"],
        )?;
        let quarantined = IntGaugeVec::new(
            Opts::new(
                "arende_quarantined_streams",
                "Streams left out of the reads because a stored event cannot be decoded",
            ),
            &["tenant"],
        )?;
        registry.register(Box::new(quarantined.clone()))?;
        registry.register(Box::new(commands.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(outbox_depth.clone()))?;
        registry.register(Box::new(outbox_age.clone()))?;
        registry.register(Box::new(policy_lag.clone()))?;
        registry.register(Box::new(log_head.clone()))?;
        Ok(Metrics {
            registry,
            commands,
            latency,
            outbox_depth,
            outbox_age,
            policy_lag,
            log_head,
            quarantined,
        })
    }

    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let encoder = TextEncoder::new();
        if let Err(e) = encoder.encode(&self.registry.gather(), &mut buf) {
            tracing::error!(error = %e, "metrics could not be encoded");
        }
        String::from_utf8_lossy(&buf).into_owned()
    }
}
