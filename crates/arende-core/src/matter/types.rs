//! The vocabulary of a matter: its kind, status, where it is on its route, consultation
//! (remiss) and political decisions.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::MinutesRef;
use crate::ids::{BodyId, PartyId, StepId};
use crate::route::Purpose;

/// What kind of matter (ärendetyp) it is; the kind chooses the default route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum MatterKind {
    /// A draft agreement (överenskommelse).
    Agreement,
    /// A contract (avtal), e.g. placements for social-work students.
    Contract,
    /// A routine (rutin).
    Routine,
    /// A guideline (riktlinje).
    Guideline,
    /// An assignment (uppdrag) reporting back.
    Assignment,
    /// A report (rapport, årsberättelse).
    Report,
    /// Information only (för kännedom).
    Information,
}

impl MatterKind {
    /// Every kind.
    pub const ALL: [MatterKind; 7] = [
        MatterKind::Agreement,
        MatterKind::Contract,
        MatterKind::Routine,
        MatterKind::Guideline,
        MatterKind::Assignment,
        MatterKind::Report,
        MatterKind::Information,
    ];

    /// The configuration name, e.g. `agreement` (the key of `Organisation::matter_kinds`).
    pub fn name(self) -> &'static str {
        match self {
            MatterKind::Agreement => "agreement",
            MatterKind::Contract => "contract",
            MatterKind::Routine => "routine",
            MatterKind::Guideline => "guideline",
            MatterKind::Assignment => "assignment",
            MatterKind::Report => "report",
            MatterKind::Information => "information",
        }
    }

    /// The Swedish term.
    pub fn swedish(self) -> &'static str {
        match self {
            MatterKind::Agreement => "överenskommelse",
            MatterKind::Contract => "avtal",
            MatterKind::Routine => "rutin",
            MatterKind::Guideline => "riktlinje",
            MatterKind::Assignment => "uppdrag",
            MatterKind::Report => "rapport",
            MatterKind::Information => "information",
        }
    }
}

/// Why a matter was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum Closure {
    /// Withdrawn by its submitter or the assignment's issuer (återtagen).
    Withdrawn,
    /// Noted and filed (läggs till handlingarna).
    Filed,
    /// Answered directly at screening (besvarad direkt).
    AnsweredDirectly,
    /// Rejected (avslag): by the deciding body, or by every party.
    Rejected,
    /// Replaced by a revision (reviderad): only an extension is still possible.
    Revised,
}

impl Closure {
    /// The Swedish term.
    pub fn swedish(self) -> &'static str {
        match self {
            Closure::Withdrawn => "återtagen",
            Closure::Filed => "lagd till handlingarna",
            Closure::AnsweredDirectly => "besvarad direkt",
            Closure::Rejected => "avslagen",
            Closure::Revised => "reviderad",
        }
    }
}

/// Where a matter stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum MatterStatus {
    /// Submitted (anmält), waiting for relevance screening.
    Registered,
    /// Screened as an information item (informationspunkt): presented, then filed.
    InformationItem,
    /// Being handled on its route (under handläggning).
    InProgress,
    /// In the political decision process in the parties (politisk beslutsprocess).
    PoliticalProcess,
    /// Decided within mandate, or adopted (fully or partly) by the parties; waiting for
    /// entry into force.
    Decided,
    /// In force (i kraft).
    InForce,
    /// Closed; see the closure.
    Closed(Closure),
}

impl MatterStatus {
    /// Whether the matter is closed.
    pub fn is_closed(self) -> bool {
        matches!(self, MatterStatus::Closed(_))
    }

    /// Whether the matter is still being handled (not decided, in force or closed).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            MatterStatus::Registered
                | MatterStatus::InformationItem
                | MatterStatus::InProgress
                | MatterStatus::PoliticalProcess
        )
    }

    /// A short English name, e.g. `in-progress`, `closed:filed`.
    pub fn name(self) -> &'static str {
        match self {
            MatterStatus::Registered => "registered",
            MatterStatus::InformationItem => "information-item",
            MatterStatus::InProgress => "in-progress",
            MatterStatus::PoliticalProcess => "political-process",
            MatterStatus::Decided => "decided",
            MatterStatus::InForce => "in-force",
            MatterStatus::Closed(Closure::Withdrawn) => "closed:withdrawn",
            MatterStatus::Closed(Closure::Filed) => "closed:filed",
            MatterStatus::Closed(Closure::AnsweredDirectly) => "closed:answered-directly",
            MatterStatus::Closed(Closure::Rejected) => "closed:rejected",
            MatterStatus::Closed(Closure::Revised) => "closed:revised",
        }
    }

    /// The Swedish term.
    pub fn swedish(self) -> &'static str {
        match self {
            MatterStatus::Registered => "anmält",
            MatterStatus::InformationItem => "informationspunkt",
            MatterStatus::InProgress => "under handläggning",
            MatterStatus::PoliticalProcess => "politisk beslutsprocess",
            MatterStatus::Decided => "beslutat",
            MatterStatus::InForce => "i kraft",
            MatterStatus::Closed(c) => c.swedish(),
        }
    }
}

