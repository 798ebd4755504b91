//! The embedded SQLite store (to be built).
