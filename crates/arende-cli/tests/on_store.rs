//! The command line on a store, run as a secretary would: the real binary against a temp
//! SQLite file, and a fresh PostgreSQL schema when `ARENDE_PG_URL` is set. Submitting,
//! showing, listing and forecasting matters; any kernel command with its id and expected
//! version; a meeting's agenda, notice, minutes and adjustment; the dispatcher's preview
//! and a real delivery. A refused command exits 1 and writes nothing; bad usage exits 2.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use support::{Store, json, prefix, status, text};

const FAMILY_CENTRES: &str = "family-centres.toml";
const FC_MATTER: &str = "018da6a1-3800-7da2-ac87-16d81b1498aa";

fn matter_version(store: &Store, id: &str) -> u64 {
    let out = store.arende(&["matter", "show", id, "--format", "json"]);
    status(&out, 0);
    json(&out)["version"].as_u64().expect("a version")
}

fn submit_show_list_and_run(store: &Store) {
    // Writing needs --as: bad usage, exit 2, nothing written.
    let o = store.arende(&[
        "matter",
        "submit",
        "--kind",
        "information",
        "--title",
        "IF-frågan",
        "--body",
        "sbu",
    ]);
    status(&o, 2);
    assert!(text(&o.stderr).contains("--as"), "{}", text(&o.stderr));
    let o = store.arende(&["matter", "list", "--format", "json"]);
    status(&o, 0);
    assert_eq!(json(&o), serde_json::json!([]));

    // From options.
    let o = store.arende(&[
        "matter",
        "submit",
        "--as",
        "jaana-jansson",
        "--kind",
        "information",
        "--title",
        "IF-frågan",
        "--body",
        "sbu",
        "--format",
        "json",
    ]);
    status(&o, 0);
    let info = json(&o)["matter"].as_str().expect("an id").to_owned();
    // From a TOML file, on another's behalf by the secretary, with a case number.
    let file = store.file(
        "submit.toml",
        "kind = \"agreement\"\ntitle = \"Hemsjukvård\"\nbody = \"sbu\"\nsubmitter = \"jaana-jansson\"\n\n[case_numbers]\norebro = \"RS 2024/17\"\n",
    );
    let o = store.arende(&[
        "matter",
        "submit",
        "--as",
        "daniel-berglund",
        "--file",
        &file,
    ]);
    status(&o, 0);
    assert!(
        text(&o.stdout).contains("är anmält till Samverkansgrupp barn och unga"),
        "{}",
        text(&o.stdout)
    );
    // A bad file names itself and what is wrong; exit 1.
    let bad = store.file(
        "bad.toml",
        "kind = \"poem\"\ntitle = \"x\"\nbody = \"sbu\"\n",
    );
    let o = store.arende(&[
        "matter",
        "submit",
        "--as",
        "daniel-berglund",
        "--file",
        &bad,
    ]);
    status(&o, 1);
    assert!(text(&o.stderr).contains("bad.toml"), "{}", text(&o.stderr));

    // Lists, filtered.
    let o = store.arende(&["matter", "list", "--kind", "agreement", "--format", "json"]);
    status(&o, 0);
    let list = json(&o);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["title"], "Hemsjukvård");
    let o = store.arende(&["matter", "list", "--party", "orebro", "--format", "json"]);
    assert_eq!(json(&o).as_array().map(Vec::len), Some(1));
    let o = store.arende(&["matter", "list", "--body", "sbu", "--state", "registered"]);
    status(&o, 0);
    assert_eq!(text(&o.stdout).lines().count(), 2, "{}", text(&o.stdout));
    let o = store.arende(&["matter", "list", "--body", "nowhere"]);
    status(&o, 1);
    assert!(
        text(&o.stderr).contains("okänt organ \"nowhere\""),
        "{}",
        text(&o.stderr)
    );

    // Any kernel command: refused for the submitter (exit 1, nothing written) ...
    let v0 = matter_version(store, &info);
    let screen = format!(
        r#"{{"aggregate": "matter", "matter": "{info}", "command": {{"type": "screen", "screening": "information-item"}}}}"#
    );
    let o = store.arende_in(
        &["command", "run", "-", "--as", "jaana-jansson"],
        Some(&screen),
    );
    status(&o, 1);
    assert!(
        text(&o.stderr).contains("får inte utföra screen vid sbu"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        matter_version(store, &info),
        v0,
        "a refused command writes nothing"
    );
    // ... run by the secretary with an id; the same id again writes nothing.
    let id = "6f1c1f7e-2f4e-4a8e-9a55-0000000000aa";
    let file = store.file("screen.json", &screen);
    let first = store.arende(&[
        "command",
        "run",
        &file,
        "--as",
        "daniel-berglund",
        "--command-id",
        id,
        "--format",
        "json",
    ]);
    status(&first, 0);
    let again = store.arende(&[
        "command",
        "run",
        &file,
        "--as",
        "daniel-berglund",
        "--command-id",
        id,
        "--format",
        "json",
    ]);
    status(&again, 0);
    assert_eq!(json(&first)["version"], json(&again)["version"]);
    assert_eq!(json(&again)["duplicate"], true);
    assert_eq!(json(&first)["events"][0], "ScreenedAsInformation");
    // A stale expected version is a conflict, in English with --lang en.
    let o = store.arende(&[
        "--lang",
        "en",
        "command",
        "run",
        &file,
        "--as",
        "daniel-berglund",
        "--expected-version",
        "1",
    ]);
    status(&o, 1);
    assert!(
        text(&o.stderr).starts_with("refused: conflict on matter-"),
        "{}",
        text(&o.stderr)
    );
    assert!(
        text(&o.stderr).contains("expected version 1, it is at 4"),
        "{}",
        text(&o.stderr)
    );
    // Not a command: names the file; a malformed id is bad usage.
    let junk = store.file(
        "junk.json",
        r#"{"aggregate": "matter", "command": {"type": "fly"}}"#,
    );
    let o = store.arende(&["command", "run", &junk, "--as", "daniel-berglund"]);
    status(&o, 1);
    assert!(text(&o.stderr).contains("junk.json"), "{}", text(&o.stderr));
    let o = store.arende(&[
        "command",
        "run",
        &file,
        "--as",
        "daniel-berglund",
        "--command-id",
        "nope",
    ]);
    status(&o, 2);

    // Show: state, version and history with the person who acted.
    let o = store.arende(&["matter", "show", &info]);
    status(&o, 0);
    let shown = text(&o.stdout);
    assert!(shown.contains("Läge: informationspunkt"), "{shown}");
    assert!(
        shown.contains("bedömt som informationspunkt (daniel-berglund)"),
        "{shown}"
    );
    let o = store.arende(&["--lang", "en", "matter", "show", &info]);
    assert!(
        text(&o.stdout).contains("State: information-item"),
        "{}",
        text(&o.stdout)
    );
    let o = store.arende(&["matter", "show", "0191c0fb-9980-7496-8809-d6cda40da5b7"]);
    status(&o, 1);
    assert!(
        text(&o.stderr).contains("okänt id för ärende"),
        "{}",
        text(&o.stderr)
    );
    let o = store.arende(&["matter", "show", "not-a-uuid"]);
    status(&o, 2);
    // A matter on no route has no forecast: a typed refusal, not a panic.
    let o = store.arende(&["matter", "forecast", &info]);
    status(&o, 1);
}

