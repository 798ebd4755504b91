//! SQLite benches (being written).
fn main() {}
