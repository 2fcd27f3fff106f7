//! cargo fuzz target: engine::fuzzing::key_file (see README, "Fuzzing").
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| engine::fuzzing::key_file(data));
