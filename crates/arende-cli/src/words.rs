//! The words of the command line on a store: the core's typed refusals and the events a
//! command wrote, said in Swedish or English (the core writes facts, never prose).

use arende_core::Error;
use arende_core::assignment::AssignmentError;
use arende_core::meeting::MeetingError;
use arende_core::notification::Language;
use arende_core::store::StoreError;
use arende_core::subscription::SubscriptionError;

/// A refusal or failure of the core, in the reader's language (without a prefix).
pub fn error(e: &Error, lang: Language) -> String {
    if lang == Language::English {
        return match e {
            Error::Store(StoreError::Conflict {
                stream,
                expected,
                actual,
                ..
            }) => format!(
                "conflict on {stream}: expected version {}, it is at {actual} (read again and decide again)",
                expected_text(expected, lang)
            ),
            e => e.to_string(),
        };
    }
    match e {
        Error::Matter(m) => m.swedish(),
        Error::Meeting(m) => meeting_error(m),
        Error::Assignment(a) => assignment_error(a),
        Error::Subscription(s) => subscription_error(s),
        Error::Forecast(f) => format!("prognosen kan inte göras: {}", f.swedish()),
        Error::Date(d) => d.swedish(),
        Error::Config(c) => c.render(lang),
        Error::NotPermitted {
            actor,
            action,
            body,
            needed,
        } => {
            let roles: Vec<&str> = needed.iter().map(|r| r.swedish()).collect();
            format!(
                "{actor} får inte utföra {} vid {body}: det kräver någon av rollerna {}",
                action.name(),
                roles.join(", ")
            )
        }
        Error::Unknown { kind, id } => format!("okänt id för {} \"{id}\"", kind_sv(kind)),
        Error::Store(StoreError::Conflict {
            stream,
            expected,
            actual,
            ..
        }) => format!(
            "versionskonflikt i {stream}: väntade version {}, den är {actual} (läs igen och försök på nytt)",
            expected_text(expected, lang)
        ),
        Error::Store(s) => format!("lagringen svarade med fel: {s}"),
        Error::Decode(d) => format!("en lagrad händelse går inte att läsa: {d}"),
        Error::Notification { id, reason } => {
            format!("utkorgsmeddelandet {id} går inte att läsa som avisering: {reason}")
        }
        other => format!("fel: {other}"),
    }
}

fn kind_sv(kind: &str) -> &str {
    match kind {
        "body" => "organ",
        "party" => "part",
        "person" => "person",
        "route" => "beslutsväg",
        "meeting" => "sammanträde",
        "matter" => "ärende",
        "step" => "steg",
        "assignment" => "uppdrag",
        other => other,
    }
}

/// What a meeting command tried (the core names it in English), in Swedish.
fn action_sv(action: &str) -> &str {
    match action {
        "adjust the minutes" => "justera protokollet",
        "cancel the meeting" => "ställa in sammanträdet",
        "change the minutes" => "ändra protokollet",
        "confirm the meeting" => "bekräfta sammanträdet",
        "distribute the minutes" => "skicka ut protokollet",
        "move the meeting" => "flytta sammanträdet",
        "record the meeting as held" => "registrera sammanträdet som hållet",
        "send the call for matters" => "skicka inhämtning av frågor",
        "send the notice" => "skicka kallelsen",
        "draft the minutes" => "upprätta protokollet",
        "render minutes that are not drafted" => "visa ett protokoll som inte är upprättat",
        other => other,
    }
}

/// An expected version, e.g. `3`, `ingen ström` / `no stream`.
fn expected_text(e: &arende_core::store::ExpectedVersion, lang: Language) -> String {
    use arende_core::store::ExpectedVersion as V;
    match (e, lang) {
        (V::Exact(n), _) => n.to_string(),
        (V::NoStream, Language::Swedish) => "ingen ström (0)".into(),
        (V::NoStream, Language::English) => "no stream (0)".into(),
        (_, Language::Swedish) => "vilken som helst".into(),
        (_, Language::English) => "any".into(),
    }
}

