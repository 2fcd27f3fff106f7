//! cargo fuzz target: certbench::fuzzing::curl (see README, "Fuzzing").
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| certbench::fuzzing::curl(data));
