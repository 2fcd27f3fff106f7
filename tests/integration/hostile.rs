//! Hostile answers from a real mTLS server: compression bombs, deep nesting, huge bodies to disk.
//! Each runs the real binary and reads its peak memory from the kernel (wait4's ru_maxrss).

use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::Env;

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
    peak_mb: f64,
    took: Duration,
}

/// Runs certbench with `args` and measures its own peak RSS. A child's ru_maxrss starts at its
/// parent's RSS at fork time (this test process holds a server), so a small python3 parent
/// starts it and reports the largest RSS among its children.
fn certbench(env: &Env, args: &[&str]) -> Run {
    const PARENT: &str = "import resource, subprocess, sys\n\
r = subprocess.run(sys.argv[1:])\n\
sys.stderr.write('\\ncertbench-test-maxrss %d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n\
sys.exit(r.returncode)";
    let started = Instant::now();
    let out = Command::new("python3")
        .arg("-c")
        .arg(PARENT)
        .arg(env!("CARGO_BIN_EXE_certbench"))
        .args(args)
        .env("CERTBENCH_HOME", env.home.path())
        .output()
        .unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let (stderr, rss) = stderr
        .rsplit_once("\ncertbench-test-maxrss ")
        .expect("the python3 parent reports the peak");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: stderr.to_string(),
        peak_mb: rss.trim().parse::<f64>().unwrap() / 1024.0,
        took,
    }
}

fn send(env: &Env, path: &str, extra: &[&str]) -> Run {
    let url = format!("{}{path}", env.server.url);
    let mut args = crate::common::demo_send_args(&url);
    args.extend_from_slice(extra);
    certbench(env, &args)
}

#[test]
fn compression_bombs_stop_at_the_cap_and_say_both_sizes() {
    let env = Env::new();
    for (path, cap) in [
        ("/bomb/gzip/1024", "8M"),
        ("/bomb/zstd/1024", "8M"),
        ("/bomb/br/300", "16M"),
    ] {
        let r = send(&env, path, &["--max-body", cap]);
        assert_eq!(r.code, 2, "{path}: {}", r.stderr);
        let limit = if cap == "8M" { "8MiB" } else { "16MiB" };
        assert!(
            r.stderr.contains(&format!("over the {limit} limit")) && r.stderr.contains("received"),
            "{path}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("after decoding"), "{}", r.stderr);
        assert!(
            r.stderr.contains("--max-body"),
            "names the way out: {}",
            r.stderr
        );
        assert!(r.peak_mb < 64.0, "{path}: peak RSS {:.0} MB", r.peak_mb);
    }
    // --json keeps what was read and names the kind.
    let r = send(&env, "/bomb/gzip/64", &["--max-body", "1M", "--json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["kind"], "body_too_large");
    assert_eq!(v["sizes"]["decoded"], 1 << 20);
    assert_eq!(v["body_kind"], "binary");
}

#[test]
fn the_default_cap_holds_a_bomb_of_two_gib_to_256_mib() {
    let env = Env::new();
    let r = send(&env, "/bomb/zstd/2048", &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("over the 256MiB limit"), "{}", r.stderr);
    // The 256 MiB kept, plus the process: far from the 2 GiB the body decodes to.
    assert!(r.peak_mb < 330.0, "peak RSS {:.0} MB", r.peak_mb);
}

#[test]
fn output_streams_any_size_to_disk_decoded_without_holding_it() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("zeros.bin");
    let r = send(
        &env,
        "/bomb/gzip/300",
        &["--max-body", "1M", "--output", file.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::metadata(&file).unwrap().len(), 300 << 20);
    assert!(r.stderr.contains("saved 314572800 bytes"), "{}", r.stderr);
    assert!(r.peak_mb < 48.0, "peak RSS {:.0} MB", r.peak_mb);
    // Only the file: no temporary left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // A folder that does not exist: a clear error, nothing written.
    let r = send(&env, "/json", &["--output", "/nonexistent-dir/x.json"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("the folder of /nonexistent-dir/x.json does not exist"),
        "{}",
        r.stderr
    );
}

#[test]
fn no_compressed_asks_for_identity_and_still_decodes_what_comes() {
    let env = Env::new();
    let r = send(&env, "/echo", &["--no-compressed", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let sent = v["json"]["headers"].to_string().to_ascii_lowercase();
    assert!(!sent.contains("accept-encoding"), "{sent}");
    // The bomb route compresses whatever was asked: decoded within the cap, and said.
    let r = send(&env, "/bomb/gzip/2", &["--no-compressed", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["sizes"]["decoded"], 2 << 20);
    assert_eq!(v["content_encoding"], "gzip");
}

#[test]
fn deep_nesting_is_shown_in_linear_memory_with_depth_markers() {
    let env = Env::new();
    for kind in ["json", "xml"] {
        let r = send(&env, &format!("/deep/{kind}/100000"), &[]);
        assert_eq!(r.code, 0, "{kind}: {}", r.stderr);
        let text = String::from_utf8(r.stdout).unwrap();
        assert_eq!(text.lines().count(), 199_999, "{kind}");
        let middle = text.lines().nth(99_999).unwrap();
        assert!(middle.contains("»99999"), "{kind}: {middle}");
        assert!(middle.len() < 80, "{kind}: drawn indentation is capped");
        assert!(r.peak_mb < 64.0, "{kind}: peak RSS {:.0} MB", r.peak_mb);
        assert!(r.took < Duration::from_secs(10), "{kind}: {:?}", r.took);
    }
    // --json streams the same body: bounded, and the fields are there.
    let r = send(&env, "/deep/json/100000", &["--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = String::from_utf8_lossy(&r.stdout);
    assert!(
        out.starts_with("{\"ok\":true"),
        "{}",
        out.get(..80).unwrap_or_default()
    );
    assert!(out.contains("\"body_kind\":\"json\""));
    assert!(out.contains("»99999"), "pretty carries the depth marker");
    assert!(r.peak_mb < 64.0, "--json peak RSS {:.0} MB", r.peak_mb);
    // At a depth serde can take, the streamed object is valid JSON with the body as a value.
    let r = send(&env, "/deep/json/100", &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let mut inner = &v["json"];
    for _ in 0..99 {
        inner = &inner[0];
    }
    assert_eq!(inner, &serde_json::json!([]));
    assert_eq!(v["pretty"].as_str().unwrap().lines().count(), 199);
}

#[test]
fn a_body_that_does_not_decode_is_shown_as_received_and_said() {
    let env = Env::new();
    let r = send(&env, "/not-gzip", &["--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(v["body"], "this says gzip but is plain text");
    assert_eq!(v["warnings"][0]["kind"], "decode_failed", "{v}");
}
