//! Agenda building (föredragningslista), as a pure function over plain inputs: which
//! candidate matters go on a meeting's agenda, and which wait for a later meeting.
//!
//! The rule (from the preparatory group's own "Ärendeflöde"): a matter is on the agenda
//! of a meeting when it was submitted by the meeting's call-for-matters date and its
//! documents are ready by the notice date. A matter that misses either cut-off goes to
//! the next meeting of the body where it makes both. An item dropped at a meeting
//! (ärendet utgår) is carried to the next meeting ahead of new matters, whatever the
//! cut-offs: it was already prepared.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{MatterId, MeetingId, PersonId};
use crate::org::{MeetingStatus, PlannedMeeting};

use super::minutes::Language;
use super::{AgendaItem, ItemKind, Presenter};

/// A matter that may go on an agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Candidate {
    /// The matter, if the item is one.
    pub matter: Option<MatterId>,
    /// The title for the agenda.
    pub title: String,
    /// Information, discussion or decision.
    pub kind: ItemKind,
    /// Who presents it.
    pub presenter: Option<Presenter>,
    /// Time box in minutes.
    pub time_box: Option<u32>,
    /// Who submitted it (owed feedback about where it goes).
    pub submitter: Option<PersonId>,
    /// When it was submitted to the body.
    pub submitted_on: NaiveDate,
    /// When its documents are (or will be) ready; `None` when not known yet.
    pub documents_ready_on: Option<NaiveDate>,
    /// The meeting it was dropped from, when it is carried over.
    pub carried_from: Option<MeetingId>,
}

impl Candidate {
    /// A candidate submitted on a date with documents ready on a date.
    pub fn new(
        title: impl Into<String>,
        kind: ItemKind,
        submitted_on: NaiveDate,
        documents_ready_on: Option<NaiveDate>,
    ) -> Self {
        Candidate {
            matter: None,
            title: title.into(),
            kind,
            presenter: None,
            time_box: None,
            submitter: None,
            submitted_on,
            documents_ready_on,
            carried_from: None,
        }
    }

    /// About a matter.
    pub fn matter(mut self, matter: MatterId) -> Self {
        self.matter = Some(matter);
        self
    }

    /// Submitted by a person.
    pub fn submitter(mut self, person: impl Into<PersonId>) -> Self {
        self.submitter = Some(person.into());
        self
    }

    /// Presented by a person.
    pub fn presenter(mut self, person: impl Into<PersonId>) -> Self {
        self.presenter = Some(Presenter::Person(person.into()));
        self
    }

    /// Whether it makes the cut-offs of a meeting.
    pub fn makes(&self, meeting: &PlannedMeeting) -> bool {
        self.submitted_on <= meeting.call_for_matters
            && self.documents_ready_on.is_some_and(|d| d <= meeting.notice)
    }

    fn item(&self, number: u32) -> AgendaItem {
        AgendaItem {
            number,
            title: self.title.clone(),
            presenter: self.presenter.clone(),
            kind: self.kind,
            time_box: self.time_box,
            matter: self.matter,
            submitter: self.submitter.clone(),
            carried_from: self.carried_from.clone(),
        }
    }
}

/// Why a candidate is not on this agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum DeferralReason {
    /// Submitted after the call-for-matters date.
    SubmittedAfterCall {
        /// When it was submitted.
        submitted_on: NaiveDate,
        /// The cut-off.
        call_for_matters: NaiveDate,
    },
    /// Its documents are not ready by the notice date.
    DocumentsNotReady {
        /// When they will be ready, if known.
        ready_on: Option<NaiveDate>,
        /// The cut-off.
        notice: NaiveDate,
    },
}

impl DeferralReason {
    /// The reason in Swedish, for feedback to the submitter.
    pub fn swedish(&self) -> String {
        match self {
            DeferralReason::SubmittedAfterCall {
                submitted_on,
                call_for_matters,
            } => format!("anmält {submitted_on}, efter sista dag för anmälan {call_for_matters}"),
            DeferralReason::DocumentsNotReady {
                ready_on: Some(r),
                notice,
            } => format!("underlaget är klart först {r}, efter kallelsen {notice}"),
            DeferralReason::DocumentsNotReady {
                ready_on: None,
                notice,
            } => format!("underlaget är inte klart till kallelsen {notice}"),
        }
    }
}

/// A candidate that waits for a later meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deferral {
    /// The candidate.
    pub candidate: Candidate,
    /// Why it is not on this agenda.
    pub reason: DeferralReason,
    /// The first later meeting whose cut-offs it makes (or, with documents of unknown
    /// date, simply the next meeting); `None` when the plan has no such meeting.
    pub next_meeting: Option<MeetingId>,
}

/// A meeting's agenda as built, and what waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgendaPlan {
    /// The meeting.
    pub meeting: MeetingId,
    /// The items, numbered.
    pub items: Vec<AgendaItem>,
    /// The candidates that go to a later meeting.
    pub deferred: Vec<Deferral>,
}

