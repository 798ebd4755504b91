//! What must be told, and to whom: the notifications the engine writes to the outbox in
//! the same transaction as the events that cause them. Rendering and delivery live in
//! `arende-notify`; this module holds the data and the recipient rules.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use crate::ids::{AssignmentId, BodyId, MatterId, MeetingId, PersonId, TenantId};
use crate::org::{Organisation, Person, Role};

/// The kind of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotificationKind {
    /// Call for matters (inhämtning av frågor), one month before a meeting.
    CallForMatters,
    /// Notice (kallelse) with agenda and documents, two weeks before a meeting.
    Notice,
    /// Minutes distributed (protokoll/minnesanteckningar utskickade).
    MinutesDistributed,
    /// Feedback (återkoppling) to the submitter of a matter about a change.
    Feedback,
    /// A matter sent on consultation (remiss).
    RemissSent,
    /// Reminder before a consultation deadline to recipients who have not answered.
    RemissReminder,
    /// An assignment (uppdrag) given.
    AssignmentGiven,
    /// An assignment due.
    AssignmentDue,
}

impl NotificationKind {
    /// The name used as the outbox kind and in transport subjects, e.g. `notice`.
    pub fn name(self) -> &'static str {
        match self {
            NotificationKind::CallForMatters => "call-for-matters",
            NotificationKind::Notice => "notice",
            NotificationKind::MinutesDistributed => "minutes-distributed",
            NotificationKind::Feedback => "feedback",
            NotificationKind::RemissSent => "remiss-sent",
            NotificationKind::RemissReminder => "remiss-reminder",
            NotificationKind::AssignmentGiven => "assignment-given",
            NotificationKind::AssignmentDue => "assignment-due",
        }
    }
}

/// Why a recipient gets a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecipientReason {
    /// A member of the body.
    Member,
    /// A substitute serving (or called) for a member.
    Substitute,
    /// The chair, secretary or adjuster.
    Officer,
    /// The submitter of the matter.
    Submitter,
    /// Follows the matter or the body (a subscription).
    Follower,
    /// A presenter (föredragande) at the meeting.
    Presenter,
    /// A member of the body above.
    BodyAbove,
    /// A recipient of a consultation.
    Consulted,
    /// The assignee of an assignment.
    Assignee,
}

/// One recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    /// The person, when known from the configuration.
    pub person: Option<PersonId>,
    /// The name to address.
    pub name: String,
    /// The e-mail address, when known.
    pub email: Option<String>,
    /// Why they get it.
    pub reason: RecipientReason,
}

/// The meeting a notification is about, for the text and the .ics attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingRef {
    /// The meeting id (the iCalendar UID is derived from it).
    pub id: MeetingId,
    /// The body's (or joint session's) name.
    pub body_name: String,
    /// Start, UTC.
    pub start: DateTime<Utc>,
    /// End, UTC.
    pub end: DateTime<Utc>,
    /// Where.
    pub location: Option<String>,
    /// iCalendar sequence.
    pub sequence: u32,
}

/// A notification, as written to the outbox (JSON) and rendered by the dispatcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// The kind.
    pub kind: NotificationKind,
    /// The organisation.
    pub tenant: TenantId,
    /// Who gets it.
    pub recipients: Vec<Recipient>,
    /// The matter it is about.
    pub matter: Option<MatterId>,
    /// The matter's title.
    pub matter_title: Option<String>,
    /// The body it is about.
    pub body: Option<BodyId>,
    /// The meeting it is about.
    pub meeting: Option<MeetingRef>,
    /// The assignment it is about.
    pub assignment: Option<AssignmentId>,
    /// A deadline (remiss, call for matters, assignment due).
    pub deadline: Option<NaiveDate>,
    /// What happened, in Swedish (the default language).
    pub summary_sv: String,
    /// What happened, in English.
    pub summary_en: String,
    /// Agenda lines for a notice, in order.
    pub agenda: Vec<String>,
    /// Further facts for templates (e.g. `expected`, `paragraph`).
    pub details: BTreeMap<String, String>,
    /// The date the notification concerns (local).
    pub date: NaiveDate,
}

impl Notification {
    /// A notification with the required fields and everything else empty.
    pub fn new(
        kind: NotificationKind,
        tenant: TenantId,
        date: NaiveDate,
        summary_sv: impl Into<String>,
        summary_en: impl Into<String>,
    ) -> Self {
        Notification {
            kind,
            tenant,
            recipients: Vec::new(),
            matter: None,
            matter_title: None,
            body: None,
            meeting: None,
            assignment: None,
            deadline: None,
            summary_sv: summary_sv.into(),
            summary_en: summary_en.into(),
            agenda: Vec::new(),
            details: BTreeMap::new(),
            date,
        }
    }

    /// Adds a recipient unless the same person or address is already there.
    pub fn add_recipient(&mut self, r: Recipient) {
        let dup = self.recipients.iter().any(|x| {
            (r.person.is_some() && x.person == r.person)
                || (r.person.is_none() && r.email.is_some() && x.email == r.email)
        });
        if !dup {
            self.recipients.push(r);
        }
    }
}

