//! The kernel: loads a stream (a version-checked cache in front of the store), lets the
//! aggregate's pure `decide` check a command, and appends the events with the expected
//! version and the notification facts they cause to the outbox, in one atomic append;
//! it keeps command ids idempotent and retries conflicts. Nothing else: what a command
//! means lives in its aggregate (`matter`, `meeting`, `assignment`, `subscription`),
//! what follows from it in another aggregate in [`crate::policy`], and reads in
//! [`crate::read`]. The per-aggregate files here only gather what `decide` is given.

mod assignment;
mod matter;
mod meeting;
mod subscription;

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::aggregate::{Aggregate, Decision, decode, decode_for, encode_audited};
use crate::authz::{Action, Actor};
use crate::clock::Clock;
use crate::command::{Command, CommandOptions, Effects, Executed, Outcome};
use crate::error::{Error, Result};
use crate::ids::{BodyId, CommandId, FastMap};
use crate::org::Organisation;
use crate::store::{
    AppendRequest, Appended, EventStore, ExpectedVersion, OutboxMessage, RecordedEvent, StoreError,
    StreamId,
};

/// The engine over a store and a clock.
///
/// It keeps a cache of aggregate states keyed by stream and validated by version: a
/// command on a cached stream needs no read. The append's expected-version check keeps
/// this correct when other engines write the same streams: a stale cache surfaces as a
/// [`StoreError::Conflict`] (the entry is dropped,
/// the retry reloads); a refusal decided on a cached state is re-checked against the
/// stream first, and reported as a conflict when the stream had moved on.
pub struct Engine<S, C> {
    org: Arc<Organisation>,
    store: S,
    clock: C,
    cache: StateCache,
    ids: IdSource,
    pub(crate) matter_view: Mutex<crate::projection::MatterProjection>,
    /// Streams of other aggregates than matters that a read found undecodable, by
    /// stream: left out of lists, reported by `read().quarantined()`.
    pub(crate) damaged: Mutex<std::collections::BTreeMap<String, crate::projection::Quarantined>>,
    pub(crate) policies: PolicyGate,
    /// The tenant's follows as last read, with the subscription stream's version: a
    /// command reads only what the stream gained since (usually nothing) under a read
    /// lock, instead of taking the state out of the cache and putting it back.
    follows: std::sync::RwLock<(Arc<crate::subscription::Subscriptions>, u64)>,
    follows_stream: StreamId,
    /// The configuration version recorded with every event (audit).
    config_version: String,
}

/// The configuration version an engine records with its events: the county's declared
/// version and a hash (FNV-1a, 64 bits) of the whole configuration as loaded, so that a
/// change without a new declared version is still told apart.
pub fn config_version(org: &Organisation) -> String {
    let text = serde_json::to_string(org).unwrap_or_default();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{}#{hash:016x}", org.version)
}

/// The policies' state in an engine: one runner at a time, started once, inline or not
/// (the policies themselves are in [`crate::policy`]).
#[derive(Debug)]
pub(crate) struct PolicyGate {
    pub(crate) lock: Mutex<()>,
    pub(crate) started: std::sync::atomic::AtomicBool,
    pub(crate) inline: std::sync::atomic::AtomicBool,
}

impl Default for PolicyGate {
    fn default() -> Self {
        PolicyGate {
            lock: Mutex::new(()),
            started: std::sync::atomic::AtomicBool::new(false),
            inline: std::sync::atomic::AtomicBool::new(true),
        }
    }
}

/// Fresh random-looking UUIDs (version 4 layout) for command and outbox-message ids,
/// without a `getrandom` system call per id: a 128-bit seed drawn once per engine, mixed
/// with a counter through a bijection (SplitMix64's finaliser), so ids of one engine never
/// repeat and ids of two engines collide only if their random seeds nearly do.
struct IdSource {
    seed: u128,
    counter: AtomicU64,
}

impl IdSource {
    fn new() -> Self {
        IdSource {
            seed: uuid::Uuid::new_v4().as_u128(),
            counter: AtomicU64::new(0),
        }
    }

