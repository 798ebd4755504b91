//! The events of a matter (facts, in the past tense) and the state they fold into.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::types::*;
use crate::aggregate::{Aggregate, Event};
use crate::ids::{AssignmentId, BodyId, MatterId, MeetingId, PartyId, PersonId, RouteId, StepId};
use crate::route::Purpose;

/// Something that happened to a matter. Stored as externally tagged JSON with the
/// variant name as event type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatterEvent {
    /// Submitted and registered (anmält ärende).
    Submitted {
        /// The matter.
        id: MatterId,
        /// Its kind.
        kind: MatterKind,
        /// Its title.
        title: String,
        /// Who raised it.
        submitter: PersonId,
        /// The body it was submitted to.
        body: BodyId,
        /// The parties' case numbers (diarienummer).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        case_numbers: BTreeMap<PartyId, String>,
        /// For an assignment: the body that issued it (may withdraw it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        issuer: Option<BodyId>,
        /// The matter this one revises.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        revises: Option<MatterId>,
        /// The day it was registered.
        #[serde(serialize_with = "crate::json::date")]
        on: NaiveDate,
        /// The configuration version it was registered under.
        config_version: String,
    },
    /// A party's case number registered (diarienummer).
    CaseNumberRegistered {
        /// The party.
        party: PartyId,
        /// Its case number.
        number: String,
    },
    /// The documents are ready (handlingar klara), e.g. for the notice.
    DocumentsReady {
        /// The day.
        #[serde(serialize_with = "crate::json::date")]
        on: NaiveDate,
    },
    /// Screened as an information item (relevansbedömning: för kännedom).
    ScreenedAsInformation {
        /// The screening body.
        body: BodyId,
    },
    /// Screened as a matter to handle on a route.
    AcceptedForHandling {
        /// The screening body.
        body: BodyId,
        /// The route.
        route: RouteId,
        /// The route's first step(s).
        activated: Vec<ActiveStep>,
    },
    /// Redirected to another body, which screens it again.
    Redirected {
        /// The body it left.
        from: BodyId,
        /// The body it goes to.
        to: BodyId,
        /// Why.
        reason: String,
    },
    /// Answered directly at screening; closed.
    AnsweredDirectly {
        /// The screening body.
        body: BodyId,
        /// The answer.
        answer: String,
    },
    /// Put on a meeting's agenda.
    Scheduled {
        /// The meeting.
        meeting: MeetingId,
        /// The body whose step it is for.
        body: BodyId,
    },
    /// Presented (dragning): information given.
    Presented {
        /// Where.
        at: At,
        /// The information step completed, if it was one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        advance: Option<Advance>,
    },
    /// Prepared (beredd): a draft or recommendation formed.
    Prepared {
        /// Where.
        at: At,
        /// The recommendation formed, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recommendation: Option<String>,
        /// The step completed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        advance: Option<Advance>,
    },
    /// Sent on consultation (remiss).
    RemissSent {
        /// Where it was decided.
        at: At,
        /// Who is consulted.
        recipients: Vec<RemissRecipient>,
        /// Comments by this date.
        #[serde(serialize_with = "crate::json::date")]
        deadline: NaiveDate,
        /// Who receives the comments.
        receivers: Vec<String>,
        /// The consultation edition (remissupplaga), if named.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        edition: Option<String>,
    },
    /// A consultation response recorded (remissvar).
    RemissResponseRecorded {
        /// Who answered.
        recipient: RemissRecipient,
        /// How many comments.
        comments: u32,
        /// When received.
        #[serde(serialize_with = "crate::json::date")]
        received_on: NaiveDate,
    },
    /// Responses worked in ("101 comments handled"); the consultation is over.
    ResponsesWorkedIn {
        /// Where.
        at: At,
        /// Comments handled.
        comments_handled: u32,
        /// Recipients that never answered.
        missing: Vec<RemissRecipient>,
        /// The consultation step completed, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        advance: Option<Advance>,
    },
    /// A direction decision (inriktningsbeslut): work continues.
    DirectionDecided {
        /// Where.
        at: At,
        /// The direction decided.
        direction: String,
    },
    /// Recommended and forwarded upward (föreslå X att …).
    Recommended {
        /// Where.
        at: At,
        /// The bodies it goes to.
        to: Vec<BodyId>,
        /// The recommendation.
        recommendation: String,
        /// The step completed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        advance: Option<Advance>,
    },
    /// Readiness checked (ställningstagande om parterna är redo för beslutsprocess).
    ReadinessChecked {
        /// Where.
        at: At,
        /// Whether the parties are ready.
        ready: bool,
        /// A note.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// The step completed (when ready).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        advance: Option<Advance>,
    },
    /// Decided within mandate (beslut att …).
    Decided {
        /// Where.
        at: At,
        /// Approved (bifall) or rejected (avslag).
        approved: bool,
        /// The "att"-clauses.
        clauses: Vec<String>,
        /// The step completed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        advance: Option<Advance>,
    },
    /// Decided to go to political decision in the parties.
    ForwardedToPolitical {
        /// Where.
        at: At,
        /// The step completed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        advance: Option<Advance>,
    },
    /// Referred back (återremiss) with instructions.
    ReferredBack {
        /// Where.
        at: At,
        /// The instructions.
        instructions: String,
        /// The step it goes back to.
        to: ActiveStep,
        /// Steps no longer current.
        deactivated: Vec<StepId>,
        /// Completed steps to be done again.
        reopened: Vec<StepId>,
    },
    /// Tabled (bordlagt): stays at the body, next meeting.
    Tabled {
        /// Where.
        at: At,
        /// The next meeting, when one is planned.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_meeting: Option<MeetingId>,
    },
    /// Dropped from a meeting's agenda (ärendet utgår), moved to the next meeting.
    DroppedFromAgenda {
        /// The meeting.
        meeting: MeetingId,
        /// The body.
        body: BodyId,
        /// Why (e.g. lack of time).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The next meeting, when one is planned.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        moved_to: Option<MeetingId>,
    },
    /// Withdrawn (återtagen); closed.
    Withdrawn {
        /// Who withdrew it (audit name).
        by: String,
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Noted and filed (läggs till handlingarna); closed.
    Filed {
        /// Where.
        at: At,
    },
    /// Escalated to another route.
    Escalated {
        /// Where.
        at: At,
        /// The route it left.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<RouteId>,
        /// The new route.
        to: RouteId,
        /// Why.
        reason: String,
        /// The new route's first step(s).
        activated: Vec<ActiveStep>,
    },
    /// A party's political decision.
    PoliticalDecisionRecorded {
        /// The party.
        party: PartyId,
        /// Its political body.
        body: BodyId,
        /// Adopted or rejected.
        decision: PartyDecision,
        /// The minutes paragraph.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        minutes: Option<crate::meeting::MinutesRef>,
        /// The day of the decision.
        #[serde(serialize_with = "crate::json::date")]
        on: NaiveDate,
        /// The political step completed (when this was the last party).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        advance: Option<Advance>,
    },
    /// The minutes with a party's political decision were adjusted (justerade).
    PartyMinutesAdjusted {
        /// The party.
        party: PartyId,
        /// Its political body.
        body: BodyId,
        /// The day of adjustment.
        #[serde(serialize_with = "crate::json::date")]
        on: NaiveDate,
        /// The day they were due (the meeting + the body's `minutes-final`, 14 days).
        #[serde(serialize_with = "crate::json::date")]
        due: NaiveDate,
        /// Whether adjusted after `due`.
        late: bool,
    },
    /// The notice that the minutes are adjusted was put on the party's notice board
    /// (anslagstavla): the appeal period (laglighetsprövning) runs from it.
    Announced {
        /// The party.
        party: PartyId,
        /// Its political body.
        body: BodyId,
        /// The day of the notice.
        #[serde(serialize_with = "crate::json::date")]
        on: NaiveDate,
        /// The day it was due (the adjustment + `announcement`, 2 days).
        #[serde(serialize_with = "crate::json::date")]
        due: NaiveDate,
        /// Whether put up after `due` (recorded, but flagged).
        late: bool,
        /// The last day of the appeal period.
        #[serde(serialize_with = "crate::json::date")]
        appeal_ends: NaiveDate,
        /// The first day the decision is in legal force (laga kraft).
        #[serde(serialize_with = "crate::json::date")]
        legal_force: NaiveDate,
    },
    /// An appeal (överklagande) was lodged against the party's decision.
    AppealLodged {
        /// The party.
        party: PartyId,
        /// Its political body.
        body: BodyId,
        /// The day it was lodged.
        on: NaiveDate,
        /// The court's case number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        /// Lodged after the appeal period (it does not defer legal force).
        late: bool,
    },
    /// An appeal against the party's decision was settled by a final ruling.
    AppealSettled {
        /// The party.
        party: PartyId,
        /// Its political body.
        body: BodyId,
        /// Which appeal: its position among the party's appeals (0 = the first).
        appeal: usize,
        /// The day the ruling became final.
        on: NaiveDate,
        /// The ruling.
        outcome: AppealOutcome,
    },
    /// The handling concluded: decided, adopted, partially adopted or rejected.
    Concluded {
        /// How.
        outcome: Conclusion,
    },
    /// Entered into force (ikraftträdande).
    EnteredIntoForce {
        /// From this day.
        #[serde(serialize_with = "crate::json::date")]
        on: NaiveDate,
        /// Valid until this day, if limited.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[serde(serialize_with = "crate::json::opt_date")]
        valid_until: Option<NaiveDate>,
        /// The parties it is in force for (empty: no political level).
        parties: Vec<PartyId>,
        /// Why it entered into force before every decision was in legal force, when it
        /// did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        legal_force_override: Option<String>,
        /// The entry-into-force step completed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        advance: Option<Advance>,
    },
    /// Followed up (uppföljning).
    FollowedUp {
        /// What the follow-up found.
        note: String,
        /// The next follow-up, if scheduled.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[serde(serialize_with = "crate::json::opt_date")]
        next: Option<NaiveDate>,
        /// The follow-up step completed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        advance: Option<Advance>,
    },
    /// A revision (revidering) started: a new matter runs its own route while this one
    /// stays valid.
    RevisionStarted {
        /// The new version.
        by: MatterId,
    },
    /// Replaced by a revision (revidering) that entered into force.
    Revised {
        /// The new version.
        by: MatterId,
    },
    /// Extended (förlängning): stays valid to a new date.
    Extended {
        /// The new end of validity.
        #[serde(serialize_with = "crate::json::date")]
        until: NaiveDate,
        /// The end it had before.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[serde(serialize_with = "crate::json::opt_date")]
        previous: Option<NaiveDate>,
    },
    /// An assignment (uppdrag) given in the matter was reported back (återrapporterat):
    /// the matter's history shows it and its submitter is owed feedback.
    AssignmentReportReceived {
        /// The assignment.
        assignment: AssignmentId,
        /// The body that gave it.
        issuer: BodyId,
        /// The report, as entered.
        report: String,
        /// The day it was reported.
        #[serde(serialize_with = "crate::json::date")]
        on: NaiveDate,
        /// Where it was reported, if at a meeting.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<crate::meeting::MinutesRef>,
    },
    /// The submitter was told of the matter's changes (återkoppling).
    FeedbackGiven {
        /// The matter's version the submitter now knows of.
        through: u64,
        /// `true` when recorded by hand (the secretary told them), `false` when the engine
        /// wrote it to the outbox with the change.
        manual: bool,
        /// A note.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

const TYPES: &[&str] = &[
    "Submitted",
    "CaseNumberRegistered",
    "DocumentsReady",
    "ScreenedAsInformation",
    "AcceptedForHandling",
    "Redirected",
    "AnsweredDirectly",
    "Scheduled",
    "Presented",
    "Prepared",
    "RemissSent",
    "RemissResponseRecorded",
    "ResponsesWorkedIn",
    "DirectionDecided",
    "Recommended",
    "ReadinessChecked",
    "Decided",
    "ForwardedToPolitical",
    "ReferredBack",
    "Tabled",
    "DroppedFromAgenda",
    "Withdrawn",
    "Filed",
    "Escalated",
    "PoliticalDecisionRecorded",
    "PartyMinutesAdjusted",
    "Announced",
    "AppealLodged",
    "AppealSettled",
    "Concluded",
    "EnteredIntoForce",
    "FollowedUp",
    "RevisionStarted",
    "Revised",
    "Extended",
    "AssignmentReportReceived",
    "FeedbackGiven",
];

impl Event for MatterEvent {
    fn event_type(&self) -> &'static str {
        use MatterEvent::*;
        match self {
            Submitted { .. } => "Submitted",
            CaseNumberRegistered { .. } => "CaseNumberRegistered",
            DocumentsReady { .. } => "DocumentsReady",
            ScreenedAsInformation { .. } => "ScreenedAsInformation",
            AcceptedForHandling { .. } => "AcceptedForHandling",
            Redirected { .. } => "Redirected",
            AnsweredDirectly { .. } => "AnsweredDirectly",
            Scheduled { .. } => "Scheduled",
            Presented { .. } => "Presented",
            Prepared { .. } => "Prepared",
            RemissSent { .. } => "RemissSent",
            RemissResponseRecorded { .. } => "RemissResponseRecorded",
            ResponsesWorkedIn { .. } => "ResponsesWorkedIn",
            DirectionDecided { .. } => "DirectionDecided",
            Recommended { .. } => "Recommended",
            ReadinessChecked { .. } => "ReadinessChecked",
            Decided { .. } => "Decided",
            ForwardedToPolitical { .. } => "ForwardedToPolitical",
            ReferredBack { .. } => "ReferredBack",
            Tabled { .. } => "Tabled",
            DroppedFromAgenda { .. } => "DroppedFromAgenda",
            Withdrawn { .. } => "Withdrawn",
            Filed { .. } => "Filed",
            Escalated { .. } => "Escalated",
            PoliticalDecisionRecorded { .. } => "PoliticalDecisionRecorded",
            PartyMinutesAdjusted { .. } => "PartyMinutesAdjusted",
            Announced { .. } => "Announced",
            AppealLodged { .. } => "AppealLodged",
            AppealSettled { .. } => "AppealSettled",
            Concluded { .. } => "Concluded",
            EnteredIntoForce { .. } => "EnteredIntoForce",
            FollowedUp { .. } => "FollowedUp",
            RevisionStarted { .. } => "RevisionStarted",
            Revised { .. } => "Revised",
            Extended { .. } => "Extended",
            AssignmentReportReceived { .. } => "AssignmentReportReceived",
            FeedbackGiven { .. } => "FeedbackGiven",
        }
    }

    fn known_types() -> &'static [&'static str] {
        TYPES
    }

    /// A submission names its matter: stored in another matter's stream it is corrupt.
    fn subject(&self) -> Option<String> {
        match self {
            MatterEvent::Submitted { id, .. } => Some(id.to_string()),
            _ => None,
        }
    }

    /// The mandate a decision, direction decision, recommendation, preparation,
    /// readiness check, forwarding or political decision was taken under (audit).
    fn mandate(&self) -> Option<(crate::ids::BodyId, crate::terms::Mandate)> {
        use crate::terms::Mandate as M;
        let (at, mandate) = match self {
            MatterEvent::Decided { at, .. } => (&at.body, M::Decide),
            MatterEvent::DirectionDecided { at, .. } => (&at.body, M::DirectionDecision),
            MatterEvent::Recommended { at, .. } => (&at.body, M::Recommend),
            MatterEvent::Prepared { at, .. } => (&at.body, M::Prepare),
            MatterEvent::ReadinessChecked { at, .. } => (&at.body, M::ReadinessCheck),
            MatterEvent::ForwardedToPolitical { at, .. } => (&at.body, M::ForwardToPolitical),
            MatterEvent::PoliticalDecisionRecorded { body, .. } => (body, M::PoliticalDecision),
            _ => return None,
        };
        Some((at.clone(), mandate))
    }
}

