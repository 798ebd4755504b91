//! OParl 1.1 (the German-born standard for council information systems) as a read view
//! of one county: typed objects, the lists with their paging and filters, and the
//! mapping from the core — plain functions of a [`CountyEngine`], without HTTP.
//!
//! | OParl | arende |
//! |---|---|
//! | `System` | the tenant (one per county) |
//! | `Body` | a party (part): the Region, a municipality, another actor |
//! | `Organization` | a body (organ) of the configuration |
//! | `Person`, `Membership` | people and their roles in bodies |
//! | `Meeting` | a meeting of the plan as it now stands (moves, cancellations) with its stream (notice, attendance, minutes) |
//! | `AgendaItem` | an item of the meeting's agenda (from the notice), with the § result once the minutes are final |
//! | `Paper` | a matter (ärende); `reference` is a party's case number (diarienummer) |
//! | `Consultation` | a step of the matter's route; `authoritative` where the decision is taken |
//! | `File` | the notice (kallelse) and the final minutes of a meeting, as Markdown |
//! | `Location` | a meeting's place |
//!
//! **Which objects a Body lists.** A party's organisations are its own bodies (a
//! political body names its party) and the collaboration bodies it takes part in: every
//! collaboration body for a party that signs county-wide agreements, else those where
//! one of its people sits. Its meetings, agenda items and files are those of these
//! bodies; its papers are the matters submitted to or handled at these bodies, or
//! raised by its people; its people are those who represent it (or sit in its bodies
//! for no party). An object has one URL whichever lists it appears in.
//!
//! **A paper's body and reference.** A matter belongs to the party of its submitter
//! (else the Region, else the first party); `reference` is that party's case number,
//! or the first registered, and every party's number is in `keyword` as
//! `diarienummer:<party>:<number>`.
//!
//! **Timestamps, filters, deletion.** `created` and `modified` of an object built from
//! stored events are the instants of its first and last event. Objects of the
//! configuration (System, Body, Organization, Person, Membership, and a meeting with
//! no event yet) carry no timestamp; a list filtered by `modified_since` (or any
//! `created_*`/`modified_*`) still returns them, so an incremental client never misses
//! a change of configuration (re-reading an unchanged object is harmless). Events are
//! never deleted and a cancelled meeting stays with `cancelled: true`, so no object is
//! ever `deleted`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use arende_core::aggregate::{Aggregate, decode_for};
use arende_core::clock::stockholm_instant;
use arende_core::deployment::CountyEngine;
use arende_core::ids::{BodyId, MatterId, MeetingId, PartyId, PersonId, StepId};
use arende_core::language::Language;
use arende_core::matter::{Matter, MatterStatus};
use arende_core::meeting::{Meeting, Outcome, meeting_title};
use arende_core::org::{
    BodyKind, MeetingStatus, Membership as CoreMembership, MinutesKind, Organisation, PartyKind,
    PlannedMeeting, Role,
};
use arende_core::projection::MatterSummary;
use arende_core::route::Purpose;
use arende_core::store::{EventStore, RecordedEvent};
use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::error::PublishError;

/// The OParl version served.
pub const OPARL_VERSION: &str = "https://schema.oparl.org/1.1/";

/// The default number of objects per list page.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// The largest page a client may ask for with `limit`.
pub const MAX_PAGE_SIZE: usize = 1000;

fn type_url(name: &str) -> String {
    format!("{OPARL_VERSION}{name}")
}

/// A path segment, percent-encoded (RFC 3986 unreserved characters kept).
fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_seg(&mut out, s);
    out
}

/// Appends `s` to `out` as a path segment, percent-encoded (RFC 3986 unreserved
/// characters kept), without a buffer of its own.
fn push_seg(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0F)]));
        }
    }
}

fn stamp_text(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn local_text(date: NaiveDate, time: NaiveTime) -> String {
    stockholm_instant(date, time.hour(), time.minute())
        .with_timezone(&chrono_tz::Europe::Stockholm)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

// ───────────────────────────── URLs ─────────────────────────────

/// The URLs of one tenant's OParl API: `{origin}/oparl/v1/{tenant}/…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBase {
    root: String,
}

impl ApiBase {
    /// The API of `tenant` at `origin` (scheme and authority, e.g.
    /// `https://arende.example.se`, without a trailing slash).
    pub fn new(origin: &str, tenant: &str) -> Self {
        ApiBase {
            root: format!("{}/oparl/v1/{}", origin.trim_end_matches('/'), seg(tenant)),
        }
    }

    fn at(&self, path: &str) -> String {
        self.at_with(path, &[])
    }

    /// `{root}/{path}`, then each of `segments` percent-encoded after a slash: one
    /// allocation per URL (a page of papers builds thousands).
    fn at_with(&self, path: &str, segments: &[&str]) -> String {
        let room: usize = segments.iter().map(|s| 3 * s.len() + 1).sum();
        let mut out = String::with_capacity(self.root.len() + 1 + path.len() + room);
        out.push_str(&self.root);
        out.push('/');
        out.push_str(path);
        for s in segments {
            out.push('/');
            push_seg(&mut out, s);
        }
        out
    }

    /// The System.
    pub fn system(&self) -> String {
        self.at("system")
    }
    /// The list of bodies.
    pub fn bodies(&self) -> String {
        self.at("bodies")
    }
    /// A party's Body.
    pub fn body(&self, party: &PartyId) -> String {
        self.at_with("body", &[party.as_str()])
    }
    /// One of a Body's lists (`organizations`, `people`, `memberships`, `meetings`,
    /// `agenda-items`, `papers`, `consultations`, `files`).
    pub fn body_list(&self, party: &PartyId, list: BodyList) -> String {
        format!("{}/{}", self.body(party), list.path())
    }
    /// A body's Organization.
    pub fn organization(&self, body: &BodyId) -> String {
        self.at_with("organization", &[body.as_str()])
    }
    /// The meetings of an Organization.
    pub fn organization_meetings(&self, body: &BodyId) -> String {
        format!("{}/meetings", self.organization(body))
    }
    /// A Person.
    pub fn person(&self, person: &PersonId) -> String {
        self.at_with("person", &[person.as_str()])
    }
    /// A Membership.
    pub fn membership(&self, m: &CoreMembership) -> String {
        self.at(&format!(
            "membership/{}/{}/{}",
            seg(m.person.as_str()),
            seg(m.body.as_str()),
            role_name(m.role)
        ))
    }
    /// A Meeting.
    pub fn meeting(&self, meeting: &MeetingId) -> String {
        self.at_with("meeting", &[meeting.as_str()])
    }
    /// A meeting's Location.
    pub fn location(&self, meeting: &MeetingId) -> String {
        self.at_with("location", &[meeting.as_str()])
    }
    /// An AgendaItem (by its place on the agenda, from 1).
    pub fn agenda_item(&self, meeting: &MeetingId, order: usize) -> String {
        self.at(&format!("agenda-item/{}/{order}", seg(meeting.as_str())))
    }
    /// A Paper.
    pub fn paper(&self, matter: MatterId) -> String {
        let mut id = uuid::Uuid::encode_buffer();
        self.at_with("paper", &[matter.0.hyphenated().encode_lower(&mut id)])
    }
    /// A Consultation (a route step of a matter).
    pub fn consultation(&self, matter: MatterId, step: &StepId) -> String {
        let mut id = uuid::Uuid::encode_buffer();
        let matter = matter.0.hyphenated().encode_lower(&mut id);
        self.at_with("consultation", &[matter, step.as_str()])
    }
    /// A File of a meeting.
    pub fn file(&self, meeting: &MeetingId, kind: FileKind) -> String {
        self.at(&format!("file/{}/{}", seg(meeting.as_str()), kind.path()))
    }
    /// The content of a File.
    pub fn file_content(&self, meeting: &MeetingId, kind: FileKind) -> String {
        format!("{}/content", self.file(meeting, kind))
    }
}

/// The lists of a Body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyList {
    /// Its organisations (bodies).
    Organizations,
    /// Its people.
    People,
    /// The memberships of its people.
    Memberships,
    /// Its meetings.
    Meetings,
    /// The agenda items of its meetings.
    AgendaItems,
    /// Its papers (matters).
    Papers,
    /// The consultations of its papers.
    Consultations,
    /// The files of its meetings.
    Files,
}

