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

/// A system actor: a name for the audit trail, the actions it may take anywhere and
/// the commands it may send. Made by [`Actor::service`] (every command) or
/// [`Actor::service_scoped`] (a [`CommandScope`]) with explicit grants; the engine's own
/// policies use one that holds every action. Its fields are private: it cannot be forged
/// from text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SystemActor {
    name: String,
    /// What it may do, shared (an actor stays small: it travels in every error).
    #[serde(skip)]
    access: std::sync::Arc<Access>,
}

/// A system actor's grants and command scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Access {
    grants: Grants,
    commands: CommandScope,
}

/// Which commands an actor may send, by the command's name (`aggregate/command`, as
/// `Command::name` gives it): a pattern is a whole name
/// (`matter/submit`), an aggregate's every command (`matter/*`) or every command (`*`).
/// [`CommandScope::none`] allows nothing (a read-only integration).
///
/// The engine's one entry point (`Engine::execute`) refuses a command
/// outside its actor's scope with [`crate::Error::CommandNotInScope`] before anything
/// else, so every route that runs commands (the JSON API, the dashboard's forms, an
/// embedder's own) is bound by the same scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CommandScope {
    patterns: Vec<String>,
}

/// The aggregates a command scope may name.
pub const COMMAND_AGGREGATES: [&str; 5] = [
    "matter",
    "meeting",
    "assignment",
    "subscription",
    "reminder",
];

/// A command-scope pattern that cannot match any command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{pattern}\" is no command pattern: give `*`, `AGGREGATE/*` or `AGGREGATE/COMMAND` with AGGREGATE one of {}",
    COMMAND_AGGREGATES.join(", ")
)]
pub struct InvalidCommandPattern {
    /// The pattern as given.
    pub pattern: String,
}

impl Default for CommandScope {
    /// Every command ([`CommandScope::all`]).
    fn default() -> Self {
        CommandScope::all()
    }
}

impl CommandScope {
    /// Every command.
    pub fn all() -> Self {
        CommandScope {
            patterns: vec!["*".to_owned()],
        }
    }

    /// No command: the actor only reads.
    pub fn none() -> Self {
        CommandScope {
            patterns: Vec::new(),
        }
    }

    /// The commands the patterns name (see the type's docs); a pattern that names no
    /// known aggregate, or is not of the three shapes, is refused.
    pub fn only<I, P>(patterns: I) -> Result<Self, InvalidCommandPattern>
    where
        I: IntoIterator<Item = P>,
        P: Into<String>,
    {
        let mut out = Vec::new();
        for p in patterns {
            let p: String = p.into();
            let valid = p == "*"
                || p.split_once('/').is_some_and(|(aggregate, command)| {
                    COMMAND_AGGREGATES.contains(&aggregate)
                        && !command.is_empty()
                        && !command.contains('/')
                        && (command == "*" || !command.contains('*'))
                });
            if !valid {
                return Err(InvalidCommandPattern { pattern: p });
            }
            out.push(p);
        }
        Ok(CommandScope { patterns: out })
    }

    /// Whether the command `name` (`aggregate/command`) is in scope.
    pub fn allows(&self, name: &str) -> bool {
        let (aggregate, command) = name.split_once('/').unwrap_or((name, ""));
        self.allows_parts(aggregate, command)
    }

    /// Whether the command `command` of `aggregate` is in scope (as [`Self::allows`]
    /// with the name in its two parts, without joining them).
    pub fn allows_parts(&self, aggregate: &str, command: &str) -> bool {
        self.patterns.iter().any(|p| {
            p == "*"
                || p.split_once('/')
                    .is_some_and(|(a, c)| a == aggregate && (c == "*" || c == command))
        })
    }

    /// Whether no command is in scope (a read-only actor).
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The patterns, as given.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }
}

/// A refusal: the command is outside the actor's [`CommandScope`]. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{actor} may not send {command}: it is outside its command scope")]
pub struct CommandNotInScope {
    /// Who tried.
    pub actor: Actor,
    /// The command's name, e.g. `matter/screen`.
    pub command: String,
}

