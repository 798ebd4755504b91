//! Group commit, shared by the SQL stores: appends that arrive while a transaction is
//! being written queue up, and the next leader writes a whole group in one transaction
//! (one flush), each request keeping its own checks and its own result.
//!
//! This is the leader/follower form of a writer thread draining a channel: the caller
//! that finds a leader slot free writes at once on its own thread (no hand-off when there
//! is no contention), and callers that arrive meanwhile are written together by the next
//! leader. A store allows one leader (SQLite: one writer connection) or several
//! (PostgreSQL: one per pooled connection, whose transactions the server flushes
//! together).
//!
//! **Gathering.** When a flush is fast, a leader that starts at once finds only the few
//! callers that queued during the last, short, commit, and groups stay small. So a leader
//! that finds fewer requests queued than the last group held waits up to
//! [`GroupConfig::gather`] for the others to queue (woken as each arrives): with one
//! caller the last group held one and nobody waits; with sixteen the groups grow to
//! about sixteen.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{AppendRequest, Appended, StoreError};

/// How a [`GroupCommit`] forms its groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupConfig {
    /// At most this many requests share one transaction.
    pub max_batch: usize,
    /// At most this many groups are written at once.
    pub max_leaders: usize,
    /// How long a leader waits for the callers of the last group to queue again (zero:
    /// never waits).
    pub gather: Duration,
}

impl Default for GroupConfig {
    fn default() -> Self {
        GroupConfig {
            max_batch: 256,
            max_leaders: 1,
            gather: Duration::ZERO,
        }
    }
}

/// How many appends the group commit has written in how many transactions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupStats {
    /// Append requests written or refused.
    pub appends: u64,
    /// Transactions (groups) they ran in; fewer than `appends` when groups formed.
    pub transactions: u64,
}

/// One append's outcome.
pub type AppendResult = Result<Appended, StoreError>;

struct State {
    queue: VecDeque<(u64, AppendRequest)>,
    results: HashMap<u64, AppendResult>,
    leaders: usize,
    next_ticket: u64,
    last_group: usize,
}

