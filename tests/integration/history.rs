//! History and comparison against a real mTLS server: redaction down to the file's bytes, bounds,
//! reopen, concurrent writers, corrupt and locked files, two-key sends and `history diff`.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::Env;
use demo::Days;
use engine::diagnose::Failure;
use engine::exchange::{BodyView, Exchange};
use engine::history::compare;
use engine::history::{self, Filter, History, Limits, Record};
use engine::request::prepare;
use engine::request::profile::{HeaderValues, Profile};
use engine::request::vars::Vars;

fn certbench(env: &Env, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_certbench"))
        .args(args)
        .env("CERTBENCH_HOME", env.home.path())
        .current_dir(env.home.path())
        .output()
        .unwrap()
}

/// `send --url URL` with the demo key and CA, recorded in history.
fn demo_args(url: &str) -> [&str; 7] {
    [
        "send",
        "--url",
        url,
        "--credential",
        "demo",
        "--trust",
        "demo-ca",
    ]
}

/// `certbench send --url URL` with the demo key and CA, as a process.
fn send_demo(env: &Env, url: &str) -> Output {
    certbench(env, &demo_args(url))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn record(env: &Env, hist: &History, p: &Profile) -> (Option<i64>, Result<Exchange, Failure>) {
    let req = prepare::prepare(p, &Vars::new()).expect("prepares");
    let result = env.rt.block_on(env.transport.send(&req));
    let id = hist
        .record(&Record {
            profile: p,
            request: &req,
            result: &result,
            key_sha256: Some("ab".repeat(32)),
        })
        .expect("recorded");
    (id, result)
}

/// Every history.db* file's bytes, concatenated.
fn db_bytes(home: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(home).unwrap().flatten() {
        if e.file_name().to_string_lossy().starts_with("history.db") {
            out.extend(std::fs::read(e.path()).unwrap());
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn import_second_key(env: &Env) {
    let other = env.demo.pki.client("second-client", Days::default());
    env.ks
        .import_pem(
            "other",
            other.cert_pem.as_bytes(),
            other.key_pem.as_bytes(),
            None,
            "other key",
        )
        .unwrap();
}

#[test]
fn secrets_never_reach_the_database_file() {
    let env = Env::new();
    let hist = History::open(env.home.path(), Limits::default()).unwrap();
    let mut p = env.profile("/echo?api_key=query-secret-777&page=2");
    p.redact = vec!["x-api-key".into(), "api_key".into()];
    p.headers.insert(
        "Authorization".into(),
        HeaderValues::One("Bearer header-token-4242".into()),
    );
    p.headers.insert(
        "X-Api-Key".into(),
        HeaderValues::One("apikey-secret-999".into()),
    );
    p.headers.insert(
        "Cookie".into(),
        HeaderValues::One("sid=cookie-secret-555".into()),
    );
    let (id, result) = record(&env, &hist, &p);
    let ex = result.expect("echo answers");
    // The server really received the secrets (and echoed them back in the body).
    assert!(contains(&ex.body, "header-token-4242"));
    let mut set = env.profile("/cookies/set?session=set-cookie-secret-31");
    set.name = "cookies".into();
    let (_, set_result) = record(&env, &hist, &set);
    assert!(set_result.is_ok());

    let secrets = [
        "header-token-4242",
        "apikey-secret-999",
        "cookie-secret-555",
        "query-secret-777",
        "set-cookie-secret-31",
    ];
    // Checked while open (the WAL holds the new pages) and after close.
    let mut open = Some(hist);
    for stage in ["open", "closed"] {
        if stage == "closed" {
            open.take();
        }
        let bytes = db_bytes(env.home.path());
        assert!(bytes.len() > 4096, "the database has content");
        for s in secrets {
            assert!(!contains(&bytes, s), "{s} found in the database ({stage})");
        }
        assert!(
            contains(&bytes, "certbench-demo-client"),
            "non-secret data is stored"
        );
    }
    let hist = History::open(env.home.path(), Limits::default()).unwrap();
    let entry = hist.get(id.unwrap()).unwrap();
    let auth = entry
        .request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .unwrap();
    assert_eq!(auth.1, "<redacted>");
    assert!(entry.request.url.contains("page=2") && !entry.request.url.contains("777"));
    assert_eq!(
        entry.profile.headers["Authorization"],
        HeaderValues::One("<redacted>".into())
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(hist.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn entries_survive_reopen_with_body_view_and_failures() {
    let env = Env::new();
    let hist = History::open(env.home.path(), Limits::default()).unwrap();
    let (ok_id, _) = record(&env, &hist, &env.profile("/json"));
    let mut refused = env.profile("/json");
    refused.name = "refused".into();
    refused.url = "https://127.0.0.1:1/x".into();
    let (fail_id, _) = record(&env, &hist, &refused);
    drop(hist);

    let hist = History::open(env.home.path(), Limits::default()).unwrap();
    let rows = hist.list(&Filter::default(), 50).unwrap();
    assert_eq!(
        rows.iter().filter_map(|r| r.id).collect::<Vec<_>>(),
        vec![fail_id.unwrap(), ok_id.unwrap()]
    );
    assert_eq!(rows[1].status, Some(200));
    assert_eq!(rows[1].key.as_deref(), Some("demo"));
    assert_eq!(
        rows[0].error_kind.map(|k| k.as_str()),
        Some("connection_refused")
    );
    let ok = hist.get(ok_id.unwrap()).unwrap();
    let ex = ok.result.expect("a response");
    assert!(matches!(ex.view, BodyView::Json { .. }), "{:?}", ex.view);
    assert!(ex.tls.unwrap().client_cert_sent.is_some());
    let failed = hist.get(fail_id.unwrap()).unwrap();
    assert_eq!(
        failed.result.unwrap_err().diagnosis.kind,
        "connection_refused"
    );

    // Filters: by profile, by status class, by failure.
    let by = |f: &str| hist.list(&Filter::parse(f), 50).unwrap().len();
    assert_eq!(by("profile:refused"), 1);
    assert_eq!(by("status:2xx"), 1);
    assert_eq!(by("status:error"), 1);
    assert_eq!(by("key:demo"), 2);
    assert_eq!(by("key:nobody"), 0);
    assert_eq!(by("127.0.0.1:1"), 1);
    hist.delete(fail_id.unwrap()).unwrap();
    assert!(matches!(
        hist.get(fail_id.unwrap()),
        Err(history::HistoryError::NotFound(_))
    ));
}

#[test]
fn bodies_are_capped_and_old_entries_pruned() {
    let env = Env::new();
    let limits = Limits {
        body_cap: 1000,
        keep: 5,
    };
    let hist = History::open(env.home.path(), limits).unwrap();
    let (big, _) = record(&env, &hist, &env.profile("/large/5000"));
    let e = hist.get(big.unwrap()).unwrap();
    assert!(e.body_truncated);
    assert_eq!(e.result.unwrap().body.len(), 1000);
    let mut ids = Vec::new();
    for _ in 0..7 {
        ids.push(record(&env, &hist, &env.profile("/status/201")).0.unwrap());
    }
    assert_eq!(hist.prune().unwrap(), 3);
    let kept: Vec<i64> = hist
        .list(&Filter::default(), 100)
        .unwrap()
        .iter()
        .filter_map(|r| r.id)
        .collect();
    assert_eq!(kept, ids.iter().rev().take(5).copied().collect::<Vec<_>>());
}

#[test]
fn profile_may_opt_out() {
    let env = Env::new();
    let hist = History::open(env.home.path(), Limits::default()).unwrap();
    let mut p = env.profile("/json");
    p.history = false;
    assert_eq!(record(&env, &hist, &p).0, None);
    assert_eq!(hist.count().unwrap(), 0);
}

#[test]
fn two_connections_writing_at_once_lose_nothing() {
    let env = Env::new();
    let p = env.profile("/json");
    let req = prepare::prepare(&p, &Vars::new()).unwrap();
    let result = env.rt.block_on(env.transport.send(&req));
    let home = env.home.path().to_path_buf();
    History::open(&home, Limits::default()).unwrap();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let h = History::open(&home, Limits::default()).unwrap();
                for _ in 0..150 {
                    h.record(&Record {
                        profile: &p,
                        request: &req,
                        result: &result,
                        key_sha256: None,
                    })
                    .expect("every write lands");
                }
            });
        }
    });
    let h = History::open(&home, Limits::default()).unwrap();
    assert_eq!(h.count().unwrap(), 300);
}

#[test]
fn two_processes_sending_at_once_record_every_send() {
    let env = Env::new();
    let url = format!("{}/json", env.server.url);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..8 {
                    let o = send_demo(&env, &url);
                    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
                    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
                }
            });
        }
    });
    let o = certbench(&env, &["history", "list", "--json", "--limit", "100"]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 16);
}

