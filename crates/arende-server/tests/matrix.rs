//! The role × command matrix over HTTP: people with different roles (secretary, chair,
//! member and submitter, member, adjuster) send matter and meeting commands with their
//! own tokens. A command is refused with 403 exactly when the county's permissions do
//! not give any of the person's roles at the body the action needs (the submitter's own
//! exceptions aside; a matter no assignment issued is withdrawn by its submitter only),
//! and a refused command writes nothing: the store is compared
//! before and after.

mod common;

use std::collections::BTreeSet;

use arende_core::authz::Action;
use arende_core::ids::{BodyId, PersonId};
use arende_core::org::Role;
use common::*;
use serde_json::{Value, json};

const SUBMITTER: &str = "jaana-jansson";
const PEOPLE: [&str; 5] = [
    "daniel-berglund", // secretary of sbu
    "ingmar-angman",   // chair of sbu
    SUBMITTER,         // member of sbu
    "monica-skantz",   // member of sbu
    "johanna-viberg",  // adjuster
];

fn roles(org: &arende_core::org::Organisation, person: &str, body: &str) -> BTreeSet<Role> {
    org.memberships
        .iter()
        .filter(|m| m.person == PersonId::new(person) && m.body == BodyId::new(body))
        .map(|m| m.role)
        .collect()
}

#[test]
fn each_role_may_do_what_the_permissions_say_and_a_refusal_writes_nothing() {
    let Some(server) = Server::start(Backend::Sqlite, "matrix") else {
        return;
    };
    let org = county("orebro");
    let party = org.parties.keys().next().expect("a party").to_string();
    let a = agent();
    // (command name, action, body, JSON of the command for a matter, submitter exception)
    let matter_commands: Vec<(&str, Action, Value, bool)> = vec![
        (
            "screen",
            Action::Screen,
            json!({"type": "screen", "screening": "information-item"}),
            false,
        ),
        (
            "mark-documents-ready",
            Action::Schedule,
            json!({"type": "mark-documents-ready"}),
            true,
        ),
        (
            "register-case-number",
            Action::RecordOutcome,
            json!({"type": "register-case-number", "party": party, "number": "RS 2024/1"}),
            true,
        ),
        (
            "withdraw",
            Action::Assign,
            json!({"type": "withdraw", "reason": null}),
            true,
        ),
    ];
    let mut checked = 0;
    for person in PEOPLE {
        let token = bearer(person);
        let held = roles(&org, person, "sbu");
        for (name, action, cmd, submitter_may) in &matter_commands {
            // A fresh matter, submitted to sbu on the submitter's behalf.
            let r = command(
                &a,
                &server,
                "orebro",
                key(KEY_ALL),
                &[],
                &submit(&format!("{person} {name}"), "sbu", Some(SUBMITTER)),
            );
            assert_eq!(r.status, 201, "{}", r.body);
            let matter = r.json()["id"].as_str().expect("an id").to_owned();
            let body = json!({"aggregate": "matter", "matter": matter, "command": cmd});
            // A matter that no assignment issued may be withdrawn only by its submitter.
            let allowed = if *name == "withdraw" {
                person == SUBMITTER
            } else {
                org.permissions.allows(*action, &held)
                    || (*submitter_may && person == SUBMITTER)
                    // A person of the party registers its own case number.
                    || (*name == "register-case-number"
                        && org
                            .person(&PersonId::new(person))
                            .and_then(|p| p.party.as_ref())
                            .is_some_and(|p| p.as_str() == party))
            };
            let before = server.log();
            let r = command(
                &a,
                &server,
                "orebro",
                ("Authorization", token.as_str()),
                &[],
                &body,
            );
            if allowed {
                assert!(
                    r.status == 200 || r.status == 201,
                    "{person} {name} should be allowed: {}",
                    r.body
                );
            } else {
                assert_eq!(
                    r.status, 403,
                    "{person} {name} should be refused: {}",
                    r.body
                );
                let code = r.json()["code"].clone();
                assert!(
                    code == "not-permitted" || code == "may-not-withdraw",
                    "{}",
                    r.body
                );
                assert_eq!(
                    server.log(),
                    before,
                    "{person} {name}: a refused command writes nothing"
                );
            }
            checked += 1;
        }
        // A meeting command at sbu.
        let meeting = server
            .deployment
            .county(&arende_core::ids::TenantId::new("orebro"))
            .expect("orebro")
            .read()
            .body_meeting_plan(&BodyId::new("sbu"))
            .expect("the plan")
            .first()
            .expect("a meeting of sbu")
            .id
            .to_string();
        let body = json!({"aggregate": "meeting", "meeting": meeting, "command": {"type": "send-call-for-matters"}});
        let allowed = org.permissions.allows(Action::SendNotices, &held);
        let before = server.log();
        let r = command(
            &a,
            &server,
            "orebro",
            ("Authorization", token.as_str()),
            &[],
            &body,
        );
        if allowed {
            assert_ne!(
                r.status, 403,
                "{person} send-call-for-matters should be allowed: {}",
                r.body
            );
        } else {
            assert_eq!(
                r.status, 403,
                "{person} send-call-for-matters should be refused: {}",
                r.body
            );
            assert_eq!(
                server.log(),
                before,
                "{person}: a refused command writes nothing"
            );
        }
        if r.status >= 400 {
            assert_eq!(server.log(), before, "{person}: a refusal writes nothing");
        }
        checked += 1;
    }
    assert_eq!(checked, PEOPLE.len() * (matter_commands.len() + 1));
}
