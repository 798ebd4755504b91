//! Refusals (avslag) in words: the Swedish or English rendering of the core's errors
//! ([`arende_core::Error`] and the typed errors it wraps), for the HTTP service's
//! problem documents and the dashboard, so a person sees the same plain text wherever
//! a command is refused.
//!
//! A [`Refusal`] has a stable machine code (`not-permitted`, `mandate-exceeded`, …), a
//! short title, a detail sentence naming what is wrong and where, and the error's typed
//! fields (body, mandate, holders, step, …) as JSON values for programs.

use arende_core::Error;
use arende_core::assignment::AssignmentError;
use arende_core::language::Language;
use arende_core::matter::MatterError;
use arende_core::meeting::MeetingError;
use arende_core::store::StoreError;
use arende_core::subscription::SubscriptionError;
use serde_json::{Map, Value, json};

/// A refusal in words (avslag): what a person reads when a command or query is refused.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// A stable machine code, kebab-case (e.g. `mandate-exceeded`).
    pub code: &'static str,
    /// A short title of the kind of refusal.
    pub title: String,
    /// One sentence naming what is wrong and where.
    pub detail: String,
    /// The error's typed fields (body, mandate, holders, step, …), for programs.
    pub fields: Map<String, Value>,
}

/// What kind of refusal an error is, for choosing a response status: the caller may
/// not, the thing does not exist, the state does not allow it, the input is invalid, a
/// concurrent writer came first, or the system failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalClass {
    /// The caller may not do this (behörighet saknas).
    Forbidden,
    /// An id that does not exist.
    NotFound,
    /// The state of the matter or meeting does not allow the command.
    State,
    /// The input is invalid.
    Invalid,
    /// Another writer came first (optimistic concurrency).
    Conflict,
    /// The store or stored data failed: not the caller's fault.
    System,
}

fn sv_en(lang: Language, sv: &str, en: &str) -> String {
    match lang {
        Language::Swedish => sv.to_owned(),
        Language::English => en.to_owned(),
    }
}

