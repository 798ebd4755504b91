//! What must be told, and to whom: the notification facts the engine writes to the
//! outbox in the same transaction as the events that cause them. The core writes data
//! only — kind, tenant, ids, dates, what happened as typed values, recipients with
//! their language — and never prose: every text is rendered from templates by
//! `arende-notify`, in each recipient's language.
//!
//! # The outbox form (schema 2)
//! A [`Notification`] is JSON with kebab-case keys, `schema` first, and empty fields
//! left out:
//! ```json
//! {"schema":2,"kind":"feedback","tenant":"orebro","date":"2024-10-15",
//!  "recipients":[{"person":"susann","name":"Susann Cederlund",
//!    "email":"susann@example.se","reason":"submitter","language":"sv"}],
//!  "matter":"0193…","matter-title":"Familjecentraler","body":"sbu",
//!  "changes":[{"what":"scheduled","body":"sbu","meeting":"sbu-2024-10-15",
//!    "on":"2024-10-15"}]}
//! ```
//! Rows written before the facts (schema 1: snake-case keys, no `schema`, prose in
//! `summary_sv`/`summary_en`, agenda lines as text) still read: their prose is kept in
//! [`Notification::legacy`] and their agenda lines become [`AgendaEntry`]s. A row of
//! a schema newer than [`SCHEMA`] is refused with the schema named.
//!
//! The types here mirror, and do not import, the aggregates' own (an agenda item's
//! kind, a drop reason, a conclusion): the outbox is a wire contract of its own and
//! sits below the aggregates that write it.

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::ids::{AssignmentId, BodyId, MatterId, MeetingId, PartyId, PersonId, RouteId, TenantId};
use crate::org::{MinutesKind, Organisation, Person, PlannedMeeting};

pub use crate::language::Language;

/// The schema version of the facts the engine writes today.
pub const SCHEMA: u32 = 2;

/// The kind of a notification.
///
/// Deliberately exhaustive: a kind added here fails to compile in `arende-notify` until
/// it has its templates. An embedder that matches on the kinds adds an arm when a
/// release adds a kind; one that only passes facts on can read
/// [`NotificationKind::name`] instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotificationKind {
    /// Call for matters (inhämtning av frågor), one month before a meeting.
    CallForMatters,
    /// Notice (kallelse) with agenda and documents, two weeks before a meeting; also a
    /// meeting moved or cancelled ([`Notification::meeting_change`]).
    Notice,
    /// Minutes distributed (protokoll/minnesanteckningar utskickade).
    MinutesDistributed,
    /// Feedback (återkoppling) to the submitter of a matter about a change.
    Feedback,
    /// A matter sent on consultation (remiss).
    RemissSent,
    /// Reminder before a consultation deadline to recipients who have not answered.
    RemissReminder,
    /// An assignment (uppdrag) given, or a working group formed for one.
    AssignmentGiven,
    /// An assignment due.
    AssignmentDue,
    /// A date of a matter falling due or overdue (a [`DueStep`]): the adjustment of
    /// a party's minutes or the notice on its notice board (towards laga kraft), a
    /// follow-up (uppföljning), or the end of the matter's validity (giltig till).
    DateDue,
    /// Minutes sent back (justering vägrad): an adjuster declined to adjust, with
    /// comments, so the minutes are back with the secretary for a new draft.
    MinutesDeclined,
}

/// Which date of a matter a [`NotificationKind::DateDue`] reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DueStep {
    /// The minutes with a party's political decision are not adjusted (justerade)
    /// within 14 days of the meeting.
    Adjustment,
    /// The notice that they are adjusted is not on the party's notice board
    /// (anslagstavla) within 2 days.
    Announcement,
    /// A follow-up (uppföljning) falls due.
    FollowUp,
    /// The matter's validity (after an extension: the new date) ends.
    ValidUntil,
}

impl DueStep {
    /// The name, e.g. `follow-up`.
    pub fn name(self) -> &'static str {
        match self {
            DueStep::Adjustment => "adjustment",
            DueStep::Announcement => "announcement",
            DueStep::FollowUp => "follow-up",
            DueStep::ValidUntil => "valid-until",
        }
    }
}

impl NotificationKind {
    /// Every kind.
    pub const ALL: [NotificationKind; 10] = [
        NotificationKind::CallForMatters,
        NotificationKind::Notice,
        NotificationKind::MinutesDistributed,
        NotificationKind::Feedback,
        NotificationKind::RemissSent,
        NotificationKind::RemissReminder,
        NotificationKind::AssignmentGiven,
        NotificationKind::AssignmentDue,
        NotificationKind::DateDue,
        NotificationKind::MinutesDeclined,
    ];

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
            NotificationKind::DateDue => "date-due",
            NotificationKind::MinutesDeclined => "minutes-declined",
        }
    }

    /// A kind by its [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<NotificationKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
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

