//! Subscriptions: anyone may follow a matter or a body (and unfollow it), and then gets
//! its notifications. This is how a party that is not on a body still learns what
//! happened. Follows are events in the tenant's `subscriptions-all` stream; its state
//! ([`Subscriptions`]) is what a matter's or a meeting's `decide` is given to know who
//! follows.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, Event};
use crate::authz::Actor;
use crate::ids::{BodyId, MatterId, PersonId, UnknownId};
use crate::notification::{Recipient, RecipientReason};
use crate::org::Organisation;

/// What is followed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum FollowTarget {
    /// A matter: every change of it.
    Matter(MatterId),
    /// A body: every matter change at it.
    Body(BodyId),
}

/// Who follows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub enum Follower {
    /// A person of the configuration (notified at their address).
    Person(PersonId),
    /// Anyone else, by address (e.g. a party's registry, a functional mailbox).
    Address {
        /// The name to address.
        name: String,
        /// The e-mail address.
        email: String,
    },
}

impl Follower {
    /// The follower as a notification recipient (`None` for a person unknown to `org`).
    pub fn recipient(&self, org: &Organisation) -> Option<Recipient> {
        match self {
            Follower::Person(p) => org
                .person(p)
                .map(|x| Recipient::from_person(x, RecipientReason::Follower)),
            Follower::Address { name, email } => Some(Recipient::by_address(
                name.clone(),
                Some(email.clone()),
                RecipientReason::Follower,
            )),
        }
    }
}

/// A follow or unfollow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubscriptionEvent {
    /// Started following.
    Followed {
        /// What.
        target: FollowTarget,
        /// Who.
        follower: Follower,
    },
    /// Stopped following.
    Unfollowed {
        /// What.
        target: FollowTarget,
        /// Who.
        follower: Follower,
    },
}

impl Event for SubscriptionEvent {
    fn event_type(&self) -> &'static str {
        match self {
            SubscriptionEvent::Followed { .. } => "Followed",
            SubscriptionEvent::Unfollowed { .. } => "Unfollowed",
        }
    }
    fn known_types() -> &'static [&'static str] {
        &["Followed", "Unfollowed"]
    }
}

/// Every follow of a tenant: the fold of its subscription stream.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscriptions {
    /// Target → followers.
    pub follows: BTreeMap<FollowTarget, BTreeSet<Follower>>,
}

impl Subscriptions {
    /// The followers of a target.
    pub fn followers(&self, target: &FollowTarget) -> impl Iterator<Item = &Follower> {
        self.follows.get(target).into_iter().flatten()
    }

    /// Whether `follower` follows `target`.
    pub fn follows(&self, target: &FollowTarget, follower: &Follower) -> bool {
        self.follows
            .get(target)
            .is_some_and(|s| s.contains(follower))
    }
}

impl Aggregate for Subscriptions {
    type Event = SubscriptionEvent;
    const PREFIX: &'static str = "subscriptions";

    fn apply(&mut self, event: &SubscriptionEvent) {
        match event {
            SubscriptionEvent::Followed { target, follower } => {
                self.follows
                    .entry(target.clone())
                    .or_default()
                    .insert(follower.clone());
            }
            SubscriptionEvent::Unfollowed { target, follower } => {
                if let Some(s) = self.follows.get_mut(target) {
                    s.remove(follower);
                    if s.is_empty() {
                        self.follows.remove(target);
                    }
                }
            }
        }
    }
}

/// The stream key of a tenant's subscriptions.
pub const SUBSCRIPTIONS_KEY: &str = "all";

/// A refused follow or unfollow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubscriptionError {
    /// An id that the configuration or the store does not know.
    #[error(transparent)]
    Unknown(#[from] UnknownId),
    /// A person may follow only as themselves; other followers need a system actor.
    #[error("{actor} may follow or unfollow only as themselves")]
    OnlyYourself {
        /// Who tried.
        actor: Actor,
    },
    /// Already following.
    #[error("already following")]
    AlreadyFollowing,
    /// Not following.
    #[error("not following")]
    NotFollowing,
    /// The e-mail address is not plausible.
    #[error("invalid e-mail address \"{0}\"")]
    InvalidAddress(String),
}

