//! The commands a matter accepts (in the imperative), one per lifecycle term.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::types::*;
use crate::ids::MinutesRef;
use crate::ids::{AssignmentId, BodyId, MatterId, MeetingId, PartyId, PersonId, RouteId};

/// Submit a matter (anmäla ärende) to a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitMatter {
    /// The new matter's id; `None` = a fresh time-ordered id from the engine's clock.
    /// Give it to make a retried submission idempotent.
    #[serde(default)]
    pub id: Option<MatterId>,
    /// The kind of matter.
    pub kind: MatterKind,
    /// The title.
    pub title: String,
    /// Who raises it; `None` = the actor (who must then be a person).
    #[serde(default)]
    pub submitter: Option<PersonId>,
    /// The body it is submitted to.
    pub body: BodyId,
    /// The parties' case numbers (diarienummer), per party.
    #[serde(default)]
    pub case_numbers: BTreeMap<PartyId, String>,
    /// For an assignment: the body that issued it (its chair or secretary may withdraw it).
    #[serde(default)]
    pub issuer: Option<BodyId>,
    /// The matter this one revises (set by [`crate::engine::Engine::revise_matter`]).
    #[serde(default)]
    pub revises: Option<MatterId>,
}

impl SubmitMatter {
    /// A submission of `kind` titled `title` to `body`, by the actor.
    pub fn new(kind: MatterKind, title: impl Into<String>, body: impl Into<BodyId>) -> Self {
        SubmitMatter {
            id: None,
            kind,
            title: title.into(),
            submitter: None,
            body: body.into(),
            case_numbers: BTreeMap::new(),
            issuer: None,
            revises: None,
        }
    }
}

/// Send a matter on consultation (remiss).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemissOrder {
    /// Where it is decided (the sending body, and the § when from minutes).
    pub at: At,
    /// Who is consulted; empty = the current consultation step's recipients, or every
    /// signatory party.
    pub recipients: Vec<RemissRecipient>,
    /// Comments by this date (synpunkter senast).
    pub deadline: NaiveDate,
    /// Who receives the comments (names or e-mail addresses).
    pub receivers: Vec<String>,
    /// The consultation edition (remissupplaga), if named.
    pub edition: Option<String>,
}