/// One recipient, with the language they read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Recipient {
    /// The person, when known from the configuration.
    pub person: Option<PersonId>,
    /// The name to address.
    pub name: String,
    /// The e-mail address, when known.
    pub email: Option<String>,
    /// Why they get it.
    pub reason: RecipientReason,
    /// The language they read (the person's `language` in the configuration; Swedish
    /// when not set, and for rows written before recipients carried it).
    #[serde(default)]
    pub language: Language,
}

impl Recipient {
    /// A recipient for a person from the configuration, in the person's language.
    pub fn from_person(person: &Person, reason: RecipientReason) -> Self {
        Recipient {
            person: Some(person.id.clone()),
            name: person.name.clone(),
            email: person.email.clone(),
            reason,
            language: person.language,
        }
    }

    /// A recipient for a person id: from the configuration when `org` knows them, else
    /// by the id alone (no address).
    pub fn for_person(org: &Organisation, person: &PersonId, reason: RecipientReason) -> Self {
        match org.person(person) {
            Some(p) => Recipient::from_person(p, reason),
            None => Recipient {
                person: Some(person.clone()),
                name: person.to_string(),
                email: None,
                reason,
                language: Language::default(),
            },
        }
    }

    /// A recipient known only by name and address (a guest, a functional mailbox), who
    /// reads the default language.
    pub fn by_address(name: String, email: Option<String>, reason: RecipientReason) -> Self {
        Recipient {
            person: None,
            name,
            email,
            reason,
            language: Language::default(),
        }
    }
}

/// The meeting a notification is about, for the text and the .ics attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct MeetingRef {
    /// The meeting id (the iCalendar UID is derived from it).
    pub id: MeetingId,
    /// The name of the bodies meeting, as configured (see [`meeting_name`]).
    #[serde(alias = "body_name")]
    pub body_name: String,
    /// Start, UTC.
    pub start: DateTime<Utc>,
    /// End, UTC.
    pub end: DateTime<Utc>,
    /// Where.
    #[serde(default)]
    pub location: Option<String>,
    /// iCalendar sequence.
    #[serde(default)]
    pub sequence: u32,
}

impl MeetingRef {
    /// The reference of a planned meeting as it stands (times are local Stockholm
    /// wall-clock).
    pub fn of(org: &Organisation, plan: &PlannedMeeting) -> MeetingRef {
        MeetingRef {
            id: plan.id.clone(),
            body_name: meeting_name(org, &plan.bodies),
            start: crate::clock::stockholm_instant(
                plan.date,
                plan.start.hour(),
                plan.start.minute(),
            ),
            end: crate::clock::stockholm_instant(plan.date, plan.end.hour(), plan.end.minute()),
            location: plan.location.clone(),
            sequence: plan.sequence,
        }
    }
}

/// The name of the bodies meeting, in no language: the body's name; for several
/// bodies the joint session among them (or the one joining exactly them); else their
/// names joined by ` / `.
pub fn meeting_name(org: &Organisation, bodies: &[BodyId]) -> String {
    let name = |b: &BodyId| {
        org.body(b)
            .map_or_else(|| b.to_string(), |x| x.name.clone())
    };
    if let [one] = bodies {
        return name(one);
    }
    if let Some(session) = bodies.iter().find(|b| {
        org.body(b).is_some_and(|x| {
            !x.joint_of.is_empty()
                && bodies
                    .iter()
                    .all(|other| other == *b || x.joint_of.contains(other))
        })
    }) {
        return name(session);
    }
    let mut wanted: Vec<&BodyId> = bodies.iter().collect();
    wanted.sort();
    if let Some(joint) = org.bodies.values().find(|b| {
        let mut j: Vec<&BodyId> = b.joint_of.iter().collect();
        j.sort();
        !j.is_empty() && j == wanted
    }) {
        return joint.name.clone();
    }
    bodies.iter().map(name).collect::<Vec<_>>().join(" / ")
}

/// What an agenda item is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgendaKind {
    /// For information (för information).
    #[default]
    Information,
    /// For discussion (för diskussion).
    Discussion,
    /// For decision (för beslut).
    Decision,
}

