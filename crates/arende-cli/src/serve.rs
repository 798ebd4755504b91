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
use arende_server::public::{OpsAccess, PublicLimit};
use arende_server::{AppState, NetOptions, ServerOptions};
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
    /// A second address serving /healthz, /readyz, /metrics and /openapi.json without
    /// credentials, for the operators (bind it where only they reach it).
    #[arg(long)]
    pub internal_listen: Option<String>,
    /// Who reads /metrics and /openapi.json on --listen: `credentials` (any valid API key
    /// or token), `internal` (only on --internal-listen) or `public` (anyone).
    #[arg(long, default_value = "credentials", value_parser = parse_ops_access)]
    pub ops_access: OpsAccess,
    /// The most connections open at once; more wait in the kernel's backlog.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// Seconds a client may take to send a request's head (headers).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_read_timeout: u64,
    /// Seconds a kept-alive connection may stay idle between requests.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub keep_alive_timeout: u64,
    /// Seconds a client may take to send a request's body (from its head).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_read_timeout: u64,
    /// The longest request target (path and query), in bytes; longer is a 414.
    #[arg(long, default_value_t = 8192, value_parser = clap::value_parser!(u64).range(256..=1_048_576))]
    pub max_uri: u64,
    /// The most bytes of request headers; more is a 431.
    #[arg(long, default_value_t = 32768, value_parser = clap::value_parser!(u64).range(1024..=1_048_576))]
    pub max_header_bytes: u64,
    /// Seconds the requests in flight may take after SIGTERM or ctrl-c before the
    /// process exits anyway (streams and long polls end at once).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub shutdown_deadline: u64,
    /// Anonymous requests per second per client address to the public pages
    /// (dashboard, OParl, feeds; /metrics when public).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub public_rate: u32,
    /// How many anonymous requests of one address may come at once.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..))]
    pub public_burst: u32,
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

fn parse_ops_access(s: &str) -> Result<OpsAccess, String> {
    s.parse()
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

/// The connections' options from the flags.
fn net_options(args: &ServeArgs) -> NetOptions {
    NetOptions {
        header_read_timeout: Duration::from_secs(args.header_read_timeout),
        keep_alive_timeout: Duration::from_secs(args.keep_alive_timeout),
        body_read_timeout: Duration::from_secs(args.body_read_timeout),
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        max_uri_bytes: usize::try_from(args.max_uri).unwrap_or(usize::MAX),
        max_header_bytes: usize::try_from(args.max_header_bytes).unwrap_or(usize::MAX),
        shutdown_deadline: Duration::from_secs(args.shutdown_deadline),
        ..NetOptions::default()
    }
}

fn run(args: ServeArgs) -> Result<(), ServeError> {
    if args.ops_access == OpsAccess::Internal && args.internal_listen.is_none() {
        return Err(setup(
            "--ops-access internal needs --internal-listen ADDRESS (where /metrics and /openapi.json are served)",
        ));
    }
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
    let deadline = Duration::from_secs(args.shutdown_deadline);
    let served = runtime.block_on(async move {
        let mut options = ServerOptions::new(auth);
        options.max_body_bytes = args.max_body;
        options.outbox = Some(Arc::clone(&outbox));
        options.idempotency = Some(idempotency);
        options.net = net_options(&args);
        options.ops_access = args.ops_access;
        options.public_limit = PublicLimit {
            per_second: args.public_rate,
            burst: args.public_burst,
        };
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
        let docs = || {
            vec![
                <arende_publish::ApiDoc as utoipa::OpenApi>::openapi(),
                <arende_web::ApiDoc as utoipa::OpenApi>::openapi(),
            ]
        };
        let [publish_doc, web_doc] = <[_; 2]>::try_from(docs()).map_err(|_| setup("the OpenAPI documents"))?;
        let extensions = vec![
            arende_server::Extension {
                router: arende_publish::routes_with(publish),
                doc: publish_doc,
            },
            arende_server::Extension {
                router: arende_web::routes(),
                doc: web_doc,
            },
        ];
        let net = state.net().clone();
        let internal = match &args.internal_listen {
            Some(address) => {
                let listener = tokio::net::TcpListener::bind(address)
                    .await
                    .map_err(|e| setup(format!("cannot listen on {address}: {e}")))?;
                let local = listener.local_addr().map_err(setup)?;
                println!("internal listener on http://{local}");
                Some((listener, arende_server::internal_app(state.clone(), docs())))
            }
            None => None,
        };
        let app = arende_server::app(state, extensions);
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .map_err(|e| setup(format!("cannot listen on {}: {e}", args.listen)))?;
        let local = listener.local_addr().map_err(setup)?;
        tracing::info!(address = %local, tenants = ?deployment.tenants().collect::<Vec<_>>(), "arende serve listening");
        println!("listening on http://{local}");
        // One signal ends both listeners.
        let (down_tx, down_rx) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            arende_server::shutdown_signal().await;
            let _ = down_tx.send(true);
        });
        let down = move || {
            let mut rx = down_rx.clone();
            async move {
                let _ = rx.wait_for(|d| *d).await;
            }
        };
        let internal = internal.map(|(listener, app)| {
            tokio::spawn(arende_server::serve_with(
                listener,
                app,
                net.clone(),
                down(),
            ))
        });
        arende_server::serve_with(listener, app, net, down())
            .await
            .map_err(setup)?;
        if let Some(i) = internal {
            let _ = i.await;
        }
        let _ = stop_tx.send(true);
        for w in workers {
            // The dispatcher and the policies finish their round, within the deadline.
            let _ = tokio::time::timeout(deadline, w).await;
        }
        tracing::info!("stopped");
        Ok::<(), ServeError>(())
    });
    // Blocking store calls still running get the deadline to finish; then the process
    // exits, even with clients connected.
    runtime.shutdown_timeout(deadline);
    served
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
