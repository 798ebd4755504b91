//! Authorization: who may do what. Every command carries an actor; the configuration
//! says which roles in a body may take which action. A refusal is a typed error and
//! nothing is written.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::ids::{BodyId, PersonId};
use crate::terms::Role;

/// An action that needs permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Screen a matter for relevance (relevansbedömning).
    Screen,
    /// Put a matter on a meeting's agenda (schedule).
    Schedule,
    /// Record what happened to a matter at a meeting (presentation, decision, tabling…).
    RecordOutcome,
    /// Send a matter on remiss and record responses.
    Consult,
    /// Record a party's political decision.
    RecordPoliticalDecision,
    /// Send the call for matters and the notice of a meeting.
    SendNotices,
    /// Record attendance and draft minutes.
    RecordMinutes,
    /// Adjust (justera) minutes.
    AdjustMinutes,
    /// Give an assignment.
    Assign,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 9] = [
        Action::Screen,
        Action::Schedule,
        Action::RecordOutcome,
        Action::Consult,
        Action::RecordPoliticalDecision,
        Action::SendNotices,
        Action::RecordMinutes,
        Action::AdjustMinutes,
        Action::Assign,
    ];

    /// The configuration name, e.g. `adjust-minutes`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Screen => "screen",
            Action::Schedule => "schedule",
            Action::RecordOutcome => "record-outcome",
            Action::Consult => "consult",
            Action::RecordPoliticalDecision => "record-political-decision",
            Action::SendNotices => "send-notices",
            Action::RecordMinutes => "record-minutes",
            Action::AdjustMinutes => "adjust-minutes",
            Action::Assign => "assign",
        }
    }

    /// Parses a configuration name.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// Which roles in a body may take each action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    /// Action → roles allowed.
    pub roles: BTreeMap<Action, BTreeSet<Role>>,
}

impl Default for Permissions {
    fn default() -> Self {
        use Role::*;
        let mut roles = BTreeMap::new();
        let set = |r: &[Role]| r.iter().copied().collect::<BTreeSet<_>>();
        roles.insert(Action::Screen, set(&[Secretary, Chair]));
        roles.insert(Action::Schedule, set(&[Secretary]));
        roles.insert(Action::RecordOutcome, set(&[Secretary]));
        roles.insert(Action::Consult, set(&[Secretary, Chair]));
        roles.insert(Action::RecordPoliticalDecision, set(&[Secretary]));
        roles.insert(Action::SendNotices, set(&[Secretary]));
        roles.insert(Action::RecordMinutes, set(&[Secretary]));
        roles.insert(Action::AdjustMinutes, set(&[Adjuster, Chair]));
        roles.insert(Action::Assign, set(&[Secretary, Chair]));
        Permissions { roles }
    }
}

impl Permissions {
    /// Whether holding `held` roles allows `action`.
    pub fn allows(&self, action: Action, held: &BTreeSet<Role>) -> bool {
        self.roles
            .get(&action)
            .is_some_and(|allowed| allowed.intersection(held).next().is_some())
    }

    /// The roles that allow `action`.
    pub fn roles_for(&self, action: Action) -> Vec<Role> {
        self.roles
            .get(&action)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }
}