/// One agenda item of a notice, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AgendaEntry {
    /// Its number on the agenda.
    pub number: u32,
    /// Its title as entered.
    pub title: String,
    /// The matter it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matter: Option<MatterId>,
    /// What it is for (`None` for agenda lines of schema-1 rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<AgendaKind>,
    /// Minutes set aside for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_box: Option<u32>,
}

impl AgendaEntry {
    /// An agenda line of a schema-1 row: `3. Title (…)` keeps its number, any other
    /// line takes `number`.
    pub fn from_line(line: &str, number: u32) -> AgendaEntry {
        let parsed = line
            .split_once(". ")
            .and_then(|(n, rest)| Some((n.trim().parse::<u32>().ok()?, rest)));
        let (number, title) = parsed.unwrap_or((number, line));
        AgendaEntry {
            number,
            title: title.to_owned(),
            matter: None,
            kind: None,
            time_box: None,
        }
    }
}

impl From<&str> for AgendaEntry {
    /// An item with only a title (number 0: numbered by its place when rendered).
    fn from(title: &str) -> Self {
        AgendaEntry {
            number: 0,
            title: title.to_owned(),
            matter: None,
            kind: None,
            time_box: None,
        }
    }
}

impl std::fmt::Display for AgendaEntry {
    /// The title as entered.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.title)
    }
}

/// A document sent with a notice (handling).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct NoticeDocument {
    /// Its title as entered.
    pub title: String,
    /// A reference (case number, link), as entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// A substitute called for a member (ersättare för ledamot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Substitution {
    /// The substitute.
    pub substitute: PersonId,
    /// The member they stand in for.
    pub member: PersonId,
}

/// What changed about a meeting already announced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum MeetingChange {
    /// Moved: [`Notification::meeting`] is the new time and place.
    Moved {
        /// The time and place before the move.
        previous: MeetingRef,
    },
    /// Cancelled (inställt).
    Cancelled,
}

/// A paragraph (§) of a meeting's minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Paragraph {
    /// The meeting.
    pub meeting: MeetingId,
    /// The paragraph number.
    pub number: u32,
}

/// How minutes were adjusted (justerade).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdjustedBy {
    /// By e-mail.
    Email,
    /// At the meeting.
    AtMeeting,
    /// By signature on paper.
    Signature,
    /// By electronic signature.
    ElectronicSignature,
    /// Otherwise, as entered.
    Other(String),
}

/// The adjustment of minutes (justering).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Adjusted {
    /// The day.
    #[serde(serialize_with = "crate::json::date")]
    pub on: NaiveDate,
    /// How.
    pub by: AdjustedBy,
}

/// An adjuster's refusal to adjust minutes (justering vägrad), as told to the
/// secretary: who, when, what must change, and which round of adjustment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AdjustmentDeclined {
    /// The adjuster who declined.
    pub by: PersonId,
    /// The day.
    pub on: NaiveDate,
    /// What must change, as entered.
    pub comments: String,
    /// The round (draft number) declined.
    pub round: u32,
}

/// Who carries out an assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssignedTo {
    /// A person.
    Person(PersonId),
    /// A body.
    Body(BodyId),
    /// A working group, by its name as entered.
    WorkingGroup(String),
}

/// Why an item left an agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DropCause {
    /// For lack of time (tidsbrist).
    LackOfTime,
    /// Another reason, as entered.
    Other(String),
}

/// How a matter's handling concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FinalOutcome {
    /// Decided within mandate by the deciding body.
    DecidedWithinMandate,
    /// Adopted by every party.
    Adopted,
    /// Adopted by some parties, rejected by others.
    PartiallyAdopted,
    /// Rejected.
    Rejected,
}

