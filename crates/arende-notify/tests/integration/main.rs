//! Integration tests of arende-notify against real servers, in one test binary: an SMTP
//! server (aiosmtpd) and an HTTP receiver started by the tests on loopback, and the NATS
//! server named by `ARENDE_NATS_URL`. Outside CI an absent service is reported and the
//! test skipped; with `CI=true` it fails.

#[cfg(feature = "smtp")]
mod autumn_2024;
// Helpers used by the transport tests, which are behind their features.
#[cfg_attr(
    not(all(feature = "smtp", feature = "webhook", feature = "nats")),
    allow(dead_code)
)]
mod common;
#[cfg(feature = "webhook")]
mod interop;
#[cfg(feature = "nats")]
mod kill;
#[cfg(feature = "nats")]
mod nats;
mod postgres;
mod scheduler;
#[cfg(feature = "smtp")]
mod smtp;
#[cfg_attr(
    not(all(feature = "smtp", feature = "webhook", feature = "nats")),
    allow(dead_code)
)]
mod support;
#[cfg(feature = "webhook")]
mod webhook;
mod yielding;
