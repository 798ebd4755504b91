//! Rendering: a notification read from the outbox becomes an [`Outgoing`] message, with
//! one [`Rendering`] per language its recipients read, each made from the
//! [`Templates`] with the facts of the notification.

use std::collections::BTreeMap;

use arende_core::ids::{BodyId, PartyId, PersonId, RouteId, TenantId};
use arende_core::notification::{
    AdjustedBy, AgendaKind, AssignedTo, Change, DropCause, DueStep, FinalOutcome, Language,
    MeetingChange, MeetingRef, Notification, NotificationKind, Recipient, detail,
};
use arende_core::org::{MinutesKind, Organisation};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Europe::Stockholm;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::template::{Context, Templates, Value};

/// A message ready for the transports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    /// The outbox message id: the idempotency key in every transport.
    pub id: Uuid,
    /// The organisation.
    pub tenant: TenantId,
    /// The outbox kind, e.g. `notice`.
    pub kind: String,
    /// Which delivery attempt this is (1 for the first).
    pub attempt: u32,
    /// When the dispatcher handed it over (from the injected clock).
    pub at: DateTime<Utc>,
    /// The notification.
    pub notification: Notification,
    /// The renderings; the first is in the default language.
    pub renderings: Vec<Rendering>,
}

/// The message in one language, for the recipients who read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendering {
    /// The language.
    pub language: Language,
    /// The recipients who get this rendering (may be empty for the default one).
    pub recipients: Vec<Recipient>,
    /// Subject line.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML.
    pub html: String,
}

/// The JSON body sent by the webhook and NATS transports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireMessage {
    /// The idempotency key (the outbox message id).
    pub id: Uuid,
    /// The organisation.
    pub tenant: TenantId,
    /// The kind, e.g. `notice`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The default language.
    pub language: Language,
    /// The subject in the default language.
    pub subject: String,
    /// The text in the default language.
    pub text: String,
    /// The notification's facts.
    pub notification: Notification,
}

impl Outgoing {
    /// The rendering in the default language.
    pub fn primary(&self) -> Option<&Rendering> {
        self.renderings.first()
    }

    /// The JSON body for machine transports (webhook, NATS). It is the same bytes for
    /// every attempt, so a receiver may compare bodies as well as keys.
    pub fn wire_json(&self) -> Vec<u8> {
        let primary = self.primary();
        let wire = WireMessage {
            id: self.id,
            tenant: self.tenant.clone(),
            kind: self.kind.clone(),
            language: primary.map(|r| r.language).unwrap_or_default(),
            subject: primary.map(|r| r.subject.clone()).unwrap_or_default(),
            text: primary.map(|r| r.text.clone()).unwrap_or_default(),
            notification: self.notification.clone(),
        };
        // Our own types serialise to JSON without failure (string keys only).
        serde_json::to_vec(&wire).unwrap_or_default()
    }
}

/// Which language each recipient reads: the language the fact gives them (from the
/// person's `language` in the configuration), unless an override names them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguagePolicy {
    /// The language of the first rendering, made even when nobody reads it (the
    /// subject and text that machine transports carry). Swedish unless set.
    pub default: Language,
    /// Per person id or e-mail address (lower case), over the fact's language.
    pub overrides: BTreeMap<String, Language>,
}

impl LanguagePolicy {
    /// The language of a recipient.
    pub fn of(&self, r: &Recipient) -> Language {
        if self.overrides.is_empty() {
            return r.language;
        }
        r.person
            .as_ref()
            .and_then(|p| self.overrides.get(p.as_str()))
            .or_else(|| {
                r.email
                    .as_ref()
                    .and_then(|e| self.overrides.get(&e.to_lowercase()))
            })
            .copied()
            .unwrap_or(r.language)
    }
}

/// A notification that cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// No template for the kind (in the language or in Swedish).
    #[error("no template for {kind} in {language}")]
    NoTemplate {
        /// The kind.
        kind: String,
        /// The language.
        language: Language,
    },
    /// No phrase for a key (in the language or in Swedish).
    #[error("no phrase {key} in {language}")]
    NoPhrase {
        /// The phrase's key.
        key: &'static str,
        /// The language.
        language: Language,
    },
}

const MONTHS_SV: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS_SV: [&str; 7] = [
    "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag",
];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A date written out, e.g. `15 oktober 2024` / `15 October 2024`.
pub fn format_date(date: NaiveDate, language: Language) -> String {
    let months = match language {
        Language::Swedish => &MONTHS_SV,
        Language::English => &MONTHS_EN,
    };
    format!(
        "{} {} {}",
        date.day(),
        months[date.month0() as usize],
        date.year()
    )
}

/// The weekday, e.g. `tisdag` / `Tuesday`.
pub fn format_weekday(date: NaiveDate, language: Language) -> &'static str {
    let i = date.weekday().num_days_from_monday() as usize;
    match language {
        Language::Swedish => WEEKDAYS_SV[i],
        Language::English => WEEKDAYS_EN[i],
    }
}

/// Agenda lines as (number, text): a line that starts with its number (`3. Title`, as
/// the engine wrote them before the facts) keeps it; others are numbered in order.
pub fn agenda_items(lines: &[String]) -> Vec<(u32, String)> {
    let parsed: Vec<Option<(u32, String)>> = lines
        .iter()
        .map(|l| {
            let (num, rest) = l.split_once(". ")?;
            let n: u32 = num.trim().parse().ok()?;
            Some((n, rest.to_owned()))
        })
        .collect();
    if parsed.iter().all(Option::is_some) {
        parsed.into_iter().flatten().collect()
    } else {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| (i as u32 + 1, l.clone()))
            .collect()
    }
}

/// Names things by the organisation when the dispatcher knows it, else by their ids.
struct Names<'a> {
    org: Option<&'a Organisation>,
}

impl Names<'_> {
    fn body(&self, b: &BodyId) -> String {
        self.org
            .and_then(|o| o.body(b))
            .map_or_else(|| b.to_string(), |x| x.name.clone())
    }
    fn bodies(&self, bs: &[BodyId]) -> String {
        bs.iter()
            .map(|b| self.body(b))
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn person(&self, p: &PersonId, recipients: &[Recipient]) -> String {
        self.org
            .and_then(|o| o.person(p))
            .map(|x| x.name.clone())
            .or_else(|| {
                recipients
                    .iter()
                    .find(|r| r.person.as_ref() == Some(p))
                    .map(|r| r.name.clone())
            })
            .unwrap_or_else(|| p.to_string())
    }
    fn party(&self, p: &PartyId) -> String {
        self.org
            .and_then(|o| o.party(p))
            .map_or_else(|| p.to_string(), |x| x.name.clone())
    }
    fn route(&self, r: &RouteId) -> String {
        self.org
            .and_then(|o| o.route(r))
            .map_or_else(|| r.to_string(), |x| x.name().to_owned())
    }
}