/// What happened to a matter, as data: one per change a command made (feedback).
/// Texts in it are what people entered (a reason, an answer, the clauses of a
/// decision); the sentences around them come from the dispatcher's templates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "kebab-case")]
pub enum Change {
    /// Registered at a body; awaits screening.
    Submitted {
        /// The body.
        body: BodyId,
    },
    /// Taken as an information item.
    ScreenedAsInformation {
        /// The body.
        body: BodyId,
    },
    /// Accepted for handling on a route (beslutsväg).
    AcceptedForHandling {
        /// The body.
        body: BodyId,
        /// The route.
        route: RouteId,
    },
    /// Handed over to another body.
    Redirected {
        /// The body it went to.
        to: BodyId,
        /// Why, as entered.
        reason: String,
    },
    /// Answered directly.
    AnsweredDirectly {
        /// The body.
        body: BodyId,
        /// The answer, as entered.
        answer: String,
    },
    /// On a meeting's agenda.
    Scheduled {
        /// The body.
        body: BodyId,
        /// The meeting.
        meeting: MeetingId,
        /// Its day, as planned.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[serde(serialize_with = "crate::json::opt_date")]
        on: Option<NaiveDate>,
    },
    /// Presented to a body (föredraget).
    Presented {
        /// The body.
        body: BodyId,
        /// The bodies it moves on to.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        next: Vec<BodyId>,
    },
    /// Prepared (berett).
    Prepared {
        /// The body.
        body: BodyId,
        /// The bodies it moves on to.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        next: Vec<BodyId>,
    },
    /// Sent on consultation (remiss).
    RemissSent {
        /// The body.
        body: BodyId,
        /// Comments due by.
        #[serde(serialize_with = "crate::json::date")]
        deadline: NaiveDate,
    },
    /// The consultation's responses worked in.
    ResponsesWorkedIn {
        /// The body.
        body: BodyId,
        /// How many comments were handled.
        comments: u32,
        /// The bodies it moves on to.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        next: Vec<BodyId>,
    },
    /// A direction decided (inriktningsbeslut).
    DirectionDecided {
        /// The body.
        body: BodyId,
        /// The direction, as entered.
        direction: String,
    },
    /// Recommended to the next step.
    Recommended {
        /// The body.
        body: BodyId,
        /// The bodies it is recommended to.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        to: Vec<BodyId>,
        /// The recommendation, as entered.
        recommendation: String,
    },
    /// The parties' readiness checked.
    ReadinessChecked {
        /// The body.
        body: BodyId,
        /// Ready for the decision process.
        ready: bool,
        /// The bodies it moves on to.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        next: Vec<BodyId>,
    },
    /// Decided (approved with clauses, or rejected).
    Decided {
        /// The body.
        body: BodyId,
        /// Approved.
        approved: bool,
        /// The decision's clauses (att-satser), as entered.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        clauses: Vec<String>,
        /// The bodies it moves on to.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        next: Vec<BodyId>,
    },
    /// Sent to political decision in the parties.
    ForwardedToPolitical {
        /// The body.
        body: BodyId,
        /// The bodies it moves on to.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        next: Vec<BodyId>,
    },
    /// Referred back (återremitterat).
    ReferredBack {
        /// The body.
        body: BodyId,
        /// The body it goes back to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<BodyId>,
        /// The step it goes back to.
        step: crate::ids::StepId,
        /// The instructions, as entered.
        instructions: String,
    },
    /// Tabled (bordlagt).
    Tabled {
        /// The body.
        body: BodyId,
        /// The meeting it is tabled to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        meeting: Option<MeetingId>,
        /// That meeting's day.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[serde(serialize_with = "crate::json::opt_date")]
        on: Option<NaiveDate>,
    },
    /// Dropped from a meeting's agenda (utgick).
    Dropped {
        /// The body.
        body: BodyId,
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<DropCause>,
        /// The meeting it moves to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        moved_to: Option<MeetingId>,
        /// That meeting's day.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[serde(serialize_with = "crate::json::opt_date")]
        on: Option<NaiveDate>,
    },
    /// Withdrawn (återtaget).
    Withdrawn {
        /// Why, as entered.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Noted and filed (lagt till handlingarna).
    Filed {
        /// The body.
        body: BodyId,
    },
    /// Escalated to another route.
    Escalated {
        /// The route.
        route: RouteId,
        /// Why, as entered.
        reason: String,
    },
    /// A party's political decision.
    PoliticalDecision {
        /// The party.
        party: PartyId,
        /// Adopted (else rejected).
        adopted: bool,
        /// The day.
        #[serde(serialize_with = "crate::json::date")]
        on: NaiveDate,
    },
    /// Handling concluded.
    Concluded {
        /// How.
        outcome: FinalOutcome,
    },
    /// Enters into force.
    EnteredIntoForce {
        /// The day.
        #[serde(serialize_with = "crate::json::date")]
        on: NaiveDate,
    },
    /// Followed up.
    FollowedUp {
        /// The note, as entered.
        note: String,
    },
    /// Being revised: a new version has started.
    Revised,
    /// Its validity extended.
    Extended {
        /// Until.
        #[serde(serialize_with = "crate::json::date")]
        until: NaiveDate,
    },
    /// An assignment (uppdrag) given in the matter was reported back (återrapporterat).
    AssignmentReported {
        /// The body that gave the assignment.
        issuer: BodyId,
        /// The report, as entered.
        report: String,
        /// The day.
        #[serde(serialize_with = "crate::json::date")]
        on: NaiveDate,
    },
}

/// The prose of a notification written before the facts (schema 1), kept so that an
/// old outbox row still renders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LegacyText {
    /// What happened, in Swedish.
    pub summary_sv: String,
    /// What happened, in English.
    pub summary_en: String,
}

