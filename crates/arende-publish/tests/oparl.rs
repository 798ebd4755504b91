//! The OParl API of the Örebro examples' data, walked over real HTTP on loopback: every
//! object and every list page reached from the System validates against the OParl 1.1
//! JSON schemas (with the `jsonschema` crate here, and with PyPI's `jsonschema` as an
//! independent client), every URL in an object resolves, an object in a list equals the
//! object at its URL, paging follows `next` to the end, and `modified_since` filters.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use anyhow::{Context, Result, bail, ensure};
use arende_publish::{PublishConfig, routes_with};
use common::{Server, TestState, get};
use serde_json::Value;

fn validators() -> Result<HashMap<String, jsonschema::Validator>> {
    let dir = common::schema_dir();
    let mut out = HashMap::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .context("a schema file name")?
                .to_owned();
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .map_err(|e| anyhow::anyhow!("schema {name}: {e}"))?;
            out.insert(name, validator);
        }
    }
    ensure!(
        out.len() >= 11,
        "the OParl schemas are not all in {}",
        dir.display()
    );
    // The validators can fail: a Body without its lists and a Meeting starting at no
    // date-time are refused.
    let body = serde_json::json!({"id": "http://x/b", "type": "https://schema.oparl.org/1.1/Body", "name": "B"});
    ensure!(
        !out["Body"].is_valid(&body),
        "a Body without its lists passes"
    );
    let meeting = serde_json::json!({"id": "http://x/m", "type": "https://schema.oparl.org/1.1/Meeting", "start": "tomorrow"});
    ensure!(
        !out["Meeting"].is_valid(&meeting),
        "a Meeting starting at no date-time passes"
    );
    Ok(out)
}

/// What a walk saw.
#[derive(Default)]
struct Walk {
    /// Objects validated, per OParl type (embedded ones included).
    validated: BTreeMap<String, usize>,
    /// Every object fetched at its own URL, by URL.
    objects: BTreeMap<String, Value>,
    /// List pages fetched.
    pages: usize,
    /// Schema failures.
    failures: Vec<String>,
}

impl Walk {
    fn validate(&mut self, v: &HashMap<String, jsonschema::Validator>, value: &Value, at: &str) {
        match value {
            Value::Object(map) => {
                if let Some(kind) = map
                    .get("type")
                    .and_then(Value::as_str)
                    .and_then(|t| t.strip_prefix("https://schema.oparl.org/1.1/"))
                {
                    match v.get(kind) {
                        Some(validator) => {
                            for e in validator.iter_errors(value) {
                                self.failures
                                    .push(format!("{at}: {kind}: {e} at {}", e.instance_path));
                            }
                            *self.validated.entry(kind.to_owned()).or_default() += 1;
                        }
                        None => self.failures.push(format!("{at}: no schema for {kind}")),
                    }
                }
                for (k, child) in map {
                    if k != "type" {
                        self.validate(v, child, at);
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.validate(v, item, at);
                }
            }
            _ => {}
        }
    }
}

fn urls_in(value: &Value, api: &str, out: &mut Vec<String>) {
    match value {
        Value::String(s) if s.starts_with(api) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| urls_in(i, api, out)),
        Value::Object(map) => map.values().for_each(|i| urls_in(i, api, out)),
        _ => {}
    }
}

fn walk(base: &str, tenant: &str) -> Result<Walk> {
    let validators = validators()?;
    let api = format!("{base}/oparl/v1/{tenant}/");
    let mut walk = Walk::default();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut in_lists: BTreeMap<String, Value> = BTreeMap::new();
    let mut queue: VecDeque<String> = VecDeque::from([format!("{api}system")]);
    while let Some(url) = queue.pop_front() {
        if !seen.insert(url.clone()) {
            continue;
        }
        let got = get(&url, &[])?;
        ensure!(got.status == 200, "GET {url}: {} {}", got.status, got.body);
        if url.ends_with("/content") {
            ensure!(
                got.content_type.starts_with("text/markdown"),
                "{url}: {}",
                got.content_type
            );
            ensure!(!got.body.is_empty(), "{url} is empty");
            continue;
        }
        ensure!(
            got.content_type.starts_with("application/json"),
            "{url}: {}",
            got.content_type
        );
        let value: Value = serde_json::from_str(&got.body).with_context(|| url.clone())?;
        let mut found = Vec::new();
        if let (Some(data), Some(links)) = (value.get("data"), value.get("links")) {
            walk.pages += 1;
            let data = data.as_array().context("data is an array")?;
            let p = value.get("pagination").context("pagination")?;
            let per = p
                .get("elementsPerPage")
                .and_then(Value::as_u64)
                .context("elementsPerPage")?;
            ensure!(
                data.len() as u64 <= per,
                "{url}: more objects than a page holds"
            );
            for item in data {
                walk.validate(&validators, item, &url);
                let id = item
                    .get("id")
                    .and_then(Value::as_str)
                    .context("an object's id")?;
                in_lists.insert(id.to_owned(), item.clone());
                urls_in(item, &api, &mut found);
            }
            match links.get("next").and_then(Value::as_str) {
                Some(next) => {
                    ensure!(!data.is_empty(), "{url}: an empty page links to a next one");
                    found.push(next.to_owned());
                }
                None => {
                    let cur = p.get("currentPage").and_then(Value::as_u64);
                    let total = p.get("totalPages").and_then(Value::as_u64);
                    ensure!(
                        cur >= total,
                        "{url}: page {cur:?} of {total:?} has no next link"
                    );
                }
            }
        } else {
            walk.validate(&validators, &value, &url);
            let id = value
                .get("id")
                .and_then(Value::as_str)
                .context("an object's id")?;
            ensure!(id == url, "the object at {url} says its id is {id}");
            urls_in(&value, &api, &mut found);
            walk.objects.insert(url.clone(), value);
        }
        for f in found {
            if !seen.contains(&f) {
                queue.push_back(f);
            }
        }
    }
    for (id, listed) in &in_lists {
        match walk.objects.get(id) {
            Some(own) => ensure!(own == listed, "{id} differs in a list from its own URL"),
            None => bail!("{id} is listed but was never fetched"),
        }
    }
    Ok(walk)
}

