//! What the kernel gathers for a follow or unfollow: whether the followed matter
//! exists; then the subscription's pure `decide` decides. Follows of one tenant share
//! one stream: a conflict is retried a few more times, since follows commute.

use super::Engine;
use crate::authz::Actor;
use crate::clock::Clock;
use crate::command::{CommandOptions, Executed};
use crate::error::Result;
use crate::ids::CommandId;
use crate::matter::Matter;
use crate::store::EventStore;
use crate::subscription::{
    FollowTarget, SUBSCRIPTIONS_KEY, SubscriptionCommand, SubscriptionContext, Subscriptions,
    decide,
};

impl<S: EventStore, C: Clock> Engine<S, C> {
    pub(super) fn dispatch_subscription(
        &self,
        actor: &Actor,
        command: &SubscriptionCommand,
        command_id: CommandId,
        options: &CommandOptions,
    ) -> Result<Executed<Subscriptions>> {
        let (SubscriptionCommand::Follow { target, .. }
        | SubscriptionCommand::Unfollow { target, .. }) = command;
        let matter_exists = match target {
            FollowTarget::Matter(m) => Some(self.load::<Matter>(&m.to_string())?.0.exists()),
            FollowTarget::Body(_) => None,
        };
        let options = CommandOptions {
            conflict_retries: options.conflict_retries.max(5),
            ..*options
        };
        self.run::<Subscriptions, _>(
            SUBSCRIPTIONS_KEY,
            actor,
            command_id,
            &options,
            |state, _| {
                let ctx = SubscriptionContext {
                    org: self.org(),
                    actor,
                    matter_exists,
                };
                Ok(decide(state, command, &ctx)?)
            },
        )
    }
}
