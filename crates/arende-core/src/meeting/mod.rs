//! The meeting (sammanträde) aggregate: call for matters, notice, attendance, agenda,
//! minutes, adjustment and distribution.
//!
//! A meeting's stream is keyed by its [`PlannedMeeting`] id. Its life:
//!
//! ```text
//! planned ─▶ call for matters sent ─▶ notice sent ─▶ held ─▶ minutes drafted
//!    │ (moved, confirmed, cancelled                            │
//!    │  until held)                          protocol: adjusted ─▶ distributed
//!    ▼                                       notes: (adjusted) ─▶ distributed
//! cancelled
//! ```
//!
//! Minutes are **final** when a protocol (protokoll) is adjusted (justerat) or when
//! notes (minnesanteckningar) are distributed; adjusted minutes are also locked. After
//! that every change is refused with [`MeetingError::MinutesFinal`] and nothing is
//! stored. Decisions recorded in minutes take effect on their matters only when the
//! minutes are final (see [`Engine::apply_final_minutes`](crate::engine::Engine)).
//!
//! The pure parts live here and in [`agenda`] (which matters go on which agenda) and
//! [`minutes`] (Markdown rendering); the engine commands are in `commands.rs`.

pub mod agenda;
mod commands;
pub mod minutes;

pub use crate::ids::derived_command_id;
pub use agenda::{AgendaPlan, Candidate, Deferral, DeferralReason, build_agenda, standard_agenda};
pub use commands::{
    DistributionList, Given, MeetingCommand, NoticeInput, ProposedAgenda, Reschedule,
    call_recipients, decide, distribution_list, notice_recipients,
};
pub use minutes::{Language, meeting_title, render_markdown};

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Event};
use crate::assignment::AssignmentOrder;
use crate::ids::{BodyId, MatterId, MeetingId, PersonId};
use crate::org::{AdjustmentRule, MeetingStatus, MinutesKind, Organisation, PlannedMeeting, Role};

pub use crate::ids::MinutesRef;

// ───────────────────────────── vocabulary ─────────────────────────────

/// What an agenda item asks of the members (informationspunkt, diskussion, beslut).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum ItemKind {
    /// For information (för kännedom, dragning): presented, then noted and filed.
    #[default]
    Information,
    /// For discussion (för diskussion).
    Discussion,
    /// For decision (för beslut).
    Decision,
}

impl ItemKind {
    /// The Swedish phrase used in agendas, e.g. `för beslut`.
    pub fn swedish(self) -> &'static str {
        match self {
            ItemKind::Information => "för information",
            ItemKind::Discussion => "för diskussion",
            ItemKind::Decision => "för beslut",
        }
    }

    /// The English phrase, e.g. `for decision`.
    pub fn english(self) -> &'static str {
        match self {
            ItemKind::Information => "for information",
            ItemKind::Discussion => "for discussion",
            ItemKind::Decision => "for decision",
        }
    }
}

/// Who presents an item (föredragande): a person from the configuration or a guest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum Presenter {
    /// A person from the configuration.
    Person(PersonId),
    /// Someone outside the configuration (e.g. a consultant presenting a report).
    Guest {
        /// The name.
        name: String,
        /// Organisation or function, e.g. `Effektiv styrning`.
        organisation: Option<String>,
        /// E-mail address, for the distribution of minutes.
        email: Option<String>,
    },
}

impl Presenter {
    /// The presenter's display name, using the organisation for configured people.
    pub fn name(&self, org: &Organisation) -> String {
        match self {
            Presenter::Person(p) => org
                .person(p)
                .map(|x| x.name.clone())
                .unwrap_or_else(|| p.to_string()),
            Presenter::Guest { name, .. } => name.clone(),
        }
    }
}

/// An item on a meeting's agenda (föredragningslista / dagordning).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaItem {
    /// The item number, from 1.
    pub number: u32,
    /// The title.
    pub title: String,
    /// Who presents it (föredragande).
    pub presenter: Option<Presenter>,
    /// Information, discussion or decision.
    pub kind: ItemKind,
    /// Time box in minutes ("5 min").
    pub time_box: Option<u32>,
    /// The matter it concerns, if any.
    pub matter: Option<MatterId>,
    /// Who submitted (anmälde) the matter: owed feedback when the item is dropped.
    pub submitter: Option<PersonId>,
    /// The meeting it was dropped from and carried over from, if any.
    pub carried_from: Option<MeetingId>,
}

impl AgendaItem {
    /// An item with a number, a title and a kind, and nothing else.
    pub fn new(number: u32, title: impl Into<String>, kind: ItemKind) -> Self {
        AgendaItem {
            number,
            title: title.into(),
            presenter: None,
            kind,
            time_box: None,
            matter: None,
            submitter: None,
            carried_from: None,
        }
    }

    /// With a presenter from the configuration.
    pub fn presented_by(mut self, person: impl Into<PersonId>) -> Self {
        self.presenter = Some(Presenter::Person(person.into()));
        self
    }

    /// With a time box in minutes.
    pub fn time_box(mut self, minutes: u32) -> Self {
        self.time_box = Some(minutes);
        self
    }

    /// About a matter.
    pub fn matter(mut self, matter: MatterId) -> Self {
        self.matter = Some(matter);
        self
    }
}

/// A document sent with the notice (handling, underlag).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// The title, e.g. `Utkast överenskommelse familjecentraler`.
    pub title: String,
    /// Where it is (link, file name, case number).
    pub reference: Option<String>,
    /// The matter it belongs to.
    pub matter: Option<MatterId>,
}

/// A substitute (ersättare) called or serving for a member (ledamot).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubstituteFor {
    /// The substitute.
    pub substitute: PersonId,
    /// The member they replace.
    pub member: PersonId,
}

/// Someone present who is not in the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guest {
    /// The name.
    pub name: String,
    /// Organisation or function.
    pub organisation: Option<String>,
}

/// Who took part in a meeting (närvaro).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attendance {
    /// Present (närvarande): members, officers, officials.
    pub present: Vec<PersonId>,
    /// Absent (frånvarande).
    pub absent: Vec<PersonId>,
    /// Substitutes serving (tjänstgörande ersättare) and for whom.
    pub substitutes: Vec<SubstituteFor>,
    /// Guests from outside the configuration.
    pub guests: Vec<Guest>,
}

impl Attendance {
    /// Whether a person took part (present, or serving as a substitute).
    pub fn took_part(&self, person: &PersonId) -> bool {
        self.present.contains(person) || self.substitutes.iter().any(|s| &s.substitute == person)
    }
}

/// Why an item was dropped from a meeting (ärendet utgår).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum DropReason {
    /// For lack of time (på grund av tidsbrist).
    LackOfTime,
    /// Another reason, as written in the minutes.
    Other(String),
}

impl DropReason {
    /// The Swedish phrase, e.g. `på grund av tidsbrist`.
    pub fn swedish(&self) -> String {
        match self {
            DropReason::LackOfTime => "på grund av tidsbrist".into(),
            DropReason::Other(s) => s.clone(),
        }
    }

    /// The English phrase, e.g. `for lack of time`.
    pub fn english(&self) -> String {
        match self {
            DropReason::LackOfTime => "for lack of time".into(),
            DropReason::Other(s) => s.clone(),
        }
    }
}

/// An item added at the meeting ("X anmäler Y till dagordningen").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddedItem {
    /// The item (its number must not be taken).
    pub item: AgendaItem,
    /// Who raised it.
    pub raised_by: PersonId,
}

/// An item dropped at the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DroppedItem {
    /// The agenda item number.
    pub number: u32,
    /// Why.
    pub reason: DropReason,
}

/// What happened at a meeting, as recorded by its secretary.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingRecord {
    /// Who took part.
    pub attendance: Attendance,
    /// Items added when the agenda was adopted.
    pub added: Vec<AddedItem>,
    /// Items dropped (e.g. for lack of time): carried to the next meeting.
    pub dropped: Vec<DroppedItem>,
    /// The adopted order of the item numbers, when it is not by number (e.g. an item
    /// added before the closing item); empty = by number.
    pub order: Vec<u32>,
}

/// What a paragraph (§) of the minutes concludes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum Outcome {
    /// Nothing beyond the record (opening, adoption of the agenda, closing).
    #[default]
    Recorded,
    /// Information given; noted and filed (informationen läggs till handlingarna).
    NotedAndFiled,
    /// Discussed; the matter stays where it is.
    Discussed,
    /// A decision: "… beslutar att" followed by the clauses.
    Decided {
        /// The "att"-clauses, each without its leading "att".
        clauses: Vec<String>,
    },
    /// Prepared (beredd): the preparing body forms its recommendation ("… föreslår att").
    Prepared {
        /// The recommendation, as "att"-clauses (may be empty).
        clauses: Vec<String>,
    },
    /// A decision to reject (beslutar att avslå …).
    Rejected {
        /// The "att"-clauses.
        clauses: Vec<String>,
    },
    /// A direction decision (inriktningsbeslut att …): the work continues.
    DirectionDecision {
        /// The "att"-clauses.
        clauses: Vec<String>,
    },
    /// A proposal to a higher body ("föreslår X att …"): the matter goes upward.
    Recommended {
        /// The body the proposal goes to.
        to: BodyId,
        /// The "att"-clauses.
        clauses: Vec<String>,
    },
    /// A readiness check (ställningstagande om parterna är redo för beslutsprocess).
    ReadinessChecked {
        /// Whether the parties are ready.
        ready: bool,
        /// The "att"-clauses.
        clauses: Vec<String>,
    },
    /// The decision that the matter goes to political decision in every party.
    ForwardedToPolitical {
        /// The "att"-clauses.
        clauses: Vec<String>,
    },
    /// Referred back (återremiss) to a preparing body with instructions.
    ReferredBack {
        /// The body it goes back to.
        to: BodyId,
        /// The instructions, as "att"-clauses.
        clauses: Vec<String>,
    },
    /// Tabled (bordläggs): the matter stays and comes back at the next meeting.
    Tabled,
    /// Dropped from this meeting (ärendet utgår): carried to the next meeting.
    Dropped {
        /// Why.
        reason: DropReason,
    },
}

