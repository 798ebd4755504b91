//! `arende`: check a county configuration, show a route, show a body's meeting plan, and
//! forecast when a matter can be decided; and on a store (SQLite by default, or
//! PostgreSQL): submit, show, list and forecast matters, run a meeting's agenda, notice,
//! minutes and adjustment, run any kernel command, dispatch notifications, and simulate
//! a scenario file in simulated time.
//!
//! Exit codes: 0 success; 1 refused or invalid (the configuration is invalid, the input
//! names something it does not have, the engine refused the command, a scenario step
//! failed: every problem is named); 2 bad usage (an option missing or malformed, e.g. a
//! date not in YYYY-MM-DD form, or `--as` missing for a verb that writes). Messages are
//! Swedish by default, English with `--lang en`.

mod dispatch;
mod error;
mod forecast;
mod matter;
mod meeting;
mod open;
mod run;
mod serve;
mod show;
mod simulate;
mod store;
mod words;

use std::path::PathBuf;
use std::process::ExitCode;

use arende_core::forecast::{Goal, Target};
use arende_core::ids::BodyId;
use arende_core::notification::Language;
use arende_core::org::Organisation;
use arende_core::route::Purpose;
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use error::CliError;

/// Ärendeflöde: matters through the collaboration bodies of a region and its
/// municipalities.
#[derive(Debug, Parser)]
#[command(name = "arende", version, about)]
struct Cli {
    /// Language of the output: sv (Swedish, default) or en (English).
    #[arg(long, global = true, default_value = "sv", value_parser = parse_lang)]
    lang: Language,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate a configuration: a summary, or every problem with its line and column.
    Check {
        /// The configuration file (e.g. config/orebro.toml).
        config: PathBuf,
    },
    /// Show a route: its steps and edges, as text, Graphviz DOT or Mermaid (DOT and
    /// Mermaid labels are Swedish).
    Route {
        /// The configuration file.
        config: PathBuf,
        /// The route id (e.g. county-agreement).
        route: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = RouteFormat::Text)]
        format: RouteFormat,
    },
    /// Forecast when each remaining step of a route can be taken.
    Forecast(ForecastArgs),
    /// Show a body's meeting plan with call-for-matters and notice dates.
    Calendar {
        /// The configuration file.
        config: PathBuf,
        /// The body id (e.g. cg-joint).
        #[arg(long)]
        body: String,
        /// Also write the plan as an iCalendar file.
        #[arg(long)]
        ics: Option<PathBuf>,
    },
    /// The event store: `verify` scans it and reports every problem.
    Store {
        #[command(subcommand)]
        command: store::StoreCommand,
    },
    /// Matters (ärenden) on a store: submit, show, list, forecast.
    Matter {
        #[command(subcommand)]
        verb: matter::MatterVerb,
    },
    /// Meetings (sammanträden) on a store: agenda, notice, minutes, adjust.
    Meeting {
        #[command(subcommand)]
        verb: meeting::MeetingVerb,
    },
    /// Kernel commands (JSON, as the HTTP API takes them) on a store.
    #[command(name = "command")]
    Kernel {
        #[command(subcommand)]
        verb: run::CommandVerb,
    },
    /// Run the scheduler and deliver the outbox's notifications, once or --follow.
    Dispatch(dispatch::DispatchArgs),
    /// Run a scenario file (dated kernel commands) in simulated time and print the
    /// timeline.
    Simulate(simulate::SimulateArgs),
    /// Serve the counties over HTTP (see docs/service.md).
    Serve(serve::ServeArgs),
}

/// Options of `arende forecast`.
#[derive(Debug, clap::Args)]
struct ForecastArgs {
    /// The configuration file.
    config: PathBuf,
    /// The route id.
    #[arg(long)]
    route: String,
    /// The day the documents are ready (YYYY-MM-DD).
    #[arg(long, value_parser = parse_date)]
    ready: NaiveDate,
    /// A meeting to reach: BODY@YYYY-MM-DD (e.g. cg-joint@2024-11-15).
    #[arg(long, value_parser = Target::parse, group = "aim")]
    target: Option<Target>,
    /// The purpose to reach the target for (e.g. information, decision); default: the
    /// last step the route takes at that body.
    #[arg(long, requires = "aim", value_parser = parse_purpose)]
    purpose: Option<Purpose>,
    /// Plan backward instead (bakåtplanering): the latest day of every step that still
    /// makes this goal — BODY@YYYY-MM-DD (a meeting; `--purpose` picks the step),
    /// decided-by:YYYY-MM-DD (every party decided) or in-force-by:YYYY-MM-DD.
    #[arg(long, value_parser = Goal::parse, group = "aim")]
    latest_for: Option<Goal>,
    /// A step already taken: STEP@YYYY-MM-DD (repeatable).
    #[arg(long = "done", value_parser = parse_done)]
    done: Vec<(String, NaiveDate)>,
    /// Response period of every remiss, in weeks (instead of the route's).
    #[arg(long)]
    remiss_weeks: Option<u32>,
    /// Weeks to work the remiss responses in (instead of the route's).
    #[arg(long)]
    processing_weeks: Option<u32>,
    /// Weeks each party needs before its political body can take the matter.
    #[arg(long)]
    political_weeks: Option<u32>,
    /// What if the documents are ready this many days later?
    #[arg(long, allow_hyphen_values = true)]
    what_if_later: Option<i64>,
    /// What if this extra meeting is held: BODY@YYYY-MM-DD (repeatable)?
    #[arg(long, value_parser = parse_body_date)]
    what_if_meeting: Vec<(BodyId, NaiveDate)>,
    /// What if this meeting (by id) is cancelled (repeatable)?
    #[arg(long)]
    what_if_cancel: Vec<String>,
    /// What if every remiss runs this many weeks?
    #[arg(long)]
    what_if_remiss_weeks: Option<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// How to show a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RouteFormat {
    /// A readable list of steps and edges.
    Text,
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// How to show a forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A readable timeline.
    Text,
    /// JSON.
    Json,
}

