//! Integration tests of arende-notify against real servers, in one test binary: an SMTP
//! server (aiosmtpd) and an HTTP receiver started by the tests on loopback, and the NATS
//! server named by `ARENDE_NATS_URL`. Outside CI an absent service is reported and the
//! test skipped; with `CI=true` it fails.

mod common;
#[cfg(feature = "smtp")]
mod smtp;
mod support;
#[cfg(feature = "webhook")]
mod webhook;