impl Outcome {
    /// The "att"-clauses, if the outcome has any.
    pub fn clauses(&self) -> &[String] {
        match self {
            Outcome::Decided { clauses }
            | Outcome::Prepared { clauses }
            | Outcome::Rejected { clauses }
            | Outcome::ReadinessChecked { clauses, .. }
            | Outcome::ForwardedToPolitical { clauses }
            | Outcome::DirectionDecision { clauses }
            | Outcome::Recommended { clauses, .. }
            | Outcome::ReferredBack { clauses, .. } => clauses,
            _ => &[],
        }
    }

    /// Whether the outcome is a decision of the body (something that takes effect).
    pub fn is_decision(&self) -> bool {
        matches!(
            self,
            Outcome::Decided { .. }
                | Outcome::Rejected { .. }
                | Outcome::ReadinessChecked { .. }
                | Outcome::ForwardedToPolitical { .. }
                | Outcome::DirectionDecision { .. }
                | Outcome::Recommended { .. }
                | Outcome::ReferredBack { .. }
        )
    }
}

/// A numbered paragraph (§) of the minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paragraph {
    /// The number (§); minutes number their paragraphs consecutively.
    pub number: u32,
    /// The heading.
    pub title: String,
    /// The agenda item it records.
    pub agenda_item: Option<u32>,
    /// The matter it concerns.
    pub matter: Option<MatterId>,
    /// Who presented.
    pub presenters: Vec<Presenter>,
    /// The account of the item (paragraphs separated by blank lines).
    pub text: String,
    /// What it concludes.
    pub outcome: Outcome,
    /// Assignments (uppdrag) given in this paragraph; created when the minutes are final.
    pub assignments: Vec<AssignmentOrder>,
    /// The motions (yrkanden) made on the item, numbered from 1 in this order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub motions: Vec<Motion>,
    /// The order in which the chair put the motions (propositionsordning), as motion
    /// numbers; empty when there was one motion or none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub propositions: Vec<u32>,
    /// The motion the chair found adopted (bifallen) without a vote; with a vote the
    /// vote's result decides (Kommunallagen 5 kap. 53–57 §§, 6 kap. 24 §).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopted: Option<u32>,
    /// An open vote (öppen omröstning) with each member's vote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vote: Option<Vote>,
    /// Members who declared a conflict of interest (jäv, Kommunallagen 6 kap. 28–32 §§):
    /// they take no part in the paragraph and quorum is counted without them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

/// A motion (yrkande) on an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Motion {
    /// Who moved it.
    pub by: PersonId,
    /// What is moved, e.g. `bifall till arbetsutskottets förslag`.
    pub text: String,
}

/// A member's vote (röst) in an open vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum VoteChoice {
    /// Yes (ja): for the motion put as yes.
    Yes,
    /// No (nej): for the motion put as no.
    No,
    /// Abstains (avstår).
    Abstain,
}

/// One member's vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ballot {
    /// The member (or serving substitute).
    pub member: PersonId,
    /// How they voted.
    pub choice: VoteChoice,
}

/// An open vote (öppen omröstning, Kommunallagen 5 kap. 55 §): the motion put as yes
/// against the motion put as no (voteringsproposition), and each member's vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vote {
    /// The motion number a yes (ja) vote is for.
    pub yes: u32,
    /// The motion number a no (nej) vote is for.
    pub no: u32,
    /// Every vote cast, one per member.
    pub ballots: Vec<Ballot>,
}

/// The counted result of a vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteResult {
    /// Yes votes.
    pub yes: u32,
    /// No votes.
    pub no: u32,
    /// Abstentions.
    pub abstained: u32,
    /// The motion adopted.
    pub adopted: u32,
    /// Whether the chair's casting vote (utslagsröst) decided a tie (5 kap. 67 §).
    pub casting_vote: bool,
}

impl Vote {
    /// Counts the vote: the majority wins; a tie is decided by the chair's vote
    /// (utslagsröst, Kommunallagen 5 kap. 67 §). `None` when tied and the chair cast no
    /// yes or no.
    pub fn result(&self, chair: &PersonId) -> Option<VoteResult> {
        let count = |c: VoteChoice| {
            u32::try_from(self.ballots.iter().filter(|b| b.choice == c).count()).unwrap_or(u32::MAX)
        };
        let (yes, no, abstained) = (
            count(VoteChoice::Yes),
            count(VoteChoice::No),
            count(VoteChoice::Abstain),
        );
        let (adopted, casting_vote) = match yes.cmp(&no) {
            std::cmp::Ordering::Greater => (self.yes, false),
            std::cmp::Ordering::Less => (self.no, false),
            std::cmp::Ordering::Equal => {
                match self.ballots.iter().find(|b| &b.member == chair)?.choice {
                    VoteChoice::Yes => (self.yes, true),
                    VoteChoice::No => (self.no, true),
                    VoteChoice::Abstain => return None,
                }
            }
        };
        Some(VoteResult {
            yes,
            no,
            abstained,
            adopted,
            casting_vote,
        })
    }
}

/// A declared conflict of interest (jäv).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    /// The member.
    pub member: PersonId,
    /// Why, as the minutes state it (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A reservation (reservation) against a decision in a paragraph, with the written
/// reason handed in before the minutes are adjusted (Kommunallagen 4 kap. 27 §, 6 kap.
/// 35 §).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reservation {
    /// The paragraph (§).
    pub paragraph: u32,
    /// The member reserving.
    pub member: PersonId,
    /// The written reason.
    pub reason: String,
    /// Handed in on.
    pub on: NaiveDate,
}

impl Paragraph {
    /// The motion adopted: the vote's result, or the chair's finding.
    pub fn adopted_motion(&self, chair: &PersonId) -> Option<u32> {
        match &self.vote {
            Some(v) => v.result(chair).map(|r| r.adopted),
            None => self.adopted,
        }
    }

    /// Whether a member declared a conflict of interest (jäv) in this paragraph.
    pub fn conflicted(&self, member: &PersonId) -> bool {
        self.conflicts.iter().any(|c| &c.member == member)
    }

    /// A paragraph with a number, a title and nothing else.
    pub fn new(number: u32, title: impl Into<String>) -> Self {
        Paragraph {
            number,
            title: title.into(),
            agenda_item: None,
            matter: None,
            presenters: Vec::new(),
            text: String::new(),
            outcome: Outcome::Recorded,
            assignments: Vec::new(),
            motions: Vec::new(),
            propositions: Vec::new(),
            adopted: None,
            vote: None,
            conflicts: Vec::new(),
        }
    }

    /// With an account of the item.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = text.into();
        self
    }

    /// With an outcome.
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    /// About a matter.
    pub fn matter(mut self, matter: MatterId) -> Self {
        self.matter = Some(matter);
        self
    }

    /// Recording an agenda item.
    pub fn item(mut self, number: u32) -> Self {
        self.agenda_item = Some(number);
        self
    }

    /// Presented by a configured person.
    pub fn presented_by(mut self, person: impl Into<PersonId>) -> Self {
        self.presenters.push(Presenter::Person(person.into()));
        self
    }

    /// Giving an assignment.
    pub fn assignment(mut self, order: AssignmentOrder) -> Self {
        self.assignments.push(order);
        self
    }
}

/// A draft of the minutes, as the secretary writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinutesDraft {
    /// Chair (ordförande).
    pub chair: PersonId,
    /// Secretary (sekreterare).
    pub secretary: PersonId,
    /// Adjusters (justerare): at least one for a protocol. Every one must adjust.
    pub adjusters: Vec<PersonId>,
    /// The paragraphs, numbered consecutively.
    pub paragraphs: Vec<Paragraph>,
    /// Each adjuster's label, e.g. `för kommunerna` / `för Regionen` ("Justeras för …").
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub adjuster_labels: BTreeMap<PersonId, String>,
    /// The paragraph (§) in which the adjusters were elected (justerare utses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjusters_elected_in: Option<u32>,
}

impl MinutesDraft {
    /// A draft with a chair, a secretary, the adjusters and the paragraphs.
    pub fn new(
        chair: impl Into<PersonId>,
        secretary: impl Into<PersonId>,
        adjusters: Vec<PersonId>,
        paragraphs: Vec<Paragraph>,
    ) -> Self {
        MinutesDraft {
            chair: chair.into(),
            secretary: secretary.into(),
            adjusters,
            paragraphs,
            adjuster_labels: BTreeMap::new(),
            adjusters_elected_in: None,
        }
    }

    /// With an adjuster and its label, e.g. `för Regionen`.
    pub fn adjuster(mut self, person: impl Into<PersonId>, label: impl Into<String>) -> Self {
        let person = person.into();
        if !self.adjusters.contains(&person) {
            self.adjusters.push(person.clone());
        }
        self.adjuster_labels.insert(person, label.into());
        self
    }
}

/// Minutes as recorded: notes or protocol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Minutes {
    /// Notes (minnesanteckningar) or protocol (protokoll), from the body.
    pub kind: MinutesKind,
    /// Chair.
    pub chair: PersonId,
    /// Secretary.
    pub secretary: PersonId,
    /// Adjusters.
    pub adjusters: Vec<PersonId>,
    /// The paragraphs.
    pub paragraphs: Vec<Paragraph>,
    /// Each adjuster's label ("för kommunerna").
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub adjuster_labels: BTreeMap<PersonId, String>,
    /// The paragraph in which the adjusters were elected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjusters_elected_in: Option<u32>,
    /// Who must adjust besides the named adjusters, as configured when the draft was
    /// recorded (minutes stored before this was recorded read as the default rule).
    #[serde(default)]
    pub rule: AdjustmentRule,
}

impl Minutes {
    /// Everyone who must adjust (the named adjusters, and the chair and secretary when
    /// the rule says so), each once, in order.
    pub fn signers(&self) -> Vec<PersonId> {
        let mut out: Vec<PersonId> = Vec::new();
        let mut push = |p: &PersonId| {
            if !out.contains(p) {
                out.push(p.clone());
            }
        };
        if self.rule.chair || self.rule.chair_alone {
            push(&self.chair);
        }
        for a in &self.adjusters {
            push(a);
        }
        if self.rule.secretary {
            push(&self.secretary);
        }
        out
    }

    /// Whether `person` may adjust: a named adjuster, or the chair or secretary when the
    /// rule says so.
    pub fn may_adjust(&self, person: &PersonId) -> bool {
        self.signers().contains(person)
    }

