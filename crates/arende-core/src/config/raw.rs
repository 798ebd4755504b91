//! The raw form of the configuration, as serde reads it: every value that needs
//! checking is kept as text with its position ([`Spanned`]), so validation can report
//! every problem at once with its line, instead of stopping at the first.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use toml::Spanned;

/// A text value with its position in the file.
pub(crate) type S = Spanned<String>;

/// `[organisation]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawOrganisation {
    pub tenant: S,
    pub name: S,
    pub version: S,
    #[serde(default)]
    pub time_zone: Option<S>,
}

/// `[defaults]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawDefaults {
    #[serde(default)]
    pub lead_times: RawLeadTimes,
}

/// A `lead-times` table (defaults or per body); each key optional.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawLeadTimes {
    pub call_for_matters: Option<S>,
    pub notice: Option<S>,
    pub minutes_final: Option<S>,
    pub announcement: Option<S>,
    pub appeal: Option<S>,
}

/// `[calendar]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawCalendar {
    /// Local days off besides the Swedish public holidays.
    #[serde(default)]
    pub days_off: Vec<Spanned<DateText>>,
}

/// `[parties.<id>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawParty {
    pub name: S,
    pub kind: S,
    pub county_part: Option<S>,
    pub political_body: Option<S>,
    pub signatory: Option<Spanned<bool>>,
}

/// `[county-parts.<id>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawCountyPart {
    pub name: S,
}

/// `[bodies.<id>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawBody {
    pub name: S,
    pub kind: S,
    #[serde(default)]
    pub mandates: Vec<S>,
    pub parent: Option<S>,
    #[serde(default)]
    pub joint_of: Vec<S>,
    pub party: Option<S>,
    pub minutes: Option<S>,
    #[serde(default)]
    pub lead_times: RawLeadTimes,
    #[serde(default)]
    pub temporary: bool,
    /// Who adjusts the minutes besides the named adjusters.
    #[serde(default)]
    pub adjustment: RawAdjustment,
}

/// `[bodies.<id>.adjustment]`: `chair`, `secretary`, `chair-alone`, each `false` by
/// default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawAdjustment {
    #[serde(default)]
    pub chair: bool,
    #[serde(default)]
    pub secretary: bool,
    #[serde(default)]
    pub chair_alone: bool,
}

/// `[memberships.<body>.terms.<person>]`: the person's mandate period in the body
/// (both ends optional; no term = always).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawTerm {
    pub from: Option<Spanned<DateText>>,
    pub until: Option<Spanned<DateText>>,
}

/// `[people.<id>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawPerson {
    pub name: S,
    pub email: Option<S>,
    pub party: Option<S>,
    pub title: Option<S>,
    /// The language notifications are written in: `sv` (default) or `en`.
    pub language: Option<S>,
}

/// `[memberships.<body>]`: one list of person ids per role, and who each substitute
/// stands in for.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawRoster {
    #[serde(default)]
    pub chair: Vec<S>,
    #[serde(default)]
    pub member: Vec<S>,
    #[serde(default)]
    pub substitute: Vec<S>,
    #[serde(default)]
    pub secretary: Vec<S>,
    #[serde(default)]
    pub adjuster: Vec<S>,
    #[serde(default)]
    pub official: Vec<S>,
    #[serde(default)]
    pub substitute_for: BTreeMap<S, S>,
    /// The party a person represents in this body, when not the person's own party.
    #[serde(default)]
    pub represents: BTreeMap<S, S>,
    /// Mandate periods (from/until) per person; a person without one holds their roles
    /// always.
    #[serde(default)]
    pub terms: BTreeMap<S, RawTerm>,
}

/// `[routes.<id>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawRoute {
    pub name: S,
    #[serde(default)]
    pub steps: Vec<Spanned<RawStep>>,
    #[serde(default)]
    pub edges: Vec<Spanned<RawEdge>>,
}

/// `[[routes.<id>.steps]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawStep {
    pub id: S,
    pub name: S,
    pub purpose: S,
    pub body: Option<S>,
    #[serde(default)]
    pub parties: Vec<S>,
    pub consultation: Option<Spanned<RawConsultation>>,
    pub quorum: Option<Spanned<u32>>,
}

/// A step's `consultation = { … }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawConsultation {
    #[serde(default)]
    pub recipients: Vec<S>,
    pub period: S,
    pub processing: Option<S>,
}

/// An edge `{ from = "a", to = "b", dependency = "same-proposal" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawEdge {
    pub from: S,
    pub to: S,
    pub dependency: Option<S>,
}

/// `[meeting-plans.<key>]`: a body's plan (key = the body), or a joint plan of several
/// bodies (`bodies = […]`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawPlan {
    pub bodies: Option<Spanned<Vec<S>>>,
    pub lead_times_from: Option<S>,
    pub time: Option<S>,
    pub location: Option<S>,
    #[serde(default)]
    pub meetings: Vec<Spanned<RawMeeting>>,
    #[serde(default)]
    pub rules: Vec<Spanned<RawRule>>,
    #[serde(default)]
    pub moved: Vec<Spanned<RawMove>>,
    #[serde(default)]
    pub changed: Vec<Spanned<RawChange>>,
    #[serde(default)]
    pub cancelled: Vec<Spanned<DateText>>,
}

/// An explicit meeting.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawMeeting {
    pub date: Spanned<DateText>,
    pub time: Option<S>,
    pub location: Option<S>,
    pub status: Option<S>,
}

/// A recurrence rule, e.g. `every = "second friday"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawRule {
    pub every: S,
    pub from: Spanned<DateText>,
    pub until: Spanned<DateText>,
    pub time: Option<S>,
    pub location: Option<S>,
    #[serde(default)]
    pub skip_months: Vec<Spanned<u32>>,
}

/// A moved meeting: keeps the id of its original date.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawMove {
    pub from: Spanned<DateText>,
    pub to: Spanned<DateText>,
    pub time: Option<S>,
    pub location: Option<S>,
}

/// A changed time or place on a planned date.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawChange {
    pub date: Spanned<DateText>,
    pub time: Option<S>,
    pub location: Option<S>,
}

/// A date written either as a TOML date (`2024-11-15`) or as text (`"2024-11-15"`).
#[derive(Debug, Clone)]
pub(crate) enum DateText {
    Text(String),
    Toml(toml::value::Datetime),
}

impl<'de> Deserialize<'de> for DateText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Inner {
            Text(String),
            Toml(toml::value::Datetime),
        }
        Inner::deserialize(d)
            .map(|i| match i {
                Inner::Text(t) => DateText::Text(t),
                Inner::Toml(t) => DateText::Toml(t),
            })
            .map_err(|_| serde::de::Error::custom("expected a date such as 2024-11-15"))
    }
}
