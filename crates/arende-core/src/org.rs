//! The organisation of a county: parties, county parts, bodies with their kinds and
//! mandates, people and memberships, routes, lead times and meeting plans. Built only by
//! [`crate::config`] (which validates everything), then immutable and shared.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Months, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::authz::Permissions;
use crate::ids::{BodyId, CountyPartId, MeetingId, PartyId, PersonId, RouteId, TenantId};
use crate::language::Language;
use crate::route::Route;

/// What kind of party (part) an organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PartyKind {
    /// The Region (regionen).
    Region,
    /// A municipality (kommun).
    Municipality,
    /// Another actor (Länsstyrelsen, Polisen, a university, an NGO): takes part without
    /// being a party to every agreement.
    Other,
}

/// A party (part): sovereign; binds itself only through its own political body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// The id, e.g. `orebro`.
    pub id: PartyId,
    /// The name, e.g. `Örebro kommun`.
    pub name: String,
    /// Region, municipality or other actor.
    pub kind: PartyKind,
    /// The county part (länsdel) it belongs to, if any.
    pub county_part: Option<CountyPartId>,
    /// Its political body that adopts agreements for it (e.g. `orebro-ks`).
    pub political_body: Option<BodyId>,
    /// Whether it is a party to county-wide agreements (the Region and the
    /// municipalities are; other actors are not).
    pub signatory: bool,
}

/// A county part (länsdel) grouping municipalities.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountyPart {
    /// The id, e.g. `north`.
    pub id: CountyPartId,
    /// The name, e.g. `Norra länsdelen`.
    pub name: String,
    /// The parties in it.
    pub parties: Vec<PartyId>,
}

/// The kind of a body (organ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyKind {
    /// A local network (länsdelsgrupp) that raises matters.
    LocalNetwork,
    /// A preparatory group (beredande grupp): prepares and recommends, may not decide.
    Preparatory,
    /// A (temporary) working group (arbetsgrupp): drafts and investigates.
    WorkingGroup,
    /// A chief group (chefsgrupp): decides within delegation.
    ChiefGroup,
    /// A joint session (gemensam session) of several bodies.
    JointSession,
    /// A steering group (styrgrupp) for one agreement.
    SteeringGroup,
    /// The executive group (KCRD): decides whether a matter goes to political decision.
    Executive,
    /// A political collaboration council (samverkansråd).
    PoliticalCouncil,
    /// A party's own political body (e.g. kommunstyrelse, regionstyrelse).
    Political,
}

/// What a body may do (mandat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mandate {
    /// Raise (anmäla) matters upward.
    Raise,
    /// Receive information (dragning, för kännedom).
    Inform,
    /// Draft and investigate.
    Draft,
    /// Prepare (bereda) a matter and form a recommendation.
    Prepare,
    /// Recommend (rekommendera, föreslå) to a higher body or to the parties.
    Recommend,
    /// Send a matter on consultation (remiss).
    Consult,
    /// Confirm that the parties are ready for the decision process (ställningstagande).
    ReadinessCheck,
    /// Decide within delegated mandate (besluta).
    Decide,
    /// Take direction decisions (inriktningsbeslut).
    DirectionDecision,
    /// Give assignments (uppdrag).
    Assign,
    /// Decide that a matter goes to political decision in the parties.
    ForwardToPolitical,
    /// Adopt or reject for its own party (politiskt beslut).
    PoliticalDecision,
}

impl Mandate {
    /// Every mandate, in order.
    pub const ALL: [Mandate; 12] = [
        Mandate::Raise,
        Mandate::Inform,
        Mandate::Draft,
        Mandate::Prepare,
        Mandate::Recommend,
        Mandate::Consult,
        Mandate::ReadinessCheck,
        Mandate::Decide,
        Mandate::DirectionDecision,
        Mandate::Assign,
        Mandate::ForwardToPolitical,
        Mandate::PoliticalDecision,
    ];