impl std::fmt::Display for MatterStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where an outcome was reached: the body, and the paragraph (§) of its minutes when it
/// came from minutes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct At {
    /// The body (or joint session) that handled the matter.
    pub body: BodyId,
    /// The minutes paragraph, when recorded from minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<MinutesRef>,
}

impl At {
    /// An outcome at a body, not (yet) tied to minutes.
    pub fn body(body: impl Into<BodyId>) -> Self {
        At {
            body: body.into(),
            minutes: None,
        }
    }

    /// An outcome recorded in a paragraph of a meeting's minutes.
    pub fn minutes(body: impl Into<BodyId>, minutes: MinutesRef) -> Self {
        At {
            body: body.into(),
            minutes: Some(minutes),
        }
    }
}

/// A step of the route the matter is currently at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveStep {
    /// The step.
    pub step: StepId,
    /// Its purpose.
    pub purpose: Purpose,
    /// Its body (none for entry into force and for political decisions, which are taken
    /// at each party's own body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyId>,
}

/// A route step completed and the steps that became current because of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// The step completed.
    pub completed: StepId,
    /// The steps that became current (all their predecessors are done).
    pub activated: Vec<ActiveStep>,
}

/// The outcome of a completed route step: the audit of where and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepOutcome {
    /// The step.
    pub step: StepId,
    /// Where the step was taken (absent for steps taken outside a body).
    pub at: Option<At>,
    /// The event type that completed it, e.g. `Decided`.
    pub by: std::borrow::Cow<'static, str>,
}

/// Who is consulted on a remiss.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum RemissRecipient {
    /// A party (its administration answers).
    Party(PartyId),
    /// A body.
    Body(BodyId),
}

impl std::fmt::Display for RemissRecipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RemissRecipient::Party(p) => write!(f, "party {p}"),
            RemissRecipient::Body(b) => write!(f, "body {b}"),
        }
    }
}

/// A response to a remiss (remissvar).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemissResponse {
    /// Who answered.
    pub recipient: RemissRecipient,
    /// How many comments the response holds.
    pub comments: u32,
    /// When it was received.
    #[serde(serialize_with = "crate::json::date")]
    pub received_on: NaiveDate,
}

/// An open consultation (remiss) of a matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remiss {
    /// The body that sent it.
    pub body: BodyId,
    /// The recipients.
    pub recipients: Vec<RemissRecipient>,
    /// Comments by this date (synpunkter senast).
    #[serde(serialize_with = "crate::json::date")]
    pub deadline: NaiveDate,
    /// Who receives the comments (names or addresses).
    pub receivers: Vec<String>,
    /// The responses received so far, in order.
    pub responses: Vec<RemissResponse>,
}

impl Remiss {
    /// The recipients that have not answered.
    pub fn missing(&self) -> Vec<&RemissRecipient> {
        self.recipients
            .iter()
            .filter(|r| !self.responses.iter().any(|x| &x.recipient == *r))
            .collect()
    }

    /// Whether `recipient` has answered.
    pub fn has_answered(&self, recipient: &RemissRecipient) -> bool {
        self.responses.iter().any(|x| &x.recipient == recipient)
    }
}

/// A party's political decision on a matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum PartyDecision {
    /// Adopted (antagen).
    Adopted,
    /// Rejected (avslagen).
    Rejected,
}

/// Where a party stands in the political decision process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum PoliticalState {
    /// Not decided yet.
    NotYet,
    /// Adopted.
    Adopted,
    /// Rejected.
    Rejected,
}

/// How a matter's handling concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum Conclusion {
    /// Decided within mandate by the deciding body (no political level).
    DecidedWithinMandate,
    /// Adopted by every party.
    Adopted,
    /// Adopted by some parties, rejected by others.
    PartiallyAdopted,
    /// Rejected (by the deciding body, or by every party).
    Rejected,
}

impl Conclusion {
    /// The Swedish term.
    pub fn swedish(self) -> &'static str {
        match self {
            Conclusion::DecidedWithinMandate => "beslutat inom mandat",
            Conclusion::Adopted => "antaget av samtliga parter",
            Conclusion::PartiallyAdopted => "delvis antaget",
            Conclusion::Rejected => "avslaget",
        }
    }
}

