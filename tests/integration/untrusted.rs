//! A profile folder from a colleague's repository is untrusted input: hostile files made at test
//! time must not exhaust the machine, load code, or run anything.
#![allow(
    unsafe_code,
    reason = "the tests make devices and FIFOs, and signal children, with libc"
)]

use std::time::{Duration, Instant};

use crate::common::{Env, certbench_in, demo_send_args};

fn mkfifo(path: &std::path::Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid C string.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[test]
fn a_vars_file_that_is_a_device_or_a_fifo_is_refused_at_once() {
    let env = Env::new();
    let url = format!("{}/json", env.server.url);
    for hostile in ["zero", "fifo"] {
        let dir = tempfile::tempdir().unwrap();
        let vars = dir.path().join("vars.toml");
        match hostile {
            "zero" => std::os::unix::fs::symlink("/dev/zero", &vars).unwrap(),
            _ => mkfifo(&vars),
        }
        let started = Instant::now();
        let out = certbench_in(&env, dir.path(), &demo_send_args(&url));
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{hostile}: took {:?}",
            started.elapsed()
        );
        assert_ne!(out.status.code(), Some(0), "{hostile}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("vars.toml"), "{hostile}: {err}");
        assert!(err.contains("not a regular file"), "{hostile}: {err}");
    }
}

#[test]
fn a_pkcs11_module_is_taken_by_absolute_path_only() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    // A "module" planted in the working folder: never loaded, whatever it holds.
    std::fs::create_dir(dir.path().join("lib")).unwrap();
    std::fs::write(dir.path().join("lib/evil.so"), b"not a library").unwrap();
    let out = certbench_in(
        &env,
        dir.path(),
        &[
            "keys",
            "import",
            "tok",
            "--pkcs11",
            "pkcs11:token=t;object=k",
            "--module",
            "lib/evil.so",
        ],
    );
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("relative path"), "{err}");
    assert!(err.contains("absolute path"), "{err}");
    assert!(!env.home.path().join("keys/tok").exists());
}

/// Writes `name.toml` in `dir`: a GET of the demo echo with the demo key, requiring `requires`.
fn profile(env: &Env, dir: &std::path::Path, name: &str, requires: &[String]) {
    let list: Vec<String> = requires.iter().map(|r| format!("{r:?}")).collect();
    std::fs::write(
        dir.join(format!("{name}.toml")),
        format!(
            "name = \"{name}\"\nurl = \"{}/echo/{name}\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\nrequires = [{}]\n",
            env.server.url,
            list.join(", ")
        ),
    )
    .unwrap();
}

