//! Readable explanations of forecasts, bounds and missed targets: Swedish by default,
//! English available.

use super::{Bound, Miss, TargetOutcome};
use crate::notification::Language;
use crate::route::Purpose;

/// A step's purpose in words, in `lang`.
pub fn purpose_text(p: Purpose, lang: Language) -> &'static str {
    match lang {
        Language::Swedish => p.swedish(),
        Language::English => match p {
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

impl Bound {
    /// What bounds the date, in words.
    pub fn describe(&self, lang: Language) -> String {
        match (self, lang) {
            (Bound::Ready { date }, Language::Swedish) => format!("underlaget är klart {date}"),
            (Bound::Ready { date }, Language::English) => {
                format!("the documents are ready on {date}")
            }
            (
                Bound::MinutesFinal {
                    step,
                    meeting,
                    final_on,
                },
                Language::Swedish,
            ) => format!("protokollet från {step} ({meeting}) är justerat {final_on}"),
            (
                Bound::MinutesFinal {
                    step,
                    meeting,
                    final_on,
                },
                Language::English,
            ) => format!("the minutes of {step} ({meeting}) are final on {final_on}"),
            (Bound::SameProposal { step, meeting }, Language::Swedish) => {
                format!("samma förslag: mötet måste ligga efter {step} ({meeting})")
            }
            (Bound::SameProposal { step, meeting }, Language::English) => {
                format!("same proposal: the meeting must come after {step} ({meeting})")
            }
            (Bound::Predecessor { step, date }, Language::Swedish) => {
                format!("{step} är klart {date}")
            }
            (Bound::Predecessor { step, date }, Language::English) => {
                format!("{step} is done on {date}")
            }
            (
                Bound::Consultation {
                    step,
                    deadline,
                    processed,
                },
                Language::Swedish,
            ) => {
                format!("remissen ({step}): svar senast {deadline}, svaren inarbetade {processed}")
            }
            (
                Bound::Consultation {
                    step,
                    deadline,
                    processed,
                },
                Language::English,
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
                Language::Swedish,
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
                Language::English,
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
                Language::Swedish,
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
                Language::English,
            ) => match plan_ends {
                Some(end) => format!(
                    "beyond the known meeting plan: {body} has no planned meeting with a notice on or after {documents_ready} (the plan ends {end})"
                ),
                None => format!("beyond the known meeting plan: {body} has no planned meetings"),
            },
            (Bound::AfterUnknown { step }, Language::Swedish) => {
                format!("väntar på {step}, vars datum ligger bortom känd sammanträdesplan")
            }
            (Bound::AfterUnknown { step }, Language::English) => {
                format!("waits for {step}, whose date is beyond the known meeting plan")
            }
        }
    }
}

impl Miss {
    /// Why the target is missed, in words.
    pub fn describe(&self, lang: Language) -> String {
        match (self, lang) {
            (Miss::NoMeeting { body, date, next }, Language::Swedish) => match next {
                Some(n) => format!("{body} har inget planerat möte {date}; nästa är {n}"),
                None => format!("{body} har inget planerat möte {date} eller senare"),
            },
            (Miss::NoMeeting { body, date, next }, Language::English) => match next {
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
                Language::Swedish,
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
                Language::English,
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
                Language::Swedish,
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
                Language::English,
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
    pub fn describe(&self, lang: Language) -> String {
        let t = &self.target;
        let purpose = purpose_text(self.purpose, lang);
        let mut text = match (&self.reason, lang) {
            (None, Language::Swedish) => {
                format!("{} {}: nås för {purpose} ({})", t.body, t.date, self.step)
            }
            (None, Language::English) => {
                format!(
                    "{} {}: reachable for {purpose} ({})",
                    t.body, t.date, self.step
                )
            }
            (Some(miss), Language::Swedish) => format!(
                "{} {}: nås inte för {purpose} ({}): {}",
                t.body,
                t.date,
                self.step,
                miss.describe(lang)
            ),
            (Some(miss), Language::English) => format!(
                "{} {}: not reachable for {purpose} ({}): {}",
                t.body,
                t.date,
                self.step,
                miss.describe(lang)
            ),
        };
        if !self.reachable {
            match (self.earliest, lang) {
                (Some(d), Language::Swedish) => text.push_str(&format!(". Tidigast möjliga: {d}")),
                (Some(d), Language::English) => text.push_str(&format!(". Earliest possible: {d}")),
                (None, Language::Swedish) => {
                    text.push_str(". Tidigaste datum ligger bortom känd sammanträdesplan")
                }
                (None, Language::English) => {
                    text.push_str(". The earliest date is beyond the known plan")
                }
            }
            if !self.reachable_instead.is_empty() {
                let list: Vec<String> = self
                    .reachable_instead
                    .iter()
                    .map(|(s, p)| format!("{} ({s})", purpose_text(*p, lang)))
                    .collect();
                match lang {
                    Language::Swedish => text.push_str(&format!(". Nås för: {}", list.join(", "))),
                    Language::English => {
                        text.push_str(&format!(". Reachable for: {}", list.join(", ")))
                    }
                }
            }
        }
        text
    }
}
