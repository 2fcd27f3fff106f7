//! cargo fuzz target: certbench::fuzzing::rules (see README, "Fuzzing").
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| certbench::fuzzing::rules(data));
