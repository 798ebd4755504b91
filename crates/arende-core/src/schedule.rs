//! The notification schedule, as a pure function: given the organisation, what has been
//! sent for each meeting, the open consultations (remisser) and assignments, and a
//! window of days, which call-for-matters, notice, reminder and assignment-due messages
//! are due. The dispatcher's scheduler (in `arende-notify`) calls [`due_messages`] each
//! day of (real or simulated) time and records each due message once.
//!
//! Rules (lead times from the organisation; the rest from [`ScheduleRules`]):
//! - **Call for matters** (inhämtning av frågor) on the meeting's `call_for_matters`
//!   date, to the members and officers of its bodies
//!   ([`call_recipients`]) and the bodies' followers.
//! - **Notice** (kallelse) on the meeting's `notice` date, to everyone called
//!   ([`notice_recipients`]: members, officers, the
//!   substitutes serving for absent members) and followers, with the agenda, documents
//!   and what is expected of the members.
//! - **Remiss reminder** [`ScheduleRules::remiss_reminder`] before a consultation's
//!   deadline, to the recipients who have not answered.
//! - **Assignment due** [`ScheduleRules::assignment_due`] before an assignment's due
//!   date, to its assignees and the followers of its matter, unless reported back.
//! - **Date due** ([`DateState`]): the day after a party's minutes were due to be
//!   adjusted (14 days) or the notice due on its notice board (2 days) without either
//!   recorded, to the political body's secretaries; [`ScheduleRules::date_due`] (30
//!   days) before a follow-up or the end of a matter's validity, to the secretaries of
//!   the body that administers it; and to the matter's followers.
//!
//! A message is due when its send date lies in the window, it has not been sent, and
//! what it is about has not yet happened (a notice for a meeting that has been held is
//! not sent late). Cancelled meetings get nothing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{AssignmentId, BodyId, MatterId, MeetingId, PartyId, PersonId};
use crate::meeting::{
    AgendaItem, SubstituteFor, call_recipients, expanded_bodies, notice_recipients,
};
use crate::notification::{
    AgendaEntry, DueStep, NoticeDocument, NoticeFacts, Notification, NotificationKind, Recipient,
    Substitution,
};
use crate::org::{LeadTime, MeetingStatus, Organisation, PlannedMeeting};

/// Lead times of the messages the organisation's lead-time rules do not cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleRules {
    /// The reminder before a remiss deadline goes out this long before it.
    pub remiss_reminder: LeadTime,
    /// The assignment-due message goes out this long before the due date.
    pub assignment_due: LeadTime,
    /// A matter's follow-up or end of validity is reminded this long before it.
    pub date_due: LeadTime,
}

impl Default for ScheduleRules {
    fn default() -> Self {
        ScheduleRules {
            remiss_reminder: LeadTime::Weeks(1),
            assignment_due: LeadTime::Weeks(1),
            date_due: LeadTime::Days(30),
        }
    }
}

/// A span of local days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    /// The first day.
    pub from: NaiveDate,
    /// The last day (usually today).
    pub to: NaiveDate,
}

impl Window {
    /// A window of one day.
    pub fn day(date: NaiveDate) -> Self {
        Window {
            from: date,
            to: date,
        }
    }

    /// Whether `date` lies in the window.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// What is known about a meeting that the schedule needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingState {
    /// The call for matters has been sent.
    pub call_for_matters_sent: bool,
    /// The notice has been sent.
    pub notice_sent: bool,
    /// The agenda the notice carries (the scheduler fills in the proposed agenda, as
    /// the notice command sends it).
    pub agenda: Vec<AgendaItem>,
    /// The documents sent with the notice.
    pub documents: Vec<NoticeDocument>,
    /// What is expected of the members (förväntan), stated in the notice.
    pub expected: Option<String>,
    /// Members who have announced they cannot come: the substitutes the configuration
    /// names for them (`substitute_for`) are called.
    pub absent: BTreeSet<PersonId>,
    /// Substitutes called by name, and whom they replace.
    pub substitutes_called: Vec<SubstituteFor>,
}

