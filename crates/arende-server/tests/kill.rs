//! A kill of the server during load loses no acknowledged command: the real `arende
//! serve` binary on SQLite takes commands from 8 clients, is killed with SIGKILL in the
//! middle, is started again on the same store, and every command id that got a 2xx is
//! found in the store (and a replay of each is answered as a replay).

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;

/// The `arende` binary next to this test's executable (target/<profile>/arende).
fn binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.parent()?;
    let bin = dir.join("arende");
    if bin.exists() {
        return Some(bin);
    }
    // Not built yet (e.g. only this crate's tests were built): build it.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let ok = Command::new(cargo)
        .args(["build", "-p", "arende-cli", "--bin", "arende"])
        .status()
        .is_ok_and(|s| s.success());
    (ok && bin.exists()).then_some(bin)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start(bin: &PathBuf, dir: &std::path::Path, port: u16) -> Child {
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/orebro.toml");
    let mut child = Command::new(bin)
        .args([
            "serve",
            "--config",
            config,
            "--store",
            &dir.join("arende.db").display().to_string(),
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--auth",
            &dir.join("auth.toml").display().to_string(),
            "--start-date",
            "2024-09-02",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("arende serve starts");
    if ready(port) {
        return child;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("arende serve did not become ready");
}

/// Whether the server on `port` answers `/readyz` within a minute.
fn ready(port: u16) -> bool {
    let a = agent();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = a.get(&format!("http://127.0.0.1:{port}/readyz")).call()
            && r.status().as_u16() == 200
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn a_kill_during_load_loses_no_acknowledged_command() {
    let Some(bin) = binary() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("the arende binary cannot be built");
        }
        eprintln!("SKIPPED kill test: the arende binary is not built");
        return;
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("auth.toml"), auth_toml(dir.path())).expect("auth.toml");
    let port = free_port();
    let mut child = start(&bin, dir.path(), port);
    let base = format!("http://127.0.0.1:{port}");
    let acked: Arc<Mutex<Vec<(String, String)>>> = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let base = base.clone();
            let acked = Arc::clone(&acked);
            std::thread::spawn(move || {
                let a = agent();
                for i in 0.. {
                    let id = uuid::Uuid::new_v4().to_string();
                    let body =
                        submit(&format!("Last {c}-{i}"), "sbu", Some("jaana-jansson")).to_string();
                    let r = a
                        .post(&format!("{base}/v1/orebro/commands"))
                        .header("X-Api-Key", KEY_ALL)
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", id.as_str())
                        .send(body.as_str());
                    match r {
                        Ok(r) if r.status().is_success() => {
                            acked.lock().expect("the list").push((id, body));
                        }
                        Ok(r) => panic!("unexpected status {}", r.status()),
                        // The server is gone: stop.
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    // Let the load run, then kill the process outright.
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.lock().expect("the list").len() < 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    for c in clients {
        c.join().expect("a client");
    }
    let acked = acked.lock().expect("the list").clone();
    assert!(
        acked.len() >= 50,
        "only {} commands were acknowledged",
        acked.len()
    );

    // Start again on the same store: every acknowledged command is there.
    let store =
        arende_store_sqlite::SqliteStore::open(dir.path().join("arende.db")).expect("the store");
    let mut stored = std::collections::BTreeSet::new();
    let mut after = 0;
    loop {
        let batch = arende_core::store::EventStore::read_all(&store, after, 10_000).expect("read");
        let Some(last) = batch.last() else { break };
        after = last.position;
        stored.extend(batch.into_iter().map(|e| e.command_id.to_string()));
    }
    drop(store);
    let missing: Vec<&String> = acked
        .iter()
        .map(|(id, _)| id)
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged commands lost: {missing:?}",
        missing.len(),
        acked.len()
    );

    let port = free_port();
    let mut child = start(&bin, dir.path(), port);
    let a = agent();
    // A replay of an acknowledged command after the restart is a replay: nothing new.
    // (The same body: the key's record holds the request's fingerprint.)
    let (id, body) = acked.first().expect("one").clone();
    let r = a
        .post(&format!("http://127.0.0.1:{port}/v1/orebro/commands"))
        .header("X-Api-Key", KEY_ALL)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", id.as_str())
        .send(body.as_str())
        .expect("the server answers");
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(
        r.headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    child.kill().expect("stop");
    let _ = child.wait();
}