#[test]
fn corrupt_file_is_set_aside_and_sending_goes_on() {
    let env = Env::new();
    std::fs::write(env.home.path().join("history.db"), vec![0x5au8; 8192]).unwrap();
    let url = format!("{}/json", env.server.url);
    let o = send_demo(&env, &url);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("kept as"), "{}", stderr(&o));
    assert!(stdout(&o).contains("orders"));
    let aside: Vec<_> = std::fs::read_dir(env.home.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("broken"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(std::fs::read(aside[0].path()).unwrap(), vec![0x5au8; 8192]);
    let o = certbench(&env, &["history", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
}

#[test]
fn locked_file_warns_once_and_the_send_still_works() {
    let env = Env::new();
    History::open(env.home.path(), Limits::default()).unwrap();
    let locker = rusqlite::Connection::open(env.home.path().join("history.db")).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE;").unwrap();
    let url = format!("{}/json", env.server.url);
    let o = send_demo(&env, &url);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("orders"));
    let err = stderr(&o);
    assert_eq!(err.matches("warning").count(), 1, "{err}");
    assert!(err.contains("locked"), "{err}");
    locker.execute_batch("ROLLBACK;").unwrap();
}

#[test]
fn schema_is_versioned_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.db");
    History::open_at(&path, Limits::default()).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, history::schema_version());
    conn.execute_batch("PRAGMA user_version = 99;").unwrap();
    drop(conn);
    let err = History::open_at(&path, Limits::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("newer certbench") && err.contains("sending still works"),
        "{err}"
    );
}