impl MatterEvent {
    /// Whether this is a change the submitter should hear of (återkoppling). Recording
    /// feedback, a case number, ready documents, a single remiss response or a step of a
    /// party's decision towards legal force (adjustment, notice, appeal) is not.
    pub fn is_change(&self) -> bool {
        !matches!(
            self,
            MatterEvent::FeedbackGiven { .. }
                | MatterEvent::CaseNumberRegistered { .. }
                | MatterEvent::DocumentsReady { .. }
                | MatterEvent::RemissResponseRecorded { .. }
                | MatterEvent::PartyMinutesAdjusted { .. }
                | MatterEvent::Announced { .. }
                | MatterEvent::AppealLodged { .. }
                | MatterEvent::AppealSettled { .. }
                | MatterEvent::RevisionStarted { .. }
        )
    }

    /// The route advance the event carries, if any.
    pub fn advance(&self) -> Option<&Advance> {
        use MatterEvent::*;
        match self {
            Presented { advance, .. }
            | Prepared { advance, .. }
            | ResponsesWorkedIn { advance, .. }
            | Recommended { advance, .. }
            | ReadinessChecked { advance, .. }
            | Decided { advance, .. }
            | ForwardedToPolitical { advance, .. }
            | PoliticalDecisionRecorded { advance, .. }
            | EnteredIntoForce { advance, .. }
            | FollowedUp { advance, .. } => advance.as_ref(),
            _ => None,
        }
    }