/// A notification, as written to the outbox (JSON, see the module docs) and rendered
/// by the dispatcher. Which fields a kind fills is said on each field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", try_from = "wire::Wire")]
pub struct Notification {
    /// The schema version it was written with ([`SCHEMA`] for new facts; 1 for rows
    /// written before).
    pub schema: u32,
    /// The kind.
    pub kind: NotificationKind,
    /// The organisation.
    pub tenant: TenantId,
    /// The day it was written (local).
    #[serde(serialize_with = "crate::json::date")]
    pub date: NaiveDate,
    /// Who gets it, each with their language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<Recipient>,
    /// The matter it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matter: Option<MatterId>,
    /// The matter's title, as entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matter_title: Option<String>,
    /// The body it is about (the meeting's first body, the remiss's sender, the
    /// assignment's issuer, where the change happened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyId>,
    /// The meeting it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<MeetingRef>,
    /// The assignment it is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<AssignmentId>,
    /// A deadline (remiss, call for matters, assignment due).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::json::opt_date")]
    pub deadline: Option<NaiveDate>,
    /// The paragraph (§) of the minutes it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<Paragraph>,
    /// Feedback: what happened, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    /// Feedback about an item dropped at a meeting: the next meeting of the bodies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_meeting: Option<MeetingRef>,
    /// Call for matters: matters are to be submitted by this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::json::opt_date")]
    pub submit_by: Option<NaiveDate>,
    /// Call for matters: documents are to be ready by this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(serialize_with = "crate::json::opt_date")]
    pub documents_by: Option<NaiveDate>,
    /// Notice: the agenda, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agenda: Vec<AgendaEntry>,
    /// Notice: the documents (handlingar).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<NoticeDocument>,
    /// Notice: what is expected of the members, as entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// Notice: the substitutes called.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub substitutes: Vec<Substitution>,
    /// Notice: a revised notice (a notice was sent before).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revised: bool,
    /// Notice: the meeting was moved or cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_change: Option<MeetingChange>,
    /// Minutes: notes or formal minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes_kind: Option<MinutesKind>,
    /// Minutes: how and when they were adjusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjusted: Option<Adjusted>,
    /// Minutes sent back: who declined to adjust them, when and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declined: Option<AdjustmentDeclined>,
    /// Assignment: what is to be done, as entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_title: Option<String>,
    /// Assignment: who carries it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<AssignedTo>,
    /// Assignment: the working group formed for it, by name as entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_group: Option<String>,
    /// Remiss: who receives it, as entered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receivers: Vec<String>,
    /// Remiss: the edition of the documents, as entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<String>,
    /// A date due: which date of the matter (its day is `deadline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_step: Option<DueStep>,
    /// The party it concerns (a date due towards a party's legal force).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<crate::ids::PartyId>,
    /// Further facts an embedder adds (e.g. [`detail::ORGANIZER_EMAIL`]); the engine
    /// writes none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
    /// The prose of a schema-1 row (never written by the engine).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy: Option<LegacyText>,
}

impl Notification {
    /// A notification with the required fields and everything else empty.
    pub fn new(kind: NotificationKind, tenant: TenantId, date: NaiveDate) -> Self {
        Notification {
            schema: SCHEMA,
            kind,
            tenant,
            date,
            recipients: Vec::new(),
            matter: None,
            matter_title: None,
            body: None,
            meeting: None,
            assignment: None,
            deadline: None,
            paragraph: None,
            changes: Vec::new(),
            next_meeting: None,
            submit_by: None,
            documents_by: None,
            agenda: Vec::new(),
            documents: Vec::new(),
            expected: None,
            substitutes: Vec::new(),
            revised: false,
            meeting_change: None,
            minutes_kind: None,
            adjusted: None,
            declined: None,
            assignment_title: None,
            assigned_to: None,
            working_group: None,
            receivers: Vec::new(),
            edition: None,
            due_step: None,
            party: None,
            details: BTreeMap::new(),
            legacy: None,
        }
    }

    /// A notification about a planned meeting (as it stands): its first body and its
    /// [`MeetingRef`].
    pub fn about_meeting(
        kind: NotificationKind,
        org: &Organisation,
        plan: &PlannedMeeting,
        date: NaiveDate,
    ) -> Self {
        let mut n = Notification::new(kind, org.tenant.clone(), date);
        n.body = plan.bodies.first().cloned();
        n.meeting = Some(MeetingRef::of(org, plan));
        n
    }