/// A command to a matter. Its JSON form is internally tagged by `type` in kebab-case,
/// e.g. `{"type": "screen", "screening": "InformationItem"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum MatterCommand {
    /// Submit and register the matter (anmäla ärende).
    Submit(SubmitMatter),
    /// Register a party's case number (diarienummer).
    RegisterCaseNumber {
        /// The party.
        party: PartyId,
        /// Its case number.
        number: String,
    },
    /// Mark the documents ready (for the notice).
    MarkDocumentsReady,
    /// Screen for relevance (relevansbedömning), by the receiving body's secretary or chair.
    Screen {
        /// The outcome of the screening.
        screening: Screening,
    },
    /// Put on a meeting's agenda (by the body's secretary).
    Schedule {
        /// The meeting.
        meeting: MeetingId,
    },
    /// Record a presentation (dragning).
    Present {
        /// Where.
        at: At,
    },
    /// Record preparation (beredning): a draft or recommendation formed.
    Prepare {
        /// Where.
        at: At,
        /// The recommendation formed, if any.
        recommendation: Option<String>,
    },
    /// Send on consultation (remiss).
    SendOnRemiss(RemissOrder),
    /// Record a consultation response (remissvar).
    RecordRemissResponse {
        /// Who answered.
        recipient: RemissRecipient,
        /// How many comments it holds.
        comments: u32,
        /// When it was received; `None` = today.
        received_on: Option<NaiveDate>,
    },
    /// Record that the responses were worked in ("101 comments handled"); ends the remiss.
    WorkInResponses {
        /// Where.
        at: At,
        /// How many comments were handled.
        comments_handled: u32,
    },
    /// Record a direction decision (inriktningsbeslut).
    DecideDirection {
        /// Where.
        at: At,
        /// The direction.
        direction: String,
    },
    /// Recommend and forward upward (föreslå X att …).
    Recommend {
        /// Where.
        at: At,
        /// The body it is proposed to; `None` = the route's next step(s).
        to: Option<BodyId>,
        /// The recommendation.
        recommendation: String,
    },
    /// Record a readiness check (ställningstagande om parterna är redo för beslutsprocess).
    CheckReadiness {
        /// Where.
        at: At,
        /// Whether the parties are ready.
        ready: bool,
        /// A note.
        note: Option<String>,
    },
    /// Record a decision within mandate (beslut att …).
    Decide {
        /// Where.
        at: At,
        /// Approved (bifall) or rejected (avslag).
        approved: bool,
        /// The "att"-clauses.
        clauses: Vec<String>,
    },
    /// Record the decision that the matter goes to political decision in the parties.
    ForwardToPolitical {
        /// Where.
        at: At,
    },
    /// Refer back (återremiss) with instructions.
    ReferBack {
        /// Where.
        at: At,
        /// The body it goes back to; `None` = the nearest preparing step before.
        to: Option<BodyId>,
        /// The instructions.
        instructions: String,
    },
    /// Table (bordlägga): stays at the body until its next meeting.
    Table {
        /// Where.
        at: At,
    },
    /// Drop from a meeting's agenda (ärendet utgår); it moves to the next meeting.
    DropFromAgenda {
        /// The meeting.
        meeting: MeetingId,
        /// Why (e.g. lack of time).
        reason: Option<String>,
    },
    /// Withdraw (återta), by the submitter or the assignment's issuer.
    Withdraw {
        /// Why.
        reason: Option<String>,
    },
    /// Note and file (lägga till handlingarna).
    File {
        /// Where.
        at: At,
    },
    /// Escalate to another route.
    Escalate {
        /// Where it is decided.
        at: At,
        /// The new route.
        route: RouteId,
        /// Why.
        reason: String,
    },
    /// Record a party's political decision.
    RecordPoliticalDecision {
        /// The party.
        party: PartyId,
        /// Adopted or rejected.
        decision: PartyDecision,
        /// The paragraph of its political body's minutes.
        minutes: Option<MinutesRef>,
        /// The day of the decision; `None` = today.
        on: Option<NaiveDate>,
    },
    /// Record that the minutes with a party's political decision were adjusted
    /// (justerade), on `on` (`None` = today).
    RecordPartyAdjustment {
        /// The party.
        party: PartyId,
        /// The day of adjustment; `None` = today.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<NaiveDate>,
    },
    /// Record the notice on the party's notice board (anslagstavla) that the minutes
    /// with its decision are adjusted, on `on` (`None` = today); it starts the appeal
    /// period (laglighetsprövning) that gives the decision's legal force (laga kraft).
    RecordAnnouncement {
        /// The party.
        party: PartyId,
        /// The day of the notice; `None` = today.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<NaiveDate>,
    },
    /// Record an appeal (överklagande, laglighetsprövning) lodged against the party's
    /// decision on `on` (`None` = today): lodged within the appeal period, it defers the
    /// decision's legal force until the appeal is settled.
    RecordAppeal {
        /// The party.
        party: PartyId,
        /// The day it was lodged; `None` = today.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<NaiveDate>,
        /// The court's case number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
    },
    /// Record how an appeal against the party's decision was settled, on the day the
    /// ruling became final (`None` = today): rejected, the decision is in legal force
    /// from then; annulled, it never is. `reference` names the appeal (by the court's
    /// case number); without it, the oldest pending one.
    SettleAppeal {
        /// The party.
        party: PartyId,
        /// The appeal's case number, as recorded.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        /// The ruling.
        outcome: AppealOutcome,
        /// The day the ruling became final; `None` = today.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<NaiveDate>,
    },
    /// Record entry into force (ikraftträdande). Refused before every party it enters
    /// into force for has a decision in legal force on `on`, unless `override_reason`
    /// says why it enters into force anyway (recorded with it).
    EnterIntoForce {
        /// From this day.
        on: NaiveDate,
        /// Valid until, if limited.
        valid_until: Option<NaiveDate>,
        /// Why it enters into force before every decision is in legal force.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        override_reason: Option<String>,
    },
    /// Record a follow-up (uppföljning).
    FollowUp {
        /// What it found.
        note: String,
        /// The next follow-up, if any.
        next: Option<NaiveDate>,
    },
    /// Record that a revision of the matter started (run by the revision policy on
    /// the revision's submission): the matter stays valid meanwhile.
    MarkRevisionStarted {
        /// The new version.
        by: MatterId,
    },
    /// Close as replaced by a revision (run by the revision policy when the revision
    /// enters into force).
    MarkRevised {
        /// The new version.
        by: MatterId,
    },
    /// Extend (förlänga): valid to a new date.
    Extend {
        /// The new end of validity.
        until: NaiveDate,
    },
    /// Record that an assignment (uppdrag) given in the matter was reported back
    /// (återrapporterat); run by the policy on the assignment's `AssignmentReported`.
    RecordAssignmentReport {
        /// The assignment.
        assignment: AssignmentId,
        /// The body that gave it.
        issuer: BodyId,
        /// The report, as entered.
        report: String,
        /// The day it was reported.
        on: NaiveDate,
        /// Where it was reported, if at a meeting.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<MinutesRef>,
    },
    /// Record that the submitter was told (återkoppling given by hand).
    RecordFeedback {
        /// A note.
        note: Option<String>,
    },
}

