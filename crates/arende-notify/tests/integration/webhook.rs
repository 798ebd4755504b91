//! The webhook transport against an HTTP receiver on loopback that verifies every
//! signature with the public `verify`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use arende_core::clock::{Clock, SimulatedClock};
use arende_core::store::{MemoryStore, Outbox};
use arende_notify::render::WireMessage;
use arende_notify::webhook::{Secret, WebhookEndpoint, WebhookTransport, verify};
use arende_notify::{Backoff, DispatchConfig, Dispatcher};
use chrono::Duration;

use crate::common::*;

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    verified: Result<(), String>,
    body: WireMessage,
}

/// A tiny HTTP/1.1 server: answers each request with the next scripted status (200 when
/// the script is empty) and verifies its signature with the receiver's secrets at the
/// simulated clock's time.
struct Receiver {
    url: String,
    seen: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<Vec<u16>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    fn start(secrets: Vec<Secret>, clock: Arc<SimulatedClock>) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind receiver");
        let url = format!(
            "http://{}/hooks/arende",
            listener.local_addr().expect("addr")
        );
        listener.set_nonblocking(true).expect("nonblocking");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s2, sc2, st2) = (seen.clone(), script.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !st2.load(Ordering::Relaxed) {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    continue;
                };
                stream.set_nonblocking(false).expect("blocking stream");
                let mut reader = BufReader::new(stream);
                let mut headers = Vec::new();
                let mut line = String::new();
                reader.read_line(&mut line).expect("request line");
                loop {
                    line.clear();
                    reader.read_line(&mut line).expect("header line");
                    let l = line.trim_end();
                    if l.is_empty() {
                        break;
                    }
                    if let Some((k, v)) = l.split_once(':') {
                        headers.push((k.trim().to_owned(), v.trim().to_owned()));
                    }
                }
                let len: usize = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; len];
                reader.read_exact(&mut body).expect("body");
                let verified = verify(headers.clone(), &body, &secrets, clock.now())
                    .map_err(|e| e.to_string());
                let id = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("webhook-id"))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                let status = {
                    let mut s = sc2.lock().expect("script");
                    if s.is_empty() { 200 } else { s.remove(0) }
                };
                s2.lock().expect("seen").push(Received {
                    id,
                    verified,
                    body: serde_json::from_slice(&body).expect("wire json"),
                });
                let mut stream = reader.into_inner();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        Receiver {
            url,
            seen,
            script,
            stop,
            thread: Some(thread),
        }
    }

    fn seen(&self) -> Vec<Received> {
        self.seen.lock().expect("seen").clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A `whsec_` secret as configured, or (for readable tests) a text's own bytes.
fn secret(text: &str) -> Secret {
    if text.starts_with("whsec_") {
        Secret::parse(text).expect("secret")
    } else {
        Secret::from_bytes(text.as_bytes()).expect("secret")
    }
}

#[tokio::test]
async fn signed_webhooks_verify_survive_rotation_and_retry_with_the_same_id() {
    let clock = Arc::new(SimulatedClock::new(at(d(2024, 10, 15), 12, 0)));
    let old = secret("the-old-secret-of-the-receiver-0001");
    let new = Secret::from_bytes(vec![42u8; 32]).expect("secret");
    // The receiver has rotated to the new secret; the sender signs with both.
    let receiver = Receiver::start(vec![new.clone()], clock.clone());
    receiver.script.lock().expect("script").extend([503, 500]);
    let transport = WebhookTransport::new(
        WebhookEndpoint {
            url: receiver.url.clone(),
            secrets: vec![old, secret(&new.to_whsec())],
            tenants: None,
            kinds: None,
        },
        std::time::Duration::from_secs(5),
    )
    .expect("webhook transport");
    let store = Arc::new(MemoryStore::new());
    let dispatcher =
        Dispatcher::new(store.clone(), transport, clock.clone()).with_config(DispatchConfig {
            backoff: Backoff {
                jitter: false,
                ..Default::default()
            },
            ..Default::default()
        });
    let ids = enqueue(store.as_ref(), &[feedback(1), feedback(2)], clock.now());
    for _ in 0..5 {
        dispatcher.drain().await.expect("dispatch");
        clock.advance(Duration::minutes(3));
    }
    let seen = receiver.seen();
    assert_eq!(
        seen.len(),
        4,
        "two failures answered 5xx, then both delivered"
    );
    for r in &seen {
        assert_eq!(r.verified, Ok(()), "{r:?}");
        assert_eq!(r.body.id.to_string(), r.id, "webhook-id is the message id");
    }
    let mut unique: Vec<String> = seen.iter().map(|r| r.id.clone()).collect();
    unique.sort();
    unique.dedup();
    let mut expected: Vec<String> = ids.iter().map(|u| u.to_string()).collect();
    expected.sort();
    assert_eq!(
        unique, expected,
        "a receiver deduplicating by webhook-id sees each once"
    );
    assert_eq!(seen[3].body.kind, "feedback");
    assert!(seen[3].body.subject.starts_with("Återkoppling:"));
    let counts = store.outbox_counts(&tenant()).expect("counts");
    assert_eq!(counts.get("delivered"), Some(&2));
}

#[tokio::test]
async fn a_receiver_with_the_wrong_secret_rejects_and_410_disables_the_endpoint() {
    let clock = Arc::new(SimulatedClock::new(at(d(2024, 10, 15), 12, 0)));
    let receiver = Receiver::start(
        vec![secret("a-secret-the-sender-does-not-have")],
        clock.clone(),
    );
    receiver.script.lock().expect("script").push(410);
    let state = tempfile::tempdir().expect("tempdir");
    let state_file = state.path().join("webhooks.json");
    let endpoint = WebhookEndpoint {
        url: receiver.url.clone(),
        secrets: vec![secret("the-sender-signs-with-this-one")],
        tenants: None,
        kinds: Some(vec!["feedback".into()]),
    };
    let transport = Arc::new(
        WebhookTransport::new(endpoint.clone(), std::time::Duration::from_secs(5))
            .expect("transport")
            .with_state_file(&state_file)
            .expect("state file"),
    );
    let store = Arc::new(MemoryStore::new());
    let dispatcher = Dispatcher::new(store.clone(), transport.clone(), clock.clone());
    let first = enqueue(store.as_ref(), &[feedback(1)], clock.now());
    dispatcher.drain().await.expect("dispatch");
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].verified,
        Err("no valid v1 signature for any configured secret".into())
    );
    // 410: the endpoint is disabled and the message parked with the reason.
    let disabled = transport.disabled().expect("disabled");
    assert_eq!(disabled.message, first[0]);
    let parked = store.parked(&tenant()).expect("parked");
    assert_eq!(parked.len(), 1);
    assert!(
        parked[0]
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("410 Gone")
    );
    // Later messages are not sent to it.
    enqueue(store.as_ref(), &[feedback(2)], clock.now());
    let r = dispatcher.drain().await.expect("dispatch");
    assert_eq!(r.delivered, 1);
    assert_eq!(receiver.seen().len(), 1);
    // A restarted dispatcher remembers.
    let again = WebhookTransport::new(endpoint, std::time::Duration::from_secs(5))
        .expect("transport")
        .with_state_file(&state_file)
        .expect("state file");
    assert_eq!(again.disabled(), Some(disabled));
    again.enable().expect("enable");
    let third = WebhookTransport::new(again_endpoint(&receiver), std::time::Duration::from_secs(5))
        .expect("transport")
        .with_state_file(&state_file)
        .expect("state file");
    assert_eq!(third.disabled(), None);
}

fn again_endpoint(r: &Receiver) -> WebhookEndpoint {
    WebhookEndpoint {
        url: r.url.clone(),
        secrets: vec![secret("the-sender-signs-with-this-one")],
        tenants: None,
        kinds: None,
    }
}