    /// The call for matters (inhämtning av frågor) of a meeting: matters by its
    /// call-for-matters date, documents ready by its notice date. The one builder the
    /// meeting command and the schedule's preview share.
    pub fn call_for_matters(
        org: &Organisation,
        plan: &PlannedMeeting,
        date: NaiveDate,
        recipients: impl IntoIterator<Item = Recipient>,
    ) -> Self {
        let mut n = Notification::about_meeting(NotificationKind::CallForMatters, org, plan, date);
        n.submit_by = Some(plan.call_for_matters);
        n.documents_by = Some(plan.notice);
        n.deadline = Some(plan.notice);
        n.add_recipients(recipients);
        n
    }

    /// The notice (kallelse) of a meeting. The one builder the meeting command and the
    /// schedule's preview share.
    pub fn notice(
        org: &Organisation,
        plan: &PlannedMeeting,
        date: NaiveDate,
        facts: NoticeFacts,
        recipients: impl IntoIterator<Item = Recipient>,
    ) -> Self {
        let mut n = Notification::about_meeting(NotificationKind::Notice, org, plan, date);
        n.agenda = facts.agenda;
        n.documents = facts.documents;
        n.expected = facts.expected;
        n.substitutes = facts.substitutes;
        n.revised = facts.revised;
        n.add_recipients(recipients);
        n
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

    /// Adds recipients who can be reached (a person or an address), each once.
    pub fn add_recipients(&mut self, rs: impl IntoIterator<Item = Recipient>) {
        for r in rs {
            if r.person.is_some() || r.email.is_some() {
                self.add_recipient(r);
            }
        }
    }

    /// The languages its recipients read, each once, in the order first met.
    pub fn languages(&self) -> Vec<Language> {
        let mut out = Vec::with_capacity(2);
        for r in &self.recipients {
            if !out.contains(&r.language) {
                out.push(r.language);
            }
        }
        out
    }
}

/// What a notice carries besides the meeting and its recipients.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoticeFacts {
    /// The agenda.
    pub agenda: Vec<AgendaEntry>,
    /// The documents.
    pub documents: Vec<NoticeDocument>,
    /// What is expected of the members.
    pub expected: Option<String>,
    /// The substitutes called.
    pub substitutes: Vec<Substitution>,
    /// A notice was sent before.
    pub revised: bool,
}

/// Well-known keys of [`Notification::details`], which embedders may fill.
pub mod detail {
    /// The organiser's e-mail address (the secretary), for the calendar invitation.
    pub const ORGANIZER_EMAIL: &str = "organizer_email";
    /// The organiser's name.
    pub const ORGANIZER_NAME: &str = "organizer_name";
}

/// The serde form read from the outbox: today's facts and schema-1 rows.
mod wire {
    use super::*;

    /// An agenda item: a line of text (schema 1) or an entry.
    #[derive(Deserialize)]
    #[serde(untagged)]
    pub(super) enum AgendaWire {
        Line(String),
        Entry(AgendaEntry),
    }

    /// Every field of either form; `schema` absent means schema 1.
    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub(super) struct Wire {
        #[serde(default)]
        schema: Option<u32>,
        kind: NotificationKind,
        tenant: TenantId,
        date: NaiveDate,
        #[serde(default)]
        recipients: Vec<Recipient>,
        #[serde(default)]
        matter: Option<MatterId>,
        #[serde(default, alias = "matter_title")]
        matter_title: Option<String>,
        #[serde(default)]
        body: Option<BodyId>,
        #[serde(default)]
        meeting: Option<MeetingRef>,
        #[serde(default)]
        assignment: Option<AssignmentId>,
        #[serde(default)]
        #[serde(serialize_with = "crate::json::opt_date")]
        deadline: Option<NaiveDate>,
        #[serde(default)]
        paragraph: Option<Paragraph>,
        #[serde(default)]
        changes: Vec<Change>,
        #[serde(default)]
        next_meeting: Option<MeetingRef>,
        #[serde(default)]
        #[serde(serialize_with = "crate::json::opt_date")]
        submit_by: Option<NaiveDate>,
        #[serde(default)]
        #[serde(serialize_with = "crate::json::opt_date")]
        documents_by: Option<NaiveDate>,
        #[serde(default)]
        agenda: Vec<AgendaWire>,
        #[serde(default)]
        documents: Vec<NoticeDocument>,
        #[serde(default)]
        expected: Option<String>,
        #[serde(default)]
        substitutes: Vec<Substitution>,
        #[serde(default)]
        revised: bool,
        #[serde(default)]
        meeting_change: Option<MeetingChange>,
        #[serde(default)]
        minutes_kind: Option<MinutesKind>,
        #[serde(default)]
        adjusted: Option<Adjusted>,
        #[serde(default)]
        declined: Option<AdjustmentDeclined>,
        #[serde(default)]
        assignment_title: Option<String>,
        #[serde(default)]
        assigned_to: Option<AssignedTo>,
        #[serde(default)]
        working_group: Option<String>,
        #[serde(default)]
        receivers: Vec<String>,
        #[serde(default)]
        edition: Option<String>,
        #[serde(default)]
        due_step: Option<DueStep>,
        #[serde(default)]
        party: Option<crate::ids::PartyId>,
        #[serde(default)]
        details: BTreeMap<String, String>,
        #[serde(default)]
        legacy: Option<LegacyText>,
        // Schema 1 only (snake-case keys).
        #[serde(default, alias = "summary_sv")]
        summary_sv: Option<String>,
        #[serde(default, alias = "summary_en")]
        summary_en: Option<String>,
    }