/// Checks that `actor` may send `command` at all: a person may send any command (the
/// engine then checks their roles at the body concerned); a system actor only those in
/// its [`CommandScope`]. The one decision of command scope for every route;
/// `Engine::execute` makes it first, with the command's aggregate and name.
pub fn authorize_command(
    actor: &Actor,
    aggregate: &str,
    command: &str,
) -> Result<(), CommandNotInScope> {
    match actor {
        Actor::Person(_) => Ok(()),
        Actor::System(s) if s.access.commands.allows_parts(aggregate, command) => Ok(()),
        Actor::System(_) => Err(CommandNotInScope {
            actor: actor.clone(),
            command: format!("{aggregate}/{command}"),
        }),
    }
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

    /// The commands it may send.
    pub fn commands(&self) -> &CommandScope {
        &self.access.commands
    }

    /// Whether it may take `action`.
    pub fn may(&self, action: Action) -> bool {
        match &self.access.grants {
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
    ///
    /// It may send every command; [`Actor::service_scoped`] limits that too.
    pub fn service(name: impl Into<String>, actions: &[Action]) -> Self {
        Actor::service_scoped(name, actions, CommandScope::all())
    }

    /// A system identity that may take exactly `actions`, at any body, and send only
    /// the commands in `commands` (an integration's API key: the engine refuses any
    /// other command with [`crate::Error::CommandNotInScope`], whichever route sent it).
    pub fn service_scoped(
        name: impl Into<String>,
        actions: &[Action],
        commands: CommandScope,
    ) -> Self {
        Actor::System(SystemActor {
            name: name.into(),
            access: std::sync::Arc::new(Access {
                grants: Grants::Only(actions.iter().copied().collect()),
                commands,
            }),
        })
    }

    /// The engine's own system actor, holding every action and command (policies).
    pub(crate) fn system(name: &str) -> Self {
        Actor::System(SystemActor {
            name: name.to_owned(),
            access: std::sync::Arc::new(Access {
                grants: Grants::All,
                commands: CommandScope::all(),
            }),
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

#[cfg(test)]
mod scope_tests {
    use super::*;
    use crate::command::Command;

    #[test]
    fn command_scopes_match_names_aggregates_and_all() {
        let s = CommandScope::only(["matter/submit", "meeting/*"]).expect("valid patterns");
        assert!(s.allows("matter/submit"));
        assert!(!s.allows("matter/screen"));
        assert!(s.allows("meeting/send-notice"));
        assert!(!s.allows("meetingx/send-notice"));
        assert!(!CommandScope::none().allows("matter/submit"));
        assert!(CommandScope::none().is_empty());
        assert!(CommandScope::all().allows("assignment/give"));
    }

    #[test]
    fn a_pattern_naming_no_aggregate_is_refused_with_the_pattern() {
        for bad in [
            "matters/submit",
            "matter",
            "matter/",
            "*/submit",
            "matter/sub*",
            "",
        ] {
            let err = CommandScope::only([bad]).expect_err(bad);
            assert_eq!(err.pattern, bad);
            assert!(err.to_string().contains("matter, meeting"), "{err}");
        }
    }

    #[test]
    fn a_scoped_service_may_send_only_its_commands_and_a_person_any() {
        let screen: Command = serde_json::from_value(serde_json::json!({
            "aggregate": "matter",
            "matter": "0193a000-0000-7000-8000-0000000000ff",
            "command": {"type": "screen", "screening": "information-item"}
        }))
        .expect("a command");
        let diarium = Actor::service_scoped(
            "diarium",
            &[Action::Screen],
            CommandScope::only(["matter/submit"]).expect("valid"),
        );
        let err = authorize_command(&diarium, screen.aggregate(), screen.command_name())
            .expect_err("out of scope");
        assert_eq!(err.command, "matter/screen");
        let reader = Actor::service_scoped("reader", &[], CommandScope::none());
        assert!(authorize_command(&reader, screen.aggregate(), screen.command_name()).is_err());
        assert!(
            authorize_command(
                &Actor::service("all", &[]),
                screen.aggregate(),
                screen.command_name()
            )
            .is_ok()
        );
        let person = Actor::Person(crate::ids::PersonId::new("jaana-jansson"));
        assert!(authorize_command(&person, screen.aggregate(), screen.command_name()).is_ok());
    }

    #[test]
    fn the_engine_refuses_a_command_outside_the_scope_before_writing_anything() {
        use crate::store::EventStore;
        let engine = crate::testing::engine();
        let reader = Actor::service_scoped("reader", &[Action::Screen], CommandScope::none());
        let submit: Command = serde_json::from_value(serde_json::json!({
            "aggregate": "matter",
            "command": {"type": "submit", "kind": "information", "title": "Läsaren",
                        "body": "sbu", "submitter": "jaana-jansson"}
        }))
        .expect("a command");
        let err = engine
            .execute(&reader, submit, crate::command::CommandOptions::default())
            .expect_err("outside the scope");
        assert!(
            matches!(&err, crate::Error::CommandNotInScope { command, .. } if command == "matter/submit"),
            "{err}"
        );
        assert!(
            engine.store().read_all(0, 10).expect("read").is_empty(),
            "nothing written, not even the policies' checkpoint"
        );
    }
}
