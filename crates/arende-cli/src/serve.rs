//! `arende serve`: the engine as an HTTP service (see `arende-server` and
//! `docs/service.md`). Loads the county configurations (a file, or every `*.toml` in a
//! directory), opens the store (a SQLite file, created if missing, or a PostgreSQL
//! URL), and serves every county on one address until SIGTERM or ctrl-c, finishing the
//! requests in flight. With `--dispatch` the policies, the scheduler and the notify
//! dispatcher run in the same process.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use arende_core::clock::Clock;
use arende_core::deployment::{Deployment, SharedClock, SharedStore};
use arende_core::notification::Language;
use arende_core::org::Organisation;
use arende_core::store::{IdempotencyStore, Outbox};
use arende_server::auth::{AuthConfig, Authenticator};
use arende_server::{AppState, ServerOptions};
use arende_store_postgres::{PgConfig, PgStore};
use arende_store_sqlite::SqliteStore;
use chrono::{DateTime, NaiveDate, Utc};

/// How often the policies catch up with the log under `--dispatch`.
const POLICIES_EVERY: Duration = Duration::from_secs(2);

/// How often the scheduler ticks under `--dispatch` (a tick reads every meeting,
/// consultation and assignment).
const TICK_EVERY: Duration = Duration::from_secs(60);

/// Options of `arende serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// A county configuration file, or a directory of them (every `*.toml`).
    #[arg(long)]
    pub config: PathBuf,
    /// The store: a SQLite file (created if missing) or a PostgreSQL URL (`postgres://…`).
    #[arg(long)]
    pub store: String,
    /// The PostgreSQL schema holding the store.
    #[arg(long, default_value = "arende")]
    pub schema: String,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// The server's authentication file (TOML: OIDC issuer, API keys, rate limits; see
    /// docs/service.md). Without it every request to /v1 is refused.
    #[arg(long)]
    pub auth: Option<PathBuf>,
    /// Run the policies, the scheduler and the notify dispatcher in this process.
    #[arg(long)]
    pub dispatch: bool,
    /// With --dispatch: deliver e-mail through this SMTP server (HOST:PORT, plain).
    #[arg(long, requires = "dispatch")]
    pub smtp: Option<String>,
    /// With --smtp: the sender address.
    #[arg(long, requires = "smtp", default_value = "arende@localhost")]
    pub mail_from: String,
    /// With --dispatch: publish notifications to this NATS server (JetStream).
    #[arg(long, requires = "dispatch")]
    pub nats: Option<String>,
    /// Start the service's clock at 09:00 Stockholm time on this day and let it run
    /// from there (for trials and tests on a county's past plan); default: the real time.
    #[arg(long, value_parser = parse_day)]
    pub start_date: Option<NaiveDate>,
    /// The largest request body accepted, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    pub max_body: usize,
    /// The secret (at least 32 bytes) that signs persons' calendar-feed tokens, so a
    /// calendar client can subscribe without a login; without it, only the signed-in
    /// person reads their feed.
    #[arg(long, env = "ARENDE_FEED_KEY", hide_env_values = true)]
    pub feed_key: Option<String>,
    /// Objects per OParl list page when the client asks for no `limit`.
    #[arg(long, default_value_t = 100)]
    pub oparl_page_size: usize,
    /// The public base URL (e.g. `https://arende.region.se`) that absolute links in
    /// OParl objects and feeds start with; default `http://` and the --listen address.
    /// Links are never built from a request's Host or X-Forwarded-Host.
    #[arg(long, value_parser = parse_public_url)]
    pub public_url: Option<String>,
}

fn parse_public_url(s: &str) -> Result<String, String> {
    let s = s.trim();
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(|| format!("\"{s}\" must start with https:// or http://"))?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty()
        || s.len() > 2048
        || s.contains(|c: char| c.is_whitespace() || c.is_control() || "\"<>\\^`{|}?#".contains(c))
    {
        return Err(format!(
            "\"{s}\" is not a base URL (scheme, host and an optional path; no query or fragment)"
        ));
    }
    Ok(s.trim_end_matches('/').to_owned())
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("\"{s}\" is not a date of the form YYYY-MM-DD"))
}

/// The wall clock, optionally shifted so that the service starts on a chosen day.
#[derive(Debug)]
struct ServiceClock {
    offset: chrono::Duration,
}

