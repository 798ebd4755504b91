//! Validation: from the raw, positioned form to the immutable [`Organisation`],
//! collecting every problem with its place instead of stopping at the first.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;

use chrono::{NaiveDate, TimeZone};
use chrono_tz::Europe::Stockholm;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::plan::{MeetingRule, TimeWindow, parse_date, parse_recurrence, parse_window};
use super::raw::{
    DateText, RawBody, RawCalendar, RawCountyPart, RawDefaults, RawLeadTimes, RawOrganisation,
    RawParty, RawPerson, RawPlan, RawRoster, RawRoute, S,
};
use super::{Problems, Text, swedish, tx};
use crate::authz::{Action, Permissions};
use crate::holidays::{DayOff, WorkCalendar};
use crate::ids::{BodyId, CountyPartId, MeetingId, PartyId, PersonId, RouteId, StepId, TenantId};
use crate::org::{
    Body, BodyKind, CountyPart, LeadTime, LeadTimes, Mandate, MeetingStatus, Membership,
    MinutesKind, Organisation, Party, PartyKind, Person, PlannedMeeting, Role,
};
use crate::route::{ConsultationSpec, Dependency, Purpose, Route, RouteProblem, Step};

type Span = Range<usize>;

/// The longest a meeting-plan rule may run: ten years (a plan is published a year or
/// two ahead; a longer rule is a typo such as 9999-12-31, and would plan hundreds of
/// thousands of meetings).
const MAX_RULE_DAYS: i64 = 3653;

const SECTIONS: [&str; 13] = [
    "organisation",
    "defaults",
    "calendar",
    "limits",
    "parties",
    "county-parts",
    "bodies",
    "people",
    "memberships",
    "routes",
    "matter-kinds",
    "permissions",
    "meeting-plans",
];

const PARTY_KINDS: &[&str] = &["region", "municipality", "other"];
const BODY_KINDS: &[&str] = &[
    "local-network",
    "preparatory",
    "working-group",
    "chief-group",
    "joint-session",
    "steering-group",
    "executive",
    "political-council",
    "political",
];
const PURPOSES: &[&str] = &[
    "drafting",
    "information",
    "preparation",
    "consultation",
    "readiness-check",
    "decision",
    "recommendation",
    "political-decision",
    "entry-into-force",
    "follow-up",
];
const ROLES: &[&str] = &[
    "member",
    "substitute",
    "chair",
    "secretary",
    "adjuster",
    "official",
];
const MINUTES: &[&str] = &["notes", "protocol"];
const DEPENDENCIES: &[&str] = &["decision", "same-proposal"];
const STATUSES: &[&str] = &["tentative", "confirmed", "cancelled"];

/// The sections as read, each entry with its key and position.
#[derive(Default)]
struct Sections {
    organisation: Option<(Span, RawOrganisation)>,
    /// Whether `[organisation]` is in the file (read or not).
    organisation_given: bool,
    defaults: Option<RawDefaults>,
    calendar: Option<RawCalendar>,
    limits: Option<crate::input::InputLimits>,
    parties: Vec<(S, RawParty)>,
    county_parts: Vec<(S, RawCountyPart)>,
    bodies: Vec<(S, RawBody)>,
    people: Vec<(S, RawPerson)>,
    memberships: Vec<(S, RawRoster)>,
    routes: Vec<(S, RawRoute)>,
    matter_kinds: Vec<(S, S)>,
    permissions: Vec<(S, Vec<S>)>,
    meeting_plans: Vec<(S, RawPlan)>,
    /// Every key of every id-keyed section, including entries that failed to read, so
    /// that a faulty entry is reported once and not again at each reference to it.
    keys: BTreeMap<String, BTreeSet<String>>,
}

/// Parses, checks and builds. Returns `None` only when the text is not TOML at all.
pub(super) fn build(text: &str, p: &mut Problems<'_>) -> Option<Organisation> {
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            let key = e
                .span()
                .and_then(|s| text.get(s))
                .filter(|k| !k.is_empty() && e.message().starts_with("duplicate key"));
            let message = match key {
                Some(k) => {
                    let k = k.trim_matches('"');
                    tx(
                        format!("TOML syntax: duplicate key `{k}`"),
                        format!("TOML-syntaxfel: dubblerad nyckel `{k}`"),
                    )
                }
                None => tx(
                    format!("TOML syntax: {}", e.message()),
                    format!("TOML-syntaxfel: {}", swedish::syntax(e.message())),
                ),
            };
            // A problem without a place (e.g. the recursion limit) is placed at the end
            // of what was read.
            let span = e.span().unwrap_or(text.len()..text.len());
            p.at("(toml)", Some(span), message);
        }
        return None;
    }
    let mut s = Sections::default();
    for (key, value) in root.into_inner() {
        let span = key.span();
        let name = key.into_inner().into_owned();
        match name.as_str() {
            "organisation" => {
                let vspan = value.span();
                s.organisation_given = true;
                s.organisation = one(&name, value, p).map(|o| (vspan, o));
            }
            "defaults" => s.defaults = one(&name, value, p),
            "calendar" => s.calendar = one(&name, value, p),
            "limits" => s.limits = one(&name, value, p),
            "parties" => s.parties = entries(&name, value, p, &mut s.keys),
            "county-parts" => s.county_parts = entries(&name, value, p, &mut s.keys),
            "bodies" => s.bodies = entries(&name, value, p, &mut s.keys),
            "people" => s.people = entries(&name, value, p, &mut s.keys),
            "memberships" => s.memberships = entries(&name, value, p, &mut s.keys),
            "routes" => s.routes = entries(&name, value, p, &mut s.keys),
            "meeting-plans" => s.meeting_plans = entries(&name, value, p, &mut s.keys),
            "matter-kinds" => {
                let m: Option<BTreeMap<S, S>> = one(&name, value, p);
                s.matter_kinds = m.unwrap_or_default().into_iter().collect();
            }
            "permissions" => {
                let m: Option<BTreeMap<S, Vec<S>>> = one(&name, value, p);
                s.permissions = m.unwrap_or_default().into_iter().collect();
            }
            other => p.at(
                other,
                Some(span),
                tx(
                    format!(
                        "unknown section `{other}`; the sections are {}",
                        SECTIONS.join(", ")
                    ),
                    format!(
                        "okänd sektion `{other}`; sektionerna är {}",
                        SECTIONS.join(", ")
                    ),
                ),
            ),
        }
    }
    Some(
        Builder {
            p,
            calendar: WorkCalendar::default(),
        }
        .build(s),
    )
}

/// Deserializes one whole section (or entry); a problem without a place of its own is
/// placed at the value.
fn one<T: DeserializeOwned>(
    path: &str,
    value: Spanned<DeValue<'_>>,
    p: &mut Problems<'_>,
) -> Option<T> {
    let vspan = value.span();
    match T::deserialize(ValueDeserializer::from(value)) {
        Ok(t) => Some(t),
        Err(e) => {
            let m = e.message();
            p.at(
                path,
                Some(e.span().unwrap_or(vspan)),
                tx(m, swedish::serde(m)),
            );
            None
        }
    }
}

