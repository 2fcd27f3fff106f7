//! cargo fuzz target: certbench::fuzzing::bindings (see README, "Fuzzing").
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| certbench::fuzzing::bindings(data));