/// How many sends the history holds.
fn sends(env: &Env, dir: &std::path::Path) -> usize {
    let out = certbench_in(
        env,
        dir,
        &["history", "list", "--json", "--limit", "100000"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array().map_or(0, Vec::len)
}

#[test]
fn a_diamond_of_requirements_sends_each_profile_once() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    // 14 layers of 2 profiles, each requiring both of the layer below: 2^14 paths to the bottom.
    for layer in 0..14 {
        for side in ["a", "b"] {
            let below: Vec<String> = if layer == 0 {
                Vec::new()
            } else {
                vec![format!("l{}a", layer - 1), format!("l{}b", layer - 1)]
            };
            profile(&env, dir.path(), &format!("l{layer}{side}"), &below);
        }
    }
    profile(&env, dir.path(), "top", &["l13a".into(), "l13b".into()]);
    let started = Instant::now();
    let out = certbench_in(&env, dir.path(), &["send", "top"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_eq!(
        sends(&env, dir.path()),
        29,
        "28 requirements once each, then top"
    );
}

#[test]
fn a_deep_chain_is_not_a_loop_and_a_real_loop_is_named() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    for i in 0..40 {
        let below = if i == 0 {
            Vec::new()
        } else {
            vec![format!("c{}", i - 1)]
        };
        profile(&env, dir.path(), &format!("c{i}"), &below);
    }
    let out = certbench_in(&env, dir.path(), &["send", "c39"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(sends(&env, dir.path()), 40);

    profile(&env, dir.path(), "x", &["y".into()]);
    profile(&env, dir.path(), "y", &["x".into()]);
    profile(&env, dir.path(), "me", &["me".into()]);
    for (name, cycle) in [("x", "x -> y -> x"), ("me", "requires itself")] {
        let out = certbench_in(&env, dir.path(), &["send", name]);
        assert_ne!(out.status.code(), Some(0), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(cycle), "{name}: {err}");
    }
}

#[test]
fn a_missing_failed_or_outside_requirement_fails_the_profile_that_needs_it() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    profile(&env, dir.path(), "needs-ghost", &["ghost".into()]);
    profile(&env, dir.path(), "needs-path", &["../x".into()]);
    std::fs::write(
        dir.path().join("broken.toml"),
        format!("name = \"broken\"\nurl = \"{}/status/500\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\n", env.server.url),
    )
    .unwrap();
    profile(&env, dir.path(), "needs-broken", &["broken".into()]);
    for (name, words) in [
        ("needs-ghost", "ghost cannot be read"),
        ("needs-path", "is not a profile name"),
        ("needs-broken", "broken failed: it answered 500"),
    ] {
        let out = certbench_in(&env, dir.path(), &["send", name]);
        assert_ne!(out.status.code(), Some(0), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(words), "{name}: {err}");
        assert!(
            err.contains(&format!("{name} was not sent")),
            "{name}: {err}"
        );
    }
}

#[test]
fn a_run_goes_on_past_a_loop_and_takes_requirements_from_its_folder() {
    let env = Env::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite");
    std::fs::create_dir(&suite).unwrap();
    profile(&env, &suite, "base", &[]);
    profile(&env, &suite, "uses-base", &["base".into()]);
    profile(&env, &suite, "self", &["self".into()]);
    std::fs::write(suite.join("vars.toml"), "who = \"suite\"\n").unwrap();
    std::fs::write(
        suite.join("uses-var.toml"),
        format!("name = \"uses-var\"\nurl = \"{}/echo/${{who}}\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\n", env.server.url),
    )
    .unwrap();
    // Run from another folder, with the suite's folder as argument.
    let out = certbench_in(
        &env,
        elsewhere.path(),
        &["run", suite.to_str().unwrap(), "--no-history"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("PASS base"), "{err}");
    assert!(err.contains("PASS uses-base"), "{err}");
    assert!(err.contains("PASS uses-var"), "{err}");
    assert!(err.contains("requires itself"), "{err}");
    assert_eq!(out.status.code(), Some(1), "an invalid profile: {err}");
}

#[test]
fn captures_stay_bounded_in_time_and_memory() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, path: &str, capture: &str| {
        std::fs::write(
            dir.path().join(format!("{name}.toml")),
            format!(
                "name = \"{name}\"\nurl = \"{}{path}\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\nhistory = false\n\n[options]\ntimeout_secs = 5\n\n[capture]\n{capture}\n",
                env.server.url
            ),
        )
        .unwrap();
    };
    // A repetition that would compile for minutes is refused when the profile is read.
    write(
        "huge-regex",
        "/json",
        "x = { regex = '[\\w\\W]{10000}ZZZ' }",
    );
    let started = Instant::now();
    let out = certbench_in(&env, dir.path(), &["send", "huge-regex"]);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("size limit"), "{err}");
    // Every node of a 20 MB body: not parsed, said.
    write("every-node", "/large/20000000", "x = { json = '$..*' }");
    let out = certbench_in(&env, dir.path(), &["send", "every-node"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("JSON captures read bodies of at most 16 MiB"),
        "{err}"
    );
}

#[test]
fn planted_secrets_reach_no_artefact_of_a_run() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let head = format!(
        "credential = \"demo\"\ntrust = [\"demo-ca\"]\nurl = \"{}",
        env.server.url
    );
    std::fs::write(
        d.join("source.toml"),
        format!(
            "name = \"source\"\n{head}/echo/source\"\n\n[headers]\nAuthorization = \"Bearer PLANTED-AUTH-1\"\nX-Token-Src = \"PLANTED-CAP-4\"\n\n[capture]\ntok = {{ regex = 'PLANTED-CAP-\\d' }}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("user.toml"),
        format!(
            "name = \"user\"\n{head}/echo/user\"\nrequires = [\"source\"]\n\n[headers]\nX-Use = \"${{tok}}\"\n\n[expect]\nbody_contains = \"never there\"\n"
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("cookie.toml"),
        format!(
            "name = \"cookie\"\n{head}/cookies/set\"\nquery = [[\"session\", \"PLANTED-COOKIE-3\"]]\nredact = [\"session\"]\n\n[options]\nproxy = \"none\"\n\n[expect]\nheaders = {{ \"set-cookie\" = \"other\" }}\n"
        ),
    )
    .unwrap();
    let reports = tempfile::tempdir().unwrap();
    let junit = reports.path().join("junit.xml");
    let json = reports.path().join("run.json");
    let out = certbench_in(
        &env,
        d,
        &[
            "run",
            "--report",
            &format!("junit={}", junit.display()),
            "--report",
            &format!("json={}", json.display()),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(5), "expectations fail: {stderr}");
    assert!(stderr.contains("FAIL cookie"), "{stderr}");
    let mut artefacts: Vec<(String, Vec<u8>)> = vec![
        ("stdout".into(), out.stdout.clone()),
        ("stderr".into(), out.stderr.clone()),
    ];
    for f in crate::common::walk(reports.path()).into_iter().chain(
        crate::common::walk(env.home.path())
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("history"))
            }),
    ) {
        artefacts.push((f.display().to_string(), std::fs::read(&f).unwrap()));
    }
    assert!(artefacts.len() >= 4, "reports and the history were written");
    for (what, bytes) in &artefacts {
        for secret in ["PLANTED-AUTH-1", "PLANTED-CAP-4", "PLANTED-COOKIE-3"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} found in {what}"
            );
        }
    }
}

