//! Shared by the integration tests: the Örebro examples' stores (the three real routes
//! run by the examples' own scripts), a deployment over one of them, the published
//! routes served over real HTTP on loopback, an HTTP client, and running a Python
//! reference client (skipped outside CI when it is missing, a failure with `CI=true`).

#![allow(dead_code)]

#[path = "../../../../examples/support/mod.rs"]
pub mod support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use anyhow::{Context, Result};
use arende::clock::SimulatedClock;
use arende::deployment::{Deployment, SharedClock, SharedStore};
use arende::sqlite::SqliteStore;
use axum::extract::FromRef;

/// The three scenarios' SQLite files, in a directory that lives as long as the tests.
pub struct Stores {
    _dir: tempfile::TempDir,
    /// (scenario, file).
    pub paths: Vec<(&'static str, PathBuf)>,
}

/// Runs the three scenarios of `examples/` once per test binary.
pub fn stores() -> &'static Stores {
    static STORES: OnceLock<Stores> = OnceLock::new();
    STORES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let hhc = dir.path().join("home_health_care.sqlite");
        let fc = dir.path().join("family_centres.sqlite");
        let us = dir.path().join("unbroken_schooling.sqlite");
        support::home_health_care::run(Some(&hhc)).expect("home health care runs");
        support::family_centres::run(Some(&fc)).expect("family centres runs");
        support::unbroken_schooling::run(Some(&us)).expect("unbroken schooling runs");
        Stores {
            _dir: dir,
            paths: vec![
                ("home_health_care", hhc),
                ("family_centres", fc),
                ("unbroken_schooling", us),
            ],
        }
    })
}

/// The Örebro configuration.
pub fn orebro() -> Arc<arende::org::Organisation> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/orebro.toml");
    Arc::new(arende::load_file(path).expect("config/orebro.toml loads"))
}

/// A deployment serving Örebro over the SQLite file at `path`, its clock at `today`.
pub fn deployment(path: &Path, today: chrono::NaiveDate) -> Result<Arc<Deployment>> {
    let store: SharedStore =
        Arc::new(SqliteStore::open(path).with_context(|| format!("opening {}", path.display()))?);
    let clock: SharedClock = Arc::new(SimulatedClock::at_date(today));
    let mut d = Deployment::new();
    d.add(orebro(), store, clock)?;
    Ok(Arc::new(d))
}

/// The smallest state a server can have: the deployment.
#[derive(Clone)]
pub struct TestState(pub Arc<Deployment>);

impl FromRef<TestState> for Arc<Deployment> {
    fn from_ref(s: &TestState) -> Self {
        Arc::clone(&s.0)
    }
}

/// A router served on 127.0.0.1:0 by its own runtime, until dropped.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    runtime: tokio::runtime::Runtime,
}

impl Server {
    /// Serves `router`.
    pub fn start(router: axum::Router) -> Result<Server> {
        Self::start_at(|_| router)
    }

    /// Starts the router that `make` builds for the server's own base URL (the public
    /// base URL its links must start with).
    pub fn start_at(make: impl FnOnce(String) -> axum::Router) -> Result<Server> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
        let addr = listener.local_addr()?;
        let router = make(format!("http://{addr}"));
        runtime.spawn(async move { axum::serve(listener, router).await });
        Ok(Server {
            base: format!("http://{addr}"),
            runtime,
        })
    }
}

/// A response read whole.
pub struct Got {
    /// The status.
    pub status: u16,
    /// The content type.
    pub content_type: String,
    /// The body.
    pub body: String,
}

/// GET `url` with optional headers, any status.
pub fn get(url: &str, headers: &[(&str, &str)]) -> Result<Got> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut resp = req.call().with_context(|| format!("GET {url}"))?;
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = resp
        .body_mut()
        .with_config()
        .limit(64 * 1024 * 1024)
        .read_to_string()
        .with_context(|| format!("reading {url}"))?;
    Ok(Got {
        status,
        content_type,
        body,
    })
}

/// Whether `python3` can import `modules`. Outside CI a missing module skips the test
/// (and says so); with `CI=true` it fails.
pub fn python_has(modules: &[&str]) -> bool {
    let ok = std::process::Command::new("python3")
        .arg("-c")
        .arg(format!("import {}", modules.join(", ")))
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(
            !ci,
            "CI=true and python3 cannot import {modules:?} (see the install block in .ci/run)"
        );
        eprintln!("SKIPPED: python3 cannot import {modules:?}; install them to run this test");
    }
    ok
}

/// Runs a Python script of `tests/` with arguments; its output on failure.
pub fn run_python(script: &str, args: &[&str]) -> Result<String> {
    let path = format!("{}/tests/{script}", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3")
        .arg(&path)
        .args(args)
        .output()
        .with_context(|| format!("running {path}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    anyhow::ensure!(
        out.status.success(),
        "{script} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    Ok(stdout)
}

/// The OParl JSON schemas (`tests/oparl-schema`, the OParl 1.1 spec's, vendored; or
/// `ARENDE_OPARL_SCHEMAS`).
pub fn schema_dir() -> PathBuf {
    std::env::var_os("ARENDE_OPARL_SCHEMAS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oparl-schema"))
}