/// Builds the matter items of `meeting`'s agenda from `candidates`, numbering them from
/// `first_number`. Carried items (dropped at an earlier meeting) come first, then the
/// candidates that make both cut-offs in order of submission. `following` are the
/// later meetings of the same body (any order; cancelled ones are skipped), used to
/// tell each deferred candidate where it goes.
pub fn build_agenda(
    meeting: &PlannedMeeting,
    following: &[PlannedMeeting],
    candidates: &[Candidate],
    first_number: u32,
) -> AgendaPlan {
    let mut later: Vec<&PlannedMeeting> = following
        .iter()
        .filter(|m| m.date > meeting.date && m.status != MeetingStatus::Cancelled)
        .collect();
    later.sort_by(|a, b| (a.date, a.start, &a.id).cmp(&(b.date, b.start, &b.id)));

    let mut carried: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.carried_from.is_some())
        .collect();
    carried.sort_by(|a, b| (a.submitted_on, &a.title).cmp(&(b.submitted_on, &b.title)));
    let mut fresh: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.carried_from.is_none())
        .filter(|c| {
            // A matter already carried over is not taken twice.
            c.matter.is_none() || !carried.iter().any(|x| x.matter == c.matter)
        })
        .collect();
    fresh.sort_by(|a, b| (a.submitted_on, &a.title).cmp(&(b.submitted_on, &b.title)));

    let mut items = Vec::new();
    let mut deferred = Vec::new();
    let mut number = first_number;
    for c in carried {
        items.push(c.item(number));
        number += 1;
    }
    for c in fresh {
        if c.makes(meeting) {
            items.push(c.item(number));
            number += 1;
            continue;
        }
        let reason = if c.submitted_on > meeting.call_for_matters {
            DeferralReason::SubmittedAfterCall {
                submitted_on: c.submitted_on,
                call_for_matters: meeting.call_for_matters,
            }
        } else {
            DeferralReason::DocumentsNotReady {
                ready_on: c.documents_ready_on,
                notice: meeting.notice,
            }
        };
        let next_meeting = match c.documents_ready_on {
            Some(_) => later.iter().find(|m| c.makes(m)),
            None => later.iter().find(|m| c.submitted_on <= m.call_for_matters),
        }
        .map(|m| m.id.clone());
        deferred.push(Deferral {
            candidate: c.clone(),
            reason,
            next_meeting,
        });
    }
    AgendaPlan {
        meeting: meeting.id.clone(),
        items,
        deferred,
    }
}

