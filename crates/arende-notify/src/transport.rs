//! The transport contract, a fan-out over several transports, and an in-memory
//! transport that records what it is given (the reference for tests).
//!
//! # Contract
//! - [`Transport::deliver`] returns `Ok` only when the message is handed over for good
//!   (the SMTP server accepted it, the webhook answered 2xx, JetStream acknowledged it).
//! - It carries [`Outgoing::id`] as the idempotency key in the transport's own terms
//!   (`Message-ID`, `webhook-id`, `Nats-Msg-Id`), so a retry after a delivery whose
//!   acknowledgement was lost is recognised by a receiver that honours the key.
//! - A [`DeliveryError`] says whether trying again may help (`permanent = false`) or not
//!   (the dispatcher parks the message at once).

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use uuid::Uuid;

use crate::render::Outgoing;

/// A boxed future, so transports can be used as trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A failed delivery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{transport}: {message}")]
pub struct DeliveryError {
    /// Which transport (`smtp`, `webhook`, `nats`, …).
    pub transport: &'static str,
    /// Whether retrying cannot help (the message is parked at once).
    pub permanent: bool,
    /// What went wrong.
    pub message: String,
}

impl DeliveryError {
    /// A failure that may pass (server down, timeout): retry later.
    pub fn transient(transport: &'static str, message: impl Into<String>) -> Self {
        DeliveryError {
            transport,
            permanent: false,
            message: message.into(),
        }
    }

    /// A failure that will not pass by retrying (refused address, disabled endpoint).
    pub fn permanent(transport: &'static str, message: impl Into<String>) -> Self {
        DeliveryError {
            transport,
            permanent: true,
            message: message.into(),
        }
    }
}

/// Delivers rendered messages somewhere. See the module's contract.
pub trait Transport: Send + Sync {
    /// A short name for logs and errors, e.g. `smtp`.
    fn name(&self) -> &'static str;

    /// Delivers one message.
    fn deliver<'a>(&'a self, msg: &'a Outgoing) -> BoxFuture<'a, Result<(), DeliveryError>>;
}

impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn deliver<'a>(&'a self, msg: &'a Outgoing) -> BoxFuture<'a, Result<(), DeliveryError>> {
        (**self).deliver(msg)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn name(&self) -> &'static str {
        (**self).name()
    }
    fn deliver<'a>(&'a self, msg: &'a Outgoing) -> BoxFuture<'a, Result<(), DeliveryError>> {
        (**self).deliver(msg)
    }
}

/// Delivers every message through several transports. A message counts as delivered
/// when all of them took it; the ones that already took it are not asked again when
/// the message is retried by this process (after a restart they are, and their
/// idempotency keys keep the receivers from seeing it twice).
pub struct Fanout {
    transports: Vec<Box<dyn Transport>>,
    done: Mutex<HashSet<(Uuid, usize)>>,
}

impl Fanout {
    /// A fan-out over `transports`.
    pub fn new(transports: Vec<Box<dyn Transport>>) -> Self {
        Fanout {
            transports,
            done: Mutex::new(HashSet::new()),
        }
    }

    fn done(&self) -> std::sync::MutexGuard<'_, HashSet<(Uuid, usize)>> {
        self.done.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Transport for Fanout {
    fn name(&self) -> &'static str {
        "fanout"
    }

    fn deliver<'a>(&'a self, msg: &'a Outgoing) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let mut failures: Vec<DeliveryError> = Vec::new();
            for (i, t) in self.transports.iter().enumerate() {
                if self.done().contains(&(msg.id, i)) {
                    continue;
                }
                match t.deliver(msg).await {
                    Ok(()) => {
                        self.done().insert((msg.id, i));
                    }
                    Err(e) => failures.push(e),
                }
            }
            if failures.is_empty() {
                let mut done = self.done();
                for i in 0..self.transports.len() {
                    done.remove(&(msg.id, i));
                }
                return Ok(());
            }
            // Retry while any failure may pass; park only when all are permanent.
            let permanent = failures.iter().all(|f| f.permanent);
            let message = failures
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join("; ");
            Err(DeliveryError {
                transport: "fanout",
                permanent,
                message,
            })
        })
    }
}

/// What the [`MemoryTransport`] does with the next deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Accept.
    Accept,
    /// Fail transiently.
    FailTransient,
    /// Fail permanently.
    FailPermanent,
}

/// A transport that keeps what it is given, in memory. Its behaviour can be scripted
/// (fail the next N deliveries), for tests of the dispatcher and of callers.
#[derive(Default)]
pub struct MemoryTransport {
    delivered: Mutex<Vec<Outgoing>>,
    script: Mutex<std::collections::VecDeque<Behaviour>>,
    attempts: Mutex<u64>,
}

impl MemoryTransport {
    /// A transport that accepts everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues behaviours for the next deliveries; after them, it accepts.
    pub fn script(&self, behaviours: impl IntoIterator<Item = Behaviour>) {
        self.script
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(behaviours);
    }

    /// The messages accepted, in order.
    pub fn delivered(&self) -> Vec<Outgoing> {
        self.delivered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// How many deliveries were tried.
    pub fn attempts(&self) -> u64 {
        *self.attempts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Transport for MemoryTransport {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn deliver<'a>(&'a self, msg: &'a Outgoing) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            *self.attempts.lock().unwrap_or_else(|p| p.into_inner()) += 1;
            let next = self
                .script
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop_front()
                .unwrap_or(Behaviour::Accept);
            match next {
                Behaviour::Accept => {
                    self.delivered
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(msg.clone());
                    Ok(())
                }
                Behaviour::FailTransient => {
                    Err(DeliveryError::transient("memory", "scripted failure"))
                }
                Behaviour::FailPermanent => {
                    Err(DeliveryError::permanent("memory", "scripted refusal"))
                }
            }
        })
    }
}
