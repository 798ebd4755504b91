//! The family-centre agreement (route 2 of the reference minutes), simulated end to end
//! on the embedded SQLite store: KCRD's assignment to the project lead, the three work
//! steps with the child-impact assessment, information to the specific council
//! (17 May 2024), the preparatory group (15 October 2024) — where the engine refuses a
//! decision —, the joint chief group (15 November 2024, comments by 31 December 2024),
//! then KCRD, the political decisions and the entry into force on forecast dates.
//!
//! ```sh
//! cargo run --example family_centres            # on a temporary SQLite file
//! cargo run --example family_centres -- fc.db   # on a new file that stays
//! ```

#[path = "support/mod.rs"]
mod support;

fn main() -> anyhow::Result<()> {
    let path = std::env::args_os().nth(1).map(std::path::PathBuf::from);
    let scenario = support::family_centres::run(path.as_deref())?;
    print!("{}", scenario.run);
    // The joint chief group's protocol: adjusted by both named adjusters, one for the
    // municipalities and one for the Region; its header and signature block.
    let minutes = &scenario.joint_minutes;
    let head = minutes.split("**Ledamöter:**").next().unwrap_or_default();
    let signatures = minutes
        .find("## Justeras")
        .and_then(|at| minutes.get(at..))
        .unwrap_or_default();
    println!("\n{head}…\n\n{signatures}");
    Ok(())
}