    /// Where the event happened, if at a body.
    pub fn at(&self) -> Option<&At> {
        use MatterEvent::*;
        match self {
            Presented { at, .. }
            | Prepared { at, .. }
            | RemissSent { at, .. }
            | ResponsesWorkedIn { at, .. }
            | DirectionDecided { at, .. }
            | Recommended { at, .. }
            | ReadinessChecked { at, .. }
            | Decided { at, .. }
            | ForwardedToPolitical { at, .. }
            | ReferredBack { at, .. }
            | Tabled { at, .. }
            | Filed { at }
            | Escalated { at, .. } => Some(at),
            _ => None,
        }
    }

    /// The body the event happened at, if any (for followers of a body).
    pub fn body(&self) -> Option<&BodyId> {
        use MatterEvent::*;
        match self {
            Submitted { body, .. }
            | ScreenedAsInformation { body }
            | AcceptedForHandling { body, .. }
            | AnsweredDirectly { body, .. }
            | Scheduled { body, .. }
            | DroppedFromAgenda { body, .. }
            | PoliticalDecisionRecorded { body, .. }
            | PartyMinutesAdjusted { body, .. }
            | Announced { body, .. }
            | AppealLodged { body, .. }
            | AppealSettled { body, .. } => Some(body),
            Redirected { to, .. } => Some(to),
            _ => self.at().map(|a| &a.body),
        }
    }
}