impl MatterCommand {
    /// The permission the command needs (see [`Action`](crate::authz::Action)) and at
    /// which body, as `decide` checks it; `None` for a submission by its submitter.
    /// The embedding guide's table of who may run each command is generated from this.
    pub fn permission(&self) -> Option<(crate::authz::Action, &'static str)> {
        use crate::authz::Action as A;
        use MatterCommand::*;
        Some(match self {
            Submit(_) => (
                A::Screen,
                "the receiving body, when submitted on another's behalf",
            ),
            RegisterCaseNumber { .. } => (A::RecordOutcome, "a body the matter is at"),
            MarkDocumentsReady => (A::Schedule, "a body the matter is at (or its submitter)"),
            Screen { .. } => (A::Screen, "the body it was submitted to"),
            Schedule { .. } => (A::Schedule, "a body of the meeting"),
            Present { .. }
            | Prepare { .. }
            | DecideDirection { .. }
            | Recommend { .. }
            | CheckReadiness { .. }
            | Decide { .. }
            | ForwardToPolitical { .. }
            | ReferBack { .. }
            | Table { .. }
            | File { .. }
            | Escalate { .. } => (A::RecordOutcome, "the body where it happened (`at`)"),
            SendOnRemiss(_) | WorkInResponses { .. } => {
                (A::Consult, "the body that sends the remiss (`at`)")
            }
            RecordRemissResponse { .. } => (A::Consult, "the body that sent the remiss"),
            DropFromAgenda { .. } => (A::RecordOutcome, "a body of the meeting"),
            Withdraw { .. } => (A::Assign, "the issuer (or the matter's submitter)"),
            RecordPoliticalDecision { .. }
            | RecordPartyAdjustment { .. }
            | RecordAnnouncement { .. }
            | RecordAppeal { .. }
            | SettleAppeal { .. } => (A::RecordPoliticalDecision, "the party's political body"),
            EnterIntoForce { .. }
            | FollowUp { .. }
            | MarkRevised { .. }
            | MarkRevisionStarted { .. }
            | Extend { .. } => (A::RecordOutcome, "a body that administers the matter"),
            RecordAssignmentReport { .. } => (
                A::Assign,
                "the assignment's issuer (run by the assignment-report policy)",
            ),
            RecordFeedback { .. } => (A::RecordOutcome, "a body the matter is at"),
        })
    }

    /// Where the command says it happened, when it says so (for checking that cited
    /// minutes exist).
    pub fn at(&self) -> Option<&At> {
        use MatterCommand::*;
        match self {
            Present { at }
            | Prepare { at, .. }
            | WorkInResponses { at, .. }
            | DecideDirection { at, .. }
            | Recommend { at, .. }
            | CheckReadiness { at, .. }
            | Decide { at, .. }
            | ForwardToPolitical { at }
            | ReferBack { at, .. }
            | Table { at }
            | File { at }
            | Escalate { at, .. } => Some(at),
            SendOnRemiss(order) => Some(&order.at),
            _ => None,
        }
    }

