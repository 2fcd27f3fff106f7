//! cargo fuzz target: certbench::fuzzing::profile (see README, "Fuzzing").
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| certbench::fuzzing::profile(data));
