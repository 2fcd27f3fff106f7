//! cargo fuzz target: engine::fuzzing::bindings (see README, "Fuzzing").
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| engine::fuzzing::bindings(data));
