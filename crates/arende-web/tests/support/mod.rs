//! Test data for the dashboard's tests: the Örebro examples' scenarios
//! (`examples/support`, the same scripts the examples and `tests/routes.rs` run) each
//! run on a SQLite file, then their events up to a day copied into one store under a
//! tenant of their own, so a deployment serves the matters as they stood that day.
//!
//! `config` in this crate is a link to the workspace's `config/`, because the
//! scenarios find `config/orebro.toml` from the crate they are compiled in.

#![allow(dead_code)]

#[path = "../../../../examples/support/mod.rs"]
pub mod scenarios;

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use arende_core::clock::SimulatedClock;
use arende_core::deployment::{Deployment, SharedStore};
use arende_core::ids::{MatterId, TenantId};
use arende_core::org::Organisation;
use arende_core::store::{AppendRequest, EventData, EventStore, ExpectedVersion, RecordedEvent};
use arende_store_sqlite::SqliteStore;
use chrono::{NaiveDate, TimeZone};

/// The day the test deployment stands on: after the draft of the unbroken-schooling
/// agreement is due (29 October 2024), before the joint chief group of 15 November.
pub const TODAY: (i32, u32, u32) = (2024, 10, 29);
/// The tenant serving the family-centre agreement.
pub const FAMILY: &str = "orebro";
/// The tenant serving the unbroken-schooling agreement.
pub const SCHOOLING: &str = "orebro-skolgang";

/// A test deployment and the matters in it.
pub struct Data {
    /// The deployment.
    pub deployment: Arc<Deployment>,
    /// The family-centre agreement (tenant [`FAMILY`]).
    pub family: MatterId,
    /// The unbroken-schooling agreement (tenant [`SCHOOLING`]).
    pub schooling: MatterId,
    /// The deployment's clock (at [`TODAY`]; a test may move it on).
    pub clock: Arc<SimulatedClock>,
    _dir: tempfile::TempDir,
}

/// `config/orebro.toml` under another tenant id.
pub fn orebro_as(tenant: &str) -> Result<Organisation> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/orebro.toml");
    let text = std::fs::read_to_string(path).context("config/orebro.toml")?;
    let text = text.replacen("tenant = \"orebro\"", &format!("tenant = \"{tenant}\""), 1);
    Ok(arende_core::config::load_str(&text, "orebro.toml")?)
}

/// Copies `from`'s events of `tenant_from` recorded on or before `until` (Stockholm)
/// into `to` under `tenant_to`, command by command (same command ids, actors, times).
pub fn copy_until(
    from: &dyn EventStore,
    tenant_from: &str,
    to: &dyn EventStore,
    tenant_to: &str,
    until: NaiveDate,
) -> Result<()> {
    let end = chrono_tz::Europe::Stockholm
        .from_local_datetime(
            &until
                .succ_opt()
                .context("a day after")?
                .and_hms_opt(0, 0, 0)
                .context("midnight")?,
        )
        .single()
        .context("midnight in Stockholm")?
        .with_timezone(&chrono::Utc);
    let tenant = TenantId::new(tenant_from);
    let mut after = 0;
    let mut batch: Vec<RecordedEvent> = Vec::new();
    let flush = |batch: &mut Vec<RecordedEvent>| -> Result<()> {
        let Some(first) = batch.first() else {
            return Ok(());
        };
        let request = AppendRequest {
            tenant: TenantId::new(tenant_to),
            stream: first.stream.clone(),
            expected: ExpectedVersion::at(first.version - 1),
            command_id: first.command_id,
            actor: first.actor.clone(),
            recorded_at: first.recorded_at,
            events: batch
                .iter()
                .map(|r| EventData {
                    event_type: r.event_type.clone(),
                    payload: r.payload.clone(),
                })
                .collect(),
            outbox: Vec::new(),
        };
        to.append(request)?;
        batch.clear();
        Ok(())
    };
    loop {
        let page = from.read_tenant(&tenant, after, 1000)?;
        let Some(last) = page.last() else { break };
        after = last.position;
        for rec in page {
            if rec.recorded_at >= end {
                continue;
            }
            let same = batch
                .last()
                .is_some_and(|b| b.stream == rec.stream && b.command_id == rec.command_id);
            if !same {
                flush(&mut batch)?;
            }
            batch.push(rec);
        }
    }
    flush(&mut batch)?;
    Ok(())
}

/// Runs both scenarios and builds the deployment on [`TODAY`].
pub fn load() -> Result<Data> {
    let dir = tempfile::tempdir()?;
    let family = scenarios::family_centres::run(Some(&dir.path().join("family.sqlite")))?;
    let schooling = scenarios::unbroken_schooling::run(Some(&dir.path().join("schooling.sqlite")))?;
    let today = NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).context("today")?;
    let store_path = dir.path().join("dashboard.sqlite");
    let store = SqliteStore::open(&store_path)?;
    copy_until(
        &SqliteStore::open(dir.path().join("family.sqlite"))?,
        "orebro",
        &store,
        FAMILY,
        today,
    )?;
    copy_until(
        &SqliteStore::open(dir.path().join("schooling.sqlite"))?,
        "orebro",
        &store,
        SCHOOLING,
        today,
    )?;
    let shared: SharedStore = Arc::new(store);
    let clock = Arc::new(SimulatedClock::at_date(today));
    let mut deployment = Deployment::new();
    for tenant in [FAMILY, SCHOOLING] {
        deployment.add(
            Arc::new(orebro_as(tenant)?),
            Arc::clone(&shared),
            clock.clone(),
        )?;
    }
    Ok(Data {
        deployment: Arc::new(deployment),
        family: family.matter,
        schooling: schooling.matter,
        clock,
        _dir: dir,
    })
}

/// Whether this run is CI (`CI=true`): missing tools then fail instead of skipping.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Whether a path exists (for tools).
pub fn exists(p: &str) -> bool {
    Path::new(p).exists()
}
