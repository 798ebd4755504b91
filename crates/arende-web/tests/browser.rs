//! End to end in a real headless browser: Debian's `chromium` driven over WebDriver
//! (`chromium-driver`) with fantoccini, against the dashboard served on a loopback port
//! over a SQLite store holding the Örebro examples' data, the browser acting as the
//! preparatory group's secretary (an `Actor` extension layer, as the server's auth
//! puts one). It opens each page and scans it with axe-core (0 serious or critical
//! violations), clicks through the family-centre agreement's timeline, asks "can the
//! unbroken-schooling agreement be decided on 15 November 2024?" and reads the answer,
//! submits and screens a matter through the forms, and saves screenshots under
//! `target/screenshots/`.
//!
//! Needs `chromium`, `chromedriver` and axe-core (`npm install axe-core`, found through
//! `ARENDE_AXE_JS`, or installed by the test into a temporary directory). With
//! `CI=true` a missing tool fails the test; otherwise it skips and says so.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use arende_core::authz::Actor;
use arende_core::deployment::Deployment;
use arende_core::ids::PersonId;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The chromedriver we started, stopped by its own handle when the test ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn skip_or_fail(what: &str) -> Result<bool> {
    if support::in_ci() {
        bail!("CI=true and {what}: the browser test cannot run");
    }
    eprintln!("SKIPPED browser test: {what} (set CI=true to make this a failure)");
    Ok(false)
}

/// axe-core's script: `ARENDE_AXE_JS`, or `npm install axe-core` into a temporary
/// directory.
fn axe_script(dir: &Path) -> Result<Option<String>> {
    if let Ok(path) = std::env::var("ARENDE_AXE_JS") {
        return Ok(Some(
            std::fs::read_to_string(&path).with_context(|| path.clone())?,
        ));
    }
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--silent", "axe-core"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .status();
    let js = dir.join("node_modules/axe-core/axe.min.js");
    match status {
        Ok(s) if s.success() && js.exists() => Ok(Some(std::fs::read_to_string(js)?)),
        _ => Ok(None),
    }
}

fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

async fn serve(dep: Arc<Deployment>, actor: &str) -> Result<String> {
    let app = arende_web::routes::<Arc<Deployment>>()
        .layer(axum::Extension(Actor::Person(PersonId::new(actor))))
        .with_state(dep);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{addr}"))
}

async fn browser(port: u16, profile: &Path) -> Result<Client> {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "prefs": { "intl.accept_languages": "sv-SE,sv" },
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,1600", "--lang=sv-SE",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    let mut last = None;
    for _ in 0..40 {
        match ClientBuilder::native()
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return Ok(c),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    bail!("chromedriver did not answer: {last:?}")
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// The text of the first element matching `css` once `done` holds for it, read again
/// while a form's navigation replaces the page (a stale or missing element is retried)
/// for up to 30 seconds; then the last text read, for the assertion to show.
async fn text_when(c: &Client, css: &str, done: impl Fn(&str) -> bool) -> Result<String> {
    let until = std::time::Instant::now() + Duration::from_secs(30);
    let mut last = String::new();
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if done(&t) {
                return Ok(t);
            }
            last = t;
        }
        if std::time::Instant::now() > until {
            return Ok(last);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn shot(c: &Client, name: &str) -> Result<()> {
    let png = c.screenshot().await?;
    std::fs::write(screenshots().join(format!("{name}.png")), png)?;
    Ok(())
}

/// Runs axe-core on the page; the serious and critical violations, described.
async fn axe(c: &Client, script: &str) -> Result<Vec<String>> {
    c.execute(script, vec![]).await?;
    let out = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] })
                 .then(r => done(r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(' | '))))
                 .catch(e => done(['axe failed: ' + e]));"#,
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(out)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_in_a_real_browser() -> Result<()> {
    if !support::exists(CHROMIUM) || !support::exists(CHROMEDRIVER) {
        skip_or_fail(
            "chromium or chromedriver is not installed (apt-get install chromium chromium-driver)",
        )?;
        return Ok(());
    }
    let tmp = tempfile::tempdir()?;
    let Some(axe_js) = axe_script(tmp.path())? else {
        skip_or_fail("axe-core cannot be had from npm")?;
        return Ok(());
    };
    let data = tokio::task::spawn_blocking(support::load).await??;
    let base = serve(Arc::clone(&data.deployment), "daniel-berglund").await?;
    let port = free_port()?;
    let _driver = Driver(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver")?,
    );
    let profile = tmp.path().join("profile");
    std::fs::create_dir_all(&profile)?;
    let c = browser(port, &profile).await?;
    let result = run(&c, &base, &data, &axe_js).await;
    let _ = c.close().await;
    result
}

