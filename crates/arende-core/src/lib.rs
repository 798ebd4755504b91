//! The pure core of `arende`, the engine for ärendeflöde: how matters (agreements,
//! contracts, routines, assignments, information items) flow through the collaboration
//! bodies of a Swedish region and its municipalities.
//!
//! Code map:
//! - [`config`] loads and validates a county's TOML into an immutable [`org::Organisation`].
//! - [`route`] holds routes as DAGs of steps; [`authz`] who may do what; [`input`] the
//!   bounds on every text a command carries; [`strict`] reads JSON input strictly.
//! - [`matter`], [`meeting`], [`assignment`] are the event-sourced aggregates
//!   ([`aggregate`]); [`engine`] runs commands against a [`store::EventStore`].
//! - [`legal`] is the rule of legal force (laga kraft) per party;
//!   [`holidays`] computes Swedish public holidays and working days;
//!   [`calendar`] derives call and notice dates, conflicts and iCalendar exports;
//!   [`forecast`] answers "when can this be decided?".
//! - [`deployment`] holds the counties one process serves, each an engine by tenant.
//! - [`notification`] is what the engine writes to the outbox; [`markdown`] makes typed
//!   text safe inside the Markdown of minutes.
//! - [`subscription`] holds who follows a matter or a body; [`projection`] is the matter
//!   read model (per body and status, per submitter, owed feedback, stuck, remiss due).
//!
//! Invariants: no I/O and no clock here (time comes from a [`clock::Clock`]); every
//! command names its actor; a refused command writes nothing.
#![forbid(unsafe_code)]

pub mod aggregate;
pub mod assignment;
pub mod authz;
pub mod calendar;
pub mod calls;
pub mod clock;
pub mod command;
pub mod config;
pub mod deployment;
pub mod engine;
pub mod error;
pub mod forecast;
pub mod holidays;
pub mod ids;
pub mod input;
mod json;
pub mod language;
pub mod legal;
pub mod markdown;
pub mod matter;
pub mod meeting;
pub mod notification;
pub mod org;
pub mod policy;
pub mod projection;
pub mod read;
pub mod reminder;
pub mod route;
pub mod schedule;
pub mod store;
pub mod strict;
pub mod subscription;
pub mod terms;
#[cfg(test)]
pub(crate) mod testing;

pub use error::{Error, Result};
