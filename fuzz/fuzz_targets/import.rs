//! cargo fuzz target: engine::fuzzing::import (see README, "Fuzzing").
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| engine::fuzzing::import(data));