/// The group-commit queue of a store. See the module docs.
pub struct GroupCommit {
    config: GroupConfig,
    state: Mutex<State>,
    /// A group's results are in, or a leader slot is free.
    done: Condvar,
    /// A request was queued (for a gathering leader).
    arrived: Condvar,
    appends: AtomicU64,
    transactions: AtomicU64,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("config", &self.config)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl GroupCommit {
    /// An empty queue.
    pub fn new(config: GroupConfig) -> Self {
        GroupCommit {
            config: GroupConfig {
                max_batch: config.max_batch.max(1),
                max_leaders: config.max_leaders.max(1),
                gather: config.gather,
            },
            state: Mutex::new(State {
                queue: VecDeque::new(),
                results: HashMap::new(),
                leaders: 0,
                next_ticket: 0,
                last_group: 0,
            }),
            done: Condvar::new(),
            arrived: Condvar::new(),
            appends: AtomicU64::new(0),
            transactions: AtomicU64::new(0),
        }
    }

    /// The configuration.
    pub fn config(&self) -> GroupConfig {
        self.config
    }

    /// How many appends shared how many transactions so far.
    pub fn stats(&self) -> GroupStats {
        GroupStats {
            appends: self.appends.load(Ordering::Relaxed),
            transactions: self.transactions.load(Ordering::Relaxed),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is consistent at every point a panic could happen (a leader's
        // `write` runs without the lock).
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `request` and returns its outcome: written by this caller as a leader
    /// (with whatever else is queued) or by another leader. `write` writes a group in
    /// one transaction and returns one result per request, in order; a missing result
    /// is reported as a backend error of `backend`.
    pub fn submit(
        &self,
        request: AppendRequest,
        backend: &'static str,
        write: &dyn Fn(Vec<AppendRequest>) -> Vec<AppendResult>,
    ) -> AppendResult {
        let mut state = self.lock();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.queue.push_back((ticket, request));
        self.arrived.notify_one();
        loop {
            if let Some(r) = state.results.remove(&ticket) {
                return r;
            }
            if state.leaders < self.config.max_leaders && !state.queue.is_empty() {
                state.leaders += 1;
                state = self.gather(state);
                let n = state.queue.len().min(self.config.max_batch);
                let batch: Vec<(u64, AppendRequest)> = state.queue.drain(..n).collect();
                state.last_group = n;
                drop(state);
                let (tickets, requests): (Vec<u64>, Vec<AppendRequest>) = batch.into_iter().unzip();
                self.appends
                    .fetch_add(tickets.len() as u64, Ordering::Relaxed);
                self.transactions.fetch_add(1, Ordering::Relaxed);
                let mut results = write(requests).into_iter();
                state = self.lock();
                for t in tickets {
                    let r = results.next().unwrap_or_else(|| {
                        Err(StoreError::Backend {
                            backend,
                            source: "the group commit returned too few results".into(),
                        })
                    });
                    state.results.insert(t, r);
                }
                state.leaders -= 1;
                self.done.notify_all();
                continue;
            }
            state = self.done.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// As a new leader: waits up to the gather window while fewer requests are queued
    /// than the last group held.
    fn gather<'a>(&'a self, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        if self.config.gather.is_zero() {
            return state;
        }
        let target = state.last_group.min(self.config.max_batch);
        let deadline = Instant::now() + self.config.gather;
        while state.queue.len() < target {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            state = self
                .arrived
                .wait_timeout(state, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CommandId, TenantId};
    use crate::store::{ExpectedVersion, StreamId};
    use std::sync::Arc;

    fn req(i: u64) -> AppendRequest {
        AppendRequest {
            tenant: TenantId::new("t"),
            stream: StreamId::new(format!("s-{i}")),
            expected: ExpectedVersion::NoStream,
            command_id: CommandId::random(),
            actor: "x".into(),
            recorded_at: chrono::DateTime::UNIX_EPOCH,
            events: vec![],
            outbox: vec![],
        }
    }

    /// Each caller gets the result the writer gave its own request.
    fn echo(batch: Vec<AppendRequest>) -> Vec<AppendResult> {
        std::thread::sleep(Duration::from_millis(2));
        batch
            .into_iter()
            .map(|r| {
                let n: u64 = r.stream.as_str()[2..].parse().unwrap_or(0);
                Ok(Appended {
                    version: n,
                    position: n,
                    duplicate: false,
                })
            })
            .collect()
    }

    fn run(config: GroupConfig, threads: u64, each: u64) -> GroupStats {
        let g = Arc::new(GroupCommit::new(config));
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let g = g.clone();
                std::thread::spawn(move || {
                    for k in 0..each {
                        let i = t * 1000 + k;
                        let r = g.submit(req(i), "test", &echo).expect("append");
                        assert_eq!(r.version, i, "each caller gets its own result");
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().expect("thread");
        }
        g.stats()
    }

    #[test]
    fn concurrent_callers_share_groups_and_get_their_own_results() {
        let stats = run(GroupConfig::default(), 8, 20);
        assert_eq!(stats.appends, 160);
        assert!(stats.transactions < 160, "{stats:?}");
    }

    #[test]
    fn gathering_makes_larger_groups() {
        // A window wide enough that 8 callers arrive within it on a loaded machine too.
        let stats = run(
            GroupConfig {
                gather: Duration::from_millis(100),
                ..GroupConfig::default()
            },
            8,
            20,
        );
        assert_eq!(stats.appends, 160);
        // Without gathering a group holds about half the callers (the others wait for
        // their results); with it, about all of them.
        assert!(
            stats.transactions <= 160 / 5,
            "groups of {:.1}",
            160.0 / stats.transactions as f64
        );
    }

    #[test]
    fn a_lone_caller_never_waits_for_a_group() {
        let g = GroupCommit::new(GroupConfig {
            gather: Duration::from_secs(10),
            ..GroupConfig::default()
        });
        let t = Instant::now();
        for i in 0..5 {
            g.submit(req(i), "test", &echo).expect("append");
        }
        assert!(t.elapsed() < Duration::from_secs(5));
        assert_eq!(g.stats().transactions, 5);
    }

    #[test]
    fn several_leaders_write_at_once() {
        let stats = run(
            GroupConfig {
                max_leaders: 4,
                max_batch: 2,
                ..GroupConfig::default()
            },
            8,
            10,
        );
        assert_eq!(stats.appends, 80);
        assert!(stats.transactions >= 40, "batches of at most 2: {stats:?}");
    }

    #[test]
    fn too_few_results_is_an_error_not_a_hang() {
        let g = GroupCommit::new(GroupConfig::default());
        let r = g.submit(req(1), "test", &|_| Vec::new());
        assert!(matches!(
            r,
            Err(StoreError::Backend {
                backend: "test",
                ..
            })
        ));
    }
}
