//! Published reads of `arende` (publicering): the OParl 1.1 read API and the iCalendar
//! and Atom feeds of a county, as an axum router the server mounts.
//!
//! # Shape
//!
//! The mapping from the core to what is published is plain, synchronous functions of a
//! county's engine ([`arende_core::deployment::CountyEngine`]) returning typed serde
//! structs or feed text — [`oparl`] for OParl objects and lists, [`feeds`] for
//! iCalendar and Atom documents — so they are tested and benched without HTTP. The
//! handlers in [`http`] only parse the request, find the county by its tenant, run the
//! mapping on tokio's blocking pool (the engine is synchronous) and write the answer;
//! a refusal is an RFC 9457 problem+json ([`PublishError`]).
//!
//! Paths (the tenant is in every one; see [`ApiDoc`] for the OpenAPI document):
//!
//! - `/oparl/v1/{tenant}/system` and everything it links to: one OParl `System` per
//!   tenant, a `Body` per party (the Region, each municipality, other actors), an
//!   `Organization` per body of the configuration, `Person`, `Membership`, `Meeting`
//!   (the meeting plan as it stands, with the meeting's stream), `AgendaItem`, `Paper`
//!   per matter (its case number in `reference`), `Consultation` per route step
//!   (`authoritative` where the decision is taken) and `File` for the notice and the
//!   minutes. Lists are paged (`page`, `limit`; [`PublishConfig::page_size`], default
//!   100) and filtered by `created_since`, `created_until`, `modified_since`,
//!   `modified_until`.
//! - `/feeds/{tenant}/body/{body}.ics`, `/feeds/{tenant}/person/{person}.ics`,
//!   `/feeds/{tenant}/matter/{matter}.ics`: iCalendar (RFC 5545, `METHOD:PUBLISH` per
//!   RFC 5546 with an `ORGANIZER` on every event, parameters quoted per RFC 6868),
//!   written by the core's one iCalendar writer ([`arende_core::calendar::to_ics`]).
//! - `/feeds/{tenant}/party/{party}/notice-board.atom` and
//!   `/feeds/{tenant}/body/{body}/decisions.atom`: Atom (RFC 4287).
//!
//! # Who may read what
//!
//! OParl and the feeds of a body, a matter and a party's notice board are public data
//! (what a municipality publishes on its notice board and in its council information
//! system anyway): no caller is needed. A person's calendar shows where they sit and
//! which assignments they owe, so it is theirs alone. The server's authentication puts
//! the caller in a request extension ([`arende_core::authz::Actor`]); a caller who is
//! that person may read it. Calendar clients (Outlook, Google Calendar, Apple Calendar)
//! subscribe to a URL and cannot send an `Authorization` header, so a person may also
//! fetch a **feed token**: `GET /feeds/{tenant}/person/{person}/token` (as themselves)
//! returns the subscription URL with `?token=…`, where the token is
//! HMAC-SHA256(key, tenant, person) under the deployment's feed key
//! ([`PublishConfig::feed_key`]). We chose a keyed hash over stored random tokens
//! because it needs no state and no command: the URL is unguessable without the key,
//! works in any calendar client, and every token is revoked at once by changing the
//! key (a per-person revocation would need a stored counter, which the core does not
//! keep yet). Without a configured key no token is valid and only the person
//! themselves reads their feed. The token only opens that one person's calendar.

#![forbid(unsafe_code)]

pub mod error;
pub mod feeds;
pub mod http;
pub mod oparl;
pub mod token;

pub use error::PublishError;
pub use http::{ApiDoc, DEFAULT_PUBLIC_URL, PublishConfig, routes, routes_with};
pub use token::FeedKey;
