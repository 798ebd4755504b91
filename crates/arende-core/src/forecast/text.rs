//! Readable explanations of forecasts, bounds and missed targets: Swedish by default,
//! English available.

use serde::{Deserialize, Serialize};

use super::{Bound, Miss, TargetOutcome};
use crate::route::Purpose;

/// The language of texts shown to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lang {
    /// Swedish (svenska), the default.
    #[default]
    Sv,
    /// English.
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        match s.to_ascii_lowercase().as_str() {
            "sv" | "swedish" | "svenska" => Ok(Lang::Sv),
            "en" | "english" | "engelska" => Ok(Lang::En),
            _ => Err(format!("unknown language \"{s}\": use sv or en")),
        }
    }
}

impl Lang {
    /// A step's purpose in this language.
    pub fn purpose(self, p: Purpose) -> &'static str {
        match self {
            Lang::Sv => p.swedish(),
            Lang::En => match p {
                Purpose::Drafting => "drafting",
                Purpose::Information => "information",
                Purpose::Preparation => "preparation",
                Purpose::Consultation => "consultation (remiss)",
                Purpose::ReadinessCheck => "readiness check",
                Purpose::Decision => "decision",
                Purpose::Recommendation => "recommendation to the parties",
                Purpose::PoliticalDecision => "political decision in each party",
                Purpose::EntryIntoForce => "entry into force",
                Purpose::FollowUp => "follow-up",
            },
        }
    }
}

impl Bound {
    /// What bounds the date, in words.
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (Bound::Ready { date }, Lang::Sv) => format!("underlaget är klart {date}"),
            (Bound::Ready { date }, Lang::En) => format!("the documents are ready on {date}"),
            (
                Bound::MinutesFinal {
                    step,
                    meeting,
                    final_on,
                },
                Lang::Sv,
            ) => format!("protokollet från {step} ({meeting}) är justerat {final_on}"),
            (
                Bound::MinutesFinal {
                    step,
                    meeting,
                    final_on,
                },
                Lang::En,
            ) => format!("the minutes of {step} ({meeting}) are final on {final_on}"),
            (Bound::SameProposal { step, meeting }, Lang::Sv) => {
                format!("samma förslag: mötet måste ligga efter {step} ({meeting})")
            }
            (Bound::SameProposal { step, meeting }, Lang::En) => {
                format!("same proposal: the meeting must come after {step} ({meeting})")
            }
            (Bound::Predecessor { step, date }, Lang::Sv) => format!("{step} är klart {date}"),
            (Bound::Predecessor { step, date }, Lang::En) => format!("{step} is done on {date}"),
            (
                Bound::Consultation {
                    step,
                    deadline,
                    processed,
                },
                Lang::Sv,
            ) => {
                format!("remissen ({step}): svar senast {deadline}, svaren inarbetade {processed}")
            }
            (
                Bound::Consultation {
                    step,
                    deadline,
                    processed,
                },
                Lang::En,
            ) => format!(
                "the consultation (remiss, {step}): responses due {deadline}, worked in by {processed}"
            ),
            (
                Bound::LegalForce {
                    step,
                    party,
                    body,
                    decided,
                    final_on,
                },
                Lang::Sv,
            ) => format!(
                "{step}: beslutet i {} ({decided}) vinner laga kraft {final_on} efter justering, anslag och överklagandetid",
                party.as_ref().map_or(body.as_str(), |p| p.as_str())
            ),
            (
                Bound::LegalForce {
                    step,
                    party,
                    body,
                    decided,
                    final_on,
                },
                Lang::En,
            ) => format!(
                "{step}: the decision of {} ({decided}) is final on {final_on}, after adjustment, announcement and the appeal period",
                party.as_ref().map_or(body.as_str(), |p| p.as_str())
            ),
            (
                Bound::BeyondPlan {
                    body,
                    documents_ready,
                    plan_ends,
                },
                Lang::Sv,
            ) => match plan_ends {
                Some(end) => format!(
                    "bortom känd sammanträdesplan: {body} har inget planerat möte med kallelse {documents_ready} eller senare (planen slutar {end})"
                ),
                None => format!("bortom känd sammanträdesplan: {body} har inga planerade möten"),
            },
            (
                Bound::BeyondPlan {
                    body,
                    documents_ready,
                    plan_ends,
                },
                Lang::En,
            ) => match plan_ends {
                Some(end) => format!(
                    "beyond the known meeting plan: {body} has no planned meeting with a notice on or after {documents_ready} (the plan ends {end})"
                ),
                None => format!("beyond the known meeting plan: {body} has no planned meetings"),
            },
            (Bound::AfterUnknown { step }, Lang::Sv) => {
                format!("väntar på {step}, vars datum ligger bortom känd sammanträdesplan")
            }
            (Bound::AfterUnknown { step }, Lang::En) => {
                format!("waits for {step}, whose date is beyond the known meeting plan")
            }
        }
    }
}

