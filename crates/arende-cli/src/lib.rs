//! The library half of the `arende` command: what the binary and the fuzz targets share.
//! Today that is the scenario-file parser of `arende simulate` ([`scenario`]), kept pure
//! so that `fuzz/fuzz_targets/scenario.rs` can hold it to "an error, never a panic".
#![forbid(unsafe_code)]

pub mod scenario;