#[test]
fn control_characters_from_a_profile_reach_neither_the_terminal_nor_the_junit_file() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("evil.toml"),
        format!(
            "name = \"evil\\u001b]0;pwned\\u0007\\u0001\"\nurl = \"{}/status/500\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\nhistory = false\n",
            env.server.url
        ),
    )
    .unwrap();
    let junit = dir.path().join("junit.xml");
    let out = certbench_in(
        &env,
        dir.path(),
        &["run", "--report", &format!("junit={}", junit.display())],
    );
    assert!(
        !out.stderr.contains(&0x1b),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.stdout.contains(&0x1b));
    assert!(String::from_utf8_lossy(&out.stderr).contains("evil\\x1b]0;pwned\\x07"));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        !xml.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')),
        "{xml:?}"
    );
    // A real XML parser reads it to the end.
    let mut reader = quick_xml::Reader::from_str(&xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("invalid XML: {e}\n{xml}"),
        }
    }
}

#[test]
fn running_out_of_file_handles_is_named_and_never_a_certificate_verdict() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    for i in 0..16 {
        std::fs::write(
            dir.path().join(format!("p{i}.toml")),
            format!(
                "name = \"p{i}\"\nurl = \"{}/slow/300\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\nhistory = false\n\n[options]\nhttp_version = \"1.1\"\n",
                env.server.url
            ),
        )
        .unwrap();
    }
    // Too few handles for sixteen connections at once.
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "ulimit -n 14; exec {} --profiles . run --jobs 16 --no-history",
            env!("CARGO_BIN_EXE_certbench")
        ))
        .env("CERTBENCH_HOME", env.home.path())
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[out_of_file_handles]"), "{err}");
    assert!(err.contains("nothing reached the server"), "{err}");
    assert!(!err.contains("client_cert"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn the_demo_server_caps_hostile_sizes_and_cleans_up_on_sigterm() {
    use std::io::BufRead;
    let env = Env::new();
    // An absurd depth is capped (it used to try to allocate 4 GB and abort).
    let url = format!("{}/deep/json/2000000000", env.server.url);
    let mut args = demo_send_args(&url);
    args.extend(["--output", "/dev/null"]);
    let out = certbench_in(&env, env.home.path(), &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = format!("{}/json", env.server.url);
    assert_eq!(
        certbench_in(&env, env.home.path(), &demo_send_args(&json))
            .status
            .code(),
        Some(0)
    );

    // `demo --serve` removes its temporary home (the demo's private keys) on SIGTERM.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_certbench"))
        .args(["demo", "--serve", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let home = reader
        .lines()
        .map_while(Result::ok)
        .find_map(|l| {
            l.trim()
                .strip_prefix("export CERTBENCH_HOME=")
                .map(str::to_string)
        })
        .expect("the banner names the home");
    assert!(std::path::Path::new(&home).join("keys").is_dir());
    // SAFETY: kill with a pid of our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143));
    assert!(
        !std::path::Path::new(&home).exists(),
        "{home} was left behind"
    );
}

#[test]
fn a_bound_key_stays_with_its_hosts_across_a_redirect() {
    let env = Env::with(|c| c.client_auth = demo::ClientAuth::Optional);
    let dir = tempfile::tempdir().unwrap();
    let port = env.server.addr.port();
    let bind = certbench_in(&env, dir.path(), &["keys", "bind", "demo", "localhost"]);
    assert_eq!(
        bind.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&bind.stderr)
    );
    // localhost (bound) redirects to 127.0.0.1 (not bound): the key must not go along.
    let url = format!("https://localhost:{port}/redirect/302?to=https://127.0.0.1:{port}/echo");
    let out = certbench_in(
        &env,
        dir.path(),
        &[
            "send",
            "--url",
            &url,
            "--trust",
            "demo-ca",
            "--json",
            "--no-history",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["json"]["client_cert"].is_null(),
        "the key reached 127.0.0.1: {}",
        v["json"]
    );
    let warnings = v["warnings"].to_string();
    assert!(warnings.contains("key_withheld_on_redirect"), "{warnings}");
    // A key named for the request follows, as curl's does, and that is said.
    let out = certbench_in(
        &env,
        dir.path(),
        &[
            "send",
            "--url",
            &url,
            "--credential",
            "demo",
            "--trust",
            "demo-ca",
            "--json",
            "--no-history",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["json"]["client_cert"]["cn"], "certbench-demo-client");
    assert!(
        v["warnings"].to_string().contains("key_followed_redirect"),
        "{}",
        v["warnings"]
    );
}