/// A language notifications are rendered in. Swedish is the default.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub enum Language {
    /// Swedish (svenska), the default.
    #[default]
    #[serde(rename = "sv")]
    Swedish,
    /// English.
    #[serde(rename = "en")]
    English,
}

impl Language {
    /// Every language.
    pub const ALL: [Language; 2] = [Language::Swedish, Language::English];

    /// The BCP 47 code, `sv` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Swedish => "sv",
            Language::English => "en",
        }
    }

    /// Parses `sv`/`en` (also `sv-SE`, `en-GB`, `svenska`, `english`).
    pub fn from_code(code: &str) -> Option<Language> {
        let c = code.trim().to_lowercase();
        let primary = c.split(['-', '_']).next().unwrap_or("");
        match primary {
            "sv" | "svenska" | "swedish" => Some(Language::Swedish),
            "en" | "english" | "engelska" => Some(Language::English),
            _ => None,
        }
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// Well-known keys of [`Notification::details`] that the built-in templates use.
pub mod detail {
    /// What is expected of the members at the meeting (förväntan på gruppen).
    pub const EXPECTED: &str = "expected";
    /// The documents sent with a notice (handlingar), one per line.
    pub const DOCUMENTS: &str = "documents";
    /// What happened to a matter, for feedback (e.g. `accepted`, `scheduled`).
    pub const OUTCOME: &str = "outcome";
    /// The paragraph (§) of the minutes.
    pub const PARAGRAPH: &str = "paragraph";
    /// The assignment's title (what is to be done).
    pub const ASSIGNMENT_TITLE: &str = "assignment_title";
    /// Where to send replies (a call for matters, a remiss).
    pub const REPLY_TO: &str = "reply_to";
    /// The organiser's e-mail address (the secretary), for the calendar invitation.
    pub const ORGANIZER_EMAIL: &str = "organizer_email";
    /// The organiser's name.
    pub const ORGANIZER_NAME: &str = "organizer_name";
}

impl Recipient {
    /// A recipient for a person from the configuration.
    pub fn person(person: &Person, reason: RecipientReason) -> Self {
        Recipient {
            person: Some(person.id.clone()),
            name: person.name.clone(),
            email: person.email.clone(),
            reason,
        }
    }
}

/// The reason a membership role gives for receiving a body's notifications.
pub fn reason_for_role(role: Role) -> RecipientReason {
    match role {
        Role::Member => RecipientReason::Member,
        Role::Substitute => RecipientReason::Substitute,
        Role::Chair | Role::Secretary | Role::Adjuster | Role::Official => RecipientReason::Officer,
    }
}

/// The bodies whose members a meeting of `bodies` concerns: each body and, for a joint
/// session, the bodies it joins.
pub fn meeting_bodies(org: &Organisation, bodies: &[BodyId]) -> Vec<BodyId> {
    let mut out: Vec<BodyId> = Vec::new();
    for b in bodies {
        if !out.contains(b) {
            out.push(b.clone());
        }
        if let Some(body) = org.body(b) {
            for j in &body.joint_of {
                if !out.contains(j) {
                    out.push(j.clone());
                }
            }
        }
    }
    out
}

/// Who is called to a meeting (kallade): the members and officers of its bodies, and
/// the substitutes who serve. A substitute serves when the member they stand in for is
/// in `absent`, or when named in `serving`. Substitutes who do not serve are not called.
/// People are listed once, in membership order, with their first reason.
pub fn called_to_meeting(
    org: &Organisation,
    bodies: &[BodyId],
    absent: &BTreeSet<PersonId>,
    serving: &BTreeSet<PersonId>,
) -> Vec<Recipient> {
    let bodies = meeting_bodies(org, bodies);
    let mut n = Notification::new(
        NotificationKind::Notice,
        org.tenant.clone(),
        NaiveDate::MIN,
        "",
        "",
    );
    // Members and officers first, so a person who is both gets the stronger reason.
    for m in org
        .memberships
        .iter()
        .filter(|m| bodies.contains(&m.body) && m.role != Role::Substitute)
    {
        if let Some(p) = org.person(&m.person) {
            n.add_recipient(Recipient::person(p, reason_for_role(m.role)));
        }
    }
    for m in org
        .memberships
        .iter()
        .filter(|m| bodies.contains(&m.body) && m.role == Role::Substitute)
    {
        let serves = serving.contains(&m.person)
            || m.substitute_for
                .as_ref()
                .is_some_and(|f| absent.contains(f));
        if serves && let Some(p) = org.person(&m.person) {
            n.add_recipient(Recipient::person(p, RecipientReason::Substitute));
        }
    }
    n.recipients
}

/// The members and officers of a body (no substitutes), for a call for matters or
/// distributed minutes.
pub fn members_of_body(org: &Organisation, body: &BodyId) -> Vec<Recipient> {
    called_to_meeting(
        org,
        std::slice::from_ref(body),
        &BTreeSet::new(),
        &BTreeSet::new(),
    )
}