async fn run(c: &Client, base: &str, data: &support::Data, axe_js: &str) -> Result<()> {
    let fam = support::FAMILY;
    let sch = support::SCHOOLING;
    let pages = [
        ("county", format!("/ui/{fam}")),
        ("body-sbu", format!("/ui/{fam}/bodies/sbu")),
        ("body-calendar", format!("/ui/{fam}/bodies/sbu/calendar")),
        (
            "person-calendar",
            format!("/ui/{fam}/persons/peter-bergvall-virtanen/calendar"),
        ),
        (
            "matter-timeline",
            format!("/ui/{fam}/matters/{}", data.family),
        ),
        ("meeting-sbu", format!("/ui/{fam}/meetings/sbu-2024-10-15")),
        (
            "meeting-joint",
            format!("/ui/{fam}/meetings/cg-joint-2024-11-15"),
        ),
        ("submit", format!("/ui/{fam}/matters/new")),
        (
            "matter-en",
            format!("/ui/{sch}/matters/{}?lang=en", data.schooling),
        ),
    ];
    let mut violations = Vec::new();
    for (name, path) in &pages {
        c.goto(&format!("{base}{path}")).await?;
        let h1 = c.find(Locator::Css("h1")).await?.text().await?;
        assert!(!h1.is_empty(), "{path} has a heading");
        shot(c, name).await?;
        for v in axe(c, axe_js).await? {
            violations.push(format!("{path}: {v}"));
        }
    }

    // Click through the family-centre agreement's timeline: each meeting of its history.
    let matter = format!("{base}/ui/{fam}/matters/{}", data.family);
    c.goto(&matter).await?;
    let links = c.find_all(Locator::Css("#history a")).await?;
    let mut hrefs = Vec::new();
    for l in links {
        if let Some(h) = l.attr("href").await? {
            hrefs.push(h);
        }
    }
    assert!(!hrefs.is_empty(), "the history links its meetings");
    for (i, _) in hrefs.iter().enumerate() {
        c.goto(&matter).await?;
        let link = c.find_all(Locator::Css("#history a")).await?;
        let Some(link) = link.into_iter().nth(i) else {
            bail!("history link {i} is gone")
        };
        link.click().await?;
        // The click navigates: wait for the meeting's page before reading it.
        let until = std::time::Instant::now() + Duration::from_secs(30);
        while !c.current_url().await?.as_str().contains("/meetings/")
            && std::time::Instant::now() < until
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            c.current_url().await?.as_str().contains("/meetings/"),
            "a meeting page"
        );
        let minutes = c
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("#minutes"))
            .await?
            .text()
            .await?;
        let h1 = text_when(c, "h1", |t| !t.is_empty()).await?;
        assert!(!h1.is_empty());
        assert!(!minutes.is_empty());
    }
    c.goto(&format!("{matter}?lang=sv#timeline")).await?;
    let critical = c.find_all(Locator::Css("#forecast tr.critical")).await?;
    assert!(
        !critical.is_empty(),
        "the critical path is marked in the forecast"
    );
    shot(c, "matter-timeline").await?;

    // "Can the unbroken-schooling agreement be decided on 15 November 2024?"
    c.goto(&format!(
        "{base}/ui/{sch}/matters/{}?lang=sv",
        data.schooling
    ))
    .await?;
    c.find(Locator::Id("q-body"))
        .await?
        .select_by_value("cg-joint")
        .await?;
    c.execute(
        "document.getElementById('q-date').value = '2024-11-15';",
        vec![],
    )
    .await?;
    c.find(Locator::Id("q-ask")).await?.click().await?;
    // The form navigates: wait for the new page's answer, not the old page.
    let answer = c
        .wait()
        .at_most(std::time::Duration::from_secs(30))
        .for_element(Locator::Id("answer"))
        .await?
        .text()
        .await?;
    println!("the answer: {answer}");
    assert!(answer.starts_with("Nej."), "not reachable: {answer}");
    assert!(
        answer.contains("Tidigast"),
        "the earliest alternative: {answer}"
    );
    shot(c, "can-it-reach").await?;
    for v in axe(c, axe_js).await? {
        violations.push(format!("the answer: {v}"));
    }

    // Submit and screen a matter through the forms.
    c.goto(&format!("{base}/ui/{fam}/matters/new?lang=sv"))
        .await?;
    c.find(Locator::Id("f-title"))
        .await?
        .send_keys("Rutin för skolskjuts vid placering")
        .await?;
    c.find(Locator::Id("f-kind"))
        .await?
        .select_by_value("routine")
        .await?;
    c.find(Locator::Id("f-body"))
        .await?
        .select_by_value("sbu")
        .await?;
    c.find(Locator::Id("f-submit")).await?.click().await?;
    let h1 = text_when(c, "h1", |t| t == "Rutin för skolskjuts vid placering").await?;
    assert_eq!(h1, "Rutin för skolskjuts vid placering");
    shot(c, "submitted").await?;
    for v in axe(c, axe_js).await? {
        violations.push(format!("the submitted matter: {v}"));
    }
    c.find(Locator::Id("s-handle")).await?.click().await?;
    c.find(Locator::Id("s-submit")).await?.click().await?;
    let text = text_when(c, "main dl", |t| t.contains("under handläggning")).await?;
    assert!(text.contains("under handläggning"), "screened: {text}");
    shot(c, "screened").await?;

    assert!(
        violations.is_empty(),
        "axe-core found serious or critical violations:\n{}",
        violations.join("\n")
    );
    Ok(())
}