    /// Whether these signatures make the minutes final: every signer has adjusted, or
    /// the chair has where the chair alone finalises.
    pub fn complete(&self, signed: &[PersonId]) -> bool {
        (self.rule.chair_alone && signed.contains(&self.chair))
            || self.signers().iter().all(|p| signed.contains(p))
    }

    /// An adjuster's label, e.g. `för kommunerna`.
    pub fn label(&self, adjuster: &PersonId) -> Option<&str> {
        self.adjuster_labels.get(adjuster).map(String::as_str)
    }

    /// A paragraph by number.
    pub fn paragraph(&self, number: u32) -> Option<&Paragraph> {
        self.paragraphs.iter().find(|p| p.number == number)
    }
}

/// How minutes were adjusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum AdjustmentMeans {
    /// By e-mail (via e-post).
    Email,
    /// At the meeting (omedelbar justering).
    AtMeeting,
    /// By signing on paper.
    Signature,
    /// By electronic signature (e-signering).
    ElectronicSignature,
    /// Another way, as written.
    Other(String),
}

impl AdjustmentMeans {
    /// Swedish, as in "Justerat den: 2024-06-14 via e-post".
    pub fn swedish(&self) -> String {
        match self {
            AdjustmentMeans::Email => "via e-post".into(),
            AdjustmentMeans::AtMeeting => "vid sammanträdet".into(),
            AdjustmentMeans::Signature => "genom underskrift".into(),
            AdjustmentMeans::ElectronicSignature => "genom e-signering".into(),
            AdjustmentMeans::Other(s) => s.clone(),
        }
    }

    /// English, as in "Adjusted on: 2024-06-14 by e-mail".
    pub fn english(&self) -> String {
        match self {
            AdjustmentMeans::Email => "by e-mail".into(),
            AdjustmentMeans::AtMeeting => "at the meeting".into(),
            AdjustmentMeans::Signature => "by signature".into(),
            AdjustmentMeans::ElectronicSignature => "by electronic signature".into(),
            AdjustmentMeans::Other(s) => s.clone(),
        }
    }
}

/// An adjustment (justering) of minutes: who, when and how. As a command, one
/// adjuster's adjustment; the minutes are final when every named adjuster has adjusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    /// The date.
    pub on: NaiveDate,
    /// How.
    pub means: AdjustmentMeans,
    /// Who adjusted (an adjuster named in the minutes); in a command, the acting person
    /// when not given. Unknown (`None`) in adjustments stored before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<PersonId>,
    /// The signing service's reference for an electronic signature (e-underskrift).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl Adjustment {
    /// An adjustment on a date by a means (the adjuster: the acting person).
    pub fn new(on: NaiveDate, means: AdjustmentMeans) -> Self {
        Adjustment {
            on,
            means,
            by: None,
            reference: None,
        }
    }

    /// By a named adjuster.
    pub fn by(mut self, adjuster: impl Into<PersonId>) -> Self {
        self.by = Some(adjuster.into());
        self
    }

    /// With the signing service's reference.
    pub fn reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }
}

/// An adjuster's refusal to adjust (justering vägras), with comments: the minutes go
/// back to the secretary, and a new round of adjustment starts with the next draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declined {
    /// Who declined.
    pub by: PersonId,
    /// On.
    pub on: NaiveDate,
    /// What must change.
    pub comments: String,
    /// The round of adjustment (the draft number) declined.
    pub round: u32,
}

/// A meeting's time and place, with the dates derived from its bodies' lead times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingSlot {
    /// The day (Europe/Stockholm).
    pub date: NaiveDate,
    /// Start time (local).
    pub start: NaiveTime,
    /// End time (local).
    pub end: NaiveTime,
    /// Where.
    pub location: Option<String>,
    /// The call for matters goes out on this date.
    pub call_for_matters: NaiveDate,
    /// The notice goes out on this date.
    pub notice: NaiveDate,
}

impl MeetingSlot {
    /// The slot of a planned meeting.
    pub fn of(plan: &PlannedMeeting) -> Self {
        MeetingSlot {
            date: plan.date,
            start: plan.start,
            end: plan.end,
            location: plan.location.clone(),
            call_for_matters: plan.call_for_matters,
            notice: plan.notice,
        }
    }
}

// ───────────────────────────── events ─────────────────────────────

/// Something that happened to a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MeetingEvent {
    /// The meeting's stream was opened from the meeting plan (a snapshot of the plan).
    MeetingPlanned {
        /// The meeting.
        meeting: MeetingId,
        /// The bodies meeting.
        bodies: Vec<BodyId>,
        /// Time and place as planned.
        slot: MeetingSlot,
        /// The status in the plan.
        status: MeetingStatus,
        /// The plan's iCalendar sequence.
        sequence: u32,
    },
    /// Moved to another time or place (flyttat).
    MeetingMoved {
        /// The new time and place.
        slot: MeetingSlot,
        /// Why, if given.
        reason: Option<String>,
    },
    /// Confirmed (bekräftat).
    MeetingConfirmed,
    /// Cancelled (inställt).
    MeetingCancelled {
        /// Why, if given.
        reason: Option<String>,
    },
    /// The call for matters (inhämtning av frågor) was sent.
    CallForMattersSent {
        /// Sent on.
        on: NaiveDate,
        /// Matters must be submitted by this date.
        submit_by: NaiveDate,
        /// Documents must be ready by this date (the notice date).
        documents_by: NaiveDate,
        /// Who got it.
        recipients: Vec<PersonId>,
    },
    /// The notice (kallelse) was sent with the agenda and documents.
    NoticeSent {
        /// Sent on.
        on: NaiveDate,
        /// The agenda.
        agenda: Vec<AgendaItem>,
        /// The documents.
        documents: Vec<Document>,
        /// What is expected of the members.
        expectations: Option<String>,
        /// Substitutes called for members who cannot come.
        substitutes_called: Vec<SubstituteFor>,
        /// Who got it.
        recipients: Vec<PersonId>,
    },
    /// The meeting was held.
    MeetingHeld {
        /// The day.
        on: NaiveDate,
        /// Who took part.
        attendance: Attendance,
    },
    /// An item was added when the agenda was adopted.
    AgendaItemAdded {
        /// The item.
        item: AgendaItem,
        /// Who raised it.
        raised_by: PersonId,
    },
    /// The agenda was adopted (dagordningen fastställs), in this order.
    AgendaAdopted {
        /// The item numbers.
        items: Vec<u32>,
    },
    /// An item was dropped (utgår): carried to the next meeting.
    AgendaItemDropped {
        /// The item number.
        number: u32,
        /// Its matter.
        matter: Option<MatterId>,
        /// Why.
        reason: DropReason,
    },
    /// Minutes were drafted (or the draft revised).
    MinutesDrafted {
        /// The draft.
        minutes: Minutes,
    },
    /// One adjuster adjusted the minutes (who, when, how) in a round of adjustment.
    AdjusterSigned {
        /// Who, when and how.
        adjustment: Adjustment,
        /// The round (the draft number adjusted).
        round: u32,
    },
    /// An adjuster declined to adjust, with comments: back to the secretary.
    AdjustmentDeclined {
        /// Who, when, why.
        declined: Declined,
    },
    /// The minutes were adjusted (justerade) by everyone who must: locked, and final for
    /// a protocol. Written with the last adjuster's signature (before signatures were
    /// recorded one by one, alone).
    MinutesAdjusted {
        /// When (the last adjustment) and how.
        adjustment: Adjustment,
    },
    /// A member's reservation against a decision, with its written reason.
    ReservationEntered {
        /// The reservation.
        reservation: Reservation,
    },
    /// Minutes were distributed: final for notes.
    MinutesDistributed {
        /// Sent on.
        on: NaiveDate,
        /// Who got them.
        recipients: Vec<PersonId>,
    },
}

const MEETING_EVENT_TYPES: &[&str] = &[
    "MeetingPlanned",
    "MeetingMoved",
    "MeetingConfirmed",
    "MeetingCancelled",
    "CallForMattersSent",
    "NoticeSent",
    "MeetingHeld",
    "AgendaItemAdded",
    "AgendaAdopted",
    "AgendaItemDropped",
    "MinutesDrafted",
    "MinutesAdjusted",
    "MinutesDistributed",
    "AdjusterSigned",
    "AdjustmentDeclined",
    "ReservationEntered",
];

impl Event for MeetingEvent {
    fn event_type(&self) -> &'static str {
        match self {
            MeetingEvent::MeetingPlanned { .. } => "MeetingPlanned",
            MeetingEvent::MeetingMoved { .. } => "MeetingMoved",
            MeetingEvent::MeetingConfirmed => "MeetingConfirmed",
            MeetingEvent::MeetingCancelled { .. } => "MeetingCancelled",
            MeetingEvent::CallForMattersSent { .. } => "CallForMattersSent",
            MeetingEvent::NoticeSent { .. } => "NoticeSent",
            MeetingEvent::MeetingHeld { .. } => "MeetingHeld",
            MeetingEvent::AgendaItemAdded { .. } => "AgendaItemAdded",
            MeetingEvent::AgendaAdopted { .. } => "AgendaAdopted",
            MeetingEvent::AgendaItemDropped { .. } => "AgendaItemDropped",
            MeetingEvent::MinutesDrafted { .. } => "MinutesDrafted",
            MeetingEvent::MinutesAdjusted { .. } => "MinutesAdjusted",
            MeetingEvent::AdjusterSigned { .. } => "AdjusterSigned",
            MeetingEvent::AdjustmentDeclined { .. } => "AdjustmentDeclined",
            MeetingEvent::ReservationEntered { .. } => "ReservationEntered",
            MeetingEvent::MinutesDistributed { .. } => "MinutesDistributed",
        }
    }

    fn known_types() -> &'static [&'static str] {
        MEETING_EVENT_TYPES
    }

    /// A meeting's first event names the meeting.
    fn subject(&self) -> Option<String> {
        match self {
            MeetingEvent::MeetingPlanned { meeting, .. } => Some(meeting.to_string()),
            _ => None,
        }
    }
}

// ───────────────────────────── state ─────────────────────────────

