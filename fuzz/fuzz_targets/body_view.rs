//! cargo fuzz target: certbench::fuzzing::body_view (see README, "Fuzzing").
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| certbench::fuzzing::body_view(data));
