//! The matter (ärende) aggregate: its commands, events and state machine.
//!
//! A matter is registered ([`MatterCommand::Submit`]), screened (information item, to
//! be handled on a route, redirected, answered directly), moves along its route step
//! by step (scheduled, presented, prepared, on remiss, recommended, readiness checked,
//! decided, referred back, tabled, dropped from an agenda), goes to political decision
//! in each party when its route says so, enters into force, is followed up, and is
//! revised or extended; withdrawal, filing and rejection close it.
//!
//! [`decide`] is pure: it checks a command against the state, the organisation, the
//! actor and today's date, and yields events or a typed refusal. [`Aggregate::apply`](crate::aggregate::Aggregate::apply)
//! (the [`Aggregate`](crate::aggregate::Aggregate) impl) folds events into the state.
//! The engine methods (`Engine::submit_matter`, `Engine::matter`, …) are in
//! [`engine`](crate::engine); they add feedback (återkoppling) and remiss notification facts.
//!
//! Invariants kept here: a decision-like outcome (decision, direction decision,
//! readiness check, forwarding to political decision, political decision) is never
//! recorded at a body without the mandate; a closed matter accepts nothing but recorded
//! feedback — and, when it was closed by a revision, an extension.

mod command;
mod decide;

mod event;
mod notify;
mod types;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use command::{MatterCommand, RemissOrder, SubmitMatter, every_matter_command};
pub use decide::{
    MatterContext, decide, decide_with_facts, holders_of, remiss_recipients, remiss_recipients_all,
};

pub use event::{Matter, MatterEvent};
pub use types::*;

use crate::authz::Actor;
use crate::ids::{BodyId, MatterId, MeetingId, PartyId, PersonId, StepId};
use crate::org::Mandate;
use crate::route::Purpose;