/// Where a meeting stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum MeetingPhase {
    /// Planned; nothing sent yet.
    #[default]
    Planned,
    /// The call for matters has been sent.
    CallForMattersSent,
    /// The notice with the agenda has been sent.
    NoticeSent,
    /// Held; minutes not yet drafted.
    Held,
    /// Minutes drafted, not yet adjusted or distributed.
    MinutesDrafted,
    /// Minutes adjusted (justerade).
    MinutesAdjusted,
    /// Minutes distributed.
    MinutesDistributed,
    /// Cancelled (inställt).
    Cancelled,
}

impl MeetingPhase {
    /// The Swedish name, for messages to secretaries.
    pub fn swedish(self) -> &'static str {
        match self {
            MeetingPhase::Planned => "planerat",
            MeetingPhase::CallForMattersSent => "frågor inhämtade",
            MeetingPhase::NoticeSent => "kallat",
            MeetingPhase::Held => "genomfört",
            MeetingPhase::MinutesDrafted => "protokoll upprättat",
            MeetingPhase::MinutesAdjusted => "protokoll justerat",
            MeetingPhase::MinutesDistributed => "protokoll utsänt",
            MeetingPhase::Cancelled => "inställt",
        }
    }

    fn before_held(self) -> bool {
        matches!(
            self,
            MeetingPhase::Planned | MeetingPhase::CallForMattersSent | MeetingPhase::NoticeSent
        )
    }
}

/// An item on the meeting's agenda, with what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaEntry {
    /// The item.
    pub item: AgendaItem,
    /// Who added it at the meeting, if it was added there.
    pub added_by: Option<PersonId>,
    /// Why it was dropped, if it was.
    pub dropped: Option<DropReason>,
}

/// A meeting's state: the fold of its events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meeting {
    /// The meeting (set by the first event).
    pub id: Option<MeetingId>,
    /// The bodies meeting.
    pub bodies: Vec<BodyId>,
    /// Time and place now (after moves).
    pub slot: Option<MeetingSlot>,
    /// The date first planned, when moved.
    pub moved_from: Option<NaiveDate>,
    /// Tentative, confirmed or cancelled.
    pub status: MeetingStatus,
    /// The iCalendar sequence: the plan's, plus one for each change recorded here.
    pub sequence: u32,
    /// Where it stands.
    pub phase: MeetingPhase,
    /// When the call for matters was sent.
    pub call_sent_on: Option<NaiveDate>,
    /// When the (last) notice was sent.
    pub notice_sent_on: Option<NaiveDate>,
    /// How many notices were sent (more than one: revised notices).
    pub notices: u32,
    /// The documents sent with the notice.
    pub documents: Vec<Document>,
    /// What is expected of the members.
    pub expectations: Option<String>,
    /// Substitutes called with the notice.
    pub substitutes_called: Vec<SubstituteFor>,
    /// The agenda, in adopted order once adopted.
    pub agenda: Vec<AgendaEntry>,
    /// Whether the agenda was adopted.
    pub agenda_adopted: bool,
    /// When it was held.
    pub held_on: Option<NaiveDate>,
    /// Who took part.
    pub attendance: Option<Attendance>,
    /// The minutes (last draft).
    pub minutes: Option<Minutes>,
    /// How many drafts were recorded.
    pub drafts: u32,
    /// The adjustment that made the minutes final.
    pub adjustment: Option<Adjustment>,
    /// The adjustments of the current round, one per adjuster.
    pub signatures: Vec<Adjustment>,
    /// The refusals to adjust, every round.
    pub declines: Vec<Declined>,
    /// Whether the last round was declined: back with the secretary for a new draft.
    pub returned: bool,
    /// Reservations entered against decisions.
    pub reservations: Vec<Reservation>,
    /// When the minutes were distributed.
    pub distributed_on: Option<NaiveDate>,
}

impl Aggregate for Meeting {
    type Event = MeetingEvent;
    const PREFIX: &'static str = "meeting";

    fn apply(&mut self, event: &MeetingEvent) {
        match event {
            MeetingEvent::MeetingPlanned {
                meeting,
                bodies,
                slot,
                status,
                sequence,
            } => {
                self.id = Some(meeting.clone());
                self.bodies = bodies.clone();
                self.slot = Some(slot.clone());
                self.status = *status;
                self.sequence = *sequence;
                if *status == MeetingStatus::Cancelled {
                    self.phase = MeetingPhase::Cancelled;
                }
            }
            MeetingEvent::MeetingMoved { slot, .. } => {
                if let Some(old) = &self.slot
                    && self.moved_from.is_none()
                    && old.date != slot.date
                {
                    self.moved_from = Some(old.date);
                }
                self.slot = Some(slot.clone());
                self.sequence += 1;
            }
            MeetingEvent::MeetingConfirmed => {
                self.status = MeetingStatus::Confirmed;
                self.sequence += 1;
            }
            MeetingEvent::MeetingCancelled { .. } => {
                self.status = MeetingStatus::Cancelled;
                self.phase = MeetingPhase::Cancelled;
                self.sequence += 1;
            }
            MeetingEvent::CallForMattersSent { on, .. } => {
                self.call_sent_on = Some(*on);
                self.phase = MeetingPhase::CallForMattersSent;
            }
            MeetingEvent::NoticeSent {
                on,
                agenda,
                documents,
                expectations,
                substitutes_called,
                ..
            } => {
                self.notice_sent_on = Some(*on);
                self.notices += 1;
                self.agenda = agenda
                    .iter()
                    .map(|item| AgendaEntry {
                        item: item.clone(),
                        added_by: None,
                        dropped: None,
                    })
                    .collect();
                self.documents = documents.clone();
                self.expectations = expectations.clone();
                self.substitutes_called = substitutes_called.clone();
                self.phase = MeetingPhase::NoticeSent;
            }
            MeetingEvent::MeetingHeld { on, attendance } => {
                self.held_on = Some(*on);
                self.attendance = Some(attendance.clone());
                self.phase = MeetingPhase::Held;
            }
            MeetingEvent::AgendaItemAdded { item, raised_by } => {
                self.agenda.push(AgendaEntry {
                    item: item.clone(),
                    added_by: Some(raised_by.clone()),
                    dropped: None,
                });
            }
            MeetingEvent::AgendaAdopted { items } => {
                // The adopted order first (each number takes the first entry left with
                // that number), then the entries it does not name, in their order. One
                // pass with an index by number: linear, as every load of the meeting
                // applies this event.
                let mut slots: Vec<Option<AgendaEntry>> = std::mem::take(&mut self.agenda)
                    .into_iter()
                    .map(Some)
                    .collect();
                // The first entry with each number, and for each entry the next one with
                // the same number (numbers are unique in practice; repeats chain).
                let mut first: std::collections::HashMap<u32, usize> =
                    std::collections::HashMap::with_capacity(slots.len());
                let mut next = vec![usize::MAX; slots.len()];
                for i in (0..slots.len()).rev() {
                    if let Some(e) = &slots[i]
                        && let Some(later) = first.insert(e.item.number, i)
                    {
                        next[i] = later;
                    }
                }
                let mut ordered = Vec::with_capacity(slots.len());
                for n in items {
                    if let Some(&i) = first.get(n) {
                        if next[i] == usize::MAX {
                            first.remove(n);
                        } else {
                            first.insert(*n, next[i]);
                        }
                        if let Some(e) = slots[i].take() {
                            ordered.push(e);
                        }
                    }
                }
                ordered.extend(slots.into_iter().flatten());
                self.agenda = ordered;
                self.agenda_adopted = true;
            }
            MeetingEvent::AgendaItemDropped { number, reason, .. } => {
                if let Some(e) = self.agenda.iter_mut().find(|e| e.item.number == *number) {
                    e.dropped = Some(reason.clone());
                }
            }
            MeetingEvent::MinutesDrafted { minutes } => {
                self.minutes = Some(minutes.clone());
                self.drafts += 1;
                // A new draft starts a new round of adjustment.
                self.signatures.clear();
                self.returned = false;
                self.phase = MeetingPhase::MinutesDrafted;
            }
            MeetingEvent::AdjusterSigned { adjustment, .. } => {
                self.signatures.retain(|a| a.by != adjustment.by);
                self.signatures.push(adjustment.clone());
            }
            MeetingEvent::AdjustmentDeclined { declined } => {
                self.declines.push(declined.clone());
                self.signatures.clear();
                self.returned = true;
            }
            MeetingEvent::MinutesAdjusted { adjustment } => {
                self.adjustment = Some(adjustment.clone());
                self.phase = MeetingPhase::MinutesAdjusted;
            }
            MeetingEvent::ReservationEntered { reservation } => {
                self.reservations.push(reservation.clone());
            }
            MeetingEvent::MinutesDistributed { on, .. } => {
                self.distributed_on = Some(*on);
                self.phase = MeetingPhase::MinutesDistributed;
            }
        }
    }
}

impl Meeting {
    /// Whether the minutes can no longer change (adjusted, or distributed).
    pub fn minutes_locked(&self) -> bool {
        self.adjustment.is_some() || self.distributed_on.is_some()
    }

    /// Whether the minutes are final, so that their decisions take effect: a protocol
    /// when adjusted, notes when distributed.
    pub fn minutes_final(&self) -> bool {
        match &self.minutes {
            Some(m) if m.kind == MinutesKind::Protocol => self.adjustment.is_some(),
            Some(_) => self.distributed_on.is_some(),
            None => false,
        }
    }

    /// The day the meeting is held (or planned to be, after moves).
    pub fn date(&self) -> Option<NaiveDate> {
        self.held_on.or(self.slot.as_ref().map(|s| s.date))
    }

    /// The day the minutes became final (the last adjustment of a protocol, the
    /// distribution of notes), if they are.
    pub fn final_on(&self) -> Option<NaiveDate> {
        if !self.minutes_final() {
            return None;
        }
        match &self.minutes {
            Some(m) if m.kind == MinutesKind::Protocol => self.adjustment.as_ref().map(|a| a.on),
            _ => self.distributed_on,
        }
    }

    /// The day the minutes were adjusted by everyone who must (justerade), if they were.
    pub fn adjusted_on(&self) -> Option<NaiveDate> {
        self.adjustment.as_ref().map(|a| a.on)
    }

