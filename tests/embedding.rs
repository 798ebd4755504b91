//! The embedding guide (`docs/embedding.md`) stays true: its table of who may run each
//! command is generated here from the code's permission rules and the permissions of
//! `config/orebro.toml`. `ARENDE_BLESS=1` rewrites it; otherwise a stale table fails.

use std::fmt::Write as _;
use std::path::Path;

use arende::authz::Action;
use arende::matter::every_matter_command;
use arende::meeting::{Adjustment, AdjustmentMeans, MeetingCommand, MeetingRecord, NoticeInput};
use arende::org::Organisation;

const BEGIN: &str = "<!-- permissions:begin -->";
const END: &str = "<!-- permissions:end -->";

fn roles(org: &Organisation, action: Action) -> String {
    let roles = org.permissions.roles_for(action);
    if roles.is_empty() {
        return "(no role)".into();
    }
    roles
        .iter()
        .map(|r| format!("{r:?}").to_lowercase())
        .collect::<Vec<_>>()
        .join(", ")
}

fn table(org: &Organisation) -> String {
    let mut out = String::from(
        "| aggregate | command | permission | where | roles allowed in `config/orebro.toml` |\n\
         |---|---|---|---|---|\n",
    );
    for c in every_matter_command() {
        let name = serde_json::to_value(&c).expect("json")["type"]
            .as_str()
            .expect("a type")
            .to_owned();
        match c.permission() {
            Some((action, place)) => {
                let _ = writeln!(
                    out,
                    "| matter | `{name}` | `{}` | {place} | {} |",
                    action.name(),
                    roles(org, action)
                );
            }
            None => {
                let _ = writeln!(out, "| matter | `{name}` | — | — | anyone |");
            }
        }
    }
    let day = chrono::NaiveDate::MIN;
    let meeting = [
        MeetingCommand::SendCallForMatters,
        MeetingCommand::SendNotice(NoticeInput::default()),
        MeetingCommand::RecordHeld(MeetingRecord::default()),
        MeetingCommand::AdjustMinutes(Adjustment::new(day, AdjustmentMeans::Email)),
        MeetingCommand::DeclineAdjustment {
            by: None,
            on: day,
            comments: String::new(),
        },
        MeetingCommand::EnterReservation {
            paragraph: 1,
            member: arende::ids::PersonId::new("x"),
            reason: String::new(),
        },
        MeetingCommand::DistributeMinutes,
        MeetingCommand::Confirm,
        MeetingCommand::Cancel { reason: None },
    ];
    for c in meeting {
        let action = c.permission();
        let place = match c {
            MeetingCommand::AdjustMinutes(_) | MeetingCommand::DeclineAdjustment { .. } => {
                "a body of the meeting (or, for themself, one who must adjust the minutes; recording another's: `record-minutes`)"
            }
            MeetingCommand::EnterReservation { .. } => {
                "a body of the meeting (or the member, for their own reservation)"
            }
            _ => "a body of the meeting",
        };
        let _ = writeln!(
            out,
            "| meeting | `{}` | `{}` | {place} | {} |",
            c.name(),
            action.name(),
            roles(org, action)
        );
    }
    for name in ["draft-minutes", "move"] {
        let action = if name == "move" {
            Action::SendNotices
        } else {
            Action::RecordMinutes
        };
        let _ = writeln!(
            out,
            "| meeting | `{name}` | `{}` | a body of the meeting | {} |",
            action.name(),
            roles(org, action)
        );
    }
    for name in [
        "give",
        "form-working-group",
        "report",
        "withdraw",
        "change-due",
    ] {
        let place = match name {
            "give" => "the issuing body",
            "form-working-group" => "the assignee body",
            "report" => "the issuer (or the assignee)",
            _ => "the issuer",
        };
        let _ = writeln!(
            out,
            "| assignment | `{name}` | `assign` | {place} | {} |",
            roles(org, Action::Assign)
        );
    }
    let _ = writeln!(
        out,
        "| reminder | `send` | `send-notices` | the notification's body | {} |",
        roles(org, Action::SendNotices)
    );
    out.push_str("| subscription | `follow`, `unfollow` | — | — | a person as themselves; a system identity for anyone |\n");
    out
}

#[test]
fn permission_table_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let org = arende::load_file(root.join("config/orebro.toml")).expect("configuration");
    let path = root.join("docs/embedding.md");
    let doc = std::fs::read_to_string(&path).expect("the guide");
    let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("the guide lacks the permission markers");
    };
    let current = &doc[b + BEGIN.len()..e];
    let wanted = format!("\n{}", table(&org));
    if std::env::var_os("ARENDE_BLESS").is_some() {
        let new = format!("{}{}{}{}", &doc[..b], BEGIN, wanted, &doc[e..]);
        std::fs::write(&path, new).expect("write the guide");
        return;
    }
    assert!(
        current == wanted,
        "docs/embedding.md's permission table is stale; run with ARENDE_BLESS=1:\n{wanted}"
    );
}