impl BodyList {
    /// Every list, in path order.
    pub const ALL: [BodyList; 8] = [
        BodyList::Organizations,
        BodyList::People,
        BodyList::Memberships,
        BodyList::Meetings,
        BodyList::AgendaItems,
        BodyList::Papers,
        BodyList::Consultations,
        BodyList::Files,
    ];

    /// The last path segment.
    pub fn path(self) -> &'static str {
        match self {
            BodyList::Organizations => "organizations",
            BodyList::People => "people",
            BodyList::Memberships => "memberships",
            BodyList::Meetings => "meetings",
            BodyList::AgendaItems => "agenda-items",
            BodyList::Papers => "papers",
            BodyList::Consultations => "consultations",
            BodyList::Files => "files",
        }
    }

    /// The list named by a path segment.
    pub fn from_path(path: &str) -> Option<BodyList> {
        BodyList::ALL.into_iter().find(|l| l.path() == path)
    }
}

/// The files of a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// The notice (kallelse) with the agenda.
    Notice,
    /// The final minutes (protokoll or minnesanteckningar).
    Minutes,
}

impl FileKind {
    /// The path segment.
    pub fn path(self) -> &'static str {
        match self {
            FileKind::Notice => "notice",
            FileKind::Minutes => "minutes",
        }
    }

    /// The kind named by a path segment.
    pub fn from_path(path: &str) -> Option<FileKind> {
        match path {
            "notice" => Some(FileKind::Notice),
            "minutes" => Some(FileKind::Minutes),
            _ => None,
        }
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Member => "member",
        Role::Substitute => "substitute",
        Role::Chair => "chair",
        Role::Secretary => "secretary",
        Role::Adjuster => "adjuster",
        Role::Official => "official",
    }
}

fn role_from_name(name: &str) -> Option<Role> {
    [
        Role::Member,
        Role::Substitute,
        Role::Chair,
        Role::Secretary,
        Role::Adjuster,
        Role::Official,
    ]
    .into_iter()
    .find(|r| role_name(*r) == name)
}

// ───────────────────────────── objects ─────────────────────────────

/// `System`: the county's OParl service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct System {
    /// URL of this object.
    pub id: String,
    /// `https://schema.oparl.org/1.1/System`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The OParl version.
    pub oparl_version: String,
    /// The list of bodies.
    pub body: String,
    /// The county's name.
    pub name: String,
    /// The software.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
}

/// `LegislativeTerm` (not kept by arende: bodies have no terms of office yet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LegislativeTerm {
    /// URL of this object.
    pub id: String,
    /// `https://schema.oparl.org/1.1/LegislativeTerm`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// `Body`: a party (part) of the county.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Body {
    /// URL of this object.
    pub id: String,
    /// `https://schema.oparl.org/1.1/Body`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The System.
    pub system: String,
    /// The party's id.
    pub short_name: String,
    /// The party's name.
    pub name: String,
    /// List of its organisations.
    pub organization: String,
    /// List of its people.
    pub person: String,
    /// List of its meetings.
    pub meeting: String,
    /// List of its papers.
    pub paper: String,
    /// Legislative terms (none kept).
    pub legislative_term: Vec<LegislativeTerm>,
    /// List of its agenda items.
    pub agenda_item: String,
    /// List of its consultations.
    pub consultation: String,
    /// List of its files.
    pub file: String,
    /// List of its memberships.
    pub membership: String,
    /// Region, municipality or other actor (Swedish).
    pub classification: String,
    /// Its political body (the organisation that decides for it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_organization: Option<String>,
}

/// `Organization`: a body (organ).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// URL of this object.
    pub id: String,
    /// `https://schema.oparl.org/1.1/Organization`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The party it belongs to (political bodies only; collaboration bodies belong to
    /// no single party).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The name.
    pub name: String,
    /// The body's id.
    pub short_name: String,
    /// Its memberships.
    pub membership: Vec<String>,
    /// List of its meetings.
    pub meeting: String,
    /// The body above it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_organization_of: Option<String>,
    /// Always `Gremium` (a committee), OParl's type for a body that meets.
    pub organization_type: String,
    /// The kind of body (Swedish).
    pub classification: String,
    /// Members with a vote (members and the chair).
    pub member_count: u64,
    /// What it may do (its mandates), as keywords.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keyword: Vec<String>,
}

/// `Person`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// URL of this object.
    pub id: String,
    /// `https://schema.oparl.org/1.1/Person`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The party the person represents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The name.
    pub name: String,
    /// Title or function.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<String>,
    /// The person's memberships, embedded.
    pub membership: Vec<MembershipObject>,
}

/// `Membership`: a role in a body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MembershipObject {
    /// URL of this object.
    pub id: String,
    /// `https://schema.oparl.org/1.1/Membership`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The person.
    pub person: String,
    /// The body.
    pub organization: String,
    /// The role (Swedish: ledamot, ersättare, ordförande, …).
    pub role: String,
    /// Whether the role votes (members and the chair).
    pub voting_right: bool,
    /// For a substitute: whose substitute, and the party represented.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keyword: Vec<String>,
}

/// `Location`: where a meeting is held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// URL of this object.
    pub id: String,
    /// `https://schema.oparl.org/1.1/Location`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The place as configured.
    pub description: String,
    /// The meetings held there.
    pub meetings: Vec<String>,
}

/// `File`: a meeting's notice or final minutes (Markdown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct File {
    /// URL of this object.
    pub id: String,
    /// `https://schema.oparl.org/1.1/File`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A readable name.
    pub name: String,
    /// The file name.
    pub file_name: String,
    /// `text/markdown`.
    pub mime_type: String,
    /// The day of the document (notice sent; minutes adjusted or distributed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Where to read it.
    pub access_url: String,
    /// Where to download it.
    pub download_url: String,
    /// The meeting.
    pub meeting: Vec<String>,
    /// First event of the meeting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last event of the meeting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

/// `AgendaItem`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgendaItem {
    /// URL of this object.
    pub id: String,
    /// `https://schema.oparl.org/1.1/AgendaItem`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The meeting.
    pub meeting: String,
    /// The item's number on the agenda.
    pub number: String,
    /// Its place on the agenda (from 1).
    pub order: u64,
    /// The title.
    pub name: String,
    /// Always public (the agenda is sent with the notice).
    pub public: bool,
    /// The matter's step handled here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consultation: Option<String>,
    /// What the § of the final minutes concluded (Swedish).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    /// The "att"-clauses of the decision, one per line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution_text: Option<String>,
    /// The kind of item (information, diskussion, beslut) and why it was dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keyword: Vec<String>,
    /// First event of the meeting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last event of the meeting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

/// `Meeting`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeetingObject {
    /// URL of this object.
    pub id: String,
    /// `https://schema.oparl.org/1.1/Meeting`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The bodies' names.
    pub name: String,
    /// Where it stands (Swedish: planerat, kallat, protokoll justerat, …).
    pub meeting_state: String,
    /// Whether it is cancelled (inställt).
    pub cancelled: bool,
    /// Start (local time with offset).
    pub start: String,
    /// End (local time with offset).
    pub end: String,
    /// Where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The bodies meeting.
    pub organization: Vec<String>,
    /// Who took part (once held).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participant: Vec<String>,
    /// The notice, once sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation: Option<File>,
    /// The minutes, once final.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results_protocol: Option<File>,
    /// The agenda.
    pub agenda_item: Vec<AgendaItem>,
    /// Call for matters and notice dates, and the date moved from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keyword: Vec<String>,
    /// First event of the meeting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last event of the meeting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

/// `Consultation`: a step of a matter's route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Consultation {
    /// URL of this object.
    pub id: String,
    /// `https://schema.oparl.org/1.1/Consultation`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The paper.
    pub paper: String,
    /// The meeting whose minutes completed the step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting: Option<String>,
    /// The bodies taking the step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organization: Vec<String>,
    /// Whether the decision is taken at this step.
    pub authoritative: bool,
    /// The step's purpose (Swedish: beredning, beslut, politiskt beslut, …).
    pub role: String,
    /// The step id and whether it is done, current or ahead.
    pub keyword: Vec<String>,
    /// First event of the matter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last event of the matter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