/// Renders phrases in one language.
struct Phrases<'a> {
    templates: &'a Templates,
    language: Language,
}

impl Phrases<'_> {
    fn render(&self, key: &'static str, ctx: &Context) -> Result<String, RenderError> {
        self.templates
            .phrase(key, self.language)
            .map(|t| t.render_inline(ctx))
            .ok_or(RenderError::NoPhrase {
                key,
                language: self.language,
            })
    }
}

fn put(c: &mut Context, k: &str, v: String) {
    if !v.trim().is_empty() {
        c.insert(k.to_owned(), Value::Text(v));
    }
}

fn flag(c: &mut Context, k: &str, on: bool) {
    if on {
        c.insert(k.to_owned(), Value::Flag);
    }
}

/// The time of a meeting (`10.00–12.00` / `10:00–12:00`), its day and weekday.
fn meeting_values(c: &mut Context, prefix: &str, m: &MeetingRef, language: Language) {
    let start = m.start.with_timezone(&Stockholm);
    let end = m.end.with_timezone(&Stockholm);
    let day = start.date_naive();
    put(c, &format!("{prefix}date"), format_date(day, language));
    put(
        c,
        &format!("{prefix}weekday"),
        format_weekday(day, language).to_owned(),
    );
    let fmt = match language {
        Language::Swedish => "%H.%M",
        Language::English => "%H:%M",
    };
    put(
        c,
        &format!("{prefix}time"),
        format!("{}–{}", start.format(fmt), end.format(fmt)),
    );
    put(
        c,
        &format!("{prefix}location"),
        m.location.clone().unwrap_or_default(),
    );
}

/// The phrase of one change, with the values it names.
fn change_phrase(
    change: &Change,
    base: &Context,
    names: &Names<'_>,
    language: Language,
) -> (&'static str, Context) {
    let mut c = base.clone();
    let date = |d: &NaiveDate| format_date(*d, language);
    let key = match change {
        Change::Submitted { body } => {
            put(&mut c, "body", names.body(body));
            "submitted"
        }
        Change::ScreenedAsInformation { body } => {
            put(&mut c, "body", names.body(body));
            "screened-as-information"
        }
        Change::AcceptedForHandling { body, route } => {
            put(&mut c, "body", names.body(body));
            put(&mut c, "route", names.route(route));
            "accepted-for-handling"
        }
        Change::Redirected { to, reason } => {
            put(&mut c, "to", names.body(to));
            put(&mut c, "text", reason.clone());
            "redirected"
        }
        Change::AnsweredDirectly { body, answer } => {
            put(&mut c, "body", names.body(body));
            put(&mut c, "text", answer.clone());
            "answered-directly"
        }
        Change::Scheduled { body, on, .. } => {
            put(&mut c, "body", names.body(body));
            c.remove("on");
            if let Some(d) = on {
                put(&mut c, "on", date(d));
            }
            "scheduled"
        }
        Change::Presented { body, next } => {
            put(&mut c, "body", names.body(body));
            put(&mut c, "next", names.bodies(next));
            "presented"
        }
        Change::Prepared { body, next } => {
            put(&mut c, "body", names.body(body));
            put(&mut c, "next", names.bodies(next));
            "prepared"
        }
        Change::RemissSent { body, deadline } => {
            put(&mut c, "body", names.body(body));
            put(&mut c, "on", date(deadline));
            "remiss-sent"
        }
        Change::ResponsesWorkedIn {
            body,
            comments,
            next,
        } => {
            put(&mut c, "body", names.body(body));
            put(&mut c, "count", comments.to_string());
            put(&mut c, "next", names.bodies(next));
            "responses-worked-in"
        }
        Change::DirectionDecided { body, direction } => {
            put(&mut c, "body", names.body(body));
            put(&mut c, "text", direction.clone());
            "direction-decided"
        }
        Change::Recommended {
            body,
            to,
            recommendation,
        } => {
            put(&mut c, "body", names.body(body));
            put(&mut c, "to", names.bodies(to));
            put(&mut c, "text", recommendation.clone());
            "recommended"
        }
        Change::ReadinessChecked { body, ready, next } => {
            put(&mut c, "body", names.body(body));
            put(&mut c, "next", names.bodies(next));
            if *ready { "ready" } else { "not-ready" }
        }
        Change::Decided {
            body,
            approved,
            clauses,
            next,
        } => {
            put(&mut c, "body", names.body(body));
            put(&mut c, "clauses", clauses.join("; "));
            put(&mut c, "next", names.bodies(next));
            if *approved { "decided" } else { "rejected" }
        }
        Change::ForwardedToPolitical { body, next } => {
            put(&mut c, "body", names.body(body));
            put(&mut c, "next", names.bodies(next));
            "forwarded-to-political"
        }
        Change::ReferredBack {
            body,
            to,
            step,
            instructions,
        } => {
            put(&mut c, "body", names.body(body));
            put(
                &mut c,
                "step",
                to.as_ref()
                    .map_or_else(|| step.to_string(), |b| names.body(b)),
            );
            put(&mut c, "text", instructions.clone());
            "referred-back"
        }
        Change::Tabled { body, on, .. } => {
            put(&mut c, "body", names.body(body));
            c.remove("on");
            if let Some(d) = on {
                put(&mut c, "on", date(d));
            }
            "tabled"
        }
        Change::Dropped {
            body, reason, on, ..
        } => {
            put(&mut c, "body", names.body(body));
            c.remove("text");
            c.remove("on");
            if let Some(d) = on {
                put(&mut c, "on", date(d));
            }
            match reason {
                Some(DropCause::Other(t)) => put(&mut c, "text", t.clone()),
                Some(DropCause::LackOfTime) => {
                    c.insert("text".into(), Value::Text(String::new()));
                    c.insert("reason_lack_of_time".into(), Value::Flag);
                }
                None => {}
            }
            "dropped"
        }
        Change::Withdrawn { reason } => {
            c.remove("text");
            put(&mut c, "text", reason.clone().unwrap_or_default());
            "withdrawn"
        }
        Change::Filed { body } => {
            put(&mut c, "body", names.body(body));
            "filed"
        }
        Change::Escalated { route, reason } => {
            put(&mut c, "route", names.route(route));
            put(&mut c, "text", reason.clone());
            "escalated"
        }
        Change::PoliticalDecision { party, adopted, on } => {
            put(&mut c, "party", names.party(party));
            put(&mut c, "on", date(on));
            if *adopted {
                "party-adopted"
            } else {
                "party-rejected"
            }
        }
        Change::Concluded { outcome } => match outcome {
            FinalOutcome::DecidedWithinMandate => "concluded-decided-within-mandate",
            FinalOutcome::Adopted => "concluded-adopted",
            FinalOutcome::PartiallyAdopted => "concluded-partially-adopted",
            FinalOutcome::Rejected => "concluded-rejected",
        },
        Change::EnteredIntoForce { on } => {
            put(&mut c, "on", date(on));
            "entered-into-force"
        }
        Change::FollowedUp { note } => {
            put(&mut c, "text", note.clone());
            "followed-up"
        }
        Change::Revised => "revised",
        Change::Extended { until } => {
            put(&mut c, "on", date(until));
            "extended"
        }
        Change::AssignmentReported { issuer, report, on } => {
            put(&mut c, "body", names.body(issuer));
            put(&mut c, "text", report.clone());
            put(&mut c, "on", date(on));
            "assignment-reported"
        }
    };
    (key, c)
}