/// Where roles and permissions come from (the organisation implements it): kept as a
/// trait so that authorization sits below the organisation, not beside it in a loop.
pub trait RoleSource {
    /// The roles `person` holds in `body`.
    fn roles_of(&self, person: &PersonId, body: &BodyId) -> BTreeSet<Role>;
    /// The roles `person` holds in `body` on `date` (the roster of that day: memberships
    /// whose mandate period covers it). By default the same as [`Self::roles_of`].
    fn roles_on(
        &self,
        person: &PersonId,
        body: &BodyId,
        date: chrono::NaiveDate,
    ) -> BTreeSet<Role> {
        let _ = date;
        self.roles_of(person, body)
    }
    /// Whether `person` holds one of `roles` in `body` (what a permission check asks).
    /// By default through [`Self::roles_of`]; a source that has the memberships at hand
    /// answers without collecting a set.
    fn holds_any(&self, person: &PersonId, body: &BodyId, roles: &BTreeSet<Role>) -> bool {
        self.roles_of(person, body)
            .intersection(roles)
            .next()
            .is_some()
    }
    /// [`Self::holds_any`] on the roster of `date`. By default through
    /// [`Self::roles_on`].
    fn holds_any_on(
        &self,
        person: &PersonId,
        body: &BodyId,
        date: chrono::NaiveDate,
        roles: &BTreeSet<Role>,
    ) -> bool {
        self.roles_on(person, body, date)
            .intersection(roles)
            .next()
            .is_some()
    }
    /// Which roles allow which action.
    fn permissions(&self) -> &Permissions;
}

impl<T: RoleSource + ?Sized> RoleSource for std::sync::Arc<T> {
    fn roles_of(&self, person: &PersonId, body: &BodyId) -> BTreeSet<Role> {
        (**self).roles_of(person, body)
    }
    fn roles_on(
        &self,
        person: &PersonId,
        body: &BodyId,
        date: chrono::NaiveDate,
    ) -> BTreeSet<Role> {
        (**self).roles_on(person, body, date)
    }
    fn holds_any(&self, person: &PersonId, body: &BodyId, roles: &BTreeSet<Role>) -> bool {
        (**self).holds_any(person, body, roles)
    }
    fn holds_any_on(
        &self,
        person: &PersonId,
        body: &BodyId,
        date: chrono::NaiveDate,
        roles: &BTreeSet<Role>,
    ) -> bool {
        (**self).holds_any_on(person, body, date, roles)
    }
    fn permissions(&self) -> &Permissions {
        (**self).permissions()
    }
}

/// A refusal: the actor may not take this action at this body. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{actor} may not {} at {body}: it needs one of the roles {needed:?}", action.name())]
pub struct NotPermitted {
    /// Who tried.
    pub actor: Actor,
    /// What they tried.
    pub action: Action,
    /// Where.
    pub body: crate::ids::BodyId,
    /// The roles that would allow it.
    pub needed: Vec<Role>,
}

/// Checks that `actor` may take `action` at `body` under `org`'s permissions; a system
/// actor may when it was granted the action. A refusal is [`NotPermitted`], naming the roles needed.
pub fn authorize(
    org: &impl RoleSource,
    actor: &Actor,
    action: Action,
    body: &crate::ids::BodyId,
) -> Result<(), NotPermitted> {
    authorize_roles(org, actor, action, body, |p, roles| {
        org.holds_any(p, body, roles)
    })
}

/// As [`authorize`], against the roster on `date` (the meeting's day, or the command's
/// day): a role whose mandate period does not cover the date does not count.
pub fn authorize_on(
    org: &impl RoleSource,
    actor: &Actor,
    action: Action,
    body: &crate::ids::BodyId,
    date: chrono::NaiveDate,
) -> Result<(), NotPermitted> {
    authorize_roles(org, actor, action, body, |p, roles| {
        org.holds_any_on(p, body, date, roles)
    })
}

fn authorize_roles(
    org: &impl RoleSource,
    actor: &Actor,
    action: Action,
    body: &crate::ids::BodyId,
    holds_any: impl Fn(&PersonId, &BTreeSet<Role>) -> bool,
) -> Result<(), NotPermitted> {
    let allowed = match actor {
        Actor::Person(person) => org
            .permissions()
            .roles
            .get(&action)
            .is_some_and(|allowed| holds_any(person, allowed)),
        Actor::System(s) => s.may(action),
    };
    if allowed {
        Ok(())
    } else {
        Err(NotPermitted {
            actor: actor.clone(),
            action,
            body: body.clone(),
            needed: org.permissions().roles_for(action),
        })
    }
}