/// `Paper`: a matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Paper {
    /// URL of this object.
    pub id: String,
    /// `https://schema.oparl.org/1.1/Paper`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The party it belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The title.
    pub name: String,
    /// The case number (diarienummer) of its party, or the first registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The day it was registered.
    pub date: NaiveDate,
    /// The kind of matter (Swedish).
    pub paper_type: String,
    /// The matter it revises and the one that revises it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_paper: Vec<String>,
    /// Who raised it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub originator_person: Vec<String>,
    /// The body it was submitted to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub under_direction_of: Vec<String>,
    /// Every step of its route.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consultation: Vec<Consultation>,
    /// Its status and every party's case number (`diarienummer:<party>:<number>`).
    pub keyword: Vec<String>,
    /// First event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Last event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

// ───────────────────────────── lists ─────────────────────────────

/// An OParl list page: the objects, where the page stands, and links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ObjectList<T> {
    /// The objects of this page.
    pub data: Vec<T>,
    /// Counts.
    pub pagination: Pagination,
    /// First, previous, next, last and this page.
    pub links: PageLinks,
}

/// Where a page stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// Objects in the whole filtered list.
    pub total_elements: u64,
    /// Objects per page.
    pub elements_per_page: u64,
    /// This page (from 1).
    pub current_page: u64,
    /// Pages in all (at least 1).
    pub total_pages: u64,
}

/// Links between pages; each keeps the filters of the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PageLinks {
    /// The first page.
    pub first: String,
    /// The previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    /// The next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The last page.
    pub last: String,
    /// This page.
    #[serde(rename = "self")]
    pub this: String,
}

/// The paging and filters of a list request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListFilter {
    /// The page (from 1).
    pub page: u64,
    /// Objects per page.
    pub limit: usize,
    /// Only objects created at or after.
    pub created_since: Option<DateTime<Utc>>,
    /// Only objects created at or before.
    pub created_until: Option<DateTime<Utc>>,
    /// Only objects modified at or after.
    pub modified_since: Option<DateTime<Utc>>,
    /// Only objects modified at or before.
    pub modified_until: Option<DateTime<Utc>>,
}

/// When an object was created and last modified (none for configuration objects).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stamp {
    /// The first event.
    pub created: Option<DateTime<Utc>>,
    /// The last event.
    pub modified: Option<DateTime<Utc>>,
}

impl Stamp {
    fn of(records: &[RecordedEvent]) -> Stamp {
        Stamp {
            created: records.first().map(|r| r.recorded_at),
            modified: records.last().map(|r| r.recorded_at),
        }
    }
}

impl ListFilter {
    /// Reads the query parameters of a list (`page`, `limit`, `created_since`,
    /// `created_until`, `modified_since`, `modified_until`; instants in RFC 3339);
    /// `page_size` is the page when no `limit` is given. Unknown parameters are ignored.
    pub fn parse(
        params: &BTreeMap<String, String>,
        page_size: usize,
    ) -> Result<ListFilter, PublishError> {
        let number = |name: &'static str| -> Result<Option<u64>, PublishError> {
            params
                .get(name)
                .map(|v| {
                    v.trim()
                        .parse::<u64>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| PublishError::BadParameter {
                            name,
                            value: v.clone(),
                            reason: "a whole number from 1 is needed".into(),
                        })
                })
                .transpose()
        };
        let instant = |name: &'static str| -> Result<Option<DateTime<Utc>>, PublishError> {
            params
                .get(name)
                .map(|v| {
                    DateTime::parse_from_rfc3339(v.trim())
                        .map(|t| t.with_timezone(&Utc))
                        .map_err(|e| PublishError::BadParameter {
                            name,
                            value: v.clone(),
                            reason: format!("an RFC 3339 instant is needed ({e})"),
                        })
                })
                .transpose()
        };
        let limit = match number("limit")? {
            Some(n) if n > MAX_PAGE_SIZE as u64 => {
                return Err(PublishError::BadParameter {
                    name: "limit",
                    value: n.to_string(),
                    reason: format!("at most {MAX_PAGE_SIZE} objects per page"),
                });
            }
            Some(n) => usize::try_from(n).unwrap_or(MAX_PAGE_SIZE),
            None => page_size.clamp(1, MAX_PAGE_SIZE),
        };
        Ok(ListFilter {
            page: number("page")?.unwrap_or(1),
            limit,
            created_since: instant("created_since")?,
            created_until: instant("created_until")?,
            modified_since: instant("modified_since")?,
            modified_until: instant("modified_until")?,
        })
    }

    /// Whether a filter on time is set.
    pub fn has_time_filter(&self) -> bool {
        self.created_since.is_some()
            || self.created_until.is_some()
            || self.modified_since.is_some()
            || self.modified_until.is_some()
    }

    /// Whether an object with this stamp is in the list (objects without a stamp
    /// always are).
    pub fn keeps(&self, stamp: &Stamp) -> bool {
        let after = |bound: Option<DateTime<Utc>>, at: Option<DateTime<Utc>>| match (bound, at) {
            (Some(b), Some(t)) => t >= b,
            _ => true,
        };
        let before = |bound: Option<DateTime<Utc>>, at: Option<DateTime<Utc>>| match (bound, at) {
            (Some(b), Some(t)) => t <= b,
            _ => true,
        };
        after(self.created_since, stamp.created)
            && before(self.created_until, stamp.created)
            && after(self.modified_since, stamp.modified)
            && before(self.modified_until, stamp.modified)
    }

    fn query(&self, page: u64) -> String {
        let mut parts = vec![format!("page={page}"), format!("limit={}", self.limit)];
        for (name, value) in [
            ("created_since", self.created_since),
            ("created_until", self.created_until),
            ("modified_since", self.modified_since),
            ("modified_until", self.modified_until),
        ] {
            if let Some(v) = value {
                let text = v.to_rfc3339_opts(SecondsFormat::AutoSi, true);
                parts.push(format!("{name}={}", seg(&text)));
            }
        }
        parts.join("&")
    }

    /// The page's range over `total` objects, and the list's pagination and links.
    fn frame(&self, total: usize, url: &str) -> (std::ops::Range<usize>, Pagination, PageLinks) {
        let per = self.limit.max(1);
        let pages = total.div_ceil(per).max(1) as u64;
        let start = usize::try_from(self.page.saturating_sub(1))
            .unwrap_or(usize::MAX)
            .saturating_mul(per)
            .min(total);
        let end = start.saturating_add(per).min(total);
        let link = |p: u64| format!("{url}?{}", self.query(p));
        let links = PageLinks {
            first: link(1),
            prev: (self.page > 1).then(|| link((self.page - 1).min(pages))),
            next: (self.page < pages).then(|| link(self.page + 1)),
            last: link(pages),
            this: link(self.page),
        };
        let pagination = Pagination {
            total_elements: total as u64,
            elements_per_page: per as u64,
            current_page: self.page,
            total_pages: pages,
        };
        (start..end, pagination, links)
    }

    /// One page of `items` (filtered by their stamps) as a list at `url`.
    pub fn page<T>(&self, items: Vec<(Stamp, T)>, url: &str) -> ObjectList<T> {
        let kept: Vec<T> = items
            .into_iter()
            .filter(|(s, _)| self.keeps(s))
            .map(|(_, t)| t)
            .collect();
        let (range, pagination, links) = self.frame(kept.len(), url);
        let data = kept
            .into_iter()
            .skip(range.start)
            .take(range.len())
            .collect();
        ObjectList {
            data,
            pagination,
            links,
        }
    }
}

// ───────────────────────────── the paper cache ─────────────────────────────

