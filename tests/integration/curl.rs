//! cURL in and out against the demo server: a command with certificate files becomes a working
//! profile, and the exported command, run by curl itself, gets the same answer as certbench.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::Env;

fn certbench(env: &Env, dir: &Path, args: &[&str]) -> Output {
    crate::common::certbench_in(env, dir, args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn header<'a>(echo: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    echo["headers"]
        .as_array()?
        .iter()
        .find(|h| h[0] == name)
        .and_then(|h| h[1].as_str())
}

#[test]
fn a_curl_command_becomes_a_working_profile_and_back() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let client = env.demo.pki.client("curl-client", demo::Days::default());
    std::fs::write(d.join("client.pem"), &client.cert_pem).unwrap();
    std::fs::write(d.join("client.key"), &client.key_pem).unwrap();
    std::fs::write(d.join("ca.pem"), &env.demo.pki.ca.cert_pem).unwrap();
    let cmd = format!(
        "curl -X POST '{}/echo/pay?x=1' \\\n  -H 'Content-Type: application/json' -H 'X-Trace: t1' \\\n  --data-raw '{{\"amount\": 10}}' --cert client.pem --key client.key --cacert ca.pem \\\n  --frobnicate -s",
        env.server.url
    );
    // An unknown option stops the import; --force takes the rest.
    let o = certbench(&env, d, &["import", "curl", &cmd, "--name", "pay"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert!(!d.join("pay.toml").exists());
    let o = certbench(
        &env,
        d,
        &["import", "curl", &cmd, "--name", "pay", "--force"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("not imported: --frobnicate"),
        "unknown flags are listed: {err}"
    );
    assert!(
        err.contains("ignored (it only changes what curl prints): --silent"),
        "{err}"
    );
    let saved = std::fs::read_to_string(d.join("pay.toml")).unwrap();
    assert!(saved.contains("credential = \"client\""), "{saved}");
    // The CA file holds the demo CA, already trusted as demo-ca: reused by content.
    assert!(saved.contains("trust = [\"demo-ca\"]"), "{saved}");
    // Importing again under the same name is refused without --force.
    let plain = cmd.replace(" --frobnicate", "");
    assert_eq!(
        certbench(&env, d, &["import", "curl", &plain, "--name", "pay"])
            .status
            .code(),
        Some(1)
    );

    let o = certbench(&env, d, &["send", "pay", "--json", "--no-history"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ours: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ours = &ours["json"];
    assert_eq!(ours["client_cert"]["cn"], "curl-client");
    assert_eq!(ours["method"], "POST");
    assert_eq!(ours["body"], "{\"amount\": 10}");

    // Export, and let curl run it.
    let o = certbench(&env, d, &["export", "curl", "pay"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let exported = String::from_utf8_lossy(&o.stdout).trim().to_string();
    assert!(exported.starts_with("curl --globoff"), "{exported}");
    assert!(
        exported.contains("--cert ") && exported.contains("--cacert "),
        "{exported}"
    );
    let ran = Command::new("sh")
        .arg("-c")
        .arg(format!("{exported} -sS"))
        .output()
        .unwrap();
    assert!(ran.status.success(), "{exported}\n{}", stderr(&ran));
    let theirs: serde_json::Value = serde_json::from_slice(&ran.stdout).unwrap();
    for field in ["method", "path", "raw_query", "body"] {
        assert_eq!(theirs[field], ours[field], "{field}: {exported}");
    }
    assert_eq!(theirs["client_cert"]["cn"], ours["client_cert"]["cn"]);
    for h in ["x-trace", "content-type", "user-agent"] {
        assert_eq!(header(&theirs, h), header(ours, h), "{h}");
    }
}

#[test]
fn a_pkcs12_with_its_password_in_the_command_is_imported_and_the_password_kept_nowhere() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let client = env.demo.pki.client("p12-client", demo::Days::default());
    std::fs::write(d.join("c.pem"), &client.cert_pem).unwrap();
    std::fs::write(d.join("c.key"), &client.key_pem).unwrap();
    let o = Command::new("openssl")
        .current_dir(d)
        .args(["pkcs12", "-export", "-in", "c.pem", "-inkey", "c.key"])
        .args(["-out", "bank.p12", "-passout", "pass:Secr3t-pw"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(d.join("ca.pem"), &env.demo.pki.ca.cert_pem).unwrap();
    let cmd = format!(
        "curl {}/echo --cert bank.p12:Secr3t-pw --cert-type P12 --cacert ca.pem",
        env.server.url
    );
    let o = certbench(&env, d, &["import", "curl", &cmd]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = certbench(&env, d, &["send", "echo", "--json", "--no-history"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["json"]["client_cert"]["cn"], "p12-client");
    for entry in crate::common::walk(env.home.path())
        .into_iter()
        .chain(crate::common::walk(d))
    {
        if entry.extension().is_some_and(|e| e == "p12") {
            continue;
        }
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("Secr3t-pw"),
            "the password is in {}",
            entry.display()
        );
    }
}

/// The subject CN of the client certificate the echo saw for `profile`.
fn sent_cn(env: &Env, dir: &Path, profile: &str) -> String {
    let o = certbench(env, dir, &["send", profile, "--json", "--no-history"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["json"]["client_cert"]["cn"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn two_different_files_of_the_same_name_make_two_keys_and_each_profile_sends_its_own() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let other_ca = demo::Pki::new("Partner CA");
    for (sub, cn, ca) in [
        ("a", "alice-client", &env.demo.pki.ca.cert_pem),
        ("b", "bob-client", &other_ca.ca.cert_pem),
    ] {
        std::fs::create_dir(d.join(sub)).unwrap();
        let c = env.demo.pki.client(cn, demo::Days::default());
        std::fs::write(d.join(sub).join("client.pem"), &c.cert_pem).unwrap();
        std::fs::write(d.join(sub).join("client.key"), &c.key_pem).unwrap();
        std::fs::write(d.join(sub).join("ca.pem"), ca).unwrap();
    }
    let import = |sub: &str, name: &str| {
        let cmd = format!(
            "curl {}/echo --cert {sub}/client.pem --key {sub}/client.key --cacert {sub}/ca.pem",
            env.server.url
        );
        let o = certbench(&env, d, &["import", "curl", &cmd, "--name", name]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stderr(&o)
    };
    let first = import("a", "from-a");
    assert!(first.contains("imported key client"), "{first}");
    let second = import("b", "from-b");
    assert!(
        second.contains("imported key bob-client") && second.contains("different certificate"),
        "{second}"
    );
    // a/ca.pem is the demo CA, already trusted as demo-ca; b/ca.pem is another one.
    assert!(
        first.contains("trusted certificate demo-ca already holds a/ca.pem"),
        "{first}"
    );
    assert!(second.contains("trusted ca from b/ca.pem"), "{second}");
    let b = std::fs::read_to_string(d.join("from-b.toml")).unwrap();
    assert!(b.contains("credential = \"bob-client\""), "{b}");
    assert!(b.contains("trust = [\"ca\"]"), "{b}");
    let ca = std::fs::read_to_string(env.home.path().join("trust/ca.pem")).unwrap();
    assert_eq!(
        ca.replace("\r\n", "\n").trim(),
        other_ca.ca.cert_pem.replace("\r\n", "\n").trim(),
        "the store holds what was said"
    );
    // The same file again is reused by content, whatever it is called.
    std::fs::copy(d.join("a/client.pem"), d.join("renamed.pem")).unwrap();
    let cmd = format!(
        "curl {}/echo --cert renamed.pem --key a/client.key --cacert a/ca.pem",
        env.server.url
    );
    let o = certbench(&env, d, &["import", "curl", &cmd, "--name", "again"]);
    assert!(
        stderr(&o).contains("key client already holds this certificate"),
        "{}",
        stderr(&o)
    );
    // Each profile presents its own identity (the Partner CA does not verify the demo
    // server, so from-b trusts the demo CA for this check).
    std::fs::write(
        d.join("from-b.toml"),
        b.replace("trust = [\"ca\"]", "trust = [\"demo-ca\"]"),
    )
    .unwrap();
    assert_eq!(sent_cn(&env, d, "from-a"), "alice-client");
    assert_eq!(sent_cn(&env, d, "from-b"), "bob-client");
}

#[test]
fn export_then_import_gives_back_the_same_profile() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("orig.toml"),
        format!(
            "name = \"orig\"\nmethod = \"GET\"\nurl = \"{}/echo/x\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\n\n[headers]\nAccept = \"application/json\"\nX-Trace = \"t1\"\n",
            env.server.url
        ),
    )
    .unwrap();
    let o = certbench(&env, d, &["export", "curl", "orig"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cmd = String::from_utf8(o.stdout).unwrap();
    let o = certbench(&env, d, &["import", "curl", cmd.trim(), "--name", "back"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("key demo already holds this certificate"),
        "{}",
        stderr(&o)
    );
    let keys = std::fs::read_dir(env.home.path().join("keys"))
        .unwrap()
        .count();
    assert_eq!(keys, 1, "no duplicate key named cert");
    let show = |name: &str| {
        let o = certbench(&env, d, &["profiles", "show", name]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let text = String::from_utf8(o.stdout).unwrap();
        text.lines()
            .filter(|l| !l.starts_with("name ="))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(show("back"), show("orig"));
}

#[test]
fn passwords_and_shell_variables_become_environment_references() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cmd = format!(
        "curl -u alice:s3cr3t-pw {}/echo/auth -H \"Authorization2: Bearer $TOKEN\" -H 'X-Price: 5$' -H 'X-Literal: $HOME'",
        env.server.url
    );
    let o = certbench(&env, d, &["import", "curl", &cmd, "--name", "auth"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let saved = std::fs::read_to_string(d.join("auth.toml")).unwrap();
    assert!(!saved.contains("s3cr3t-pw"), "{saved}");
    assert!(
        saved.contains("alice:${env:CERTBENCH_PASSWORD}@"),
        "{saved}"
    );
    assert!(saved.contains("Bearer ${env:TOKEN}"), "{saved}");
    assert!(saved.contains("5$$"), "a lone $ stays literal: {saved}");
    assert!(
        saved.contains("X-Literal = \"$$HOME\""),
        "single quotes keep $HOME as text, as a shell does: {saved}"
    );
    let err = stderr(&o);
    assert!(
        err.contains("export CERTBENCH_PASSWORD=...") && err.contains("export TOKEN=..."),
        "{err}"
    );
    // Sent with the variables set, the server sees the password and the token.
    let out = Command::new(env!("CARGO_BIN_EXE_certbench"))
        .args(["--profiles"])
        .arg(d)
        .args([
            "send",
            "auth",
            "--json",
            "--no-history",
            "--credential",
            "demo",
            "--trust",
            "demo-ca",
        ])
        .env("CERTBENCH_HOME", env.home.path())
        .env("CERTBENCH_PASSWORD", "s3cr3t-pw")
        .env("TOKEN", "tok-1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_non_ascii_flag_is_reported_not_a_crash() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let cmd = format!("curl -é {}/echo -H 'X-Name: ü' -Ü", env.server.url);
    let o = certbench(
        &env,
        dir.path(),
        &["import", "curl", &cmd, "--name", "u", "--force"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("not imported: -é"), "{}", stderr(&o));
    assert!(stderr(&o).contains("not imported: -Ü"), "{}", stderr(&o));
    // A header name no HTTP request can carry is an error that says so, not a crash.
    let cmd = format!("curl {}/echo -Hé:ü", env.server.url);
    let o = certbench(&env, dir.path(), &["import", "curl", &cmd, "--name", "v"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("invalid header name"), "{}", stderr(&o));
}

/// A small deterministic generator (no crate needed for a seeded sequence).
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.next() as usize % from.len()]
    }
    /// Text from pieces that mean something to a shell, to curl, or to TOML.
    fn text(&mut self) -> String {
        let pieces = [
            "a",
            "Z9",
            " ",
            "'",
            "\"",
            "\\",
            "$",
            "$HOME",
            "$(touch PWNED)",
            "`touch PWNED`",
            "; touch PWNED #",
            "&&",
            "|",
            "@",
            "@/etc/hostname",
            "<",
            "<PWNED",
            "[1-3]",
            "{a,b}",
            "*",
            "?",
            "=",
            "&",
            ";",
            ",",
            "%",
            "%0a",
            "é",
            "ü€",
            "\t",
            "!",
            "~",
            "#",
            "-d",
            "--next",
            "}",
            "{",
        ];
        let n = 1 + self.next() as usize % 6;
        (0..n).map(|_| self.pick(&pieces)).collect()
    }
    fn token(&mut self) -> String {
        let pieces = [
            "X", "a", "1", "-", "'", "$", "`", "|", "&", "!", "#", "%", "*", "+", ".", "^", "_",
            "~",
        ];
        let n = 1 + self.next() as usize % 5;
        (0..n).map(|_| self.pick(&pieces)).collect()
    }
}

/// The profile as TOML, written by hand so every generated byte reaches the file as it is.
fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[test]
fn exported_commands_send_what_certbench_sends_and_nothing_else() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run_dir = tempfile::tempdir().unwrap();
    let mut g = Gen(20261203);
    let mut compared = 0;
    for i in 0..40 {
        let method = match g.next() % 4 {
            0 => "GET".to_string(),
            1 => "POST".to_string(),
            2 => format!("P{}", g.token()),
            _ => g.pick(&["PUT", "PATCH", "DELETE"]).to_string(),
        };
        let mut toml = format!(
            "name = \"g{i}\"\nmethod = {}\nurl = {}\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\nhistory = false\nquery = [[{}, {}]]\n\n[headers]\n",
            toml_str(&method),
            toml_str(&format!(
                "{}/echo/{}",
                env.server.url,
                g.text().replace('$', "$$")
            )),
            toml_str(&g.text().replace('$', "$$")),
            toml_str(&g.text().replace('$', "$$")),
        );
        let hname = format!("X-{}", g.token().replace(['\'', '"'], ""));
        let value = g.text().replace(['\t'], " ").trim().to_string();
        toml.push_str(&format!(
            "{} = {}\n\n",
            toml_str(&hname),
            toml_str(&value.replace('$', "$$"))
        ));
        let body_kind = g.next() % 3;
        match body_kind {
            0 => toml.push_str("[body]\ntype = \"none\"\n"),
            1 => toml.push_str(&format!(
                "[body]\ntype = \"raw\"\ncontent_type = \"text/plain\"\ntext = {}\n",
                toml_str(&g.text().replace('$', "$$"))
            )),
            _ => toml.push_str(&format!(
                "[body]\ntype = \"multipart\"\n[[body.parts]]\nname = {}\ntext = {}\n",
                toml_str(&format!("p{}", g.token()).replace(['=', '"', ';'], "")),
                toml_str(&g.text().replace('$', "$$"))
            )),
        }
        std::fs::write(d.join(format!("g{i}.toml")), &toml).unwrap();
        let name = format!("g{i}");
        let ours = certbench(&env, d, &["send", &name, "--json", "--no-history"]);
        if ours.status.code() == Some(1) {
            continue; // a profile certbench itself refuses (say, a header value it cannot carry)
        }
        let ours: serde_json::Value = serde_json::from_slice(&ours.stdout)
            .unwrap_or_else(|e| panic!("{toml}\n{e}: {}", stderr(&ours)));
        let exported = certbench(&env, d, &["export", "curl", &name]);
        assert_eq!(exported.status.code(), Some(0), "{}", stderr(&exported));
        let cmd = String::from_utf8(exported.stdout).unwrap();
        let theirs = Command::new("bash")
            .args(["-c", &format!("{} --silent --show-error", cmd.trim())])
            .current_dir(run_dir.path())
            .env("HOME", run_dir.path())
            .output()
            .unwrap();
        assert_eq!(theirs.status.code(), Some(0), "{cmd}\n{}", stderr(&theirs));
        let theirs: serde_json::Value =
            serde_json::from_slice(&theirs.stdout).unwrap_or_else(|e| panic!("{cmd}\n{e}"));
        let a = &ours["json"];
        for field in ["method", "path", "raw_query"] {
            assert_eq!(a[field], theirs[field], "{field} differs\n{toml}\n{cmd}");
        }
        assert_eq!(
            header(a, &hname.to_ascii_lowercase()),
            header(&theirs, &hname.to_ascii_lowercase()),
            "{toml}\n{cmd}"
        );
        match body_kind {
            2 => {
                // Boundaries differ; the part's name and text must arrive as they are.
                let text = theirs["body"].as_str().unwrap();
                for line in a["body"].as_str().unwrap().lines() {
                    // Part headers may spell a name differently (RFC 7578 or 5987); the content may not.
                    if !line.starts_with("--") && !line.is_empty() && !line.starts_with("Content-")
                    {
                        assert!(
                            text.contains(line),
                            "{line:?} missing\n{toml}\n{cmd}\n{text}"
                        );
                    }
                }
            }
            _ => assert_eq!(a["body"], theirs["body"], "{toml}\n{cmd}"),
        }
        let left: Vec<_> = std::fs::read_dir(run_dir.path()).unwrap().collect();
        assert!(
            left.is_empty(),
            "the command created files: {left:?}\n{cmd}"
        );
        compared += 1;
    }
    assert!(
        compared >= 30,
        "only {compared} of 40 generated profiles were sendable"
    );
}

#[test]
fn an_unknown_option_never_lends_its_value_to_the_url() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cmd = format!(
        "curl {}/echo/real -H 'Authorization: Bearer $TOKEN' --referer https://attacker.test/x -sSLo out.json --retry 3 --limit-rate 1k",
        env.server.url
    );
    let o = certbench(&env, d, &["import", "curl", &cmd, "--name", "r", "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let saved = std::fs::read_to_string(d.join("r.toml")).unwrap();
    assert!(saved.contains("/echo/real"), "{saved}");
    assert!(
        saved.contains("Referer = \"https://attacker.test/x\""),
        "{saved}"
    );
    let err = stderr(&o);
    assert!(err.contains("not imported: --retry 3"), "{err}");
    assert!(err.contains("not imported: --limit-rate 1k"), "{err}");
    assert!(err.contains("--output out.json"), "{err}");
}

#[test]
fn an_exported_command_never_prints_a_secret() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("s.toml"),
        format!(
            "name = \"s\"\nurl = \"{}/echo/s?api_key=k-123\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\nredact = [\"api_key\"]\n\n[headers]\nAuthorization = \"Bearer ${{env:CB_TEST_TOKEN}}\"\nCookie = \"sid=literal-cookie\"\n",
            env.server.url
        ),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_certbench"))
        .arg("--profiles")
        .arg(d)
        .args(["export", "curl", "s"])
        .env("CERTBENCH_HOME", env.home.path())
        .env("CB_TEST_TOKEN", "tok-secret-1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cmd = String::from_utf8(o.stdout.clone()).unwrap();
    for secret in ["tok-secret-1", "literal-cookie", "k-123"] {
        assert!(!cmd.contains(secret), "{secret} printed: {cmd}");
    }
    assert!(
        cmd.contains("'Authorization: Bearer '\"$CB_TEST_TOKEN\""),
        "{cmd}"
    );
    assert!(cmd.contains("'Cookie: <redacted>'"), "{cmd}");
    let err = stderr(&o);
    assert!(err.contains("the Cookie header is not printed"), "{err}");
    // Run as printed, the token comes from the environment, as certbench's own send does.
    let ran = Command::new("bash")
        .args(["-c", &format!("{} -sS", cmd.trim())])
        .env("CB_TEST_TOKEN", "tok-secret-1")
        .output()
        .unwrap();
    let echo: serde_json::Value = serde_json::from_slice(&ran.stdout)
        .unwrap_or_else(|e| panic!("{e}: {cmd}\n{}", stderr(&ran)));
    assert_eq!(header(&echo, "authorization"), Some("Bearer tok-secret-1"));
}