#[test]
fn matters_and_kernel_commands_on_a_store() {
    for store in Store::all() {
        submit_show_list_and_run(&store);
    }
}

fn meeting_verbs(store: &Store) {
    // The family-centre scenario up to the council's minutes (drafted, not adjusted).
    let eight = prefix(store, FAMILY_CENTRES, 8);
    let o = store.arende(&["simulate", &eight]);
    status(&o, 0);
    let o = store.arende(&["meeting", "minutes", "council-social-2024-05-17"]);
    status(&o, 0);
    let minutes = text(&o.stdout);
    assert!(minutes.contains("§ 5"), "{minutes}");
    assert!(
        minutes.contains("Regional samverkan för familjecentral"),
        "{minutes}"
    );
    // The stored matter's forecast, and its backward plan towards entry into force.
    let o = store.arende(&["matter", "forecast", FC_MATTER, "--format", "json"]);
    status(&o, 0);
    assert!(json(&o)["steps"].as_array().is_some_and(|s| !s.is_empty()));
    let o = store.arende(&[
        "matter",
        "forecast",
        FC_MATTER,
        "--latest-for",
        "in-force-by:2027-12-31",
        "--format",
        "json",
    ]);
    status(&o, 0);
    let plan = json(&o);
    assert_eq!(plan["feasible"], true, "{plan}");
    assert_eq!(plan["matter"], FC_MATTER);
    let steps = plan["steps"].as_array().expect("steps");
    assert!(!steps.is_empty(), "{plan}");
    for step in steps {
        assert!(step["latest"].is_string(), "{step}");
        assert!(
            step["slack_days"].as_i64().is_some_and(|d| d >= 0),
            "{step}"
        );
    }
    let o = store.arende(&[
        "matter",
        "forecast",
        FC_MATTER,
        "--latest-for",
        "in-force-by:2024-06-01",
    ]);
    status(&o, 0);
    let out = text(&o.stdout);
    assert!(
        out.contains("Bakåtplanering mot in-force-by:2024-06-01"),
        "{out}"
    );
    assert!(out.contains("Målet kan inte nås"), "{out}");
    let o = store.arende(&[
        "matter",
        "forecast",
        FC_MATTER,
        "--latest-for",
        "nowhere@2025-01-01",
    ]);
    status(&o, 1);
    assert!(text(&o.stderr).contains("nowhere"), "{}", text(&o.stderr));
    let o = store.arende(&["meeting", "agenda", "council-social-2024-05-17"]);
    status(&o, 0);
    assert!(
        text(&o.stdout).contains("Dagordning (kallelse skickad 2024-05-03)"),
        "{}",
        text(&o.stdout)
    );
    assert!(
        text(&o.stdout)
            .contains("Nära vård årsberättelse 2023 och exempel (för information) — struken"),
        "{}",
        text(&o.stdout)
    );

    // The matter's § 5 has not taken effect: the minutes are not final.
    let before = store.arende(&["matter", "show", FC_MATTER, "--format", "json"]);
    let before = json(&before);
    // Someone who may not adjust is refused; nothing changes.
    let o = store.arende(&[
        "meeting",
        "adjust",
        "council-social-2024-05-17",
        "--as",
        "susann-cederlund",
        "--on",
        "2024-06-14",
    ]);
    status(&o, 1);
    assert!(
        text(&o.stderr).starts_with("avslaget:"),
        "{}",
        text(&o.stderr)
    );
    // The adjuster adjusts: the decision is recorded on the matter, with meeting and §.
    let o = store.arende(&[
        "meeting",
        "adjust",
        "council-social-2024-05-17",
        "--as",
        "tina-johansson",
        "--on",
        "2024-06-14",
    ]);
    status(&o, 0);
    assert!(
        text(&o.stdout).contains(&format!(
            "beslut registrerat på ärendet {FC_MATTER}: council-social-2024-05-17 § 5"
        )),
        "{}",
        text(&o.stdout)
    );
    let after = json(&store.arende(&["matter", "show", FC_MATTER, "--format", "json"]));
    assert!(after["version"].as_u64() > before["version"].as_u64());
    let history = after["history"].as_array().expect("history");
    assert!(
        history
            .iter()
            .any(|h| h["at"] == "council-social-2024-05-17 § 5"),
        "{after}"
    );
    assert!(
        after["next"].as_array().is_some_and(|n| !n.is_empty()),
        "{after}"
    );
    // Adjusting again: the minutes are final (said in Swedish, action included).
    let again = store.arende(&[
        "meeting",
        "adjust",
        "council-social-2024-05-17",
        "--as",
        "tina-johansson",
        "--on",
        "2024-06-14",
    ]);
    status(&again, 1);
    assert!(
        text(&again.stderr).contains("kan inte justera protokollet"),
        "{}",
        text(&again.stderr)
    );

    // A notice with the proposed agenda, for the next meeting of the specific council.
    let o = store.arende(&["meeting", "agenda", "sbu-2024-10-15", "--which", "proposed"]);
    status(&o, 0);
    assert!(
        text(&o.stdout).starts_with("Förslag till dagordning: sbu-2024-10-15"),
        "{}",
        text(&o.stdout)
    );
    let o = store.arende(&[
        "meeting",
        "notice",
        "sbu-2024-10-15",
        "--as",
        "daniel-berglund",
    ]);
    status(&o, 0);
    assert!(
        text(&o.stdout).contains("Kallelsen till sbu-2024-10-15 är skickad"),
        "{}",
        text(&o.stdout)
    );
    let o = store.arende(&["meeting", "agenda", "sbu-2024-10-15"]);
    status(&o, 0);
    assert!(
        text(&o.stdout).starts_with("Dagordning (kallelse skickad"),
        "{}",
        text(&o.stdout)
    );
    // Only a secretary sends notices.
    let o = store.arende(&[
        "meeting",
        "notice",
        "council-social-2024-09-20",
        "--as",
        "susann-cederlund",
    ]);
    status(&o, 1);
    assert!(
        text(&o.stderr).contains("får inte utföra send-notices"),
        "{}",
        text(&o.stderr)
    );
    let o = store.arende(&["meeting", "agenda", "no-such-meeting"]);
    status(&o, 1);
    assert!(
        text(&o.stderr).contains("okänt sammanträde"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn a_meetings_agenda_notice_minutes_and_adjustment_on_a_store() {
    for store in Store::all() {
        meeting_verbs(&store);
    }
}

/// A webhook receiver on loopback that answers 200 to every POST and counts them.
fn receiver() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            seen.fetch_add(1, Ordering::SeqCst);
            let mut stream = reader.into_inner();
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (url, count)
}

#[test]
fn dispatch_previews_then_delivers_the_outbox() {
    let store = Store::sqlite();
    let o = store.arende(&[
        "matter",
        "submit",
        "--as",
        "daniel-berglund",
        "--kind",
        "information",
        "--title",
        "IF-frågan",
        "--body",
        "sbu",
        "--submitter",
        "jaana-jansson",
    ]);
    status(&o, 0);
    // Nothing is sent without a transport: bad usage.
    let o = store.arende(&["dispatch", "--no-scheduler"]);
    status(&o, 2);
    let o = store.arende(&["dispatch", "--dry-run", "--no-scheduler"]);
    status(&o, 0);
    let preview = text(&o.stdout);
    assert!(preview.contains("Väntar i utkorgen (1)"), "{preview}");
    assert!(preview.contains("\"Återkoppling: IF-frågan\""), "{preview}");
    assert!(preview.contains("jaana"), "{preview}");
    // The preview claimed nothing: still waiting.
    let o = store.arende(&["--lang", "en", "dispatch", "--dry-run", "--no-scheduler"]);
    assert!(
        text(&o.stdout).contains("Waiting in the outbox (1)"),
        "{}",
        text(&o.stdout)
    );

    let (url, count) = receiver();
    let secret = "whsec_YXJlbmRlLWNsaS10ZXN0LXNlY3JldC0zMi1ieXRlcyE=";
    let o = store.arende(&[
        "dispatch",
        "--no-scheduler",
        "--webhook",
        &url,
        "--webhook-secret",
        secret,
    ]);
    status(&o, 0);
    assert!(
        text(&o.stdout).contains("1 levererade"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(count.load(Ordering::SeqCst), 1);
    let o = store.arende(&["dispatch", "--dry-run", "--no-scheduler"]);
    assert!(
        text(&o.stdout).contains("Väntar i utkorgen (0)"),
        "{}",
        text(&o.stdout)
    );
    // A secret that is not one is named.
    let o = store.arende(&[
        "dispatch",
        "--no-scheduler",
        "--webhook",
        &url,
        "--webhook-secret",
        "short",
    ]);
    status(&o, 1);
    assert!(text(&o.stderr).contains("webhook"), "{}", text(&o.stderr));

    // --follow keeps delivering what commands write while it runs.
    let mut follower = std::process::Command::new(env!("CARGO_BIN_EXE_arende"))
        .args([
            "dispatch",
            "--follow",
            "--poll",
            "1",
            "--no-scheduler",
            "--webhook",
            &url,
            "--webhook-secret",
            secret,
        ])
        .env("ARENDE_STORE", &store.store)
        .env("ARENDE_CONFIG", support::orebro())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("dispatch --follow starts");
    for title in ["Första", "Andra"] {
        let o = store.arende(&[
            "matter",
            "submit",
            "--as",
            "daniel-berglund",
            "--kind",
            "information",
            "--title",
            title,
            "--body",
            "sbu",
            "--submitter",
            "jaana-jansson",
        ]);
        status(&o, 0);
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while count.load(Ordering::SeqCst) < 3 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let still_running = follower.try_wait().ok().flatten().is_none();
    let _ = follower.kill();
    let _ = follower.wait();
    assert!(still_running, "dispatch --follow ended by itself");
    assert_eq!(
        count.load(Ordering::SeqCst),
        3,
        "both new messages delivered while following"
    );
}

#[test]
fn a_stored_matters_forecast_shows_its_recorded_political_decisions() {
    for store in Store::all() {
        // The family-centre agreement until Kumla (12 March 2025) and Laxå (18 March)
        // have decided.
        let steps = prefix(&store, FAMILY_CENTRES, 38);
        let o = store.arende(&["simulate", &steps]);
        status(&o, 0);
        let o = store.arende(&["matter", "forecast", FC_MATTER, "--format", "json"]);
        status(&o, 0);
        let f = json(&o);
        let parties: Vec<serde_json::Value> = f["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .flat_map(|s| s["parties"].as_array().cloned().unwrap_or_default())
            .collect();
        let mut decided: Vec<&str> = parties
            .iter()
            .filter(|p| p["decided"] == "adopted")
            .filter_map(|p| p["party"].as_str())
            .collect();
        decided.sort_unstable();
        assert_eq!(decided, ["kumla", "laxa"], "{f}");
        for p in parties.iter().filter(|p| p["decided"] == "adopted") {
            let on = if p["party"] == "kumla" {
                "2025-03-12"
            } else {
                "2025-03-18"
            };
            assert_eq!(p["date"], on, "{p}");
        }
        // The others are still forecast.
        assert!(parties.iter().any(|p| p.get("decided").is_none()), "{f}");
        // In words: the recorded decision is named as such.
        let o = store.arende(&["matter", "forecast", FC_MATTER]);
        status(&o, 0);
        let out = text(&o.stdout);
        assert!(
            out.lines()
                .any(|l| l.contains("2025-03-18") && l.contains("antaget")),
            "{out}"
        );
    }
}