impl MeetingState {
    /// The substitutes serving: those called by name, and the configured substitutes of
    /// the absent members of the meeting's bodies.
    pub fn serving(&self, org: &Organisation, bodies: &[BodyId]) -> Vec<SubstituteFor> {
        let bodies = expanded_bodies(org, bodies);
        let mut out = self.substitutes_called.clone();
        for m in org
            .memberships
            .iter()
            .filter(|m| bodies.contains(&m.body) && m.role == crate::org::Role::Substitute)
        {
            if let Some(member) = m
                .substitute_for
                .as_ref()
                .filter(|x| self.absent.contains(*x))
                && !out.iter().any(|s| s.substitute == m.person)
            {
                out.push(SubstituteFor {
                    substitute: m.person.clone(),
                    member: member.clone(),
                });
            }
        }
        out
    }
}

/// An open consultation (remiss) of a matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemissState {
    /// A key naming this consultation within the matter (a matter may go on remiss
    /// more than once), e.g. `2024-11-15`.
    pub key: String,
    /// The matter.
    pub matter: MatterId,
    /// The matter's title.
    pub matter_title: String,
    /// The body that sent it, if any.
    pub body: Option<BodyId>,
    /// Answers are due by this date (synpunkter senast).
    pub deadline: NaiveDate,
    /// The recipients.
    pub recipients: Vec<Recipient>,
    /// The recipients who have answered, by [`recipient_key`].
    pub answered: BTreeSet<String>,
    /// The reminder has been sent.
    pub reminder_sent: bool,
}

/// An assignment (uppdrag) that is not yet reported back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentState {
    /// The assignment.
    pub assignment: AssignmentId,
    /// What is to be done.
    pub title: String,
    /// The body that gave it.
    pub issuer: BodyId,
    /// Who carries it out.
    pub assignees: Vec<Recipient>,
    /// Due date.
    pub due: NaiveDate,
    /// The matter it reports back into.
    pub matter: Option<MatterId>,
    /// The matter's title.
    pub matter_title: Option<String>,
    /// Reported back (done): nothing more is due.
    pub reported: bool,
    /// The assignment-due message has been sent.
    pub due_sent: bool,
}

/// Who follows what (subscriptions): they get the notifications of a body or a matter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Followers {
    /// Followers of a body.
    pub bodies: BTreeMap<BodyId, Vec<Recipient>>,
    /// Followers of a matter.
    pub matters: BTreeMap<MatterId, Vec<Recipient>>,
}

/// Everything the schedule looks at besides the organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleState {
    /// Per meeting; a meeting not listed has had nothing sent.
    pub meetings: BTreeMap<MeetingId, MeetingState>,
    /// Open consultations.
    pub remisses: Vec<RemissState>,
    /// Open assignments.
    pub assignments: Vec<AssignmentState>,
    /// Subscriptions.
    pub followers: Followers,
    /// Dates of matters to watch: steps towards a party's legal force not yet
    /// recorded, follow-ups and ends of validity.
    #[serde(default)]
    pub dates: Vec<DateState>,
}

/// A date of a matter to watch (see [`DueStep`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateState {
    /// The matter.
    pub matter: MatterId,
    /// Its title.
    pub matter_title: String,
    /// Which date.
    pub step: DueStep,
    /// The date: the adjustment or notice due by it (reminded the day after, when it
    /// is overdue), the follow-up or end of validity (reminded
    /// [`ScheduleRules::date_due`] before it).
    pub date: NaiveDate,
    /// The party, for a step towards its legal force.
    pub party: Option<PartyId>,
    /// The body concerned: the party's political body, else the body that administers
    /// the matter.
    pub body: BodyId,
    /// Who is reminded (the body's secretaries).
    pub recipients: Vec<Recipient>,
    /// The reminder has been sent.
    pub sent: bool,
}

impl DateState {
    /// The key of its reminder, unique for all time.
    pub fn key(&self) -> String {
        match &self.party {
            Some(p) => format!(
                "date-due/{}/{}/{p}/{}",
                self.matter,
                self.step.name(),
                self.date
            ),
            None => format!(
                "date-due/{}/{}/{}",
                self.matter,
                self.step.name(),
                self.date
            ),
        }
    }

