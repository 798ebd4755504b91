//! Shared helpers of the CLI's integration tests: the real binary, run against a temp
//! SQLite file or a fresh PostgreSQL schema (when `ARENDE_PG_URL` is set; with `CI=true`
//! it must be).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Örebro configuration.
pub fn orebro() -> String {
    root().join("config/orebro.toml").display().to_string()
}

/// A scenario file of `scenarios/`.
pub fn scenario(name: &str) -> String {
    root().join("scenarios").join(name).display().to_string()
}

/// Output as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A store a test runs on: a SQLite file in a temp dir, or a fresh PostgreSQL schema.
pub struct Store {
    /// What `--store` gets.
    pub store: String,
    /// What `--schema` gets.
    pub schema: String,
    pg: Option<String>,
    _dir: tempfile::TempDir,
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some(url) = &self.pg
            && let Ok(mut c) = postgres::Client::connect(url, postgres::NoTls)
        {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

impl Store {
    /// A new SQLite file.
    pub fn sqlite() -> Store {
        let dir = tempfile::tempdir().expect("temp dir");
        Store {
            store: dir.path().join("arende.sqlite").display().to_string(),
            schema: "arende".into(),
            pg: None,
            _dir: dir,
        }
    }

    /// A fresh PostgreSQL schema, or `None` (printed) outside CI without a database.
    pub fn postgres() -> Option<Store> {
        let url = match std::env::var("ARENDE_PG_URL") {
            Ok(url) if !url.trim().is_empty() => url,
            _ if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("CI=true but ARENDE_PG_URL is not set")
            }
            _ => {
                println!("skipping the PostgreSQL run: ARENDE_PG_URL is not set");
                return None;
            }
        };
        Some(Store {
            store: url.clone(),
            schema: format!("arende_cli_{}", uuid::Uuid::new_v4().simple()),
            pg: Some(url),
            _dir: tempfile::tempdir().expect("temp dir"),
        })
    }

    /// Every store to run on: SQLite, and PostgreSQL when there is one.
    pub fn all() -> Vec<Store> {
        let mut v = vec![Store::sqlite()];
        v.extend(Store::postgres());
        v
    }

    /// Runs `arende` with this store (and the Örebro configuration) in the environment,
    /// in `cwd`.
    pub fn arende(&self, args: &[&str]) -> Output {
        self.arende_in(args, None)
    }

    /// [`Store::arende`] with standard input.
    pub fn arende_in(&self, args: &[&str], stdin: Option<&str>) -> Output {
        run(
            args,
            &[
                ("ARENDE_STORE", self.store.as_str()),
                ("ARENDE_SCHEMA", self.schema.as_str()),
                ("ARENDE_CONFIG", orebro().as_str()),
            ],
            stdin,
        )
    }

    /// A file in the test's temporary directory.
    pub fn file(&self, name: &str, contents: &str) -> String {
        let path = self._dir.path().join(name);
        std::fs::write(&path, contents).expect("write a test file");
        path.display().to_string()
    }
}

/// Runs the real binary with `env`, failing the test on a panic.
pub fn run(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    use std::io::Write as _;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_arende"));
    cmd.args(args)
        .env_remove("ARENDE_AS")
        .env_remove("ARENDE_STORE")
        .env_remove("ARENDE_CONFIG")
        .env_remove("ARENDE_SCHEMA");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("the arende binary runs");
    if let Some(mut input) = child.stdin.take() {
        if let Some(s) = stdin {
            input.write_all(s.as_bytes()).expect("stdin");
        }
    }
    let out = child.wait_with_output().expect("the arende binary ends");
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "arende panicked: {stderr}");
    out
}

/// Asserts the exit status, showing both streams when it differs.
pub fn status(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// The JSON a command printed.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\n{}",
            text(&out.stdout),
            text(&out.stderr)
        )
    })
}

/// The first `n` steps of a scenario of `scenarios/`, as a scenario in the JSON form
/// (with the configuration's absolute path), written into the store's directory.
pub fn prefix(store: &Store, name: &str, n: usize) -> String {
    let text = std::fs::read_to_string(scenario(name)).expect("scenario");
    let mut t: toml::Table = toml::from_str(&text).expect("scenario TOML");
    if let Some(toml::Value::Array(steps)) = t.get_mut("step") {
        steps.truncate(n);
    }
    t.remove("expect");
    t.insert("config".into(), toml::Value::String(orebro()));
    let json = serde_json::to_string(&t).expect("JSON");
    store.file(&format!("{name}-{n}.json"), &json)
}
