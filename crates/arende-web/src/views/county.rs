//! The county overview (länsöversikt): matters by route and step, the oldest open
//! matters at each body, and the matters stuck past their forecast.

use std::collections::BTreeMap;

use arende_core::Result;
use arende_core::deployment::CountyEngine;
use arende_core::ids::{BodyId, MatterId};
use arende_core::matter::Matter;
use chrono::NaiveDate;
use maud::{Markup, html};

use super::{LIST_CAP, body_name, more};
use crate::layout::{Ctx, page};

/// How many of the oldest matters per body the overview lists.
pub const OLDEST: usize = 3;

/// An open matter, as the overview lists it.
#[derive(Debug, Clone)]
pub struct Row {
    /// The matter.
    pub id: MatterId,
    /// Its title.
    pub title: String,
    /// Registered on.
    pub registered: NaiveDate,
}

/// A matter past its forecast: the step it waits at was forecast for a day gone by.
#[derive(Debug, Clone)]
pub struct Stuck {
    /// The matter.
    pub row: Row,
    /// The step.
    pub step: String,
    /// The day it was forecast.
    pub forecast: NaiveDate,
}

/// The overview's view model.
#[derive(Debug, Clone)]
pub struct CountyPage {
    /// The bodies, with names, for the navigation.
    pub bodies: Vec<(BodyId, String)>,
    /// Open matters per route and current step: (route name, step) → count.
    pub by_step: BTreeMap<(String, String), usize>,
    /// Open matters with no route yet (registered, not screened).
    pub unscreened: usize,
    /// The oldest open matters at each body.
    pub oldest: BTreeMap<String, Vec<Row>>,
    /// Matters whose next step was forecast for a day before today.
    pub stuck: Vec<Stuck>,
    /// Today.
    pub today: NaiveDate,
}

/// Gathers the county overview.
pub fn build(engine: &CountyEngine) -> Result<CountyPage> {
    let org = engine.org();
    let read = engine.read();
    let today = engine.clock().today();
    let mut by_step: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut unscreened = 0;
    let mut oldest: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    let mut stuck = Vec::new();
    for (_, m) in read.all_of::<Matter>()? {
        let Some(id) = m.id else { continue };
        if !m.status.is_open() {
            continue;
        }
        let row = Row {
            id,
            title: m.title.clone(),
            registered: m.registered_on,
        };
        match m.route.as_ref().and_then(|r| org.route(r)) {
            Some(route) => {
                for a in &m.active {
                    *by_step
                        .entry((route.name().to_owned(), a.step.to_string()))
                        .or_default() += 1;
                }
            }
            None => unscreened += 1,
        }
        for b in m.current_bodies() {
            oldest
                .entry(body_name(org, b))
                .or_default()
                .push(row.clone());
        }
        if m.route.is_some()
            && let Ok(f) = read.forecast(id, &[])
            && let Some(first) = f.steps.first()
            && let Some(date) = first.date
            && date < today
        {
            stuck.push(Stuck {
                row,
                step: first.step.to_string(),
                forecast: date,
            });
        }
    }
    for list in oldest.values_mut() {
        list.sort_by_key(|r| (r.registered, r.id));
        list.truncate(OLDEST);
    }
    stuck.sort_by_key(|s| s.forecast);
    Ok(CountyPage {
        bodies: org
            .bodies
            .values()
            .map(|b| (b.id.clone(), b.name.clone()))
            .collect(),
        by_step,
        unscreened,
        oldest,
        stuck,
        today,
    })
}

/// Renders the county overview.
pub fn render(ctx: &Ctx, v: &CountyPage) -> Markup {
    let body = html! {
        p { (ctx.t("Idag", "Today")) ": " (v.today) }
        section aria-labelledby="bodies" {
            h2 id="bodies" { (ctx.t("Organ", "Bodies")) }
            ul class="columns" {
                @for (id, name) in &v.bodies { li { a href=(ctx.href(&format!("bodies/{id}"))) { (name) } } }
            }
        }
        section aria-labelledby="by-step" {
            h2 id="by-step" { (ctx.t("Ärenden per väg och steg", "Matters by route and step")) }
            p { (ctx.t("Ej bedömda", "Not screened")) ": " (v.unscreened) }
            table {
                caption { (ctx.t("Öppna ärenden per steg", "Open matters per step")) }
                thead { tr { th scope="col" { (ctx.t("Väg", "Route")) } th scope="col" { (ctx.t("Steg", "Step")) } th scope="col" { (ctx.t("Antal", "Count")) } } }
                tbody { @for ((route, step), n) in &v.by_step { tr { td { (route) } td { (step) } td { (n) } } } }
            }
        }
        section aria-labelledby="oldest" {
            h2 id="oldest" { (ctx.t("Äldsta ärendena per organ", "The oldest matters at each body")) }
            @for (body, rows) in &v.oldest {
                h3 { (body) }
                ul { @for r in rows { li { a href=(ctx.href(&format!("matters/{}", r.id))) { (super::short(&r.title)) } " (" (r.registered) ")" } } }
            }
        }
        section aria-labelledby="stuck" {
            h2 id="stuck" { (ctx.t("Försenade mot prognosen", "Stuck past their forecast")) }
            @if v.stuck.is_empty() { p { (ctx.t("Inga.", "None.")) } }
            @if let Some(m) = more(v.stuck.len(), ctx.lang) { p class="muted" { (m) } }
            ul { @for s in v.stuck.iter().take(LIST_CAP) { li { a href=(ctx.href(&format!("matters/{}", s.row.id))) { (super::short(&s.row.title)) } " – " (s.step) ", " (ctx.t("prognos", "forecast")) " " span class="late" { (s.forecast) } } } }
        }
    };
    page(
        ctx,
        &format!("{} – {}", ctx.t("Översikt", "Overview"), ctx.county),
        "",
        body,
    )
}