/// A refused matter command. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MatterError {
    /// The actor may not take this action at this body.
    #[error(transparent)]
    NotPermitted(#[from] crate::authz::NotPermitted),
    /// An id that the configuration does not know.
    #[error(transparent)]
    Unknown(#[from] crate::ids::UnknownId),
    /// The body lacks the mandate for this outcome; `holders` are the bodies on the
    /// matter's route that hold it (or, off route, every body that does).
    #[error("{body} lacks the mandate to {} ({}); it is held by {}", mandate.name(), mandate.swedish(), list(holders))]
    MandateExceeded {
        /// The body.
        body: BodyId,
        /// The mandate it lacks.
        mandate: Mandate,
        /// The bodies that hold it.
        holders: Vec<BodyId>,
    },
    /// The command does not apply to a matter in this status.
    #[error("a matter that is {from} cannot {command}")]
    InvalidTransition {
        /// The matter's status.
        from: MatterStatus,
        /// The command refused.
        command: &'static str,
    },
    /// The matter is closed.
    #[error("the matter is closed ({}) and cannot {command}", closure.swedish())]
    Closed {
        /// Why it was closed.
        closure: Closure,
        /// The command refused.
        command: &'static str,
    },
    /// A matter with this id has already been submitted.
    #[error("matter {id} has already been submitted")]
    AlreadySubmitted {
        /// The matter.
        id: MatterId,
    },
    /// The body has no current step of the matter's route.
    #[error("the matter is not at {body} now (current steps: {})", list(active))]
    NotAtBody {
        /// The body.
        body: BodyId,
        /// The current steps.
        active: Vec<StepId>,
    },
    /// The current step at the body is not one this command completes.
    #[error("{command} does not fit step {step} ({}) at {body}", purpose.name())]
    StepMismatch {
        /// The body.
        body: BodyId,
        /// The step.
        step: StepId,
        /// Its purpose.
        purpose: Purpose,
        /// The command refused.
        command: &'static str,
    },
    /// The step cannot be completed before the steps before it.
    #[error("step {step} waits for {}", list(waiting_for))]
    WaitsFor {
        /// The step.
        step: StepId,
        /// The steps before it not yet completed.
        waiting_for: Vec<StepId>,
    },
    /// The meeting is not one of the body's (or of a joint session it is part of).
    #[error("meeting {meeting} is not a meeting of {body}")]
    WrongMeeting {
        /// The meeting.
        meeting: MeetingId,
        /// The body.
        body: BodyId,
    },
    /// The matter is not on this meeting's agenda.
    #[error("the matter is not scheduled on meeting {meeting}")]
    NotScheduled {
        /// The meeting.
        meeting: MeetingId,
    },
    /// Only the submitter or the assignment's issuer may withdraw.
    #[error("{actor} may not withdraw the matter: only its submitter {submitter} or its issuer {} may", issuer.as_ref().map_or("(none)".to_owned(), |b| b.to_string()))]
    MayNotWithdraw {
        /// Who tried.
        actor: Actor,
        /// The submitter.
        submitter: PersonId,
        /// The issuing body, for an assignment.
        issuer: Option<BodyId>,
    },
    /// No route is given and the organisation has none for this kind.
    #[error("no route given and none configured for matters of kind {kind}")]
    NoRoute {
        /// The kind.
        kind: &'static str,
    },
    /// The matter has no open consultation (remiss).
    #[error("the matter has no open remiss")]
    NoOpenRemiss,
    /// A consultation is already open.
    #[error("the matter is already on remiss until {deadline}")]
    RemissAlreadyOpen {
        /// Its deadline.
        deadline: chrono::NaiveDate,
    },
    /// The responder is not a recipient of the remiss.
    #[error("{recipient} is not a recipient of the remiss")]
    NotARecipient {
        /// Who.
        recipient: RemissRecipient,
    },
    /// The recipient has already answered.
    #[error("{recipient} has already answered the remiss")]
    AlreadyAnswered {
        /// Who.
        recipient: RemissRecipient,
    },
    /// The party does not take part in the matter's political decision.
    #[error("party {party} takes no part in the political decision of this matter")]
    NotAParty {
        /// The party.
        party: PartyId,
    },
    /// The party has already decided.
    #[error("party {party} has already decided ({decision:?})")]
    AlreadyDecided {
        /// The party.
        party: PartyId,
        /// Its decision.
        decision: PartyDecision,
    },
    /// The party has no political body in the configuration.
    #[error("party {party} has no political body configured")]
    NoPoliticalBody {
        /// The party.
        party: PartyId,
    },
    /// Entry into force waits for these parties (all must adopt, or the route's quorum).
    #[error(
        "entry into force waits for {}: {adopted} adopted of {needed} needed",
        list(waiting_for)
    )]
    NotReady {
        /// The parties that have not adopted.
        waiting_for: Vec<PartyId>,
        /// Adoptions so far.
        adopted: u32,
        /// Adoptions needed.
        needed: u32,
    },
    /// Entry into force before the decisions it rests on are in legal force (laga
    /// kraft): each party named with the day its decision is in legal force, or `None`
    /// when its minutes' adjustment or notice is not yet recorded, an appeal against it
    /// is pending, or it was annulled on appeal.
    #[error(
        "entry into force on {on} comes before the decisions are in legal force: {}",
        legal_list(waiting_for)
    )]
    NotInLegalForce {
        /// The day of entry into force asked for.
        on: chrono::NaiveDate,
        /// The parties whose decision is not in legal force by then.
        waiting_for: Vec<(PartyId, Option<chrono::NaiveDate>)>,
    },
    /// The party has no recorded political decision on the matter.
    #[error("party {party} has no recorded political decision on this matter")]
    NoDecision {
        /// The party.
        party: PartyId,
    },
    /// A step towards legal force is already recorded for the party.
    #[error("the {what} of party {party}'s decision is already recorded ({on})")]
    AlreadyRecorded {
        /// The party.
        party: PartyId,
        /// What: `adjustment` or `announcement`.
        what: &'static str,
        /// The day recorded.
        on: chrono::NaiveDate,
    },
    /// Nothing to refer back to: no earlier step has been completed.
    #[error("there is no earlier step to refer the matter back to from {body}")]
    NothingToReferBack {
        /// The referring body.
        body: BodyId,
    },
    /// A date is not acceptable.
    #[error("{what} {date} is not acceptable: {reason}")]
    InvalidDate {
        /// Which date.
        what: &'static str,
        /// The date.
        date: chrono::NaiveDate,
        /// Why.
        reason: String,
    },
    /// An input is missing or malformed.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// Which field.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