    /// The command's name, for errors, e.g. `decide` (its JSON `type`).
    pub fn name(&self) -> &'static str {
        use MatterCommand::*;
        match self {
            Submit(_) => "submit",
            RegisterCaseNumber { .. } => "register-case-number",
            MarkDocumentsReady => "mark-documents-ready",
            Screen { .. } => "screen",
            Schedule { .. } => "schedule",
            Present { .. } => "present",
            Prepare { .. } => "prepare",
            SendOnRemiss(_) => "send-on-remiss",
            RecordRemissResponse { .. } => "record-remiss-response",
            WorkInResponses { .. } => "work-in-responses",
            DecideDirection { .. } => "decide-direction",
            Recommend { .. } => "recommend",
            CheckReadiness { .. } => "check-readiness",
            Decide { .. } => "decide",
            ForwardToPolitical { .. } => "forward-to-political",
            ReferBack { .. } => "refer-back",
            Table { .. } => "table",
            DropFromAgenda { .. } => "drop-from-agenda",
            Withdraw { .. } => "withdraw",
            File { .. } => "file",
            Escalate { .. } => "escalate",
            RecordPoliticalDecision { .. } => "record-political-decision",
            RecordPartyAdjustment { .. } => "record-party-adjustment",
            RecordAnnouncement { .. } => "record-announcement",
            RecordAppeal { .. } => "record-appeal",
            SettleAppeal { .. } => "settle-appeal",
            EnterIntoForce { .. } => "enter-into-force",
            FollowUp { .. } => "follow-up",
            MarkRevisionStarted { .. } => "mark-revision-started",
            MarkRevised { .. } => "mark-revised",
            Extend { .. } => "extend",
            RecordAssignmentReport { .. } => "record-assignment-report",
            RecordFeedback { .. } => "record-feedback",
        }
    }
}

/// One command of every kind, for tables generated from the code (the embedding
/// guide's permissions): the values inside are placeholders.
pub fn every_matter_command() -> Vec<MatterCommand> {
    use MatterCommand::*;
    let at = || At::body("body");
    let day = NaiveDate::MIN;
    let party = || PartyId::new("party");
    vec![
        Submit(SubmitMatter::new(MatterKind::Agreement, "title", "body")),
        RegisterCaseNumber {
            party: party(),
            number: "1".into(),
        },
        MarkDocumentsReady,
        Screen {
            screening: Screening::InformationItem,
        },
        Schedule {
            meeting: MeetingId::new("meeting"),
        },
        Present { at: at() },
        Prepare {
            at: at(),
            recommendation: None,
        },
        SendOnRemiss(RemissOrder {
            at: at(),
            recipients: Vec::new(),
            deadline: day,
            receivers: Vec::new(),
            edition: None,
        }),
        RecordRemissResponse {
            recipient: RemissRecipient::Party(party()),
            comments: 0,
            received_on: None,
        },
        WorkInResponses {
            at: at(),
            comments_handled: 0,
        },
        DecideDirection {
            at: at(),
            direction: String::new(),
        },
        Recommend {
            at: at(),
            to: None,
            recommendation: String::new(),
        },
        CheckReadiness {
            at: at(),
            ready: true,
            note: None,
        },
        Decide {
            at: at(),
            approved: true,
            clauses: Vec::new(),
        },
        ForwardToPolitical { at: at() },
        ReferBack {
            at: at(),
            to: None,
            instructions: String::new(),
        },
        Table { at: at() },
        DropFromAgenda {
            meeting: MeetingId::new("meeting"),
            reason: None,
        },
        Withdraw { reason: None },
        File { at: at() },
        Escalate {
            at: at(),
            route: RouteId::new("route"),
            reason: String::new(),
        },
        RecordPoliticalDecision {
            party: party(),
            decision: PartyDecision::Adopted,
            minutes: None,
            on: None,
        },
        RecordPartyAdjustment {
            party: party(),
            on: None,
        },
        RecordAnnouncement {
            party: party(),
            on: None,
        },
        RecordAppeal {
            party: party(),
            on: None,
            reference: None,
        },
        SettleAppeal {
            party: party(),
            reference: None,
            outcome: AppealOutcome::Rejected,
            on: None,
        },
        EnterIntoForce {
            on: day,
            valid_until: None,
            override_reason: None,
        },
        FollowUp {
            note: String::new(),
            next: None,
        },
        MarkRevisionStarted {
            by: MatterId(uuid::Uuid::nil()),
        },
        MarkRevised {
            by: MatterId(uuid::Uuid::nil()),
        },
        Extend { until: day },
        RecordAssignmentReport {
            assignment: AssignmentId(uuid::Uuid::nil()),
            issuer: BodyId::new("body"),
            report: String::new(),
            on: day,
            at: None,
        },
        RecordFeedback { note: None },
    ]
}