/// Deserializes each entry of an id-keyed section on its own, so a problem in one entry
/// does not hide the problems in the others.
fn entries<T: DeserializeOwned>(
    section: &str,
    value: Spanned<DeValue<'_>>,
    p: &mut Problems<'_>,
    keys: &mut BTreeMap<String, BTreeSet<String>>,
) -> Vec<(S, T)> {
    let span = value.span();
    let DeValue::Table(table) = value.into_inner() else {
        p.at(
            section,
            Some(span),
            tx(
                format!("`{section}` must be a table of entries keyed by id"),
                format!("`{section}` ska vara en tabell med poster per id"),
            ),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in table {
        let kspan = key.span();
        let id = key.into_inner().into_owned();
        let path = format!("{section}.{id}");
        check_id(p, &path, &id, kspan.clone());
        keys.entry(section.to_owned())
            .or_default()
            .insert(id.clone());
        if let Some(t) = one(&path, value, p) {
            out.push((Spanned::new(kspan, id), t));
        }
    }
    out
}

fn check_id(p: &mut Problems<'_>, path: &str, id: &str, span: Span) {
    let ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-');
    if !ok {
        p.at(
            path,
            Some(span),
            tx(
                format!("invalid id \"{id}\": use lowercase ascii letters, digits and hyphens (e.g. \"ingmar-angman\")"),
                format!("ogiltigt id \"{id}\": använd små bokstäver a–z, siffror och bindestreck (t.ex. \"ingmar-angman\")"),
            ),
        );
    }
}

/// The edit distance between two short ids, for "did you mean" hints.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The Swedish word for a kind of id or value, with its form after "okänd"/"okänt".
fn swedish_kind(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "body" => ("okänt", "organ"),
        "party" => ("okänd", "part"),
        "person" => ("okänd", "person"),
        "county part" => ("okänd", "länsdel"),
        "route" => ("okänd", "beslutsväg"),
        "step" => ("okänt", "steg"),
        "action" => ("okänd", "åtgärd"),
        "body kind" => ("okänd", "organtyp"),
        "mandate" => ("okänt", "mandat"),
        "party kind" => ("okänd", "parttyp"),
        "minutes kind" => ("okänd", "protokollform"),
        "purpose" => ("okänt", "syfte"),
        "role" => ("okänd", "roll"),
        "dependency" => ("okänt", "beroende"),
        "status" => ("okänd", "status"),
        _ => ("okänt", "värde"),
    }
}

/// "unknown body \"x\" (did you mean \"y\"?)". The hint is found in one pass over the
/// known ids, only for ids short enough for it to matter.
fn unknown_message<'a>(kind: &str, id: &str, known: impl Iterator<Item = &'a str>) -> Text {
    let len = id.chars().count();
    let best = if len <= 64 {
        known
            .filter(|k| k.len().abs_diff(id.len()) <= 2.max(len / 3))
            .map(|k| (distance(id, k), k))
            .filter(|(d, _)| *d <= 2.max(len / 3))
            .min()
    } else {
        None
    };
    let (adj, noun) = swedish_kind(kind);
    match best {
        Some((_, k)) => tx(
            format!("unknown {kind} \"{id}\" (did you mean \"{k}\"?)"),
            format!("{adj} {noun} \"{id}\" (menade du \"{k}\"?)"),
        ),
        None => tx(
            format!("unknown {kind} \"{id}\""),
            format!("{adj} {noun} \"{id}\""),
        ),
    }
}

/// Parses an enumerated value (`kind`, `role`, `purpose`…) by its configuration name.
fn parse_name<T: DeserializeOwned>(
    p: &mut Problems<'_>,
    path: &str,
    what: &str,
    value: &S,
    allowed: &[&str],
) -> Option<T> {
    let value_text = value.get_ref().as_str();
    let parsed = T::deserialize(
        serde::de::value::StrDeserializer::<serde::de::value::Error>::new(value_text),
    )
    .ok();
    if parsed.is_none() {
        let (adj, noun) = swedish_kind(what);
        p.at(
            path,
            Some(value.span()),
            tx(
                format!(
                    "unknown {what} \"{value_text}\"; use one of: {}",
                    allowed.join(", ")
                ),
                format!(
                    "{adj} {noun} \"{value_text}\"; använd något av: {}",
                    allowed.join(", ")
                ),
            ),
        );
    }
    parsed
}

fn parse_lead(p: &mut Problems<'_>, path: &str, value: &S) -> Option<LeadTime> {
    match LeadTime::parse(value.get_ref()) {
        Ok(l) => Some(l),
        Err(e) => {
            p.at(
                path,
                Some(value.span()),
                tx(
                    format!("invalid lead time: {e}"),
                    format!("ogiltig framförhållning: {}", e.swedish()),
                ),
            );
            None
        }
    }
}

fn date(p: &mut Problems<'_>, path: &str, value: &Spanned<DateText>) -> Option<NaiveDate> {
    match parse_date(value.get_ref()) {
        Ok(d) => Some(d),
        Err(e) => {
            p.at(path, Some(value.span()), e);
            None
        }
    }
}

fn window(p: &mut Problems<'_>, path: &str, value: &S) -> Option<TimeWindow> {
    match parse_window(value.get_ref()) {
        Ok(w) => Some(w),
        Err(e) => {
            p.at(path, Some(value.span()), e);
            None
        }
    }
}

/// The known ids, for reference checks.
#[derive(Default)]
struct Known {
    parties: BTreeSet<String>,
    county_parts: BTreeSet<String>,
    bodies: BTreeSet<String>,
    people: BTreeSet<String>,
}

/// A meeting being planned, before exceptions and derived dates.
struct Draft {
    original: NaiveDate,
    date: NaiveDate,
    window: TimeWindow,
    location: Option<String>,
    status: MeetingStatus,
    moved_from: Option<NaiveDate>,
    sequence: u32,
    span: Span,
    path: String,
}

/// A plan's drafts, indexed by original date (the meeting id; unique) and by current
/// date (unique too: a move onto a planned date is refused).
#[derive(Default)]
struct Drafts {
    list: Vec<Draft>,
    by_original: HashMap<NaiveDate, usize>,
    by_date: HashMap<NaiveDate, usize>,
}

impl Drafts {
    fn insert(&mut self, d: Draft) {
        let i = self.list.len();
        self.by_original.insert(d.original, i);
        self.by_date.insert(d.date, i);
        self.list.push(d);
    }

    /// Moves draft `i` to `to` (no other draft is on `to`).
    fn move_to(&mut self, i: usize, to: NaiveDate) {
        let old = self.list[i].date;
        if self.by_date.get(&old) == Some(&i) {
            self.by_date.remove(&old);
        }
        self.list[i].date = to;
        self.by_date.insert(to, i);
    }

    /// The draft on `day`, or else the one originally planned for it.
    fn on(&self, day: NaiveDate) -> Option<usize> {
        self.by_date
            .get(&day)
            .or_else(|| self.by_original.get(&day))
            .copied()
    }
}

struct Builder<'p, 'a> {
    p: &'p mut Problems<'a>,
    /// The working-day calendar (public holidays and the local days off).
    calendar: WorkCalendar,
}

impl Builder<'_, '_> {
    fn reference(&mut self, set: &BTreeSet<String>, kind: &str, path: &str, value: &S) -> bool {
        if set.contains(value.get_ref().as_str()) {
            true
        } else {
            let msg = unknown_message(kind, value.get_ref(), set.iter().map(String::as_str));
            self.p.at(path, Some(value.span()), msg);
            false
        }
    }