fn meeting_error(e: &MeetingError) -> String {
    match e {
        MeetingError::InvalidInput { meeting, problem } => {
            format!("sammanträdet {meeting}: {problem}")
        }
        MeetingError::InvalidTransition {
            meeting,
            phase,
            action,
        } => format!(
            "sammanträdet {meeting} är {}: kan inte {}",
            phase.swedish(),
            action_sv(action)
        ),
        MeetingError::Cancelled { meeting, action } => {
            format!(
                "sammanträdet {meeting} är inställt: kan inte {}",
                action_sv(action)
            )
        }
        MeetingError::MinutesFinal {
            meeting,
            since,
            action,
        } => format!(
            "protokollet från sammanträdet {meeting} är slutligt ({since}) och kan inte ändras: kan inte {}",
            action_sv(action)
        ),
        MeetingError::NotAdjusted { meeting } => format!(
            "protokollet från sammanträdet {meeting} är inte justerat än: justera det innan det skickas ut"
        ),
        MeetingError::NotYetHeld {
            meeting,
            date,
            today,
        } => format!(
            "sammanträdet {meeting} hålls {date}: det kan inte registreras som hållet {today}"
        ),
        MeetingError::InvalidAgenda {
            meeting,
            number,
            problem,
        } => format!("dagordningen för {meeting}, punkt {number}: {problem}"),
        MeetingError::UnknownAgendaItem { meeting, number } => {
            format!("sammanträdet {meeting} har ingen punkt {number} på dagordningen")
        }
        MeetingError::InvalidAttendance {
            meeting,
            person,
            problem,
        } => format!("närvaron vid {meeting}: {person}: {problem}"),
        MeetingError::InvalidMinutes {
            meeting,
            place,
            problem,
        } => format!("protokollet från {meeting}, {place}: {problem}"),
        MeetingError::UnknownPerson {
            meeting,
            person,
            role,
        } => format!("sammanträdet {meeting}: okänd person \"{person}\" ({role})"),
        MeetingError::InvalidSlot { meeting, problem } => {
            format!("sammanträdet {meeting}: ny tid går inte: {problem}")
        }
        other => other.to_string(),
    }
}

fn assignment_error(e: &AssignmentError) -> String {
    match e {
        AssignmentError::InvalidOrder { issuer, problem } => {
            format!("uppdrag från {issuer}: {problem}")
        }
        AssignmentError::NotFound(id) => format!("det finns inget uppdrag {id}"),
        AssignmentError::AlreadyGiven(id) => format!("uppdraget {id} är redan givet"),
        AssignmentError::Closed { id, action, .. } => {
            format!("uppdraget {id} är avslutat: kan inte {action}")
        }
        AssignmentError::WorkingGroup { id, problem } => {
            format!("uppdraget {id}: arbetsgrupp: {problem}")
        }
        AssignmentError::EmptyReport(id) => format!("uppdraget {id}: återrapporten är tom"),
        other => other.to_string(),
    }
}

fn subscription_error(e: &SubscriptionError) -> String {
    match e {
        SubscriptionError::OnlyYourself { actor } => {
            format!("{actor} får bara följa eller sluta följa som sig själv")
        }
        SubscriptionError::AlreadyFollowing => "följer redan".into(),
        SubscriptionError::NotFollowing => "följer inte".into(),
        SubscriptionError::InvalidAddress(a) => format!("ogiltig e-postadress \"{a}\""),
        other => other.to_string(),
    }
}