fn strings<T: std::fmt::Display>(items: &[T]) -> Value {
    Value::Array(items.iter().map(|i| Value::String(i.to_string())).collect())
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    if items.is_empty() {
        "(inga)".to_owned()
    } else {
        items
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn obj(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The class of an error (see [`RefusalClass`]).
pub fn classify(err: &Error) -> RefusalClass {
    match err {
        Error::NotPermitted { .. } | Error::CommandNotInScope { .. } => RefusalClass::Forbidden,
        Error::Unknown { .. } => RefusalClass::NotFound,
        Error::Input(_) => RefusalClass::Invalid,
        Error::Store(StoreError::Conflict { .. }) => RefusalClass::Conflict,
        Error::Store(StoreError::InvalidRequest { .. } | StoreError::PayloadTooDeep { .. }) => {
            RefusalClass::Invalid
        }
        Error::Store(_) | Error::Decode(_) | Error::Config(_) | Error::Notification { .. } => {
            RefusalClass::System
        }
        Error::Matter(e) => match e {
            MatterError::NotPermitted(_) | MatterError::MayNotWithdraw { .. } => {
                RefusalClass::Forbidden
            }
            MatterError::Unknown(_) => RefusalClass::NotFound,
            MatterError::InvalidDate { .. }
            | MatterError::InvalidInput { .. }
            | MatterError::NoRoute { .. } => RefusalClass::Invalid,
            _ => RefusalClass::State,
        },
        Error::Meeting(e) => match e {
            MeetingError::InvalidInput { .. }
            | MeetingError::InvalidAgenda { .. }
            | MeetingError::InvalidAttendance { .. }
            | MeetingError::InvalidMinutes { .. }
            | MeetingError::UnknownPerson { .. }
            | MeetingError::InvalidSlot { .. } => RefusalClass::Invalid,
            MeetingError::UnknownAgendaItem { .. } => RefusalClass::NotFound,
            _ => RefusalClass::State,
        },
        Error::Assignment(e) => match e {
            AssignmentError::NotPermitted(_) => RefusalClass::Forbidden,
            AssignmentError::Unknown(_) | AssignmentError::NotFound(_) => RefusalClass::NotFound,
            AssignmentError::InvalidOrder { .. } | AssignmentError::EmptyReport(_) => {
                RefusalClass::Invalid
            }
            _ => RefusalClass::State,
        },
        Error::Subscription(e) => match e {
            SubscriptionError::OnlyYourself { .. } => RefusalClass::Forbidden,
            SubscriptionError::Unknown(_) => RefusalClass::NotFound,
            SubscriptionError::InvalidAddress(_) => RefusalClass::Invalid,
            _ => RefusalClass::State,
        },
        Error::Forecast(_) | Error::Date(_) => RefusalClass::Invalid,
        _ => RefusalClass::System,
    }
}

/// The refusal of `err` in `lang`: its code, title, detail and typed fields.
pub fn describe(err: &Error, lang: Language) -> Refusal {
    let en = err.to_string();
    match err {
        Error::NotPermitted {
            actor,
            action,
            body,
            needed,
        } => {
            let roles: Vec<&str> = needed
                .iter()
                .map(|r| match lang {
                    Language::Swedish => r.swedish(),
                    Language::English => role_name(*r),
                })
                .collect();
            Refusal {
                code: "not-permitted",
                title: sv_en(lang, "Behörighet saknas", "Not permitted"),
                detail: sv_en(
                    lang,
                    &format!(
                        "{actor} får inte {} hos {body}: det kräver någon av rollerna {}",
                        action_swedish(*action),
                        list(&roles)
                    ),
                    &en,
                ),
                fields: obj(json!({
                    "actor": actor.audit_name(),
                    "action": action.name(),
                    "body": body.to_string(),
                    "needed": needed.iter().map(|r| role_name(*r)).collect::<Vec<_>>(),
                })),
            }
        }
        Error::CommandNotInScope { actor, command } => Refusal {
            code: "command-not-in-scope",
            title: sv_en(
                lang,
                "Utanför nyckelns behörighet",
                "Not in the key's scope",
            ),
            detail: sv_en(
                lang,
                &format!(
                    "{actor} får inte skicka kommandot {command}: det ligger utanför dess behörighet"
                ),
                &en,
            ),
            fields: obj(json!({"actor": actor.audit_name(), "command": command})),
        },
        Error::Unknown { kind, id } => Refusal {
            code: "unknown-id",
            title: sv_en(lang, "Okänt id", "Unknown id"),
            detail: sv_en(
                lang,
                &format!("okänt id för {}: \"{id}\"", kind_swedish(kind)),
                &en,
            ),
            fields: obj(json!({"kind": kind, "id": id})),
        },
        Error::Input(e) => input(e, lang),
        Error::Matter(e) => matter(e, lang),
        Error::Meeting(e) => meeting(e, lang),
        Error::Assignment(e) => assignment(e, lang),
        Error::Subscription(e) => subscription(e, lang),
        Error::Store(e) => store(e, lang),
        Error::Forecast(e) => Refusal {
            code: "forecast-impossible",
            title: sv_en(
                lang,
                "Prognosen kan inte göras",
                "The forecast cannot be made",
            ),
            detail: sv_en(lang, &e.swedish(), &en),
            fields: Map::new(),
        },
        Error::Date(e) => Refusal {
            code: "date-out-of-range",
            title: sv_en(lang, "Datum utanför det som stöds", "Date out of range"),
            detail: sv_en(lang, &e.swedish(), &en),
            fields: Map::new(),
        },
        Error::Decode(_) | Error::Notification { .. } => Refusal {
            code: "unreadable-data",
            title: sv_en(
                lang,
                "Lagrade data kan inte läsas",
                "Stored data unreadable",
            ),
            detail: sv_en(lang, &format!("lagrade data kan inte läsas: {en}"), &en),
            fields: Map::new(),
        },
        Error::Config(_) => Refusal {
            code: "invalid-configuration",
            title: sv_en(lang, "Ogiltig konfiguration", "Invalid configuration"),
            detail: sv_en(lang, &format!("konfigurationen är ogiltig: {en}"), &en),
            fields: Map::new(),
        },
        _ => Refusal {
            code: "refused",
            title: sv_en(lang, "Avslaget", "Refused"),
            detail: en,
            fields: Map::new(),
        },
    }
}

fn role_name(role: arende_core::org::Role) -> &'static str {
    match serde_json::to_value(role) {
        Ok(Value::String(s)) => match s.as_str() {
            "member" => "member",
            "substitute" => "substitute",
            "chair" => "chair",
            "secretary" => "secretary",
            "adjuster" => "adjuster",
            _ => "role",
        },
        _ => "role",
    }
}

fn action_swedish(action: arende_core::authz::Action) -> &'static str {
    use arende_core::authz::Action as A;
    match action {
        A::Screen => "sålla ärenden (screen)",
        A::Schedule => "planera ärenden till möten (schedule)",
        A::RecordOutcome => "registrera utfall (record-outcome)",
        A::Consult => "skicka på remiss (consult)",
        A::RecordPoliticalDecision => "registrera politiska beslut (record-political-decision)",
        A::SendNotices => "skicka kallelser (send-notices)",
        A::RecordMinutes => "föra protokoll eller minnesanteckningar (record-minutes)",
        A::AdjustMinutes => "justera protokoll (adjust-minutes)",
        A::Assign => "ge uppdrag (assign)",
    }
}

fn kind_swedish(kind: &str) -> &str {
    match kind {
        "body" => "organ",
        "party" => "part",
        "person" => "person",
        "route" => "beslutsväg",
        "meeting" => "sammanträde",
        "matter" => "ärende",
        "assignment" => "uppdrag",
        "tenant" => "län",
        other => other,
    }
}

fn matter(e: &MatterError, lang: Language) -> Refusal {
    use MatterError as M;
    let (code, title_sv, title_en, fields) = match e {
        M::NotPermitted(n) => (
            "not-permitted",
            "Behörighet saknas",
            "Not permitted",
            json!({"actor": n.actor.audit_name(), "action": n.action.name(), "body": n.body.to_string(),
                   "needed": n.needed.iter().map(|r| role_name(*r)).collect::<Vec<_>>()}),
        ),
        M::Unknown(u) => (
            "unknown-id",
            "Okänt id",
            "Unknown id",
            json!({"kind": u.kind, "id": u.id}),
        ),
        M::MandateExceeded {
            body,
            mandate,
            holders,
        } => (
            "mandate-exceeded",
            "Mandat saknas",
            "Mandate exceeded",
            json!({"body": body.to_string(), "mandate": mandate.name(), "holders": strings(holders)}),
        ),
        M::InvalidTransition { from, command } => (
            "invalid-transition",
            "Går inte i ärendets läge",
            "Not possible in the matter's status",
            json!({"status": from.to_string(), "command": command}),
        ),
        M::Closed { closure, command } => (
            "matter-closed",
            "Ärendet är avslutat",
            "The matter is closed",
            json!({"closure": closure.swedish(), "command": command}),
        ),
        M::AlreadySubmitted { id } => (
            "already-submitted",
            "Ärendet finns redan",
            "Already submitted",
            json!({"matter": id.to_string()}),
        ),
        M::NotAtBody { body, active } => (
            "not-at-body",
            "Ärendet är inte hos organet",
            "The matter is not at the body",
            json!({"body": body.to_string(), "active": strings(active)}),
        ),
        M::StepMismatch {
            body,
            step,
            purpose,
            command,
        } => (
            "step-mismatch",
            "Fel steg",
            "Step mismatch",
            json!({"body": body.to_string(), "step": step.to_string(), "purpose": purpose.name(), "command": command}),
        ),
        M::WaitsFor { step, waiting_for } => (
            "waits-for",
            "Steget väntar på tidigare steg",
            "The step waits for earlier steps",
            json!({"step": step.to_string(), "waiting_for": strings(waiting_for)}),
        ),
        M::WrongMeeting { meeting, body } => (
            "wrong-meeting",
            "Fel sammanträde",
            "Wrong meeting",
            json!({"meeting": meeting.to_string(), "body": body.to_string()}),
        ),
        M::NotScheduled { meeting } => (
            "not-scheduled",
            "Ärendet är inte på dagordningen",
            "Not on the agenda",
            json!({"meeting": meeting.to_string()}),
        ),
        M::MayNotWithdraw {
            actor,
            submitter,
            issuer,
        } => (
            "may-not-withdraw",
            "Får inte återkalla",
            "May not withdraw",
            json!({"actor": actor.audit_name(), "submitter": submitter.to_string(),
                   "issuer": issuer.as_ref().map(|b| b.to_string())}),
        ),
        M::NoRoute { kind } => (
            "no-route",
            "Ingen beslutsväg",
            "No route",
            json!({"kind": kind}),
        ),
        M::NoOpenRemiss => (
            "no-open-remiss",
            "Ingen öppen remiss",
            "No open remiss",
            json!({}),
        ),
        M::RemissAlreadyOpen { deadline } => (
            "remiss-already-open",
            "Remiss pågår redan",
            "Remiss already open",
            json!({"deadline": deadline.to_string()}),
        ),
        M::NotARecipient { recipient } => (
            "not-a-recipient",
            "Inte remissmottagare",
            "Not a recipient",
            json!({"recipient": recipient.to_string()}),
        ),
        M::AlreadyAnswered { recipient } => (
            "already-answered",
            "Remissen är redan besvarad",
            "Already answered",
            json!({"recipient": recipient.to_string()}),
        ),
        M::NotAParty { party } => (
            "not-a-party",
            "Parten deltar inte",
            "Not a party",
            json!({"party": party.to_string()}),
        ),
        M::AlreadyDecided { party, .. } => (
            "already-decided",
            "Parten har redan beslutat",
            "Already decided",
            json!({"party": party.to_string()}),
        ),
        M::NoPoliticalBody { party } => (
            "no-political-body",
            "Inget politiskt organ",
            "No political body",
            json!({"party": party.to_string()}),
        ),
        M::NotReady {
            waiting_for,
            adopted,
            needed,
        } => (
            "not-ready",
            "Väntar på antaganden",
            "Waiting for adoptions",
            json!({"waiting_for": strings(waiting_for), "adopted": adopted, "needed": needed}),
        ),
        M::NothingToReferBack { body } => (
            "nothing-to-refer-back",
            "Inget att återremittera till",
            "Nothing to refer back to",
            json!({"body": body.to_string()}),
        ),
        M::InvalidDate { what, date, reason } => (
            "invalid-date",
            "Ogiltigt datum",
            "Invalid date",
            json!({"what": what, "date": date.to_string(), "reason": reason}),
        ),
        M::InvalidInput { field, reason } => (
            "invalid-input",
            "Ogiltig uppgift",
            "Invalid input",
            json!({"field": field, "reason": reason}),
        ),
        _ => (
            "matter-refused",
            "Ärendet avslaget",
            "Matter command refused",
            json!({}),
        ),
    };
    Refusal {
        code,
        title: sv_en(lang, title_sv, title_en),
        detail: sv_en(lang, &e.swedish(), &e.to_string()),
        fields: obj(fields),
    }
}

fn meeting(e: &MeetingError, lang: Language) -> Refusal {
    use MeetingError as M;
    let en = e.to_string();
    let (code, title_sv, title_en, sv, fields) = match e {
        M::InvalidInput { meeting, problem } => (
            "invalid-input",
            "Ogiltig uppgift",
            "Invalid input",
            format!("sammanträde {meeting}: {problem}"),
            json!({"meeting": meeting.to_string(), "problem": problem}),
        ),
        M::InvalidTransition {
            meeting,
            phase,
            action,
        } => (
            "invalid-transition",
            "Går inte i sammanträdets läge",
            "Not possible in the meeting's phase",
            format!(
                "sammanträde {meeting} är {}: kan inte {action}",
                phase.swedish()
            ),
            json!({"meeting": meeting.to_string(), "phase": phase.swedish(), "action": action}),
        ),
        M::Cancelled { meeting, action } => (
            "meeting-cancelled",
            "Sammanträdet är inställt",
            "The meeting is cancelled",
            format!("sammanträde {meeting} är inställt: kan inte {action}"),
            json!({"meeting": meeting.to_string(), "action": action}),
        ),
        M::MinutesFinal {
            meeting,
            since,
            action,
        } => (
            "minutes-final",
            "Protokollet är slutligt",
            "The minutes are final",
            format!(
                "protokollet för sammanträde {meeting} är slutligt ({since}) och kan inte ändras: kan inte {action}"
            ),
            json!({"meeting": meeting.to_string(), "since": since, "action": action}),
        ),
        M::NotAdjusted { meeting } => (
            "not-adjusted",
            "Protokollet är inte justerat",
            "The protocol is not adjusted",
            format!(
                "protokollet för sammanträde {meeting} är inte justerat ännu: justera det innan det skickas ut"
            ),
            json!({"meeting": meeting.to_string()}),
        ),
        M::NotYetHeld {
            meeting,
            date,
            today,
        } => (
            "not-yet-held",
            "Sammanträdet har inte hållits",
            "The meeting has not been held",
            format!(
                "sammanträde {meeting} är den {date}: det kan inte registreras som hållet den {today}"
            ),
            json!({"meeting": meeting.to_string(), "date": date.to_string(), "today": today.to_string()}),
        ),
        M::InvalidAgenda {
            meeting,
            number,
            problem,
        } => (
            "invalid-agenda",
            "Ogiltig dagordning",
            "Invalid agenda",
            format!("dagordningen för sammanträde {meeting}, punkt {number}: {problem}"),
            json!({"meeting": meeting.to_string(), "number": number, "problem": problem}),
        ),
        M::UnknownAgendaItem { meeting, number } => (
            "unknown-agenda-item",
            "Okänd punkt på dagordningen",
            "Unknown agenda item",
            format!("sammanträde {meeting} har ingen punkt {number} på dagordningen"),
            json!({"meeting": meeting.to_string(), "number": number}),
        ),
        M::InvalidAttendance {
            meeting,
            person,
            problem,
        } => (
            "invalid-attendance",
            "Ogiltig närvaro",
            "Invalid attendance",
            format!("närvaron vid sammanträde {meeting}: {person}: {problem}"),
            json!({"meeting": meeting.to_string(), "person": person.to_string(), "problem": problem}),
        ),
        M::InvalidMinutes {
            meeting,
            place,
            problem,
        } => (
            "invalid-minutes",
            "Ogiltigt protokoll",
            "Invalid minutes",
            format!("protokollet för sammanträde {meeting}, {place}: {problem}"),
            json!({"meeting": meeting.to_string(), "place": place, "problem": problem}),
        ),
        M::UnknownPerson {
            meeting,
            person,
            role,
        } => (
            "unknown-person",
            "Okänd person",
            "Unknown person",
            format!("sammanträde {meeting}: okänd person \"{person}\" ({role})"),
            json!({"meeting": meeting.to_string(), "person": person.to_string(), "role": role}),
        ),
        M::InvalidSlot { meeting, problem } => (
            "invalid-slot",
            "Ogiltig tid",
            "Invalid time",
            format!("sammanträde {meeting}: {problem}"),
            json!({"meeting": meeting.to_string(), "problem": problem}),
        ),
        _ => (
            "meeting-refused",
            "Avslaget",
            "Meeting command refused",
            format!("sammanträdeskommandot avslogs: {en}"),
            json!({}),
        ),
    };
    Refusal {
        code,
        title: sv_en(lang, title_sv, title_en),
        detail: sv_en(lang, &sv, &en),
        fields: obj(fields),
    }
}

fn assignment(e: &AssignmentError, lang: Language) -> Refusal {
    use AssignmentError as A;
    let en = e.to_string();
    let (code, title_sv, title_en, sv, fields) = match e {
        A::NotPermitted(n) => (
            "not-permitted",
            "Behörighet saknas",
            "Not permitted",
            format!(
                "{} får inte {} hos {}",
                n.actor,
                action_swedish(n.action),
                n.body
            ),
            json!({"actor": n.actor.audit_name(), "action": n.action.name(), "body": n.body.to_string()}),
        ),
        A::Unknown(u) => (
            "unknown-id",
            "Okänt id",
            "Unknown id",
            format!("okänt id för {}: \"{}\"", kind_swedish(u.kind), u.id),
            json!({"kind": u.kind, "id": u.id}),
        ),
        A::InvalidOrder { issuer, problem } => (
            "invalid-order",
            "Ogiltigt uppdrag",
            "Invalid assignment",
            format!("uppdrag från {issuer}: {problem}"),
            json!({"issuer": issuer.to_string(), "problem": problem}),
        ),
        A::NotFound(id) => (
            "unknown-id",
            "Okänt uppdrag",
            "Unknown assignment",
            format!("inget uppdrag {id}"),
            json!({"kind": "assignment", "id": id.to_string()}),
        ),
        A::AlreadyGiven(id) => (
            "already-given",
            "Uppdraget finns redan",
            "Already given",
            format!("uppdraget {id} finns redan"),
            json!({"assignment": id.to_string()}),
        ),
        A::Closed { id, status, action } => (
            "assignment-closed",
            "Uppdraget är avslutat",
            "The assignment is closed",
            format!("uppdraget {id} är avslutat ({status:?}): kan inte {action}"),
            json!({"assignment": id.to_string(), "status": format!("{status:?}").to_lowercase(), "action": action}),
        ),
        A::WorkingGroup { id, problem } => (
            "working-group",
            "Arbetsgruppen kan inte bildas",
            "Working group refused",
            format!("uppdrag {id}: {problem}"),
            json!({"assignment": id.to_string(), "problem": problem}),
        ),
        A::EmptyReport(id) => (
            "empty-report",
            "Tom återrapport",
            "Empty report",
            format!("uppdrag {id}: återrapporten är tom"),
            json!({"assignment": id.to_string()}),
        ),
        _ => (
            "assignment-refused",
            "Avslaget",
            "Assignment command refused",
            format!("uppdragskommandot avslogs: {en}"),
            json!({}),
        ),
    };
    Refusal {
        code,
        title: sv_en(lang, title_sv, title_en),
        detail: sv_en(lang, &sv, &en),
        fields: obj(fields),
    }
}

fn subscription(e: &SubscriptionError, lang: Language) -> Refusal {
    use SubscriptionError as S;
    let en = e.to_string();
    let (code, title_sv, title_en, sv, fields) = match e {
        S::Unknown(u) => (
            "unknown-id",
            "Okänt id",
            "Unknown id",
            format!("okänt id för {}: \"{}\"", kind_swedish(u.kind), u.id),
            json!({"kind": u.kind, "id": u.id}),
        ),
        S::OnlyYourself { actor } => (
            "only-yourself",
            "Bara för dig själv",
            "Only yourself",
            format!("{actor} får bara börja eller sluta bevaka som sig själv"),
            json!({"actor": actor.audit_name()}),
        ),
        S::AlreadyFollowing => (
            "already-following",
            "Bevakas redan",
            "Already following",
            "bevakas redan".to_owned(),
            json!({}),
        ),
        S::NotFollowing => (
            "not-following",
            "Bevakas inte",
            "Not following",
            "bevakas inte".to_owned(),
            json!({}),
        ),
        S::InvalidAddress(a) => (
            "invalid-address",
            "Ogiltig e-postadress",
            "Invalid e-mail address",
            format!("ogiltig e-postadress \"{a}\""),
            json!({"address": a}),
        ),
        _ => (
            "subscription-refused",
            "Avslaget",
            "Refused",
            format!("bevakningen avslogs: {en}"),
            json!({}),
        ),
    };
    Refusal {
        code,
        title: sv_en(lang, title_sv, title_en),
        detail: sv_en(lang, &sv, &en),
        fields: obj(fields),
    }
}

fn store(e: &StoreError, lang: Language) -> Refusal {
    let en = e.to_string();
    match e {
        StoreError::Conflict {
            stream,
            expected,
            actual,
            ..
        } => Refusal {
            code: "version-conflict",
            title: sv_en(
                lang,
                "Har ändrats av någon annan",
                "Changed by someone else",
            ),
            detail: sv_en(
                lang,
                &format!(
                    "{stream} har ändrats: förväntad version {}, nuvarande {actual}; läs om och försök igen",
                    expected
                        .as_number()
                        .map_or("(valfri)".to_owned(), |v| v.to_string())
                ),
                &en,
            ),
            fields: obj(
                json!({"stream": stream.as_str(), "expected": expected.as_number(), "actual": actual}),
            ),
        },
        StoreError::InvalidRequest { stream, reason } => Refusal {
            code: "invalid-request",
            title: sv_en(lang, "Ogiltig skrivning", "Invalid write"),
            detail: sv_en(
                lang,
                &format!("ogiltig skrivning till {stream}: {reason}"),
                &en,
            ),
            fields: obj(json!({"stream": stream.as_str(), "reason": reason})),
        },
        StoreError::PayloadTooDeep {
            stream,
            index,
            limit,
        } => Refusal {
            code: "payload-too-deep",
            title: sv_en(
                lang,
                "För djupt nästlad händelse",
                "Event nested too deeply",
            ),
            detail: sv_en(
                lang,
                &format!(
                    "händelse {index} till {stream} nästlar listor och objekt djupare än {limit} nivåer och sparas inte"
                ),
                &en,
            ),
            fields: obj(json!({"stream": stream.as_str(), "index": index, "limit": limit})),
        },
        StoreError::Corrupt {
            stream, version, ..
        } => Refusal {
            code: "corrupt-store",
            title: sv_en(lang, "Skadade lagrade data", "Corrupt stored data"),
            detail: sv_en(
                lang,
                &format!("lagrad händelse version {version} i {stream} är skadad: {en}"),
                &en,
            ),
            fields: obj(json!({"stream": stream.as_str(), "version": version})),
        },
        _ => Refusal {
            code: "store-unavailable",
            title: sv_en(lang, "Lagringen svarar inte", "Store unavailable"),
            detail: sv_en(
                lang,
                "lagringen svarar inte just nu; försök igen om en stund",
                "the store is not answering now; try again shortly",
            ),
            fields: Map::new(),
        },
    }
}

/// A text out of bounds, naming the field, the limit and what was given.
fn input(e: &arende_core::input::InputError, lang: Language) -> Refusal {
    use arende_core::input::InputError;
    let en = e.to_string();
    match e {
        InputError::TooLong {
            field,
            limit,
            length,
        } => Refusal {
            code: "text-too-long",
            title: sv_en(lang, "För lång text", "Text too long"),
            detail: sv_en(
                lang,
                &format!("{field}: {length} tecken, men högst {limit} tas emot"),
                &en,
            ),
            fields: obj(json!({"field": field, "limit": limit, "length": length})),
        },
        InputError::ControlCharacter {
            field,
            position,
            code,
            single_line,
        } => Refusal {
            code: "control-character",
            title: sv_en(lang, "Otillåtet tecken", "Character not accepted"),
            detail: sv_en(
                lang,
                &format!(
                    "{field}: ett styrtecken (U+{code:04X}) vid tecken {position}; {}",
                    if *single_line {
                        "fältet är en rad och tar inga radbrytningar eller styrtecken"
                    } else {
                        "bara radbrytningar och tabbar tas emot"
                    }
                ),
                &en,
            ),
            fields: obj(json!({"field": field, "position": position, "code_point": code})),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arende_core::ids::{BodyId, MeetingId};

    #[test]
    fn a_mandate_refusal_names_body_mandate_and_holders_in_both_languages() {
        let err = Error::Matter(MatterError::MandateExceeded {
            body: BodyId::new("sbu"),
            mandate: arende_core::org::Mandate::Decide,
            holders: vec![BodyId::new("kcrd")],
        });
        let sv = describe(&err, Language::Swedish);
        assert_eq!(sv.code, "mandate-exceeded");
        assert_eq!(sv.title, "Mandat saknas");
        assert!(sv.detail.contains("sbu saknar mandat"), "{}", sv.detail);
        assert_eq!(sv.fields["body"], "sbu");
        assert_eq!(sv.fields["holders"], json!(["kcrd"]));
        let en = describe(&err, Language::English);
        assert!(en.detail.contains("lacks the mandate"), "{}", en.detail);
        assert_eq!(classify(&err), RefusalClass::State);
    }

    #[test]
    fn a_command_outside_the_scope_is_forbidden_and_named_in_both_languages() {
        let err = Error::CommandNotInScope {
            actor: arende_core::authz::Actor::service("diarium", &[]),
            command: "matter/screen".into(),
        };
        assert_eq!(classify(&err), RefusalClass::Forbidden);
        let sv = describe(&err, Language::Swedish);
        assert_eq!(sv.code, "command-not-in-scope");
        assert!(
            sv.detail
                .contains("får inte skicka kommandot matter/screen"),
            "{}",
            sv.detail
        );
        assert_eq!(sv.fields["command"], "matter/screen");
        assert_eq!(sv.fields["actor"], "system:diarium");
        let en = describe(&err, Language::English);
        assert!(
            en.detail.contains("may not send matter/screen"),
            "{}",
            en.detail
        );
    }

    #[test]
    fn meeting_refusals_read_in_swedish() {
        let err = Error::Meeting(MeetingError::NotAdjusted {
            meeting: MeetingId::new("sbu-2024-10-15"),
        });
        let sv = describe(&err, Language::Swedish);
        assert_eq!(sv.code, "not-adjusted");
        assert!(sv.detail.contains("inte justerat"), "{}", sv.detail);
        assert_eq!(sv.fields["meeting"], "sbu-2024-10-15");
    }
}
