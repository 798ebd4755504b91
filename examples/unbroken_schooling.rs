//! The agreement on unbroken schooling for placed children (route 3 of the reference
//! minutes), simulated end to end on the embedded SQLite store: a working group drafts,
//! the preparatory group prepares it on 15 October 2024 (draft ready 29 October) and the
//! forecast answers "can it be decided on 15 November?" (no: information only, and why),
//! the joint chief group is informed on 15 November 2024, the remiss edition goes to
//! everyone concerned, and the chief groups decide in spring 2025 — no political level.
//!
//! ```sh
//! cargo run --example unbroken_schooling            # on a temporary SQLite file
//! cargo run --example unbroken_schooling -- us.db   # on a new file that stays
//! ```

#[path = "support/mod.rs"]
mod support;

fn main() -> anyhow::Result<()> {
    let path = std::env::args_os().nth(1).map(std::path::PathBuf::from);
    let scenario = support::unbroken_schooling::run(path.as_deref())?;
    print!("{}", scenario.run);
    Ok(())
}
