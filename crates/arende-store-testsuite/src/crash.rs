//! Crash safety: a writer process that prints each acknowledged append to stdout, a
//! parent that SIGKILLs it at random points, and the check that every acknowledged
//! append survived with nothing half-written visible.
//!
//! An adapter's crash test re-runs its own test binary as the writer: the child runs a
//! test that calls [`writer_loop`] when [`CHILD_ENV`] is set (and returns at once
//! otherwise), the parent calls [`kill_rounds`].
//!
//! Each command the writer appends has two events and one outbox message naming the
//! command, so [`verify`] can tell a half-written command (events without their outbox
//! message, or one event of two) from a whole one.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use arende_core::ids::{CommandId, TenantId};
use arende_core::store::{AppendRequest, ExpectedVersion, StoreError, StreamId};
use chrono::{Duration, Utc};
use uuid::Uuid;

use crate::{Store, event, message};

/// The environment variable that turns a test binary into the crash writer.
pub const CHILD_ENV: &str = "ARENDE_CRASH_CHILD";

/// The tenant the crash writer writes to.
pub const TENANT: &str = "crash";

/// One acknowledged append, as the writer printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// The stream.
    pub stream: String,
    /// The stream's version after the append.
    pub version: u64,
    /// The command.
    pub command_id: CommandId,
}

impl Ack {
    /// Parses a line `ACK <stream> <version> <command id>`; other lines give `None`.
    pub fn parse(line: &str) -> Option<Ack> {
        let mut parts = line.strip_prefix("ACK ")?.split(' ');
        let stream = parts.next()?.to_owned();
        let version = parts.next()?.parse().ok()?;
        let command_id = CommandId(Uuid::parse_str(parts.next()?).ok()?);
        Some(Ack {
            stream,
            version,
            command_id,
        })
    }
}

/// The writer: `threads` threads, each appending commands of two events and one outbox
/// message to its own stream `crash-<n>` (continuing where an earlier, killed writer
/// stopped), printing `ACK <stream> <version> <command id>` after each append returned
/// Ok. Runs until killed, or for at most `limit` (a bound, so a lost parent does not
/// leave it running).
pub fn writer_loop(store: Arc<dyn Store>, threads: usize, limit: StdDuration) {
    let deadline = Instant::now() + limit;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                let tenant = TenantId::new(TENANT);
                let stream = StreamId::new(format!("crash-{t}"));
                let mut version = match store.read_stream(&tenant, &stream, 1) {
                    Ok(events) => events.last().map_or(0, |e| e.version),
                    Err(e) => panic!("crash writer cannot read {stream}: {e:?}"),
                };
                while Instant::now() < deadline {
                    let command_id = CommandId::random();
                    let body = format!("{{\"command\":\"{}\"}}", command_id.0);
                    let req = AppendRequest {
                        tenant: tenant.clone(),
                        stream: stream.clone(),
                        expected: ExpectedVersion::at(version),
                        command_id,
                        actor: format!("crash-writer-{t}").into(),
                        recorded_at: Utc::now(),
                        events: vec![event("Noted", &body), event("Noted", &body)],
                        outbox: vec![message("notice", &body, Utc::now())],
                    };
                    match store.append(req) {
                        Ok(a) => {
                            version = a.version;
                            let mut out = std::io::stdout().lock();
                            let _ = writeln!(out, "ACK {stream} {} {}", a.version, command_id.0);
                            let _ = out.flush();
                        }
                        Err(StoreError::Conflict { actual, .. }) => version = actual,
                        Err(e) => panic!("crash writer append failed: {e:?}"),
                    }
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
}

/// What [`verify`] found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verified {
    /// Commands found whole in the store.
    pub commands: usize,
    /// Acknowledged appends checked.
    pub acked: usize,
}