impl Clock for ServiceClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
}

/// What can go wrong starting the service.
#[derive(Debug, thiserror::Error)]
enum ServeError {
    #[error("{0}")]
    Setup(String),
}

fn setup(e: impl std::fmt::Display) -> ServeError {
    ServeError::Setup(e.to_string())
}

fn load_counties(path: &Path) -> Result<Vec<Organisation>, ServeError> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| setup(format!("{}: {e}", path.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        v.sort();
        v
    } else {
        vec![path.to_owned()]
    };
    if files.is_empty() {
        return Err(setup(format!(
            "{}: no county configuration (*.toml)",
            path.display()
        )));
    }
    let mut out = Vec::new();
    for f in files {
        out.push(crate::load(&f).map_err(|e| setup(e.message(Language::English)))?);
    }
    Ok(out)
}

/// What [`open_store`] gives.
type Opened = (SharedStore, Arc<dyn Outbox>, Arc<dyn IdempotencyStore>);

/// The store, as the engines share it, as the dispatcher and metrics see its outbox, and
/// as the service keeps its idempotency records in it.
fn open_store(args: &ServeArgs) -> Result<Opened, ServeError> {
    if args.store.starts_with("postgres://") || args.store.starts_with("postgresql://") {
        let mut config = PgConfig::new(args.store.clone());
        config.schema = args.schema.clone();
        let store = Arc::new(
            PgStore::connect(config)
                .map_err(|e| setup(format!("cannot open the PostgreSQL store: {e}")))?,
        );
        Ok((store.clone(), store.clone(), store))
    } else {
        let store = Arc::new(
            SqliteStore::open(&args.store)
                .map_err(|e| setup(format!("cannot open the SQLite store {}: {e}", args.store)))?,
        );
        Ok((store.clone(), store.clone(), store))
    }
}

/// Runs `arende serve`; the exit code is 0 after a clean shutdown.
pub fn main(args: ServeArgs) -> ExitCode {
    init_tracing();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .json()
        .with_writer(std::io::stderr)
        .try_init();
}

fn run(args: ServeArgs) -> Result<(), ServeError> {
    let counties = load_counties(&args.config)?;
    let auth_config = match &args.auth {
        Some(p) => AuthConfig::load(p).map_err(setup)?,
        None => {
            tracing::warn!("no --auth file: every request to /v1 is refused");
            AuthConfig::default()
        }
    };
    let auth = Authenticator::new(&auth_config).map_err(setup)?;
    let (store, outbox, idempotency) = open_store(&args)?;
    let offset = match args.start_date {
        Some(d) => arende_core::clock::stockholm_instant(d, 9, 0) - Utc::now(),
        None => chrono::Duration::zero(),
    };
    let clock: SharedClock = Arc::new(ServiceClock { offset });
    let mut deployment = Deployment::new();
    for org in counties {
        deployment
            .add(Arc::new(org), Arc::clone(&store), Arc::clone(&clock))
            .map_err(setup)?;
    }
    let deployment = Arc::new(deployment);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(setup)?;
    runtime.block_on(async move {
        let mut options = ServerOptions::new(auth);
        options.max_body_bytes = args.max_body;
        options.outbox = Some(Arc::clone(&outbox));
        options.idempotency = Some(idempotency);
        let state = AppState::new(Arc::clone(&deployment), options).map_err(setup)?;
        state.auth().spawn_refresh();
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut workers = Vec::new();
        if args.dispatch {
            workers = start_dispatch(&args, &deployment, outbox, stop_rx).await?;
        }
        // The other crates' routes, mounted beside the API: OParl and the feeds, the
        // dashboard (each with its part of the OpenAPI document).
        let feed_key = match &args.feed_key {
            Some(secret) => Some(
                arende_publish::FeedKey::new(secret.as_bytes().to_vec())
                    .map_err(|e| setup(format!("--feed-key: {e}")))?,
            ),
            None => None,
        };
        let publish = arende_publish::PublishConfig {
            page_size: args.oparl_page_size.max(1),
            feed_key,
            public_url: args
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", args.listen)),
        };
        let extensions = vec![
            arende_server::Extension {
                router: arende_publish::routes_with(publish),
                doc: <arende_publish::ApiDoc as utoipa::OpenApi>::openapi(),
            },
            arende_server::Extension {
                router: arende_web::routes(),
                doc: <arende_web::ApiDoc as utoipa::OpenApi>::openapi(),
            },
        ];
        let app = arende_server::app(state, extensions);
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .map_err(|e| setup(format!("cannot listen on {}: {e}", args.listen)))?;
        let local = listener.local_addr().map_err(setup)?;
        tracing::info!(address = %local, tenants = ?deployment.tenants().collect::<Vec<_>>(), "arende serve listening");
        println!("listening on http://{local}");
        arende_server::serve(listener, app, arende_server::shutdown_signal())
            .await
            .map_err(setup)?;
        let _ = stop_tx.send(true);
        for w in workers {
            let _ = w.await;
        }
        tracing::info!("stopped");
        Ok::<(), ServeError>(())
    })?;
    // Blocking commands still running finish before the runtime is gone.
    Ok(())
}