    fn build(mut self, s: Sections) -> Organisation {
        let keys = |section: &str| s.keys.get(section).cloned().unwrap_or_default();
        let known = Known {
            parties: keys("parties"),
            county_parts: keys("county-parts"),
            bodies: keys("bodies"),
            people: keys("people"),
        };

        // [organisation]
        let (tenant, name, version) = match &s.organisation {
            Some((_, o)) => {
                check_id(
                    self.p,
                    "organisation.tenant",
                    o.tenant.get_ref(),
                    o.tenant.span(),
                );
                if let Some(tz) = &o.time_zone
                    && tz.get_ref() != "Europe/Stockholm"
                {
                    let tz = tz.get_ref();
                    self.p.at(
                        "organisation.time-zone",
                        Some(o.time_zone.as_ref().map_or(0..0, Spanned::span)),
                        tx(
                            format!(
                                "unsupported time zone \"{tz}\": meeting times are Europe/Stockholm"
                            ),
                            format!(
                                "tidszonen \"{tz}\" stöds inte: mötestider är Europe/Stockholm"
                            ),
                        ),
                    );
                }
                (
                    o.tenant.get_ref().clone(),
                    o.name.get_ref().clone(),
                    o.version.get_ref().clone(),
                )
            }
            // Given but unreadable: already reported at its place.
            None if s.organisation_given => (String::new(), String::new(), String::new()),
            None => {
                self.p.at(
                    "organisation",
                    None,
                    tx(
                        "missing [organisation] table with tenant, name and version",
                        "tabellen [organisation] med tenant, name och version saknas",
                    ),
                );
                (String::new(), String::new(), String::new())
            }
        };

        // [defaults.lead-times]
        let raw_defaults = s
            .defaults
            .as_ref()
            .map(|d| d.lead_times.clone())
            .unwrap_or_default();
        let mut base = LeadTimes::default();
        let mut political_defaults = (None, None);
        {
            let path = "defaults.lead-times";
            let r = &raw_defaults;
            if let Some(v) = &r.call_for_matters
                && let Some(l) = parse_lead(self.p, &format!("{path}.call-for-matters"), v)
            {
                base.call_for_matters = l;
            }
            if let Some(v) = &r.notice
                && let Some(l) = parse_lead(self.p, &format!("{path}.notice"), v)
            {
                base.notice = l;
            }
            if let Some(v) = &r.minutes_final
                && let Some(l) = parse_lead(self.p, &format!("{path}.minutes-final"), v)
            {
                base.minutes_final = l;
            }
            if let Some(v) = &r.announcement {
                political_defaults.0 = parse_lead(self.p, &format!("{path}.announcement"), v);
            }
            if let Some(v) = &r.appeal {
                political_defaults.1 = parse_lead(self.p, &format!("{path}.appeal"), v);
            }
        }

        // [county-parts]
        let mut county_parts: BTreeMap<CountyPartId, CountyPart> = s
            .county_parts
            .iter()
            .map(|(k, c)| {
                let id = CountyPartId::new(k.get_ref().as_str());
                (
                    id.clone(),
                    CountyPart {
                        id,
                        name: c.name.get_ref().clone(),
                        parties: Vec::new(),
                    },
                )
            })
            .collect();

        // [bodies]
        let mut bodies: BTreeMap<BodyId, Body> = BTreeMap::new();
        for (k, b) in &s.bodies {
            let path = format!("bodies.{}", k.get_ref());
            let kind = parse_name::<BodyKind>(
                self.p,
                &format!("{path}.kind"),
                "body kind",
                &b.kind,
                BODY_KINDS,
            );
            let mut mandates = BTreeSet::new();
            for m in &b.mandates {
                let allowed: Vec<&str> = Mandate::ALL.iter().map(|m| m.name()).collect();
                if let Some(m) = parse_name::<Mandate>(
                    self.p,
                    &format!("{path}.mandates"),
                    "mandate",
                    m,
                    &allowed,
                ) {
                    mandates.insert(m);
                }
            }
            if let Some(parent) = &b.parent {
                if parent.get_ref() == k.get_ref() {
                    self.p.at(
                        format!("{path}.parent"),
                        Some(parent.span()),
                        tx(
                            "a body cannot be its own parent",
                            "ett organ kan inte vara sitt eget överordnade organ",
                        ),
                    );
                } else {
                    self.reference(&known.bodies, "body", &format!("{path}.parent"), parent);
                }
            }
            for j in &b.joint_of {
                if j.get_ref() == k.get_ref() {
                    self.p.at(
                        format!("{path}.joint-of"),
                        Some(j.span()),
                        tx(
                            "a joint session cannot include itself",
                            "en gemensam session kan inte ingå i sig själv",
                        ),
                    );
                } else {
                    self.reference(&known.bodies, "body", &format!("{path}.joint-of"), j);
                }
            }
            match kind {
                Some(BodyKind::JointSession) if b.joint_of.len() < 2 => self.p.at(
                    format!("{path}.joint-of"),
                    Some(b.kind.span()),
                    tx(
                        "a joint session needs `joint-of` with at least two bodies",
                        "en gemensam session behöver `joint-of` med minst två organ",
                    ),
                ),
                Some(kd) if kd != BodyKind::JointSession && !b.joint_of.is_empty() => self.p.at(
                    format!("{path}.joint-of"),
                    Some(b.joint_of[0].span()),
                    tx(
                        "only a body of kind joint-session has `joint-of`",
                        "bara ett organ av typen joint-session har `joint-of`",
                    ),
                ),
                _ => {}
            }
            if let Some(party) = &b.party {
                self.reference(&known.parties, "party", &format!("{path}.party"), party);
            } else if kind == Some(BodyKind::Political) {
                self.p.at(
                    format!("{path}.party"),
                    Some(b.kind.span()),
                    tx(
                        "a political body needs `party` (the party it decides for)",
                        "ett politiskt organ behöver `party` (den part det beslutar för)",
                    ),
                );
            }
            let minutes = match &b.minutes {
                Some(m) => parse_name::<MinutesKind>(
                    self.p,
                    &format!("{path}.minutes"),
                    "minutes kind",
                    m,
                    MINUTES,
                )
                .unwrap_or_default(),
                None if kind == Some(BodyKind::Political) => MinutesKind::Protocol,
                None => MinutesKind::Notes,
            };
            let mut lead_times = base;
            if kind == Some(BodyKind::Political) {
                lead_times.announcement = political_defaults.0;
                lead_times.appeal = political_defaults.1;
            }
            self.override_leads(
                &mut lead_times,
                &format!("{path}.lead-times"),
                &b.lead_times,
            );
            let id = BodyId::new(k.get_ref().as_str());
            bodies.insert(
                id.clone(),
                Body {
                    id,
                    name: b.name.get_ref().clone(),
                    kind: kind.unwrap_or(BodyKind::WorkingGroup),
                    mandates,
                    parent: b.parent.as_ref().map(|x| BodyId::new(x.get_ref().as_str())),
                    joint_of: b
                        .joint_of
                        .iter()
                        .map(|x| BodyId::new(x.get_ref().as_str()))
                        .collect(),
                    party: b.party.as_ref().map(|x| PartyId::new(x.get_ref().as_str())),
                    minutes,
                    lead_times,
                    temporary: b.temporary,
                    adjustment: crate::org::AdjustmentRule {
                        chair: b.adjustment.chair,
                        secretary: b.adjustment.secretary,
                        chair_alone: b.adjustment.chair_alone,
                    },
                },
            );
        }
        // A chain of parents must end.
        for (k, _) in &s.bodies {
            let start = BodyId::new(k.get_ref().as_str());
            let mut at = bodies.get(&start).and_then(|b| b.parent.clone());
            let mut steps = 0;
            while let Some(b) = at {
                if b == start {
                    self.p.at(
                        format!("bodies.{}.parent", k.get_ref()),
                        Some(k.span()),
                        tx(
                            "the chain of parents loops back to this body",
                            "kedjan av överordnade organ leder tillbaka till detta organ",
                        ),
                    );
                    break;
                }
                steps += 1;
                if steps > bodies.len() {
                    break;
                }
                at = bodies.get(&b).and_then(|b| b.parent.clone());
            }
        }

        // [parties]
        let mut parties: BTreeMap<PartyId, Party> = BTreeMap::new();
        for (k, r) in &s.parties {
            let path = format!("parties.{}", k.get_ref());
            let kind = parse_name::<PartyKind>(
                self.p,
                &format!("{path}.kind"),
                "party kind",
                &r.kind,
                PARTY_KINDS,
            );
            if let Some(cp) = &r.county_part
                && self.reference(
                    &known.county_parts,
                    "county part",
                    &format!("{path}.county-part"),
                    cp,
                )
                && let Some(part) = county_parts.get_mut(cp.get_ref().as_str())
            {
                part.parties.push(PartyId::new(k.get_ref().as_str()));
            }
            if let Some(pb) = &r.political_body
                && self.reference(&known.bodies, "body", &format!("{path}.political-body"), pb)
                && let Some(body) = bodies.get(pb.get_ref().as_str())
            {
                if body.kind != BodyKind::Political {
                    self.p.at(
                        format!("{path}.political-body"),
                        Some(pb.span()),
                        tx(
                            format!("body \"{}\" is not of kind political", body.id),
                            format!("organet \"{}\" är inte av typen political", body.id),
                        ),
                    );
                } else if body
                    .party
                    .as_ref()
                    .is_some_and(|bp| bp.as_str() != k.get_ref())
                {
                    self.p
                        .at(format!("{path}.political-body"), Some(pb.span()), {
                            let (b, owner, party) = (
                                &body.id,
                                body.party.as_ref().map(|x| x.as_str()).unwrap_or_default(),
                                k.get_ref(),
                            );
                            tx(
                                format!(
                                    "body \"{b}\" belongs to party \"{owner}\", not \"{party}\""
                                ),
                                format!(
                                    "organet \"{b}\" hör till parten \"{owner}\", inte \"{party}\""
                                ),
                            )
                        });
                }
            }
            let kind = kind.unwrap_or(PartyKind::Other);
            let id = PartyId::new(k.get_ref().as_str());
            parties.insert(
                id.clone(),
                Party {
                    id,
                    name: r.name.get_ref().clone(),
                    kind,
                    county_part: r
                        .county_part
                        .as_ref()
                        .map(|x| CountyPartId::new(x.get_ref().as_str())),
                    political_body: r
                        .political_body
                        .as_ref()
                        .map(|x| BodyId::new(x.get_ref().as_str())),
                    signatory: r
                        .signatory
                        .as_ref()
                        .map_or(kind != PartyKind::Other, |s| *s.get_ref()),
                },
            );
        }

        // [people]
        let mut people: BTreeMap<PersonId, Person> = BTreeMap::new();
        for (k, r) in &s.people {
            let path = format!("people.{}", k.get_ref());
            if let Some(party) = &r.party {
                self.reference(&known.parties, "party", &format!("{path}.party"), party);
            }
            if let Some(e) = &r.email {
                let t = e.get_ref();
                let ok = t
                    .split_once('@')
                    .is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
                    && !t.contains(char::is_whitespace);
                if !ok {
                    self.p.at(
                        format!("{path}.email"),
                        Some(e.span()),
                        tx(
                            format!("invalid e-mail address \"{t}\""),
                            format!("ogiltig e-postadress \"{t}\""),
                        ),
                    );
                }
            }
            let language = match &r.language {
                None => crate::language::Language::default(),
                Some(l) => crate::language::Language::from_code(l.get_ref()).unwrap_or_else(|| {
                    self.p.at(
                        format!("{path}.language"),
                        Some(l.span()),
                        tx(
                            format!("unknown language \"{}\": use sv or en", l.get_ref()),
                            format!("okänt språk \"{}\": använd sv eller en", l.get_ref()),
                        ),
                    );
                    crate::language::Language::default()
                }),
            };
            let id = PersonId::new(k.get_ref().as_str());
            people.insert(
                id.clone(),
                Person {
                    id,
                    name: r.name.get_ref().clone(),
                    email: r.email.as_ref().map(|x| x.get_ref().clone()),
                    party: r.party.as_ref().map(|x| PartyId::new(x.get_ref().as_str())),
                    title: r.title.as_ref().map(|x| x.get_ref().clone()),
                    language,
                },
            );
        }

        // [memberships]
        let memberships = self.memberships(&s.memberships, &known, &people);

        // [routes]
        let mut routes = BTreeMap::new();
        for (k, r) in &s.routes {
            if let Some(route) = self.route(k, r, &known, &bodies, &parties) {
                routes.insert(route.id().clone(), route);
            }
        }

        // [matter-kinds]
        let route_ids: BTreeSet<String> =
            s.routes.iter().map(|(k, _)| k.get_ref().clone()).collect();
        let mut matter_kinds = BTreeMap::new();
        for (k, v) in &s.matter_kinds {
            let path = format!("matter-kinds.{}", k.get_ref());
            check_id(self.p, &path, k.get_ref(), k.span());
            if self.reference(&route_ids, "route", &path, v) {
                matter_kinds.insert(k.get_ref().clone(), RouteId::new(v.get_ref().as_str()));
            }
        }

        // [permissions]
        let mut permissions = Permissions::default();
        for (k, roles) in &s.permissions {
            let path = format!("permissions.{}", k.get_ref());
            let action = Action::from_name(k.get_ref());
            if action.is_none() {
                let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
                let msg = unknown_message("action", k.get_ref(), names.iter().copied());
                self.p.at(
                    &path,
                    Some(k.span()),
                    tx(
                        format!("{}; the actions are {}", msg.en, names.join(", ")),
                        format!("{}; åtgärderna är {}", msg.sv, names.join(", ")),
                    ),
                );
            }
            let mut set = BTreeSet::new();
            for r in roles {
                if let Some(role) = parse_name::<Role>(self.p, &path, "role", r, ROLES) {
                    set.insert(role);
                }
            }
            if let Some(a) = action {
                permissions.roles.insert(a, set);
            }
        }

        // [calendar]
        let mut days_off = BTreeSet::new();
        if let Some(c) = &s.calendar {
            for (i, d) in c.days_off.iter().enumerate() {
                if let Some(day) = date(self.p, &format!("calendar.days-off[{i}]"), d) {
                    days_off.insert(day);
                }
            }
        }
        self.calendar = WorkCalendar::new(days_off.clone());

        // [limits]
        let limits = s.limits.unwrap_or_default();
        for (key, value) in [
            ("title", limits.title),
            ("name", limits.name),
            ("line", limits.line),
            ("text", limits.text),
        ] {
            if value == 0 || value > crate::input::MAX_LIMIT {
                self.p.at(
                    format!("limits.{key}"),
                    None,
                    tx(
                        format!(
                            "{value} is not a limit: give 1 to {} characters",
                            crate::input::MAX_LIMIT
                        ),
                        format!(
                            "{value} är ingen gräns: ange 1 till {} tecken",
                            crate::input::MAX_LIMIT
                        ),
                    ),
                );
            }
        }

        // [meeting-plans]
        let mut meetings = Vec::new();
        for (k, plan) in &s.meeting_plans {
            self.plan(k, plan, &known, &bodies, &mut meetings);
        }
        meetings.sort_by(|a: &PlannedMeeting, b: &PlannedMeeting| {
            (a.date, a.start, &a.id).cmp(&(b.date, b.start, &b.id))
        });

        Organisation {
            tenant: TenantId::new(tenant),
            name,
            version,
            parties,
            county_parts: {
                for c in county_parts.values_mut() {
                    c.parties.sort();
                }
                county_parts
            },
            bodies,
            people,
            memberships,
            routes,
            matter_kinds,
            meetings,
            permissions,
            days_off,
            limits,
        }
    }

