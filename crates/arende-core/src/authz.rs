//! Authorization: who may do what. Every command carries an actor; the configuration
//! says which roles in a body may take which action. A refusal is a typed error and
//! nothing is written.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::org::Role;

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

/// Checks that `actor` may take `action` at `body` under `org`'s permissions; system
/// actors always may. A refusal is [`crate::Error::NotPermitted`] naming the roles needed.
pub fn authorize(
    org: &crate::org::Organisation,
    actor: &Actor,
    action: Action,
    body: &crate::ids::BodyId,
) -> crate::Result<()> {
    let Actor::Person(person) = actor else {
        return Ok(());
    };
    let held = org.roles_of(person, body);
    if org.permissions.allows(action, &held) {
        Ok(())
    } else {
        Err(crate::Error::NotPermitted {
            actor: actor.clone(),
            action,
            body: body.clone(),
            needed: org.permissions.roles_for(action),
        })
    }
}

/// Checks that `actor` may take `action` at one of `bodies`; the refusal names the first.
pub fn authorize_any<'a>(
    org: &crate::org::Organisation,
    actor: &Actor,
    action: Action,
    bodies: impl IntoIterator<Item = &'a crate::ids::BodyId>,
) -> crate::Result<()> {
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
        None if actor.person().is_none() => Ok(()),
        None => Err(crate::Error::NotPermitted {
            actor: actor.clone(),
            action,
            body: crate::ids::BodyId::new("(none)"),
            needed: org.permissions.roles_for(action),
        }),
    }
}

/// Who issues a command.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Actor {
    /// A person from the configuration.
    Person(crate::ids::PersonId),
    /// The system itself (the scheduler, an import); named for the audit trail.
    System(String),
}

impl Actor {
    /// The actor as stored with events: the person id, or `system:NAME`.
    pub fn audit_name(&self) -> String {
        match self {
            Actor::Person(p) => p.to_string(),
            Actor::System(s) => format!("system:{s}"),
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
