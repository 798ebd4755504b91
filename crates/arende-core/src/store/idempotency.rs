//! Idempotency records (idempotensposter): what a service remembers of a request sent
//! with an idempotency key, so that the key means one request of one caller, whatever
//! races, restarts or retries come after it.
//!
//! A key is unique per tenant. [`IdempotencyStore::reserve`] records it, with the
//! request's fingerprint (a hash of the command's canonical JSON, its expected version
//! and the caller) and the caller, **before** the command runs; of two requests racing
//! with one key, exactly one gets [`Reservation::Reserved`], the other the record as it
//! stands ([`Reservation::Existing`]): in flight (no response yet), or completed with
//! the response to replay. [`IdempotencyStore::complete`] keeps the response;
//! [`IdempotencyStore::release`] forgets a reservation whose request wrote nothing and
//! may be tried again (a conflict, a store failure). A reservation left in flight by a
//! process that died is taken over by the next request with the same fingerprint once
//! it is older than the `stale_after` that request gives.
//!
//! The memory store's implementation ([`MemoryIdempotency`], also on
//! [`super::MemoryStore`]) is the reference; SQLite and PostgreSQL keep the records in
//! a table keyed by (tenant, key), and the conformance suite checks every point above.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::StoreError;
use crate::ids::{CommandId, TenantId};

/// The response kept for a completed request, replayed to a retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// The HTTP status.
    pub status: u16,
    /// The body, as sent.
    pub body: String,
    /// The `ETag`, if the response had one.
    pub etag: Option<String>,
}

/// What is recorded under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// The fingerprint of the request that reserved the key.
    pub fingerprint: String,
    /// Who sent it (the actor's audit name).
    pub caller: String,
    /// When it was reserved (or last taken over).
    pub reserved_at: DateTime<Utc>,
    /// The response, once the request completed; `None` while it is in flight.
    pub response: Option<StoredResponse>,
}

/// The answer of [`IdempotencyStore::reserve`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// The key is this request's now: run it, then complete or release it.
    Reserved,
    /// The key was reserved before: the record as it stands.
    Existing(IdempotencyRecord),
}

/// A new reservation's particulars (see [`IdempotencyStore::reserve`]).
#[derive(Debug, Clone, Copy)]
pub struct ReserveRequest<'a> {
    /// The tenant.
    pub tenant: &'a TenantId,
    /// The idempotency key (the command id).
    pub key: CommandId,
    /// The request's fingerprint.
    pub fingerprint: &'a str,
    /// Who sends it.
    pub caller: &'a str,
    /// Now.
    pub now: DateTime<Utc>,
    /// An in-flight reservation with the same fingerprint older than this is taken
    /// over (its process died before completing it).
    pub stale_after: chrono::Duration,
}

/// The idempotency records of a store. See the module docs for the contract.
pub trait IdempotencyStore: Send + Sync {
    /// Reserves `request.key` in its tenant for this request, atomically: `Reserved`
    /// when the key was free (or held by a stale in-flight reservation with the same
    /// fingerprint, which is taken over), otherwise the record as it stands.
    fn reserve(&self, request: ReserveRequest<'_>) -> Result<Reservation, StoreError>;

    /// Keeps the response of the request that reserved the key with `fingerprint`;
    /// `false` when no such in-flight reservation exists (then nothing changes).
    fn complete(
        &self,
        tenant: &TenantId,
        key: CommandId,
        fingerprint: &str,
        response: &StoredResponse,
    ) -> Result<bool, StoreError>;

    /// Forgets the in-flight reservation of the key with `fingerprint` (its request
    /// wrote nothing and may be tried again); `false` when there was none.
    fn release(
        &self,
        tenant: &TenantId,
        key: CommandId,
        fingerprint: &str,
    ) -> Result<bool, StoreError>;

    /// The record under a key, if any (for operators and tests).
    fn idempotency_record(
        &self,
        tenant: &TenantId,
        key: CommandId,
    ) -> Result<Option<IdempotencyRecord>, StoreError>;
}

impl<T: IdempotencyStore + ?Sized> IdempotencyStore for std::sync::Arc<T> {
    fn reserve(&self, request: ReserveRequest<'_>) -> Result<Reservation, StoreError> {
        (**self).reserve(request)
    }
    fn complete(
        &self,
        tenant: &TenantId,
        key: CommandId,
        fingerprint: &str,
        response: &StoredResponse,
    ) -> Result<bool, StoreError> {
        (**self).complete(tenant, key, fingerprint, response)
    }
    fn release(
        &self,
        tenant: &TenantId,
        key: CommandId,
        fingerprint: &str,
    ) -> Result<bool, StoreError> {
        (**self).release(tenant, key, fingerprint)
    }
    fn idempotency_record(
        &self,
        tenant: &TenantId,
        key: CommandId,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        (**self).idempotency_record(tenant, key)
    }
}

/// Idempotency records in memory: the reference implementation, and what a service
/// without a persistent store uses (records then last as long as the process).
#[derive(Debug, Default)]
pub struct MemoryIdempotency {
    records: Mutex<HashMap<(TenantId, CommandId), IdempotencyRecord>>,
}

impl MemoryIdempotency {
    /// No records.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(TenantId, CommandId), IdempotencyRecord>> {
        // Every operation leaves the map consistent: a poisoned lock is usable.
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl IdempotencyStore for MemoryIdempotency {
    fn reserve(&self, r: ReserveRequest<'_>) -> Result<Reservation, StoreError> {
        let mut map = self.lock();
        let k = (r.tenant.clone(), r.key);
        match map.get_mut(&k) {
            None => {
                map.insert(
                    k,
                    IdempotencyRecord {
                        fingerprint: r.fingerprint.to_owned(),
                        caller: r.caller.to_owned(),
                        reserved_at: r.now,
                        response: None,
                    },
                );
                Ok(Reservation::Reserved)
            }
            Some(rec)
                if rec.response.is_none()
                    && rec.fingerprint == r.fingerprint
                    && rec.reserved_at + r.stale_after < r.now =>
            {
                rec.reserved_at = r.now;
                Ok(Reservation::Reserved)
            }
            Some(rec) => Ok(Reservation::Existing(rec.clone())),
        }
    }

    fn complete(
        &self,
        tenant: &TenantId,
        key: CommandId,
        fingerprint: &str,
        response: &StoredResponse,
    ) -> Result<bool, StoreError> {
        let mut map = self.lock();
        match map.get_mut(&(tenant.clone(), key)) {
            Some(rec) if rec.response.is_none() && rec.fingerprint == fingerprint => {
                rec.response = Some(response.clone());
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn release(
        &self,
        tenant: &TenantId,
        key: CommandId,
        fingerprint: &str,
    ) -> Result<bool, StoreError> {
        let mut map = self.lock();
        let k = (tenant.clone(), key);
        match map.get(&k) {
            Some(rec) if rec.response.is_none() && rec.fingerprint == fingerprint => {
                map.remove(&k);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn idempotency_record(
        &self,
        tenant: &TenantId,
        key: CommandId,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        Ok(self.lock().get(&(tenant.clone(), key)).cloned())
    }
}
