//! The organisation of a county: parties, county parts, bodies with their kinds and
//! mandates, people and memberships, routes, lead times and meeting plans. Built only by
//! [`crate::config`] (which validates everything), then immutable and shared.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::authz::{Permissions, RoleSource};
use crate::ids::{BodyId, CountyPartId, MeetingId, PartyId, PersonId, RouteId, TenantId};
use crate::language::Language;
use crate::route::{BodyNames, Route};
pub use crate::terms::{
    DateError, FIRST_DATE, LAST_DATE, LeadTime, LeadTimeError, Mandate, MinutesKind, Role,
    check_date, offset_date,
};

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
    /// Who must adjust (justera) the body's minutes besides the named adjusters.
    #[serde(default)]
    pub adjustment: AdjustmentRule,
}

/// Who adjusts (justerar) a body's minutes besides every adjuster named in them
/// (`[bodies.<id>.adjustment]` in the configuration). By default the named adjusters
/// alone; the chair alone finalises only where `chair-alone` says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct AdjustmentRule {
    /// The chair (ordförande) adjusts too.
    #[serde(default)]
    pub chair: bool,
    /// The secretary (sekreterare) adjusts too.
    #[serde(default)]
    pub secretary: bool,
    /// The chair's adjustment alone makes the minutes final (ordförandens justering).
    #[serde(default)]
    pub chair_alone: bool,
}

impl AdjustmentRule {
    /// The rule of a meeting of several bodies: each requirement of any of them.
    pub fn join(self, other: AdjustmentRule) -> AdjustmentRule {
        AdjustmentRule {
            chair: self.chair || other.chair,
            secretary: self.secretary || other.secretary,
            chair_alone: self.chair_alone && other.chair_alone,
        }
    }
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
    /// The first day of the mandate period (mandatperiod); `None`: from always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// The last day of the mandate period; `None`: without end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

impl Membership {
    /// Whether the membership holds on a date (within its mandate period).
    pub fn active_on(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= date) && self.until.is_none_or(|u| date <= u)
    }
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
    /// Local days off (lokala lediga dagar) besides the Swedish public holidays
    /// (`[calendar] days-off`): no rule-made meeting falls on one, and call and notice
    /// dates move off them.
    #[serde(default)]
    pub days_off: BTreeSet<NaiveDate>,
    /// The longest texts a command may carry (`[limits]`; see [`crate::input`]).
    #[serde(default)]
    pub limits: crate::input::InputLimits,
}

impl Organisation {
    /// The working-day calendar (arbetsdagar): weekends, Swedish public holidays and
    /// the configuration's local days off.
    pub fn calendar(&self) -> crate::holidays::WorkCalendar {
        crate::holidays::WorkCalendar::new(self.days_off.clone())
    }

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

    /// The memberships that hold on a date (their mandate period covers it).
    pub fn memberships_on(&self, date: NaiveDate) -> impl Iterator<Item = &Membership> {
        self.memberships.iter().filter(move |m| m.active_on(date))
    }

    /// The roles a person holds in a body on a date (the roster on that day).
    pub fn roles_on(&self, person: &PersonId, body: &BodyId, date: NaiveDate) -> BTreeSet<Role> {
        self.memberships_on(date)
            .filter(|m| &m.person == person && &m.body == body)
            .map(|m| m.role)
            .collect()
    }

    /// The adjustment rule of a meeting of `bodies` (joint sessions expanded).
    pub fn adjustment_rule(&self, bodies: &[BodyId]) -> AdjustmentRule {
        let mut rule: Option<AdjustmentRule> = None;
        for b in self.expanded_bodies(bodies) {
            if let Some(body) = self.body(&b) {
                rule = Some(rule.map_or(body.adjustment, |r| r.join(body.adjustment)));
            }
        }
        rule.unwrap_or_default()
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

impl RoleSource for Organisation {
    fn roles_of(&self, person: &PersonId, body: &BodyId) -> BTreeSet<Role> {
        Organisation::roles_of(self, person, body)
    }

    fn holds_any(&self, person: &PersonId, body: &BodyId, roles: &BTreeSet<Role>) -> bool {
        self.memberships
            .iter()
            .any(|m| &m.person == person && &m.body == body && roles.contains(&m.role))
    }

    fn holds_any_on(
        &self,
        person: &PersonId,
        body: &BodyId,
        date: NaiveDate,
        roles: &BTreeSet<Role>,
    ) -> bool {
        self.memberships_on(date)
            .any(|m| &m.person == person && &m.body == body && roles.contains(&m.role))
    }

    fn roles_on(&self, person: &PersonId, body: &BodyId, date: NaiveDate) -> BTreeSet<Role> {
        Organisation::roles_on(self, person, body, date)
    }

    fn permissions(&self) -> &Permissions {
        &self.permissions
    }
}

/// The organisation with its roster as of one day: permissions are checked against the
/// memberships whose mandate period covers that day; everything else reads through to
/// the organisation.
#[derive(Debug, Clone, Copy)]
pub struct RosterOn<'a> {
    org: &'a Organisation,
    date: NaiveDate,
}

impl<'a> RosterOn<'a> {
    /// The organisation's roster on `date`.
    pub fn new(org: &'a Organisation, date: NaiveDate) -> Self {
        RosterOn { org, date }
    }
}

impl std::ops::Deref for RosterOn<'_> {
    type Target = Organisation;
    fn deref(&self) -> &Organisation {
        self.org
    }
}

