//! `arende dispatch`: runs the scheduler (calls for matters, notices, reminders on their
//! days) and the notify dispatcher over a store, once or `--follow`, delivering through
//! the transports given (`--smtp`, `--webhook`, `--nats`); `--dry-run` shows what would
//! be written and sent, rendered as it would be, and changes nothing.

use std::fmt::Write as _;
use std::sync::Arc;

use arende_core::notification::Language;
use arende_notify::dispatcher::Dispatcher;
use arende_notify::render::LanguagePolicy;
use arende_notify::scheduler::Scheduler;
use arende_notify::transport::{Fanout, Transport};
use arende_notify::{DispatchConfig, Templates};

use crate::error::{CliError, Usage};
use crate::open::{StoreArgs, SystemClock, open};

/// Options of `arende dispatch`.
#[derive(Debug, clap::Args)]
pub struct DispatchArgs {
    #[command(flatten)]
    store: StoreArgs,
    /// Keep running: drain the outbox every `--poll` seconds, tick the scheduler each day
    /// (and every `--tick` seconds), until stopped.
    #[arg(long)]
    follow: bool,
    /// Seconds between polls of the outbox with `--follow`.
    #[arg(long, default_value_t = 5)]
    poll: u64,
    /// Seconds between scheduler ticks at most, with `--follow`.
    #[arg(long, default_value_t = 3600)]
    tick: u64,
    /// Only show what the scheduler would write and what waits in the outbox, rendered
    /// (the preview); nothing is written or sent.
    #[arg(long)]
    dry_run: bool,
    /// Do not run the scheduler, only deliver what is in the outbox.
    #[arg(long)]
    no_scheduler: bool,
    /// E-mail through an SMTP relay, HOST:PORT (plain connection: a local relay).
    #[arg(long)]
    smtp: Option<String>,
    /// The sender address of e-mail.
    #[arg(long, requires = "smtp", default_value = "arende@localhost")]
    smtp_from: String,
    /// POST each message, signed (Standard Webhooks), to this URL.
    #[arg(long)]
    webhook: Option<String>,
    /// The webhook signing secret (`whsec_…`, base64).
    #[arg(long, env = "ARENDE_WEBHOOK_SECRET", requires = "webhook")]
    webhook_secret: Option<String>,
    /// Publish each message to NATS JetStream at this URL (e.g. nats://127.0.0.1:4222).
    #[arg(long)]
    nats: Option<String>,
}

fn setup(transport: &'static str, message: impl Into<String>) -> CliError {
    CliError::Notify(arende_notify::NotifyError::Setup {
        transport,
        message: message.into(),
    })
}

async fn transports(args: &DispatchArgs) -> Result<Vec<Box<dyn Transport>>, CliError> {
    let mut out: Vec<Box<dyn Transport>> = Vec::new();
    if let Some(relay) = &args.smtp {
        let (host, port) = relay
            .rsplit_once(':')
            .and_then(|(h, p)| p.parse::<u16>().ok().map(|p| (h.to_owned(), p)))
            .ok_or_else(|| {
                CliError::Usage(Usage::Value {
                    option: "--smtp",
                    value: relay.clone(),
                    expected: "HOST:PORT",
                })
            })?;
        let config = arende_notify::smtp::SmtpConfig::plain(host, port, args.smtp_from.clone());
        out.push(Box::new(arende_notify::smtp::SmtpTransport::new(config)?));
    }
    if let Some(url) = &args.webhook {
        let secret = args.webhook_secret.as_deref().ok_or_else(|| {
            setup(
                "webhook",
                "--webhook-secret (or ARENDE_WEBHOOK_SECRET) is missing",
            )
        })?;
        let secret = arende_notify::webhook::Secret::parse(secret)
            .map_err(|e| setup("webhook", e.to_string()))?;
        let endpoint = arende_notify::webhook::WebhookEndpoint {
            url: url.clone(),
            secrets: vec![secret],
            tenants: None,
            kinds: None,
        };
        out.push(Box::new(arende_notify::webhook::WebhookTransport::new(
            endpoint,
            std::time::Duration::from_secs(15),
        )?));
    }
    if let Some(url) = &args.nats {
        let config = arende_notify::nats::NatsConfig::new(url.clone());
        out.push(Box::new(
            arende_notify::nats::NatsTransport::connect(config).await?,
        ));
    }
    Ok(out)
}