    /// The day its reminder is due.
    pub fn send_on(&self, rules: &ScheduleRules) -> NaiveDate {
        match self.step {
            DueStep::Adjustment | DueStep::Announcement => {
                self.date.succ_opt().unwrap_or(self.date)
            }
            DueStep::FollowUp | DueStep::ValidUntil => rules.date_due.before(self.date),
        }
    }
}

/// What a due message is about, so the caller can record it as sent in the right place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DueSubject {
    /// A meeting (call for matters, notice).
    Meeting(MeetingId),
    /// A consultation of a matter, by its key.
    Remiss {
        /// The matter.
        matter: MatterId,
        /// The consultation's key.
        key: String,
    },
    /// An assignment.
    Assignment(AssignmentId),
    /// A date of a matter ([`DateState`]).
    Date {
        /// The matter.
        matter: MatterId,
        /// Which date.
        step: DueStep,
    },
}

/// A message that is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    /// A key unique to this message for all time, e.g. `notice/sbu-2024-10-15`: the
    /// scheduler records each key once.
    pub key: String,
    /// The day it is due to be sent.
    pub send_on: NaiveDate,
    /// What it is about.
    pub subject: DueSubject,
    /// The notification to write to the outbox.
    pub notification: Notification,
}

/// The key a recipient is known by in [`RemissState::answered`]: the person id, else
/// the e-mail address, else the name.
pub fn recipient_key(r: &Recipient) -> String {
    match (&r.person, &r.email) {
        (Some(p), _) => p.to_string(),
        (None, Some(e)) => e.to_lowercase(),
        (None, None) => r.name.clone(),
    }
}

/// The messages due in `window`, in send-date order (then by key).
pub fn due_messages(
    org: &Organisation,
    state: &ScheduleState,
    rules: &ScheduleRules,
    window: Window,
) -> Vec<Due> {
    let mut out = Vec::new();
    let nothing_sent = MeetingState::default();
    for m in &org.meetings {
        if m.status == MeetingStatus::Cancelled {
            continue;
        }
        let ms = state.meetings.get(&m.id).unwrap_or(&nothing_sent);
        // Nothing is sent for a meeting that has been held.
        if m.date <= window.to {
            continue;
        }
        if !ms.call_for_matters_sent && window.contains(m.call_for_matters) {
            out.push(call_for_matters(org, m, window.to, &state.followers));
        }
        if !ms.notice_sent && window.contains(m.notice) {
            out.push(notice(org, m, ms, window.to, &state.followers));
        }
    }
    for r in &state.remisses {
        let send_on = rules.remiss_reminder.before(r.deadline);
        if r.reminder_sent || !window.contains(send_on) || r.deadline < window.to {
            continue;
        }
        if let Some(d) = remiss_reminder(org, r, send_on, window.to) {
            out.push(d);
        }
    }
    for a in &state.assignments {
        let send_on = rules.assignment_due.before(a.due);
        if a.reported || a.due_sent || !window.contains(send_on) || a.due < window.to {
            continue;
        }
        out.push(assignment_due(org, a, send_on, window.to, &state.followers));
    }
    for x in &state.dates {
        let send_on = x.send_on(rules);
        // A follow-up or end of validity already passed is not reminded late.
        let passed =
            matches!(x.step, DueStep::FollowUp | DueStep::ValidUntil) && x.date < window.to;
        if x.sent || passed || !window.contains(send_on) || x.recipients.is_empty() {
            continue;
        }
        out.push(date_due(org, x, send_on, window.to, &state.followers));
    }
    out.sort_by(|a, b| (a.send_on, &a.key).cmp(&(b.send_on, &b.key)));
    out
}