fn serve(path: &std::path::Path) -> Result<Server> {
    let d = common::deployment(path, common::support::d(2025, 6, 1))?;
    // A small page so that paging is walked.
    Server::start_at(|base| {
        let config = PublishConfig {
            page_size: 25,
            public_url: base,
            ..PublishConfig::default()
        };
        routes_with::<TestState>(config).with_state(TestState(d))
    })
}

#[test]
fn every_object_of_the_examples_validates_against_the_oparl_schemas() -> Result<()> {
    let mut total: BTreeMap<String, usize> = BTreeMap::new();
    for (name, path) in &common::stores().paths {
        let server = serve(path)?;
        let walk = walk(&server.base, "orebro")?;
        assert!(
            walk.failures.is_empty(),
            "{name}: {} objects break the OParl schemas:\n{}",
            walk.failures.len(),
            walk.failures.join("\n")
        );
        assert!(walk.pages > 20, "{name}: only {} list pages", walk.pages);
        for (k, n) in &walk.validated {
            *total.entry(k.clone()).or_default() += n;
        }
        // What the mapping promises, seen in the data.
        let papers: Vec<&Value> = walk
            .objects
            .values()
            .filter(|o| o["type"].as_str().is_some_and(|t| t.ends_with("/Paper")))
            .collect();
        assert!(!papers.is_empty(), "{name}: no paper");
        let consultations: Vec<&Value> = walk
            .objects
            .values()
            .filter(|o| {
                o["type"]
                    .as_str()
                    .is_some_and(|t| t.ends_with("/Consultation"))
            })
            .collect();
        assert!(
            consultations
                .iter()
                .any(|c| c["authoritative"] == Value::Bool(true)),
            "{name}: no consultation where the decision is taken"
        );
        assert!(
            consultations
                .iter()
                .any(|c| c["authoritative"] == Value::Bool(false)),
            "{name}: every consultation is authoritative"
        );
        assert!(
            consultations.iter().any(|c| c.get("meeting").is_some()),
            "{name}: no consultation names the meeting whose minutes completed it"
        );
        let meetings = walk
            .objects
            .values()
            .filter(|o| o["type"].as_str().is_some_and(|t| t.ends_with("/Meeting")));
        assert!(
            meetings.clone().any(|m| m.get("resultsProtocol").is_some()),
            "{name}: no meeting with final minutes"
        );
        assert!(
            meetings.clone().any(|m| m["agendaItem"]
                .as_array()
                .is_some_and(|a| a.iter().any(|i| i.get("result").is_some()))),
            "{name}: no agenda item with a result"
        );
    }
    for kind in [
        "System",
        "Body",
        "Organization",
        "Person",
        "Membership",
        "Meeting",
        "AgendaItem",
        "Paper",
        "Consultation",
        "File",
        "Location",
    ] {
        assert!(
            total.get(kind).is_some_and(|n| *n > 0),
            "no {kind} validated: {total:?}"
        );
    }
    eprintln!("validated: {total:?}");
    Ok(())
}

