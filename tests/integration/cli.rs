//! The headless CLI contract: commands, --json fields and exit codes, run as a real process.

use std::process::{Command, Output};

use crate::common::Env;

fn certbench(env: &Env, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_certbench"))
        .args(args)
        .env("CERTBENCH_HOME", env.home.path())
        .env("CERTBENCH_TEST_PW", "pw123")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn every_example_profile_loads_and_runs_against_the_demo_server() {
    let loaded = engine::request::profile_dir::load_dir(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/profiles"
    )));
    assert!(loaded.len() >= 4, "ship 4-6 example profiles");
    let env = Env::new();
    let var = format!("base_url={}", env.server.url);
    let socket = format!(
        "socket_url={}/socket",
        env.server.url.replacen("https://", "wss://", 1)
    );
    for p in &loaded {
        assert!(p.result.is_ok(), "{}: {:?}", p.name, p.result);
        let mut args = vec!["send", &p.name, "--var", &var, "--var", &socket, "--json"];
        if p.name == "echo-socket" {
            args.extend(["--max-messages", "3"]);
        }
        let out = certbench(&env, &args);
        assert_eq!(code(&out), 0, "{}: {}", p.name, stderr(&out));
        // The exchange is the last line (an event stream's events come first, one a line).
        let text = String::from_utf8_lossy(&out.stdout);
        let last = text.lines().last().unwrap_or_default();
        let v: serde_json::Value = serde_json::from_str(last).unwrap();
        if p.name == "echo-socket" {
            // A greeting and the two messages echoed.
            assert_eq!(v["status"], 101, "{}", p.name);
            assert_eq!(v["stream"]["events"], 3, "{text}");
            assert_eq!(v["stream"]["end"], "max_events", "{text}");
            assert!(text.contains("certbench-demo-client"), "{text}");
            continue;
        }
        assert_eq!(v["status"], 200, "{}", p.name);
        if p.name == "order-events" {
            assert_eq!(v["stream"]["end"], "time_limit", "{}", p.name);
            assert!(text.lines().count() > 3, "events came first: {text}");
        }
    }
}