/// What the relevance screening (relevansbedömning) concluded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum Screening {
    /// An information item (för kännedom): presented, then filed.
    InformationItem,
    /// To be handled on a route: the given one, or the default route for its kind.
    Handle {
        /// The route; `None` = the organisation's route for the matter's kind.
        route: Option<crate::ids::RouteId>,
    },
    /// Not for this body: sent to another body, which screens it again.
    Redirect {
        /// The body it goes to.
        to: BodyId,
        /// Why.
        reason: String,
    },
    /// Answered directly; closes the matter.
    AnswerDirectly {
        /// The answer given.
        answer: String,
    },
}

/// Whether the submitter is told of a change now, or later by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum FeedbackMode {
    /// The engine writes feedback (återkoppling) to the submitter with the change.
    #[default]
    Now,
    /// The secretary will tell the submitter later; the matter stays owed feedback until
    /// `RecordFeedback`.
    Later,
}

/// One party's road to legal force (laga kraft) of its political decision on a matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyLegal {
    /// The party's political body.
    pub body: BodyId,
    /// The day of the decision (the body's meeting).
    #[serde(serialize_with = "crate::json::date")]
    pub decided_on: NaiveDate,
    /// The day the minutes were adjusted (justerade), once recorded.
    #[serde(serialize_with = "crate::json::opt_date")]
    pub adjusted_on: Option<NaiveDate>,
    /// Whether adjusted later than the law allows (14 days).
    pub adjusted_late: bool,
    /// The day of the notice on the notice board (anslag), once recorded.
    #[serde(serialize_with = "crate::json::opt_date")]
    pub announced_on: Option<NaiveDate>,
    /// Whether the notice came later than the law allows (2 days after adjustment).
    pub announced_late: bool,
    /// The last day of the appeal period (laglighetsprövning), once announced.
    #[serde(serialize_with = "crate::json::opt_date")]
    pub appeal_ends: Option<NaiveDate>,
    /// The first day in legal force: once announced, the day after the appeal period;
    /// `None` while an appeal lodged in time is pending, or when the decision was
    /// annulled on appeal; after the appeals are rejected, the day the last ruling was
    /// final (if later).
    #[serde(serialize_with = "crate::json::opt_date")]
    pub legal_force: Option<NaiveDate>,
    /// Appeals (överklaganden) lodged against the decision, in the order recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appeals: Vec<Appeal>,
}

/// An appeal (överklagande, laglighetsprövning, Kommunallagen 13 kap.) lodged against a
/// party's decision with the administrative court.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Appeal {
    /// The day it was lodged.
    pub lodged_on: NaiveDate,
    /// The court's case number, as entered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Lodged after the appeal period: the decision's legal force is not deferred (the
    /// court dismisses a late appeal).
    pub late: bool,
    /// How it was settled, once recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled: Option<AppealSettled>,
}

/// How an appeal was settled: the ruling and the day it became final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppealSettled {
    /// The day the ruling became final (vann laga kraft).
    pub on: NaiveDate,
    /// The ruling.
    pub outcome: AppealOutcome,
}

/// The court's ruling on an appeal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum AppealOutcome {
    /// Rejected or dismissed (avslaget eller avvisat): the decision stands.
    Rejected,
    /// The decision is annulled (upphävt): it never gains legal force.
    Annulled,
}

impl PartyLegal {
    /// Whether an appeal lodged in time is waiting for its ruling.
    pub fn appeal_pending(&self) -> bool {
        self.appeals.iter().any(|a| !a.late && a.settled.is_none())
    }

    /// Whether the decision was annulled on appeal.
    pub fn annulled(&self) -> bool {
        self.appeals.iter().any(|a| {
            !a.late
                && a.settled
                    .is_some_and(|s| s.outcome == AppealOutcome::Annulled)
        })
    }

    /// The first day in legal force from the recorded facts: the day after the appeal
    /// period, deferred by appeals lodged in time to the day the last ruling was final,
    /// and none while one is pending or once the decision is annulled.
    pub fn force_from_facts(&self) -> Option<NaiveDate> {
        let statutory = self.appeal_ends?.succ_opt()?;
        if self.appeal_pending() || self.annulled() {
            return None;
        }
        Some(
            self.appeals
                .iter()
                .filter(|a| !a.late)
                .filter_map(|a| a.settled.map(|s| s.on))
                .fold(statutory, NaiveDate::max),
        )
    }
    /// The facts recorded, for the rule ([`crate::legal::legal_dates`]).
    pub fn facts(&self) -> crate::legal::LegalFacts {
        crate::legal::LegalFacts {
            decided: Some(self.decided_on),
            adjusted: self.adjusted_on,
            announced: self.announced_on,
        }
    }
}
