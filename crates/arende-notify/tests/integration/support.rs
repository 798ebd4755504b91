//! Shared test support: real servers started on loopback, and the rule for absent
//! services (skipped outside CI, a failure with `CI=true`).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// Whether we run in CI, where every real service must be there.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Reports an absent service: fails in CI, prints that the test is skipped otherwise.
pub fn unavailable(what: &str) {
    if in_ci() {
        panic!("{what} is required when CI=true");
    }
    eprintln!("SKIPPED: {what} is not available");
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local addr").port()
}

/// Whether something accepts connections on 127.0.0.1:`port`.
pub fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200))
        .is_ok()
}

/// One message as the SMTP sink saw it (decoded by Python's e-mail package).
#[derive(Debug, Clone, Deserialize)]
#[allow(dead_code)]
pub struct Mail {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub message_id: Option<String>,
    pub idempotency_key: Option<String>,
    pub subject: String,
    pub to: String,
    pub date: String,
    pub content_language: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    pub calendar: Option<String>,
    pub attachments: Vec<serde_json::Value>,
}

/// The test SMTP server (aiosmtpd with the `smtp_sink.py` handler), on a free port.
pub struct SmtpServer {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl SmtpServer {
    /// Starts the server, or reports it unavailable and returns `None`.
    pub fn start() -> Option<SmtpServer> {
        let mut s = SmtpServer {
            port: free_port(),
            dir: tempfile::tempdir().expect("temp dir"),
            child: None,
        };
        if s.resume() {
            Some(s)
        } else {
            unavailable("the test SMTP server (python3 -m aiosmtpd; pip install aiosmtpd)");
            None
        }
    }

    /// Starts (again) on the same port; false if it does not come up.
    pub fn resume(&mut self) -> bool {
        let cmdline = std::env::var("ARENDE_SMTP_SERVER")
            .unwrap_or_else(|_| "python3 -m aiosmtpd -n".to_owned());
        let mut parts = cmdline.split_whitespace();
        let Some(program) = parts.next() else {
            return false;
        };
        let tests_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
        let child = Command::new(program)
            .args(parts)
            .arg("-l")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("-c")
            .arg("smtp_sink.Sink")
            .arg(self.dir.path())
            .env("PYTHONPATH", &tests_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(mut child) = child else {
            return false;
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if port_open(self.port) {
                self.child = Some(child);
                return true;
            }
            if let Ok(Some(_)) = child.try_wait() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }

    /// Stops the server (the process this test started) and waits until the port is
    /// closed.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while port_open(self.port) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The messages received so far, in arrival order.
    pub fn messages(&self) -> Vec<Mail> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("read sink dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "json")
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).expect("read mail json");
                serde_json::from_str(&text).expect("mail json")
            })
            .collect()
    }

    /// Waits (wall-clock, at most 10 s) until at least `n` messages arrived.
    pub fn wait_for(&self, n: usize) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let m = self.messages();
            if m.len() >= n || Instant::now() > deadline {
                return m;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}
