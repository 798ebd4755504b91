//! The dispatcher: claims pending messages from an [`Outbox`] for a lease, renders
//! them, hands them to a [`Transport`], and marks each delivered; a failed delivery is
//! retried with exponential backoff up to a limit, after which the message is parked
//! (visible through [`Outbox::parked`]). All times come from the injected [`Clock`], so
//! a simulated clock makes retries deterministic.
//!
//! Delivery is at least once: a dispatcher that dies after the transport took a message
//! but before marking it delivered leaves it claimed; when the lease runs out it is
//! delivered again with the same idempotency key, which the transports carry.
//!
//! The lease should be longer than a batch takes to deliver (`batch_size` ×
//! `delivery_timeout` at worst), or a slow batch's last messages may be claimed by a
//! second dispatcher too. The store's calls are synchronous and short (one claim per
//! batch, one mark per message); they run on the async task that dispatches.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arende_core::clock::Clock;
use arende_core::ids::TenantId;
use arende_core::notification::Notification;
use arende_core::org::Organisation;
use arende_core::store::{Outbox, OutboxRecord};
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::error::NotifyError;
use crate::render::{LanguagePolicy, Outgoing, render};
use crate::template::Templates;
use crate::transport::{DeliveryError, Transport};

/// Exponential backoff with a cap and optional jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The delay after the first failure.
    pub initial: Duration,
    /// Each further failure multiplies the delay by this.
    pub factor: u32,
    /// The longest delay.
    pub max_delay: Duration,
    /// After this many failed attempts the message is parked.
    pub max_attempts: u32,
    /// Spread retries over [delay/2, delay] (derived from the message id, so it is
    /// deterministic), so messages that failed together do not retry together.
    pub jitter: bool,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::minutes(1),
            factor: 2,
            max_delay: Duration::hours(6),
            max_attempts: 12,
            jitter: true,
        }
    }
}

impl Backoff {
    /// The delay after `failures` failed attempts (≥ 1) of message `key`.
    pub fn delay(&self, failures: u32, key: Uuid) -> Duration {
        let exp = failures.saturating_sub(1).min(62);
        let factor = i64::from(self.factor.max(1));
        let mult = factor.checked_pow(exp).unwrap_or(i64::MAX);
        let base_ms = self.initial.num_milliseconds().max(0);
        let cap_ms = self.max_delay.num_milliseconds().max(0);
        let ms = base_ms.saturating_mul(mult).min(cap_ms);
        if !self.jitter || ms < 2 {
            return Duration::milliseconds(ms);
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (key, failures).hash(&mut h);
        let half = ms / 2;
        let spread = (h.finish() % (half as u64 + 1)) as i64;
        Duration::milliseconds(half + spread)
    }

    /// When to retry after `failures` failed attempts, or `None` to park.
    pub fn retry_at(&self, now: DateTime<Utc>, failures: u32, key: Uuid) -> Option<DateTime<Utc>> {
        (failures < self.max_attempts).then(|| now + self.delay(failures, key))
    }
}

/// How the dispatcher works.
#[derive(Debug, Clone)]
pub struct DispatchConfig {
    /// How long a claim holds a message (simulated or real time, per the clock).
    pub lease: Duration,
    /// How many messages one batch claims.
    pub batch_size: usize,
    /// Retry policy.
    pub backoff: Backoff,
    /// Which language each recipient reads.
    pub languages: LanguagePolicy,
    /// How long one delivery may take (wall-clock) before it counts as failed.
    pub delivery_timeout: std::time::Duration,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        DispatchConfig {
            // 16 deliveries of at most 15 s each fit in the 5-minute lease.
            lease: Duration::minutes(5),
            batch_size: 16,
            backoff: Backoff::default(),
            languages: LanguagePolicy::default(),
            delivery_timeout: std::time::Duration::from_secs(15),
        }
    }
}

/// What one batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// Messages claimed.
    pub claimed: usize,
    /// Delivered.
    pub delivered: usize,
    /// Failed and scheduled for a retry.
    pub retried: usize,
    /// Parked (permanent failure, unreadable, or out of attempts).
    pub parked: usize,
}

impl std::ops::AddAssign for BatchReport {
    fn add_assign(&mut self, o: Self) {
        self.claimed += o.claimed;
        self.delivered += o.delivered;
        self.retried += o.retried;
        self.parked += o.parked;
    }
}

