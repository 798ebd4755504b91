//! Subscriptions: anyone may follow a matter or a body (and unfollow it), and then gets
//! its notifications. This is how a party that is not on a body still learns what
//! happened. Follows are events in the tenant's `subscriptions-all` stream; the engine
//! keeps an index of it, caught up from the stream's version before each lookup.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Event, decode};
use crate::authz::Actor;
use crate::clock::Clock;
use crate::engine::{Decision, Engine, Executed};
use crate::error::{Error, Result};
use crate::ids::{BodyId, MatterId, PersonId};
use crate::notification::{Recipient, RecipientReason};
use crate::org::Organisation;
use crate::store::EventStore;

/// What is followed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FollowTarget {
    /// A matter: every change of it.
    Matter(MatterId),
    /// A body: every matter change at it.
    Body(BodyId),
}

/// Who follows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
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

/// The engine's index of the subscription stream, caught up before each lookup.
#[derive(Debug, Default)]
pub(crate) struct FollowIndex {
    state: Subscriptions,
    version: u64,
}

/// A refused follow or unfollow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubscriptionError {
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

impl<S: EventStore, C: Clock> Engine<S, C> {
    /// Follows a matter or a body. A person may follow as themselves; a system actor may
    /// add any follower (e.g. a party's registry address).
    pub fn follow(
        &self,
        actor: &Actor,
        target: FollowTarget,
        follower: Follower,
    ) -> Result<Executed<Subscriptions>> {
        self.check_follow(actor, &target, &follower)?;
        self.subscription_command(actor, move |state| {
            if state.follows(&target, &follower) {
                return Err(SubscriptionError::AlreadyFollowing.into());
            }
            Ok(SubscriptionEvent::Followed {
                target: target.clone(),
                follower: follower.clone(),
            })
        })
    }

    /// Stops following.
    pub fn unfollow(
        &self,
        actor: &Actor,
        target: FollowTarget,
        follower: Follower,
    ) -> Result<Executed<Subscriptions>> {
        self.check_follow(actor, &target, &follower)?;
        self.subscription_command(actor, move |state| {
            if !state.follows(&target, &follower) {
                return Err(SubscriptionError::NotFollowing.into());
            }
            Ok(SubscriptionEvent::Unfollowed {
                target: target.clone(),
                follower: follower.clone(),
            })
        })
    }

    fn check_follow(
        &self,
        actor: &Actor,
        target: &FollowTarget,
        follower: &Follower,
    ) -> Result<()> {
        if let Actor::Person(p) = actor
            && follower != &Follower::Person(p.clone())
        {
            return Err(SubscriptionError::OnlyYourself {
                actor: actor.clone(),
            }
            .into());
        }
        match follower {
            Follower::Person(p) if self.org().person(p).is_none() => {
                return Err(Error::Unknown {
                    kind: "person",
                    id: p.to_string(),
                });
            }
            Follower::Address { email, .. }
                if !email.contains('@') || email.trim() != email || email.len() < 3 =>
            {
                return Err(SubscriptionError::InvalidAddress(email.clone()).into());
            }
            _ => {}
        }
        match target {
            FollowTarget::Body(b) if self.org().body(b).is_none() => Err(Error::Unknown {
                kind: "body",
                id: b.to_string(),
            }),
            FollowTarget::Matter(m) => {
                let (matter, _) = self.load::<crate::matter::Matter>(&m.to_string())?;
                if matter.exists() {
                    Ok(())
                } else {
                    Err(Error::Unknown {
                        kind: "matter",
                        id: m.to_string(),
                    })
                }
            }
            FollowTarget::Body(_) => Ok(()),
        }
    }

    fn subscription_command(
        &self,
        actor: &Actor,
        decide: impl Fn(&Subscriptions) -> Result<SubscriptionEvent>,
    ) -> Result<Executed<Subscriptions>> {
        // Follows are rare and commute: retry a conflict on the shared stream a few times.
        let command_id = self.fresh_command_id();
        let mut tries = 0;
        loop {
            let r =
                self.execute::<Subscriptions, _>(SUBSCRIPTIONS_KEY, actor, command_id, |s, _| {
                    Ok(Decision::events(vec![decide(s)?]))
                });
            match r {
                Err(e) if e.is_conflict() && tries < 5 => tries += 1,
                other => return other,
            }
        }
    }

    /// Every current follow, up to date with the store.
    pub fn subscriptions(&self) -> Result<Subscriptions> {
        self.with_follows(|s| s.clone())
    }

    /// The followers of any of `targets`, each once, as notification recipients.
    pub fn followers_of(&self, targets: &[FollowTarget]) -> Result<Vec<Recipient>> {
        let org = self.org().clone();
        self.with_follows(|s| {
            let mut out: Vec<Recipient> = Vec::new();
            let mut seen: BTreeSet<&Follower> = BTreeSet::new();
            for t in targets {
                for f in s.followers(t) {
                    if seen.insert(f)
                        && let Some(r) = f.recipient(&org)
                    {
                        out.push(r);
                    }
                }
            }
            out
        })
    }

    /// Runs `f` on the follow index after catching it up with the stream.
    fn with_follows<R>(&self, f: impl FnOnce(&Subscriptions) -> R) -> Result<R> {
        let mut idx = self.follows.lock().unwrap_or_else(|p| p.into_inner());
        let stream = Self::stream_of::<Subscriptions>(SUBSCRIPTIONS_KEY);
        let records = self
            .store()
            .read_stream(&self.org().tenant, &stream, idx.version + 1)?;
        for rec in &records {
            let e: SubscriptionEvent = decode(rec)?;
            idx.state.apply(&e);
            idx.version = rec.version;
        }
        Ok(f(&idx.state))
    }
}