    /// The configuration name, e.g. `readiness-check`.
    pub fn name(self) -> &'static str {
        match self {
            Mandate::Raise => "raise",
            Mandate::Inform => "inform",
            Mandate::Draft => "draft",
            Mandate::Prepare => "prepare",
            Mandate::Recommend => "recommend",
            Mandate::Consult => "consult",
            Mandate::ReadinessCheck => "readiness-check",
            Mandate::Decide => "decide",
            Mandate::DirectionDecision => "direction-decision",
            Mandate::Assign => "assign",
            Mandate::ForwardToPolitical => "forward-to-political",
            Mandate::PoliticalDecision => "political-decision",
        }
    }

    /// The Swedish term, for texts shown to secretaries.
    pub fn swedish(self) -> &'static str {
        match self {
            Mandate::Raise => "anmäla ärenden",
            Mandate::Inform => "ta emot information",
            Mandate::Draft => "ta fram underlag",
            Mandate::Prepare => "bereda",
            Mandate::Recommend => "rekommendera",
            Mandate::Consult => "skicka på remiss",
            Mandate::ReadinessCheck => "ta ställning till beslutsberedskap",
            Mandate::Decide => "besluta",
            Mandate::DirectionDecision => "fatta inriktningsbeslut",
            Mandate::Assign => "ge uppdrag",
            Mandate::ForwardToPolitical => "föra ärenden till politiskt beslut",
            Mandate::PoliticalDecision => "fatta politiskt beslut",
        }
    }
}

/// Whether a body keeps notes or formal minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum MinutesKind {
    /// Notes (minnesanteckningar): final when distributed.
    #[default]
    Notes,
    /// Formal minutes (protokoll): final when adjusted (justerat).
    Protocol,
}

/// A lead time such as "1 month", "2 weeks" or "10 days".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LeadTime {
    /// Calendar days.
    Days(u32),
    /// Weeks of seven days.
    Weeks(u32),
    /// Calendar months (the same day of the month, clamped to the month's end).
    Months(u32),
}

impl LeadTime {
    /// The date this lead time before `date` (e.g. 2024-11-15 − 2 weeks = 2024-11-01).
    pub fn before(self, date: NaiveDate) -> NaiveDate {
        match self {
            LeadTime::Days(d) => date - chrono::Duration::days(i64::from(d)),
            LeadTime::Weeks(w) => date - chrono::Duration::weeks(i64::from(w)),
            LeadTime::Months(m) => date.checked_sub_months(Months::new(m)).unwrap_or(date),
        }
    }

    /// The date this lead time after `date`.
    pub fn after(self, date: NaiveDate) -> NaiveDate {
        match self {
            LeadTime::Days(d) => date + chrono::Duration::days(i64::from(d)),
            LeadTime::Weeks(w) => date + chrono::Duration::weeks(i64::from(w)),
            LeadTime::Months(m) => date.checked_add_months(Months::new(m)).unwrap_or(date),
        }
    }

    /// Parses "1 month", "2 weeks", "10 days", "1 dag", "2 veckor", "1 månad".
    pub fn parse(text: &str) -> Result<LeadTime, String> {
        let mut parts = text.split_whitespace();
        let (Some(n), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!(
                "expected a number and a unit such as \"2 weeks\", found \"{text}\""
            ));
        };
        let n: u32 = n
            .parse()
            .map_err(|_| format!("\"{n}\" is not a whole number of days, weeks or months"))?;
        match unit.to_lowercase().as_str() {
            "day" | "days" | "dag" | "dagar" => Ok(LeadTime::Days(n)),
            "week" | "weeks" | "vecka" | "veckor" => Ok(LeadTime::Weeks(n)),
            "month" | "months" | "månad" | "månader" => Ok(LeadTime::Months(n)),
            other => Err(format!(
                "unknown unit \"{other}\": use days, weeks or months"
            )),
        }
    }
}

impl LeadTime {
    /// The lead time in Swedish, e.g. "2 veckor", "1 månad", "10 dagar".
    pub fn swedish(self) -> String {
        match self {
            LeadTime::Days(1) => "1 dag".to_owned(),
            LeadTime::Days(n) => format!("{n} dagar"),
            LeadTime::Weeks(1) => "1 vecka".to_owned(),
            LeadTime::Weeks(n) => format!("{n} veckor"),
            LeadTime::Months(1) => "1 månad".to_owned(),
            LeadTime::Months(n) => format!("{n} månader"),
        }
    }
}

impl std::fmt::Display for LeadTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LeadTime::Days(1) => write!(f, "1 day"),
            LeadTime::Days(n) => write!(f, "{n} days"),
            LeadTime::Weeks(1) => write!(f, "1 week"),
            LeadTime::Weeks(n) => write!(f, "{n} weeks"),
            LeadTime::Months(1) => write!(f, "1 month"),
            LeadTime::Months(n) => write!(f, "{n} months"),
        }
    }
}