/// Checks that `actor` may take `action` at one of `bodies`; the refusal names the first.
pub fn authorize_any<'a>(
    org: &impl RoleSource,
    actor: &Actor,
    action: Action,
    bodies: impl IntoIterator<Item = &'a crate::ids::BodyId>,
) -> Result<(), NotPermitted> {
    let mut first = None;
    for b in bodies {
        match authorize(org, actor, action, b) {
            Ok(()) => return Ok(()),
            Err(e) => {
                if first.is_none() {
                    first = Some(e);
                }
            }
        }
    }
    match first {
        Some(e) => Err(e),
        None if matches!(actor, Actor::System(s) if s.may(action)) => Ok(()),
        None => Err(NotPermitted {
            actor: actor.clone(),
            action,
            body: crate::ids::BodyId::new("(none)"),
            needed: org.permissions().roles_for(action),
        }),
    }
}

/// Who issues a command.
///
/// A person comes from the configuration and acts within the roles they hold. A
/// system actor ([`SystemActor`]) acts only within the actions it was granted; one
/// cannot be read from JSON (an `Actor` deserializes only as a person), so a command
/// that arrives as data can never claim to be the system.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Actor {
    /// A person from the configuration.
    Person(crate::ids::PersonId),
    /// The system itself (the scheduler, the policies, an integration), named for the
    /// audit trail and limited to its grants.
    System(SystemActor),
}

/// A system actor: a name for the audit trail and the actions it may take anywhere.
/// Made by [`Actor::service`] with explicit grants; the engine's own policies use one
/// that holds every action. Its fields are private: it cannot be forged from text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SystemActor {
    name: String,
    #[serde(skip)]
    grants: Grants,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Grants {
    /// Every action (the engine's own policies, which replay what minutes decided).
    All,
    /// These actions.
    Only(BTreeSet<Action>),
}

impl SystemActor {
    /// The name, e.g. `scheduler`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether it may take `action`.
    pub fn may(&self, action: Action) -> bool {
        match &self.grants {
            Grants::All => true,
            Grants::Only(actions) => actions.contains(&action),
        }
    }
}

impl<'de> Deserialize<'de> for Actor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// Only a person can be read from data.
        #[derive(Deserialize)]
        #[serde(rename_all = "kebab-case", deny_unknown_fields)]
        enum Wire {
            Person(crate::ids::PersonId),
        }
        let Wire::Person(p) = Wire::deserialize(d)?;
        Ok(Actor::Person(p))
    }
}

impl Actor {
    /// A system identity (an integration, the scheduler) that may take exactly
    /// `actions`, at any body. It is named on the events it writes as `system:NAME`.
    pub fn service(name: impl Into<String>, actions: &[Action]) -> Self {
        Actor::System(SystemActor {
            name: name.into(),
            grants: Grants::Only(actions.iter().copied().collect()),
        })
    }

    /// The engine's own system actor, holding every action (policies).
    pub(crate) fn system(name: &str) -> Self {
        Actor::System(SystemActor {
            name: name.to_owned(),
            grants: Grants::All,
        })
    }

    /// The actor as stored with events: the person id, or `system:NAME`.
    pub fn audit_name(&self) -> String {
        match self {
            Actor::Person(p) => p.as_str().to_owned(),
            Actor::System(s) => format!("system:{}", s.name),
        }
    }

    /// The actor as stored with events ([`Actor::audit_name`]), shared: for a person,
    /// the id's own text without a copy.
    pub fn recorded_as(&self) -> std::sync::Arc<str> {
        match self {
            Actor::Person(p) => p.shared(),
            Actor::System(s) => format!("system:{}", s.name).into(),
        }
    }

    /// The person, if the actor is one.
    pub fn person(&self) -> Option<&crate::ids::PersonId> {
        match self {
            Actor::Person(p) => Some(p),
            Actor::System(_) => None,
        }
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.audit_name())
    }
}