impl RoleSource for RosterOn<'_> {
    fn roles_of(&self, person: &PersonId, body: &BodyId) -> BTreeSet<Role> {
        self.org.roles_on(person, body, self.date)
    }

    fn holds_any(&self, person: &PersonId, body: &BodyId, roles: &BTreeSet<Role>) -> bool {
        self.org.holds_any_on(person, body, self.date, roles)
    }

    fn holds_any_on(
        &self,
        person: &PersonId,
        body: &BodyId,
        date: NaiveDate,
        roles: &BTreeSet<Role>,
    ) -> bool {
        self.org.holds_any_on(person, body, date, roles)
    }

    fn roles_on(&self, person: &PersonId, body: &BodyId, date: NaiveDate) -> BTreeSet<Role> {
        self.org.roles_on(person, body, date)
    }

    fn permissions(&self) -> &Permissions {
        &self.org.permissions
    }
}

impl BodyNames for Organisation {
    fn body_name(&self, body: &BodyId) -> Option<&str> {
        self.body(body).map(|b| b.name.as_str())
    }

    fn signatory_count(&self) -> usize {
        self.signatories().count()
    }
}

impl Organisation {
    /// The bodies with the bodies their joint sessions join, each once, in order (the
    /// bodies that actually meet when `bodies` meet).
    pub fn expanded_bodies(&self, bodies: &[BodyId]) -> Vec<BodyId> {
        let mut out: Vec<BodyId> = Vec::new();
        for b in bodies {
            if !out.contains(b) {
                out.push(b.clone());
            }
            if let Some(body) = self.body(b) {
                for j in &body.joint_of {
                    if !out.contains(j) {
                        out.push(j.clone());
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    #[test]
    fn the_roster_of_a_day_counts_only_memberships_whose_term_covers_it() {
        use crate::authz::{Action, Actor, authorize};
        let mut org: Organisation = serde_json::from_value(serde_json::json!({
            "tenant": "t", "name": "T", "version": "1", "parties": {}, "county_parts": {},
            "bodies": {}, "people": {}, "memberships": [], "routes": {}, "matter_kinds": {},
            "meetings": [], "permissions": Permissions::default()
        }))
        .unwrap();
        let body = BodyId::new("kcrd");
        org.memberships.push(Membership {
            person: PersonId::new("anna"),
            body: body.clone(),
            role: Role::Secretary,
            party: None,
            substitute_for: None,
            from: Some(d(2023, 1, 1)),
            until: Some(d(2024, 6, 30)),
        });
        let anna = Actor::Person(PersonId::new("anna"));
        let may = |date| {
            authorize(
                &RosterOn::new(&org, date),
                &anna,
                Action::RecordMinutes,
                &body,
            )
        };
        assert!(may(d(2023, 1, 1)).is_ok());
        assert!(may(d(2024, 6, 30)).is_ok());
        assert!(may(d(2024, 7, 1)).is_err(), "the term ended");
        assert!(may(d(2022, 12, 31)).is_err(), "the term had not begun");
        // Without dates: always (backward compatible).
        org.memberships[0].from = None;
        org.memberships[0].until = None;
        assert!(
            authorize(
                &RosterOn::new(&org, d(1990, 1, 1)),
                &anna,
                Action::RecordMinutes,
                &body
            )
            .is_ok()
        );
        // A membership stored without dates reads as always.
        let m: Membership = serde_json::from_str(
            r#"{"person":"anna","body":"kcrd","role":"secretary","party":null,"substitute_for":null}"#,
        )
        .unwrap();
        assert!(m.active_on(d(1990, 1, 1)) && m.active_on(d(2990, 1, 1)));
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
        assert_eq!(
            LeadTime::parse("100000000 days"),
            Err(LeadTimeError::TooLong {
                text: "100000000 days".into()
            })
        );
        assert!(LeadTime::parse("3661 days").is_err());
        assert_eq!(
            LeadTime::parse("120 months").unwrap(),
            LeadTime::Months(120)
        );
        assert!(matches!(
            LeadTime::parse("99999999999 weeks"),
            Err(LeadTimeError::TooLong { .. })
        ));
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

    #[test]
    fn lead_time_arithmetic_never_panics_at_the_calendar_edges() {
        for lead in [
            LeadTime::Days(u32::MAX),
            LeadTime::Weeks(u32::MAX),
            LeadTime::Months(u32::MAX),
        ] {
            assert_eq!(lead.checked_before(NaiveDate::MIN), None);
            assert_eq!(lead.checked_after(NaiveDate::MAX), None);
            assert_eq!(lead.before(d(2024, 1, 1)), NaiveDate::MIN);
            assert_eq!(lead.after(d(2024, 1, 1)), NaiveDate::MAX);
        }
        assert_eq!(
            LeadTime::Weeks(2).checked_after(d(2024, 11, 1)),
            Some(d(2024, 11, 15))
        );
    }

    #[test]
    fn offsets_outside_the_supported_dates_are_typed_errors() {
        assert_eq!(
            offset_date("--what-if-later", d(2024, 1, 1), 3),
            Ok(d(2024, 1, 4))
        );
        assert_eq!(
            offset_date("--what-if-later", d(2024, 1, 1), -1),
            Ok(d(2023, 12, 31))
        );
        for days in [i64::MAX, i64::MIN, 3_000_000, -3_000_000] {
            let e = offset_date("--what-if-later", d(2024, 1, 1), days).unwrap_err();
            assert!(e.to_string().starts_with("--what-if-later: "), "{e}");
        }
        assert!(check_date("--ready", d(2024, 1, 1)).is_ok());
        assert!(check_date("--ready", NaiveDate::MAX).is_err());
    }
}