/// Checks a store after a crash: every acknowledged append is there with its command;
/// every stream's versions run 1..=n without a gap; every command is whole (its two
/// events at consecutive versions and its one outbox message); no outbox message
/// without its events. Claims every outbox message (lease 1 ms) to read them.
pub fn verify(store: &dyn Store, acks: &[Ack]) -> Result<Verified, String> {
    let tenant = TenantId::new(TENANT);
    let mut streams: BTreeSet<String> = acks.iter().map(|a| a.stream.clone()).collect();
    streams.extend((0..16).map(|t| format!("crash-{t}")));
    let mut commands: BTreeMap<CommandId, (String, Vec<u64>)> = BTreeMap::new();
    let mut stored: BTreeMap<(String, u64), CommandId> = BTreeMap::new();
    for s in &streams {
        let events = store
            .read_stream(&tenant, &StreamId::new(s.as_str()), 1)
            .map_err(|e| format!("read {s}: {e}"))?;
        for (i, e) in events.iter().enumerate() {
            if e.version != i as u64 + 1 {
                return Err(format!("{s}: version {} at index {i} (a gap)", e.version));
            }
            commands
                .entry(e.command_id)
                .or_insert_with(|| (s.clone(), Vec::new()))
                .1
                .push(e.version);
            stored.insert((s.clone(), e.version), e.command_id);
        }
    }
    for (cmd, (s, vs)) in &commands {
        if vs.len() != 2 || vs[1] != vs[0] + 1 || vs[1] % 2 != 0 {
            return Err(format!(
                "{s}: command {} is half-written: versions {vs:?}",
                cmd.0
            ));
        }
    }
    for a in acks {
        match stored.get(&(a.stream.clone(), a.version)) {
            Some(c) if *c == a.command_id => {}
            Some(c) => {
                return Err(format!(
                    "{} v{}: acknowledged command {} but found {}",
                    a.stream, a.version, a.command_id.0, c.0
                ));
            }
            None => {
                return Err(format!(
                    "{} v{}: acknowledged append of {} is lost",
                    a.stream, a.version, a.command_id.0
                ));
            }
        }
    }
    let claimed = store
        .claim(
            Utc::now() + Duration::days(36_500),
            Duration::milliseconds(1),
            1 << 30,
        )
        .map_err(|e| format!("claim: {e}"))?;
    let mut outbox: BTreeMap<CommandId, usize> = BTreeMap::new();
    for r in claimed.iter().filter(|r| r.tenant == tenant) {
        let v: serde_json::Value = serde_json::from_str(&r.message.payload)
            .map_err(|e| format!("outbox payload {}: {e}", r.message.payload))?;
        let id = v["command"]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| format!("outbox payload without command: {}", r.message.payload))?;
        *outbox.entry(CommandId(id)).or_insert(0) += 1;
    }
    for cmd in commands.keys() {
        if outbox.get(cmd) != Some(&1) {
            return Err(format!(
                "command {} has events but {} outbox messages",
                cmd.0,
                outbox.get(cmd).copied().unwrap_or(0)
            ));
        }
    }
    if let Some(orphan) = outbox.keys().find(|c| !commands.contains_key(c)) {
        return Err(format!(
            "outbox message of command {} without events",
            orphan.0
        ));
    }
    Ok(Verified {
        commands: commands.len(),
        acked: acks.len(),
    })
}

/// A small xorshift generator, seeded from the clock (the seed is printed so a failing
/// round can be told apart).
struct Rng(u64);

impl Rng {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below.max(1)
    }
}

/// Runs `rounds` rounds: start the writer with `spawn_writer()` (stdout is piped here),
/// wait for its first acknowledgement, let it run a random 5–300 ms more, SIGKILL it,
/// then open the store with `open()` and [`verify`] every acknowledgement so far.
/// Returns the final verification.
pub fn kill_rounds(
    rounds: usize,
    spawn_writer: impl Fn() -> Command,
    open: impl Fn() -> Arc<dyn Store>,
) -> Result<Verified, String> {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0x9e37_79b9, |d| d.as_nanos() as u64)
        | 1;
    eprintln!("crash rounds: seed {seed}");
    let mut rng = Rng(seed);
    let mut all_acks: Vec<Ack> = Vec::new();
    let mut last = Verified::default();
    for round in 0..rounds {
        let mut cmd = spawn_writer();
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| format!("spawn writer: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let acks = Arc::new(Mutex::new(Vec::new()));
        let (first_tx, first_rx) = mpsc::channel();
        let reader = {
            let acks = acks.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if let Some(a) = Ack::parse(&line) {
                        let mut acks = acks.lock().unwrap_or_else(|p| p.into_inner());
                        acks.push(a);
                        if acks.len() == 1 {
                            let _ = first_tx.send(());
                        }
                    }
                }
            })
        };
        let err_reader = std::thread::spawn(move || {
            let mut text = String::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                text.push_str(&line);
                text.push('\n');
            }
            text
        });
        let started = first_rx.recv_timeout(StdDuration::from_secs(60)).is_ok();
        if started {
            std::thread::sleep(StdDuration::from_millis(5 + rng.next(295)));
        }
        // `Child::kill` sends SIGKILL on Unix: no destructor, no flush, no rollback.
        let _ = child.kill();
        let _ = child.wait();
        let _ = reader.join();
        let err_text = err_reader.join().unwrap_or_default();
        if !started {
            return Err(format!(
                "round {round}: the writer never acknowledged:\n{err_text}"
            ));
        }
        let acks = std::mem::take(&mut *acks.lock().unwrap_or_else(|p| p.into_inner()));
        eprintln!("crash round {round}: {} acknowledged appends", acks.len());
        all_acks.extend(acks);
        let store = open();
        last = verify(&*store, &all_acks).map_err(|e| format!("round {round}: {e}"))?;
    }
    Ok(last)
}
