//! The dashboard's forms as the OpenAPI document describes them: one schema per form,
//! field by field, so a client (or a fuzzer) knows what each form posts. The handlers
//! read the same fields from the form-encoded body ([`crate::handlers::FormFields`]).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The kinds of matter a form may submit (the kernel's `kind` names, as
/// `arende_core::matter::MatterKind::name` gives them).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KindField {
    /// An agreement (överenskommelse).
    Agreement,
    /// A contract (avtal).
    Contract,
    /// A routine (rutin).
    Routine,
    /// A guideline (riktlinje).
    Guideline,
    /// An assignment (uppdrag).
    Assignment,
    /// A report (rapport).
    Report,
    /// An information item (information).
    Information,
}

/// Submit a matter (`submit`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SubmitForm {
    /// The matter's title.
    #[schema(min_length = 1)]
    pub title: String,
    /// Its kind.
    pub kind: KindField,
    /// The body it is submitted to (its id).
    #[schema(min_length = 1)]
    pub body: String,
}

/// How a screening form judges a matter.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ScreeningField {
    /// Handle it on its route.
    Handle,
    /// An information item.
    InformationItem,
    /// Answered directly (needs `answer`).
    AnswerDirectly,
}

/// Screen a matter (`screen`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScreenForm {
    /// The matter's version the secretary saw (optimistic concurrency).
    pub version: Option<u64>,
    /// The judgement.
    pub screening: ScreeningField,
    /// The answer, when answered directly.
    pub answer: Option<String>,
}

/// Send the notice with the proposed agenda (`send-notice`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NoticeForm {
    /// The meeting's version the secretary saw.
    pub version: Option<u64>,
    /// What is expected of the members, as entered.
    pub expectations: Option<String>,
}

/// Record the meeting as held (`record-held`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HeldForm {
    /// The meeting's version the secretary saw.
    pub version: Option<u64>,
    /// Who was present (person ids; the field repeats).
    pub present: Vec<String>,
}

/// Draft the minutes (`draft-minutes`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MinutesForm {
    /// The meeting's version the secretary saw.
    pub version: Option<u64>,
    /// The chair (a person id).
    #[schema(min_length = 1)]
    pub chair: String,
    /// The secretary (a person id).
    #[schema(min_length = 1)]
    pub secretary: String,
    /// The first adjuster (a person id).
    #[schema(min_length = 1)]
    pub adjuster: String,
    /// The first adjuster's label ("Justeras för kommunerna").
    #[serde(rename = "adjuster-label")]
    pub adjuster_label: Option<String>,
    /// A second adjuster.
    #[serde(rename = "adjuster-2")]
    pub adjuster_2: Option<String>,
    /// The second adjuster's label.
    #[serde(rename = "adjuster-2-label")]
    pub adjuster_2_label: Option<String>,
    /// One note per agenda item, a line each.
    pub notes: Option<String>,
}

/// How minutes were adjusted.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MeansField {
    /// By e-mail.
    Email,
    /// At the meeting.
    AtMeeting,
    /// Signed on paper.
    Signature,
    /// Signed electronically (with the signing service's reference).
    ElectronicSignature,
}

/// Record an adjustment of the minutes (`adjust-minutes`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AdjustForm {
    /// The meeting's version the secretary saw.
    pub version: Option<u64>,
    /// The day (YYYY-MM-DD).
    #[schema(format = Date)]
    pub on: String,
    /// How.
    pub means: MeansField,
    /// The adjuster (a person id; empty: the person signed in).
    pub by: Option<String>,
    /// The signing service's reference.
    pub reference: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kinds_the_schema_offers_are_the_kernels() {
        let offered: Vec<String> = [
            KindField::Agreement,
            KindField::Contract,
            KindField::Routine,
            KindField::Guideline,
            KindField::Assignment,
            KindField::Report,
            KindField::Information,
        ]
        .iter()
        .map(|k| {
            serde_json::to_value(k)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
        let kernel: Vec<&str> = arende_core::matter::MatterKind::ALL
            .iter()
            .map(|k| k.name())
            .collect();
        assert_eq!(offered, kernel);
    }
}
