//! Rendering: a notification read from the outbox becomes an [`Outgoing`] message, with
//! one [`Rendering`] per language its recipients read, each made from the
//! [`Templates`] with the facts of the notification.

use std::collections::BTreeMap;

use arende_core::ids::TenantId;
use arende_core::notification::{Language, Notification, Recipient, detail};
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

/// Which language each recipient reads; everyone else gets the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguagePolicy {
    /// The default language (Swedish unless set).
    pub default: Language,
    /// Per person id or e-mail address (lower case).
    pub overrides: BTreeMap<String, Language>,
}

impl LanguagePolicy {
    /// The language of a recipient.
    pub fn of(&self, r: &Recipient) -> Language {
        r.person
            .as_ref()
            .and_then(|p| self.overrides.get(p.as_str()))
            .or_else(|| {
                r.email
                    .as_ref()
                    .and_then(|e| self.overrides.get(&e.to_lowercase()))
            })
            .copied()
            .unwrap_or(self.default)
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

/// The template context of a notification in a language.
pub fn context(n: &Notification, id: Uuid, language: Language) -> Context {
    let mut c = Context::new();
    let mut text = |k: &str, v: String| {
        if !v.trim().is_empty() {
            c.insert(k.to_owned(), Value::Text(v));
        }
    };
    text("id", id.to_string());
    text("tenant", n.tenant.to_string());
    text("kind", n.kind.name().to_owned());
    text(
        "summary",
        match language {
            Language::Swedish => n.summary_sv.clone(),
            Language::English => n.summary_en.clone(),
        },
    );
    let body = n
        .meeting
        .as_ref()
        .map(|m| m.body_name.clone())
        .or_else(|| n.details.get("body_name").cloned())
        .or_else(|| n.body.as_ref().map(|b| b.to_string()))
        .unwrap_or_default();
    text("body", body);
    if let Some(m) = &n.meeting {
        let start = m.start.with_timezone(&Stockholm);
        let end = m.end.with_timezone(&Stockholm);
        let day = start.date_naive();
        text("meeting_date", format_date(day, language));
        text("meeting_weekday", format_weekday(day, language).to_owned());
        let fmt = match language {
            Language::Swedish => "%H.%M",
            Language::English => "%H:%M",
        };
        text(
            "meeting_time",
            format!("{}–{}", start.format(fmt), end.format(fmt)),
        );
        text("location", m.location.clone().unwrap_or_default());
    }
    text("date", format_date(n.date, language));
    if let Some(d) = n.deadline {
        text("deadline", format_date(d, language));
    }
    text("matter_title", n.matter_title.clone().unwrap_or_default());
    for key in [
        detail::EXPECTED,
        detail::OUTCOME,
        detail::PARAGRAPH,
        detail::ASSIGNMENT_TITLE,
        detail::REPLY_TO,
    ] {
        if let Some(v) = n.details.get(key) {
            text(key, v.clone());
        }
    }
    let names = n
        .recipients
        .iter()
        .map(|r| r.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    text("recipients", names);
    for (k, v) in &n.details {
        text(&format!("details.{k}"), v.clone());
    }
    if !n.agenda.is_empty() {
        c.insert("agenda".into(), Value::Numbered(n.agenda.clone()));
    }
    if let Some(docs) = n.details.get(detail::DOCUMENTS) {
        let items: Vec<String> = docs
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if !items.is_empty() {
            c.insert("documents".into(), Value::Bulleted(items));
        }
    }
    c
}

/// Renders a notification for its recipients: one rendering per language needed, the
/// default language first (always present, even with no recipients).
pub fn render(
    templates: &Templates,
    policy: &LanguagePolicy,
    n: &Notification,
    id: Uuid,
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
        let r = t.render(&context(n, id, lang));
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
    use arende_core::ids::{MeetingId, PersonId};
    use arende_core::notification::{MeetingRef, NotificationKind, RecipientReason};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn notice() -> Notification {
        let mut n = Notification::new(
            NotificationKind::Notice,
            TenantId::new("orebro"),
            d(2024, 10, 15),
            "Kallelse",
            "Notice",
        );
        n.meeting = Some(MeetingRef {
            id: MeetingId::new("sbu-2024-10-15"),
            body_name: "Samverkansgrupp barn och unga".into(),
            start: arende_core::clock::stockholm_instant(d(2024, 10, 15), 10, 0),
            end: arende_core::clock::stockholm_instant(d(2024, 10, 15), 12, 0),
            location: Some("Hjortkvarn, Eklundavägen 1".into()),
            sequence: 0,
        });
        n.agenda = vec![
            "Välkommen".into(),
            "Förslag till överenskommelse om familjecentraler".into(),
        ];
        n.details
            .insert(detail::EXPECTED.into(), "Läs utkastet före mötet".into());
        for (id, name) in [("ingmar", "Ingmar Ångman"), ("tarja", "Tarja Nordling")] {
            n.add_recipient(Recipient {
                person: Some(PersonId::new(id)),
                name: name.into(),
                email: Some(format!("{id}@example.se")),
                reason: RecipientReason::Member,
            });
        }
        n
    }

    #[test]
    fn a_notice_renders_in_swedish_with_dates_times_agenda_and_expectations() {
        let r = render(
            &Templates::builtin(),
            &LanguagePolicy::default(),
            &notice(),
            Uuid::nil(),
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
            sv.text
                .contains("Dagordning:\n1. Välkommen\n2. Förslag till överenskommelse")
        );
        assert!(
            sv.text
                .contains("Förväntan på deltagarna: Läs utkastet före mötet")
        );
        assert!(sv.text.contains("Kallade: Ingmar Ångman, Tarja Nordling"));
        assert!(!sv.text.contains("Handlingar"), "no documents, no heading");
        assert!(sv.text.contains(&Uuid::nil().to_string()));
        assert!(sv.html.contains("<ol><li>Välkommen</li>"));
        assert_eq!(sv.recipients.len(), 2);
    }

    #[test]
    fn recipients_who_read_english_get_an_english_rendering() {
        let mut policy = LanguagePolicy::default();
        policy
            .overrides
            .insert("tarja@example.se".into(), Language::English);
        let r = render(&Templates::builtin(), &policy, &notice(), Uuid::nil()).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].language, Language::Swedish);
        assert_eq!(r[0].recipients.len(), 1);
        assert_eq!(r[1].language, Language::English);
        assert_eq!(r[1].recipients[0].name, "Tarja Nordling");
        assert!(
            r[1].text
                .contains("Time: Tuesday 15 October 2024 at 10:00–12:00"),
            "{}",
            r[1].text
        );
    }

    #[test]
    fn a_missing_template_is_an_error_naming_kind_and_language() {
        let e = render(
            &Templates::empty(),
            &LanguagePolicy::default(),
            &notice(),
            Uuid::nil(),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "no template for notice in sv");
    }
}