async fn start_dispatch(
    args: &ServeArgs,
    deployment: &Arc<Deployment>,
    outbox: Arc<dyn Outbox>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<Vec<tokio::task::JoinHandle<()>>, ServeError> {
    use arende_notify::transport::Fanout;
    let mut transports: Vec<Box<dyn arende_notify::Transport>> = Vec::new();
    if let Some(smtp) = &args.smtp {
        let (host, port) = smtp
            .rsplit_once(':')
            .and_then(|(h, p)| p.parse::<u16>().ok().map(|p| (h.to_owned(), p)))
            .ok_or_else(|| setup(format!("--smtp {smtp}: expected HOST:PORT")))?;
        let config = arende_notify::smtp::SmtpConfig::plain(host, port, args.mail_from.clone());
        transports.push(Box::new(
            arende_notify::smtp::SmtpTransport::new(config).map_err(setup)?,
        ));
    }
    if let Some(url) = &args.nats {
        let config = arende_notify::nats::NatsConfig::new(url.clone());
        transports.push(Box::new(
            arende_notify::nats::NatsTransport::connect(config)
                .await
                .map_err(setup)?,
        ));
    }
    if transports.is_empty() {
        return Err(setup(
            "--dispatch needs a transport to deliver with: --smtp HOST:PORT and/or --nats URL",
        ));
    }
    let clock: SharedClock = match deployment.counties().next() {
        Some(c) => Arc::clone(c.clock()),
        None => return Err(setup("no county to dispatch for")),
    };
    let mut dispatcher =
        arende_notify::Dispatcher::new(Arc::clone(&outbox), Fanout::new(transports), clock);
    for county in deployment.counties() {
        dispatcher = dispatcher.with_organisation(Arc::clone(county.org()));
    }
    let dispatcher = Arc::new(dispatcher);
    let mut handles = Vec::new();
    for county in deployment.counties() {
        let engine = Arc::clone(county);
        let mut stop = stop.clone();
        // The policies catch up with the log (effects of commands written by other
        // processes, or before a crash) and the scheduler writes what is due.
        handles.push(tokio::spawn(async move {
            let scheduler = Arc::new(arende_notify::scheduler::Scheduler::new(Arc::clone(
                &engine,
            )));
            let mut last_tick: Option<tokio::time::Instant> = None;
            loop {
                let tick = last_tick.is_none_or(|t| t.elapsed() >= TICK_EVERY);
                if tick {
                    last_tick = Some(tokio::time::Instant::now());
                }
                let e = Arc::clone(&engine);
                let s = Arc::clone(&scheduler);
                let r = tokio::task::spawn_blocking(move || {
                    e.run_policies().map_err(|e| e.to_string())?;
                    if tick {
                        s.tick().map_err(|e| e.to_string())?;
                    }
                    Ok::<(), String>(())
                })
                .await;
                match r {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        tracing::warn!(tenant = %engine.org().tenant, error = %e, "policies or scheduler failed; retrying")
                    }
                    Err(e) => tracing::warn!(error = %e, "policy task failed"),
                }
                tokio::select! {
                    _ = tokio::time::sleep(POLICIES_EVERY) => {}
                    _ = stop.changed() => return,
                }
            }
        }));
    }
    let d = Arc::clone(&dispatcher);
    handles.push(tokio::spawn(async move {
        if let Err(e) = d.run(Duration::from_secs(1), stop).await {
            tracing::error!(error = %e, "the dispatcher stopped");
        }
    }));
    Ok(handles)
}