/// The JSON text of Papers by matter and version, so a page of papers maps and writes
/// a matter once per change of it and copies its text otherwise (the mapping, a
/// `Consultation` with its URLs per route step, costs more than reading the matter).
///
/// An entry is used only for the matter at the same version, under the same
/// configuration (the same `Organisation`) and the same API root (origin and tenant,
/// which every URL in the text names); anything else is a miss and the entry is
/// replaced. One entry per matter and root; at most [`PaperCache::CAPACITY`] entries,
/// and when full it starts over.
#[derive(Debug, Default)]
pub struct PaperCache {
    entries: std::sync::Mutex<HashMap<String, HashMap<MatterId, CachedPaper>>>,
}

#[derive(Debug)]
struct CachedPaper {
    org: Arc<Organisation>,
    version: u64,
    json: Arc<[u8]>,
}

impl PaperCache {
    /// The most papers kept (a paper's text is a few kilobytes).
    pub const CAPACITY: usize = 20_000;

    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, HashMap<MatterId, CachedPaper>>> {
        // Entries are inserted whole: a panic elsewhere cannot leave one half-written.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(
        &self,
        root: &str,
        org: &Arc<Organisation>,
        matter: MatterId,
        version: u64,
    ) -> Option<Arc<[u8]>> {
        let entries = self.lock();
        let e = entries.get(root)?.get(&matter)?;
        (e.version == version && Arc::ptr_eq(&e.org, org)).then(|| Arc::clone(&e.json))
    }

    fn put(
        &self,
        root: &str,
        org: &Arc<Organisation>,
        matter: MatterId,
        version: u64,
        json: Arc<[u8]>,
    ) {
        let mut entries = self.lock();
        if entries.values().map(HashMap::len).sum::<usize>() >= Self::CAPACITY {
            entries.clear();
        }
        let paper = CachedPaper {
            org: Arc::clone(org),
            version,
            json,
        };
        match entries.get_mut(root) {
            Some(papers) => {
                papers.insert(matter, paper);
            }
            None => {
                entries.insert(root.to_owned(), HashMap::from([(matter, paper)]));
            }
        }
    }

    /// How many papers are kept.
    pub fn len(&self) -> usize {
        self.lock().values().map(HashMap::len).sum()
    }

    /// Whether no paper is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every paper.
    pub fn clear(&self) {
        self.lock().clear();
    }
}

/// `value` as JSON text (a failure is [`PublishError::Render`]).
pub(crate) fn to_json<T: Serialize>(value: &T) -> Res<Vec<u8>> {
    serde_json::to_vec(value).map_err(render_error)
}

fn render_error(e: serde_json::Error) -> PublishError {
    PublishError::Render {
        reason: e.to_string(),
    }
}

// ───────────────────────────── reading the county ─────────────────────────────

type Res<T> = Result<T, PublishError>;

/// One county read for publishing: the engine, its tenant and the API's URLs.
pub struct County<'e> {
    engine: &'e CountyEngine,
    tenant: String,
    base: ApiBase,
}

/// A meeting as it stands, with its stream's state and timestamps.
#[derive(Debug, Clone)]
pub struct MeetingView {
    /// The plan as it stands (moves, cancellation).
    pub plan: PlannedMeeting,
    /// The meeting's state.
    pub state: Meeting,
    /// First and last event.
    pub stamp: Stamp,
    /// When the minutes became final (the adjusting or distributing event).
    pub final_at: Option<DateTime<Utc>>,
}

impl MeetingView {
    /// Whether the minutes are final: a protocol once adjusted, notes once distributed.
    pub fn minutes_final(&self) -> bool {
        minutes_final(&self.state)
    }
}

fn minutes_final(state: &Meeting) -> bool {
    match &state.minutes {
        Some(m) => match m.kind {
            MinutesKind::Protocol => state.adjustment.is_some(),
            MinutesKind::Notes => state.distributed_on.is_some() || state.adjustment.is_some(),
        },
        None => false,
    }
}

/// A matter with its timestamps.
#[derive(Debug, Clone)]
pub struct MatterView {
    /// The matter.
    pub matter: Matter,
    /// The id.
    pub id: MatterId,
    /// First and last event.
    pub stamp: Stamp,
}

impl<'e> County<'e> {
    /// The county served by `engine`, published at `origin` (scheme and authority).
    pub fn new(engine: &'e CountyEngine, origin: &str) -> Self {
        let tenant = engine.org().tenant.to_string();
        let base = ApiBase::new(origin, &tenant);
        County {
            engine,
            tenant,
            base,
        }
    }

    /// The API's URLs.
    pub fn base(&self) -> &ApiBase {
        &self.base
    }