    fn override_leads(&mut self, lt: &mut LeadTimes, path: &str, r: &RawLeadTimes) {
        if let Some(v) = &r.call_for_matters
            && let Some(l) = parse_lead(self.p, &format!("{path}.call-for-matters"), v)
        {
            lt.call_for_matters = l;
        }
        if let Some(v) = &r.notice
            && let Some(l) = parse_lead(self.p, &format!("{path}.notice"), v)
        {
            lt.notice = l;
        }
        if let Some(v) = &r.minutes_final
            && let Some(l) = parse_lead(self.p, &format!("{path}.minutes-final"), v)
        {
            lt.minutes_final = l;
        }
        if let Some(v) = &r.announcement {
            lt.announcement = parse_lead(self.p, &format!("{path}.announcement"), v);
        }
        if let Some(v) = &r.appeal {
            lt.appeal = parse_lead(self.p, &format!("{path}.appeal"), v);
        }
    }

    fn memberships(
        &mut self,
        rosters: &[(S, RawRoster)],
        known: &Known,
        people: &BTreeMap<PersonId, Person>,
    ) -> Vec<Membership> {
        let mut out = Vec::new();
        for (k, r) in rosters {
            let path = format!("memberships.{}", k.get_ref());
            if !known.bodies.contains(k.get_ref().as_str()) {
                let msg =
                    unknown_message("body", k.get_ref(), known.bodies.iter().map(String::as_str));
                self.p.at(&path, Some(k.span()), msg);
            }
            let lists: [(Role, &str, &Vec<S>); 6] = [
                (Role::Chair, "chair", &r.chair),
                (Role::Member, "member", &r.member),
                (Role::Substitute, "substitute", &r.substitute),
                (Role::Secretary, "secretary", &r.secretary),
                (Role::Adjuster, "adjuster", &r.adjuster),
                (Role::Official, "official", &r.official),
            ];
            // Mandate periods: each person named must hold a role here, and a period
            // must not end before it starts.
            let mut terms: BTreeMap<&str, (Option<NaiveDate>, Option<NaiveDate>)> = BTreeMap::new();
            for (who, term) in &r.terms {
                let tpath = format!("{path}.terms.{}", who.get_ref());
                let listed = lists
                    .iter()
                    .any(|(_, _, list)| list.iter().any(|x| x.get_ref() == who.get_ref()));
                if !listed {
                    self.p.at(
                        &tpath,
                        Some(who.span()),
                        tx(
                            format!(
                                "\"{}\" has a term but is not listed in any role of this body",
                                who.get_ref()
                            ),
                            format!(
                                "\"{}\" har en mandatperiod men ingen roll i detta organ",
                                who.get_ref()
                            ),
                        ),
                    );
                }
                let from = term
                    .from
                    .as_ref()
                    .and_then(|v| date(self.p, &format!("{tpath}.from"), v));
                let until = term
                    .until
                    .as_ref()
                    .and_then(|v| date(self.p, &format!("{tpath}.until"), v));
                if let (Some(f), Some(u), Some(v)) = (from, until, term.until.as_ref())
                    && u < f
                {
                    self.p.at(
                        format!("{tpath}.until"),
                        Some(v.span()),
                        tx(
                            format!("the term ends ({u}) before it starts ({f})"),
                            format!("mandatperioden slutar ({u}) innan den börjar ({f})"),
                        ),
                    );
                }
                terms.insert(who.get_ref().as_str(), (from, until));
            }
            for (role, key, list) in lists {
                let lpath = format!("{path}.{key}");
                let mut seen = BTreeSet::new();
                for person in list {
                    if !self.reference(&known.people, "person", &lpath, person) {
                        continue;
                    }
                    if !seen.insert(person.get_ref().as_str()) {
                        self.p.at(
                            &lpath,
                            Some(person.span()),
                            tx(
                                format!(
                                    "duplicate id: \"{}\" is listed twice as {key}",
                                    person.get_ref()
                                ),
                                format!(
                                    "dubblerat id: \"{}\" står två gånger som {}",
                                    person.get_ref(),
                                    role.swedish()
                                ),
                            ),
                        );
                        continue;
                    }
                    if role == Role::Substitute
                        && r.member.iter().any(|m| m.get_ref() == person.get_ref())
                    {
                        self.p.at(
                            &lpath,
                            Some(person.span()),
                            tx(
                                format!(
                                    "\"{}\" is listed both as member and as substitute",
                                    person.get_ref()
                                ),
                                format!(
                                    "\"{}\" står både som ledamot och som ersättare",
                                    person.get_ref()
                                ),
                            ),
                        );
                    }
                    let pid = PersonId::new(person.get_ref().as_str());
                    let substitute_for = if role == Role::Substitute {
                        r.substitute_for
                            .iter()
                            .find(|(s, _)| s.get_ref() == person.get_ref())
                            .map(|(_, m)| PersonId::new(m.get_ref().as_str()))
                    } else {
                        None
                    };
                    let party = match r
                        .represents
                        .iter()
                        .find(|(who, _)| who.get_ref() == person.get_ref())
                    {
                        Some((_, party)) => Some(PartyId::new(party.get_ref().as_str())),
                        None => people.get(&pid).and_then(|x| x.party.clone()),
                    };
                    let (from, until) = terms
                        .get(person.get_ref().as_str())
                        .copied()
                        .unwrap_or((None, None));
                    out.push(Membership {
                        party,
                        person: pid,
                        body: BodyId::new(k.get_ref().as_str()),
                        role,
                        substitute_for,
                        from,
                        until,
                    });
                }
            }
            for (who, party) in &r.represents {
                let rpath = format!("{path}.represents.{}", who.get_ref());
                let listed = lists
                    .iter()
                    .any(|(_, _, list)| list.iter().any(|x| x.get_ref() == who.get_ref()));
                if !listed {
                    self.p.at(
                        &rpath,
                        Some(who.span()),
                        tx(
                            format!(
                                "\"{}\" is not listed in any role of this body",
                                who.get_ref()
                            ),
                            format!("\"{}\" har ingen roll i detta organ", who.get_ref()),
                        ),
                    );
                }
                self.reference(&known.parties, "party", &rpath, party);
            }
            for (sub, member) in &r.substitute_for {
                let spath = format!("{path}.substitute-for.{}", sub.get_ref());
                if !r.substitute.iter().any(|x| x.get_ref() == sub.get_ref()) {
                    self.p.at(
                        &spath,
                        Some(sub.span()),
                        tx(
                            format!(
                                "\"{}\" is not listed as substitute of this body",
                                sub.get_ref()
                            ),
                            format!(
                                "\"{}\" står inte som ersättare i detta organ",
                                sub.get_ref()
                            ),
                        ),
                    );
                }
                if !r
                    .member
                    .iter()
                    .chain(r.chair.iter())
                    .any(|x| x.get_ref() == member.get_ref())
                {
                    self.p.at(
                        &spath,
                        Some(member.span()),
                        tx(
                            format!(
                                "\"{}\" is not listed as member of this body",
                                member.get_ref()
                            ),
                            format!(
                                "\"{}\" står inte som ledamot i detta organ",
                                member.get_ref()
                            ),
                        ),
                    );
                }
            }
        }
        out
    }