    fn next(&self) -> uuid::Uuid {
        fn mix(mut z: u64) -> u64 {
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let lo = mix(n) ^ self.seed as u64;
        let hi = mix(n ^ 0x9e37_79b9_7f4a_7c15) ^ (self.seed >> 64) as u64;
        let bytes = ((u128::from(hi) << 64) | u128::from(lo)).to_be_bytes();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// How many aggregate states the engine caches by default.
pub const DEFAULT_CACHE_CAPACITY: usize = 16_384;

struct CacheEntry<A> {
    state: Arc<A>,
    version: u64,
    commands: Vec<CommandId>,
}

/// A cached stream. The slot stays in the map while a command has its entry taken out
/// (`live` false), so the next put reuses the key and the box instead of allocating
/// them again for every command.
struct Slot {
    /// An `Option<CacheEntry<A>>` for the stream's aggregate `A`.
    value: Box<dyn Any + Send + Sync>,
    live: bool,
    version: u64,
    used: u64,
}

#[derive(Default)]
struct CacheMap {
    map: FastMap<StreamId, Slot>,
    tick: u64,
}

/// States by stream, bounded: when full, the least recently used half is dropped.
struct StateCache {
    inner: Mutex<CacheMap>,
    capacity: usize,
}

impl StateCache {
    fn new(capacity: usize) -> Self {
        StateCache {
            inner: Mutex::new(CacheMap::default()),
            capacity,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CacheMap> {
        // The map is consistent after every operation, so a poisoned lock is usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes a stream's entry out (a concurrent command on the same stream then loads
    /// from the store; optimistic concurrency keeps the two apart).
    fn take<A: Aggregate + Send + Sync + 'static>(
        &self,
        stream: &StreamId,
    ) -> Option<CacheEntry<A>> {
        if self.capacity == 0 {
            return None;
        }
        let mut inner = self.lock();
        let slot = inner.map.get_mut(stream)?;
        if !slot.live {
            return None;
        }
        let entry = slot
            .value
            .downcast_mut::<Option<CacheEntry<A>>>()
            .and_then(Option::take);
        slot.live = false;
        entry
    }

    fn put<A: Aggregate + Send + Sync + 'static>(&self, stream: &StreamId, entry: CacheEntry<A>) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.lock();
        inner.tick += 1;
        let used = inner.tick;
        let version = entry.version;
        let mut entry = Some(entry);
        if let Some(slot) = inner.map.get_mut(stream) {
            if slot.live && slot.version >= version {
                return;
            }
            if let Some(value) = slot.value.downcast_mut::<Option<CacheEntry<A>>>() {
                *value = entry.take();
                slot.live = true;
                slot.version = version;
                slot.used = used;
                return;
            }
        }
        if inner.map.len() >= self.capacity && !inner.map.contains_key(stream) {
            let mut ticks: Vec<u64> = inner.map.values().map(|s| s.used).collect();
            let half = ticks.len() / 2;
            ticks.select_nth_unstable(half);
            let cut = ticks[half];
            inner.map.retain(|_, s| s.used > cut);
        }
        inner.map.insert(
            stream.clone(),
            Slot {
                value: Box::new(entry),
                live: true,
                version,
                used,
            },
        );
    }

    fn remove(&self, stream: &StreamId) {
        self.lock().map.remove(stream);
    }

    fn len(&self) -> usize {
        self.lock().map.values().filter(|s| s.live).count()
    }
}

impl<S: EventStore, C: Clock> Engine<S, C> {
    /// An engine for an organisation, over a store, with a clock.
    pub fn new(org: Arc<Organisation>, store: S, clock: C) -> Self {
        let tenant = org.tenant.clone();
        let config_version = config_version(&org);
        Engine {
            config_version,
            org,
            store,
            clock,
            cache: StateCache::new(DEFAULT_CACHE_CAPACITY),
            ids: IdSource::new(),
            matter_view: Mutex::new(crate::projection::MatterProjection::new(tenant)),
            damaged: Mutex::default(),
            policies: PolicyGate::default(),
            follows: std::sync::RwLock::new((Arc::default(), 0)),
            follows_stream: Self::stream_of::<crate::subscription::Subscriptions>(
                crate::subscription::SUBSCRIPTIONS_KEY,
            ),
        }
    }

    /// The same engine caching at most `capacity` aggregate states (0 = no cache: every
    /// command reads its stream).
    pub fn with_cache_capacity(mut self, capacity: usize) -> Self {
        self.cache = StateCache::new(capacity);
        self
    }

    /// The configuration version this engine records with its events.
    pub fn config_version(&self) -> &str {
        &self.config_version
    }

    /// How many aggregate states are cached now.
    pub fn cached_states(&self) -> usize {
        self.cache.len()
    }

    /// The organisation.
    pub fn org(&self) -> &Arc<Organisation> {
        &self.org
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The clock.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// A fresh command id for a command given none (unique among this engine's ids, and
    /// random-looking across engines; drawn without a system call).
    pub fn fresh_command_id(&self) -> CommandId {
        CommandId(self.ids.next())
    }

    /// The stream id of an aggregate instance.
    pub fn stream_of<A: Aggregate>(key: &str) -> StreamId {
        StreamId::joined(A::PREFIX, key)
    }

    /// Loads an aggregate: its state and version (0 = no stream). Always up to date with
    /// the store (a cached state is caught up from its version).
    pub fn load<A: Aggregate + Send + Sync + 'static>(&self, key: &str) -> Result<(Arc<A>, u64)> {
        let stream = Self::stream_of::<A>(key);
        let mut entry = match self.cache.take::<A>(&stream) {
            Some(mut e) => {
                self.catch_up(&stream, &mut e)?;
                e
            }
            None => self.read_entry::<A>(&stream)?,
        };
        let out = (entry.state.clone(), entry.version);
        if entry.version > 0 {
            self.cache.put(&stream, entry);
        } else {
            entry.commands.clear();
        }
        Ok(out)
    }

    fn read_entry<A: Aggregate>(&self, stream: &StreamId) -> Result<CacheEntry<A>> {
        let records = self.store.read_stream(&self.org.tenant, stream, 1)?;
        let mut entry = CacheEntry {
            state: Arc::new(A::default()),
            version: 0,
            commands: Vec::new(),
        };
        apply_records(&mut entry, &records)?;
        Ok(entry)
    }

    /// Applies what the stream holds beyond the entry's version; `true` if it had any.
    fn catch_up<A: Aggregate>(&self, stream: &StreamId, entry: &mut CacheEntry<A>) -> Result<bool> {
        let records = self
            .store
            .read_stream(&self.org.tenant, stream, entry.version + 1)?;
        apply_records(entry, &records)?;
        Ok(!records.is_empty())
    }

    /// Checks that `actor` may take `action` at `body` on the roster of today (the
    /// clock's date); system actors may when granted the action.
    pub fn authorize(&self, actor: &Actor, action: Action, body: &BodyId) -> Result<()> {
        let today = self.clock.today();
        Ok(crate::authz::authorize_on(
            &self.org, actor, action, body, today,
        )?)
    }

    /// Runs a command on one aggregate: takes its state (cached, or read from the
    /// store), lets `decide` check it, and appends the events and notifications with the
    /// expected version. Nothing is written when `decide` refuses. A retry with the same
    /// command id writes nothing and reports `duplicate` with the events first written.
    /// A conflict is retried `options.conflict_retries` times against the reloaded state
    /// (`decide` runs again), unless the caller expected a version.
    pub(crate) fn run<A, F>(
        &self,
        key: &str,
        actor: &Actor,
        command_id: CommandId,
        options: &CommandOptions,
        mut decide: F,
    ) -> Result<Executed<A>>
    where
        A: Aggregate + Send + Sync + 'static,
        F: FnMut(&A, u64) -> Result<Decision<A::Event>>,
    {
        let stream = Self::stream_of::<A>(key);
        let mut retries = if options.expected_version.is_some() {
            0
        } else {
            options.conflict_retries
        };
        loop {
            match self.run_once::<A, _>(&stream, actor, command_id, options, &mut decide) {
                Err(e) if e.is_conflict() && retries > 0 => retries -= 1,
                other => return other,
            }
        }
    }

    fn run_once<A, F>(
        &self,
        stream: &StreamId,
        actor: &Actor,
        command_id: CommandId,
        options: &CommandOptions,
        decide: &mut F,
    ) -> Result<Executed<A>>
    where
        A: Aggregate + Send + Sync + 'static,
        F: FnMut(&A, u64) -> Result<Decision<A::Event>>,
    {
        let (mut entry, fresh) = match self.cache.take::<A>(stream) {
            Some(e) => (e, false),
            None => (self.read_entry::<A>(stream)?, true),
        };
        if entry.commands.contains(&command_id) {
            // A retry of a command that was already written: nothing to do.
            return self.duplicate(stream, command_id, entry);
        }
        if let Some(expected) = options.expected_version
            && expected != entry.version
        {
            // The client read another version: if the cache was stale, look again.
            if !fresh {
                self.catch_up(stream, &mut entry)?;
            }
            if expected != entry.version {
                let actual = entry.version;
                if actual > 0 {
                    self.cache.put(stream, entry);
                }
                return Err(Error::Store(StoreError::Conflict {
                    tenant: self.org.tenant.clone(),
                    stream: stream.clone(),
                    expected: ExpectedVersion::at(expected),
                    actual,
                }));
            }
        }
        let decision = match decide(&entry.state, entry.version) {
            Ok(d) => d,
            Err(refusal) => {
                if !fresh {
                    // Refused on a cached state: if the stream moved on, the refusal may be
                    // stale; report a conflict so the caller retries on the new state.
                    let before = entry.version;
                    if self.catch_up(stream, &mut entry)? {
                        let actual = entry.version;
                        self.cache.put(stream, entry);
                        return Err(Error::Store(StoreError::Conflict {
                            tenant: self.org.tenant.clone(),
                            stream: stream.clone(),
                            expected: ExpectedVersion::at(before),
                            actual,
                        }));
                    }
                }
                if entry.version > 0 {
                    self.cache.put(stream, entry);
                }
                return Err(refusal);
            }
        };
        let now = self.clock.now();
        let outbox = decision
            .notifications
            .iter()
            .map(|n| OutboxMessage {
                id: self.ids.next(),
                kind: n.kind.name().to_owned(),
                payload: encode_notification(n),
                available_at: now,
            })
            .collect::<Vec<_>>();
        if decision.events.is_empty() && outbox.is_empty() {
            let out = Executed {
                state: entry.state.clone(),
                events: Vec::new(),
                version: entry.version,
                duplicate: false,
                effects: Effects::default(),
            };
            if entry.version > 0 {
                self.cache.put(stream, entry);
            }
            return Ok(out);
        }
        let actor_name = actor.recorded_as();
        let events = decision
            .events
            .iter()
            .map(|e| encode_audited(e, &actor_name, Some(&self.config_version)))
            .collect();
        let appended: Appended = match self.store.append(AppendRequest {
            tenant: self.org.tenant.clone(),
            stream: stream.clone(),
            expected: ExpectedVersion::at(entry.version),
            command_id,
            actor: actor_name,
            recorded_at: now,
            events,
            outbox,
        }) {
            Ok(a) => a,
            Err(e) => {
                // A conflict means the cached state is stale: leave it out, reload next time.
                self.cache.remove(stream);
                return Err(e.into());
            }
        };
        if appended.duplicate {
            // Written before by another engine: the stream as it is now.
            let entry = self.read_entry::<A>(stream)?;
            return self.duplicate(stream, command_id, entry);
        }
        {
            let state = Arc::make_mut(&mut entry.state);
            for e in &decision.events {
                state.apply(e);
            }
        }
        entry.version = appended.version;
        entry.commands.push(command_id);
        let out = Executed {
            state: entry.state.clone(),
            events: decision.events,
            version: appended.version,
            duplicate: false,
            effects: Effects::default(),
        };
        self.cache.put(stream, entry);
        Ok(out)
    }

    /// The tenant's follows, caught up with the store (what a decide is given to know
    /// who follows a matter or a body).
    pub(crate) fn followers(&self) -> Result<Arc<crate::subscription::Subscriptions>> {
        let (state, version) = {
            let g = self.follows.read().unwrap_or_else(|p| p.into_inner());
            (g.0.clone(), g.1)
        };
        let records =
            self.store
                .read_stream(&self.org.tenant, &self.follows_stream, version + 1)?;
        let Some(last) = records.last().map(|r| r.version) else {
            return Ok(state);
        };
        let mut next = (*state).clone();
        for rec in &records {
            let e = decode_for::<crate::subscription::Subscriptions>(rec)?;
            next.apply(&e);
        }
        let next = Arc::new(next);
        let mut g = self.follows.write().unwrap_or_else(|p| p.into_inner());
        if last > g.1 {
            *g = (next.clone(), last);
        }
        Ok(next)
    }

    /// The outcome of a command that was written before: the stream's state and
    /// version, and the events that command wrote; nothing is written now.
    fn duplicate<A: Aggregate + Send + Sync + 'static>(
        &self,
        stream: &StreamId,
        command_id: CommandId,
        entry: CacheEntry<A>,
    ) -> Result<Executed<A>> {
        let events = self.events_of::<A>(stream, command_id)?;
        let out = Executed {
            state: entry.state.clone(),
            events,
            version: entry.version,
            duplicate: true,
            effects: Effects::default(),
        };
        self.cache.put(stream, entry);
        Ok(out)
    }

    /// The events a command wrote to a stream (for the outcome of a duplicate).
    fn events_of<A: Aggregate>(
        &self,
        stream: &StreamId,
        command_id: CommandId,
    ) -> Result<Vec<A::Event>> {
        let records = self.store.read_stream(&self.org.tenant, stream, 1)?;
        let mut out = Vec::new();
        for rec in records.iter().filter(|r| r.command_id == command_id) {
            out.push(decode::<A::Event>(rec)?);
        }
        Ok(out)
    }

    /// Runs any command on its aggregate — the kernel's half of
    /// [`Engine::execute`](crate::engine::Engine::execute), without the policies that
    /// follow: the policies' own effects run through here.
    pub(crate) fn dispatch(
        &self,
        actor: &Actor,
        command: Command,
        options: &CommandOptions,
    ) -> Result<Outcome> {
        let command_id = options
            .command_id
            .unwrap_or_else(|| self.fresh_command_id());
        match command {
            Command::Matter { matter, command } => self
                .dispatch_matter(actor, matter, command, command_id, options)
                .map(Outcome::Matter),
            Command::Meeting { meeting, command } => self
                .dispatch_meeting(actor, &meeting, &command, command_id, options)
                .map(Outcome::Meeting),
            Command::Assignment {
                assignment,
                command,
            } => self
                .dispatch_assignment(actor, assignment, &command, command_id, options)
                .map(Outcome::Assignment),
            Command::Subscription { command } => self
                .dispatch_subscription(actor, &command, command_id, options)
                .map(Outcome::Subscription),
            Command::Reminder { key, command } => self
                .run::<crate::reminder::ScheduleLog, _>(
                    &key,
                    actor,
                    command_id,
                    options,
                    |state, _| {
                        Ok(crate::reminder::decide(
                            state,
                            &key,
                            &command,
                            self.org(),
                            actor,
                        )?)
                    },
                )
                .map(Outcome::Reminder),
        }
    }
}

/// A notification fact as JSON, written into one buffer sized for a feedback fact (about
/// 400–600 bytes) so that it rarely grows.
fn encode_notification(n: &crate::notification::Notification) -> String {
    let mut buf = Vec::with_capacity(640);
    match serde_json::to_writer(&mut buf, n) {
        // serde_json writes only UTF-8.
        Ok(()) => String::from_utf8(buf).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

fn apply_records<A: Aggregate>(entry: &mut CacheEntry<A>, records: &[RecordedEvent]) -> Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let state = Arc::make_mut(&mut entry.state);
    for rec in records {
        let e: A::Event = decode_for::<A>(rec)?;
        state.apply(&e);
        entry.version = rec.version;
        if entry.commands.last() != Some(&rec.command_id) {
            entry.commands.push(rec.command_id);
        }
    }
    Ok(())
}

#[cfg(test)]
mod id_tests {
    use super::IdSource;
    use std::collections::HashSet;

    #[test]
    fn ids_of_one_source_never_repeat_and_are_version_4() {
        let ids = IdSource::new();
        let mut seen = HashSet::new();
        for _ in 0..100_000 {
            let id = ids.next();
            assert_eq!(id.get_version_num(), 4);
            assert!(seen.insert(id), "repeated id {id}");
        }
    }

    #[test]
    fn two_sources_give_different_ids() {
        let (a, b) = (IdSource::new(), IdSource::new());
        let first: HashSet<_> = (0..1000).map(|_| a.next()).collect();
        assert!((0..1000).all(|_| !first.contains(&b.next())));
    }
}