    /// Who must still adjust in the current round (empty once adjusted).
    pub fn awaiting_adjustment(&self) -> Vec<PersonId> {
        if self.adjustment.is_some() {
            return Vec::new();
        }
        let Some(m) = &self.minutes else {
            return Vec::new();
        };
        m.signers()
            .into_iter()
            .filter(|p| !self.signatures.iter().any(|a| a.by.as_ref() == Some(p)))
            .collect()
    }

    /// The reservations entered against a paragraph's decision.
    pub fn reservations_in(&self, paragraph: u32) -> impl Iterator<Item = &Reservation> {
        self.reservations
            .iter()
            .filter(move |r| r.paragraph == paragraph)
    }

    /// The items dropped at this meeting (to be carried to the next).
    pub fn dropped_items(&self) -> impl Iterator<Item = (&AgendaItem, &DropReason)> {
        self.agenda
            .iter()
            .filter_map(|e| e.dropped.as_ref().map(|r| (&e.item, r)))
    }

    /// The meeting as it now stands in the plan: the configured plan with the moves,
    /// confirmation or cancellation recorded on this stream (same id, raised sequence).
    pub fn effective_plan(&self, plan: &PlannedMeeting) -> PlannedMeeting {
        let mut p = plan.clone();
        if self.id.is_none() {
            return p;
        }
        if let Some(slot) = &self.slot {
            if slot.date != plan.date && p.moved_from.is_none() {
                p.moved_from = Some(self.moved_from.unwrap_or(plan.date));
            }
            p.date = slot.date;
            p.start = slot.start;
            p.end = slot.end;
            p.location = slot.location.clone();
            p.call_for_matters = slot.call_for_matters;
            p.notice = slot.notice;
        }
        p.status = self.status;
        p.sequence = self.sequence.max(plan.sequence);
        p
    }

    fn meeting_id(&self, fallback: &MeetingId) -> MeetingId {
        self.id.clone().unwrap_or_else(|| fallback.clone())
    }
}

// ───────────────────────────── errors ─────────────────────────────

/// A refused meeting command. Nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MeetingError {
    /// The command is missing something it needs.
    #[error("meeting {meeting}: {problem}")]
    InvalidInput {
        /// The meeting.
        meeting: MeetingId,
        /// What is wrong.
        problem: String,
    },
    /// The command does not fit where the meeting stands.
    #[error("meeting {meeting} is {} ({phase:?}): cannot {action}", phase.swedish())]
    InvalidTransition {
        /// The meeting.
        meeting: MeetingId,
        /// Where it stands.
        phase: MeetingPhase,
        /// What was tried.
        action: &'static str,
    },
    /// The meeting is cancelled.
    #[error("meeting {meeting} is cancelled (inställt): cannot {action}")]
    Cancelled {
        /// The meeting.
        meeting: MeetingId,
        /// What was tried.
        action: &'static str,
    },
    /// The minutes are final (adjusted or distributed) and can never change.
    #[error(
        "the minutes of meeting {meeting} are final ({since}) and cannot be changed: cannot {action}"
    )]
    MinutesFinal {
        /// The meeting.
        meeting: MeetingId,
        /// What made them final, e.g. `justerat 2024-06-14 via e-post`.
        since: String,
        /// What was tried.
        action: &'static str,
    },
    /// A protocol must be adjusted before it is distributed.
    #[error(
        "the protocol of meeting {meeting} is not adjusted (justerat) yet: adjust it before distributing it"
    )]
    NotAdjusted {
        /// The meeting.
        meeting: MeetingId,
    },
    /// The meeting day has not come yet.
    #[error("meeting {meeting} is on {date}: it cannot be recorded as held on {today}")]
    NotYetHeld {
        /// The meeting.
        meeting: MeetingId,
        /// Its day.
        date: NaiveDate,
        /// Today.
        today: NaiveDate,
    },
    /// The agenda is not valid.
    #[error("agenda of meeting {meeting}, item {number}: {problem}")]
    InvalidAgenda {
        /// The meeting.
        meeting: MeetingId,
        /// The item number.
        number: u32,
        /// What is wrong.
        problem: String,
    },
    /// No agenda item with this number.
    #[error("meeting {meeting} has no agenda item {number}")]
    UnknownAgendaItem {
        /// The meeting.
        meeting: MeetingId,
        /// The number.
        number: u32,
    },
    /// The attendance is not valid.
    #[error("attendance at meeting {meeting}: {person}: {problem}")]
    InvalidAttendance {
        /// The meeting.
        meeting: MeetingId,
        /// The person concerned.
        person: PersonId,
        /// What is wrong.
        problem: String,
    },
    /// The minutes are not valid.
    #[error("minutes of meeting {meeting}, {place}: {problem}")]
    InvalidMinutes {
        /// The meeting.
        meeting: MeetingId,
        /// Where (e.g. `§ 3` or `adjusters`).
        place: String,
        /// What is wrong.
        problem: String,
    },
    /// A person the configuration does not know.
    #[error("meeting {meeting}: unknown person \"{person}\" ({role})")]
    UnknownPerson {
        /// The meeting.
        meeting: MeetingId,
        /// The id given.
        person: PersonId,
        /// In what role it was given, e.g. `presenter of item 3`.
        role: String,
    },
    /// The person is not one who must adjust these minutes (not a named adjuster, nor
    /// the chair or secretary where the configuration has them adjust).
    #[error("meeting {meeting}: {person} is not an adjuster (justerare) of the minutes")]
    NotAnAdjuster {
        /// The meeting.
        meeting: MeetingId,
        /// Who was given.
        person: PersonId,
    },
    /// The adjuster has already adjusted this round of the minutes.
    #[error("meeting {meeting}: {person} already adjusted the minutes on {on}")]
    AlreadyAdjusted {
        /// The meeting.
        meeting: MeetingId,
        /// The adjuster.
        person: PersonId,
        /// When.
        on: NaiveDate,
    },
    /// An adjuster declined the minutes: they are back with the secretary, and a new
    /// draft must be recorded before anyone adjusts again.
    #[error(
        "meeting {meeting}: {declined_by} declined to adjust the minutes; record a new draft first"
    )]
    MinutesReturned {
        /// The meeting.
        meeting: MeetingId,
        /// Who declined.
        declined_by: PersonId,
    },
    /// The body was not quorate (beslutför) for a decision: more than half of the
    /// members must serve, counted without those who declared a conflict of interest
    /// (Kommunallagen 6 kap. 27 §, 5 kap. 65 §).
    #[error(
        "meeting {meeting}, § {paragraph}: not quorate (beslutför): {serving} of {members} members serve"
    )]
    QuorumNotMet {
        /// The meeting.
        meeting: MeetingId,
        /// The paragraph.
        paragraph: u32,
        /// Members (and substitutes) serving in the paragraph.
        serving: u32,
        /// Members of the body.
        members: u32,
    },
    /// A new time for the meeting that is not valid.
    #[error("meeting {meeting}: {problem}")]
    InvalidSlot {
        /// The meeting.
        meeting: MeetingId,
        /// What is wrong.
        problem: String,
    },
}

// ───────────────────────────── decisions (pure) ─────────────────────────────

/// The facts a decision needs besides the state: the organisation, the planned meeting
/// and today's date. Keeps `decide` functions pure and testable.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The organisation.
    pub org: &'a Organisation,
    /// The meeting as planned in the configuration.
    pub plan: &'a PlannedMeeting,
    /// Today (Europe/Stockholm).
    pub today: NaiveDate,
}

impl Context<'_> {
    fn id(&self) -> MeetingId {
        self.plan.id.clone()
    }

    fn known(&self, person: &PersonId, role: impl Into<String>) -> Result<(), MeetingError> {
        if self.org.person(person).is_some() {
            Ok(())
        } else {
            Err(MeetingError::UnknownPerson {
                meeting: self.id(),
                person: person.clone(),
                role: role.into(),
            })
        }
    }

    /// The bodies whose memberships count at this meeting: the meeting's bodies and,
    /// for a joint session, the bodies it joins.
    pub fn bodies(&self) -> Vec<BodyId> {
        expanded_bodies(self.org, &self.plan.bodies)
    }
}

/// A meeting's bodies and, for joint sessions, the bodies they join (no duplicates).
pub fn expanded_bodies(org: &Organisation, bodies: &[BodyId]) -> Vec<BodyId> {
    org.expanded_bodies(bodies)
}

/// The minutes kind of a meeting: a protocol if any of its bodies keeps one.
pub fn minutes_kind(org: &Organisation, bodies: &[BodyId]) -> MinutesKind {
    if expanded_bodies(org, bodies)
        .iter()
        .filter_map(|b| org.body(b))
        .any(|b| b.minutes == MinutesKind::Protocol)
    {
        MinutesKind::Protocol
    } else {
        MinutesKind::Notes
    }
}

fn holds(
    org: &Organisation,
    person: &PersonId,
    bodies: &[BodyId],
    role: Role,
    on: NaiveDate,
) -> bool {
    org.memberships_on(on)
        .any(|m| &m.person == person && m.role == role && bodies.contains(&m.body))
}

/// Checks the substitutes against the roster on the meeting's day `on`.
fn check_substitutes(
    ctx: &Context<'_>,
    subs: &[SubstituteFor],
    on: NaiveDate,
) -> Result<(), MeetingError> {
    let bodies = ctx.bodies();
    let mut seen = BTreeSet::new();
    for s in subs {
        ctx.known(&s.substitute, "substitute")?;
        ctx.known(&s.member, format!("member replaced by {}", s.substitute))?;
        let bad = |problem: String| MeetingError::InvalidAttendance {
            meeting: ctx.id(),
            person: s.substitute.clone(),
            problem,
        };
        let memberships: Vec<_> = ctx
            .org
            .memberships_on(on)
            .filter(|m| {
                m.person == s.substitute && m.role == Role::Substitute && bodies.contains(&m.body)
            })
            .collect();
        if memberships.is_empty() {
            return Err(bad("is not a substitute (ersättare) in this body".into()));
        }
        if !holds(ctx.org, &s.member, &bodies, Role::Member, on) {
            return Err(bad(format!(
                "{} is not a member (ledamot) of this body",
                s.member
            )));
        }
        if !memberships
            .iter()
            .any(|m| m.substitute_for.as_ref().is_none_or(|x| x == &s.member))
        {
            return Err(bad(format!("is not a substitute for {}", s.member)));
        }
        if !seen.insert(s.substitute.clone()) {
            return Err(bad("serves for more than one member".into()));
        }
    }
    Ok(())
}

