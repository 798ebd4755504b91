//! The PostgreSQL store (to be built).