#[test]
fn send_with_two_keys_then_diff_from_history() {
    let env = Env::new();
    import_second_key(&env);
    let url = format!("{}/echo", env.server.url);
    let o = certbench(
        &env,
        &[
            "send",
            "--url",
            &url,
            "--credential",
            "demo",
            "--trust",
            "demo-ca",
            "--compare-key",
            "other",
        ],
    );
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("client certificate: "), "{out}");
    assert!(
        out.contains("-     \"cn\": \"certbench-demo-client\""),
        "{out}"
    );
    assert!(out.contains("+     \"cn\": \"second-client\""), "{out}");

    // Both are in history (after a "restart": a new process), with their keys.
    let o = certbench(&env, &["history", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let keys: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 2);
    assert!(keys.contains(&"demo") && keys.contains(&"other"));
    let (a, b) = (rows[0]["id"].to_string(), rows[1]["id"].to_string());
    assert_eq!(
        certbench(&env, &["history", "diff", &a, &b]).status.code(),
        Some(1)
    );
    assert_eq!(
        certbench(&env, &["history", "diff", &a, &a]).status.code(),
        Some(0)
    );
    let o = certbench(&env, &["history", "diff", &a, "99999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no history entry #99999"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn diff_ignores_what_always_changes() {
    let env = Env::new();
    let url = format!("{}/json", env.server.url);
    for _ in 0..2 {
        let o = send_demo(&env, &url);
        assert_eq!(o.status.code(), Some(0));
    }
    let o = certbench(&env, &["history", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let (a, b) = (rows[0]["id"].to_string(), rows[1]["id"].to_string());
    let o = certbench(&env, &["history", "diff", &a, &b]);
    assert_eq!(o.status.code(), Some(1), "timestamp and requestId differ");
    assert!(stdout(&o).contains("\"requestId\""), "{}", stdout(&o));
    let o = certbench(
        &env,
        &[
            "history",
            "diff",
            &a,
            &b,
            "--ignore",
            "$.timestamp",
            "--ignore",
            "$..requestId",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = certbench(
        &env,
        &["history", "diff", &a, &b, "--ignore", "timestamp", "--json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["equal"], false);
    let o = certbench(
        &env,
        &["history", "diff", &a, &b, "--ignore", "$.", "--json"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a JSON path"));
}

#[test]
fn compare_reports_header_and_status_changes() {
    let env = Env::new();
    let a = env.send(&env.profile("/status/200"));
    let b = env.send(&env.profile("/status/404"));
    let cmp = compare::compare(&a, &b, &[]);
    assert!(cmp.status_differs());
    assert!(cmp.status.1.starts_with("404"));
    assert!(!cmp.is_equal());
    assert!(!cmp.change_starts().is_empty());
    let same = compare::compare(&a, &a, &[]);
    assert!(same.is_equal(), "{same:?}");
    let again = env.send(&env.profile("/status/404"));
    let cmp = compare::compare(&b, &again, &[]);
    assert!(cmp.is_equal(), "{cmp:?}");
    assert_eq!(cmp.body_kind, engine::history::compare::ComparedAs::Json);
    let gz = env.send(&env.profile("/gzip"));
    let cmp = compare::compare(&a, &gz, &[]);
    assert!(
        cmp.headers.iter().any(
            |h| matches!(h, compare::HeaderChange::Added { name, .. } if name == "content-encoding")
        ),
        "{:?}",
        cmp.headers
    );
}

#[test]
fn clear_empties_the_history() {
    let env = Env::new();
    let hist = History::open(env.home.path(), Limits::default()).unwrap();
    for _ in 0..3 {
        assert!(record(&env, &hist, &env.profile("/json")).1.is_ok());
    }
    drop(hist);
    let o = certbench(&env, &["history", "clear"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("deleted 3"), "{}", stderr(&o));
    let o = certbench(&env, &["history", "list", "--json"]);
    assert_eq!(stdout(&o).trim(), "[]");
}

fn backups(env: &Env) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(env.home.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("broken"))
        .map(|e| e.path())
        .collect()
}

#[test]
fn a_second_corruption_in_the_same_second_keeps_both_backups() {
    let env = Env::new();
    let url = format!("{}/json", env.server.url);
    for fill in [0x5au8, 0x6b] {
        std::fs::write(env.home.path().join("history.db"), vec![fill; 8192]).unwrap();
        for ext in ["db-wal", "db-shm"] {
            let _ = std::fs::remove_file(env.home.path().join("history").with_extension(ext));
        }
        let o = send_demo(&env, &url);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let mut kept: Vec<Vec<u8>> = backups(&env)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    kept.sort();
    assert_eq!(
        kept,
        vec![vec![0x5a; 8192], vec![0x6b; 8192]],
        "both backups kept"
    );
}

#[test]
fn processes_that_find_it_corrupt_together_agree_on_one_recovery_and_keep_every_send() {
    let env = Env::new();
    std::fs::write(env.home.path().join("history.db"), vec![0x5au8; 8192]).unwrap();
    let url = format!("{}/json", env.server.url);
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_certbench"))
                .args([
                    "send",
                    "--url",
                    &url,
                    "--credential",
                    "demo",
                    "--trust",
                    "demo-ca",
                ])
                .env("CERTBENCH_HOME", env.home.path())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert_eq!(backups(&env).len(), 1, "one recovery");
    let o = certbench(&env, &["history", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 4, "no send dropped");
}

#[test]
fn userinfo_passwords_never_reach_history_or_output_and_every_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let url = env
        .server
        .url
        .replace("https://", "https://alice:s3cr3t-pw@")
        + "/echo";
    let o = certbench(
        &env,
        &[
            "send",
            "--url",
            &url,
            "--credential",
            "demo",
            "--trust",
            "demo-ca",
            "-v",
            "--json",
            "--redact",
            "x-team",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("s3cr3t-pw") && !stderr(&o).contains("YWxp"),
        "{}",
        stderr(&o)
    );
    // The server got it as Basic auth (alice:s3cr3t-pw); the request as printed masks it.
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let echoed = v["json"]["headers"].to_string();
    assert!(echoed.contains("Basic YWxpY2U6czNjcjN0LXB3"), "{echoed}");
    // `-v` lists every header the server received, those the HTTP client adds included.
    let said = stderr(&o).to_ascii_lowercase();
    let received = v["json"]["headers"].as_array().expect("headers echoed");
    assert!(received.len() >= 4, "{echoed}");
    for name in received.iter().filter_map(|pair| pair[0].as_str()) {
        assert!(
            said.contains(&format!("> {}: ", name.to_ascii_lowercase())),
            "{name} reached the server but -v did not list it: {said}"
        );
    }
    assert!(
        !v["request"]["url"].as_str().unwrap().contains("alice"),
        "{}",
        v["request"]
    );
    let printed = v["request"]["headers"].to_string();
    assert!(
        printed.contains("<redacted>") && !printed.contains("YWxp"),
        "{printed}"
    );
    let shown = certbench(&env, &["history", "show", "--json"]);
    let text = stdout(&shown);
    assert!(
        !text.contains("s3cr3t-pw") && !text.contains("YWxpY2U6czNjcjN0LXB3"),
        "{text}"
    );
    let db = std::fs::read(env.home.path().join("history.db")).unwrap();
    assert!(!db.windows(9).any(|w| w == b"s3cr3t-pw"));
    // While a history is open (a TUI running), its WAL companions exist: private as well.
    let open = History::open(env.home.path(), Limits::default()).unwrap();
    for f in ["history.db", "history.db-wal", "history.db-shm"] {
        let mode = std::fs::metadata(env.home.path().join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
    drop(open);
}

/// Runs certbench in a private mount namespace (as `unshare` lets any user), after `setup` has
/// changed what `$H` (the home) is: a read-only bind mount, or a full tmpfs.
fn certbench_in_namespace(env: &Env, setup: &str, args: &[&str]) -> Output {
    let script = format!("set -e; H=\"$CERTBENCH_HOME\"; {setup}; exec \"$0\" \"$@\"");
    let o = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", &script])
        .arg(env!("CARGO_BIN_EXE_certbench"))
        .args(args)
        .env("CERTBENCH_HOME", env.home.path())
        .output()
        .expect("unshare (util-linux) is installed");
    assert!(
        !stderr(&o).contains("unshare:") && !stderr(&o).contains("mount:"),
        "the namespace set-up failed: {}",
        stderr(&o)
    );
    o
}

const READ_ONLY_HOME: &str = "mount --bind \"$H\" \"$H\"; mount -o remount,bind,ro \"$H\"";

/// The home's files copied onto a 1 MiB tmpfs mounted over it, then filled to the last byte.
const FULL_HOME: &str = "cp -a \"$H\" /tmp/.certbench-home-copy-$$; \
    mount -t tmpfs -o size=1m tmpfs \"$H\"; cp -a /tmp/.certbench-home-copy-$$/. \"$H\"; \
    rm -rf /tmp/.certbench-home-copy-$$; \
    dd if=/dev/zero of=\"$H/filler\" bs=4k 2>/dev/null || true";

#[test]
fn history_reads_on_a_read_only_home_and_a_send_says_why_it_is_not_recorded() {
    let env = Env::new();
    let url = format!("{}/json", env.server.url);
    for _ in 0..2 {
        assert_eq!(send_demo(&env, &url).status.code(), Some(0));
    }
    let o = certbench_in_namespace(&env, READ_ONLY_HOME, &["history", "list", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2, "{}", stdout(&o));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));

    let id = rows[0]["id"].to_string();
    let o = certbench_in_namespace(&env, READ_ONLY_HOME, &["history", "show", &id]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("orders"), "{}", stdout(&o));

    let args = demo_args(&url);
    let o = certbench_in_namespace(&env, READ_ONLY_HOME, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("orders"));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
}

#[test]
fn a_full_disk_says_disk_full_and_history_still_reads() {
    let env = Env::new();
    let url = format!("{}/json", env.server.url);
    assert_eq!(send_demo(&env, &url).status.code(), Some(0));

    let args = demo_args(&url);
    let o = certbench_in_namespace(&env, FULL_HOME, &args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the send itself works: {}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("orders"));
    assert!(stderr(&o).contains("disk full"), "{}", stderr(&o));

    let o = certbench_in_namespace(&env, FULL_HOME, &["history", "list", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{}", stdout(&o));
}

/// Bodies live in a table of their own since schema 2 (written in pieces, never whole in SQLite's
/// memory). A history written before that, with its bodies in `entries`, migrates and still reads;
/// a body leaves with its entry.
#[test]
fn a_history_from_before_bodies_had_their_own_table_migrates_and_reads() {
    let env = Env::new();
    let hist = History::open(env.home.path(), Limits::default()).unwrap();
    let (id, sent) = record(&env, &hist, &env.profile("/json"));
    let (id, sent) = (id.unwrap(), sent.unwrap());
    assert!(!sent.body.is_empty());
    let path = hist.path().to_path_buf();
    drop(hist);

    // Back to schema 1 as an older certbench left it: the body in `entries`, no `bodies`.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let in_bodies: i64 = conn
        .query_row("SELECT count(*) FROM bodies WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(in_bodies, 1, "a new body is written to its own table");
    conn.execute_batch(
        "UPDATE entries SET body = (SELECT body FROM bodies WHERE bodies.id = entries.id);
         DROP TRIGGER entries_body_gone; DROP TABLE bodies; PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);

    let hist = History::open(env.home.path(), Limits::default()).unwrap();
    let old = hist.get(id).unwrap().result.unwrap();
    assert_eq!(
        old.body, sent.body,
        "a body kept in `entries` reads as before"
    );
    let (new_id, new_sent) = record(&env, &hist, &env.profile("/json"));
    let new_id = new_id.unwrap();
    assert_eq!(
        hist.get(new_id).unwrap().result.unwrap().body,
        new_sent.unwrap().body
    );

    let conn = rusqlite::Connection::open(&path).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("PRAGMA user_version"), history::schema_version());
    assert_eq!(count("SELECT count(*) FROM bodies"), 1);
    hist.delete(new_id).unwrap();
    assert_eq!(
        count("SELECT count(*) FROM bodies"),
        0,
        "the body left with its entry"
    );
}