fn check_agenda(ctx: &Context<'_>, items: &[AgendaItem]) -> Result<(), MeetingError> {
    let mut numbers = BTreeSet::new();
    for item in items {
        let bad = |problem: &str| MeetingError::InvalidAgenda {
            meeting: ctx.id(),
            number: item.number,
            problem: problem.into(),
        };
        if item.number == 0 {
            return Err(bad("item numbers start at 1"));
        }
        if !numbers.insert(item.number) {
            return Err(bad("the number is used twice"));
        }
        if item.title.trim().is_empty() {
            return Err(bad("the title is empty"));
        }
        if item.time_box == Some(0) {
            return Err(bad("a time box must be at least one minute"));
        }
        if let Some(Presenter::Person(p)) = &item.presenter {
            ctx.known(p, format!("presenter of item {}", item.number))?;
        }
        if let Some(Presenter::Guest { name, .. }) = &item.presenter
            && name.trim().is_empty()
        {
            return Err(bad("the presenter has no name"));
        }
    }
    Ok(())
}

/// Checks a new slot for a meeting.
fn check_slot(ctx: &Context<'_>, slot: &MeetingSlot) -> Result<(), MeetingError> {
    if slot.end <= slot.start {
        return Err(MeetingError::InvalidSlot {
            meeting: ctx.id(),
            problem: format!("ends at {} before it starts at {}", slot.end, slot.start),
        });
    }
    if slot.call_for_matters > slot.date || slot.notice > slot.date {
        return Err(MeetingError::InvalidSlot {
            meeting: ctx.id(),
            problem: "the call-for-matters and notice dates must not be after the meeting".into(),
        });
    }
    Ok(())
}

impl Meeting {
    /// The first event of a stream: a snapshot of the plan, when the stream is new.
    fn opening(&self, ctx: &Context<'_>) -> Vec<MeetingEvent> {
        if self.id.is_some() {
            return Vec::new();
        }
        vec![MeetingEvent::MeetingPlanned {
            meeting: ctx.plan.id.clone(),
            bodies: ctx.plan.bodies.clone(),
            slot: MeetingSlot::of(ctx.plan),
            status: ctx.plan.status,
            sequence: ctx.plan.sequence,
        }]
    }

    /// The state with the opening snapshot applied (for checks against the plan).
    fn opened(&self, ctx: &Context<'_>) -> (Meeting, Vec<MeetingEvent>) {
        let events = self.opening(ctx);
        let mut state = self.clone();
        for e in &events {
            state.apply(e);
        }
        (state, events)
    }

    fn not_cancelled(&self, ctx: &Context<'_>, action: &'static str) -> Result<(), MeetingError> {
        if self.phase == MeetingPhase::Cancelled {
            return Err(MeetingError::Cancelled {
                meeting: self.meeting_id(&ctx.plan.id),
                action,
            });
        }
        Ok(())
    }

    fn invalid(&self, ctx: &Context<'_>, action: &'static str) -> MeetingError {
        MeetingError::InvalidTransition {
            meeting: self.meeting_id(&ctx.plan.id),
            phase: self.phase,
            action,
        }
    }

    fn final_error(&self, ctx: &Context<'_>, action: &'static str) -> MeetingError {
        let since = match (&self.adjustment, self.distributed_on) {
            (Some(a), _) => format!("justerat {} {}", a.on, a.means.swedish()),
            (None, Some(d)) => format!("utsänt {d}"),
            (None, None) => "slutligt".into(),
        };
        MeetingError::MinutesFinal {
            meeting: self.meeting_id(&ctx.plan.id),
            since,
            action,
        }
    }

    /// Decides "send the call for matters": matters must be in by the call date,
    /// documents ready by the notice date.
    pub fn decide_call_for_matters(
        &self,
        ctx: &Context<'_>,
        recipients: Vec<PersonId>,
    ) -> Result<Vec<MeetingEvent>, MeetingError> {
        const ACTION: &str = "send the call for matters";
        let (state, mut events) = self.opened(ctx);
        state.not_cancelled(ctx, ACTION)?;
        if state.phase != MeetingPhase::Planned {
            return Err(state.invalid(ctx, ACTION));
        }
        let slot = state
            .slot
            .clone()
            .unwrap_or_else(|| MeetingSlot::of(ctx.plan));
        events.push(MeetingEvent::CallForMattersSent {
            on: ctx.today,
            submit_by: slot.call_for_matters,
            documents_by: slot.notice,
            recipients,
        });
        Ok(events)
    }

    /// Decides "send the notice" with its agenda and documents; a notice sent again
    /// before the meeting is a revised notice that replaces the agenda.
    pub fn decide_notice(
        &self,
        ctx: &Context<'_>,
        input: &NoticeInput,
        recipients: Vec<PersonId>,
    ) -> Result<Vec<MeetingEvent>, MeetingError> {
        const ACTION: &str = "send the notice";
        let (state, mut events) = self.opened(ctx);
        state.not_cancelled(ctx, ACTION)?;
        if !state.phase.before_held() {
            return Err(state.invalid(ctx, ACTION));
        }
        check_agenda(ctx, &input.agenda)?;
        let on = state.date().unwrap_or(ctx.plan.date);
        check_substitutes(ctx, &input.substitutes_called, on)?;
        events.push(MeetingEvent::NoticeSent {
            on: ctx.today,
            agenda: input.agenda.clone(),
            documents: input.documents.clone(),
            expectations: input.expectations.clone(),
            substitutes_called: input.substitutes_called.clone(),
            recipients,
        });
        Ok(events)
    }