/// Runs `arende dispatch`.
pub fn run(args: DispatchArgs, lang: Language) -> Result<String, CliError> {
    let sv = lang == Language::Swedish;
    let opened = open(&args.store)?;
    let engine = Arc::clone(&opened.engine);
    let org = Arc::clone(engine.org());
    let scheduler = Scheduler::new(Arc::clone(&engine));
    if args.dry_run {
        return preview(&opened, &scheduler, args.no_scheduler, lang);
    }
    if args.smtp.is_none() && args.webhook.is_none() && args.nats.is_none() {
        return Err(CliError::Usage(Usage::NoTransport));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| setup("runtime", e.to_string()))?;
    runtime.block_on(async {
        let fanout = Fanout::new(transports(&args).await?);
        let dispatcher = Dispatcher::new(Arc::clone(&opened.outbox), fanout, SystemClock)
            .with_organisation(Arc::clone(&org));
        if args.follow {
            let (_keep, shutdown) = tokio::sync::watch::channel(false);
            arende_notify::scheduler::run(
                &scheduler,
                &dispatcher,
                std::time::Duration::from_secs(args.poll.max(1)),
                std::time::Duration::from_secs(args.tick.max(1)),
                shutdown,
            )
            .await?;
            return Ok(String::new());
        }
        let mut out = String::new();
        if !args.no_scheduler {
            let tick = scheduler.tick()?;
            let _ = writeln!(
                out,
                "{}: {} {}, {} {}, {} {}",
                if sv { "Schemaläggaren" } else { "Scheduler" },
                tick.sent.len(),
                if sv { "skrivna" } else { "written" },
                tick.already.len(),
                if sv {
                    "redan skrivna"
                } else {
                    "already written"
                },
                tick.failed.len(),
                if sv { "misslyckade" } else { "failed" },
            );
            for (key, error) in &tick.failed {
                let _ = writeln!(out, "  {key}: {error}");
            }
        }
        let batch = dispatcher.drain().await?;
        let _ = writeln!(
            out,
            "{}: {} {}, {} {}, {} {}, {} {}",
            if sv { "Utskick" } else { "Dispatch" },
            batch.claimed,
            if sv { "hämtade" } else { "claimed" },
            batch.delivered,
            if sv { "levererade" } else { "delivered" },
            batch.retried,
            if sv { "försöks igen" } else { "to retry" },
            batch.parked,
            if sv { "parkerade" } else { "parked" },
        );
        Ok(out)
    })
}

fn preview(
    opened: &crate::open::Opened,
    scheduler: &Scheduler<
        arende_core::deployment::SharedStore,
        arende_core::deployment::SharedClock,
    >,
    no_scheduler: bool,
    lang: Language,
) -> Result<String, CliError> {
    let sv = lang == Language::Swedish;
    let engine = &opened.engine;
    let org = engine.org();
    let templates = Templates::builtin();
    let mut out = String::new();
    if !no_scheduler {
        let due = scheduler.due()?;
        let _ = writeln!(
            out,
            "{} ({}):",
            if sv {
                "Schemaläggaren skulle skriva"
            } else {
                "The scheduler would write"
            },
            due.len()
        );
        for d in &due {
            let said = arende_notify::render::summary(&templates, &d.notification, lang, Some(org))
                .unwrap_or_else(|e| e.to_string());
            let _ = writeln!(
                out,
                "  {}  {}  {} {}: {said}",
                d.send_on,
                d.key,
                d.notification.recipients.len(),
                if sv { "mottagare" } else { "recipients" }
            );
        }
    }
    let waiting = opened
        .outbox
        .undelivered(&org.tenant, 10_000)
        .map_err(arende_core::Error::from)?;
    let config = DispatchConfig {
        languages: LanguagePolicy {
            default: lang,
            ..LanguagePolicy::default()
        },
        ..DispatchConfig::default()
    };
    let dispatcher = Dispatcher::new(
        Arc::clone(&opened.outbox),
        Fanout::new(Vec::new()),
        SystemClock,
    )
    .with_organisation(Arc::clone(org))
    .with_config(config);
    let _ = writeln!(
        out,
        "{} ({}):",
        if sv {
            "Väntar i utkorgen"
        } else {
            "Waiting in the outbox"
        },
        waiting.len()
    );
    for rec in &waiting {
        match dispatcher.prepare(rec) {
            Ok(msg) => {
                let subject = msg.renderings.first().map_or("", |r| r.subject.as_str());
                let to: Vec<String> = msg
                    .notification
                    .recipients
                    .iter()
                    .map(|r| {
                        r.email
                            .clone()
                            .or_else(|| r.person.as_ref().map(|p| p.to_string()))
                            .unwrap_or_default()
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "  {}  {}  \"{subject}\"",
                    msg.notification.date, msg.kind
                );
                let _ = writeln!(
                    out,
                    "      {} {}",
                    if sv { "till" } else { "to" },
                    to.join(", ")
                );
            }
            Err(e) => {
                let _ = writeln!(
                    out,
                    "  {}: {} {e}",
                    rec.message.id,
                    if sv {
                        "kan inte återges:"
                    } else {
                        "cannot be rendered:"
                    }
                );
            }
        }
    }
    Ok(out)
}