fn parse_lang(s: &str) -> Result<Language, String> {
    Language::from_code(&s.to_ascii_lowercase())
        .ok_or_else(|| format!("unknown language \"{s}\": use sv or en"))
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("\"{s}\" is not a date of the form YYYY-MM-DD"))
}

fn parse_purpose(s: &str) -> Result<Purpose, String> {
    forecast::PURPOSES
        .iter()
        .copied()
        .find(|p| p.name() == s || p.swedish() == s)
        .ok_or_else(|| {
            let names: Vec<&str> = forecast::PURPOSES.iter().map(|p| p.name()).collect();
            format!("unknown purpose \"{s}\": use one of {}", names.join(", "))
        })
}

fn parse_done(s: &str) -> Result<(String, NaiveDate), String> {
    let (step, date) = s
        .rsplit_once('@')
        .ok_or_else(|| format!("expected STEP@YYYY-MM-DD, found \"{s}\""))?;
    if step.trim().is_empty() {
        return Err(format!("no step before '@' in \"{s}\""));
    }
    Ok((step.trim().to_string(), parse_date(date)?))
}

fn parse_body_date(s: &str) -> Result<(BodyId, NaiveDate), String> {
    let t = Target::parse(s)?;
    Ok((t.body, t.date))
}

/// Reads and validates a configuration file.
pub(crate) fn load(path: &PathBuf) -> Result<Organisation, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.clone(),
        source,
    })?;
    arende_core::config::load_str(&text, &path.display().to_string()).map_err(CliError::Config)
}

fn run(cli: Cli) -> Result<String, CliError> {
    let lang = cli.lang;
    match cli.command {
        Command::Check { config } => {
            let org = load(&config)?;
            Ok(show::summary(&org, &config, lang))
        }
        Command::Route {
            config,
            route,
            format,
        } => {
            let org = load(&config)?;
            let r = show::route(&org, &route)?;
            Ok(match format {
                RouteFormat::Text => show::route_text(&org, r, lang),
                RouteFormat::Dot => r.to_dot(&org),
                RouteFormat::Mermaid => r.to_mermaid(&org),
            })
        }
        Command::Forecast(args) => forecast::run(args, lang),
        Command::Calendar { config, body, ics } => {
            let org = load(&config)?;
            let body = show::body(&org, &body)?;
            let meetings = show::meetings_of(&org, &body.id);
            if let Some(path) = ics {
                let planned: Vec<_> = meetings.iter().map(|m| (*m).clone()).collect();
                let options = arende_core::calendar::IcsOptions {
                    name: body.name.clone(),
                    generated_at: chrono::Utc::now(),
                    language: lang,
                    with_lead_dates: true,
                };
                let text = arende_core::calendar::to_ics(&org, &planned, &[], &options);
                std::fs::write(&path, text).map_err(|source| CliError::Write { path, source })?;
            }
            Ok(show::calendar_text(body, &meetings, lang))
        }
        Command::Store { command } => Ok(store::run(command, lang)?),
        Command::Matter { verb } => matter::run(verb, lang),
        Command::Meeting { verb } => meeting::run(verb, lang),
        Command::Kernel { verb } => run::run(verb, lang),
        Command::Dispatch(args) => dispatch::run(args, lang),
        Command::Simulate(args) => simulate::run(args, lang),
        // Handled in `main`: it runs until shut down and prints as it goes.
        Command::Serve(_) => Ok(String::new()),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let lang = cli.lang;
    if let Command::Serve(args) = cli.command {
        return serve::main(args);
    }
    match run(cli) {
        Ok(out) => {
            // A closed pipe (`arende … | head`) is not an error of the command.
            let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", e.message(lang));
            ExitCode::from(e.exit_code())
        }
    }
}