    /// A row of a schema this build does not know.
    #[derive(Debug)]
    pub(super) struct UnknownSchema(u32);

    impl std::fmt::Display for UnknownSchema {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(
                f,
                "notification schema {} is newer than this build reads (up to {SCHEMA})",
                self.0
            )
        }
    }

    impl TryFrom<Wire> for Notification {
        type Error = UnknownSchema;

        fn try_from(w: Wire) -> Result<Self, UnknownSchema> {
            let schema = w.schema.unwrap_or(1);
            if schema > SCHEMA {
                return Err(UnknownSchema(schema));
            }
            let legacy = match (w.summary_sv, w.summary_en) {
                (None, None) => w.legacy,
                (sv, en) => Some(LegacyText {
                    summary_sv: sv.unwrap_or_default(),
                    summary_en: en.unwrap_or_default(),
                }),
            };
            let agenda = w
                .agenda
                .into_iter()
                .enumerate()
                .map(|(i, a)| match a {
                    AgendaWire::Line(l) => AgendaEntry::from_line(&l, i as u32 + 1),
                    AgendaWire::Entry(e) => e,
                })
                .collect();
            let mut details = w.details;
            let mut expected = w.expected;
            let mut documents = w.documents;
            if schema == 1 {
                // Schema 1 kept these in the details as text.
                if expected.is_none() {
                    expected = details.remove("expected");
                }
                if documents.is_empty()
                    && let Some(d) = details.remove("documents")
                {
                    documents = d
                        .split(['\n', ';'])
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(|t| NoticeDocument {
                            title: t.to_owned(),
                            reference: None,
                        })
                        .collect();
                }
            }
            let date_detail = |details: &BTreeMap<String, String>, key: &str| {
                details
                    .get(key)
                    .and_then(|v| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok())
            };
            let submit_by = w.submit_by.or_else(|| date_detail(&details, "submit_by"));
            let documents_by = w
                .documents_by
                .or_else(|| date_detail(&details, "documents_by"));
            Ok(Notification {
                schema,
                kind: w.kind,
                tenant: w.tenant,
                date: w.date,
                recipients: w.recipients,
                matter: w.matter,
                matter_title: w.matter_title,
                body: w.body,
                meeting: w.meeting,
                assignment: w.assignment,
                deadline: w.deadline,
                paragraph: w.paragraph,
                changes: w.changes,
                next_meeting: w.next_meeting,
                submit_by,
                documents_by,
                agenda,
                documents,
                expected,
                substitutes: w.substitutes,
                revised: w.revised,
                meeting_change: w.meeting_change,
                minutes_kind: w.minutes_kind,
                adjusted: w.adjusted,
                declined: w.declined,
                assignment_title: w.assignment_title,
                assigned_to: w.assigned_to,
                working_group: w.working_group,
                receivers: w.receivers,
                edition: w.edition,
                due_step: w.due_step,
                party: w.party,
                details,
                legacy,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    fn feedback() -> Notification {
        let mut n = Notification::new(
            NotificationKind::Feedback,
            TenantId::new("orebro"),
            d(2024, 10, 15),
        );
        n.matter = Some(MatterId(uuid::Uuid::nil()));
        n.matter_title = Some("Familjecentraler".into());
        n.body = Some(BodyId::new("sbu"));
        n.changes.push(Change::Scheduled {
            body: BodyId::new("sbu"),
            meeting: MeetingId::new("sbu-2024-10-15"),
            on: Some(d(2024, 10, 15)),
        });
        n.add_recipient(Recipient {
            person: Some(PersonId::new("susann")),
            name: "Susann Cederlund".into(),
            email: Some("susann@example.se".into()),
            reason: RecipientReason::Submitter,
            language: Language::English,
        });
        n
    }

    #[test]
    fn the_outbox_form_is_kebab_case_with_the_schema_and_no_empty_fields() {
        let json = serde_json::to_string(&feedback()).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"schema":2,"kind":"feedback","tenant":"orebro","date":"2024-10-15","#,
                r#""recipients":[{"person":"susann","name":"Susann Cederlund","#,
                r#""email":"susann@example.se","reason":"submitter","language":"en"}],"#,
                r#""matter":"00000000-0000-0000-0000-000000000000","#,
                r#""matter-title":"Familjecentraler","body":"sbu","#,
                r#""changes":[{"what":"scheduled","body":"sbu","meeting":"sbu-2024-10-15","#,
                r#""on":"2024-10-15"}]}"#
            )
        );
        let back: Notification = serde_json::from_str(&json).unwrap();
        assert_eq!(back, feedback());
    }

    #[test]
    fn a_schema_one_row_reads_with_its_prose_agenda_lines_and_details() {
        // As the engine wrote notices before the facts (summary_sv/summary_en, agenda
        // lines, details as text, snake-case keys).
        let old = r#"{"kind":"notice","tenant":"orebro","recipients":[{"person":"ingmar",
            "name":"Ingmar Ångman","email":"ingmar@example.se","reason":"officer"}],
            "matter":null,"matter_title":null,"body":"sbu","meeting":{"id":"sbu-2024-10-15",
            "body_name":"Samverkansgrupp barn och unga","start":"2024-10-15T08:00:00Z",
            "end":"2024-10-15T10:00:00Z","location":"Hjortkvarn","sequence":0},
            "assignment":null,"deadline":null,
            "summary_sv":"Kallelse till Samverkansgrupp barn och unga, 2024-10-15.",
            "summary_en":"Notice to Samverkansgrupp barn och unga, 2024-10-15.",
            "agenda":["1. Välkommen (för information)","4. Familjecentraler (för beslut)"],
            "details":{"expected":"Läs utkastet","documents":"Utkast; Bilaga",
            "submit_by":"2024-09-15"},"date":"2024-10-01"}"#;
        let n: Notification = serde_json::from_str(old).unwrap();
        assert_eq!(n.schema, 1);
        assert_eq!(n.kind, NotificationKind::Notice);
        assert_eq!(
            n.legacy.as_ref().map(|l| l.summary_en.as_str()),
            Some("Notice to Samverkansgrupp barn och unga, 2024-10-15.")
        );
        assert_eq!(n.agenda[1].number, 4);
        assert_eq!(n.agenda[1].title, "Familjecentraler (för beslut)");
        assert_eq!(n.expected.as_deref(), Some("Läs utkastet"));
        assert_eq!(n.documents.len(), 2);
        assert_eq!(n.submit_by, Some(d(2024, 9, 15)));
        assert_eq!(n.recipients[0].language, Language::Swedish);
        assert_eq!(
            n.meeting.as_ref().map(|m| m.body_name.as_str()),
            Some("Samverkansgrupp barn och unga")
        );
        // Read again after writing: the same notification.
        let again: Notification =
            serde_json::from_str(&serde_json::to_string(&n).unwrap()).unwrap();
        assert_eq!(again, n);
    }

    #[test]
    fn a_row_of_a_newer_schema_is_refused_naming_it() {
        let e = serde_json::from_str::<Notification>(
            r#"{"schema":9,"kind":"notice","tenant":"orebro","date":"2024-10-01"}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("notification schema 9"), "{e}");
    }

    #[test]
    fn recipients_are_added_once_and_only_when_reachable() {
        let mut n = feedback();
        n.add_recipients([
            Recipient::by_address("Ingen".into(), None, RecipientReason::Follower),
            Recipient::by_address(
                "Norr".into(),
                Some("norr@example.se".into()),
                RecipientReason::Follower,
            ),
            Recipient::by_address(
                "Norr igen".into(),
                Some("norr@example.se".into()),
                RecipientReason::Follower,
            ),
        ]);
        let names: Vec<&str> = n.recipients.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Susann Cederlund", "Norr"]);
        assert_eq!(n.languages(), [Language::English, Language::Swedish]);
    }
}