/// An event type (as stored) said as what happened, e.g. `Submitted` → `anmält`.
pub fn event(event_type: &str, lang: Language) -> String {
    let sv = lang == Language::Swedish;
    let (s, e) = match event_type {
        "Submitted" => ("anmält", "submitted"),
        "CaseNumberRegistered" => ("diarienummer registrerat", "case number registered"),
        "DocumentsReady" => ("underlaget klart", "documents ready"),
        "ScreenedAsInformation" => ("bedömt som informationspunkt", "screened as information"),
        "AcceptedForHandling" => ("taget upp för handläggning", "accepted for handling"),
        "Redirected" => ("hänvisat till annat organ", "redirected"),
        "AnsweredDirectly" => ("besvarat direkt", "answered directly"),
        "Scheduled" => ("satt på dagordningen", "scheduled"),
        "Presented" => ("presenterat (information)", "presented"),
        "Prepared" => ("berett", "prepared"),
        "RemissSent" => ("skickat på remiss", "sent on remiss"),
        "RemissResponseRecorded" => ("remissvar registrerat", "remiss response recorded"),
        "ResponsesWorkedIn" => ("remissvaren inarbetade", "responses worked in"),
        "DirectionDecided" => ("inriktningsbeslut", "direction decided"),
        "Recommended" => ("rekommenderat", "recommended"),
        "ReadinessChecked" => ("ställningstagande om beredskap", "readiness checked"),
        "Decided" => ("beslutat", "decided"),
        "ForwardedToPolitical" => (
            "går till politiskt beslut i parterna",
            "forwarded to political decision",
        ),
        "ReferredBack" => ("återremitterat", "referred back"),
        "Tabled" => ("bordlagt", "tabled"),
        "DroppedFromAgenda" => ("struket från dagordningen", "dropped from the agenda"),
        "Withdrawn" => ("återkallat", "withdrawn"),
        "Filed" => ("lagt till handlingarna", "filed"),
        "Escalated" => ("lyft till annat organ", "escalated"),
        "PoliticalDecisionRecorded" => (
            "politiskt beslut registrerat",
            "political decision recorded",
        ),
        "Concluded" => ("handläggningen avslutad", "handling concluded"),
        "EnteredIntoForce" => ("trätt i kraft", "entered into force"),
        "FollowedUp" => ("uppföljt", "followed up"),
        "Revised" => ("ersatt av en revidering", "revised"),
        "Extended" => ("förlängt", "extended"),
        "FeedbackGiven" => ("återkoppling lämnad", "feedback given"),
        "MeetingPlanned" => ("sammanträdet planerat", "meeting planned"),
        "MeetingMoved" => ("sammanträdet flyttat", "meeting moved"),
        "MeetingConfirmed" => ("sammanträdet bekräftat", "meeting confirmed"),
        "MeetingCancelled" => ("sammanträdet inställt", "meeting cancelled"),
        "CallForMattersSent" => ("inhämtning av frågor skickad", "call for matters sent"),
        "NoticeSent" => ("kallelse skickad", "notice sent"),
        "MeetingHeld" => ("sammanträdet hållet", "meeting held"),
        "AgendaItemAdded" => ("punkt tillagd på dagordningen", "agenda item added"),
        "AgendaAdopted" => ("dagordningen fastställd", "agenda adopted"),
        "AgendaItemDropped" => ("punkt struken", "agenda item dropped"),
        "MinutesDrafted" => ("protokollet upprättat", "minutes drafted"),
        "MinutesAdjusted" => ("protokollet justerat", "minutes adjusted"),
        "MinutesDistributed" => ("protokollet utsänt", "minutes distributed"),
        "AssignmentGiven" => ("uppdrag givet", "assignment given"),
        "WorkingGroupFormed" => ("arbetsgrupp bildad", "working group formed"),
        "DueChanged" => ("uppdragets tid ändrad", "due date changed"),
        "AssignmentReported" => ("uppdraget återrapporterat", "assignment reported"),
        "AssignmentWithdrawn" => ("uppdraget återkallat", "assignment withdrawn"),
        "WorkingGroupDissolved" => ("arbetsgruppen upplöst", "working group dissolved"),
        "Followed" => ("följer", "followed"),
        "Unfollowed" => ("följer inte längre", "unfollowed"),
        "ScheduledMessageSent" => ("schemalagt meddelande skickat", "scheduled message sent"),
        other => (other, other),
    };
    if sv { s } else { e }.to_owned()
}

/// The events of an outcome said together, each type once with a count when repeated.
pub fn events(types: &[&str], lang: Language) -> String {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for t in types {
        match seen.iter_mut().find(|(x, _)| x == t) {
            Some((_, n)) => *n += 1,
            None => seen.push((t, 1)),
        }
    }
    seen.iter()
        .map(|(t, n)| {
            if *n > 1 {
                format!("{} ×{n}", event(t, lang))
            } else {
                event(t, lang)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_said_in_one_language_with_counts() {
        let said = events(&["Submitted", "Scheduled", "Scheduled"], Language::Swedish);
        assert_eq!(said, "anmält, satt på dagordningen ×2");
        let said = events(&["Submitted"], Language::English);
        assert_eq!(said, "submitted");
    }
}
