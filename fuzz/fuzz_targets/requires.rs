//! cargo fuzz target: certbench::fuzzing::requires (see README, "Fuzzing").
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| certbench::fuzzing::requires(data));