/// The dispatcher over an outbox, a transport and a clock.
pub struct Dispatcher<O, T, C> {
    outbox: O,
    transport: T,
    clock: C,
    templates: Templates,
    tenant_templates: BTreeMap<TenantId, Templates>,
    orgs: BTreeMap<TenantId, Arc<Organisation>>,
    config: DispatchConfig,
}

enum Outcome {
    Delivered,
    Retry(String, DateTime<Utc>),
    Park(String),
}

impl<O: Outbox, T: Transport, C: Clock> Dispatcher<O, T, C> {
    /// A dispatcher with the built-in templates and the default configuration.
    pub fn new(outbox: O, transport: T, clock: C) -> Self {
        Dispatcher {
            outbox,
            transport,
            clock,
            templates: Templates::builtin(),
            tenant_templates: BTreeMap::new(),
            orgs: BTreeMap::new(),
            config: DispatchConfig::default(),
        }
    }

    /// Sets the configuration.
    pub fn with_config(mut self, config: DispatchConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets the templates used for every organisation without its own.
    pub fn with_templates(mut self, templates: Templates) -> Self {
        self.templates = templates;
        self
    }

    /// Sets an organisation's own templates (a region that replaced some).
    pub fn with_tenant_templates(mut self, tenant: TenantId, templates: Templates) -> Self {
        self.tenant_templates.insert(tenant, templates);
        self
    }

    /// Knows an organisation, so its messages name bodies by their names.
    pub fn with_organisation(mut self, org: Arc<Organisation>) -> Self {
        self.orgs.insert(org.tenant.clone(), org);
        self
    }

    /// The outbox.
    pub fn outbox(&self) -> &O {
        &self.outbox
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The configuration.
    pub fn config(&self) -> &DispatchConfig {
        &self.config
    }

    /// Claims one batch and handles every message in it.
    pub async fn dispatch_once(&self) -> Result<BatchReport, NotifyError> {
        let now = self.clock.now();
        let claimed = self
            .outbox
            .claim(now, self.config.lease, self.config.batch_size)?;
        let mut report = BatchReport {
            claimed: claimed.len(),
            ..Default::default()
        };
        for rec in claimed {
            let id = rec.message.id;
            match self.handle(&rec).await {
                Outcome::Delivered => {
                    self.outbox.mark_delivered(id)?;
                    report.delivered += 1;
                }
                Outcome::Retry(err, at) => {
                    self.outbox.mark_failed(id, &err, Some(at))?;
                    report.retried += 1;
                }
                Outcome::Park(err) => {
                    self.outbox.mark_failed(id, &err, None)?;
                    report.parked += 1;
                }
            }
        }
        Ok(report)
    }

    /// Dispatches batches until nothing is deliverable now, yielding to the runtime
    /// after each batch: the store's calls are synchronous, and a transport may answer
    /// at once, so a long drain would otherwise hold its worker (or a current-thread
    /// runtime's only thread) until it is done.
    pub async fn drain(&self) -> Result<BatchReport, NotifyError> {
        let mut total = BatchReport::default();
        loop {
            let r = self.dispatch_once().await?;
            total += r;
            if r.claimed == 0 {
                return Ok(total);
            }
            tokio::task::yield_now().await;
        }
    }

    /// Dispatches until `shutdown` turns true, waiting `poll` (wall-clock) whenever
    /// nothing was deliverable. A store error is returned; a delivery error never is.
    pub async fn run(
        &self,
        poll: std::time::Duration,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> Result<(), NotifyError> {
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let r = self.dispatch_once().await?;
            if r.claimed == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }

    /// Renders a record into the message the transports get.
    pub fn prepare(&self, rec: &OutboxRecord) -> Result<Outgoing, String> {
        let n: Notification = serde_json::from_str(&rec.message.payload)
            .map_err(|e| format!("unreadable notification: {e}"))?;
        let templates = self
            .tenant_templates
            .get(&rec.tenant)
            .unwrap_or(&self.templates);
        let org = self.orgs.get(&rec.tenant).map(|o| o.as_ref());
        let renderings = render(templates, &self.config.languages, &n, rec.message.id, org)
            .map_err(|e| e.to_string())?;
        Ok(Outgoing {
            id: rec.message.id,
            tenant: rec.tenant.clone(),
            kind: rec.message.kind.clone(),
            attempt: rec.attempts + 1,
            at: self.clock.now(),
            notification: n,
            renderings,
        })
    }

    async fn handle(&self, rec: &OutboxRecord) -> Outcome {
        let out = match self.prepare(rec) {
            Ok(o) => o,
            // Retrying cannot fix an unreadable payload or a missing template.
            Err(e) => return Outcome::Park(e),
        };
        let result =
            tokio::time::timeout(self.config.delivery_timeout, self.transport.deliver(&out))
                .await
                .unwrap_or_else(|_| {
                    Err(DeliveryError::transient(
                        self.transport.name(),
                        format!("no answer within {:?}", self.config.delivery_timeout),
                    ))
                });
        match result {
            Ok(()) => Outcome::Delivered,
            Err(e) if e.permanent => Outcome::Park(e.to_string()),
            Err(e) => {
                let failures = rec.attempts + 1;
                match self
                    .config
                    .backoff
                    .retry_at(self.clock.now(), failures, rec.message.id)
                {
                    Some(at) => Outcome::Retry(e.to_string(), at),
                    None => Outcome::Park(format!("gave up after {failures} attempts: {e}")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{Behaviour, MemoryTransport};
    use arende_core::clock::SimulatedClock;
    use arende_core::ids::{BodyId, CommandId, PersonId};
    use arende_core::notification::{
        Change, Language, NotificationKind, Recipient, RecipientReason,
    };
    use arende_core::store::{
        AppendRequest, EventStore, ExpectedVersion, MemoryStore, OutboxMessage, StreamId,
    };
    use chrono::NaiveDate;

    fn start() -> DateTime<Utc> {
        arende_core::clock::stockholm_instant(NaiveDate::from_ymd_opt(2024, 10, 1).unwrap(), 9, 0)
    }

    fn enqueue(store: &MemoryStore, n: usize, at: DateTime<Utc>) -> Vec<Uuid> {
        let mut ids = Vec::new();
        let mut outbox = Vec::new();
        for i in 0..n {
            let mut note = Notification::new(
                NotificationKind::Feedback,
                TenantId::new("orebro"),
                at.date_naive(),
            );
            note.matter_title = Some(format!("Ärende {i}"));
            note.changes.push(Change::Submitted {
                body: BodyId::new("sbu"),
            });
            note.add_recipient(Recipient {
                person: Some(PersonId::new("susann")),
                name: "Susann Cederlund".into(),
                email: Some("susann@example.se".into()),
                reason: RecipientReason::Submitter,
                language: Language::Swedish,
            });
            let id = Uuid::new_v4();
            ids.push(id);
            outbox.push(OutboxMessage {
                id,
                kind: "feedback".into(),
                payload: serde_json::to_string(&note).unwrap(),
                available_at: at,
            });
        }
        store
            .append(AppendRequest {
                tenant: TenantId::new("orebro"),
                stream: StreamId::new("test"),
                expected: ExpectedVersion::Any,
                command_id: CommandId::random(),
                actor: "system:test".into(),
                recorded_at: at,
                events: vec![],
                outbox,
            })
            .unwrap();
        ids
    }

    type TestDispatcher = Dispatcher<Arc<MemoryStore>, Arc<MemoryTransport>, Arc<SimulatedClock>>;

    fn setup(
        backoff: Backoff,
    ) -> (
        Arc<MemoryStore>,
        Arc<MemoryTransport>,
        Arc<SimulatedClock>,
        TestDispatcher,
    ) {
        let store = Arc::new(MemoryStore::new());
        let transport = Arc::new(MemoryTransport::new());
        let clock = Arc::new(SimulatedClock::new(start()));
        let d = Dispatcher::new(store.clone(), transport.clone(), clock.clone()).with_config(
            DispatchConfig {
                backoff,
                ..Default::default()
            },
        );
        (store, transport, clock, d)
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitter_stays_within_half() {
        let b = Backoff {
            jitter: false,
            ..Default::default()
        };
        let k = Uuid::nil();
        assert_eq!(b.delay(1, k), Duration::minutes(1));
        assert_eq!(b.delay(2, k), Duration::minutes(2));
        assert_eq!(b.delay(5, k), Duration::minutes(16));
        assert_eq!(b.delay(30, k), Duration::hours(6));
        assert_eq!(b.delay(u32::MAX, k), Duration::hours(6));
        let j = Backoff::default();
        for n in 1..20 {
            let full = b.delay(n, k);
            let d = j.delay(n, Uuid::from_u128(n as u128 * 7919));
            assert!(d >= full / 2 && d <= full, "{n}: {d} vs {full}");
            assert_eq!(
                d,
                j.delay(n, Uuid::from_u128(n as u128 * 7919)),
                "deterministic"
            );
        }
        assert_eq!(b.retry_at(start(), 12, k), None);
        assert_eq!(
            b.retry_at(start(), 11, k),
            Some(start() + Duration::hours(6))
        );
    }

    #[tokio::test]
    async fn delivers_renders_and_marks_delivered() {
        let (store, transport, _clock, d) = setup(Backoff::default());
        let ids = enqueue(&store, 3, start());
        let r = d.drain().await.unwrap();
        assert_eq!((r.claimed, r.delivered), (3, 3));
        let got = transport.delivered();
        assert_eq!(got.iter().map(|o| o.id).collect::<Vec<_>>(), ids);
        assert_eq!(got[0].renderings[0].subject, "Återkoppling: Ärende 0");
        assert_eq!(got[0].attempt, 1);
        let counts = store.outbox_counts(&TenantId::new("orebro")).unwrap();
        assert_eq!(counts.get("delivered"), Some(&3));
    }

    #[test]
    fn a_tenant_with_its_own_templates_gets_them_and_the_others_the_builtin() {
        let store = Arc::new(MemoryStore::new());
        let clock = Arc::new(SimulatedClock::new(start()));
        // Örebro's override file replaces the Swedish feedback subject and one phrase;
        // everything it does not name stays built in.
        let overrides = r#"
            [feedback.sv]
            subject = "Nytt om ditt ärende: {{matter_title}}"
            text = "{{summary}}"

            [phrase.submitted]
            sv = "Vi har tagit emot ärendet ({{body}})."
        "#;
        let d = Dispatcher::new(store.clone(), Arc::new(MemoryTransport::new()), clock)
            .with_tenant_templates(
                TenantId::new("orebro"),
                Templates::with_overrides(overrides).expect("override file loads"),
            );
        let record = |tenant: &str| {
            let mut n = Notification::new(
                NotificationKind::Feedback,
                TenantId::new(tenant),
                start().date_naive(),
            );
            n.matter_title = Some("Familjecentraler".into());
            n.changes.push(Change::Submitted {
                body: BodyId::new("sbu"),
            });
            n.add_recipient(Recipient {
                person: Some(PersonId::new("susann")),
                name: "Susann Cederlund".into(),
                email: Some("susann@example.se".into()),
                reason: RecipientReason::Submitter,
                language: Language::Swedish,
            });
            OutboxRecord {
                tenant: TenantId::new(tenant),
                message: OutboxMessage {
                    id: Uuid::nil(),
                    kind: "feedback".into(),
                    payload: serde_json::to_string(&n).unwrap(),
                    available_at: start(),
                },
                attempts: 0,
                last_error: None,
                status: arende_core::store::OutboxStatus::Claimed,
            }
        };
        let own = d.prepare(&record("orebro")).unwrap();
        assert_eq!(
            own.renderings[0].subject,
            "Nytt om ditt ärende: Familjecentraler"
        );
        assert_eq!(own.renderings[0].text, "Vi har tagit emot ärendet (sbu).\n");
        let other = d.prepare(&record("jonkoping")).unwrap();
        assert_eq!(
            other.renderings[0].subject,
            "Återkoppling: Familjecentraler"
        );
        assert!(
            other.renderings[0]
                .text
                .contains("Ärendet har registrerats hos sbu och väntar på relevansbedömning."),
            "{}",
            other.renderings[0].text
        );
    }

    #[tokio::test]
    async fn transient_failures_retry_on_the_backoff_schedule_then_deliver() {
        let b = Backoff {
            jitter: false,
            ..Default::default()
        };
        let (store, transport, clock, d) = setup(b);
        enqueue(&store, 1, start());
        transport.script([Behaviour::FailTransient, Behaviour::FailTransient]);
        assert_eq!(d.drain().await.unwrap().retried, 1);
        // Not yet: the retry is one minute later.
        clock.advance(Duration::seconds(59));
        assert_eq!(d.drain().await.unwrap().claimed, 0);
        clock.advance(Duration::seconds(1));
        assert_eq!(d.drain().await.unwrap().retried, 1);
        clock.advance(Duration::seconds(119));
        assert_eq!(d.drain().await.unwrap().claimed, 0);
        clock.advance(Duration::seconds(1));
        let r = d.drain().await.unwrap();
        assert_eq!(r.delivered, 1);
        assert_eq!(transport.delivered()[0].attempt, 3);
        assert_eq!(transport.attempts(), 3);
    }

    #[tokio::test]
    async fn out_of_attempts_or_refused_messages_are_parked_and_visible() {
        let b = Backoff {
            max_attempts: 3,
            jitter: false,
            ..Default::default()
        };
        let (store, transport, clock, d) = setup(b);
        let ids = enqueue(&store, 2, start());
        transport.script([
            Behaviour::FailPermanent,
            Behaviour::FailTransient,
            Behaviour::FailTransient,
            Behaviour::FailTransient,
        ]);
        let mut total = BatchReport::default();
        for _ in 0..10 {
            total += d.drain().await.unwrap();
            clock.advance(Duration::minutes(10));
        }
        assert_eq!(total.parked, 2);
        assert_eq!(total.delivered, 0);
        let parked = store.parked(&TenantId::new("orebro")).unwrap();
        assert_eq!(parked.len(), 2);
        assert_eq!(parked[0].message.id, ids[0]);
        assert!(
            parked[0]
                .last_error
                .as_deref()
                .unwrap()
                .contains("scripted refusal")
        );
        assert!(
            parked[1]
                .last_error
                .as_deref()
                .unwrap()
                .contains("gave up after 3 attempts")
        );
        assert_eq!(transport.attempts(), 4);
    }

    #[tokio::test]
    async fn an_unreadable_payload_is_parked_not_retried() {
        let (store, transport, _clock, d) = setup(Backoff::default());
        store
            .append(AppendRequest {
                tenant: TenantId::new("orebro"),
                stream: StreamId::new("test"),
                expected: ExpectedVersion::Any,
                command_id: CommandId::random(),
                actor: "system:test".into(),
                recorded_at: start(),
                events: vec![],
                outbox: vec![OutboxMessage {
                    id: Uuid::new_v4(),
                    kind: "feedback".into(),
                    payload: "{not json".into(),
                    available_at: start(),
                }],
            })
            .unwrap();
        let r = d.drain().await.unwrap();
        assert_eq!(r.parked, 1);
        assert_eq!(transport.attempts(), 0);
        let parked = store.parked(&TenantId::new("orebro")).unwrap();
        assert!(
            parked[0]
                .last_error
                .as_deref()
                .unwrap()
                .starts_with("unreadable notification")
        );
    }

    #[tokio::test]
    async fn a_claim_that_is_never_finished_is_delivered_after_the_lease() {
        let (store, transport, clock, d) = setup(Backoff::default());
        enqueue(&store, 1, start());
        // Another dispatcher claims it and dies.
        let lost = store.claim(clock.now(), Duration::minutes(5), 10).unwrap();
        assert_eq!(lost.len(), 1);
        assert_eq!(d.drain().await.unwrap().claimed, 0);
        clock.advance(Duration::minutes(5));
        assert_eq!(d.drain().await.unwrap().delivered, 1);
        assert_eq!(transport.delivered()[0].id, lost[0].message.id);
    }

    #[tokio::test]
    async fn fanout_does_not_resend_to_a_transport_that_took_the_message() {
        use crate::transport::Fanout;
        let a = Arc::new(MemoryTransport::new());
        let b = Arc::new(MemoryTransport::new());
        b.script([Behaviour::FailTransient]);
        let store = Arc::new(MemoryStore::new());
        let clock = Arc::new(SimulatedClock::new(start()));
        let fan = Fanout::new(vec![Box::new(a.clone()), Box::new(b.clone())]);
        let d = Dispatcher::new(store.clone(), fan, clock.clone());
        enqueue(&store, 1, start());
        assert_eq!(d.drain().await.unwrap().retried, 1);
        clock.advance(Duration::hours(1));
        assert_eq!(d.drain().await.unwrap().delivered, 1);
        assert_eq!(a.delivered().len(), 1);
        assert_eq!(b.delivered().len(), 1);
        assert_eq!(b.attempts(), 2);
    }
}