/// Frames matter items with the standing items of the reference minutes: opening and
/// choice of adjuster, adoption of the agenda, the previous minutes, and closing.
/// Renumbers everything from 1.
pub fn standard_agenda(matter_items: Vec<AgendaItem>, language: Language) -> Vec<AgendaItem> {
    let (open, adopt, previous, close) = match language {
        Language::Swedish => (
            "Mötet öppnas och justerare utses",
            "Fastställande av dagordning",
            "Föregående möte och protokoll",
            "Avslut",
        ),
        Language::English => (
            "Opening of the meeting and choice of adjuster",
            "Adoption of the agenda",
            "Previous meeting and minutes",
            "Closing",
        ),
    };
    let mut all = vec![
        AgendaItem::new(0, open, ItemKind::Decision),
        AgendaItem::new(0, adopt, ItemKind::Decision),
        AgendaItem::new(0, previous, ItemKind::Information),
    ];
    all.extend(matter_items);
    all.push(AgendaItem::new(0, close, ItemKind::Information));
    for (i, item) in all.iter_mut().enumerate() {
        item.number = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A meeting of sbu in 2024 with a month's call for matters and two weeks' notice.
    fn meeting(id: &str, date: NaiveDate) -> PlannedMeeting {
        crate::testing::meeting(id, &["sbu"], date)
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        crate::testing::d(2024, m, day)
    }

    /// Table: (title, submitted, documents ready, on the 15 Oct agenda?, next meeting).
    #[test]
    fn cut_offs_decide_the_agenda_and_the_next_meeting() {
        let oct = meeting("sbu-2024-10-15", d(10, 15)); // call 09-15, notice 10-01
        let dec = meeting("sbu-2024-12-13", d(12, 13)); // call 11-13, notice 11-29
        let cases = [
            ("in time", d(9, 10), Some(d(9, 30)), true, None),
            ("on the call date", d(9, 15), Some(d(10, 1)), true, None),
            (
                "submitted late",
                d(9, 16),
                Some(d(9, 20)),
                false,
                Some("sbu-2024-12-13"),
            ),
            (
                "documents late",
                d(9, 1),
                Some(d(10, 2)),
                false,
                Some("sbu-2024-12-13"),
            ),
            (
                "documents unknown",
                d(9, 1),
                None,
                false,
                Some("sbu-2024-12-13"),
            ),
            (
                "too late for December too",
                d(11, 20),
                Some(d(11, 21)),
                false,
                None,
            ),
        ];
        let candidates: Vec<Candidate> = cases
            .iter()
            .map(|(t, s, r, _, _)| Candidate::new(*t, ItemKind::Decision, *s, *r))
            .collect();
        let plan = build_agenda(&oct, std::slice::from_ref(&dec), &candidates, 4);
        for (title, _, _, on_agenda, next) in cases {
            let item = plan.items.iter().find(|i| i.title == title);
            assert_eq!(item.is_some(), on_agenda, "{title}");
            if !on_agenda {
                let def = plan
                    .deferred
                    .iter()
                    .find(|x| x.candidate.title == title)
                    .unwrap();
                assert_eq!(
                    def.next_meeting.as_ref().map(|m| m.as_str()),
                    next,
                    "{title}"
                );
            }
        }
        assert_eq!(
            plan.items.iter().map(|i| i.number).collect::<Vec<_>>(),
            vec![4, 5]
        );
        let late = plan
            .deferred
            .iter()
            .find(|x| x.candidate.title == "submitted late")
            .unwrap();
        assert_eq!(
            late.reason,
            DeferralReason::SubmittedAfterCall {
                submitted_on: d(9, 16),
                call_for_matters: d(9, 15)
            }
        );
    }

    #[test]
    fn a_dropped_item_comes_first_whatever_the_cut_offs() {
        let dec = meeting("sbu-2024-12-13", d(12, 13));
        let m = MatterId::random();
        let mut carried = Candidate::new(
            "Nära vård årsberättelse",
            ItemKind::Information,
            d(12, 1),
            None,
        )
        .matter(m);
        carried.carried_from = Some(MeetingId::new("sbu-2024-10-15"));
        let again = Candidate::new(
            "Nära vård årsberättelse",
            ItemKind::Information,
            d(9, 1),
            Some(d(9, 2)),
        )
        .matter(m);
        let other = Candidate::new(
            "Obruten skolgång",
            ItemKind::Decision,
            d(11, 1),
            Some(d(11, 2)),
        );
        let plan = build_agenda(&dec, &[], &[other, again, carried], 1);
        assert_eq!(plan.items.len(), 2);
        assert_eq!(plan.items[0].title, "Nära vård årsberättelse");
        assert_eq!(
            plan.items[0].carried_from.as_ref().map(|x| x.as_str()),
            Some("sbu-2024-10-15")
        );
        assert_eq!(plan.items[1].title, "Obruten skolgång");
        assert!(plan.deferred.is_empty());
    }

    #[test]
    fn standard_agenda_frames_and_renumbers() {
        let items = vec![AgendaItem::new(9, "Obruten skolgång", ItemKind::Decision)];
        let all = standard_agenda(items, Language::Swedish);
        let titles: Vec<_> = all.iter().map(|i| (i.number, i.title.as_str())).collect();
        assert_eq!(
            titles,
            vec![
                (1, "Mötet öppnas och justerare utses"),
                (2, "Fastställande av dagordning"),
                (3, "Föregående möte och protokoll"),
                (4, "Obruten skolgång"),
                (5, "Avslut"),
            ]
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn candidates() -> impl Strategy<Value = Vec<(i64, Option<i64>)>> {
            // (submitted, documents ready) as days after 2024-08-01.
            proptest::collection::vec((0i64..200, proptest::option::of(0i64..220)), 0..25)
        }

        proptest! {
            /// Every candidate is on the agenda or deferred, once; agenda items make both
            /// cut-offs and are numbered from the first number; a deferral's next meeting
            /// is the first later meeting whose cut-offs it makes.
            #[test]
            fn every_candidate_is_placed_once_and_by_the_rule(cs in candidates(), first in 1u32..6) {
                let base = d(8, 1);
                let oct = meeting("m-oct", d(10, 15));
                let later = vec![meeting("m-dec", d(12, 13)), meeting("m-nov", d(11, 15))];
                let input: Vec<Candidate> = cs
                    .iter()
                    .enumerate()
                    .map(|(i, (s, r))| {
                        Candidate::new(
                            format!("c{i:02}"),
                            ItemKind::Decision,
                            base + chrono::Duration::days(*s),
                            r.map(|r| base + chrono::Duration::days(r)),
                        )
                    })
                    .collect();
                let plan = build_agenda(&oct, &later, &input, first);
                prop_assert_eq!(plan.items.len() + plan.deferred.len(), input.len());
                for (i, item) in plan.items.iter().enumerate() {
                    prop_assert_eq!(item.number, first + i as u32);
                    let c = input.iter().find(|c| c.title == item.title).unwrap();
                    prop_assert!(c.makes(&oct));
                }
                let mut by_date = later.clone();
                by_date.sort_by_key(|m| m.date);
                for def in &plan.deferred {
                    prop_assert!(!def.candidate.makes(&oct));
                    prop_assert!(!plan.items.iter().any(|i| i.title == def.candidate.title));
                    if def.candidate.documents_ready_on.is_some() {
                        let expected = by_date.iter().find(|m| def.candidate.makes(m)).map(|m| m.id.clone());
                        prop_assert_eq!(&def.next_meeting, &expected);
                    }
                }
            }
        }
    }
}