    fn route(
        &mut self,
        k: &S,
        r: &RawRoute,
        known: &Known,
        bodies: &BTreeMap<BodyId, Body>,
        parties: &BTreeMap<PartyId, Party>,
    ) -> Option<Route> {
        let rpath = format!("routes.{}", k.get_ref());
        let before = self.p.count();
        let mut structural = false;
        let mut steps = Vec::new();
        let mut spans: BTreeMap<String, (String, Span)> = BTreeMap::new();
        for (i, st) in r.steps.iter().enumerate() {
            let spath = format!("{rpath}.steps[{i}]");
            let raw = st.get_ref();
            check_id(
                self.p,
                &format!("{spath}.id"),
                raw.id.get_ref(),
                raw.id.span(),
            );
            if let Some((first, _)) = spans.get(raw.id.get_ref().as_str()) {
                self.p.at(
                    format!("{spath}.id"),
                    Some(raw.id.span()),
                    tx(
                        format!(
                            "duplicate id: step \"{}\" is already defined at {first}",
                            raw.id.get_ref()
                        ),
                        format!(
                            "dubblerat id: steget \"{}\" finns redan vid {first}",
                            raw.id.get_ref()
                        ),
                    ),
                );
                structural = true;
                continue;
            }
            spans.insert(raw.id.get_ref().clone(), (spath.clone(), raw.id.span()));
            let purpose = parse_name::<Purpose>(
                self.p,
                &format!("{spath}.purpose"),
                "purpose",
                &raw.purpose,
                PURPOSES,
            );
            let body = match &raw.body {
                Some(b) if self.reference(&known.bodies, "body", &format!("{spath}.body"), b) => {
                    bodies.get(b.get_ref().as_str())
                }
                _ => None,
            };
            if let Some(purpose) = purpose {
                if raw.body.is_none()
                    && matches!(
                        purpose,
                        Purpose::Information
                            | Purpose::Preparation
                            | Purpose::ReadinessCheck
                            | Purpose::Decision
                            | Purpose::Recommendation
                    )
                {
                    self.p.at(
                        format!("{spath}.body"),
                        Some(raw.purpose.span()),
                        tx(
                            format!("a {} step needs a `body`", purpose.name()),
                            format!(
                                "ett steg med syftet {} behöver ett organ (`body`)",
                                purpose.name()
                            ),
                        ),
                    );
                }
                if let (Some(body), Some(m)) = (body, purpose.required_mandate())
                    && !body.may(m)
                {
                    let holders: Vec<&str> = bodies
                        .values()
                        .filter(|b| b.may(m))
                        .map(|b| b.id.as_str())
                        .collect();
                    let span = raw.body.as_ref().map(|b| b.span());
                    self.p.at(
                        format!("{spath}.body"),
                        span,
                        tx(
                            format!(
                                "body \"{}\" lacks the mandate `{}` ({}) for a {} step; bodies that hold it: {}",
                                body.id,
                                m.name(),
                                m.swedish(),
                                purpose.name(),
                                if holders.is_empty() { "none".to_owned() } else { holders.join(", ") }
                            ),
                            format!(
                                "organet \"{}\" saknar mandatet `{}` ({}) för ett steg med syftet {}; organ som har det: {}",
                                body.id,
                                m.name(),
                                m.swedish(),
                                purpose.name(),
                                if holders.is_empty() { "inga".to_owned() } else { holders.join(", ") }
                            ),
                        ),
                    );
                }
                if purpose == Purpose::PoliticalDecision {
                    self.political_parties(&spath, st, parties, bodies);
                } else if !raw.parties.is_empty() {
                    self.p.at(
                        format!("{spath}.parties"),
                        Some(raw.parties[0].span()),
                        tx(
                            "only a political-decision step lists `parties`",
                            "bara ett steg för politiskt beslut listar `parties`",
                        ),
                    );
                }
                if purpose == Purpose::Consultation && raw.consultation.is_none() {
                    self.p.at(
                        format!("{spath}.consultation"),
                        Some(raw.purpose.span()),
                        tx(
                            "a consultation step needs `consultation = { period = \"…\" }`",
                            "ett remissteg behöver `consultation = { period = \"…\" }`",
                        ),
                    );
                }
                if purpose != Purpose::Consultation
                    && let Some(c) = &raw.consultation
                {
                    self.p.at(
                        format!("{spath}.consultation"),
                        Some(c.span()),
                        tx(
                            "only a consultation step has `consultation`",
                            "bara ett remissteg har `consultation`",
                        ),
                    );
                }
                if let Some(q) = &raw.quorum {
                    let n = u32::try_from(parties.values().filter(|x| x.signatory).count())
                        .unwrap_or(u32::MAX);
                    if purpose != Purpose::EntryIntoForce {
                        self.p.at(
                            format!("{spath}.quorum"),
                            Some(q.span()),
                            tx(
                                "only an entry-into-force step has `quorum`",
                                "bara ett steg för ikraftträdande har `quorum`",
                            ),
                        );
                    } else if *q.get_ref() == 0 || *q.get_ref() > n {
                        self.p.at(
                            format!("{spath}.quorum"),
                            Some(q.span()),
                            tx(
                                format!(
                                    "quorum {} is not between 1 and the {n} signatory parties",
                                    q.get_ref()
                                ),
                                format!(
                                    "kvorum {} ligger inte mellan 1 och de {n} undertecknande parterna",
                                    q.get_ref()
                                ),
                            ),
                        );
                    }
                }
            }
            let consultation = raw.consultation.as_ref().and_then(|c| {
                let c = c.get_ref();
                let cpath = format!("{spath}.consultation");
                for rcp in &c.recipients {
                    self.reference(&known.parties, "party", &format!("{cpath}.recipients"), rcp);
                }
                let period = parse_lead(self.p, &format!("{cpath}.period"), &c.period);
                let processing = match &c.processing {
                    Some(v) => parse_lead(self.p, &format!("{cpath}.processing"), v),
                    None => Some(LeadTime::Days(0)),
                };
                Some(ConsultationSpec {
                    recipients: c
                        .recipients
                        .iter()
                        .map(|x| PartyId::new(x.get_ref().as_str()))
                        .collect(),
                    period: period?,
                    processing: processing?,
                })
            });
            steps.push(Step {
                id: StepId::new(raw.id.get_ref().as_str()),
                name: raw.name.get_ref().clone(),
                purpose: purpose.unwrap_or(Purpose::Information),
                body: raw.body.as_ref().map(|b| BodyId::new(b.get_ref().as_str())),
                parties: raw
                    .parties
                    .iter()
                    .map(|x| PartyId::new(x.get_ref().as_str()))
                    .collect(),
                consultation,
                quorum: raw.quorum.as_ref().map(|q| *q.get_ref()),
            });
        }
        let mut edges = Vec::new();
        let mut seen_edges = BTreeSet::new();
        for (i, e) in r.edges.iter().enumerate() {
            let epath = format!("{rpath}.edges[{i}]");
            let raw = e.get_ref();
            for (key, end) in [("from", &raw.from), ("to", &raw.to)] {
                if !spans.contains_key(end.get_ref().as_str()) {
                    let msg =
                        unknown_message("step", end.get_ref(), spans.keys().map(String::as_str));
                    self.p.at(format!("{epath}.{key}"), Some(end.span()), msg);
                    structural = true;
                }
            }
            let dep = match &raw.dependency {
                Some(d) => parse_name::<Dependency>(
                    self.p,
                    &format!("{epath}.dependency"),
                    "dependency",
                    d,
                    DEPENDENCIES,
                )
                .unwrap_or_default(),
                None => Dependency::Decision,
            };
            if !seen_edges.insert((raw.from.get_ref().clone(), raw.to.get_ref().clone())) {
                self.p.at(
                    &epath,
                    Some(e.span()),
                    tx(
                        format!(
                            "duplicate edge from \"{}\" to \"{}\"",
                            raw.from.get_ref(),
                            raw.to.get_ref()
                        ),
                        format!(
                            "dubblerad kant från \"{}\" till \"{}\"",
                            raw.from.get_ref(),
                            raw.to.get_ref()
                        ),
                    ),
                );
                continue;
            }
            edges.push((
                StepId::new(raw.from.get_ref().as_str()),
                StepId::new(raw.to.get_ref().as_str()),
                dep,
            ));
        }
        if r.steps.is_empty() {
            self.p.at(
                format!("{rpath}.steps"),
                Some(k.span()),
                tx(
                    "a route needs at least one step",
                    "en beslutsväg behöver minst ett steg",
                ),
            );
            return None;
        }
        if structural {
            return None;
        }
        match Route::new(
            RouteId::new(k.get_ref().as_str()),
            r.name.get_ref().clone(),
            steps,
            edges,
        ) {
            Ok(route) => (self.p.count() == before).then_some(route),
            Err(problems) => {
                for prob in problems {
                    let (step, msg) = match &prob {
                        RouteProblem::Cycle(s) => (
                            s.clone(),
                            tx(
                                format!("the steps form a cycle through step \"{s}\""),
                                format!("stegen bildar en cirkel genom steget \"{s}\""),
                            ),
                        ),
                        RouteProblem::Unreachable(s) => (
                            s.clone(),
                            tx(
                                format!("step \"{s}\" is unreachable from the route's first step"),
                                format!(
                                    "steget \"{s}\" kan inte nås från beslutsvägens första steg"
                                ),
                            ),
                        ),
                        RouteProblem::DuplicateStep(s) => (
                            s.clone(),
                            tx(
                                format!("duplicate id: step \"{s}\""),
                                format!("dubblerat id: steget \"{s}\""),
                            ),
                        ),
                        RouteProblem::UnknownStep(s) => (
                            s.clone(),
                            tx(
                                format!("unknown step \"{s}\""),
                                format!("okänt steg \"{s}\""),
                            ),
                        ),
                        RouteProblem::NoSingleStart(_) => (
                            StepId::new(""),
                            tx(
                                "the route has no first step",
                                "beslutsvägen har inget första steg",
                            ),
                        ),
                    };
                    match spans.get(step.as_str()) {
                        Some((path, span)) => self.p.at(path, Some(span.clone()), msg),
                        None => self.p.at(&rpath, Some(k.span()), msg),
                    }
                }
                None
            }
        }
    }

