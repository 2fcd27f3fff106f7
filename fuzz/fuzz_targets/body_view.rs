//! cargo fuzz target: engine::fuzzing::body_view (see README, "Fuzzing").
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| engine::fuzzing::body_view(data));
