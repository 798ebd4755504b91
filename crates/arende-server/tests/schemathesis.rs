//! schemathesis (PyPI) against the served `/openapi.json`: every operation fuzzed from
//! the document, with the checks `not_a_server_error` and
//! `response_schema_conformance`; zero failures. Outside CI the test skips (saying so)
//! when `st` is not installed; in CI it fails (`.ci/run` installs it).

mod common;

use common::*;

#[test]
fn schemathesis_finds_no_server_error_and_no_response_off_schema() {
    let st = std::process::Command::new("st").arg("--version").output();
    if st.as_ref().map_or(true, |o| !o.status.success()) {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("schemathesis (st) is required in CI: pip install schemathesis");
        }
        eprintln!("SKIPPED schemathesis: `st` is not installed (pip install schemathesis)");
        return;
    }
    // Long polls of the change feed answer within 2 seconds here, inside the fuzzer's
    // request timeout.
    let Some(server) = Server::start_tuned(Backend::Sqlite, "schemathesis", |o| {
        o.max_wait = std::time::Duration::from_secs(2);
        // The fuzzer reads the document without credentials.
        o.ops_access = arende_server::public::OpsAccess::Public;
    }) else {
        return;
    };
    let examples = std::env::var("ARENDE_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "25".into());
    let out = std::process::Command::new("st")
        .args([
            "run",
            &server.url("/openapi.json"),
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--header",
            &format!("X-Api-Key: {KEY_ALL}"),
            "--max-examples",
            &examples,
            "--workers",
            "2",
        ])
        .env("NO_COLOR", "1")
        .output()
        .expect("st runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "schemathesis failed:\n{stdout}\n{stderr}"
    );
    println!("{stdout}");
}
