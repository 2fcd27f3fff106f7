//! Replays the fuzz seeds and every case the fuzzers found (fuzz/seeds, fuzz/regressions) through
//! the same entry points `cargo fuzz` runs, so CI keeps them fixed without nightly.

use std::path::Path;

type Target = fn(&[u8]);

fn replay(target: &str, run: Target) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut n = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for e in entries.flatten() {
            let data = std::fs::read(e.path()).unwrap();
            run(&data);
            n += 1;
        }
    }
    n
}

#[test]
fn every_seed_and_found_case_passes_its_target() {
    use engine::fuzzing as f;
    let targets: [(&str, Target); 12] = [
        ("profile", f::profile),
        ("key_file", f::key_file),
        ("body_view", f::body_view),
        ("compare", f::compare),
        ("redaction", f::redaction),
        ("curl", f::curl),
        ("environment", f::environment),
        ("bindings", f::bindings),
        ("rules", f::rules),
        ("requires", f::requires),
        ("import", f::import),
        ("grpc_message", f::grpc_message),
    ];
    for (name, run) in targets {
        assert!(replay(name, run) > 0, "{name} has no seeds");
    }
}