/// A body's lead-time rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadTimes {
    /// Call for matters (inhämta frågor) this long before a meeting; a matter must be
    /// submitted by then to be on the agenda.
    pub call_for_matters: LeadTime,
    /// Notice (kallelse) with agenda and documents this long before; documents must be
    /// ready by then.
    pub notice: LeadTime,
    /// Minutes are final (adjusted, or distributed for notes) this long after the meeting.
    pub minutes_final: LeadTime,
    /// For political bodies: the decision is announced on the notice board this long
    /// after the minutes are adjusted (Kommunallagen: 2 days).
    pub announcement: Option<LeadTime>,
    /// For political bodies: appeal period (laglighetsprövning) after the announcement
    /// (3 weeks); the decision is final (vinner laga kraft) after it.
    pub appeal: Option<LeadTime>,
}

impl Default for LeadTimes {
    fn default() -> Self {
        LeadTimes {
            call_for_matters: LeadTime::Months(1),
            notice: LeadTime::Weeks(2),
            minutes_final: LeadTime::Weeks(2),
            announcement: None,
            appeal: None,
        }
    }
}

/// A body (organ).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    /// The id, e.g. `sbu`.
    pub id: BodyId,
    /// The full name, e.g. `Samverkansgrupp barn och unga i Örebro län`.
    pub name: String,
    /// The kind.
    pub kind: BodyKind,
    /// What it may do.
    pub mandates: BTreeSet<Mandate>,
    /// The body above it (receives its minutes; matters go up to it).
    pub parent: Option<BodyId>,
    /// For a joint session: the bodies that meet together.
    pub joint_of: Vec<BodyId>,
    /// For a party's political body: the party.
    pub party: Option<PartyId>,
    /// Notes or formal minutes.
    pub minutes: MinutesKind,
    /// Lead-time rules.
    pub lead_times: LeadTimes,
    /// Created for one assignment and dissolved after (tillfällig arbetsgrupp).
    pub temporary: bool,
}

impl Body {
    /// Whether the body holds a mandate.
    pub fn may(&self, mandate: Mandate) -> bool {
        self.mandates.contains(&mandate)
    }
}

/// A person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// The id, e.g. `ingmar-angman`.
    pub id: PersonId,
    /// The name, e.g. `Ingmar Ångman`.
    pub name: String,
    /// E-mail address for notifications.
    pub email: Option<String>,
    /// The party the person represents or works for.
    pub party: Option<PartyId>,
    /// Title or function, e.g. `områdeschef Välfärd och folkhälsa`.
    pub title: Option<String>,
    /// The language the person reads notifications in (`language = "en"` in the
    /// configuration); Swedish when not set.
    #[serde(default)]
    pub language: Language,
}

/// A role in a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Member (ledamot).
    Member,
    /// Substitute (ersättare).
    Substitute,
    /// Chair (ordförande).
    Chair,
    /// Secretary (sekreterare).
    Secretary,
    /// Adjuster (justerare) of minutes.
    Adjuster,
    /// Official attending (tjänsteperson), e.g. a process lead.
    Official,
}

impl Role {
    /// The Swedish term.
    pub fn swedish(self) -> &'static str {
        match self {
            Role::Member => "ledamot",
            Role::Substitute => "ersättare",
            Role::Chair => "ordförande",
            Role::Secretary => "sekreterare",
            Role::Adjuster => "justerare",
            Role::Official => "tjänsteperson",
        }
    }
}

/// A person's membership of a body, in a role, for a party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// The person.
    pub person: PersonId,
    /// The body.
    pub body: BodyId,
    /// The role.
    pub role: Role,
    /// The party represented.
    pub party: Option<PartyId>,
    /// For a substitute: whose substitute.
    pub substitute_for: Option<PersonId>,
}

/// Whether a planned meeting is still on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum MeetingStatus {
    /// Planned, not yet confirmed.
    #[default]
    Tentative,
    /// Confirmed.
    Confirmed,
    /// Cancelled (inställt).
    Cancelled,
}

/// A meeting from a body's meeting plan (sammanträdesplan), with the dates derived from
/// its lead-time rules. Dates and times are local (Europe/Stockholm).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedMeeting {
    /// Stable id, e.g. `cg-joint-2024-11-15` (kept when the meeting is moved).
    pub id: MeetingId,
    /// The bodies meeting (more than one for a joint meeting sharing a slot).
    pub bodies: Vec<BodyId>,
    /// The day.
    pub date: NaiveDate,
    /// Start time.
    pub start: NaiveTime,
    /// End time.
    pub end: NaiveTime,
    /// Where.
    pub location: Option<String>,
    /// Tentative, confirmed or cancelled.
    pub status: MeetingStatus,
    /// The date it was originally planned for, when moved.
    pub moved_from: Option<NaiveDate>,
    /// How many times the entry changed (iCalendar `SEQUENCE`).
    pub sequence: u32,
    /// The call for matters goes out on this date; matters must be in by then.
    pub call_for_matters: NaiveDate,
    /// The notice (kallelse) goes out on this date; documents must be ready by then.
    pub notice: NaiveDate,
}