    /// The engine.
    pub fn engine(&self) -> &'e CountyEngine {
        self.engine
    }

    fn org(&self) -> &Organisation {
        self.engine.org()
    }

    fn engine_err(&self, e: impl Into<arende_core::error::Error>) -> PublishError {
        PublishError::engine(&self.tenant, e.into())
    }

    fn not_found(&self, kind: &'static str, id: impl Into<String>) -> PublishError {
        PublishError::NotFound {
            tenant: self.tenant.clone(),
            kind,
            id: id.into(),
        }
    }

    fn records(&self, stream: &str) -> Res<Vec<RecordedEvent>> {
        self.engine
            .store()
            .read_stream(
                &self.engine.org().tenant,
                &arende_core::store::StreamId::new(stream),
                1,
            )
            .map_err(|e| self.engine_err(e))
    }

    /// A meeting of the plan with its stream.
    pub fn meeting_view(&self, plan: &PlannedMeeting) -> Res<MeetingView> {
        let records = self.records(&format!("{}-{}", Meeting::PREFIX, plan.id))?;
        let mut state = Meeting::default();
        let mut final_at = None;
        for rec in &records {
            let event = decode_for::<Meeting>(rec).map_err(|e| self.engine_err(e))?;
            state.apply(&event);
            if final_at.is_none() && minutes_final(&state) {
                final_at = Some(rec.recorded_at);
            }
        }
        Ok(MeetingView {
            plan: state.effective_plan(plan),
            state,
            stamp: Stamp::of(&records),
            final_at,
        })
    }

    /// Every meeting of the plan as it stands, in date order.
    pub fn meetings(&self) -> Res<Vec<MeetingView>> {
        let mut out = Vec::with_capacity(self.org().meetings.len());
        for plan in &self.org().meetings {
            out.push(self.meeting_view(plan)?);
        }
        out.sort_by(|a, b| {
            (a.plan.date, a.plan.start, &a.plan.id).cmp(&(b.plan.date, b.plan.start, &b.plan.id))
        });
        Ok(out)
    }

    /// One meeting by id.
    pub fn meeting_by_id(&self, id: &str) -> Res<MeetingView> {
        let plan = self
            .org()
            .meeting(&MeetingId::new(id))
            .ok_or_else(|| self.not_found("meeting", id))?;
        self.meeting_view(plan)
    }

    /// A matter with its timestamps (None when no such matter is stored).
    pub fn matter_view(&self, id: MatterId) -> Res<Option<MatterView>> {
        let records = self.records(&format!("{}-{id}", Matter::PREFIX))?;
        if records.is_empty() {
            return Ok(None);
        }
        let (matter, _) =
            arende_core::aggregate::fold::<Matter>(&records).map_err(|e| self.engine_err(e))?;
        Ok(Some(MatterView {
            matter,
            id,
            stamp: Stamp::of(&records),
        }))
    }

    fn matter_by_text(&self, id: &str) -> Res<MatterView> {
        let parsed = uuid::Uuid::parse_str(id)
            .map(MatterId)
            .map_err(|_| self.not_found("matter", id))?;
        self.matter_view(parsed)?
            .ok_or_else(|| self.not_found("matter", id))
    }

    /// Every matter, oldest first, from the read model.
    pub fn matter_summaries(&self) -> Res<Vec<MatterSummary>> {
        self.engine.read().matters().map_err(|e| self.engine_err(e))
    }

    // ───── scope of a party ─────

    fn party(&self, id: &str) -> Res<&arende_core::org::Party> {
        self.org()
            .party(&PartyId::new(id))
            .ok_or_else(|| self.not_found("party", id))
    }

    /// The bodies a party takes part in (see the module docs).
    pub fn party_bodies(&self, party: &PartyId) -> BTreeSet<BodyId> {
        let org = self.org();
        let signatory = org.party(party).is_some_and(|p| p.signatory);
        org.bodies
            .values()
            .filter(|b| match &b.party {
                Some(p) => p == party,
                None => {
                    signatory
                        || org.members_of(&b.id).any(|m| {
                            m.party.as_ref() == Some(party)
                                || org
                                    .person(&m.person)
                                    .is_some_and(|p| p.party.as_ref() == Some(party))
                        })
                }
            })
            .map(|b| b.id.clone())
            .collect()
    }

    fn party_people(&self, party: &PartyId, bodies: &BTreeSet<BodyId>) -> Vec<PersonId> {
        let org = self.org();
        org.people
            .values()
            .filter(|p| match &p.party {
                Some(q) => q == party,
                None => org
                    .memberships
                    .iter()
                    .any(|m| m.person == p.id && bodies.contains(&m.body)),
            })
            .map(|p| p.id.clone())
            .collect()
    }

    fn meeting_in(&self, m: &PlannedMeeting, bodies: &BTreeSet<BodyId>) -> bool {
        self.org()
            .expanded_bodies(&m.bodies)
            .iter()
            .any(|b| bodies.contains(b))
    }

    /// The party a matter belongs to: its submitter's, else the Region, else the first.
    pub fn home_party(&self, submitter: &PersonId) -> Option<PartyId> {
        let org = self.org();
        org.person(submitter)
            .and_then(|p| p.party.clone())
            .filter(|p| org.party(p).is_some())
            .or_else(|| {
                org.parties
                    .values()
                    .find(|p| p.kind == PartyKind::Region)
                    .map(|p| p.id.clone())
            })
            .or_else(|| org.parties.keys().next().cloned())
    }

    fn summary_in(&self, s: &MatterSummary, party: &PartyId, bodies: &BTreeSet<BodyId>) -> bool {
        bodies.contains(&s.body)
            || s.at.iter().any(|b| bodies.contains(b))
            || self
                .org()
                .person(&s.submitter)
                .is_some_and(|p| p.party.as_ref() == Some(party))
    }

    // ───── objects ─────

    /// The System.
    pub fn system(&self) -> System {
        System {
            id: self.base.system(),
            kind: type_url("System"),
            oparl_version: OPARL_VERSION.to_owned(),
            body: self.base.bodies(),
            name: self.org().name.clone(),
            product: Some(format!("arende {}", env!("CARGO_PKG_VERSION"))),
        }
    }

    /// A party's Body.
    pub fn body(&self, party: &str) -> Res<Body> {
        let p = self.party(party)?;
        let b = &self.base;
        Ok(Body {
            id: b.body(&p.id),
            kind: type_url("Body"),
            system: b.system(),
            short_name: p.id.to_string(),
            name: p.name.clone(),
            organization: b.body_list(&p.id, BodyList::Organizations),
            person: b.body_list(&p.id, BodyList::People),
            meeting: b.body_list(&p.id, BodyList::Meetings),
            paper: b.body_list(&p.id, BodyList::Papers),
            legislative_term: Vec::new(),
            agenda_item: b.body_list(&p.id, BodyList::AgendaItems),
            consultation: b.body_list(&p.id, BodyList::Consultations),
            file: b.body_list(&p.id, BodyList::Files),
            membership: b.body_list(&p.id, BodyList::Memberships),
            classification: match p.kind {
                PartyKind::Region => "region",
                PartyKind::Municipality => "kommun",
                PartyKind::Other => "övrig aktör",
            }
            .to_owned(),
            main_organization: p.political_body.as_ref().map(|pb| b.organization(pb)),
        })
    }

    /// Every Body (party), as a list page.
    pub fn bodies(&self, filter: &ListFilter) -> Res<ObjectList<Body>> {
        let mut items = Vec::new();
        for id in self.org().parties.keys() {
            items.push((Stamp::default(), self.body(id.as_str())?));
        }
        Ok(filter.page(items, &self.base.bodies()))
    }

    /// A body's Organization.
    pub fn organization(&self, body: &str) -> Res<Organization> {
        let org = self.org();
        let b = org
            .body(&BodyId::new(body))
            .ok_or_else(|| self.not_found("body", body))?;
        let members: Vec<&CoreMembership> = org.members_of(&b.id).collect();
        Ok(Organization {
            id: self.base.organization(&b.id),
            kind: type_url("Organization"),
            body: b.party.as_ref().map(|p| self.base.body(p)),
            name: b.name.clone(),
            short_name: b.id.to_string(),
            membership: members.iter().map(|m| self.base.membership(m)).collect(),
            meeting: self.base.organization_meetings(&b.id),
            sub_organization_of: b.parent.as_ref().map(|p| self.base.organization(p)),
            organization_type: "Gremium".to_owned(),
            classification: body_kind_swedish(b.kind).to_owned(),
            member_count: members
                .iter()
                .filter(|m| matches!(m.role, Role::Member | Role::Chair))
                .map(|m| &m.person)
                .collect::<BTreeSet<_>>()
                .len() as u64,
            keyword: b
                .mandates
                .iter()
                .map(|m| format!("mandat:{}", serde_plain(m)))
                .collect(),
        })
    }

    fn membership_object(&self, m: &CoreMembership) -> MembershipObject {
        let mut keyword = Vec::new();
        if let Some(p) = &m.party {
            keyword.push(format!("part:{p}"));
        }
        if let Some(s) = &m.substitute_for {
            keyword.push(format!("ersättare-för:{s}"));
        }
        MembershipObject {
            id: self.base.membership(m),
            kind: type_url("Membership"),
            person: self.base.person(&m.person),
            organization: self.base.organization(&m.body),
            role: m.role.swedish().to_owned(),
            voting_right: matches!(m.role, Role::Member | Role::Chair),
            keyword,
        }
    }

    /// A Membership by person, body and role.
    pub fn membership(&self, person: &str, body: &str, role: &str) -> Res<MembershipObject> {
        let id = format!("{person}/{body}/{role}");
        let role = role_from_name(role).ok_or_else(|| self.not_found("membership", &id))?;
        self.org()
            .memberships
            .iter()
            .find(|m| m.person.as_str() == person && m.body.as_str() == body && m.role == role)
            .map(|m| self.membership_object(m))
            .ok_or_else(|| self.not_found("membership", id))
    }

    /// A Person with their memberships.
    pub fn person(&self, person: &str) -> Res<Person> {
        let org = self.org();
        let p = org
            .person(&PersonId::new(person))
            .ok_or_else(|| self.not_found("person", person))?;
        Ok(Person {
            id: self.base.person(&p.id),
            kind: type_url("Person"),
            body: p.party.as_ref().map(|q| self.base.body(q)),
            name: p.name.clone(),
            status: p.title.iter().cloned().collect(),
            membership: org
                .memberships
                .iter()
                .filter(|m| m.person == p.id)
                .map(|m| self.membership_object(m))
                .collect(),
        })
    }

    fn location_of(&self, plan: &PlannedMeeting) -> Option<Location> {
        plan.location.as_ref().map(|place| Location {
            id: self.base.location(&plan.id),
            kind: type_url("Location"),
            description: place.clone(),
            meetings: vec![self.base.meeting(&plan.id)],
        })
    }

    /// A meeting's Location.
    pub fn location(&self, meeting: &str) -> Res<Location> {
        let view = self.meeting_by_id(meeting)?;
        self.location_of(&view.plan)
            .ok_or_else(|| self.not_found("location", meeting))
    }

    /// A meeting's File of `kind`, when it exists (the notice once sent, the minutes
    /// once final).
    pub fn file_of(&self, view: &MeetingView, kind: FileKind) -> Option<File> {
        let id = &view.plan.id;
        let (name, file_name, date) = match kind {
            FileKind::Notice => (
                format!(
                    "Kallelse {}",
                    meeting_title(self.org(), &view.plan.bodies, Language::Swedish)
                ),
                format!("{id}-kallelse.md"),
                Some(view.state.notice_sent_on?),
            ),
            FileKind::Minutes => {
                if !view.minutes_final() {
                    return None;
                }
                let minutes = view.state.minutes.as_ref()?;
                let what = match minutes.kind {
                    MinutesKind::Protocol => "Protokoll",
                    MinutesKind::Notes => "Minnesanteckningar",
                };
                (
                    format!(
                        "{what} {}",
                        meeting_title(self.org(), &view.plan.bodies, Language::Swedish)
                    ),
                    format!("{id}-{}.md", what.to_lowercase()),
                    view.state
                        .adjustment
                        .as_ref()
                        .map(|a| a.on)
                        .or(view.state.distributed_on),
                )
            }
        };
        let content = self.base.file_content(id, kind);
        Some(File {
            id: self.base.file(id, kind),
            kind: type_url("File"),
            name,
            file_name,
            mime_type: "text/markdown".to_owned(),
            date,
            access_url: content.clone(),
            download_url: content,
            meeting: vec![self.base.meeting(id)],
            created: stamp_text(view.stamp.created),
            modified: stamp_text(view.stamp.modified),
        })
    }

    /// A File by meeting and kind.
    pub fn file(&self, meeting: &str, kind: &str) -> Res<File> {
        let id = format!("{meeting}/{kind}");
        let kind = FileKind::from_path(kind).ok_or_else(|| self.not_found("file", &id))?;
        let view = self.meeting_by_id(meeting)?;
        self.file_of(&view, kind)
            .ok_or_else(|| self.not_found("file", id))
    }

    /// The content of a File (Markdown): the notice with its agenda, or the final minutes.
    pub fn file_content(&self, meeting: &str, kind: &str) -> Res<String> {
        let id = format!("{meeting}/{kind}");
        let kind = FileKind::from_path(kind).ok_or_else(|| self.not_found("file", &id))?;
        let view = self.meeting_by_id(meeting)?;
        if self.file_of(&view, kind).is_none() {
            return Err(self.not_found("file", id));
        }
        match kind {
            FileKind::Minutes => self
                .engine
                .read()
                .minutes(&view.plan.id, Language::Swedish)
                .map_err(|e| self.engine_err(e)),
            FileKind::Notice => Ok(notice_markdown(self.org(), &view)),
        }
    }

    fn agenda_items(
        &self,
        view: &MeetingView,
        matters: &mut HashMap<MatterId, Option<Matter>>,
    ) -> Res<Vec<AgendaItem>> {
        let plan = &view.plan;
        let minutes = view
            .minutes_final()
            .then_some(view.state.minutes.as_ref())
            .flatten();
        let mut out = Vec::with_capacity(view.state.agenda.len());
        for (i, entry) in view.state.agenda.iter().enumerate() {
            let item = &entry.item;
            let paragraph = minutes.and_then(|m| {
                m.paragraphs
                    .iter()
                    .find(|p| p.agenda_item == Some(item.number))
                    .or_else(|| {
                        item.matter
                            .and_then(|id| m.paragraphs.iter().find(|p| p.matter == Some(id)))
                    })
            });
            let consultation = match item.matter {
                Some(id) => {
                    if let std::collections::hash_map::Entry::Vacant(slot) = matters.entry(id) {
                        slot.insert(self.matter_view(id)?.map(|v| v.matter));
                    }
                    matters
                        .get(&id)
                        .and_then(Option::as_ref)
                        .and_then(|m| step_at_meeting(m, plan))
                        .map(|step| self.base.consultation(id, &step))
                }
                None => None,
            };
            let mut keyword = vec![item.kind.swedish().to_owned()];
            if let Some(reason) = &entry.dropped {
                keyword.push(format!("utgår: {}", reason.swedish()));
            }
            out.push(AgendaItem {
                id: self.base.agenda_item(&plan.id, i + 1),
                kind: type_url("AgendaItem"),
                meeting: self.base.meeting(&plan.id),
                number: item.number.to_string(),
                order: (i + 1) as u64,
                name: item.title.clone(),
                public: true,
                consultation,
                result: paragraph.map(|p| outcome_swedish(&p.outcome).to_owned()),
                resolution_text: paragraph
                    .map(|p| p.outcome.clauses())
                    .filter(|c| !c.is_empty())
                    .map(|c| {
                        c.iter()
                            .map(|x| format!("att {x}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    }),
                keyword,
                created: stamp_text(view.stamp.created),
                modified: stamp_text(view.stamp.modified),
            });
        }
        Ok(out)
    }

    /// An AgendaItem by meeting and place.
    pub fn agenda_item(&self, meeting: &str, order: &str) -> Res<AgendaItem> {
        let id = format!("{meeting}/{order}");
        let view = self.meeting_by_id(meeting)?;
        let n: usize = order
            .parse()
            .map_err(|_| self.not_found("agenda item", &id))?;
        let items = self.agenda_items(&view, &mut HashMap::new())?;
        n.checked_sub(1)
            .and_then(|i| items.into_iter().nth(i))
            .ok_or_else(|| self.not_found("agenda item", id))
    }

    /// The Meeting object of a meeting view.
    pub fn meeting_object(
        &self,
        view: &MeetingView,
        matters: &mut HashMap<MatterId, Option<Matter>>,
    ) -> Res<MeetingObject> {
        let plan = &view.plan;
        let org = self.org();
        let mut keyword = vec![
            format!("inhämta-frågor:{}", plan.call_for_matters),
            format!("kallelse:{}", plan.notice),
        ];
        if let Some(from) = plan.moved_from {
            keyword.push(format!("flyttat-från:{from}"));
        }
        Ok(MeetingObject {
            id: self.base.meeting(&plan.id),
            kind: type_url("Meeting"),
            name: meeting_title(org, &plan.bodies, Language::Swedish),
            meeting_state: view.state.phase.swedish().to_owned(),
            cancelled: plan.status == MeetingStatus::Cancelled,
            start: local_text(plan.date, plan.start),
            end: local_text(plan.date, plan.end),
            location: self.location_of(plan),
            organization: plan
                .bodies
                .iter()
                .map(|b| self.base.organization(b))
                .collect(),
            participant: view
                .state
                .attendance
                .as_ref()
                .map(|a| {
                    a.present
                        .iter()
                        .chain(a.substitutes.iter().map(|s| &s.substitute))
                        .filter(|p| org.person(p).is_some())
                        .map(|p| self.base.person(p))
                        .collect()
                })
                .unwrap_or_default(),
            invitation: self.file_of(view, FileKind::Notice),
            results_protocol: self.file_of(view, FileKind::Minutes),
            agenda_item: self.agenda_items(view, matters)?,
            keyword,
            created: stamp_text(view.stamp.created),
            modified: stamp_text(view.stamp.modified),
        })
    }

    /// A Meeting by id.
    pub fn meeting(&self, id: &str) -> Res<MeetingObject> {
        let view = self.meeting_by_id(id)?;
        self.meeting_object(&view, &mut HashMap::new())
    }

    /// The Consultations of a matter: one per step of its route.
    pub fn consultations_of(&self, view: &MatterView) -> Vec<Consultation> {
        let org = self.org();
        let m = &view.matter;
        let Some(route) = m.route.as_ref().and_then(|r| org.route(r)) else {
            return Vec::new();
        };
        // The same for every step: built once per paper.
        let kind = type_url("Consultation");
        let paper = self.base.paper(view.id);
        let created = stamp_text(view.stamp.created);
        let modified = stamp_text(view.stamp.modified);
        route
            .steps()
            .map(|step| {
                let done = m.done.iter().find(|d| d.step == step.id);
                let meeting = done
                    .and_then(|d| d.at.as_ref())
                    .and_then(|a| a.minutes.as_ref())
                    .map(|r| self.base.meeting(&r.meeting));
                let organization: Vec<String> = match (&step.body, step.purpose) {
                    (Some(b), _) => vec![self.base.organization(b)],
                    (None, Purpose::PoliticalDecision) => {
                        let parties: Vec<&arende_core::org::Party> = if step.parties.is_empty() {
                            org.signatories().collect()
                        } else {
                            step.parties.iter().filter_map(|p| org.party(p)).collect()
                        };
                        parties
                            .iter()
                            .filter_map(|p| p.political_body.as_ref())
                            .map(|b| self.base.organization(b))
                            .collect()
                    }
                    (None, _) => Vec::new(),
                };
                let state = if done.is_some() {
                    "klart"
                } else if m.active.iter().any(|a| a.step == step.id) {
                    "pågår"
                } else {
                    "återstår"
                };
                Consultation {
                    id: self.base.consultation(view.id, &step.id),
                    kind: kind.clone(),
                    paper: paper.clone(),
                    meeting,
                    organization,
                    authoritative: matches!(
                        step.purpose,
                        Purpose::Decision | Purpose::PoliticalDecision
                    ),
                    role: step.purpose.swedish().to_owned(),
                    keyword: vec![format!("steg:{}", step.id), format!("läge:{state}")],
                    created: created.clone(),
                    modified: modified.clone(),
                }
            })
            .collect()
    }

    /// A Consultation by matter and step.
    pub fn consultation(&self, matter: &str, step: &str) -> Res<Consultation> {
        let view = self.matter_by_text(matter)?;
        self.consultations_of(&view)
            .into_iter()
            .find(|c| {
                c.keyword
                    .first()
                    .is_some_and(|k| k == &format!("steg:{step}"))
            })
            .ok_or_else(|| self.not_found("consultation", format!("{matter}/{step}")))
    }

    /// The Paper of a matter.
    pub fn paper_of(&self, view: &MatterView) -> Paper {
        let org = self.org();
        let m = &view.matter;
        let home = self.home_party(&m.submitter);
        let reference = home
            .as_ref()
            .and_then(|p| m.case_numbers.get(p))
            .or_else(|| m.case_numbers.values().next())
            .cloned();
        let mut keyword = vec![format!("status:{}", status_swedish(m.status))];
        keyword.extend(
            m.case_numbers
                .iter()
                .map(|(p, n)| format!("diarienummer:{p}:{n}")),
        );
        Paper {
            id: self.base.paper(view.id),
            kind: type_url("Paper"),
            body: home.as_ref().map(|p| self.base.body(p)),
            name: m.title.clone(),
            reference,
            date: m.registered_on,
            paper_type: m.kind.swedish().to_owned(),
            related_paper: m
                .revises
                .iter()
                .chain(m.revised_by.iter())
                .map(|id| self.base.paper(*id))
                .collect(),
            originator_person: org
                .person(&m.submitter)
                .map(|p| self.base.person(&p.id))
                .into_iter()
                .collect(),
            under_direction_of: org
                .body(&m.body)
                .map(|b| self.base.organization(&b.id))
                .into_iter()
                .collect(),
            consultation: self.consultations_of(view),
            keyword,
            created: stamp_text(view.stamp.created),
            modified: stamp_text(view.stamp.modified),
        }
    }

    /// A Paper by matter id.
    pub fn paper(&self, matter: &str) -> Res<Paper> {
        Ok(self.paper_of(&self.matter_by_text(matter)?))
    }

    /// The matters of a party's Body, oldest first (from the read model).
    pub fn party_matters(&self, party: &str) -> Res<Vec<MatterId>> {
        let p = self.party(party)?.id.clone();
        let bodies = self.party_bodies(&p);
        Ok(self
            .matter_summaries()?
            .iter()
            .filter(|s| self.summary_in(s, &p, &bodies))
            .map(|s| s.id)
            .collect())
    }

    /// One page of a party's papers. Without a time filter only the page's matters are
    /// read from the store; with one, every candidate is read to filter exactly (the
    /// read model's day of last change first narrows `modified_since`).
    pub fn papers(&self, party: &str, filter: &ListFilter) -> Res<ObjectList<Paper>> {
        let (url, summaries) = self.paper_summaries(party)?;
        if !filter.has_time_filter() {
            let (range, pagination, links) = filter.frame(summaries.len(), &url);
            let mut data = Vec::with_capacity(range.len());
            for s in summaries.get(range).unwrap_or_default() {
                if let Some(view) = self.matter_view(s.id)? {
                    data.push(self.paper_of(&view));
                }
            }
            return Ok(ObjectList {
                data,
                pagination,
                links,
            });
        }
        let day_before = filter
            .modified_since
            .map(|t| t.date_naive() - chrono::Days::new(1));
        let mut items = Vec::new();
        for s in summaries {
            if let (Some(since), Some(changed)) = (day_before, s.last_change_on)
                && changed < since
            {
                continue;
            }
            if let Some(view) = self.matter_view(s.id)? {
                items.push((view.stamp, self.paper_of(&view)));
            }
        }
        Ok(filter.page(items, &url))
    }

    /// The URL of a party's list of papers and the summaries of its matters, oldest
    /// first.
    fn paper_summaries(&self, party: &str) -> Res<(String, Vec<MatterSummary>)> {
        let p = self.party(party)?.id.clone();
        let url = self.base.body_list(&p, BodyList::Papers);
        let bodies = self.party_bodies(&p);
        let summaries = self
            .matter_summaries()?
            .into_iter()
            .filter(|s| self.summary_in(s, &p, &bodies))
            .collect();
        Ok((url, summaries))
    }

    /// [`County::papers`] as JSON text, each paper's text from `cache` while its matter
    /// is at the version the read model lists (the read model is caught up with the
    /// store first, so no paper is older than the list); a paper not cached, or of a
    /// matter changed since, is read, mapped and written, and cached. With a time filter
    /// every candidate is read anyway: the page is [`County::papers`] written out.
    pub fn papers_json(
        &self,
        party: &str,
        filter: &ListFilter,
        cache: &PaperCache,
    ) -> Res<Vec<u8>> {
        if filter.has_time_filter() {
            return to_json(&self.papers(party, filter)?);
        }
        let (url, summaries) = self.paper_summaries(party)?;
        let (range, pagination, links) = filter.frame(summaries.len(), &url);
        let org = self.engine.org();
        let root = self.base.root.as_str();
        let mut out = Vec::with_capacity(range.len() * 6 * 1024 + 1024);
        out.extend_from_slice(b"{\"data\":[");
        let mut first = true;
        for s in summaries.get(range).unwrap_or_default() {
            let json = match cache.get(root, org, s.id, s.version) {
                Some(json) => json,
                None => {
                    let Some(view) = self.matter_view(s.id)? else {
                        continue;
                    };
                    let json: Arc<[u8]> = to_json(&self.paper_of(&view))?.into();
                    cache.put(root, org, s.id, view.matter.version, Arc::clone(&json));
                    json
                }
            };
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(&json);
        }
        out.extend_from_slice(b"],\"pagination\":");
        serde_json::to_writer(&mut out, &pagination).map_err(render_error)?;
        out.extend_from_slice(b",\"links\":");
        serde_json::to_writer(&mut out, &links).map_err(render_error)?;
        out.push(b'}');
        Ok(out)
    }

    /// One page of one of a party's lists as JSON objects.
    pub fn body_list(
        &self,
        party: &str,
        list: BodyList,
        filter: &ListFilter,
    ) -> Res<ObjectList<serde_json::Value>> {
        let p = self.party(party)?.id.clone();
        let url = self.base.body_list(&p, list);
        let bodies = self.party_bodies(&p);
        let json = |v: &dyn erased::Ser| v.to_value();
        let items: Vec<(Stamp, serde_json::Value)> = match list {
            BodyList::Papers => {
                let page = self.papers(party, filter)?;
                return Ok(ObjectList {
                    data: page.data.iter().map(|x| json(x)).collect(),
                    pagination: page.pagination,
                    links: page.links,
                });
            }
            BodyList::Organizations => bodies
                .iter()
                .map(|b| Ok((Stamp::default(), json(&self.organization(b.as_str())?))))
                .collect::<Res<_>>()?,
            BodyList::People => self
                .party_people(&p, &bodies)
                .iter()
                .map(|id| Ok((Stamp::default(), json(&self.person(id.as_str())?))))
                .collect::<Res<_>>()?,
            BodyList::Memberships => {
                let people: BTreeSet<PersonId> =
                    self.party_people(&p, &bodies).into_iter().collect();
                self.org()
                    .memberships
                    .iter()
                    .filter(|m| people.contains(&m.person))
                    .map(|m| (Stamp::default(), json(&self.membership_object(m))))
                    .collect()
            }
            BodyList::Meetings | BodyList::AgendaItems | BodyList::Files => {
                let mut matters = HashMap::new();
                let mut out = Vec::new();
                for view in self.meetings()? {
                    if !self.meeting_in(&view.plan, &bodies) {
                        continue;
                    }
                    match list {
                        BodyList::Meetings => {
                            out.push((view.stamp, json(&self.meeting_object(&view, &mut matters)?)))
                        }
                        BodyList::AgendaItems => {
                            for item in self.agenda_items(&view, &mut matters)? {
                                out.push((view.stamp, json(&item)));
                            }
                        }
                        _ => {
                            for kind in [FileKind::Notice, FileKind::Minutes] {
                                if let Some(f) = self.file_of(&view, kind) {
                                    out.push((view.stamp, json(&f)));
                                }
                            }
                        }
                    }
                }
                out
            }
            BodyList::Consultations => {
                let mut out = Vec::new();
                for id in self.party_matters(party)? {
                    if let Some(view) = self.matter_view(id)?
                        && filter.keeps(&view.stamp)
                    {
                        for c in self.consultations_of(&view) {
                            out.push((view.stamp, json(&c)));
                        }
                    }
                }
                out
            }
        };
        Ok(filter.page(items, &url))
    }

    /// The meetings of a body's Organization, as a list page.
    pub fn organization_meetings(
        &self,
        body: &str,
        filter: &ListFilter,
    ) -> Res<ObjectList<MeetingObject>> {
        let b = self
            .org()
            .body(&BodyId::new(body))
            .ok_or_else(|| self.not_found("body", body))?
            .id
            .clone();
        let mut matters = HashMap::new();
        let mut items = Vec::new();
        for view in self.meetings()? {
            if self.org().expanded_bodies(&view.plan.bodies).contains(&b) {
                items.push((view.stamp, self.meeting_object(&view, &mut matters)?));
            }
        }
        Ok(filter.page(items, &self.base.organization_meetings(&b)))
    }
}

/// Type erasure for serializing the objects of a mixed list to JSON values.
mod erased {
    /// A serializable object.
    pub trait Ser {
        /// The JSON value.
        fn to_value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_value(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}

/// The step of a matter handled at a meeting: the one its minutes completed there, else
/// a current step at one of the meeting's bodies.
fn step_at_meeting(m: &Matter, plan: &PlannedMeeting) -> Option<StepId> {
    m.done
        .iter()
        .find(|d| {
            d.at.as_ref()
                .and_then(|a| a.minutes.as_ref())
                .is_some_and(|r| r.meeting == plan.id)
        })
        .map(|d| d.step.clone())
        .or_else(|| {
            m.active
                .iter()
                .find(|a| a.body.as_ref().is_some_and(|b| plan.bodies.contains(b)))
                .map(|a| a.step.clone())
        })
}

fn serde_plain<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn body_kind_swedish(kind: BodyKind) -> &'static str {
    match kind {
        BodyKind::LocalNetwork => "länsdelsgrupp",
        BodyKind::Preparatory => "beredande grupp",
        BodyKind::WorkingGroup => "arbetsgrupp",
        BodyKind::ChiefGroup => "chefsgrupp",
        BodyKind::JointSession => "gemensam session",
        BodyKind::SteeringGroup => "styrgrupp",
        BodyKind::Executive => "ledningsgrupp",
        BodyKind::PoliticalCouncil => "politiskt samverkansråd",
        BodyKind::Political => "politiskt organ",
    }
}

fn status_swedish(status: MatterStatus) -> String {
    status.swedish().to_owned()
}

/// What a § concluded, in Swedish (the text of the OParl `result`).
pub fn outcome_swedish(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Recorded => "protokollfört",
        Outcome::NotedAndFiled => "informationen läggs till handlingarna",
        Outcome::Discussed => "diskuterat",
        Outcome::Decided { .. } => "beslut",
        Outcome::Prepared { .. } => "berett",
        Outcome::Rejected { .. } => "avslag",
        Outcome::DirectionDecision { .. } => "inriktningsbeslut",
        Outcome::Recommended { .. } => "förslag till högre organ",
        Outcome::ReadinessChecked { .. } => "ställningstagande om beredskap för beslut",
        Outcome::ForwardedToPolitical { .. } => "till politisk beslutsprocess",
        Outcome::ReferredBack { .. } => "återremiss",
        Outcome::Tabled => "bordlagt",
        Outcome::Dropped { .. } => "utgår",
    }
}

/// The notice (kallelse) as Markdown: the meeting, its time and place, the agenda.
fn notice_markdown(org: &Organisation, view: &MeetingView) -> String {
    let plan = &view.plan;
    let mut out = format!(
        "# Kallelse: {}\n\n{} {}–{}",
        meeting_title(org, &plan.bodies, Language::Swedish),
        plan.date,
        plan.start.format("%H:%M"),
        plan.end.format("%H:%M"),
    );
    if let Some(place) = &plan.location {
        out.push_str(&format!(", {place}"));
    }
    out.push_str("\n\n## Föredragningslista\n\n");
    for entry in &view.state.agenda {
        let item = &entry.item;
        out.push_str(&format!(
            "{}. {} ({})\n",
            item.number,
            item.title,
            item.kind.swedish()
        ));
    }
    if let Some(expect) = &view.state.expectations {
        out.push_str(&format!("\n{expect}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn list_filters_parse_and_refuse_with_the_parameter_named() {
        let f = ListFilter::parse(&params(&[]), 100).expect("defaults");
        assert_eq!((f.page, f.limit), (1, 100));
        let f = ListFilter::parse(
            &params(&[
                ("page", "3"),
                ("limit", "10"),
                ("modified_since", "2024-06-01T00:00:00+02:00"),
            ]),
            100,
        )
        .expect("valid");
        assert_eq!((f.page, f.limit), (3, 10));
        assert_eq!(
            f.modified_since.map(|t| t.to_rfc3339()),
            Some("2024-05-31T22:00:00+00:00".to_owned())
        );
        for (name, value) in [
            ("page", "0"),
            ("page", "x"),
            ("limit", "100000"),
            ("modified_since", "yesterday"),
        ] {
            let e = ListFilter::parse(&params(&[(name, value)]), 100).unwrap_err();
            assert!(
                matches!(&e, PublishError::BadParameter { name: n, .. } if *n == name),
                "{e}"
            );
        }
    }

    #[test]
    fn pages_link_to_their_neighbours_and_keep_the_filters() {
        let f = ListFilter {
            page: 2,
            limit: 2,
            modified_since: DateTime::parse_from_rfc3339("2024-06-01T00:00:00Z")
                .ok()
                .map(|t| t.with_timezone(&Utc)),
            ..ListFilter::default()
        };
        let items: Vec<(Stamp, u32)> = (0..5).map(|i| (Stamp::default(), i)).collect();
        let page = f.page(items, "http://x/l");
        assert_eq!(page.data, vec![2, 3]);
        assert_eq!(page.pagination.total_pages, 3);
        assert_eq!(
            page.links.next.as_deref(),
            Some("http://x/l?page=3&limit=2&modified_since=2024-06-01T00%3A00%3A00Z")
        );
        assert!(
            page.links
                .prev
                .as_deref()
                .is_some_and(|p| p.contains("page=1"))
        );
        let t = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        };
        let old = Stamp {
            created: t("2024-01-01T00:00:00Z"),
            modified: t("2024-05-01T00:00:00Z"),
        };
        let new = Stamp {
            created: t("2024-01-01T00:00:00Z"),
            modified: t("2024-07-01T00:00:00Z"),
        };
        assert!(!f.keeps(&old));
        assert!(f.keeps(&new));
        assert!(f.keeps(&Stamp::default()), "configuration objects stay");
        let beyond = ListFilter {
            page: 9,
            limit: 2,
            ..ListFilter::default()
        }
        .page(vec![(Stamp::default(), 1)], "http://x/l");
        assert!(beyond.data.is_empty() && beyond.links.next.is_none());
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(seg("cg-joint-2024"), "cg-joint-2024");
        assert_eq!(seg("a b/å"), "a%20b%2F%C3%A5");
    }
}
