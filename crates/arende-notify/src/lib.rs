//! `arende-notify`: the dispatcher that carries the engine's notifications out of the
//! outbox to people and systems.
//!
//! Why it looks like this: the engine writes what must be told into the outbox in the
//! same transaction as the events that cause it, so nothing is told that did not
//! happen and nothing that happened goes untold. What the engine writes are facts
//! (`arende_core::notification::Notification`: kind, ids, dates, what happened as typed
//! values, recipients with their language), never prose: every text a person reads is
//! made here. This crate only reads the outbox: it claims messages for a lease, renders
//! each in the languages its recipients read from templates and phrases a region can
//! replace per tenant (Swedish by default, English available), delivers them, and
//! retries with backoff until a limit, after which they are parked for an operator. Delivery is at least
//! once; every transport carries the outbox id as an idempotency key so that a
//! receiver that honours it sees each message once.
//!
//! Code map:
//! - [`dispatcher`]: claim → render → deliver → mark, with [`dispatcher::Backoff`].
//! - [`template`] and [`render`]: the template and phrase registry (`templates.toml`,
//!   per-tenant override files) and syntax; the context a fact gives its template, in
//!   each recipient's language; [`ics`] the calendar invitation of a notice.
//! - [`transport`]: the [`Transport`] contract, [`transport::Fanout`] and the in-memory
//!   [`transport::MemoryTransport`]; `smtp`, `webhook` and `nats` (cargo features).
//! - [`refusal`]: refused commands in words (problem documents, the dashboard).
//! - [`markdown`]: minutes' Markdown as safe HTML (the service and the dashboard).
//! - [`scheduler`]: turns the pure schedule of `arende_core::schedule` into outbox
//!   messages on the right (simulated) days, each exactly once; its preview and its
//!   tick share one path, so it sends what the preview shows.
//!
//! Invariants: no clock is read here (an injected `Clock` drives leases, retries and
//! schedules); a message is marked delivered only after its transport took it.
#![forbid(unsafe_code)]

pub mod dispatcher;
pub mod error;
pub mod ics;
pub mod markdown;
#[cfg(feature = "nats")]
pub mod nats;
pub mod refusal;
pub mod render;
pub mod scheduler;
#[cfg(feature = "smtp")]
pub mod smtp;
pub mod template;
pub mod transport;
#[cfg(feature = "webhook")]
pub mod webhook;

pub use dispatcher::{Backoff, BatchReport, DispatchConfig, Dispatcher};
pub use error::NotifyError;
pub use render::{LanguagePolicy, Outgoing, Rendering};
pub use template::Templates;
pub use transport::{DeliveryError, Transport};
