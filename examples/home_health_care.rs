//! The home-health-care agreement of 2024 (route 1 of the reference minutes), simulated
//! end to end on the embedded SQLite store: remiss with 101 comments worked in, readiness
//! in the steering group (28 May), the chief group for social welfare (30 May) and KCRD
//! (12 June), the regional council's recommendation (13 September), political decisions
//! in all 13 parties, entry into force on 1 January 2025.
//!
//! ```sh
//! cargo run --example home_health_care            # on a temporary SQLite file
//! cargo run --example home_health_care -- hhc.db  # on a new file that stays
//! ```

#[path = "support/mod.rs"]
mod support;

fn main() -> anyhow::Result<()> {
    let path = std::env::args_os().nth(1).map(std::path::PathBuf::from);
    let scenario = support::home_health_care::run(path.as_deref())?;
    print!("{}", scenario.run);
    Ok(())
}
