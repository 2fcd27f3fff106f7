//! From one request to a team's suite, through the real binary: environments, keys bound to
//! hosts, the token-then-call chain, expectations (exit 5), and comparing two environments.

use std::path::Path;
use std::process::Output;

use crate::common::Env;

fn certbench(env: &Env, dir: &Path, args: &[&str]) -> Output {
    crate::common::certbench_in(env, dir, args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {} / {}",
            String::from_utf8_lossy(&o.stdout),
            stderr(o)
        )
    })
}

/// A profiles folder with the shipped examples and two environments: `a` on the main server
/// with key `demo`, `b` on a second server with key `other` (same CA).
fn workspace(env: &Env, second: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles");
    for name in ["get-token.toml", "accounts.toml", "echo-orders.toml"] {
        std::fs::copy(examples.join(name), dir.path().join(name)).unwrap();
    }
    std::fs::write(
        dir.path().join("vars.toml"),
        "base_url = \"https://nowhere.invalid\"\nwho = \"vars-toml\"\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("environments")).unwrap();
    std::fs::write(
        dir.path().join("environments/a.toml"),
        format!(
            "credential = \"${{keyname}}\"\ntrust = [\"demo-ca\"]\n[vars]\nbase_url = \"{}\"\nkeyname = \"demo\"\nwho = \"env-a\"\n",
            env.server.url
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("environments/b.toml"),
        format!(
            "credential = \"other\"\ntrust = [\"demo-ca\"]\n[vars]\nbase_url = \"{second}\"\nwho = \"env-b\"\n"
        ),
    )
    .unwrap();
    // A profile that names no key and no trust: the environment (or a binding) decides.
    std::fs::write(
        dir.path().join("whoami.toml"),
        "name = \"whoami\"\nurl = \"${base_url}/echo\"\nquery = [[\"who\", \"${who}\"]]\n",
    )
    .unwrap();
    dir
}

fn other_key(env: &Env) {
    let other = env.demo.pki.client("other-client", demo::Days::default());
    env.ks
        .import_pem(
            "other",
            other.cert_pem.as_bytes(),
            other.key_pem.as_bytes(),
            None,
            "other",
        )
        .unwrap();
}

#[test]
fn switching_environment_switches_url_and_key_with_the_documented_precedence() {
    let env = Env::new();
    other_key(&env);
    let second = env.start(env.demo.config());
    let dir = workspace(&env, &second.url);
    let d = dir.path();

    let o = certbench(&env, d, &["send", "whoami", "--env", "a", "--json", "-v"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["json"]["client_cert"]["cn"], "certbench-demo-client");
    assert_eq!(
        v["json"]["query"][0][1], "env-a",
        "the environment beats vars.toml"
    );
    assert!(v["url"].as_str().unwrap().starts_with(&env.server.url));
    assert!(
        stderr(&o).contains("the default of environment a"),
        "{}",
        stderr(&o)
    );

    let o = certbench(&env, d, &["send", "whoami", "--env", "b", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(
        v["json"]["client_cert"]["cn"], "other-client",
        "env b's key"
    );
    assert!(
        v["url"].as_str().unwrap().starts_with(&second.url),
        "env b's URL"
    );

    let o = certbench(
        &env,
        d,
        &[
            "send", "whoami", "--env", "b", "--var", "who=flag", "--json",
        ],
    );
    assert_eq!(
        json(&o)["json"]["query"][0][1],
        "flag",
        "--var beats the environment"
    );

    let o = certbench(&env, d, &["send", "whoami", "--env", "nope"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("a, b"), "{}", stderr(&o));

    // The same profile in both, compared: different keys, so different echoes.
    let o = certbench(
        &env,
        d,
        &[
            "send",
            "whoami",
            "--env",
            "a",
            "--compare-env",
            "b",
            "--ignore",
            "$.headers",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("env a key demo") && out.contains("env b key other"),
        "{out}"
    );
    assert!(out.contains("other-client"), "{out}");
}

#[test]
fn a_key_bound_to_a_host_is_used_when_nothing_names_one() {
    let env = Env::new();
    let dir = workspace(&env, "https://unused.invalid");
    let d = dir.path();
    let url = format!("{}/echo", env.server.url);
    let send = |extra: &[&str]| {
        let mut a = vec![
            "send",
            "--url",
            url.as_str(),
            "--trust",
            "demo-ca",
            "--json",
            "-v",
        ];
        a.extend_from_slice(extra);
        certbench(&env, d, &a)
    };
    // No key: the server refuses.
    assert_eq!(send(&[]).status.code(), Some(2));
    let o = certbench(&env, d, &["keys", "bind", "demo", "localhost"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        certbench(&env, d, &["keys", "bind", "nosuchkey", "*.x.test"])
            .status
            .code(),
        Some(1)
    );
    let o = send(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        json(&o)["json"]["client_cert"]["cn"],
        "certbench-demo-client"
    );
    assert!(stderr(&o).contains("bound to localhost"), "{}", stderr(&o));
    // --no-mtls still turns it off.
    assert_eq!(send(&["--no-mtls"]).status.code(), Some(2));
    let o = certbench(&env, d, &["keys", "bindings", "--json"]);
    assert_eq!(json(&o)[0]["pattern"], "localhost");
    assert_eq!(
        certbench(&env, d, &["keys", "unbind", "localhost"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(send(&[]).status.code(), Some(2));
}

#[test]
fn the_token_flow_chains_captures_stay_secret_and_a_failed_expectation_exits_5() {
    let env = Env::new();
    let dir = workspace(&env, "https://unused.invalid");
    let d = dir.path();
    let var = format!("base_url={}", env.server.url);
    // accounts requires get-token: one command sends both, the token flows through the session.
    let o = certbench(
        &env,
        d,
        &["send", "accounts", "--var", &var, "--json", "-v"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("sent get-token first (required): 200 OK, captured token"),
        "{err}"
    );
    let v = json(&o);
    assert_eq!(v["json"]["accounts"][0]["currency"], "EUR");
    assert_eq!(v["expectations"]["checked"], 6);
    assert_eq!(v["expectations"]["failures"], serde_json::json!([]));
    // A captured secret used in a header nobody calls secret is hidden in -v and --json too.
    std::fs::write(
        d.join("custom.toml"),
        "name = \"custom\"\nurl = \"${base_url}/echo\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\nrequires = [\"get-token\"]\n[headers]\nX-Api-Token = \"${token}\"\n",
    )
    .unwrap();
    let o = certbench(&env, d, &["send", "custom", "--var", &var, "--json", "-v"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let token = json(&o)["json"]["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "x-api-token")
        .map(|h| h[1].as_str().unwrap().to_string())
        .expect("the server got the token");
    assert!(token.starts_with("demo-"), "{token}");
    assert!(!stderr(&o).contains(&token), "-v hides it: {}", stderr(&o));
    let request = json(&o)["request"].to_string();
    assert!(
        !request.contains(&token),
        "--json request hides it: {request}"
    );
    // Without the chain, the token is missing: a clear error before sending.
    let lone = d.join("lone.toml");
    std::fs::write(
        &lone,
        "name = \"lone\"\nurl = \"${base_url}/api/accounts\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\n[headers]\nAuthorization = \"Bearer ${token}\"\n",
    )
    .unwrap();
    let o = certbench(&env, d, &["send", "lone", "--var", &var]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("${token} is not set"), "{}", stderr(&o));
    // The history has both sends, and the captured token nowhere.
    let o = certbench(&env, d, &["history", "list", "--json"]);
    let rows = json(&o);
    let names: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["profile"].as_str().unwrap())
        .collect();
    assert!(names.ends_with(&["accounts", "get-token"]), "{names:?}");
    let accounts = names.iter().position(|n| *n == "accounts").unwrap();
    let id = rows[accounts]["id"].to_string();
    let shown = certbench(&env, d, &["history", "show", &id, "--json"]);
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("<redacted>"), "{text}");
    assert!(
        !text.contains("\"Bearer demo-"),
        "the token is not stored: {text}"
    );

    // An expectation that fails: exit 5 and the failure in words, the response still shown.
    let strict = d.join("strict.toml");
    std::fs::write(
        &strict,
        "name = \"strict\"\nurl = \"${base_url}/json\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\n[expect]\nstatus = 201\njson = [ { path = \"$.orders[0].status\", equals = \"paid\" } ]\n",
    )
    .unwrap();
    let o = certbench(&env, d, &["send", "strict", "--var", &var]);
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("expectation failed: status 200 is not 201"),
        "{err}"
    );
    assert!(
        err.contains("$.orders[0].status is \"open\", not \"paid\""),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("orders"));
    let o = certbench(&env, d, &["send", "strict", "--var", &var, "--json"]);
    assert_eq!(json(&o)["error"]["kind"], "expectation_failed");
}

/// A profile shared through git, written by hand with comments, dotted keys and an inline table:
/// saving it after a URL change (as the workbench's Ctrl-S does) changes that one line, and git
/// sees a one-line diff.
#[test]
fn saving_a_hand_written_profile_changes_only_the_line_that_changed() {
    let dir = tempfile::tempdir().unwrap();
    let text = "# Used by the payments team; ask #payments before changing.\n\
                url = \"https://api.example.test/v1/pay\"  # prod\n\
                method = \"PUT\"\n\
                headers = { Accept = \"application/json\" }\n\
                options.timeout_secs = 5\n\
                \n\
                [expect]\n\
                status = 200\n\
                max_ms = 5000 # the SLA\n";
    let path = dir.path().join("pay.toml");
    std::fs::write(&path, text).unwrap();
    let mut p = engine::request::profile::Profile::load(&path).unwrap();
    p.url = "https://staging.example.test/v1/pay".into();
    p.save(dir.path()).unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();
    let diff: Vec<(&str, &str)> = text
        .lines()
        .zip(saved.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(text.lines().count(), saved.lines().count(), "{saved}");
    assert_eq!(
        diff,
        vec![(
            "url = \"https://api.example.test/v1/pay\"  # prod",
            "url = \"https://staging.example.test/v1/pay\"  # prod"
        )],
        "{saved}"
    );
    assert_eq!(engine::request::profile::Profile::load(&path).unwrap(), p);
}

/// A colleague's `git pull` changed the file after it was opened: a save over the version that
/// was loaded writes nothing and says so; an explicit overwrite goes through.
#[test]
fn a_profile_changed_on_disk_is_never_overwritten_silently() {
    use engine::request::profile::{Profile, ProfileError};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pay.toml");
    std::fs::write(&path, "url = \"https://a.example.test/\"\n").unwrap();
    let (loaded, stamp) = Profile::load_stamped(&path);
    let mut mine = loaded.unwrap();
    mine.url = "https://mine.example.test/".into();
    let theirs = "url = \"https://theirs.example.test/\"  # from git\n";
    std::fs::write(&path, theirs).unwrap();
    let err = mine.save_over(dir.path(), stamp).unwrap_err();
    assert!(matches!(err, ProfileError::ChangedOnDisk { .. }), "{err}");
    assert!(err.to_string().contains("nothing was written"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), theirs);
    // Saved over the version now on disk, it goes through, and their comment stays.
    let now = Profile::load_stamped(&path).1;
    mine.save_over(dir.path(), now).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "url = \"https://mine.example.test/\"  # from git\n"
    );
}
