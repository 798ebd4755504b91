//! Reminders: a scheduled message (a remiss reminder, an assignment falling due, …)
//! written to the outbox once. Each has its own stream, keyed by the message's key
//! (`schedule-<key>`), whose one event records that it was written, so however often
//! the scheduler runs, and however many schedulers run, a reminder goes out once.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Decision, Event};
use crate::authz::{Action, Actor, NotPermitted, authorize_on};
use crate::ids::BodyId;
use crate::notification::Notification;
use crate::org::Organisation;

/// The event that records a scheduled message as written to the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScheduleEvent {
    /// The message with this key was written to the outbox.
    ScheduledMessageSent {
        /// The message's key (e.g. `remiss-reminder/<matter>/<date>`).
        key: String,
        /// The notification kind.
        kind: String,
        /// The day it was due.
        send_on: NaiveDate,
    },
}

impl Event for ScheduleEvent {
    fn event_type(&self) -> &'static str {
        "ScheduledMessageSent"
    }
    fn known_types() -> &'static [&'static str] {
        &["ScheduledMessageSent"]
    }
}

/// Whether a scheduled message has been written (one stream per message key).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleLog {
    /// It has.
    pub sent: bool,
}

impl Aggregate for ScheduleLog {
    type Event = ScheduleEvent;
    const PREFIX: &'static str = "schedule";
    fn apply(&mut self, _event: &ScheduleEvent) {
        self.sent = true;
    }
}

/// A command to a reminder's stream. Its JSON form is internally tagged by `type`:
/// `{"type": "send", "key": "…", "send-on": "2024-12-01", "notification": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ReminderCommand {
    /// Write the reminder's notification to the outbox, unless it was written before.
    Send {
        /// The day it is due.
        #[serde(rename = "send-on")]
        send_on: NaiveDate,
        /// The notification (facts, no prose), boxed: a fact is large beside the
        /// other commands.
        notification: Box<Notification>,
    },
}

impl ReminderCommand {
    /// The command's name in its JSON form.
    pub fn name(&self) -> &'static str {
        match self {
            ReminderCommand::Send { .. } => "send",
        }
    }
}

/// Checks a reminder and yields its event and notification, or nothing when it was
/// written before. Who may: whoever may send notices at the notification's body (the
/// scheduler's system identity is granted that). Pure.
pub fn decide(
    state: &ScheduleLog,
    key: &str,
    command: &ReminderCommand,
    org: &Organisation,
    actor: &Actor,
) -> Result<Decision<ScheduleEvent>, NotPermitted> {
    let ReminderCommand::Send {
        send_on,
        notification,
    } = command;
    let at = notification
        .body
        .clone()
        .unwrap_or_else(|| BodyId::new("(none)"));
    // Against the roster of the day the reminder goes out (mandate periods).
    authorize_on(org, actor, Action::SendNotices, &at, *send_on)?;
    if state.sent {
        return Ok(Decision::events(Vec::new()));
    }
    Ok(Decision {
        events: vec![ScheduleEvent::ScheduledMessageSent {
            key: key.to_owned(),
            kind: notification.kind.name().to_owned(),
            send_on: *send_on,
        }],
        notifications: vec![(**notification).clone()],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PersonId;
    use crate::notification::NotificationKind;
    use crate::testing::d;

    #[test]
    fn a_secretary_sends_a_reminder_only_within_her_mandate_period() {
        let mut org = crate::testing::org();
        for m in org
            .memberships
            .iter_mut()
            .filter(|m| m.person.as_str() == "sbu-sec")
        {
            m.from = Some(d(2024, 1, 1));
            m.until = Some(d(2024, 12, 31));
        }
        let mut n = Notification::new(NotificationKind::DateDue, org.tenant.clone(), d(2025, 1, 7));
        n.body = Some(BodyId::new("sbu"));
        let actor = Actor::Person(PersonId::new("sbu-sec"));
        let send = |on| ReminderCommand::Send {
            send_on: on,
            notification: Box::new(n.clone()),
        };
        let state = ScheduleLog::default();
        let ok = decide(&state, "k", &send(d(2024, 12, 31)), &org, &actor).expect("in period");
        assert_eq!(ok.events.len(), 1);
        let err = decide(&state, "k", &send(d(2025, 1, 7)), &org, &actor).unwrap_err();
        assert_eq!(err.action, Action::SendNotices);
    }
}
