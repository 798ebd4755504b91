//! The audit trail (issue 13, point 10) and mandate periods in the configuration
//! (point 9), against the Örebro configuration: each event records the mandate it was
//! taken under and the configuration version (declared version and hash, stable across
//! loads, changed by any change); memberships carry from/until dates, checked on load.

use arende_core::aggregate::{Audit, AuditMandate, Event, audit_of, encode_audited};
use arende_core::config::load_str;
use arende_core::engine::config_version;
use arende_core::ids::{BodyId, CommandId, PersonId, TenantId};
use arende_core::matter::MatterEvent;
use arende_core::org::Role;
use arende_core::store::{RecordedEvent, StreamId};
use arende_core::terms::Mandate;
use chrono::NaiveDate;

fn orebro() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/orebro.toml");
    std::fs::read_to_string(path).expect("config/orebro.toml")
}

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

#[test]
fn a_decision_records_the_body_and_mandate_it_was_taken_under() {
    let decided: MatterEvent = serde_json::from_value(serde_json::json!({
        "Decided": {"at": {"body": "kcrd"}, "approved": true, "clauses": ["anta"]}
    }))
    .expect("a Decided event");
    assert_eq!(
        decided.mandate(),
        Some((BodyId::new("kcrd"), Mandate::Decide))
    );
    let data = encode_audited(&decided, "kommunchef-orebro", Some("2024.1#0011"));
    let rec = RecordedEvent {
        position: 1,
        tenant: TenantId::new("orebro"),
        stream: StreamId::new("matter-x"),
        version: 1,
        event_type: data.event_type,
        payload: data.payload,
        actor: "kommunchef-orebro".into(),
        command_id: CommandId::random(),
        recorded_at: chrono::DateTime::UNIX_EPOCH,
    };
    assert_eq!(
        audit_of(&rec),
        Audit {
            actor: "kommunchef-orebro".into(),
            mandate: Some(AuditMandate {
                body: BodyId::new("kcrd"),
                mandate: Mandate::Decide,
            }),
            config: Some("2024.1#0011".into()),
        }
    );
    // Events that exercise no mandate record none.
    let tabled: MatterEvent = serde_json::from_value(serde_json::json!({
        "Tabled": {"at": {"body": "kcrd"}}
    }))
    .expect("a Tabled event");
    assert_eq!(tabled.mandate(), None);
}

#[test]
fn the_configuration_version_is_stable_and_tells_every_change() {
    let text = orebro();
    let a = load_str(&text, "orebro.toml").expect("loads");
    let b = load_str(&text, "orebro.toml").expect("loads");
    assert_eq!(config_version(&a), config_version(&b));
    assert!(config_version(&a).starts_with(&format!("{}#", a.version)));
    // A change to the roster without a new declared version still changes the hash.
    let changed = text.replacen(
        "adjuster = [\"johanna-viberg\", \"karin-haster\"]",
        "adjuster = [\"karin-haster\"]",
        1,
    );
    assert_ne!(changed, text, "the edit applies");
    let c = load_str(&changed, "orebro.toml").expect("loads");
    assert_eq!(a.version, c.version);
    assert_ne!(config_version(&a), config_version(&c));
}

#[test]
fn mandate_periods_load_and_give_the_roster_of_a_day() {
    let text = format!(
        "{}\n[memberships.cg-joint.terms.johanna-viberg]\nfrom = 2023-01-01\nuntil = 2024-12-31\n",
        orebro()
    );
    let org = load_str(&text, "orebro.toml").expect("loads with terms");
    let who = PersonId::new("johanna-viberg");
    let joint = BodyId::new("cg-joint");
    assert!(
        org.roles_on(&who, &joint, d("2024-11-15"))
            .contains(&Role::Adjuster)
    );
    assert!(org.roles_on(&who, &joint, d("2025-02-21")).is_empty());
    assert!(!org.roles_of(&who, &joint).is_empty(), "history is kept");
    // Without a term: always.
    let karin = PersonId::new("karin-haster");
    assert!(
        org.roles_on(&karin, &joint, d("1999-01-01"))
            .contains(&Role::Adjuster)
    );

    // A term that ends before it starts, or names someone without a role, is reported
    // with its place.
    let bad = format!(
        "{}\n[memberships.cg-joint.terms.johanna-viberg]\nfrom = 2025-01-01\nuntil = 2024-12-31\n\n[memberships.cg-joint.terms.jenny-steen]\nfrom = 2024-01-01\n",
        orebro()
    );
    let err = load_str(&bad, "orebro.toml")
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("memberships.cg-joint.terms.johanna-viberg.until"),
        "{err}"
    );
    assert!(
        err.contains("memberships.cg-joint.terms.jenny-steen"),
        "{err}"
    );
}