    /// A political decision is taken in each deciding party's own political body: every
    /// such party must exist and have one.
    fn political_parties(
        &mut self,
        spath: &str,
        st: &Spanned<super::raw::RawStep>,
        parties: &BTreeMap<PartyId, Party>,
        bodies: &BTreeMap<BodyId, Body>,
    ) {
        let raw = st.get_ref();
        let deciding: Vec<(String, Span)> = if raw.parties.is_empty() {
            parties
                .values()
                .filter(|x| x.signatory)
                .map(|x| (x.id.to_string(), raw.purpose.span()))
                .collect()
        } else {
            raw.parties
                .iter()
                .map(|x| (x.get_ref().clone(), x.span()))
                .collect()
        };
        if deciding.is_empty() {
            self.p.at(
                format!("{spath}.parties"),
                Some(raw.purpose.span()),
                tx("a political-decision step has no party to decide: list `parties` or mark parties as signatories", "ett steg för politiskt beslut har ingen part som beslutar: lista `parties` eller markera parter som undertecknare"),
            );
        }
        for (party, span) in deciding {
            match parties.get(party.as_str()) {
                None => {
                    let msg = unknown_message("party", &party, parties.keys().map(|x| x.as_str()));
                    self.p.at(format!("{spath}.parties"), Some(span), msg);
                }
                Some(x) => match x.political_body.as_ref().and_then(|b| bodies.get(b)) {
                    None => self.p.at(
                        format!("{spath}.parties"),
                        Some(span),
                        tx(
                            format!("party \"{party}\" has no political body to take this decision"),
                            format!("parten \"{party}\" har inget politiskt organ som kan fatta beslutet"),
                        ),
                    ),
                    Some(b) if !b.may(Mandate::PoliticalDecision) => self.p.at(
                        format!("{spath}.parties"),
                        Some(span),
                        tx(
                            format!(
                                "the political body \"{}\" of party \"{party}\" lacks the mandate political-decision",
                                b.id
                            ),
                            format!(
                                "partens \"{party}\" politiska organ \"{}\" saknar mandatet political-decision",
                                b.id
                            ),
                        ),
                    ),
                    Some(_) => {}
                },
            }
        }
    }