/// A matter's state: the fold of its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matter {
    /// The id (`None` before it is submitted).
    pub id: Option<MatterId>,
    /// The kind.
    pub kind: MatterKind,
    /// The title.
    pub title: String,
    /// Who raised it.
    pub submitter: PersonId,
    /// The body it was submitted to (after a redirect: the new body). It administers the
    /// matter when no route step is current.
    pub body: BodyId,
    /// For an assignment: the issuing body.
    pub issuer: Option<BodyId>,
    /// The parties' case numbers.
    pub case_numbers: BTreeMap<PartyId, String>,
    /// The status.
    pub status: MatterStatus,
    /// The route it follows, once accepted for handling.
    pub route: Option<RouteId>,
    /// The current step(s) of the route.
    pub active: Vec<ActiveStep>,
    /// The completed steps with where they were completed, in order.
    pub done: Vec<StepOutcome>,
    /// The meeting it is scheduled on.
    pub scheduled: Option<MeetingId>,
    /// The last body that handled it.
    pub last_body: Option<BodyId>,
    /// The open consultation (remiss), if any.
    pub remiss: Option<Box<Remiss>>,
    /// The political decisions per party (a party not here has not decided yet).
    pub political: BTreeMap<PartyId, PartyDecision>,
    /// Each deciding party's road to legal force (laga kraft): its decision's day, the
    /// adjustment of its minutes and the notice on its notice board.
    #[serde(default)]
    pub legal: BTreeMap<PartyId, PartyLegal>,
    /// The assignments given in the matter that have been reported back, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reported_assignments: Vec<AssignmentId>,
    /// Why the matter entered into force before every decision was in legal force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_force_override: Option<String>,
    /// How the handling concluded.
    pub conclusion: Option<Conclusion>,
    /// In force from.
    #[serde(serialize_with = "crate::json::opt_date")]
    pub in_force_from: Option<NaiveDate>,
    /// Valid until (after an extension: the new date).
    #[serde(serialize_with = "crate::json::opt_date")]
    pub valid_until: Option<NaiveDate>,
    /// The parties it is in force for.
    pub in_force_for: Vec<PartyId>,
    /// The next follow-up date.
    #[serde(serialize_with = "crate::json::opt_date")]
    pub next_follow_up: Option<NaiveDate>,
    /// How many follow-ups were made.
    pub follow_ups: u32,
    /// The matter this one revises.
    pub revises: Option<MatterId>,
    /// The matter that revises this one (once the revision entered into force).
    pub revised_by: Option<MatterId>,
    /// The revision under way: this matter stays valid until it enters into force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<MatterId>,
    /// When it was registered.
    #[serde(serialize_with = "crate::json::date")]
    pub registered_on: NaiveDate,
    /// When its documents were ready.
    #[serde(serialize_with = "crate::json::opt_date")]
    pub documents_ready: Option<NaiveDate>,
    /// The configuration version it was registered under.
    pub config_version: String,
    /// The stream version (number of events folded).
    pub version: u64,
    /// The version of the last change the submitter should hear of.
    pub last_change: u64,
    /// The version through which the submitter has been told.
    pub told_through: u64,
}

