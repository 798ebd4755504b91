//! PostgreSQL benches (being written).
fn main() {}
