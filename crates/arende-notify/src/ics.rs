//! The calendar invitation (.ics, iCalendar `METHOD:REQUEST`) attached to a notice: one
//! `VEVENT` whose `UID` comes from the meeting id, so every notice and every change of
//! the same meeting updates one calendar entry (`SEQUENCE` counts the changes).

use arende_core::calendar::{IcsWriter, PRODID};
use arende_core::notification::{Notification, detail};
use chrono::{DateTime, Utc};

/// The iCalendar UID of a meeting: stable for the meeting across notices and moves.
pub fn meeting_uid(n: &Notification) -> Option<String> {
    n.meeting
        .as_ref()
        .map(|m| format!("{}@{}.arende", m.id, n.tenant))
}

/// The invitation for a notification about a meeting (None without a meeting).
/// `organizer` is the sender's name and address (`mailto:`), `now` the DTSTAMP. Written
/// with the core's RFC 5545 writer: names with commas, quotes, colons or semicolons are
/// quoted (RFC 5545 §3.2, RFC 6868), text is escaped, lines are folded at 75 octets.
pub fn invitation(n: &Notification, organizer: (&str, &str), now: DateTime<Utc>) -> Option<String> {
    let m = n.meeting.as_ref()?;
    let uid = meeting_uid(n)?;
    let (org_name, org_email) = match (
        n.details.get(detail::ORGANIZER_NAME),
        n.details.get(detail::ORGANIZER_EMAIL),
    ) {
        (name, Some(email)) => (name.map_or(organizer.0, |s| s.as_str()), email.as_str()),
        _ => organizer,
    };
    let mut w = IcsWriter::new();
    w.begin("VCALENDAR")
        .raw("VERSION", &[], "2.0")
        .raw("PRODID", &[], PRODID)
        .raw("CALSCALE", &[], "GREGORIAN")
        .raw("METHOD", &[], "REQUEST")
        .begin("VEVENT")
        .text("UID", &[], &uid)
        .raw("SEQUENCE", &[], &m.sequence.to_string())
        .utc("DTSTAMP", now)
        .utc("DTSTART", m.start)
        .utc("DTEND", m.end)
        .text("SUMMARY", &[], &m.body_name)
        .raw("STATUS", &[], "CONFIRMED");
    if let Some(loc) = &m.location {
        w.text("LOCATION", &[], loc);
    }
    if !n.agenda.is_empty() {
        let agenda = n
            .agenda
            .iter()
            .enumerate()
            .map(|(i, a)| format!("{}. {a}", i + 1))
            .collect::<Vec<_>>()
            .join("\n");
        w.text("DESCRIPTION", &[], &agenda);
    }
    w.address("ORGANIZER", org_name, &format!("mailto:{org_email}"), &[]);
    for r in &n.recipients {
        if let Some(email) = &r.email {
            w.address(
                "ATTENDEE",
                &r.name,
                &format!("mailto:{email}"),
                &[
                    ("ROLE", "REQ-PARTICIPANT"),
                    ("PARTSTAT", "NEEDS-ACTION"),
                    ("RSVP", "TRUE"),
                ],
            );
        }
    }
    w.end("VEVENT").end("VCALENDAR");
    Some(w.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arende_core::ids::{MeetingId, PersonId, TenantId};
    use arende_core::notification::{MeetingRef, NotificationKind, Recipient, RecipientReason};
    use chrono::NaiveDate;

    #[test]
    fn the_invitation_is_a_request_with_uid_sequence_times_and_attendees() {
        let day = NaiveDate::from_ymd_opt(2024, 12, 16).unwrap();
        let mut n = Notification::new(NotificationKind::Notice, TenantId::new("orebro"), day);
        n.meeting = Some(MeetingRef {
            id: MeetingId::new("sbu-2024-12-16"),
            body_name: "Samverkansgrupp barn och unga".into(),
            start: arende_core::clock::stockholm_instant(day, 13, 0),
            end: arende_core::clock::stockholm_instant(day, 15, 0),
            location: Some("Enen".into()),
            sequence: 2,
        });
        n.agenda = vec!["Välkommen".into()];
        n.add_recipient(Recipient {
            person: Some(PersonId::new("ingmar")),
            name: "Ingmar Ångman".into(),
            email: Some("ingmar@example.se".into()),
            reason: RecipientReason::Member,
            language: Default::default(),
        });
        let now = arende_core::clock::stockholm_instant(
            NaiveDate::from_ymd_opt(2024, 12, 2).unwrap(),
            9,
            0,
        );
        let ics = invitation(&n, ("Sekretariatet", "sekr@example.se"), now).unwrap();
        let unfolded = ics.replace("\r\n ", "");
        for line in [
            "METHOD:REQUEST",
            "BEGIN:VEVENT",
            "UID:sbu-2024-12-16@orebro.arende",
            "SEQUENCE:2",
            "DTSTART:20241216T120000Z",
            "DTEND:20241216T140000Z",
            "DTSTAMP:20241202T080000Z",
            "LOCATION:Enen",
            "ORGANIZER;CN=Sekretariatet:mailto:sekr@example.se",
        ] {
            assert!(unfolded.contains(line), "{line} missing in\n{ics}");
        }
        assert!(unfolded.contains("mailto:ingmar@example.se"), "{ics}");
        assert_eq!(unfolded.matches("DTSTAMP").count(), 1);
    }
}
