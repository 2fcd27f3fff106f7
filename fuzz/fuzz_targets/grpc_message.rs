//! cargo fuzz target: engine::fuzzing::grpc_message (see README, "Fuzzing").
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| engine::fuzzing::grpc_message(data));