    fn plan(
        &mut self,
        k: &S,
        plan: &RawPlan,
        known: &Known,
        bodies: &BTreeMap<BodyId, Body>,
        meetings: &mut Vec<PlannedMeeting>,
    ) {
        let key = k.get_ref().as_str();
        let path = format!("meeting-plans.{key}");
        // Which bodies meet.
        let mut members: Vec<BodyId> = Vec::new();
        match &plan.bodies {
            Some(list) => {
                if list.get_ref().len() < 2 {
                    self.p.at(
                        format!("{path}.bodies"),
                        Some(list.span()),
                        tx(
                            "a joint meeting plan names at least two bodies",
                            "en gemensam sammanträdesplan nämner minst två organ",
                        ),
                    );
                }
                for b in list.get_ref() {
                    if self.reference(&known.bodies, "body", &format!("{path}.bodies"), b) {
                        members.push(BodyId::new(b.get_ref().as_str()));
                    }
                }
            }
            None => match bodies.get(key) {
                Some(b) => {
                    members.push(b.id.clone());
                    members.extend(b.joint_of.iter().cloned());
                }
                None => {
                    let msg = unknown_message("body", key, known.bodies.iter().map(String::as_str));
                    self.p.at(
                        &path,
                        Some(k.span()),
                        tx(
                            format!("{}: a meeting plan is keyed by its body, or names `bodies = [...]` for a joint meeting", msg.en),
                            format!("{}: en sammanträdesplan har sitt organ som nyckel, eller nämner `bodies = [...]` för ett gemensamt möte", msg.sv),
                        ),
                    );
                }
            },
        }
        // Whose lead times apply.
        let lead_bodies: Vec<&Body> = match &plan.lead_times_from {
            Some(from) => {
                if members.iter().any(|m| m.as_str() == from.get_ref()) {
                    bodies.get(from.get_ref().as_str()).into_iter().collect()
                } else {
                    self.p.at(
                        format!("{path}.lead-times-from"),
                        Some(from.span()),
                        tx(
                            format!(
                                "\"{}\" is not one of the bodies of this plan",
                                from.get_ref()
                            ),
                            format!("\"{}\" är inte ett av organen i denna plan", from.get_ref()),
                        ),
                    );
                    Vec::new()
                }
            }
            None => {
                let all: Vec<&Body> = members.iter().filter_map(|m| bodies.get(m)).collect();
                match all.iter().find(|b| b.kind == BodyKind::JointSession) {
                    Some(session) => vec![*session],
                    None => all,
                }
            }
        };
        let default_window = plan
            .time
            .as_ref()
            .and_then(|t| window(self.p, &format!("{path}.time"), t));
        let default_location = plan.location.as_ref().map(|l| l.get_ref().clone());

        // The drafts, found by original date (the meeting id) and by current date in
        // O(1), so that expanding rules and applying exceptions is linear in the number
        // of meetings (a scan per meeting made a rule of 200 000 meetings take minutes).
        let mut drafts = Drafts::default();
        let add = |me: &mut Self, drafts: &mut Drafts, d: Draft| {
            if let Some(other) = drafts.by_original.get(&d.original) {
                let other = &drafts.list[*other].path;
                let msg = tx(
                    format!(
                        "duplicate id: a meeting \"{key}-{}\" is already planned by {other}",
                        d.original
                    ),
                    format!(
                        "dubblerat id: ett möte \"{key}-{}\" planeras redan av {other}",
                        d.original
                    ),
                );
                me.p.at(&d.path, Some(d.span.clone()), msg);
            } else {
                drafts.insert(d);
            }
        };
        for (i, m) in plan.meetings.iter().enumerate() {
            let mpath = format!("{path}.meetings[{i}]");
            let raw = m.get_ref();
            let date = date(self.p, &format!("{mpath}.date"), &raw.date);
            let w = match &raw.time {
                Some(t) => window(self.p, &format!("{mpath}.time"), t),
                None if default_window.is_none() && plan.time.is_none() => {
                    self.p.at(
                        format!("{mpath}.time"),
                        Some(m.span()),
                        tx(
                            "the meeting needs a `time` such as \"13:00-16:00\"",
                            "mötet behöver en tid (`time`) som \"13:00-16:00\"",
                        ),
                    );
                    None
                }
                None => default_window,
            };
            let status = match &raw.status {
                Some(s) => parse_name::<MeetingStatus>(
                    self.p,
                    &format!("{mpath}.status"),
                    "status",
                    s,
                    STATUSES,
                ),
                None => Some(MeetingStatus::Confirmed),
            };
            if let (Some(date), Some(w), Some(status)) = (date, w, status) {
                add(
                    self,
                    &mut drafts,
                    Draft {
                        original: date,
                        date,
                        window: w,
                        location: raw
                            .location
                            .as_ref()
                            .map(|l| l.get_ref().clone())
                            .or_else(|| default_location.clone()),
                        status,
                        moved_from: None,
                        sequence: 0,
                        span: raw.date.span(),
                        path: format!("{mpath}.date"),
                    },
                );
            }
        }
        // Rule dates left out because they fall on a holiday or local day off.
        let mut left_out: BTreeMap<NaiveDate, (Draft, DayOff)> = BTreeMap::new();
        for (i, r) in plan.rules.iter().enumerate() {
            let rpath = format!("{path}.rules[{i}]");
            let raw = r.get_ref();
            let recurrence = match parse_recurrence(raw.every.get_ref()) {
                Ok(x) => Some(x),
                Err(e) => {
                    self.p
                        .at(format!("{rpath}.every"), Some(raw.every.span()), e);
                    None
                }
            };
            let from = date(self.p, &format!("{rpath}.from"), &raw.from);
            let until = date(self.p, &format!("{rpath}.until"), &raw.until);
            let mut in_range = true;
            if let (Some(f), Some(u)) = (from, until) {
                if u < f {
                    in_range = false;
                    self.p.at(
                        format!("{rpath}.until"),
                        Some(raw.until.span()),
                        tx(
                            format!("the rule ends ({u}) before it starts ({f})"),
                            format!("regeln slutar ({u}) innan den börjar ({f})"),
                        ),
                    );
                } else if (u - f).num_days() > MAX_RULE_DAYS {
                    in_range = false;
                    self.p.at(
                        format!("{rpath}.until"),
                        Some(raw.until.span()),
                        tx(
                            format!(
                                "the rule runs from {f} to {u}, longer than ten years: end it within ten years of its start and add a new rule for later years"
                            ),
                            format!(
                                "regeln gäller från {f} till {u}, längre än tio år: avsluta den inom tio år från starten och lägg till en ny regel för senare år"
                            ),
                        ),
                    );
                }
            }
            let mut skip = Vec::new();
            for m in &raw.skip_months {
                if (1..=12).contains(m.get_ref()) {
                    skip.push(*m.get_ref());
                } else {
                    let m_ = m.get_ref();
                    self.p.at(
                        format!("{rpath}.skip-months"),
                        Some(m.span()),
                        tx(
                            format!("{m_} is not a month (1-12)"),
                            format!("{m_} är ingen månad (1–12)"),
                        ),
                    );
                }
            }
            let w = match &raw.time {
                Some(t) => window(self.p, &format!("{rpath}.time"), t),
                None if plan.time.is_none() => {
                    self.p.at(
                        format!("{rpath}.time"),
                        Some(raw.every.span()),
                        tx(
                            "the rule needs a `time` such as \"08:30-12:00\"",
                            "regeln behöver en tid (`time`) som \"08:30-12:00\"",
                        ),
                    );
                    None
                }
                None => default_window,
            };
            if let (Some(recurrence), Some(from), Some(until), Some(w), true) =
                (recurrence, from, until, w, in_range)
            {
                let rule = MeetingRule {
                    recurrence,
                    from,
                    until,
                    skip_months: skip,
                };
                let location = raw
                    .location
                    .as_ref()
                    .map(|l| l.get_ref().clone())
                    .or_else(|| default_location.clone());
                let rule_path = format!("{rpath}.every");
                for d in rule.dates() {
                    let draft = Draft {
                        original: d,
                        date: d,
                        window: w,
                        location: location.clone(),
                        status: MeetingStatus::Tentative,
                        moved_from: None,
                        sequence: 0,
                        span: raw.every.span(),
                        path: rule_path.clone(),
                    };
                    // A rule never plans a meeting on a public holiday or a local day
                    // off; a meeting written out in `meetings` may fall on one, and a
                    // move or cancellation of the left-out date still applies to it.
                    if let Some(off) = self.calendar.closed(d) {
                        if !drafts.by_original.contains_key(&d) {
                            left_out.entry(d).or_insert((draft, off));
                        }
                        continue;
                    }
                    add(self, &mut drafts, draft);
                }
            }
        }
        // Exceptions, in the order written: moves, changed times, cancellations.
        let not_planned = |d: NaiveDate| {
            tx(
                format!("no meeting is planned on {d} in this plan"),
                format!("inget möte är planerat den {d} i denna plan"),
            )
        };
        for (i, mv) in plan.moved.iter().enumerate() {
            let mpath = format!("{path}.moved[{i}]");
            let raw = mv.get_ref();
            let from = date(self.p, &format!("{mpath}.from"), &raw.from);
            let to = date(self.p, &format!("{mpath}.to"), &raw.to);
            let w = raw
                .time
                .as_ref()
                .and_then(|t| window(self.p, &format!("{mpath}.time"), t));
            let (Some(from), Some(to)) = (from, to) else {
                continue;
            };
            if drafts
                .by_date
                .get(&to)
                .is_some_and(|&j| drafts.list[j].original != from)
            {
                self.p.at(
                    format!("{mpath}.to"),
                    Some(raw.to.span()),
                    tx(
                        format!("a meeting is already planned on {to}"),
                        format!("ett möte är redan planerat den {to}"),
                    ),
                );
                continue;
            }
            if !drafts.by_original.contains_key(&from)
                && let Some((draft, _)) = left_out.remove(&from)
            {
                drafts.insert(draft);
            }
            match drafts.by_original.get(&from).copied() {
                Some(j) => {
                    drafts.move_to(j, to);
                    let d = &mut drafts.list[j];
                    d.moved_from = Some(from);
                    d.sequence += 1;
                    if let Some(w) = w {
                        d.window = w;
                    }
                    if let Some(l) = &raw.location {
                        d.location = Some(l.get_ref().clone());
                    }
                }
                None => self.p.at(
                    format!("{mpath}.from"),
                    Some(raw.from.span()),
                    not_planned(from),
                ),
            }
        }
        for (i, ch) in plan.changed.iter().enumerate() {
            let cpath = format!("{path}.changed[{i}]");
            let raw = ch.get_ref();
            let day = date(self.p, &format!("{cpath}.date"), &raw.date);
            let w = raw
                .time
                .as_ref()
                .and_then(|t| window(self.p, &format!("{cpath}.time"), t));
            if raw.time.is_none() && raw.location.is_none() {
                self.p.at(
                    &cpath,
                    Some(ch.span()),
                    tx(
                        "a change needs a new `time` or `location`",
                        "en ändring behöver en ny tid (`time`) eller plats (`location`)",
                    ),
                );
            }
            let Some(day) = day else { continue };
            match drafts.on(day) {
                Some(j) => {
                    let d = &mut drafts.list[j];
                    d.sequence += 1;
                    if let Some(w) = w {
                        d.window = w;
                    }
                    if let Some(l) = &raw.location {
                        d.location = Some(l.get_ref().clone());
                    }
                }
                None => self.p.at(
                    format!("{cpath}.date"),
                    Some(raw.date.span()),
                    not_planned(day),
                ),
            }
        }
        for (i, c) in plan.cancelled.iter().enumerate() {
            let cpath = format!("{path}.cancelled[{i}]");
            let Some(day) = date(self.p, &cpath, c) else {
                continue;
            };
            match drafts.on(day) {
                Some(j) => {
                    drafts.list[j].status = MeetingStatus::Cancelled;
                    drafts.list[j].sequence += 1;
                }
                // A rule date left out for a holiday needs no cancelling.
                None if left_out.remove(&day).is_some() => {}
                None => self.p.at(&cpath, Some(c.span()), not_planned(day)),
            }
        }
        for (day, (draft, off)) in left_out {
            self.p.warn(
                &draft.path,
                Some(draft.span),
                tx(
                    format!(
                        "the rule's meeting on {day} is left out: the day is {}; list it in `meetings` to hold it anyway",
                        off.english()
                    ),
                    format!(
                        "regelns möte den {day} utelämnas: dagen är {}; skriv det i `meetings` för att ändå hålla det",
                        off.swedish()
                    ),
                ),
            );
        }
        for d in drafts.list {
            let local = d.date.and_time(d.window.start);
            if Stockholm.from_local_datetime(&local).earliest().is_none() {
                self.p.at(
                    &d.path,
                    Some(d.span.clone()),
                    tx(
                        format!(
                            "{local} does not exist in Europe/Stockholm (the clocks go forward)"
                        ),
                        format!("{local} finns inte i Europe/Stockholm (klockan ställs fram)"),
                    ),
                );
            }
            // Dates and lead times are bounded, so these stay inside the calendar; were
            // they not, the meeting is reported rather than a date made up.
            // Call and notice dates that fall on a weekend, holiday or local day off
            // move to the working day before.
            let calendar = &self.calendar;
            let lead = |pick: fn(&LeadTimes) -> LeadTime| {
                lead_bodies
                    .iter()
                    .map(|b| calendar.lead_before(pick(&b.lead_times), d.date))
                    .try_fold(d.date, |min, x| x.map(|x| min.min(x)))
                    .and_then(|x| calendar.on_or_before(x))
            };
            let (Some(call_for_matters), Some(notice)) =
                (lead(|l| l.call_for_matters), lead(|l| l.notice))
            else {
                self.p.at(
                    &d.path,
                    Some(d.span.clone()),
                    tx(
                        format!("the call for matters or notice of the meeting on {} falls outside the calendar", d.date),
                        format!("inhämtning eller kallelse till mötet den {} hamnar utanför kalendern", d.date),
                    ),
                );
                continue;
            };
            meetings.push(PlannedMeeting {
                id: MeetingId::new(format!("{key}-{}", d.original)),
                bodies: members.clone(),
                date: d.date,
                start: d.window.start,
                end: d.window.end,
                location: d.location,
                status: d.status,
                moved_from: d.moved_from,
                sequence: d.sequence,
                call_for_matters,
                notice,
            });
        }
    }
}