/// A follow or unfollow. Its JSON form is internally tagged by `type` in kebab-case,
/// e.g. `{"type": "follow", "target": {"body": "sbu"}, "follower": {"person": "anna"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum SubscriptionCommand {
    /// Follow a matter or a body. A person may follow as themselves; a system actor may
    /// add any follower (e.g. a party's registry address).
    Follow {
        /// What is followed.
        target: FollowTarget,
        /// Who follows.
        follower: Follower,
    },
    /// Stop following.
    Unfollow {
        /// What was followed.
        target: FollowTarget,
        /// Who followed.
        follower: Follower,
    },
}

impl SubscriptionCommand {
    /// The command's name in its JSON form, e.g. `follow`.
    pub fn name(&self) -> &'static str {
        match self {
            SubscriptionCommand::Follow { .. } => "follow",
            SubscriptionCommand::Unfollow { .. } => "unfollow",
        }
    }
}

/// What a follow's `decide` needs besides the state and the command.
#[derive(Debug, Clone, Copy)]
pub struct SubscriptionContext<'a> {
    /// The organisation (people, bodies).
    pub org: &'a Organisation,
    /// Who issues the command.
    pub actor: &'a Actor,
    /// Whether the followed matter exists (`None` when a body is followed).
    pub matter_exists: Option<bool>,
}

/// Checks a follow or unfollow and yields its event, or a typed refusal. Pure.
pub fn decide(
    state: &Subscriptions,
    command: &SubscriptionCommand,
    ctx: &SubscriptionContext<'_>,
) -> Result<Decision<SubscriptionEvent>, SubscriptionError> {
    let (SubscriptionCommand::Follow { target, follower }
    | SubscriptionCommand::Unfollow { target, follower }) = command;
    if let Actor::Person(p) = ctx.actor
        && follower != &Follower::Person(p.clone())
    {
        return Err(SubscriptionError::OnlyYourself {
            actor: ctx.actor.clone(),
        });
    }
    match follower {
        Follower::Person(p) if ctx.org.person(p).is_none() => {
            return Err(UnknownId::new("person", p).into());
        }
        Follower::Address { email, .. }
            if !email.contains('@') || email.trim() != email || email.len() < 3 =>
        {
            return Err(SubscriptionError::InvalidAddress(email.clone()));
        }
        _ => {}
    }
    match target {
        FollowTarget::Body(b) if ctx.org.body(b).is_none() => {
            return Err(UnknownId::new("body", b).into());
        }
        FollowTarget::Matter(m) if ctx.matter_exists != Some(true) => {
            return Err(UnknownId::new("matter", m).into());
        }
        _ => {}
    }
    let event = match command {
        SubscriptionCommand::Follow { .. } => {
            if state.follows(target, follower) {
                return Err(SubscriptionError::AlreadyFollowing);
            }
            SubscriptionEvent::Followed {
                target: target.clone(),
                follower: follower.clone(),
            }
        }
        SubscriptionCommand::Unfollow { .. } => {
            if !state.follows(target, follower) {
                return Err(SubscriptionError::NotFollowing);
            }
            SubscriptionEvent::Unfollowed {
                target: target.clone(),
                follower: follower.clone(),
            }
        }
    };
    Ok(Decision::events(vec![event]))
}

impl Subscriptions {
    /// The followers of any of `targets`, each once, as notification recipients.
    pub fn recipients(&self, org: &Organisation, targets: &[FollowTarget]) -> Vec<Recipient> {
        let mut out: Vec<Recipient> = Vec::new();
        let mut seen: BTreeSet<&Follower> = BTreeSet::new();
        for t in targets {
            for f in self.followers(t) {
                if seen.insert(f)
                    && let Some(r) = f.recipient(org)
                {
                    out.push(r);
                }
            }
        }
        out
    }
}