impl Miss {
    /// Why the target is missed, in words.
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (Miss::NoMeeting { body, date, next }, Lang::Sv) => match next {
                Some(n) => format!("{body} har inget planerat möte {date}; nästa är {n}"),
                None => format!("{body} har inget planerat möte {date} eller senare"),
            },
            (Miss::NoMeeting { body, date, next }, Lang::En) => match next {
                Some(n) => format!("{body} has no planned meeting on {date}; the next is {n}"),
                None => format!("{body} has no planned meeting on or after {date}"),
            },
            (
                Miss::NoticeCutoff {
                    notice,
                    documents_ready,
                    days_late,
                    bound_by,
                    ..
                },
                Lang::Sv,
            ) => format!(
                "kallelsen går ut {notice}, men underlaget är klart först {documents_ready} ({days_late} {} för sent): {}",
                if *days_late == 1 { "dag" } else { "dagar" },
                bound_by.describe(lang)
            ),
            (
                Miss::NoticeCutoff {
                    notice,
                    documents_ready,
                    days_late,
                    bound_by,
                    ..
                },
                Lang::En,
            ) => format!(
                "the notice goes out on {notice}, but the documents are ready only on {documents_ready} ({days_late} {} late): {}",
                if *days_late == 1 { "day" } else { "days" },
                bound_by.describe(lang)
            ),
            (
                Miss::MustFollow {
                    step,
                    meeting,
                    days_late,
                },
                Lang::Sv,
            ) => {
                if *days_late == 0 {
                    format!("{step} sammanträder samma dag ({meeting}) och måste komma före")
                } else {
                    format!("{step} sammanträder först {meeting} och måste komma före")
                }
            }
            (
                Miss::MustFollow {
                    step,
                    meeting,
                    days_late,
                },
                Lang::En,
            ) => {
                if *days_late == 0 {
                    format!("{step} meets the same day ({meeting}) and must come first")
                } else {
                    format!("{step} meets only on {meeting} and must come first")
                }
            }
            (Miss::BeyondPlan { bound }, _) => bound.describe(lang),
        }
    }
}

impl TargetOutcome {
    /// The answer in words, e.g. "cg-joint 2024-11-15: nås inte för beslut: …".
    pub fn describe(&self, lang: Lang) -> String {
        let t = &self.target;
        let purpose = lang.purpose(self.purpose);
        let mut text = match (&self.reason, lang) {
            (None, Lang::Sv) => format!("{} {}: nås för {purpose} ({})", t.body, t.date, self.step),
            (None, Lang::En) => {
                format!(
                    "{} {}: reachable for {purpose} ({})",
                    t.body, t.date, self.step
                )
            }
            (Some(miss), Lang::Sv) => format!(
                "{} {}: nås inte för {purpose} ({}): {}",
                t.body,
                t.date,
                self.step,
                miss.describe(lang)
            ),
            (Some(miss), Lang::En) => format!(
                "{} {}: not reachable for {purpose} ({}): {}",
                t.body,
                t.date,
                self.step,
                miss.describe(lang)
            ),
        };
        if !self.reachable {
            match (self.earliest, lang) {
                (Some(d), Lang::Sv) => text.push_str(&format!(". Tidigast möjliga: {d}")),
                (Some(d), Lang::En) => text.push_str(&format!(". Earliest possible: {d}")),
                (None, Lang::Sv) => {
                    text.push_str(". Tidigaste datum ligger bortom känd sammanträdesplan")
                }
                (None, Lang::En) => text.push_str(". The earliest date is beyond the known plan"),
            }
            if !self.reachable_instead.is_empty() {
                let list: Vec<String> = self
                    .reachable_instead
                    .iter()
                    .map(|(s, p)| format!("{} ({s})", lang.purpose(*p)))
                    .collect();
                match lang {
                    Lang::Sv => text.push_str(&format!(". Nås för: {}", list.join(", "))),
                    Lang::En => text.push_str(&format!(". Reachable for: {}", list.join(", "))),
                }
            }
        }
        text
    }
}
