//! The public surface (det publika): what a caller without credentials may reach, and
//! how often.
//!
//! - The public pages (the dashboard `/ui/…`, OParl `/oparl/…`, the feeds `/feeds/…`)
//!   and `/metrics` when it is public answer anonymous requests at most
//!   [`PublicLimit`] per client address (an IPv6 address counts by its /64 prefix):
//!   beyond it, 429 with `Retry-After` as a problem document. A caller with credentials
//!   is limited by its identity instead (see [`crate::auth`]). Behind a reverse proxy
//!   every client has the proxy's address: limit there, or raise this limit.
//! - `/metrics` and `/openapi.json` on the public listener follow [`OpsAccess`]: by
//!   default only a caller with valid credentials (any API key or token the service
//!   accepts for one of its counties) reads them; `internal` serves them only on the
//!   internal listener ([`crate::internal_app`]); `public` to anyone.
//!   `/healthz` and `/readyz` are always public.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::lang::from_headers;
use crate::problem::Problem;
use crate::state::AppState;

/// Who may read `/metrics` and `/openapi.json` on the public listener.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OpsAccess {
    /// Anyone (rate-limited per address, as the public pages).
    Public,
    /// Callers with valid credentials (the default).
    #[default]
    Credentials,
    /// No one: they are served only on the internal listener.
    Internal,
}

impl std::str::FromStr for OpsAccess {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "public" => Ok(OpsAccess::Public),
            "credentials" => Ok(OpsAccess::Credentials),
            "internal" => Ok(OpsAccess::Internal),
            other => Err(format!(
                "\"{other}\" is no ops access: public, credentials or internal"
            )),
        }
    }
}

/// The rate limit of anonymous requests per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicLimit {
    /// Requests per second (default 10).
    pub per_second: u32,
    /// How many may come at once (default 60: a page with its assets, a few times).
    pub burst: u32,
}

impl Default for PublicLimit {
    fn default() -> Self {
        PublicLimit {
            per_second: 10,
            burst: 60,
        }
    }
}

/// After this many checks the limiter forgets the addresses whose buckets are full
/// again, so that its memory follows the clients of the last moments.
const FORGET_EVERY: u64 = 4096;

/// The per-address limiter of anonymous requests.
pub struct AnonymousLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    checks: AtomicU64,
}

impl std::fmt::Debug for AnonymousLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnonymousLimiter")
            .field("addresses", &self.limiter.len())
            .finish()
    }
}

impl AnonymousLimiter {
    /// A limiter with this limit (a zero rate or burst counts as one).
    pub fn new(limit: PublicLimit) -> Self {
        let rate = NonZeroU32::new(limit.per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(limit.burst).unwrap_or(rate);
        AnonymousLimiter {
            limiter: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
            checks: AtomicU64::new(0),
        }
    }

    /// Whether `peer` may make a request now; if not, the whole seconds to wait.
    pub fn check(&self, peer: IpAddr) -> Result<(), u64> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter.check_key(&key_of(peer)).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

/// The key of an address: IPv4 as it is, IPv6 by its /64 prefix (one host has many).
fn key_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

fn has_credentials(req: &Request) -> bool {
    req.headers().contains_key(header::AUTHORIZATION) || req.headers().contains_key("x-api-key")
}

/// The 429 of an anonymous caller over its limit.
fn too_many(req: &Request, wait: u64) -> Response {
    let wait = wait.max(1);
    Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        from_headers(req.headers()),
        ("För många anrop", "Too many requests"),
        (
            format!("för många anrop från din adress: vänta {wait} s"),
            format!("too many requests from your address: wait {wait} s"),
        ),
    )
    .with("retry_after", wait)
    .header(header::RETRY_AFTER, &wait.to_string())
    .into_response()
}

/// The middleware in front of the public pages: an anonymous request counts against
/// its address's limit (a request with credentials goes on to be authenticated and
/// counted by its identity). A request served without a peer address (not through
/// [`crate::serve_with`]) counts against the unspecified address.
pub async fn limit_anonymous(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if has_credentials(&req) {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), |c| c.0.ip());
    match state.anonymous().check(peer) {
        Ok(()) => next.run(req).await,
        Err(wait) => too_many(&req, wait),
    }
}

/// The middleware in front of `/metrics` and `/openapi.json` on the public listener
/// (see [`OpsAccess`]).
pub async fn ops_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match state.ops_access() {
        OpsAccess::Public => limit_anonymous(State(state), req, next).await,
        OpsAccess::Internal => {
            Problem::not_found(req.uri().path(), from_headers(req.headers())).into_response()
        }
        OpsAccess::Credentials => {
            let lang = from_headers(req.headers());
            let deployment = state.deployment();
            let mut refusal = None;
            for tenant in deployment.tenants() {
                match state.auth().authenticate(
                    req.headers(),
                    req.method(),
                    tenant.as_str(),
                    &deployment,
                    lang,
                ) {
                    Ok(_) => return next.run(req).await,
                    // Over its rate: no other county changes that.
                    Err(p) if p.status == StatusCode::TOO_MANY_REQUESTS => {
                        return p.into_response();
                    }
                    Err(p) => {
                        if refusal.is_none() || p.status == StatusCode::UNAUTHORIZED {
                            refusal = Some(p);
                        }
                    }
                }
            }
            refusal
                .unwrap_or_else(|| Problem::not_found(req.uri().path(), lang))
                .into_response()
        }
    }
}