impl MatterError {
    /// The refusal in Swedish, for secretaries.
    pub fn swedish(&self) -> String {
        use MatterError::*;
        match self {
            NotPermitted(e) => format!(
                "{} får inte {} hos {}: det kräver någon av rollerna {}",
                e.actor,
                e.action.name(),
                e.body,
                e.needed
                    .iter()
                    .map(|r| format!("{r:?}").to_lowercase())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Unknown(e) => format!("okänt id för {}: \"{}\"", e.kind, e.id),
            MandateExceeded {
                body,
                mandate,
                holders,
            } => format!(
                "{body} saknar mandat att {}; mandatet finns hos {}",
                mandate.swedish(),
                list(holders)
            ),
            InvalidTransition { from, command } => {
                format!("ett ärende som är {} kan inte: {command}", from.swedish())
            }
            Closed { closure, command } => format!(
                "ärendet är avslutat ({}) och kan inte: {command}",
                closure.swedish()
            ),
            AlreadySubmitted { id } => format!("ärende {id} är redan anmält"),
            NotAtBody { body, active } => format!(
                "ärendet ligger inte hos {body} nu (aktuella steg: {})",
                list(active)
            ),
            StepMismatch {
                body,
                step,
                purpose,
                command,
            } => format!(
                "{command} passar inte steget {step} ({}) hos {body}",
                purpose.swedish()
            ),
            WaitsFor { step, waiting_for } => {
                format!("steget {step} väntar på {}", list(waiting_for))
            }
            WrongMeeting { meeting, body } => {
                format!("sammanträdet {meeting} är inte ett sammanträde för {body}")
            }
            NotScheduled { meeting } => {
                format!("ärendet står inte på dagordningen för {meeting}")
            }
            MayNotWithdraw {
                actor, submitter, ..
            } => format!(
                "{actor} får inte återta ärendet; det får bara anmälaren {submitter} eller uppdragsgivaren"
            ),
            NoRoute { kind } => format!("ingen beslutsväg angiven eller konfigurerad för {kind}"),
            NoOpenRemiss => "ärendet är inte ute på remiss".to_owned(),
            RemissAlreadyOpen { deadline } => {
                format!("ärendet är redan ute på remiss till {deadline}")
            }
            NotARecipient { recipient } => format!("{recipient} är inte remissinstans"),
            AlreadyAnswered { recipient } => format!("{recipient} har redan lämnat remissvar"),
            NotAParty { party } => {
                format!("{party} deltar inte i det politiska beslutet om ärendet")
            }
            AlreadyDecided { party, .. } => format!("{party} har redan fattat beslut"),
            NoPoliticalBody { party } => format!("{party} har inget politiskt organ konfigurerat"),
            NotReady {
                waiting_for,
                adopted,
                needed,
            } => format!(
                "ikraftträdandet väntar på {}: {adopted} av {needed} nödvändiga har antagit",
                list(waiting_for)
            ),
            NotInLegalForce { on, waiting_for } => format!(
                "ikraftträdande den {on} kommer före att besluten vunnit laga kraft: {}",
                waiting_for
                    .iter()
                    .map(|(p, d)| match d {
                        Some(d) => format!("{p} (laga kraft {d})"),
                        None => format!(
                            "{p} (inte i laga kraft: justering eller anslag saknas, eller beslutet är överklagat)"
                        ),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            NoDecision { party } => {
                format!("{party} har inget registrerat politiskt beslut i ärendet")
            }
            AlreadyRecorded { party, what, on } => format!(
                "{} av beslutet i {party} är redan registrerat ({on})",
                if *what == "adjustment" {
                    "justeringen"
                } else {
                    "anslaget"
                }
            ),
            NothingToReferBack { body } => {
                format!("det finns inget tidigare steg att återremittera till från {body}")
            }
            InvalidDate { what, date, reason } => format!("{what} {date} duger inte: {reason}"),
            InvalidInput { field, reason } => format!("ogiltigt {field}: {reason}"),
        }
    }
}

fn legal_list(items: &[(PartyId, Option<chrono::NaiveDate>)]) -> String {
    items
        .iter()
        .map(|(p, d)| match d {
            Some(d) => format!("{p} (in legal force {d})"),
            None => format!("{p} (not in legal force: adjustment or notice not recorded, or an appeal pending or upheld)"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    if items.is_empty() {
        return "(none)".to_owned();
    }
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