impl Default for Matter {
    fn default() -> Self {
        Matter {
            id: None,
            kind: MatterKind::Information,
            title: String::new(),
            submitter: PersonId::new(""),
            body: BodyId::new(""),
            issuer: None,
            case_numbers: BTreeMap::new(),
            status: MatterStatus::Registered,
            route: None,
            active: Vec::new(),
            done: Vec::new(),
            scheduled: None,
            last_body: None,
            remiss: None,
            political: BTreeMap::new(),
            legal: BTreeMap::new(),
            reported_assignments: Vec::new(),
            legal_force_override: None,
            conclusion: None,
            in_force_from: None,
            valid_until: None,
            in_force_for: Vec::new(),
            next_follow_up: None,
            follow_ups: 0,
            revises: None,
            revised_by: None,
            revision: None,
            registered_on: NaiveDate::default(),
            documents_ready: None,
            config_version: String::new(),
            version: 0,
            last_change: 0,
            told_through: 0,
        }
    }
}

impl Matter {
    /// Whether the matter exists (has been submitted).
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    /// Whether the submitter has not been told of the matter's last change.
    pub fn owes_feedback(&self) -> bool {
        self.last_change > self.told_through
    }

    /// Where a party stands in the political decision process.
    pub fn political_state(&self, party: &PartyId) -> PoliticalState {
        match self.political.get(party) {
            None => PoliticalState::NotYet,
            Some(PartyDecision::Adopted) => PoliticalState::Adopted,
            Some(PartyDecision::Rejected) => PoliticalState::Rejected,
        }
    }