#[test]
fn modified_since_filters_and_next_links_keep_the_filter() -> Result<()> {
    let (_, path) = &common::stores().paths[0];
    let server = serve(path)?;
    let list = |q: &str| -> Result<Value> {
        let got = get(
            &format!("{}/oparl/v1/orebro/body/region/meetings?{q}", server.base),
            &[],
        )?;
        ensure!(got.status == 200, "{}", got.body);
        Ok(serde_json::from_str(&got.body)?)
    };
    let all = list("limit=1000")?;
    let total = all["pagination"]["totalElements"]
        .as_u64()
        .context("total")?;
    // The instant of the newest modification among the meetings with events.
    let newest = all["data"]
        .as_array()
        .context("data")?
        .iter()
        .filter_map(|m| m["modified"].as_str())
        .max()
        .context("a meeting with events")?
        .to_owned();
    let since = list(&format!("limit=1000&modified_since={newest}"))?;
    let kept = since["data"].as_array().context("data")?;
    assert!(since["pagination"]["totalElements"].as_u64() < Some(total));
    assert!(
        kept.iter()
            .all(|m| m["modified"].as_str().is_none_or(|t| t >= newest.as_str()))
    );
    assert!(
        kept.iter()
            .any(|m| m["modified"].as_str() == Some(newest.as_str()))
    );
    let paged = list(&format!("limit=2&modified_since={newest}"))?;
    if let Some(next) = paged["links"]["next"].as_str() {
        assert!(next.contains("modified_since="), "{next}");
    }
    // A bad filter is a problem naming the parameter, not a 500.
    let bad = get(
        &format!(
            "{}/oparl/v1/orebro/body/region/meetings?modified_since=igår",
            server.base
        ),
        &[],
    )?;
    assert_eq!(bad.status, 400);
    assert!(bad.content_type.starts_with("application/problem+json"));
    assert!(bad.body.contains("modified_since"), "{}", bad.body);
    let unknown = get(
        &format!("{}/oparl/v1/uppsala/system", server.base),
        &[("accept-language", "en")],
    )?;
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("uppsala"), "{}", unknown.body);
    Ok(())
}

#[test]
fn pypi_jsonschema_validates_the_whole_api_too() -> Result<()> {
    if !common::python_has(&["jsonschema"]) {
        return Ok(());
    }
    let (_, path) = &common::stores().paths[1];
    let server = serve(path)?;
    let schemas = common::schema_dir();
    let out = common::run_python(
        "oparl_walk.py",
        &[
            &format!("{}/oparl/v1/orebro/system", server.base),
            &schemas.to_string_lossy(),
        ],
    )?;
    assert!(out.contains("validated"), "{out}");
    eprintln!("{out}");
    Ok(())
}

/// The page of papers the service writes with its cache (`County::papers_json`) is the
/// page built afresh (`County::papers`), cold and warm; a matter changed since is read
/// again at once, and so is every paper under another configuration or origin.
#[test]
fn cached_papers_are_the_papers_and_a_change_shows_at_once() -> Result<()> {
    use arende::authz::Actor;
    use arende::ids::{MatterId, PartyId, PersonId, TenantId};
    use arende::matter::MatterCommand;
    use arende_publish::oparl::{County, ListFilter, PaperCache};

    // A copy: the change below must not reach the other tests' store.
    let (_, path) = &common::stores().paths[0];
    let dir = tempfile::tempdir()?;
    let copy = dir.path().join("copy.sqlite");
    std::fs::copy(path, &copy)?;
    for ext in ["-wal", "-shm"] {
        let from = std::path::PathBuf::from(format!("{}{ext}", path.display()));
        if from.exists() {
            std::fs::copy(&from, format!("{}{ext}", copy.display()))?;
        }
    }
    let d = common::deployment(&copy, common::support::d(2025, 6, 1))?;
    let engine = d
        .county(&TenantId::new("orebro"))
        .context("the county")?
        .clone();
    let filter = ListFilter {
        page: 1,
        limit: 1000,
        ..ListFilter::default()
    };
    let cache = PaperCache::new();
    let both = |origin: &str| -> Result<(Value, Value)> {
        let county = County::new(&engine, origin);
        let fresh = serde_json::to_value(county.papers("region", &filter)?)?;
        let written: Value =
            serde_json::from_slice(&county.papers_json("region", &filter, &cache)?)?;
        Ok((written, fresh))
    };
    let (cold, fresh) = both("http://localhost")?;
    assert_eq!(cold, fresh, "uncached");
    let papers = fresh["data"].as_array().context("data")?.len();
    assert!(papers > 0, "the region has papers");
    assert_eq!(cache.len(), papers, "every paper is cached");
    let (warm, fresh) = both("http://localhost")?;
    assert_eq!(warm, fresh, "cached");
    // Another origin: other URLs, so other entries.
    let (other, fresh) = both("https://arende.example.se")?;
    assert_eq!(other, fresh, "another origin");
    assert_eq!(cache.len(), 2 * papers);

    // A change to one matter shows in the next page.
    let id = fresh["data"][0]["id"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .context("a paper's id")?;
    let matter = MatterId(uuid::Uuid::parse_str(id)?);
    engine.run_matter(
        matter,
        &Actor::Person(PersonId::new("daniel-berglund")),
        MatterCommand::RegisterCaseNumber {
            party: PartyId::new("region"),
            number: "RS 99/0001".into(),
        },
    )?;
    let (changed, fresh) = both("http://localhost")?;
    assert_eq!(changed, fresh, "after the change");
    assert!(
        changed["data"][0]["keyword"]
            .as_array()
            .context("keyword")?
            .iter()
            .any(|k| k == "diarienummer:region:RS 99/0001"),
        "the changed paper is read again: {}",
        changed["data"][0]
    );
    assert_ne!(changed, warm);
    Ok(())
}