/// The template context of a notification in a language: every fact as a value, and
/// `summary`, what happened, from the phrases (for a row written before the facts, its
/// own prose). With the organisation, ids are shown by their names.
pub fn context(
    templates: &Templates,
    n: &Notification,
    id: Uuid,
    language: Language,
    org: Option<&Organisation>,
) -> Result<Context, RenderError> {
    let names = Names { org };
    let phrases = Phrases {
        templates,
        language,
    };
    let mut c = Context::new();
    put(&mut c, "id", id.to_string());
    put(&mut c, "tenant", n.tenant.to_string());
    put(&mut c, "kind", n.kind.name().to_owned());
    let body = n
        .meeting
        .as_ref()
        .map(|m| m.body_name.clone())
        .or_else(|| n.details.get("body_name").cloned())
        .or_else(|| n.body.as_ref().map(|b| names.body(b)))
        .unwrap_or_default();
    put(&mut c, "body", body);
    if let Some(m) = &n.meeting {
        meeting_values(&mut c, "meeting_", m, language);
        // `location` is the meeting's place.
        if let Some(l) = c.remove("meeting_location") {
            c.insert("location".into(), l);
        }
    }
    if let Some(m) = &n.next_meeting {
        meeting_values(&mut c, "next_meeting_", m, language);
    }
    put(&mut c, "date", format_date(n.date, language));
    if let Some(d) = n.deadline {
        put(&mut c, "deadline", format_date(d, language));
    }
    if let Some(d) = n.submit_by {
        put(&mut c, "submit_by", format_date(d, language));
    }
    if let Some(d) = n.documents_by {
        put(&mut c, "documents_by", format_date(d, language));
    }
    put(
        &mut c,
        "matter_title",
        n.matter_title.clone().unwrap_or_default(),
    );
    if let Some(p) = &n.paragraph {
        put(&mut c, "paragraph", p.number.to_string());
    }
    put(&mut c, "expected", n.expected.clone().unwrap_or_default());
    put(
        &mut c,
        "assignment_title",
        n.assignment_title.clone().unwrap_or_default(),
    );
    put(
        &mut c,
        "working_group",
        n.working_group.clone().unwrap_or_default(),
    );
    if let Some(a) = &n.assigned_to {
        let who = match a {
            AssignedTo::Person(p) => names.person(p, &n.recipients),
            AssignedTo::Body(b) => names.body(b),
            AssignedTo::WorkingGroup(g) => g.clone(),
        };
        put(&mut c, "assignee", who);
    }
    put(&mut c, "receivers", n.receivers.join(", "));
    put(&mut c, "edition", n.edition.clone().unwrap_or_default());
    if let Some(p) = &n.party {
        put(&mut c, "party", names.party(p));
    }
    let recipients = n
        .recipients
        .iter()
        .map(|r| r.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    put(&mut c, "recipients", recipients);
    // Flags for sections.
    flag(&mut c, "revised", n.revised);
    flag(&mut c, "meeting_change", n.meeting_change.is_some());
    flag(
        &mut c,
        "cancelled",
        matches!(n.meeting_change, Some(MeetingChange::Cancelled)),
    );
    if let Some(MeetingChange::Moved { previous }) = &n.meeting_change {
        c.insert("moved".into(), Value::Flag);
        meeting_values(&mut c, "previous_", previous, language);
    }
    flag(
        &mut c,
        "protocol",
        n.minutes_kind == Some(MinutesKind::Protocol),
    );
    if let Some(a) = &n.adjusted {
        put(&mut c, "adjusted_on", format_date(a.on, language));
        let by = match &a.by {
            AdjustedBy::Email => phrases.render("adjusted-email", &c)?,
            AdjustedBy::AtMeeting => phrases.render("adjusted-at-meeting", &c)?,
            AdjustedBy::Signature => phrases.render("adjusted-signature", &c)?,
            AdjustedBy::ElectronicSignature => {
                phrases.render("adjusted-electronic-signature", &c)?
            }
            AdjustedBy::Other(o) => o.clone(),
        };
        put(&mut c, "adjusted_by", by);
    }
    if let Some(d) = &n.declined {
        put(&mut c, "declined_on", format_date(d.on, language));
        put(&mut c, "declined_by", names.person(&d.by, &n.recipients));
        put(&mut c, "comments", d.comments.clone());
        put(&mut c, "round", d.round.to_string());
    }
    for (k, v) in &n.details {
        put(&mut c, &format!("details.{k}"), v.clone());
    }
    for key in [detail::ORGANIZER_EMAIL, detail::ORGANIZER_NAME, "reply_to"] {
        if let Some(v) = n.details.get(key) {
            put(&mut c, key, v.clone());
        }
    }
    // The agenda: each item through the `agenda-item` phrase.
    if !n.agenda.is_empty() {
        let mut items = Vec::with_capacity(n.agenda.len());
        for (i, e) in n.agenda.iter().enumerate() {
            let number = if e.number == 0 {
                i as u32 + 1
            } else {
                e.number
            };
            let line = match e.kind {
                None => e.title.clone(),
                Some(kind) => {
                    let mut ic = Context::new();
                    put(&mut ic, "title", e.title.clone());
                    let word = match kind {
                        AgendaKind::Information => "agenda-information",
                        AgendaKind::Discussion => "agenda-discussion",
                        AgendaKind::Decision => "agenda-decision",
                    };
                    let kind_word = phrases.render(word, &ic)?;
                    put(&mut ic, "agenda_kind", kind_word);
                    if let Some(t) = e.time_box {
                        put(&mut ic, "time_box", t.to_string());
                    }
                    phrases.render("agenda-item", &ic)?
                }
            };
            items.push((number, line));
        }
        c.insert("agenda".into(), Value::Numbered(items));
    }
    if !n.documents.is_empty() {
        let docs = n
            .documents
            .iter()
            .map(|d| match &d.reference {
                Some(r) => format!("{} ({r})", d.title),
                None => d.title.clone(),
            })
            .collect();
        c.insert("documents".into(), Value::Bulleted(docs));
    }
    if !n.substitutes.is_empty() {
        let mut subs = Vec::with_capacity(n.substitutes.len());
        for s in &n.substitutes {
            let mut sc = Context::new();
            put(
                &mut sc,
                "substitute",
                names.person(&s.substitute, &n.recipients),
            );
            put(&mut sc, "member", names.person(&s.member, &n.recipients));
            subs.push(phrases.render("substitute", &sc)?);
        }
        c.insert("substitutes".into(), Value::Bulleted(subs));
    }
    // What happened.
    let summary = match &n.legacy {
        Some(l) => match language {
            Language::Swedish => l.summary_sv.clone(),
            Language::English => l.summary_en.clone(),
        },
        None if n.kind == NotificationKind::Feedback => {
            let mut parts = Vec::with_capacity(n.changes.len());
            for change in &n.changes {
                let (key, mut cc) = change_phrase(change, &c, &names, language);
                if cc.remove("reason_lack_of_time").is_some() {
                    let why = phrases.render("lack-of-time", &cc)?;
                    put(&mut cc, "text", why);
                }
                parts.push(phrases.render(key, &cc)?);
            }
            parts.join(" ")
        }
        None => {
            let key = match n.kind {
                NotificationKind::CallForMatters => "summary-call-for-matters",
                NotificationKind::Notice => "summary-notice",
                NotificationKind::MinutesDistributed => "summary-minutes-distributed",
                NotificationKind::RemissSent => "summary-remiss-sent",
                NotificationKind::RemissReminder => "summary-remiss-reminder",
                NotificationKind::AssignmentGiven if n.assignment_title.is_none() => {
                    "summary-working-group-formed"
                }
                NotificationKind::AssignmentGiven => "summary-assignment-given",
                NotificationKind::AssignmentDue => "summary-assignment-due",
                NotificationKind::DateDue => match n.due_step {
                    Some(DueStep::Adjustment) => "summary-date-due-adjustment",
                    Some(DueStep::Announcement) => "summary-date-due-announcement",
                    Some(DueStep::ValidUntil) => "summary-date-due-valid-until",
                    Some(DueStep::FollowUp) | None => "summary-date-due-follow-up",
                },
                NotificationKind::MinutesDeclined => "summary-minutes-declined",
                NotificationKind::Feedback => "submitted",
            };
            phrases.render(key, &c)?
        }
    };
    put(&mut c, "summary", summary);
    Ok(c)
}

/// What happened, in one language: the `summary` a notification's templates show
/// (the changes of a feedback, the summary phrase of the other kinds, a schema-1 row's
/// own prose). For reports and logs that want one line per fact.
pub fn summary(
    templates: &Templates,
    n: &Notification,
    language: Language,
    org: Option<&Organisation>,
) -> Result<String, RenderError> {
    let mut c = context(templates, n, Uuid::nil(), language, org)?;
    Ok(match c.remove("summary") {
        Some(Value::Text(t)) => t,
        _ => String::new(),
    })
}

/// Renders a notification for its recipients: one rendering per language they read,
/// the default language first (always present, even with no recipients).
pub fn render(
    templates: &Templates,
    policy: &LanguagePolicy,
    n: &Notification,
    id: Uuid,
    org: Option<&Organisation>,
) -> Result<Vec<Rendering>, RenderError> {
    let mut groups: BTreeMap<Language, Vec<Recipient>> = BTreeMap::new();
    groups.insert(policy.default, Vec::new());
    for r in &n.recipients {
        groups.entry(policy.of(r)).or_default().push(r.clone());
    }
    let mut out = Vec::new();
    // Default first, then the others in a fixed order.
    let mut order: Vec<Language> = vec![policy.default];
    order.extend(groups.keys().copied().filter(|l| *l != policy.default));
    for lang in order {
        let recipients = groups.remove(&lang).unwrap_or_default();
        let t = templates
            .get(n.kind, lang)
            .ok_or_else(|| RenderError::NoTemplate {
                kind: n.kind.name().to_owned(),
                language: lang,
            })?;
        let r = t.render(&context(templates, n, id, lang, org)?);
        out.push(Rendering {
            language: lang,
            recipients,
            subject: r.subject,
            text: r.text,
            html: r.html,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arende_core::ids::{AssignmentId, MatterId, MeetingId, StepId};
    use arende_core::notification::{
        Adjusted, AgendaEntry, NoticeDocument, Paragraph, RecipientReason, Substitution,
    };

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn person(id: &str, name: &str, language: Language) -> Recipient {
        Recipient {
            person: Some(PersonId::new(id)),
            name: name.into(),
            email: Some(format!("{id}@example.se")),
            reason: RecipientReason::Member,
            language,
        }
    }

    fn meeting(day: NaiveDate) -> MeetingRef {
        MeetingRef {
            id: MeetingId::new("sbu-2024-10-15"),
            body_name: "Samverkansgrupp barn och unga".into(),
            start: arende_core::clock::stockholm_instant(day, 10, 0),
            end: arende_core::clock::stockholm_instant(day, 12, 0),
            location: Some("Hjortkvarn, Eklundavägen 1".into()),
            sequence: 0,
        }
    }

    fn notice() -> Notification {
        let mut n = Notification::new(
            NotificationKind::Notice,
            TenantId::new("orebro"),
            d(2024, 10, 1),
        );
        n.meeting = Some(meeting(d(2024, 10, 15)));
        n.agenda = vec![
            AgendaEntry {
                number: 1,
                title: "Välkommen".into(),
                matter: None,
                kind: Some(AgendaKind::Information),
                time_box: None,
            },
            AgendaEntry {
                number: 2,
                title: "Förslag till överenskommelse om familjecentraler".into(),
                matter: Some(MatterId(Uuid::nil())),
                kind: Some(AgendaKind::Decision),
                time_box: Some(30),
            },
        ];
        n.expected = Some("Läs utkastet före mötet".into());
        n.add_recipient(person("ingmar", "Ingmar Ångman", Language::Swedish));
        n.add_recipient(person("tarja", "Tarja Nordling", Language::Swedish));
        n
    }

    fn one(n: &Notification, language: Language) -> Rendering {
        let policy = LanguagePolicy {
            default: language,
            overrides: BTreeMap::new(),
        };
        let mut n = n.clone();
        for r in &mut n.recipients {
            r.language = language;
        }
        let r = render(&Templates::builtin(), &policy, &n, Uuid::nil(), None).unwrap();
        assert_eq!(r.len(), 1);
        r.into_iter().next().unwrap()
    }

    #[test]
    fn a_notice_renders_in_swedish_with_dates_times_agenda_and_expectations() {
        let r = render(
            &Templates::builtin(),
            &LanguagePolicy::default(),
            &notice(),
            Uuid::nil(),
            None,
        )
        .unwrap();
        assert_eq!(r.len(), 1);
        let sv = &r[0];
        assert_eq!(sv.language, Language::Swedish);
        assert_eq!(
            sv.subject,
            "Kallelse: Samverkansgrupp barn och unga 15 oktober 2024"
        );
        assert!(
            sv.text
                .contains("Tid: tisdag 15 oktober 2024 kl. 10.00–12.00"),
            "{}",
            sv.text
        );
        assert!(sv.text.contains("Plats: Hjortkvarn, Eklundavägen 1"));
        assert!(
            sv.text.contains(
                "Dagordning:\n1. Välkommen (för information)\n2. Förslag till överenskommelse om familjecentraler (för beslut, 30 min)"
            ),
            "{}",
            sv.text
        );
        assert!(
            sv.text
                .contains("Förväntan på deltagarna: Läs utkastet före mötet")
        );
        assert!(sv.text.contains("Kallade: Ingmar Ångman, Tarja Nordling"));
        assert!(!sv.text.contains("Handlingar"), "no documents, no heading");
        assert!(sv.text.contains(&Uuid::nil().to_string()));
        assert!(
            sv.html
                .contains("<ol><li value=\"1\">Välkommen (för information)</li>")
        );
        assert_eq!(sv.recipients.len(), 2);
    }

    #[test]
    fn recipients_in_mixed_languages_each_get_their_own() {
        let mut n = notice();
        n.recipients[1].language = Language::English;
        n.add_recipient(Recipient::by_address(
            "Länsdel norr".into(),
            Some("norr@example.se".into()),
            RecipientReason::Follower,
        ));
        let r = render(
            &Templates::builtin(),
            &LanguagePolicy::default(),
            &n,
            Uuid::nil(),
            None,
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].language, Language::Swedish);
        let sv: Vec<&str> = r[0].recipients.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(sv, ["Ingmar Ångman", "Länsdel norr"]);
        assert!(r[0].subject.starts_with("Kallelse:"), "{}", r[0].subject);
        assert_eq!(r[1].language, Language::English);
        assert_eq!(r[1].recipients.len(), 1);
        assert_eq!(r[1].recipients[0].name, "Tarja Nordling");
        assert!(
            r[1].text
                .contains("Time: Tuesday 15 October 2024 at 10:00–12:00"),
            "{}",
            r[1].text
        );
        assert!(r[1].text.contains(
            "2. Förslag till överenskommelse om familjecentraler (for decision, 30 min)"
        ));
        // An override still wins over the fact's language.
        let mut policy = LanguagePolicy::default();
        policy
            .overrides
            .insert("tarja@example.se".into(), Language::Swedish);
        let r = render(&Templates::builtin(), &policy, &n, Uuid::nil(), None).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].recipients.len(), 3);
    }

    fn declined_fact() -> arende_core::notification::AdjustmentDeclined {
        arende_core::notification::AdjustmentDeclined {
            by: PersonId::new("tarja"),
            on: d(2024, 10, 18),
            comments: "§ 4: beslutet ska ange att överenskommelsen gäller från 1 januari.".into(),
            round: 1,
        }
    }

    #[test]
    fn minutes_sent_back_tell_the_secretary_who_declined_and_why() {
        let mut n = Notification::new(
            NotificationKind::MinutesDeclined,
            TenantId::new("orebro"),
            d(2024, 10, 18),
        );
        n.add_recipient(person("ingmar", "Ingmar Ångman", Language::Swedish));
        n.add_recipient(person("tarja", "Tarja Nordling", Language::English));
        n.meeting = Some(meeting(d(2024, 10, 15)));
        n.minutes_kind = Some(MinutesKind::Protocol);
        n.declined = Some(declined_fact());
        let r = render(
            &Templates::builtin(),
            &LanguagePolicy::default(),
            &n,
            Uuid::nil(),
            None,
        )
        .unwrap();
        let sv = &r[0];
        assert!(
            sv.subject.starts_with("Justeringen nekad"),
            "{}",
            sv.subject
        );
        assert!(sv.text.contains("Tarja Nordling har"), "{}", sv.text);
        assert!(
            sv.text.contains("avböjt att justera protokollet"),
            "{}",
            sv.text
        );
        assert!(sv.text.contains("§ 4: beslutet ska ange"), "{}", sv.text);
        assert!(sv.text.contains("Justeringsomgång: 1"), "{}", sv.text);
        let en = &r[1];
        assert!(en.text.contains("declined on"), "{}", en.text);
    }

    /// One notification of every kind, with the facts its templates show.
    fn every_kind() -> Vec<Notification> {
        let tenant = TenantId::new("orebro");
        let day = d(2024, 10, 1);
        let new = |kind| {
            let mut n = Notification::new(kind, tenant.clone(), day);
            n.add_recipient(person("ingmar", "Ingmar Ångman", Language::Swedish));
            n
        };
        let mut call = new(NotificationKind::CallForMatters);
        call.meeting = Some(meeting(d(2024, 10, 15)));
        call.submit_by = Some(d(2024, 9, 15));
        call.documents_by = Some(d(2024, 10, 1));
        let mut moved = notice();
        moved.meeting_change = Some(MeetingChange::Moved {
            previous: meeting(d(2024, 10, 8)),
        });
        let mut cancelled = notice();
        cancelled.meeting_change = Some(MeetingChange::Cancelled);
        let mut revised = notice();
        revised.revised = true;
        revised.documents = vec![NoticeDocument {
            title: "Utkast".into(),
            reference: Some("RS 2024/12".into()),
        }];
        revised.substitutes = vec![Substitution {
            substitute: PersonId::new("tarja"),
            member: PersonId::new("ingmar"),
        }];
        let mut minutes = new(NotificationKind::MinutesDistributed);
        minutes.meeting = Some(meeting(d(2024, 10, 15)));
        minutes.minutes_kind = Some(MinutesKind::Protocol);
        minutes.adjusted = Some(Adjusted {
            on: d(2024, 10, 20),
            by: AdjustedBy::Email,
        });
        let mut feedback = new(NotificationKind::Feedback);
        feedback.matter_title = Some("Familjecentraler".into());
        feedback.body = Some(BodyId::new("sbu"));
        feedback.paragraph = Some(Paragraph {
            meeting: MeetingId::new("sbu-2024-10-15"),
            number: 4,
        });
        feedback.changes = vec![
            Change::Prepared {
                body: BodyId::new("sbu"),
                next: vec![BodyId::new("cg-social")],
            },
            Change::Decided {
                body: BodyId::new("cg-social"),
                approved: true,
                clauses: vec!["anta överenskommelsen".into()],
                next: vec![],
            },
        ];
        let mut remiss = new(NotificationKind::RemissSent);
        remiss.matter_title = Some("Familjecentraler".into());
        remiss.body = Some(BodyId::new("sbu"));
        remiss.deadline = Some(d(2024, 12, 31));
        remiss.receivers = vec!["kommunerna".into()];
        let mut reminder = new(NotificationKind::RemissReminder);
        reminder.matter_title = Some("Familjecentraler".into());
        reminder.deadline = Some(d(2024, 12, 31));
        let mut given = new(NotificationKind::AssignmentGiven);
        given.assignment = Some(AssignmentId(Uuid::nil()));
        given.body = Some(BodyId::new("cg-social"));
        given.assignment_title = Some("ta fram en plan".into());
        given.assigned_to = Some(AssignedTo::Person(PersonId::new("ingmar")));
        given.deadline = Some(d(2024, 12, 1));
        let mut group = new(NotificationKind::AssignmentGiven);
        group.body = Some(BodyId::new("sbu"));
        group.working_group = Some("Gruppen för planen".into());
        let mut due = new(NotificationKind::AssignmentDue);
        due.body = Some(BodyId::new("cg-social"));
        due.assignment_title = Some("ta fram en plan".into());
        due.deadline = Some(d(2024, 12, 1));
        let mut date_due = new(NotificationKind::DateDue);
        date_due.matter_title = Some("Familjecentraler".into());
        date_due.body = Some(BodyId::new("sbu"));
        date_due.deadline = Some(d(2024, 12, 1));
        date_due.due_step = Some(DueStep::Adjustment);
        date_due.party = Some(PartyId::new("region"));
        let mut declined = new(NotificationKind::MinutesDeclined);
        declined.meeting = Some(meeting(d(2024, 10, 15)));
        declined.minutes_kind = Some(MinutesKind::Protocol);
        declined.declined = Some(declined_fact());
        vec![
            call,
            notice(),
            revised,
            moved,
            cancelled,
            minutes,
            feedback,
            remiss,
            reminder,
            given,
            group,
            due,
            date_due,
            declined,
        ]
    }

    #[test]
    fn every_kind_renders_in_swedish_and_english() {
        // (subject, a line of the text) per notification of `every_kind`, sv then en.
        let expected: [[(&str, &str); 2]; 14] = [
            [
                (
                    "Inhämtning av ärenden: Samverkansgrupp barn och unga 15 oktober 2024",
                    "Anmäl ärenden senast 15 september 2024.",
                ),
                (
                    "Call for matters: Samverkansgrupp barn och unga 15 October 2024",
                    "Submit matters by 15 September 2024.",
                ),
            ],
            [
                (
                    "Kallelse: Samverkansgrupp barn och unga 15 oktober 2024",
                    "Du kallas till möte med Samverkansgrupp barn och unga.",
                ),
                (
                    "Notice of meeting: Samverkansgrupp barn och unga 15 October 2024",
                    "You are called to the meeting of Samverkansgrupp barn och unga.",
                ),
            ],
            [
                (
                    "Reviderad kallelse: Samverkansgrupp barn och unga 15 oktober 2024",
                    "Handlingar:\n- Utkast (RS 2024/12)\n\nErsättare:\n- Tarja Nordling ersätter Ingmar Ångman",
                ),
                (
                    "Revised notice of meeting: Samverkansgrupp barn och unga 15 October 2024",
                    "Documents:\n- Utkast (RS 2024/12)\n\nSubstitutes:\n- Tarja Nordling stands in for Ingmar Ångman",
                ),
            ],
            [
                (
                    "Flyttat möte: Samverkansgrupp barn och unga 15 oktober 2024",
                    "flyttas från tisdag 8 oktober 2024 kl. 10.00–12.00 till tisdag 15 oktober 2024 kl. 10.00–12.00.",
                ),
                (
                    "Meeting moved: Samverkansgrupp barn och unga 15 October 2024",
                    "is moved from Tuesday 8 October 2024 at 10:00–12:00 to Tuesday 15 October 2024 at 10:00–12:00.",
                ),
            ],
            [
                (
                    "Inställt möte: Samverkansgrupp barn och unga 15 oktober 2024",
                    "Mötet med Samverkansgrupp barn och unga tisdag 15 oktober 2024 kl. 10.00–12.00 är inställt.",
                ),
                (
                    "Meeting cancelled: Samverkansgrupp barn och unga 15 October 2024",
                    "The meeting of Samverkansgrupp barn och unga on Tuesday 15 October 2024 at 10:00–12:00 is cancelled.",
                ),
            ],
            [
                (
                    "Minnesanteckningar/protokoll: Samverkansgrupp barn och unga 15 oktober 2024",
                    "Protokoll från Samverkansgrupp barn och unga 15 oktober 2024.\n\nMöte: Samverkansgrupp barn och unga 15 oktober 2024\nJusterat: 20 oktober 2024 via e-post",
                ),
                (
                    "Minutes: Samverkansgrupp barn och unga 15 October 2024",
                    "Minutes of Samverkansgrupp barn och unga on 15 October 2024.\n\nMeeting: Samverkansgrupp barn och unga 15 October 2024\nAdjusted: 20 October 2024 by e-mail",
                ),
            ],
            [
                (
                    "Återkoppling: Familjecentraler",
                    "sbu har berett ärendet. Ärendet går vidare till cg-social. cg-social har beslutat: anta överenskommelsen.\n\nOrgan: sbu\nParagraf: § 4",
                ),
                (
                    "Feedback: Familjecentraler",
                    "sbu has prepared the matter. The matter moves on to cg-social. cg-social has decided: anta överenskommelsen.\n\nBody: sbu\nParagraph: § 4",
                ),
            ],
            [
                (
                    "Remiss: Familjecentraler",
                    "sbu har skickat ärendet \"Familjecentraler\" på remiss; synpunkter senast 31 december 2024.",
                ),
                (
                    "Consultation: Familjecentraler",
                    "Respond by: 31 December 2024\nReceivers: kommunerna",
                ),
            ],
            [
                (
                    "Påminnelse: remissvar om Familjecentraler senast 31 december 2024",
                    "Vi har ännu inte fått ditt remissvar om \"Familjecentraler\".",
                ),
                (
                    "Reminder: response on Familjecentraler due 31 December 2024",
                    "We have not yet received your response on \"Familjecentraler\".",
                ),
            ],
            [
                (
                    "Uppdrag: ta fram en plan",
                    "cg-social ger Ingmar Ångman i uppdrag att ta fram en plan",
                ),
                (
                    "Assignment: ta fram en plan",
                    "cg-social assigns Ingmar Ångman to ta fram en plan",
                ),
            ],
            [
                (
                    "Arbetsgrupp för uppdrag: Gruppen för planen",
                    "Arbetsgruppen Gruppen för planen har bildats för ett uppdrag.",
                ),
                (
                    "Working group for an assignment: Gruppen för planen",
                    "The working group Gruppen för planen was formed for an assignment.",
                ),
            ],
            [
                (
                    "Uppdrag att redovisa senast 1 december 2024: ta fram en plan",
                    "Uppdraget \"ta fram en plan\" från cg-social ska redovisas senast 1 december 2024.",
                ),
                (
                    "Assignment due 1 December 2024: ta fram en plan",
                    "The assignment \"ta fram en plan\" from cg-social is due by 1 December 2024.",
                ),
            ],
            [
                (
                    "Datum att bevaka 1 december 2024: Familjecentraler",
                    "skulle ha justerats senast 1 december 2024 (inom 14 dagar från sammanträdet)",
                ),
                (
                    "Date to watch 1 December 2024: Familjecentraler",
                    "were due to be adjusted by 1 December 2024 (within 14 days of the meeting)",
                ),
            ],
            [
                (
                    "Justeringen nekad: Samverkansgrupp barn och unga 15 oktober 2024",
                    "avböjt att justera protokollet från Samverkansgrupp barn och unga 15 oktober 2024",
                ),
                (
                    "Adjustment declined: Samverkansgrupp barn och unga 15 October 2024",
                    "declined on 18 October 2024 to adjust the minutes of Samverkansgrupp barn och unga on 15 October 2024",
                ),
            ],
        ];
        let all = every_kind();
        assert_eq!(all.len(), expected.len());
        let kinds: std::collections::BTreeSet<_> = all.iter().map(|n| n.kind).collect();
        assert_eq!(
            kinds.len(),
            NotificationKind::ALL.len(),
            "every kind is in the table"
        );
        for (n, want) in all.iter().zip(expected) {
            for (lang, (subject, line)) in Language::ALL.into_iter().zip(want) {
                let r = one(n, lang);
                assert_eq!(r.language, lang);
                assert_eq!(r.subject, subject, "{:?} {lang}", n.kind);
                assert!(
                    r.text.contains(line),
                    "{:?} {lang}: {line}\n{}",
                    n.kind,
                    r.text
                );
                assert!(!r.text.contains("{{"), "{}", r.text);
            }
        }
    }

    #[test]
    fn every_change_has_its_sentence_in_both_languages() {
        let b = || BodyId::new("sbu");
        let on = d(2024, 12, 16);
        let table: Vec<(Change, &str, &str)> = vec![
            (
                Change::Submitted { body: b() },
                "registrerats hos Samverkansgrupp barn och unga i Örebro län",
                "registered with Samverkansgrupp barn och unga i Örebro län",
            ),
            (
                Change::ScreenedAsInformation { body: b() },
                "som informationspunkt",
                "as an information item",
            ),
            (
                Change::AcceptedForHandling {
                    body: b(),
                    route: RouteId::new("county-agreement"),
                },
                "beslutsvägen Länsgemensam överenskommelse.",
                "the route Länsgemensam överenskommelse.",
            ),
            (
                Change::Redirected {
                    to: BodyId::new("cg-social"),
                    reason: "fel organ".into(),
                },
                "lämnats över till Chefsgrupp för samverkan social välfärd samt vård och omsorg: fel organ",
                "redirected to Chefsgrupp för samverkan social välfärd samt vård och omsorg: fel organ",
            ),
            (
                Change::AnsweredDirectly {
                    body: b(),
                    answer: "ja".into(),
                },
                "besvarats direkt: ja",
                "answered directly: ja",
            ),
            (
                Change::Scheduled {
                    body: b(),
                    meeting: MeetingId::new("m"),
                    on: Some(on),
                },
                "den 16 december 2024",
                "on 16 December 2024",
            ),
            (
                Change::Presented {
                    body: b(),
                    next: vec![],
                },
                "föredragits för Samverkansgrupp barn och unga i Örebro län.",
                "presented to Samverkansgrupp barn och unga i Örebro län.",
            ),
            (
                Change::Prepared {
                    body: b(),
                    next: vec![BodyId::new("cg-social")],
                },
                "går vidare till Chefsgrupp för samverkan",
                "moves on to Chefsgrupp för samverkan",
            ),
            (
                Change::RemissSent {
                    body: b(),
                    deadline: on,
                },
                "synpunkter senast 16 december 2024",
                "comments by 16 December 2024",
            ),
            (
                Change::ResponsesWorkedIn {
                    body: b(),
                    comments: 7,
                    next: vec![],
                },
                "7 synpunkter omhändertagna",
                "7 comments handled",
            ),
            (
                Change::DirectionDecided {
                    body: b(),
                    direction: "gå vidare".into(),
                },
                "inriktningsbeslut: gå vidare",
                "direction decision: gå vidare",
            ),
            (
                Change::Recommended {
                    body: b(),
                    to: vec![],
                    recommendation: "anta".into(),
                },
                "föreslår nästa steg att anta",
                "proposes to the next step: anta",
            ),
            (
                Change::ReadinessChecked {
                    body: b(),
                    ready: true,
                    next: vec![],
                },
                "är redo för beslutsprocess",
                "found the parties ready",
            ),
            (
                Change::ReadinessChecked {
                    body: b(),
                    ready: false,
                    next: vec![],
                },
                "ännu inte är redo",
                "not yet ready",
            ),
            (
                Change::Decided {
                    body: b(),
                    approved: true,
                    clauses: vec!["anta".into(), "följa upp".into()],
                    next: vec![],
                },
                "har beslutat: anta; följa upp.",
                "has decided: anta; följa upp.",
            ),
            (
                Change::Decided {
                    body: b(),
                    approved: false,
                    clauses: vec![],
                    next: vec![],
                },
                "har avslagit ärendet",
                "has rejected the matter",
            ),
            (
                Change::ForwardedToPolitical {
                    body: b(),
                    next: vec![],
                },
                "politiskt beslut i parterna",
                "political decision in the parties",
            ),
            (
                Change::ReferredBack {
                    body: b(),
                    to: None,
                    step: StepId::new("prep"),
                    instructions: "komplettera".into(),
                },
                "återremitterat ärendet till prep: komplettera",
                "referred the matter back to prep: komplettera",
            ),
            (
                Change::Tabled {
                    body: b(),
                    meeting: None,
                    on: None,
                },
                "till ett kommande möte",
                "until a coming meeting",
            ),
            (
                Change::Dropped {
                    body: b(),
                    reason: Some(DropCause::LackOfTime),
                    moved_to: Some(MeetingId::new("m")),
                    on: Some(on),
                },
                "(på grund av tidsbrist). Det flyttas till mötet den 16 december 2024.",
                "(for lack of time). It moves to the meeting on 16 December 2024.",
            ),
            (
                Change::Withdrawn { reason: None },
                "Ärendet har återtagits.",
                "The matter has been withdrawn.",
            ),
            (
                Change::Filed { body: b() },
                "lagt ärendet till handlingarna",
                "noted and filed",
            ),
            (
                Change::Escalated {
                    route: RouteId::new("county-agreement"),
                    reason: "stor fråga".into(),
                },
                "lyfts till beslutsvägen Länsgemensam överenskommelse: stor fråga",
                "escalated to the route Länsgemensam överenskommelse: stor fråga",
            ),
            (
                Change::PoliticalDecision {
                    party: PartyId::new("region"),
                    adopted: true,
                    on,
                },
                "Region Örebro län har antagit",
                "Region Örebro län has adopted",
            ),
            (
                Change::PoliticalDecision {
                    party: PartyId::new("region"),
                    adopted: false,
                    on,
                },
                "Region Örebro län har avslagit",
                "Region Örebro län has rejected",
            ),
            (
                Change::Concluded {
                    outcome: FinalOutcome::DecidedWithinMandate,
                },
                "beslutat inom mandat",
                "decided within mandate",
            ),
            (
                Change::Concluded {
                    outcome: FinalOutcome::Adopted,
                },
                "antaget av alla parter",
                "adopted by every party",
            ),
            (
                Change::Concluded {
                    outcome: FinalOutcome::PartiallyAdopted,
                },
                "delvis antaget",
                "partially adopted",
            ),
            (
                Change::Concluded {
                    outcome: FinalOutcome::Rejected,
                },
                "Ärendet är avslaget.",
                "The matter is rejected.",
            ),
            (
                Change::EnteredIntoForce { on },
                "träder i kraft den 16 december 2024",
                "enters into force on 16 December 2024",
            ),
            (
                Change::FollowedUp { note: "bra".into() },
                "följts upp: bra",
                "followed up: bra",
            ),
            (
                Change::Revised,
                "en ny version har påbörjats",
                "a new version has started",
            ),
            (
                Change::Extended { until: on },
                "förlängts till 16 december 2024",
                "extended until 16 December 2024",
            ),
            (
                Change::AssignmentReported {
                    issuer: b(),
                    report: "planen är klar".into(),
                    on,
                },
                "har återrapporterats 16 december 2024: planen är klar",
                "was reported back on 16 December 2024: planen är klar",
            ),
        ];
        let org = names_org();
        for (change, sv, en) in table {
            let mut n = Notification::new(
                NotificationKind::Feedback,
                TenantId::new("orebro"),
                d(2024, 10, 1),
            );
            n.changes.push(change.clone());
            for (lang, want) in [(Language::Swedish, sv), (Language::English, en)] {
                let c = context(&Templates::builtin(), &n, Uuid::nil(), lang, Some(&org)).unwrap();
                let Some(Value::Text(summary)) = c.get("summary") else {
                    panic!("no summary for {change:?}");
                };
                assert!(summary.contains(want), "{change:?} {lang}: {summary}");
            }
        }
    }

    /// The Örebro configuration, which names the ids the change table uses.
    fn names_org() -> Organisation {
        let text = include_str!("../../../config/orebro.toml");
        arende_core::config::load_str(text, "config/orebro.toml").expect("orebro.toml loads")
    }

    #[test]
    fn a_schema_one_row_renders_with_its_own_prose() {
        let old = r#"{"kind":"feedback","tenant":"orebro","recipients":[{"person":"susann",
            "name":"Susann Cederlund","email":"susann@example.se","reason":"submitter"}],
            "matter":null,"matter_title":"Familjecentraler","body":"sbu","meeting":null,
            "assignment":null,"deadline":null,
            "summary_sv":"Ärendet har registrerats hos SBU och väntar på relevansbedömning.",
            "summary_en":"The matter has been registered with SBU and awaits screening.",
            "agenda":[],"details":{"event":"Submitted"},"date":"2024-10-01"}"#;
        let n: Notification = serde_json::from_str(old).unwrap();
        for (lang, subject, line) in [
            (
                Language::Swedish,
                "Återkoppling: Familjecentraler",
                "Ärendet har registrerats hos SBU och väntar på relevansbedömning.",
            ),
            (
                Language::English,
                "Feedback: Familjecentraler",
                "The matter has been registered with SBU and awaits screening.",
            ),
        ] {
            let r = one(&n, lang);
            assert_eq!(r.subject, subject);
            assert!(r.text.contains(line), "{}", r.text);
        }
    }

    #[test]
    fn agenda_lines_keep_the_numbers_the_engine_gave_them() {
        let lines = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            agenda_items(&lines(&["1. Välkommen", "3. Familjecentraler"])),
            vec![(1, "Välkommen".into()), (3, "Familjecentraler".into())]
        );
        assert_eq!(
            agenda_items(&lines(&["Välkommen", "3. Familjecentraler"])),
            vec![(1, "Välkommen".into()), (2, "3. Familjecentraler".into())]
        );
    }

    #[test]
    fn a_missing_template_is_an_error_naming_kind_and_language() {
        let e = render(
            &Templates::empty(),
            &LanguagePolicy::default(),
            &notice(),
            Uuid::nil(),
            None,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "no template for notice in sv");
    }
}