    /// The bodies the matter is at now: the bodies of its current steps; when no current
    /// step has a body, the last body that handled it, or the body it was submitted to.
    pub fn current_bodies(&self) -> Vec<&BodyId> {
        let mut out: Vec<&BodyId> = Vec::new();
        if matches!(
            self.status,
            MatterStatus::InProgress | MatterStatus::PoliticalProcess
        ) {
            for a in &self.active {
                if let Some(b) = &a.body
                    && !out.contains(&b)
                {
                    out.push(b);
                }
            }
        }
        if out.is_empty() {
            out.push(match self.status {
                MatterStatus::Registered | MatterStatus::InformationItem => &self.body,
                _ => self.last_body.as_ref().unwrap_or(&self.body),
            });
        }
        out
    }

    /// Whether the given step is completed.
    pub fn is_done(&self, step: &StepId) -> bool {
        self.done.iter().any(|o| &o.step == step)
    }

    /// Whether the given step is current.
    pub fn is_active(&self, step: &StepId) -> bool {
        self.active.iter().any(|a| &a.step == step)
    }

    fn apply_advance(&mut self, advance: &Advance, at: Option<&At>, by: &'static str) {
        self.active.retain(|a| a.step != advance.completed);
        if !self.is_done(&advance.completed) {
            self.done.push(StepOutcome {
                step: advance.completed.clone(),
                at: at.cloned(),
                by: std::borrow::Cow::Borrowed(by),
            });
        }
        for a in &advance.activated {
            if !self.is_active(&a.step) {
                self.active.push(a.clone());
            }
        }
        self.scheduled = None;
        self.refresh_status();
    }

