//! cargo fuzz target: certbench::fuzzing::key_file (see README, "Fuzzing").
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| certbench::fuzzing::key_file(data));