fn date_due(
    org: &Organisation,
    x: &DateState,
    send_on: NaiveDate,
    today: NaiveDate,
    f: &Followers,
) -> Due {
    let mut n = Notification::new(NotificationKind::DateDue, org.tenant.clone(), today);
    n.matter = Some(x.matter);
    n.matter_title = Some(x.matter_title.clone());
    n.body = Some(x.body.clone());
    n.deadline = Some(x.date);
    n.due_step = Some(x.step);
    n.party = x.party.clone();
    for r in &x.recipients {
        n.add_recipient(r.clone());
    }
    for r in f.matters.get(&x.matter).into_iter().flatten() {
        n.add_recipient(r.clone());
    }
    Due {
        key: x.key(),
        send_on,
        subject: DueSubject::Date {
            matter: x.matter,
            step: x.step,
        },
        notification: n,
    }
}

/// The followers of a meeting's bodies (joint sessions expanded), in body order: the
/// same people, in the same order, as the meeting commands gather them.
fn body_followers<'a>(
    org: &Organisation,
    m: &PlannedMeeting,
    f: &'a Followers,
) -> impl Iterator<Item = Recipient> + 'a {
    expanded_bodies(org, &m.bodies)
        .into_iter()
        .flat_map(move |b| f.bodies.get(&b).into_iter().flatten().cloned())
}

fn call_for_matters(
    org: &Organisation,
    m: &PlannedMeeting,
    today: NaiveDate,
    f: &Followers,
) -> Due {
    // The same builder as the call command (`Engine::send_call_for_matters`).
    let n = Notification::call_for_matters(
        org,
        m,
        today,
        call_recipients(org, &m.bodies)
            .into_iter()
            .chain(body_followers(org, m, f)),
    );
    Due {
        key: format!("call-for-matters/{}", m.id),
        send_on: m.call_for_matters,
        subject: DueSubject::Meeting(m.id.clone()),
        notification: n,
    }
}

fn notice(
    org: &Organisation,
    m: &PlannedMeeting,
    ms: &MeetingState,
    today: NaiveDate,
    f: &Followers,
) -> Due {
    // The same builder as the notice command (`Engine::send_notice`).
    let serving = ms.serving(org, &m.bodies);
    let facts = NoticeFacts {
        agenda: ms.agenda.iter().map(AgendaEntry::from).collect(),
        documents: ms.documents.clone(),
        expected: ms.expected.clone(),
        substitutes: serving.iter().map(Substitution::from).collect(),
        revised: false,
    };
    let n = Notification::notice(
        org,
        m,
        today,
        facts,
        notice_recipients(org, &m.bodies, &ms.agenda, &serving)
            .into_iter()
            .chain(body_followers(org, m, f)),
    );
    Due {
        key: format!("notice/{}", m.id),
        send_on: m.notice,
        subject: DueSubject::Meeting(m.id.clone()),
        notification: n,
    }
}

fn remiss_reminder(
    org: &Organisation,
    r: &RemissState,
    send_on: NaiveDate,
    today: NaiveDate,
) -> Option<Due> {
    let mut n = Notification::new(NotificationKind::RemissReminder, org.tenant.clone(), today);
    n.matter = Some(r.matter);
    n.matter_title = Some(r.matter_title.clone());
    n.body = r.body.clone();
    n.deadline = Some(r.deadline);
    for rec in r
        .recipients
        .iter()
        .filter(|rec| !r.answered.contains(&recipient_key(rec)))
    {
        n.add_recipient(rec.clone());
    }
    if n.recipients.is_empty() {
        return None;
    }
    Some(Due {
        key: format!("remiss-reminder/{}/{}", r.matter, r.key),
        send_on,
        subject: DueSubject::Remiss {
            matter: r.matter,
            key: r.key.clone(),
        },
        notification: n,
    })
}