/// A validated, immutable county organisation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Organisation {
    /// The tenant id, e.g. `orebro`.
    pub tenant: TenantId,
    /// The name, e.g. `Region Örebro län med kommuner`.
    pub name: String,
    /// The configuration version (a matter records the version it was routed under).
    pub version: String,
    /// The parties.
    pub parties: BTreeMap<PartyId, Party>,
    /// The county parts.
    pub county_parts: BTreeMap<CountyPartId, CountyPart>,
    /// The bodies.
    pub bodies: BTreeMap<BodyId, Body>,
    /// The people.
    pub people: BTreeMap<PersonId, Person>,
    /// The memberships.
    pub memberships: Vec<Membership>,
    /// The routes.
    pub routes: BTreeMap<RouteId, Route>,
    /// Which route a kind of matter (e.g. `agreement`) takes by default.
    pub matter_kinds: BTreeMap<String, RouteId>,
    /// The meeting plans: every planned meeting, sorted by date then id.
    pub meetings: Vec<PlannedMeeting>,
    /// Who may do what.
    pub permissions: Permissions,
}

impl Organisation {
    /// A body by id.
    pub fn body(&self, id: &BodyId) -> Option<&Body> {
        self.bodies.get(id)
    }

    /// A party by id.
    pub fn party(&self, id: &PartyId) -> Option<&Party> {
        self.parties.get(id)
    }

    /// A person by id.
    pub fn person(&self, id: &PersonId) -> Option<&Person> {
        self.people.get(id)
    }

    /// A route by id.
    pub fn route(&self, id: &RouteId) -> Option<&Route> {
        self.routes.get(id)
    }

    /// The parties that sign county-wide agreements (the Region and the municipalities).
    pub fn signatories(&self) -> impl Iterator<Item = &Party> {
        self.parties.values().filter(|p| p.signatory)
    }

    /// The memberships of a body.
    pub fn members_of<'a>(&'a self, body: &'a BodyId) -> impl Iterator<Item = &'a Membership> {
        self.memberships.iter().filter(move |m| &m.body == body)
    }

    /// The roles a person holds in a body.
    pub fn roles_of(&self, person: &PersonId, body: &BodyId) -> BTreeSet<Role> {
        self.memberships
            .iter()
            .filter(|m| &m.person == person && &m.body == body)
            .map(|m| m.role)
            .collect()
    }

    /// The bodies whose meetings a body's matters are handled at: itself, and any joint
    /// session it is part of.
    pub fn joint_sessions_of<'a>(&'a self, body: &'a BodyId) -> impl Iterator<Item = &'a Body> {
        self.bodies
            .values()
            .filter(move |b| b.joint_of.contains(body))
    }

    /// The planned meetings (not cancelled) that a body takes part in, in date order.
    pub fn meetings_of<'a>(&'a self, body: &'a BodyId) -> impl Iterator<Item = &'a PlannedMeeting> {
        self.meetings
            .iter()
            .filter(move |m| m.status != MeetingStatus::Cancelled && m.bodies.contains(body))
    }

    /// A planned meeting by id.
    pub fn meeting(&self, id: &MeetingId) -> Option<&PlannedMeeting> {
        self.meetings.iter().find(|m| &m.id == id)
    }

    /// The bodies that hold a mandate.
    pub fn bodies_with(&self, mandate: Mandate) -> impl Iterator<Item = &Body> {
        self.bodies.values().filter(move |b| b.may(mandate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn lead_times_parse_and_count_back() {
        let two_weeks = LeadTime::parse("2 weeks").unwrap();
        assert_eq!(two_weeks.before(d(2024, 11, 15)), d(2024, 11, 1));
        let month = LeadTime::parse("1 month").unwrap();
        assert_eq!(month.before(d(2024, 11, 15)), d(2024, 10, 15));
        assert_eq!(month.before(d(2025, 3, 31)), d(2025, 2, 28));
        assert_eq!(LeadTime::parse("10 dagar").unwrap(), LeadTime::Days(10));
        assert!(LeadTime::parse("soon").is_err());
        assert!(LeadTime::parse("2 fortnights").is_err());
        assert!(LeadTime::parse("-1 days").is_err());
        for text in [
            "1 dag",
            "10 dagar",
            "1 vecka",
            "2 veckor",
            "1 månad",
            "3 månader",
        ] {
            assert_eq!(LeadTime::parse(text).unwrap().swedish(), text);
        }
    }
}