#[test]
fn json_output_carries_the_contract_fields() {
    let env = Env::new();
    let url = format!("{}/echo", env.server.url);
    let out = certbench(
        &env,
        &[
            "send",
            "--url",
            &url,
            "--credential",
            "demo",
            "--trust",
            "demo-ca",
            "--query",
            "a=1",
            "--query",
            "a=2",
            "-H",
            "Authorization: Bearer tok",
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for field in [
        "status",
        "url",
        "headers",
        "body",
        "json",
        "redirects",
        "tls",
        "timing_ms",
    ] {
        assert!(v.get(field).is_some(), "missing {field}");
    }
    assert!(
        v["url"]
            .as_str()
            .unwrap()
            .ends_with("/echo?a%5B0%5D=1&a%5B1%5D=2")
    );
    assert_eq!(v["json"]["client_cert"]["cn"], "certbench-demo-client");
    for field in [
        "version",
        "cipher",
        "server_chain",
        "client_cert_requested",
        "acceptable_ca_names",
        "client_cert_sent",
    ] {
        assert!(v["tls"].get(field).is_some(), "missing tls.{field}");
    }
    assert_eq!(
        v["request"]["headers"][0][1], "<redacted>",
        "secrets are masked in output"
    );
}

#[test]
fn exit_codes() {
    let env = Env::new();
    let base = env.server.url.clone();
    let send = |path: &str, extra: &[&str]| {
        let url = format!("{base}{path}");
        let mut args = vec![
            "send",
            "--url",
            url.as_str(),
            "--credential",
            "demo",
            "--trust",
            "demo-ca",
        ];
        args.extend_from_slice(extra);
        certbench(&env, &args)
    };
    assert_eq!(code(&send("/echo", &[])), 0);
    let o = send("/status/503", &[]);
    assert_eq!(code(&o), 4);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("503"),
        "the body is still printed"
    );
    assert_eq!(code(&send("/status/503", &["--no-status-errors"])), 0);
    assert_eq!(code(&send("/slow/3000", &["--timeout", "1"])), 3);
    let o = send("/echo", &["--timeout", "301"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("1 to 300"), "{}", stderr(&o));
    assert_eq!(code(&send("/echo", &["--timeout", "0"])), 1);
    assert_eq!(code(&send("/echo", &["--method", "GE T"])), 1);
    assert_eq!(code(&send("/echo", &["-H", "Bad Header: x"])), 1);
    assert_eq!(code(&send("/echo", &["--part", "f=@/no/such/file"])), 1);
    assert_eq!(code(&send("/echo", &["--credential", "nope"])), 1);
    let o = certbench(&env, &["send", "--url", "https://127.0.0.1:1/", "--json"]);
    assert_eq!(code(&o), 2);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "connection_refused");
    assert!(v["error"]["hint"].as_str().is_some_and(|h| !h.is_empty()));
    assert_eq!(code(&certbench(&env, &["send", "--url", "ftp://x"])), 1);
    assert_eq!(
        code(&certbench(&env, &["send", "--url", "https://x/${missing}"])),
        1
    );
}

#[test]
fn broken_profile_is_named_with_line_and_suggestion_and_does_not_hide_others() {
    let env = Env::new();
    let dir = env.home.path().join("profiles");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("good.toml"), "url = \"https://localhost/\"\n").unwrap();
    std::fs::write(
        dir.join("bad.toml"),
        "url = \"https://localhost/\"\nmethd = \"GET\"\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let o = certbench(&env, &["profiles", "list", "--profiles", d]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("good"), "{out}");
    assert!(
        out.contains("bad.toml:2") && out.contains("did you mean `method`"),
        "{out}"
    );
    let o = certbench(&env, &["send", "bad", "--profiles", d]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("did you mean `method`"));
}

#[test]
fn keys_import_list_show_export_delete_and_expiring() {
    let env = Env::new();
    let dir = env.home.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let soon = env
        .demo
        .pki
        .client("soon", demo::Days { from: -300, to: 10 });
    std::fs::write(dir.join("soon.pem"), &soon.cert_pem).unwrap();
    std::fs::write(dir.join("soon.key"), &soon.key_pem).unwrap();
    let o = Command::new("openssl")
        .args([
            "pkcs12",
            "-export",
            "-in",
            "soon.pem",
            "-inkey",
            "soon.key",
            "-out",
            "soon.p12",
            "-passout",
            "pass:pw123",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(o.status.success());
    let p12 = dir.join("soon.p12");
    let o = certbench(
        &env,
        &[
            "keys",
            "import",
            "soon",
            "--p12",
            p12.to_str().unwrap(),
            "--password-env",
            "CERTBENCH_TEST_PW",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("expires in"), "{}", stderr(&o));
    let o = certbench(
        &env,
        &["keys", "import", "soon2", "--p12", p12.to_str().unwrap()],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("password"),
        "no TTY: asks for --password-env; {}",
        stderr(&o)
    );
    let o = certbench(&env, &["keys", "list", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(
        code(&certbench(&env, &["keys", "list", "--expiring", "30"])),
        1
    );
    assert_eq!(
        code(&certbench(&env, &["keys", "list", "--expiring", "5"])),
        0
    );
    let o = certbench(&env, &["keys", "export", "soon"]);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(
        code(&certbench(&env, &["keys", "show", "soon", "--json"])),
        0
    );
    // The password never reaches the disk.
    for entry in crate::common::walk(env.home.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(6).any(|w| w == b"pw123\n" || w == b"pw123\""),
            "password found in {}",
            entry.display()
        );
    }
    assert_eq!(code(&certbench(&env, &["keys", "delete", "soon"])), 0);
    assert_eq!(code(&certbench(&env, &["keys", "delete", "soon"])), 1);
}

#[test]
fn keys_check_reports_acceptance_and_rejection() {
    let env = Env::new();
    let url = env.server.url.clone();
    let o = certbench(
        &env,
        &["keys", "check", "demo", "--url", &url, "--trust", "demo-ca"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("accepted"));
    let other = demo::Pki::new("Other CA").client("x", demo::Days::default());
    env.ks
        .import_pem(
            "other",
            other.cert_pem.as_bytes(),
            other.key_pem.as_bytes(),
            None,
            "x",
        )
        .unwrap();
    let o = certbench(
        &env,
        &[
            "keys", "check", "other", "--url", &url, "--trust", "demo-ca", "--json",
        ],
    );
    assert_eq!(code(&o), 2);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["diagnosis"]["kind"], "client_cert_unknown_ca");
}

#[test]
fn key_files_that_are_devices_fifos_or_huge_are_refused_without_hanging() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("key.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let huge = dir.path().join("huge.p12");
    std::fs::write(&huge, vec![0u8; 2 << 20]).unwrap();
    let start = std::time::Instant::now();
    for (file, says) in [
        ("/dev/zero", "not a regular file"),
        (fifo.to_str().unwrap(), "not a regular file"),
        (huge.to_str().unwrap(), "larger than"),
        ("/tmp", "a folder"),
    ] {
        let o = certbench(
            &env,
            &[
                "keys",
                "import",
                "x",
                "--p12",
                file,
                "--password-env",
                "NOPE_UNSET",
            ],
        );
        assert_eq!(code(&o), 1, "{file}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{file}: {}", stderr(&o));
        let o = certbench(&env, &["trust", "add", "x", file]);
        assert_eq!(code(&o), 1, "{file}: {}", stderr(&o));
    }
    let small = dir.path().join("small.p12");
    std::fs::write(&small, b"junk").unwrap();
    let pw = certbench(
        &env,
        &[
            "keys",
            "import",
            "x",
            "--p12",
            small.to_str().unwrap(),
            "--password-file",
            fifo.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&pw), 1, "{}", stderr(&pw));
    assert!(stderr(&pw).contains("--password-file"), "{}", stderr(&pw));
    assert!(
        start.elapsed() < std::time::Duration::from_secs(30),
        "no hang"
    );
}

#[test]
fn a_closed_stdout_ends_quietly_with_the_usual_exit_code() {
    let env = Env::new();
    for args in [
        &["keys", "list"][..],
        &["keys", "export", "demo"],
        &["trust", "list", "--json"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = Command::new(env!("CARGO_BIN_EXE_certbench"))
            .args(args)
            .env("CERTBENCH_HOME", env.home.path())
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{args:?}: {}", stderr(&o));
    }
}

fn mkfifo(path: &std::path::Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn body_files_are_bounded_and_fifos_never_block() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("body.fifo");
    mkfifo(&fifo);
    let url = format!("{}/echo", env.server.url);
    let base = crate::common::demo_send_args(&url);
    let start = std::time::Instant::now();
    for (flag, file, says) in [
        ("--data-file", "/dev/zero".to_string(), "not a regular file"),
        (
            "--data-file",
            fifo.display().to_string(),
            "not a regular file",
        ),
        (
            "--part",
            "f=@/dev/urandom".to_string(),
            "not a regular file",
        ),
        (
            "--part",
            format!("f=@{}", fifo.display()),
            "not a regular file",
        ),
        ("--part", "f=@/no/such/file".to_string(), "does not exist"),
    ] {
        let mut args = base.clone();
        args.extend([flag, file.as_str()]);
        let o = certbench(&env, &args);
        assert_ne!(code(&o), 0, "{flag} {file}");
        assert!(stderr(&o).contains(says), "{flag} {file}: {}", stderr(&o));
    }
    // Over 64 MiB: refused with the limit named (a sparse file costs no disk).
    let big = dir.path().join("big.bin");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    let mut args = base.clone();
    let part = format!("f=@{}", big.display());
    args.extend(["--part", part.as_str()]);
    let o = certbench(&env, &args);
    assert_ne!(code(&o), 0);
    assert!(stderr(&o).contains("over the 64MiB"), "{}", stderr(&o));
    // A /proc file says its size is 0 but has content: sent whole, not as an empty part.
    let mut args = base.clone();
    args.extend(["--part", "f=@/proc/self/status", "--json"]);
    let o = certbench(&env, &args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["json"]["body"].as_str().unwrap().contains("VmRSS"), "{v}");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(30),
        "no hang"
    );
}

#[test]
fn a_fifo_among_the_profiles_is_listed_as_broken_and_blocks_nothing() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("good.toml"),
        "url = \"https://example.test/\"\n",
    )
    .unwrap();
    mkfifo(&dir.path().join("stuck.toml"));
    let start = std::time::Instant::now();
    let o = certbench(
        &env,
        &[
            "profiles",
            "list",
            "--profiles",
            dir.path().to_str().unwrap(),
        ],
    );
    assert!(
        start.elapsed() < std::time::Duration::from_secs(10),
        "no hang"
    );
    let out = String::from_utf8_lossy(&o.stdout).into_owned() + &stderr(&o);
    assert!(out.contains("good"), "{out}");
    assert!(
        out.contains("stuck") && out.contains("not a regular file"),
        "{out}"
    );
}

#[test]
fn line_breaks_and_bad_media_types_are_errors_not_silent_edits() {
    let env = Env::new();
    let url = format!("{}/echo", env.server.url);
    for (args, says) in [
        (vec!["--url", "https://example.test/a\nb"], "line break"),
        (
            vec![
                "--url",
                &url,
                "--data",
                "x",
                "--content-type",
                "text/plain\r\nX-Evil: 1",
            ],
            "line break",
        ),
        (
            vec!["--url", &url, "--data", "x", "--content-type", "not a type"],
            "not a media type",
        ),
    ] {
        let mut all = vec![
            "send",
            "--credential",
            "demo",
            "--trust",
            "demo-ca",
            "--no-history",
        ];
        all.extend(args.iter().copied());
        let o = certbench(&env, &all);
        assert_eq!(code(&o), 1, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    // A multipart part's content type is checked at validation too.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f.txt"), "hi").unwrap();
    std::fs::write(
        dir.path().join("p.toml"),
        format!(
            "url = \"{url}\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\n[body]\ntype = \"multipart\"\n[[body.parts]]\nname = \"f\"\nfile = \"{}\"\ncontent_type = \"what ever\"\n",
            dir.path().join("f.txt").display()
        ),
    )
    .unwrap();
    let o = certbench(
        &env,
        &[
            "send",
            "p",
            "--profiles",
            dir.path().to_str().unwrap(),
            "--no-history",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("not a media type"), "{}", stderr(&o));
}

#[test]
fn keys_check_reports_a_silent_server_as_a_timeout_within_its_timeout() {
    let env = Env::new();
    // Accepts TCP, never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://127.0.0.1:{}/", silent.local_addr().unwrap().port());
    let start = std::time::Instant::now();
    let o = certbench(
        &env,
        &[
            "keys",
            "check",
            "demo",
            "--url",
            &url,
            "--timeout",
            "1",
            "--json",
        ],
    );
    let took = start.elapsed();
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["diagnosis"]["kind"], "timeout", "{v}");
    assert!(took < std::time::Duration::from_secs(4), "{took:?}");
    drop(silent);
}

#[test]
fn the_cookie_jar_file_keeps_one_cookie_per_name_and_drops_expired_ones() {
    let env = Env::new();
    let jar = env.home.path().join("jar.json");
    let send = |path: &str| {
        let url = format!("{}{path}", env.server.url);
        let mut args = crate::common::demo_send_args(&url);
        args.extend(["--cookie-jar", jar.to_str().unwrap(), "--json"]);
        let out = certbench(&env, &args);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let raw_cookies = || -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&jar).unwrap()).unwrap();
        let mut raw: Vec<String> = v
            .as_array()
            .expect("a JSON array of cookies")
            .iter()
            .map(|c| {
                c["raw_cookie"]
                    .as_str()
                    .unwrap()
                    .split(';')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect();
        raw.sort();
        raw
    };
    send("/cookies/set?a=1");
    send("/cookies/set?a=1");
    send("/cookies/set?b=2");
    assert_eq!(raw_cookies(), ["a=1", "b=2"], "set twice, kept once");
    send("/cookies/set?a=3");
    assert_eq!(
        raw_cookies(),
        ["a=3", "b=2"],
        "a new value replaces the old one"
    );
    // Max-Age=0 is how a server deletes a cookie: gone from the file and from the next request.
    send("/cookies/set?a=gone%3B%20Max-Age%3D0");
    assert_eq!(raw_cookies(), ["b=2"]);
    let echo = send("/echo");
    let sent: Vec<String> = echo["body"]
        .as_str()
        .map(|b| serde_json::from_str::<serde_json::Value>(b).unwrap())
        .unwrap_or_else(|| echo["json"].clone())["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h[0] == "cookie")
        .map(|h| h[1].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sent, ["b=2"], "{echo}");
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&jar).unwrap().permissions())
            & 0o777,
        0o600
    );
}

#[test]
fn the_workbench_without_a_terminal_says_so_and_writes_no_escape_sequence() {
    let env = Env::new();
    let o = Command::new(env!("CARGO_BIN_EXE_certbench"))
        .env("CERTBENCH_HOME", env.home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("the workbench needs a terminal (use ssh -t)"),
        "{}",
        stderr(&o)
    );
    assert!(
        o.stdout.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(
        !o.stderr.contains(&0x1b),
        "no escape sequence: {:?}",
        stderr(&o)
    );
}

/// Shell completions that the shell itself loads, a manual page, and CERTBENCH_PROFILES.
#[test]
fn completions_load_in_bash_the_man_page_renders_and_the_profiles_folder_comes_from_the_env() {
    let bin = env!("CARGO_BIN_EXE_certbench");
    let run = |args: &[&str]| std::process::Command::new(bin).args(args).output().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bash = run(&["completions", "bash"]);
    assert_eq!(code(&bash), 0, "{}", stderr(&bash));
    std::fs::write(dir.path().join("c.bash"), &bash.stdout).unwrap();
    // Sourced by bash, TAB asks the binary: commands, options, and names read at that moment
    // (profiles from CERTBENCH_PROFILES, keys from the home).
    std::fs::write(dir.path().join("orders-get.toml"), "url = \"https://x/\"\n").unwrap();
    std::fs::create_dir(dir.path().join("environments")).unwrap();
    std::fs::write(dir.path().join("environments/staging.toml"), "").unwrap();
    let tab = |words: &str| {
        let o = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source {} && complete -p certbench && COMP_WORDS=({words}) && COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )) && COMP_TYPE=9 && _clap_complete_certbench certbench \"${{COMP_WORDS[COMP_CWORD]}}\" && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                dir.path().join("c.bash").display()
            ))
            .env("CERTBENCH_PROFILES", dir.path())
            .env("CERTBENCH_HOME", dir.path().join("home"))
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert!(
        tab("certbench his").contains("history"),
        "{}",
        tab("certbench his")
    );
    assert!(tab("certbench send --max-e").contains("--max-events"));
    assert!(
        tab("certbench send orders").contains("orders-get"),
        "{}",
        tab("certbench send orders")
    );
    assert!(tab("certbench run --env sta").contains("staging"));
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let o = run(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("COMPLETE"),
            "{shell}"
        );
    }
    // The answer the shells read: one candidate a line (fish's form shown here).
    let o = std::process::Command::new(bin)
        .args(["--", "certbench", "send", "orders"])
        .env("COMPLETE", "fish")
        .env("CERTBENCH_PROFILES", dir.path())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "orders-get");
    assert_eq!(
        code(&run(&["completions", "tcsh"])),
        1,
        "an unknown shell is a usage error"
    );
    let man = run(&["man"]);
    assert_eq!(code(&man), 0);
    let roff = String::from_utf8_lossy(&man.stdout);
    assert!(roff.contains(".TH certbench 1"), "{roff}");
    assert!(roff.contains("completions"), "the subcommands are listed");
    // CERTBENCH_PROFILES names the folder when --profiles does not.
    std::fs::write(
        dir.path().join("from-env.toml"),
        "url = \"https://x.example.test/\"\n",
    )
    .unwrap();
    let o = std::process::Command::new(bin)
        .args(["profiles", "list"])
        .env("CERTBENCH_PROFILES", dir.path())
        .env("CERTBENCH_HOME", dir.path().join("home"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("from-env"),
        "{}",
        stderr(&o)
    );
}