fn assignment_due(
    org: &Organisation,
    a: &AssignmentState,
    send_on: NaiveDate,
    today: NaiveDate,
    f: &Followers,
) -> Due {
    let mut n = Notification::new(NotificationKind::AssignmentDue, org.tenant.clone(), today);
    n.assignment = Some(a.assignment);
    n.matter = a.matter;
    n.matter_title = a.matter_title.clone();
    n.body = Some(a.issuer.clone());
    n.deadline = Some(a.due);
    n.assignment_title = Some(a.title.clone());
    for r in &a.assignees {
        n.add_recipient(r.clone());
    }
    if let Some(m) = &a.matter {
        for r in f.matters.get(m).into_iter().flatten() {
            n.add_recipient(r.clone());
        }
    }
    Due {
        key: format!("assignment-due/{}", a.assignment),
        send_on,
        subject: DueSubject::Assignment(a.assignment),
        notification: n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PartyId;
    use crate::notification::RecipientReason;
    use crate::testing::{self, d, person_record};

    /// The test county with only sbu's meetings planned: the schedule of one body.
    fn sbu_only() -> Organisation {
        let mut org = testing::org();
        org.meetings.retain(|m| m.bodies == [BodyId::new("sbu")]);
        org
    }

    fn names(due: &Due) -> Vec<&str> {
        due.notification
            .recipients
            .iter()
            .filter_map(|r| r.person.as_ref().map(|p| p.as_str()))
            .collect()
    }

    #[test]
    fn calls_and_notices_fall_on_their_days_and_nowhere_else() {
        let org = sbu_only();
        let state = ScheduleState::default();
        let rules = ScheduleRules::default();
        let mut sent: Vec<(NaiveDate, String)> = Vec::new();
        let mut day = d(2024, 8, 1);
        while day <= d(2024, 12, 31) {
            for due in due_messages(&org, &state, &rules, Window::day(day)) {
                assert_eq!(due.send_on, day);
                sent.push((day, due.key));
            }
            day = day.succ_opt().unwrap();
        }
        // A month and two weeks before, on the working day before when that falls on a
        // weekend (Sunday 15 September: Friday 13 September).
        assert_eq!(
            sent,
            vec![
                (d(2024, 9, 13), "call-for-matters/sbu-2024-10-15".into()),
                (d(2024, 10, 1), "notice/sbu-2024-10-15".into()),
                (d(2024, 11, 13), "call-for-matters/sbu-2024-12-13".into()),
                (d(2024, 11, 29), "notice/sbu-2024-12-13".into()),
            ]
        );
    }

    #[test]
    fn sent_messages_are_not_due_again_and_a_held_meeting_gets_nothing_late() {
        let org = sbu_only();
        let mut state = ScheduleState::default();
        state.meetings.insert(
            MeetingId::new("sbu-2024-10-15"),
            MeetingState {
                call_for_matters_sent: true,
                ..Default::default()
            },
        );
        let wide = Window {
            from: d(2024, 9, 1),
            to: d(2024, 10, 2),
        };
        let due = due_messages(&org, &state, &ScheduleRules::default(), wide);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].key, "notice/sbu-2024-10-15");
        // After the meeting, a window covering the notice date yields nothing for it.
        let late = Window {
            from: d(2024, 9, 1),
            to: d(2024, 10, 15),
        };
        assert!(
            due_messages(&org, &state, &ScheduleRules::default(), late)
                .iter()
                .all(|d| !d.key.ends_with("sbu-2024-10-15"))
        );
    }

    #[test]
    fn the_notice_goes_to_members_officers_and_only_serving_substitutes() {
        let org = sbu_only();
        let mut state = ScheduleState::default();
        state.meetings.insert(
            MeetingId::new("sbu-2024-10-15"),
            MeetingState {
                absent: [PersonId::new("johanna")].into(),
                agenda: vec![
                    AgendaItem::new(1, "Välkommen", crate::meeting::ItemKind::Information),
                    AgendaItem::new(2, "Familjecentraler", crate::meeting::ItemKind::Decision)
                        .presented_by("daniel"),
                ],
                expected: Some("Läs utkastet".into()),
                ..Default::default()
            },
        );
        let due = due_messages(
            &org,
            &state,
            &ScheduleRules::default(),
            Window::day(d(2024, 10, 1)),
        );
        assert_eq!(due.len(), 1);
        // Members (Johanna too, though absent), officers, then Johanna's substitute; not
        // Peter's, since Peter is present.
        assert_eq!(
            names(&due[0]),
            vec![
                "sbu-chair",
                "sbu-member",
                "peter",
                "jaana",
                "johanna",
                "sbu-sec",
                "daniel",
                "ingmar",
                "sub-johanna"
            ]
        );
        let n = &due[0].notification;
        assert_eq!(n.kind, NotificationKind::Notice);
        assert_eq!(n.tenant.as_str(), "orebro");
        assert_eq!(n.agenda.len(), 2);
        assert_eq!(n.agenda[1].title, "Familjecentraler");
        assert_eq!(
            n.agenda[1].kind,
            Some(crate::notification::AgendaKind::Decision)
        );
        assert_eq!(n.expected.as_deref(), Some("Läs utkastet"));
        assert_eq!(
            n.substitutes,
            [Substitution {
                substitute: PersonId::new("sub-johanna"),
                member: PersonId::new("johanna"),
            }]
        );
        let meeting = n.meeting.as_ref().unwrap();
        assert_eq!(meeting.start.to_rfc3339(), "2024-10-15T08:00:00+00:00");
        assert_eq!(
            n.recipients[8].reason,
            RecipientReason::Substitute,
            "the substitute serves for the absent member"
        );
        // The call for matters goes to members and officers only.
        let call = due_messages(
            &org,
            &ScheduleState::default(),
            &ScheduleRules::default(),
            Window::day(d(2024, 9, 13)),
        );
        assert_eq!(
            names(&call[0]),
            vec![
                "sbu-chair",
                "sbu-member",
                "peter",
                "jaana",
                "johanna",
                "sbu-sec",
                "daniel",
                "ingmar"
            ]
        );
        assert_eq!(call[0].notification.deadline, Some(d(2024, 10, 1)));
    }

    #[test]
    fn followers_of_the_body_get_its_meeting_messages() {
        let org = sbu_only();
        let mut state = ScheduleState::default();
        let follower = Recipient::by_address(
            "Länsdel norr".into(),
            Some("norr@example.se".into()),
            RecipientReason::Follower,
        );
        state
            .followers
            .bodies
            .insert(BodyId::new("sbu"), vec![follower.clone()]);
        let due = due_messages(
            &org,
            &state,
            &ScheduleRules::default(),
            Window::day(d(2024, 10, 1)),
        );
        assert!(due[0].notification.recipients.contains(&follower));
    }

    #[test]
    fn cancelled_meetings_get_nothing() {
        let mut org = sbu_only();
        org.meetings[0].status = MeetingStatus::Cancelled;
        let due = due_messages(
            &org,
            &ScheduleState::default(),
            &ScheduleRules::default(),
            Window {
                from: d(2024, 9, 1),
                to: d(2024, 10, 10),
            },
        );
        assert!(due.is_empty());
    }

    fn remiss(answered: &[&str]) -> RemissState {
        RemissState {
            key: "2024-11-15".into(),
            matter: MatterId(uuid::Uuid::nil()),
            matter_title: "Familjecentraler".into(),
            body: Some(BodyId::new("sbu")),
            deadline: d(2024, 12, 31),
            recipients: ["ingmar", "johanna", "daniel"]
                .iter()
                .map(|p| {
                    Recipient::from_person(
                        &person_record(p, p, Some("region")),
                        RecipientReason::Consulted,
                    )
                })
                .collect(),
            answered: answered.iter().map(|s| s.to_string()).collect(),
            reminder_sent: false,
        }
    }

    #[test]
    fn the_remiss_reminder_goes_a_week_before_to_those_who_have_not_answered() {
        let org = sbu_only();
        let mut state = ScheduleState::default();
        state.remisses.push(remiss(&["johanna"]));
        let rules = ScheduleRules::default();
        assert!(due_messages(&org, &state, &rules, Window::day(d(2024, 12, 23))).is_empty());
        let due = due_messages(&org, &state, &rules, Window::day(d(2024, 12, 24)));
        assert_eq!(due.len(), 1);
        assert_eq!(names(&due[0]), vec!["ingmar", "daniel"]);
        assert_eq!(due[0].notification.tenant.as_str(), "orebro");
        // Everyone answered: no reminder.
        state.remisses[0] = remiss(&["ingmar", "johanna", "daniel"]);
        assert!(due_messages(&org, &state, &rules, Window::day(d(2024, 12, 24))).is_empty());
        // Already sent: no reminder.
        state.remisses[0] = remiss(&[]);
        state.remisses[0].reminder_sent = true;
        assert!(due_messages(&org, &state, &rules, Window::day(d(2024, 12, 24))).is_empty());
    }

    #[test]
    fn assignment_due_goes_to_assignees_unless_reported() {
        let org = sbu_only();
        let mut a = AssignmentState {
            assignment: AssignmentId(uuid::Uuid::nil()),
            title: "Revidera överenskommelsen".into(),
            issuer: BodyId::new("sbu"),
            assignees: vec![Recipient::from_person(
                &org.people[&PersonId::new("johanna")],
                RecipientReason::Assignee,
            )],
            due: d(2024, 11, 15),
            matter: None,
            matter_title: None,
            reported: false,
            due_sent: false,
        };
        let rules = ScheduleRules {
            assignment_due: LeadTime::Days(3),
            ..Default::default()
        };
        let mut state = ScheduleState::default();
        state.assignments.push(a.clone());
        let due = due_messages(&org, &state, &rules, Window::day(d(2024, 11, 12)));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].notification.kind, NotificationKind::AssignmentDue);
        assert_eq!(names(&due[0]), vec!["johanna"]);
        a.reported = true;
        state.assignments[0] = a;
        assert!(due_messages(&org, &state, &rules, Window::day(d(2024, 11, 12))).is_empty());
    }

    #[test]
    fn dates_due_are_reminded_once_overdue_or_thirty_days_ahead() {
        let org = sbu_only();
        let secretary = Recipient::from_person(
            &org.people[&PersonId::new("daniel")],
            RecipientReason::Member,
        );
        let adjustment = DateState {
            matter: MatterId(uuid::Uuid::nil()),
            matter_title: "Hemsjukvård".into(),
            step: DueStep::Adjustment,
            date: d(2024, 11, 19),
            party: Some(PartyId::new("region")),
            body: BodyId::new("sbu"),
            recipients: vec![secretary.clone()],
            sent: false,
        };
        let follow_up = DateState {
            step: DueStep::FollowUp,
            date: d(2025, 3, 1),
            party: None,
            ..adjustment.clone()
        };
        let rules = ScheduleRules::default();
        let mut state = ScheduleState {
            dates: vec![adjustment.clone(), follow_up.clone()],
            ..Default::default()
        };
        // Not yet overdue on the due day itself.
        assert!(due_messages(&org, &state, &rules, Window::day(d(2024, 11, 19))).is_empty());
        let due = due_messages(&org, &state, &rules, Window::day(d(2024, 11, 20)));
        assert_eq!(due.len(), 1);
        let n = &due[0].notification;
        assert_eq!(n.kind, NotificationKind::DateDue);
        assert_eq!(n.due_step, Some(DueStep::Adjustment));
        assert_eq!(n.party, Some(PartyId::new("region")));
        assert_eq!(n.deadline, Some(d(2024, 11, 19)));
        assert_eq!(names(&due[0]), vec!["daniel"]);
        assert!(due[0].key.starts_with("date-due/"));
        // The follow-up: 30 days ahead (30 January), not after it has passed.
        let due = due_messages(&org, &state, &rules, Window::day(d(2025, 1, 30)));
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].notification.due_step, Some(DueStep::FollowUp));
        assert_eq!(due[0].send_on, d(2025, 1, 30));
        let late = Window {
            from: d(2025, 1, 25),
            to: d(2025, 3, 2),
        };
        assert!(
            due_messages(&org, &state, &rules, late)
                .iter()
                .all(|x| x.notification.due_step != Some(DueStep::FollowUp))
        );
        // Once sent, never again.
        state.dates[0].sent = true;
        assert!(due_messages(&org, &state, &rules, Window::day(d(2024, 11, 20))).is_empty());
    }
}