    /// Decides "record the meeting as held": attendance, items added and dropped, and
    /// the agenda adopted.
    pub fn decide_held(
        &self,
        ctx: &Context<'_>,
        record: &MeetingRecord,
    ) -> Result<Vec<MeetingEvent>, MeetingError> {
        const ACTION: &str = "record the meeting as held";
        let (state, mut events) = self.opened(ctx);
        state.not_cancelled(ctx, ACTION)?;
        if !state.phase.before_held() {
            return Err(state.invalid(ctx, ACTION));
        }
        let date = state.slot.as_ref().map_or(ctx.plan.date, |s| s.date);
        if ctx.today < date {
            return Err(MeetingError::NotYetHeld {
                meeting: ctx.id(),
                date,
                today: ctx.today,
            });
        }
        let a = &record.attendance;
        for p in &a.present {
            ctx.known(p, "present")?;
        }
        // Absence (frånvaro) is recorded for those who should have been there: the
        // roster of the meeting's bodies on the meeting's day (mandate periods).
        let bodies = expanded_bodies(ctx.org, &ctx.plan.bodies);
        for p in &a.absent {
            ctx.known(p, "absent")?;
            if !ctx
                .org
                .memberships_on(date)
                .any(|m| &m.person == p && bodies.contains(&m.body))
            {
                return Err(MeetingError::InvalidAttendance {
                    meeting: ctx.id(),
                    person: p.clone(),
                    problem: format!(
                        "recorded as absent but not on the roster of {} on {date}",
                        bodies
                            .iter()
                            .map(BodyId::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
            if a.present.contains(p) {
                return Err(MeetingError::InvalidAttendance {
                    meeting: ctx.id(),
                    person: p.clone(),
                    problem: "recorded both as present and as absent".into(),
                });
            }
        }
        check_substitutes(ctx, &a.substitutes, date)?;
        for s in &a.substitutes {
            if a.present.contains(&s.member) {
                return Err(MeetingError::InvalidAttendance {
                    meeting: ctx.id(),
                    person: s.substitute.clone(),
                    problem: format!("serves for {} who is present", s.member),
                });
            }
        }
        let mut items: Vec<AgendaItem> = state.agenda.iter().map(|e| e.item.clone()).collect();
        for added in &record.added {
            ctx.known(&added.raised_by, "raised an item")?;
            items.push(added.item.clone());
        }
        check_agenda(ctx, &items)?;
        events.push(MeetingEvent::MeetingHeld {
            on: date,
            attendance: a.clone(),
        });
        for added in &record.added {
            events.push(MeetingEvent::AgendaItemAdded {
                item: added.item.clone(),
                raised_by: added.raised_by.clone(),
            });
        }
        let mut order: Vec<u32> = items.iter().map(|i| i.number).collect();
        order.sort_unstable();
        if !record.order.is_empty() {
            let mut given = record.order.clone();
            given.sort_unstable();
            if given != order {
                return Err(MeetingError::InvalidAgenda {
                    meeting: ctx.id(),
                    number: record
                        .order
                        .iter()
                        .copied()
                        .find(|n| !order.contains(n))
                        .unwrap_or(0),
                    problem: format!(
                        "the adopted order {:?} must list each item number {:?} once",
                        record.order, order
                    ),
                });
            }
            order = record.order.clone();
        }
        events.push(MeetingEvent::AgendaAdopted { items: order });
        let mut dropped = BTreeSet::new();
        for d in &record.dropped {
            let Some(item) = items.iter().find(|i| i.number == d.number) else {
                return Err(MeetingError::UnknownAgendaItem {
                    meeting: ctx.id(),
                    number: d.number,
                });
            };
            if !dropped.insert(d.number) {
                return Err(MeetingError::InvalidAgenda {
                    meeting: ctx.id(),
                    number: d.number,
                    problem: "dropped twice".into(),
                });
            }
            events.push(MeetingEvent::AgendaItemDropped {
                number: d.number,
                matter: item.matter,
                reason: d.reason.clone(),
            });
        }
        Ok(events)
    }

    /// Decides "record (or revise) the draft minutes". Refused once the minutes are
    /// locked (adjusted or distributed).
    pub fn decide_minutes(
        &self,
        ctx: &Context<'_>,
        draft: &MinutesDraft,
    ) -> Result<Vec<MeetingEvent>, MeetingError> {
        const ACTION: &str = "change the minutes";
        if self.minutes_locked() {
            return Err(self.final_error(ctx, ACTION));
        }
        self.not_cancelled(ctx, ACTION)?;
        if !matches!(
            self.phase,
            MeetingPhase::Held | MeetingPhase::MinutesDrafted
        ) {
            return Err(self.invalid(ctx, ACTION));
        }
        let kind = minutes_kind(ctx.org, &self.bodies);
        let id = ctx.id();
        let bad = |place: String, problem: &str| MeetingError::InvalidMinutes {
            meeting: id.clone(),
            place,
            problem: problem.into(),
        };
        ctx.known(&draft.chair, "chair")?;
        ctx.known(&draft.secretary, "secretary")?;
        for a in &draft.adjusters {
            ctx.known(a, "adjuster")?;
        }
        if kind == MinutesKind::Protocol && draft.adjusters.is_empty() {
            return Err(bad(
                "adjusters".into(),
                "a protocol needs at least one adjuster (justerare)",
            ));
        }
        let issuer = self.bodies.first().or_else(|| ctx.plan.bodies.first());
        if draft.paragraphs.is_empty() {
            return Err(bad(
                "paragraphs".into(),
                "minutes need at least one paragraph",
            ));
        }
        let first = draft.paragraphs.first().map_or(1, |p| p.number);
        if first == 0 {
            return Err(bad("§ 0".into(), "paragraph numbers start at 1"));
        }
        for (expected, p) in (first..).zip(&draft.paragraphs) {
            let place = format!("§ {}", p.number);
            if p.number != expected {
                return Err(MeetingError::InvalidMinutes {
                    meeting: id.clone(),
                    place,
                    problem: format!(
                        "paragraphs are numbered consecutively: expected § {expected}"
                    ),
                });
            }
            if p.title.trim().is_empty() {
                return Err(bad(place, "the heading is empty"));
            }
            if let Some(n) = p.agenda_item
                && !self.agenda.iter().any(|e| e.item.number == n)
            {
                return Err(MeetingError::UnknownAgendaItem {
                    meeting: id.clone(),
                    number: n,
                });
            }
            let clauses = p.outcome.clauses();
            if p.outcome.is_decision() && clauses.is_empty() {
                return Err(bad(place, "a decision needs at least one \"att\"-clause"));
            }
            if clauses.iter().any(|c| c.trim().is_empty()) {
                return Err(bad(place, "an \"att\"-clause is empty"));
            }
            if let Outcome::Recommended { to, .. } | Outcome::ReferredBack { to, .. } = &p.outcome
                && ctx.org.body(to).is_none()
            {
                return Err(bad(place, &format!("unknown body \"{to}\"")));
            }
            for pr in &p.presenters {
                if let Presenter::Person(x) = pr {
                    ctx.known(x, format!("presenter in § {}", p.number))?;
                }
            }
            for (i, order) in p.assignments.iter().enumerate() {
                let Some(issuer) = issuer else {
                    return Err(bad(place, "the meeting has no body to give an assignment"));
                };
                order
                    .check(ctx.org, issuer)
                    .map_err(|problem| MeetingError::InvalidMinutes {
                        meeting: id.clone(),
                        place: format!("§ {}, assignment {}", p.number, i + 1),
                        problem,
                    })?;
            }
        }
        let on = self.date().unwrap_or(ctx.plan.date);
        self.check_adjusters(ctx, draft, on)?;
        for p in &draft.paragraphs {
            self.check_deliberation(ctx, kind, &draft.chair, p, on)?;
        }
        Ok(vec![MeetingEvent::MinutesDrafted {
            minutes: Minutes {
                kind,
                chair: draft.chair.clone(),
                secretary: draft.secretary.clone(),
                adjusters: draft.adjusters.clone(),
                paragraphs: draft.paragraphs.clone(),
                adjuster_labels: draft.adjuster_labels.clone(),
                adjusters_elected_in: draft.adjusters_elected_in,
                rule: ctx.org.adjustment_rule(&self.bodies),
            },
        }])
    }

    /// The adjusters: each named once, labels only for named adjusters, the electing §
    /// in the minutes, and each adjuster took part in the meeting (when attendance was
    /// recorded).
    fn check_adjusters(
        &self,
        ctx: &Context<'_>,
        draft: &MinutesDraft,
        on: NaiveDate,
    ) -> Result<(), MeetingError> {
        let bad = |place: &str, problem: String| MeetingError::InvalidMinutes {
            meeting: ctx.id(),
            place: place.into(),
            problem,
        };
        let mut seen = BTreeSet::new();
        for a in &draft.adjusters {
            if !seen.insert(a) {
                return Err(bad("adjusters", format!("{a} is named twice")));
            }
            if let Some(att) = &self.attendance
                && !(att.present.is_empty() && att.substitutes.is_empty())
                && !att.took_part(a)
            {
                return Err(bad(
                    "adjusters",
                    format!("{a} did not take part in the meeting on {on}"),
                ));
            }
        }
        for (person, label) in &draft.adjuster_labels {
            if !draft.adjusters.contains(person) {
                return Err(bad(
                    "adjuster-labels",
                    format!("{person} is labelled but not named as adjuster"),
                ));
            }
            if label.trim().is_empty() {
                return Err(bad(
                    "adjuster-labels",
                    format!("the label of {person} is empty"),
                ));
            }
        }
        if let Some(n) = draft.adjusters_elected_in
            && !draft.paragraphs.iter().any(|p| p.number == n)
        {
            return Err(bad(
                "adjusters-elected-in",
                format!("the minutes have no § {n}"),
            ));
        }
        Ok(())
    }

    /// A paragraph's motions, order of propositions, vote and conflicts of interest
    /// (jäv), and the quorum for its decision counted without the conflicted.
    fn check_deliberation(
        &self,
        ctx: &Context<'_>,
        kind: MinutesKind,
        chair: &PersonId,
        p: &Paragraph,
        on: NaiveDate,
    ) -> Result<(), MeetingError> {
        let id = ctx.id();
        let place = |what: &str| format!("§ {}, {what}", p.number);
        let bad = |what: &str, problem: String| MeetingError::InvalidMinutes {
            meeting: id.clone(),
            place: place(what),
            problem,
        };
        let motions = u32::try_from(p.motions.len()).unwrap_or(u32::MAX);
        let in_range = |n: u32| n >= 1 && n <= motions;
        let bodies = ctx.bodies();
        let attendance = self.attendance.clone().unwrap_or_default();
        // Who serves (tjänstgör) with vote: members present and substitutes serving, on
        // the roster of the meeting's day.
        let serves = |person: &PersonId| {
            (attendance.present.contains(person)
                && (holds(ctx.org, person, &bodies, Role::Member, on)
                    || holds(ctx.org, person, &bodies, Role::Chair, on)))
                || attendance
                    .substitutes
                    .iter()
                    .any(|s| &s.substitute == person)
        };
        let mut conflicted = BTreeSet::new();
        for c in &p.conflicts {
            ctx.known(&c.member, place("conflict of interest (jäv)"))?;
            if !conflicted.insert(&c.member) {
                return Err(bad("jäv", format!("{} declared twice", c.member)));
            }
        }
        for (i, m) in p.motions.iter().enumerate() {
            ctx.known(&m.by, place(&format!("motion {}", i + 1)))?;
            if m.text.trim().is_empty() {
                return Err(bad(
                    &format!("motion {}", i + 1),
                    "the motion is empty".into(),
                ));
            }
            if conflicted.contains(&m.by) {
                return Err(bad(
                    &format!("motion {}", i + 1),
                    format!(
                        "{} declared a conflict of interest (jäv) and takes no part",
                        m.by
                    ),
                ));
            }
        }
        let mut put = BTreeSet::new();
        for n in &p.propositions {
            if !in_range(*n) {
                return Err(bad("propositions", format!("there is no motion {n}")));
            }
            if !put.insert(*n) {
                return Err(bad("propositions", format!("motion {n} is put twice")));
            }
        }
        if let Some(n) = p.adopted
            && !in_range(n)
        {
            return Err(bad("adopted", format!("there is no motion {n}")));
        }
        if let Some(v) = &p.vote {
            for n in [v.yes, v.no] {
                if !in_range(n) {
                    return Err(bad("vote", format!("there is no motion {n}")));
                }
                if !p.propositions.is_empty() && !put.contains(&n) {
                    return Err(bad("vote", format!("motion {n} was not put")));
                }
            }
            if v.yes == v.no {
                return Err(bad("vote", "yes and no must be different motions".into()));
            }
            let mut voted = BTreeSet::new();
            for b in &v.ballots {
                ctx.known(&b.member, place("vote"))?;
                if !voted.insert(&b.member) {
                    return Err(bad("vote", format!("{} votes twice", b.member)));
                }
                if conflicted.contains(&b.member) {
                    return Err(bad(
                        "vote",
                        format!(
                            "{} declared a conflict of interest (jäv) and may not vote",
                            b.member
                        ),
                    ));
                }
                if !serves(&b.member) {
                    return Err(bad(
                        "vote",
                        format!("{} does not serve as a member at the meeting", b.member),
                    ));
                }
            }
            let Some(result) = v.result(chair) else {
                return Err(bad(
                    "vote",
                    "the vote is tied and the chair cast no deciding vote".into(),
                ));
            };
            if p.adopted.is_some_and(|a| a != result.adopted) {
                return Err(bad(
                    "adopted",
                    format!("the vote adopted motion {}", result.adopted),
                ));
            }
        }
        // Quorum: a decision in a protocol needs more than half of the members serving,
        // without those with a conflict of interest. Checked when the meeting's
        // attendance names its serving members.
        if kind == MinutesKind::Protocol && p.outcome.is_decision() {
            let mut members: BTreeSet<&PersonId> = BTreeSet::new();
            for m in ctx.org.memberships_on(on) {
                if m.role == Role::Member && bodies.contains(&m.body) {
                    members.insert(&m.person);
                }
            }
            let serving: BTreeSet<&PersonId> = attendance
                .present
                .iter()
                .filter(|x| members.contains(x))
                .chain(attendance.substitutes.iter().map(|s| &s.substitute))
                .filter(|x| !conflicted.contains(x))
                .collect();
            let counted = !members.is_empty()
                && (!attendance.present.is_empty() || !attendance.substitutes.is_empty());
            let n = u32::try_from(members.len()).unwrap_or(u32::MAX);
            let s = u32::try_from(serving.len()).unwrap_or(u32::MAX);
            if counted && s.saturating_mul(2) <= n {
                return Err(MeetingError::QuorumNotMet {
                    meeting: id,
                    paragraph: p.number,
                    serving: s,
                    members: n,
                });
            }
        }
        Ok(())
    }

    /// Decides one adjuster's adjustment (justering): recorded with who, when and how;
    /// when every one who must has adjusted (or the chair, where the chair alone
    /// finalises), the minutes are adjusted: locked, and final for a protocol.
    pub fn decide_adjust(
        &self,
        ctx: &Context<'_>,
        adjustment: &Adjustment,
    ) -> Result<Vec<MeetingEvent>, MeetingError> {
        const ACTION: &str = "adjust the minutes";
        let minutes = self.adjustable(ctx, ACTION)?;
        let Some(by) = adjustment.by.clone() else {
            return Err(MeetingError::InvalidInput {
                meeting: ctx.id(),
                problem: "the adjustment does not say who adjusted (by)".into(),
            });
        };
        if !minutes.may_adjust(&by) {
            return Err(MeetingError::NotAnAdjuster {
                meeting: ctx.id(),
                person: by,
            });
        }
        if let Some(done) = self.signatures.iter().find(|a| a.by.as_ref() == Some(&by)) {
            return Err(MeetingError::AlreadyAdjusted {
                meeting: ctx.id(),
                person: by,
                on: done.on,
            });
        }
        if adjustment.means == AdjustmentMeans::ElectronicSignature
            && adjustment
                .reference
                .as_ref()
                .is_none_or(|r| r.trim().is_empty())
        {
            return Err(MeetingError::InvalidMinutes {
                meeting: ctx.id(),
                place: "adjustment".into(),
                problem: "an electronic signature needs the signing service's reference".into(),
            });
        }
        self.check_adjustment_date(ctx, adjustment.on)?;
        let mut events = vec![MeetingEvent::AdjusterSigned {
            adjustment: adjustment.clone(),
            round: self.drafts,
        }];
        let mut signed: Vec<PersonId> = self
            .signatures
            .iter()
            .filter_map(|a| a.by.clone())
            .collect();
        signed.push(by);
        if minutes.complete(&signed) {
            let last = self
                .signatures
                .iter()
                .map(|a| a.on)
                .chain([adjustment.on])
                .max()
                .unwrap_or(adjustment.on);
            events.push(MeetingEvent::MinutesAdjusted {
                adjustment: Adjustment {
                    on: last,
                    ..adjustment.clone()
                },
            });
        }
        Ok(events)
    }

    /// Decides an adjuster's refusal to adjust, with comments: the round's adjustments
    /// lapse and the minutes go back to the secretary for a new draft.
    pub fn decide_decline(
        &self,
        ctx: &Context<'_>,
        by: &PersonId,
        on: NaiveDate,
        comments: &str,
    ) -> Result<Vec<MeetingEvent>, MeetingError> {
        const ACTION: &str = "decline to adjust the minutes";
        let minutes = self.adjustable(ctx, ACTION)?;
        if !minutes.may_adjust(by) {
            return Err(MeetingError::NotAnAdjuster {
                meeting: ctx.id(),
                person: by.clone(),
            });
        }
        if comments.trim().is_empty() {
            return Err(MeetingError::InvalidInput {
                meeting: ctx.id(),
                problem: "a refusal to adjust needs comments saying what must change".into(),
            });
        }
        self.check_adjustment_date(ctx, on)?;
        Ok(vec![MeetingEvent::AdjustmentDeclined {
            declined: Declined {
                by: by.clone(),
                on,
                comments: comments.trim().to_owned(),
                round: self.drafts,
            },
        }])
    }

    /// Decides a reservation against a paragraph's decision: handed in with a written
    /// reason before the minutes are final, by a member who served in the paragraph.
    pub fn decide_reservation(
        &self,
        ctx: &Context<'_>,
        paragraph: u32,
        member: &PersonId,
        reason: &str,
    ) -> Result<Vec<MeetingEvent>, MeetingError> {
        const ACTION: &str = "enter a reservation";
        if self.minutes_locked() {
            return Err(self.final_error(ctx, ACTION));
        }
        self.not_cancelled(ctx, ACTION)?;
        let Some(minutes) = &self.minutes else {
            return Err(self.invalid(ctx, ACTION));
        };
        let place = format!("§ {paragraph}, reservation");
        let bad = |problem: String| MeetingError::InvalidMinutes {
            meeting: ctx.id(),
            place: place.clone(),
            problem,
        };
        ctx.known(member, "reserving member")?;
        let Some(p) = minutes.paragraph(paragraph) else {
            return Err(bad(format!("the minutes have no § {paragraph}")));
        };
        if !p.outcome.is_decision() {
            return Err(bad(
                "the paragraph records no decision to reserve against".into()
            ));
        }
        if p.conflicted(member) {
            return Err(bad(format!(
                "{member} declared a conflict of interest (jäv) and took no part"
            )));
        }
        let on = self.date().unwrap_or(ctx.plan.date);
        let bodies = ctx.bodies();
        let attendance = self.attendance.clone().unwrap_or_default();
        let serves = (attendance.present.contains(member)
            && (holds(ctx.org, member, &bodies, Role::Member, on)
                || holds(ctx.org, member, &bodies, Role::Chair, on)))
            || attendance
                .substitutes
                .iter()
                .any(|s| &s.substitute == member);
        if !serves {
            return Err(bad(format!(
                "{member} did not serve as a member at the meeting"
            )));
        }
        if reason.trim().is_empty() {
            return Err(bad("a reservation needs its written reason".into()));
        }
        if self
            .reservations
            .iter()
            .any(|r| r.paragraph == paragraph && &r.member == member)
        {
            return Err(bad(format!(
                "{member} has already reserved against § {paragraph}"
            )));
        }
        Ok(vec![MeetingEvent::ReservationEntered {
            reservation: Reservation {
                paragraph,
                member: member.clone(),
                reason: reason.trim().to_owned(),
                on: ctx.today,
            },
        }])
    }

    /// The minutes, when they may be adjusted now: drafted, not final, not declined.
    fn adjustable(
        &self,
        ctx: &Context<'_>,
        action: &'static str,
    ) -> Result<&Minutes, MeetingError> {
        if self.minutes_locked() {
            return Err(self.final_error(ctx, action));
        }
        self.not_cancelled(ctx, action)?;
        let Some(minutes) = &self.minutes else {
            return Err(self.invalid(ctx, action));
        };
        if minutes.adjusters.is_empty() {
            return Err(MeetingError::InvalidMinutes {
                meeting: ctx.id(),
                place: "adjusters".into(),
                problem: "the minutes name no adjuster (justerare)".into(),
            });
        }
        if self.returned
            && let Some(d) = self.declines.last()
        {
            return Err(MeetingError::MinutesReturned {
                meeting: ctx.id(),
                declined_by: d.by.clone(),
            });
        }
        Ok(minutes)
    }

    fn check_adjustment_date(&self, ctx: &Context<'_>, on: NaiveDate) -> Result<(), MeetingError> {
        let held = self.held_on.unwrap_or(ctx.plan.date);
        if on < held || on > ctx.today {
            return Err(MeetingError::InvalidMinutes {
                meeting: ctx.id(),
                place: "adjustment".into(),
                problem: format!(
                    "the adjustment date {on} must be between the meeting ({held}) and today ({})",
                    ctx.today
                ),
            });
        }
        Ok(())
    }

    /// Decides "distribute the minutes": a protocol must be adjusted first.
    pub fn decide_distribute(
        &self,
        ctx: &Context<'_>,
        recipients: Vec<PersonId>,
    ) -> Result<Vec<MeetingEvent>, MeetingError> {
        const ACTION: &str = "distribute the minutes";
        self.not_cancelled(ctx, ACTION)?;
        if self.distributed_on.is_some() {
            return Err(self.final_error(ctx, ACTION));
        }
        let Some(minutes) = &self.minutes else {
            return Err(self.invalid(ctx, ACTION));
        };
        if minutes.kind == MinutesKind::Protocol && self.adjustment.is_none() {
            return Err(MeetingError::NotAdjusted { meeting: ctx.id() });
        }
        Ok(vec![MeetingEvent::MinutesDistributed {
            on: ctx.today,
            recipients,
        }])
    }

    /// Decides "move the meeting" (same entry, raised sequence).
    pub fn decide_move(
        &self,
        ctx: &Context<'_>,
        slot: MeetingSlot,
        reason: Option<String>,
    ) -> Result<Vec<MeetingEvent>, MeetingError> {
        const ACTION: &str = "move the meeting";
        let (state, mut events) = self.opened(ctx);
        state.not_cancelled(ctx, ACTION)?;
        if !state.phase.before_held() {
            return Err(state.invalid(ctx, ACTION));
        }
        check_slot(ctx, &slot)?;
        if state.slot.as_ref() == Some(&slot) {
            return Ok(events);
        }
        events.push(MeetingEvent::MeetingMoved { slot, reason });
        Ok(events)
    }

    /// Decides "confirm the meeting".
    pub fn decide_confirm(&self, ctx: &Context<'_>) -> Result<Vec<MeetingEvent>, MeetingError> {
        const ACTION: &str = "confirm the meeting";
        let (state, mut events) = self.opened(ctx);
        state.not_cancelled(ctx, ACTION)?;
        if !state.phase.before_held() {
            return Err(state.invalid(ctx, ACTION));
        }
        if state.status != MeetingStatus::Confirmed {
            events.push(MeetingEvent::MeetingConfirmed);
        }
        Ok(events)
    }

    /// Decides "cancel the meeting".
    pub fn decide_cancel(
        &self,
        ctx: &Context<'_>,
        reason: Option<String>,
    ) -> Result<Vec<MeetingEvent>, MeetingError> {
        const ACTION: &str = "cancel the meeting";
        let (state, mut events) = self.opened(ctx);
        state.not_cancelled(ctx, ACTION)?;
        if !state.phase.before_held() {
            return Err(state.invalid(ctx, ACTION));
        }
        events.push(MeetingEvent::MeetingCancelled { reason });
        Ok(events)
    }
}

#[cfg(test)]
pub(crate) mod tests;

#[cfg(test)]
mod adjust_tests;
