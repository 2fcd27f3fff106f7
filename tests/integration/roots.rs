//! Folders are roots: a profile file or folder given to `send` or `run` brings the `vars.toml`
//! and `environments/` of its folder or the nearest one above, and its file paths start there.

use std::path::Path;
use std::sync::atomic::Ordering;

use crate::common::{Env, certbench_in};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// team/vars.toml (a wrong base_url), team/environments/local.toml (the demo's), and
/// team/orders/upload.toml sending team/orders/note.txt as a multipart part.
fn team(url: &str) -> tempfile::TempDir {
    let top = tempfile::tempdir().unwrap();
    let team = top.path().join("team");
    std::fs::create_dir_all(team.join("orders")).unwrap();
    std::fs::create_dir_all(team.join("environments")).unwrap();
    std::fs::write(
        team.join("vars.toml"),
        "base_url = \"https://127.0.0.1:9\"\nnote = \"from vars.toml\"\n",
    )
    .unwrap();
    std::fs::write(
        team.join("environments/local.toml"),
        format!("[vars]\nbase_url = \"{url}\"\n"),
    )
    .unwrap();
    std::fs::write(team.join("orders/note.txt"), "a note beside the profile\n").unwrap();
    std::fs::write(
        team.join("orders/upload.toml"),
        r#"# Sent from anywhere: note.txt is read from this folder.
name = "upload"
method = "POST"
url = "${base_url}/echo/upload"
credential = "demo"
trust = ["demo-ca"]
headers = { X-Note = "${note}" }
[body]
type = "multipart"
parts = [ { name = "doc", file = "note.txt", content_type = "text/plain" } ]
[expect]
status = 200
"#,
    )
    .unwrap();
    top
}

#[test]
fn a_profile_file_sent_from_elsewhere_brings_its_folders_vars_environments_and_files() {
    let env = Env::new();
    let top = team(&env.server.url);
    let elsewhere = tempfile::tempdir().unwrap();
    let file = top.path().join("team/orders/upload.toml");
    let o = certbench_in(
        &env,
        elsewhere.path(),
        &["send", file.to_str().unwrap(), "--env", "local", "--json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let echoed = v["json"].to_string();
    assert!(echoed.contains("a note beside the profile"), "{echoed}");
    assert!(echoed.contains("from vars.toml"), "{echoed}");
    // Without the environment, team/vars.toml's base_url is the one used.
    let o = certbench_in(
        &env,
        elsewhere.path(),
        &["send", file.to_str().unwrap(), "--timeout", "5"],
    );
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("127.0.0.1:9"), "{}", stderr(&o));
}

#[test]
fn run_of_a_subfolder_finds_the_environment_above_and_makes_the_reports_folder_first() {
    let env = Env::new();
    let top = team(&env.server.url);
    let elsewhere = tempfile::tempdir().unwrap();
    let orders = top.path().join("team/orders");
    let report = elsewhere.path().join("out/deep/report.json");
    let o = certbench_in(
        &env,
        elsewhere.path(),
        &[
            "run",
            orders.to_str().unwrap(),
            "--env",
            "local",
            "--report",
            &format!("json={}", report.display()),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert!(written.to_string().contains("upload"), "{written}");
    // A report path that is a folder is refused before anything is sent.
    let before = env.server.handshakes.load(Ordering::SeqCst);
    let o = certbench_in(
        &env,
        elsewhere.path(),
        &[
            "run",
            orders.to_str().unwrap(),
            "--env",
            "local",
            "--report",
            &format!("json={}", elsewhere.path().display()),
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("is a folder"), "{}", stderr(&o));
    assert_eq!(
        env.server.handshakes.load(Ordering::SeqCst),
        before,
        "nothing was sent"
    );
    assert!(!Path::new(&elsewhere.path().join("report.json")).exists());
}

#[test]
fn send_says_what_is_wrong_with_a_folder_or_a_missing_file() {
    let env = Env::new();
    let top = team(&env.server.url);
    let elsewhere = tempfile::tempdir().unwrap();
    let folder = top.path().join("team/orders");
    let o = certbench_in(&env, elsewhere.path(), &["send", folder.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is a folder: send takes one profile"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("certbench run"), "{}", stderr(&o));
    let o = certbench_in(&env, elsewhere.path(), &["send", "gone/upload.toml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no such profile file: gone/upload.toml"),
        "{}",
        stderr(&o)
    );
}