    /// After the route moved: in progress, or in the political process when a political
    /// step is current. Decided, in-force and closed matters keep their status.
    fn refresh_status(&mut self) {
        if matches!(
            self.status,
            MatterStatus::InProgress | MatterStatus::PoliticalProcess
        ) {
            self.status = if self
                .active
                .iter()
                .any(|a| a.purpose == Purpose::PoliticalDecision)
            {
                MatterStatus::PoliticalProcess
            } else {
                MatterStatus::InProgress
            };
        }
    }
}

impl Aggregate for Matter {
    type Event = MatterEvent;
    const PREFIX: &'static str = "matter";

    fn apply(&mut self, event: &MatterEvent) {
        use MatterEvent::*;
        self.version += 1;
        if event.is_change() {
            self.last_change = self.version;
        }
        if let Some(at) = event.at() {
            self.last_body = Some(at.body.clone());
        }
        let by = event.event_type();
        match event {
            Submitted {
                id,
                kind,
                title,
                submitter,
                body,
                case_numbers,
                issuer,
                revises,
                on,
                config_version,
            } => {
                self.id = Some(*id);
                self.kind = *kind;
                self.title = title.clone();
                self.submitter = submitter.clone();
                self.body = body.clone();
                self.case_numbers = case_numbers.clone();
                self.issuer = issuer.clone();
                self.revises = *revises;
                self.registered_on = *on;
                self.config_version = config_version.clone();
                self.status = MatterStatus::Registered;
            }
            CaseNumberRegistered { party, number } => {
                self.case_numbers.insert(party.clone(), number.clone());
            }
            DocumentsReady { on } => self.documents_ready = Some(*on),
            ScreenedAsInformation { .. } => self.status = MatterStatus::InformationItem,
            AcceptedForHandling {
                route, activated, ..
            } => {
                self.route = Some(route.clone());
                self.active = activated.clone();
                self.status = MatterStatus::InProgress;
                self.refresh_status();
            }
            Redirected { to, .. } => {
                self.body = to.clone();
                self.status = MatterStatus::Registered;
                self.scheduled = None;
            }
            AnsweredDirectly { .. } => {
                self.status = MatterStatus::Closed(Closure::AnsweredDirectly);
            }
            Scheduled { meeting, .. } => self.scheduled = Some(meeting.clone()),
            Presented { at, advance } => match advance {
                Some(a) => self.apply_advance(a, Some(at), by),
                None => self.scheduled = None,
            },
            RemissSent {
                at,
                recipients,
                deadline,
                receivers,
                ..
            } => {
                self.remiss = Some(Box::new(Remiss {
                    body: at.body.clone(),
                    recipients: recipients.clone(),
                    deadline: *deadline,
                    receivers: receivers.clone(),
                    responses: Vec::new(),
                }));
            }
            RemissResponseRecorded {
                recipient,
                comments,
                received_on,
            } => {
                if let Some(r) = &mut self.remiss {
                    r.responses.push(RemissResponse {
                        recipient: recipient.clone(),
                        comments: *comments,
                        received_on: *received_on,
                    });
                }
            }
            ResponsesWorkedIn { at, advance, .. } => {
                self.remiss = None;
                if let Some(a) = advance {
                    self.apply_advance(a, Some(at), by);
                }
            }
            DirectionDecided { .. } => self.scheduled = None,
            Prepared { at, advance, .. }
            | Recommended { at, advance, .. }
            | ReadinessChecked { at, advance, .. }
            | Decided { at, advance, .. }
            | ForwardedToPolitical { at, advance } => match advance {
                Some(a) => self.apply_advance(a, Some(at), by),
                None => self.scheduled = None,
            },
            ReferredBack {
                to,
                deactivated,
                reopened,
                ..
            } => {
                self.active.retain(|a| !deactivated.contains(&a.step));
                self.done.retain(|o| !reopened.contains(&o.step));
                if !self.is_active(&to.step) {
                    self.active.push(to.clone());
                }
                self.scheduled = None;
                self.refresh_status();
            }
            Tabled { next_meeting, .. } => self.scheduled = next_meeting.clone(),
            DroppedFromAgenda { moved_to, .. } => self.scheduled = moved_to.clone(),
            Withdrawn { .. } => {
                self.status = MatterStatus::Closed(Closure::Withdrawn);
                self.scheduled = None;
            }
            Filed { .. } => {
                self.status = MatterStatus::Closed(Closure::Filed);
                self.scheduled = None;
            }
            Escalated { to, activated, .. } => {
                self.route = Some(to.clone());
                self.active = activated.clone();
                self.done.clear();
                self.scheduled = None;
                self.status = MatterStatus::InProgress;
                self.refresh_status();
            }
            PoliticalDecisionRecorded {
                party,
                body,
                decision,
                minutes,
                on,
                advance,
            } => {
                self.political.insert(party.clone(), *decision);
                self.legal.insert(
                    party.clone(),
                    PartyLegal {
                        body: body.clone(),
                        decided_on: *on,
                        adjusted_on: None,
                        adjusted_late: false,
                        announced_on: None,
                        announced_late: false,
                        appeal_ends: None,
                        legal_force: None,
                        appeals: Vec::new(),
                    },
                );
                if let Some(a) = advance {
                    let at = At {
                        body: body.clone(),
                        minutes: minutes.clone(),
                    };
                    self.apply_advance(a, Some(&at), by);
                }
            }
            PartyMinutesAdjusted {
                party, on, late, ..
            } => {
                if let Some(l) = self.legal.get_mut(party) {
                    l.adjusted_on = Some(*on);
                    l.adjusted_late = *late;
                }
            }
            Announced {
                party,
                on,
                late,
                appeal_ends,
                legal_force,
                ..
            } => {
                if let Some(l) = self.legal.get_mut(party) {
                    l.announced_on = Some(*on);
                    l.announced_late = *late;
                    l.appeal_ends = Some(*appeal_ends);
                    l.legal_force = Some(*legal_force);
                    if !l.appeals.is_empty() {
                        l.legal_force = l.force_from_facts();
                    }
                }
            }
            AppealLodged {
                party,
                on,
                reference,
                late,
                ..
            } => {
                if let Some(l) = self.legal.get_mut(party) {
                    l.appeals.push(super::Appeal {
                        lodged_on: *on,
                        reference: reference.clone(),
                        late: *late,
                        settled: None,
                    });
                    if l.appeal_ends.is_some() {
                        l.legal_force = l.force_from_facts();
                    }
                }
            }
            AppealSettled {
                party,
                appeal,
                on,
                outcome,
                ..
            } => {
                if let Some(l) = self.legal.get_mut(party) {
                    if let Some(a) = l.appeals.get_mut(*appeal) {
                        a.settled = Some(super::AppealSettled {
                            on: *on,
                            outcome: *outcome,
                        });
                    }
                    if l.appeal_ends.is_some() {
                        l.legal_force = l.force_from_facts();
                    }
                }
            }
            Concluded { outcome } => {
                self.conclusion = Some(*outcome);
                if self.status != MatterStatus::InForce {
                    self.status = match outcome {
                        Conclusion::Rejected => MatterStatus::Closed(Closure::Rejected),
                        _ => MatterStatus::Decided,
                    };
                }
            }
            EnteredIntoForce {
                on,
                valid_until,
                parties,
                legal_force_override,
                advance,
            } => {
                self.legal_force_override = legal_force_override.clone();
                self.in_force_from = Some(*on);
                self.valid_until = *valid_until;
                self.in_force_for = parties.clone();
                self.status = MatterStatus::InForce;
                if let Some(a) = advance {
                    self.apply_advance(a, None, by);
                }
            }
            FollowedUp { next, advance, .. } => {
                self.follow_ups += 1;
                self.next_follow_up = *next;
                if let Some(a) = advance {
                    self.apply_advance(a, None, by);
                }
            }
            RevisionStarted { by } => self.revision = Some(*by),
            Revised { by } => {
                self.revision = None;
                self.revised_by = Some(*by);
                self.status = MatterStatus::Closed(Closure::Revised);
            }
            Extended { until, .. } => self.valid_until = Some(*until),
            AssignmentReportReceived { assignment, .. } => {
                if !self.reported_assignments.contains(assignment) {
                    self.reported_assignments.push(*assignment);
                }
            }
            FeedbackGiven { through, .. } => {
                self.told_through = self.told_through.max(*through);
            }
        }
    }
}
