//! `certbench run` as a CI job would use it: a folder of profiles, reports, exit codes, and one
//! handshake per origin however many jobs run at once.

use std::path::Path;
use std::process::Output;
use std::sync::atomic::Ordering;

use crate::common::Env;

fn certbench(env: &Env, dir: &Path, args: &[&str]) -> Output {
    crate::common::certbench_in(env, dir, args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The shipped token flow and echo profiles, plus `n` plain ones, against `url`.
fn suite(url: &str, n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles");
    for name in ["get-token.toml", "accounts.toml", "echo-orders.toml"] {
        std::fs::copy(examples.join(name), dir.path().join(name)).unwrap();
    }
    std::fs::write(
        dir.path().join("vars.toml"),
        format!("base_url = \"{url}\"\n"),
    )
    .unwrap();
    for i in 0..n {
        std::fs::write(
            dir.path().join(format!("ping-{i:03}.toml")),
            format!(
                "name = \"ping-{i:03}\"\nurl = \"${{base_url}}/echo?i={i}\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\n[expect]\nstatus = 200\n"
            ),
        )
        .unwrap();
    }
    dir
}

#[test]
fn a_suite_passes_with_one_handshake_and_reports_junit_and_json() {
    let env = Env::new();
    let dir = suite(&env.server.url, 20);
    let junit = dir.path().join("out/junit.xml");
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let report = dir.path().join("out/report.json");
    let before = env.server.handshakes.load(Ordering::SeqCst);
    let o = certbench(
        &env,
        dir.path(),
        &[
            "run",
            "--jobs",
            "8",
            "--report",
            &format!("junit={}", junit.display()),
            "--report",
            &format!("json={}", report.display()),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let handshakes = env.server.handshakes.load(Ordering::SeqCst) - before;
    assert_eq!(
        handshakes, 1,
        "23 profiles, 8 at a time, one origin and key: one handshake"
    );
    let err = stderr(&o);
    assert!(err.contains("23 passed, 0 failed, 0 skipped"), "{err}");
    assert!(err.contains("PASS accounts 200"), "{err}");
    // JUnit that a reader parses: one testcase per profile, none failed.
    let xml = std::fs::read_to_string(&junit).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event().expect("well-formed JUnit XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"testcase" => cases += 1,
                    b"failure" | b"error" => failures += 1,
                    _ => {}
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!((cases, failures), (23, 0), "{xml}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 23);
    let accounts = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["profile"] == "accounts")
        .unwrap();
    assert_eq!(accounts["passed"], true);
    assert_eq!(accounts["expectations"]["checked"], 6);
    // get-token ran in the first wave, so accounts found its token set: nothing sent twice.
    assert_eq!(accounts["required_first"], 0);
}

#[test]
fn a_failed_expectation_fails_the_build_and_fail_fast_skips_the_rest() {
    let env = Env::new();
    let dir = suite(&env.server.url, 3);
    std::fs::write(
        dir.path().join("aaa-strict.toml"),
        "name = \"aaa-strict\"\nurl = \"${base_url}/status/503\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\noptions = { errors_on_status = false }\n[expect]\nstatus = \"2xx\"\n",
    )
    .unwrap();
    let junit = dir.path().join("junit.xml");
    let o = certbench(
        &env,
        dir.path(),
        &["run", "--report", &format!("junit={}", junit.display())],
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("FAIL aaa-strict 503"), "{err}");
    assert!(err.contains("status 503 is not 2xx"), "{err}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<failure type=\"expectation_failed\" message=\"status 503 is not 2xx\""),
        "{xml}"
    );
    let o = certbench(&env, dir.path(), &["run", "--jobs", "1", "--fail-fast"]);
    assert_eq!(o.status.code(), Some(5));
    assert!(stderr(&o).contains("SKIP"), "{}", stderr(&o));
    // Only some profiles, by name and by file.
    let o = certbench(&env, dir.path(), &["run", "ping-000", "ping-001"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 passed"), "{}", stderr(&o));
    let o = certbench(&env, dir.path(), &["run", "--report", "xml=out"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn on_a_terminal_the_summary_fits_80_columns_and_says_each_failure_once() {
    use crate::common::tmux::{new_session, wait_for};
    let env = Env::new();
    let dir = suite(&env.server.url, 2);
    // A failure with a long reason and a long name.
    std::fs::write(
        dir.path().join("a-profile-with-a-rather-long-name-indeed.toml"),
        "url = \"${base_url}/echo\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\n[expect]\nstatus = 201\nbody_contains = \"a phrase the echo will never hold, long enough to pass the edge of the screen\"\n",
    )
    .unwrap();
    let report = dir.path().join("report.json");
    let session = format!("certbench-runtty-{}", std::process::id());
    let cmd = format!(
        "cd {} && CERTBENCH_HOME={} {} --profiles . run --no-history --report json={}; echo EXITED-$?; sleep 20",
        dir.path().display(),
        env.home.path().display(),
        env!("CARGO_BIN_EXE_certbench"),
        report.display()
    );
    let _session = new_session(&session, 80, 40, &cmd);
    let screen = wait_for(&session, "EXITED-5", 30);
    assert!(screen.contains("profile"), "the table's header: {screen}");
    assert_eq!(
        screen.matches("a phrase the echo will never hold").count(),
        1,
        "the reason is said once: {screen}"
    );
    assert!(screen.contains("FAIL expectations"), "{screen}");
    // A long name is cut in the table so its row stays within 80 columns.
    assert!(screen.contains("a-profile-with-a-rather-lon…"), "{screen}");
    // Durations in the report are rounded to a tenth of a millisecond.
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    for o in v.as_array().unwrap() {
        let ms = o["duration_ms"].as_f64().unwrap();
        assert_eq!((ms * 10.0).round() / 10.0, ms, "{o}");
    }
}
