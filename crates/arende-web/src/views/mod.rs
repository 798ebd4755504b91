//! The pages: each builds a view model from the engine's reads (testable without HTTP)
//! and renders it to HTML with the page shell.
//!
//! - [`body`]: a body's page (organets sida).
//! - [`matter`]: a matter's page (ärendets sida) with its timeline and route diagram.
//! - [`meeting`]: a meeting's page (sammanträdets sida).
//! - [`calendar`]: calendars per body and per person with subscribe links.
//! - [`county`]: the county overview (länsöversikt).
//! - [`forms`]: the submission form page.

pub mod body;
pub mod calendar;
pub mod county;
pub mod forms;
pub mod matter;
pub mod meeting;

use arende_core::ids::{BodyId, PersonId};
use arende_core::language::Language;
use arende_core::matter::{MatterKind, MatterStatus};
use arende_core::meeting::{ItemKind, MeetingPhase};
use arende_core::org::Organisation;
use arende_core::route::Purpose;

/// How many rows a list on a page shows at most (a page stays well under 200 kB even
/// for a county with 10,000 matters); the rest is counted.
pub const LIST_CAP: usize = 100;

/// How many rows each list of a body's page shows per page (`?page=N`, from 1).
pub const PAGE_ROWS: usize = 25;

/// The most characters of a title (or other typed text) a list shows; longer ones end
/// in "…", and the matter's own page shows the whole title. With [`PAGE_ROWS`] rows a
/// page stays under 200 kB whatever is stored.
pub const LIST_TEXT_CHARS: usize = 120;

/// Typed text as a list shows it: at most [`LIST_TEXT_CHARS`] characters.
pub fn short(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(LIST_TEXT_CHARS) {
        None => std::borrow::Cow::Borrowed(text),
        Some(_) => {
            let cut = text
                .char_indices()
                .nth(LIST_TEXT_CHARS - 1)
                .map_or(text.len(), |(i, _)| i);
            std::borrow::Cow::Owned(format!("{}…", &text[..cut]))
        }
    }
}

/// The rows of page `page` (from 1) of a list of [`PAGE_ROWS`] rows per page.
pub fn page_of<T>(list: &[T], page: usize) -> &[T] {
    let start = page.saturating_sub(1).saturating_mul(PAGE_ROWS);
    let end = start.saturating_add(PAGE_ROWS).min(list.len());
    list.get(start..end).unwrap_or(&[])
}

/// How many pages of [`PAGE_ROWS`] rows a list of `len` rows fills (at least 1).
pub fn pages(len: usize) -> usize {
    len.div_ceil(PAGE_ROWS).max(1)
}

/// "… and N more", when a list was cut at [`LIST_CAP`].
pub fn more(total: usize, lang: Language) -> Option<String> {
    (total > LIST_CAP).then(|| match lang {
        Language::English => format!("… and {} more", total - LIST_CAP),
        _ => format!("… och {} till", total - LIST_CAP),
    })
}

/// A body's name, or its id when the configuration does not know it.
pub fn body_name(org: &Organisation, id: &BodyId) -> String {
    org.body(id)
        .map_or_else(|| id.to_string(), |b| b.name.clone())
}

/// A person's name, or their id.
pub fn person_name(org: &Organisation, id: &PersonId) -> String {
    org.person(id)
        .map_or_else(|| id.to_string(), |p| p.name.clone())
}

/// A matter status in words.
pub fn status_text(s: MatterStatus, lang: Language) -> String {
    match lang {
        Language::English => s.name().replace(['-', ':'], " "),
        _ => s.swedish().to_owned(),
    }
}

/// A matter kind in words.
pub fn kind_text(k: MatterKind, lang: Language) -> String {
    match lang {
        Language::English => k.name().to_owned(),
        _ => k.swedish().to_owned(),
    }
}

/// A meeting phase in words.
pub fn phase_text(p: MeetingPhase, lang: Language) -> &'static str {
    match lang {
        Language::English => match p {
            MeetingPhase::Planned => "planned",
            MeetingPhase::CallForMattersSent => "call for matters sent",
            MeetingPhase::NoticeSent => "notice sent",
            MeetingPhase::Held => "held",
            MeetingPhase::MinutesDrafted => "minutes drafted",
            MeetingPhase::MinutesAdjusted => "minutes adjusted",
            MeetingPhase::MinutesDistributed => "minutes distributed",
            MeetingPhase::Cancelled => "cancelled",
        },
        _ => p.swedish(),
    }
}

/// An agenda item's kind in words.
pub fn item_kind_text(k: ItemKind, lang: Language) -> &'static str {
    match lang {
        Language::English => k.english(),
        _ => k.swedish(),
    }
}

/// A step purpose in words.
pub fn purpose_text(p: Purpose, lang: Language) -> &'static str {
    arende_core::forecast::purpose_text(p, lang)
}
