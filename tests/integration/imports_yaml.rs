//! `certbench import` on Bruno's YAML collection format (`opencollection.yml`, from Bruno's own
//! tests, tests/fixtures/import/bruno-yml): its requests, folders, environments and typed
//! variables come over; a copy given a PEM client certificate runs green through nginx, whose
//! answer names the subject of the key that was imported; `--format` reads a file as told.

use std::path::{Path, PathBuf};

use crate::common::Env;
use crate::common::servers::nginx_with;
use crate::imports::{certbench, report, run_green, trust_demo_ca};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/bruno-yml/yml-collection")
}

/// A copy of the folder `from` in `to` (regular files only).
fn copy_tree(from: &Path, to: &Path) {
    for file in crate::common::walk(from) {
        let dest = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&file, &dest).unwrap();
    }
}

/// Bruno's own YAML collection, unchanged: requests by folder, the collection's, folder's and
/// requests' typed variables as the folder's vars.toml, both environments; scripts and
/// assertions said as not carried over.
#[test]
fn brunos_own_yaml_collection_imports_as_profiles() {
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let out = certbench(
        home.path(),
        profiles.path(),
        &["import", &fixture().display().to_string(), "--json"],
    );
    let v = report(&out);
    assert_eq!(out.status.code(), Some(0), "{v}");
    let names: Vec<&str> = v["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "response-time-delayed-body",
            "variable-datatypes-form-urlencoded",
            "variable-datatypes-multipart"
        ],
        "{v}"
    );
    let folder = profiles.path().join("bruno-yml-testbench");
    let form =
        std::fs::read_to_string(folder.join("variable-datatypes-form-urlencoded.toml")).unwrap();
    assert!(
        form.contains("${echo-host}") && form.contains("${fu_num}"),
        "{form}"
    );
    let vars = std::fs::read_to_string(folder.join("vars.toml")).unwrap();
    for line in [
        "coll_num = \"100\"",
        "fold_str = \"folder_string\"",
        "fu_num = \"42\"",
        "mp_obj = '{\"key\":\"value\"}'",
    ] {
        assert!(vars.contains(line), "{line} in {vars}");
    }
    let prod = std::fs::read_to_string(folder.join("environments/prod.toml")).unwrap();
    assert!(
        prod.contains("host = \"https://testbench-sanity.usebruno.com\""),
        "{prod}"
    );
    let skipped = v["not_imported"].to_string();
    assert!(
        skipped.contains("certbench runs no JavaScript"),
        "{skipped}"
    );
    assert!(skipped.contains("delayed body: assertions"), "{skipped}");
}

/// The same collection given a PEM certificate as Bruno's converter writes it, aimed at nginx:
/// imported with one command, run green, and nginx names the imported key's subject.
#[test]
fn a_bruno_yaml_collection_with_a_pem_key_runs_green_through_nginx() {
    let env = Env::new();
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let col = tempfile::tempdir().unwrap();
    let nginx_dir = tempfile::tempdir().unwrap();
    let (_nginx, base) = nginx_with(
        nginx_dir.path(),
        &env.demo.server_cert.cert_pem,
        &env.demo.server_cert.key_pem,
        &env.demo.pki.ca.cert_pem,
        "    default_type text/plain;\n    location = / { return 200 \"client=$ssl_client_s_dn\\n\"; }\n    location /api/ { return 200 \"waited\\n\"; }\n",
    );
    let c = col.path();
    copy_tree(&fixture(), c);
    std::fs::create_dir_all(c.join("certs")).unwrap();
    std::fs::write(c.join("certs/client.pem"), &env.demo.client.cert_pem).unwrap();
    std::fs::write(c.join("certs/client.key"), &env.demo.client.key_pem).unwrap();
    let root = std::fs::read_to_string(c.join("opencollection.yml")).unwrap();
    std::fs::write(
        c.join("opencollection.yml"),
        format!(
            "{root}config:\n  clientCertificates:\n    - domain: localhost\n      type: pem\n      certificateFilePath: certs/client.pem\n      privateKeyFilePath: certs/client.key\n"
        ),
    )
    .unwrap();
    let local = std::fs::read_to_string(c.join("environments/Local.yml"))
        .unwrap()
        .replace("https://echo.usebruno.com", &base)
        .replace("http://localhost:8081", &base);
    std::fs::write(c.join("environments/Local.yml"), local).unwrap();
    trust_demo_ca(&env, home.path());
    let v = report(&certbench(
        home.path(),
        profiles.path(),
        &[
            "import",
            &c.join("opencollection.yml").display().to_string(),
            "--json",
        ],
    ));
    assert_eq!(
        v["keys"][0]["bound"],
        serde_json::json!(["localhost"]),
        "{v}"
    );
    let folder = profiles.path().join("bruno-yml-testbench");
    let err = run_green(home.path(), profiles.path(), &folder);
    for name in [
        "response-time-delayed-body",
        "variable-datatypes-form-urlencoded",
        "variable-datatypes-multipart",
    ] {
        assert!(err.contains(&format!("PASS {name} 200")), "{name}: {err}");
    }
    let sent = certbench(
        home.path(),
        &folder,
        &[
            "send",
            "variable-datatypes-form-urlencoded",
            "--env",
            "local",
        ],
    );
    let body = String::from_utf8_lossy(&sent.stdout);
    assert_eq!(
        sent.status.code(),
        Some(0),
        "{body}{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    assert!(
        body.contains("client=") && body.contains("CN=certbench-demo-client"),
        "{body}"
    );
}

/// `--format` reads a file as the format it names: an OpenCollection document saved under
/// another name imports; a Postman collection read as HAR is refused, naming what it is.
#[test]
fn format_names_what_content_cannot_tell_and_refuses_a_wrong_one() {
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let postman = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import/postman/sample-collection.json");
    let out = certbench(
        home.path(),
        profiles.path(),
        &["import", "--format", "har", &postman.display().to_string()],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("read as a HAR, it gave no request"), "{err}");
    assert!(err.contains("it reads as a Postman collection"), "{err}");
    assert!(std::fs::read_dir(profiles.path()).unwrap().next().is_none());
    let out = certbench(
        home.path(),
        profiles.path(),
        &[
            "import",
            "--format",
            "postman",
            &postman.display().to_string(),
            "--dry-run",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A browser's HAR (Chrome's, from Insomnia's fixtures) carries no certificate: its copy aimed
/// at the demo server imports, the cookie it held becomes an environment variable to set, the
/// demo key is bound to the host as a user would, and the folder runs green with it.
#[test]
fn a_har_copy_runs_green_with_a_key_bound_to_its_host() {
    let env = Env::new();
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let har = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/har/chrome-devtools.har"),
    )
    .unwrap()
    .replace(
        "https://insomnia.rest/foo/bar",
        &format!("{}/echo", env.server.url),
    );
    let copy = home.path().join("copy.har");
    std::fs::write(&copy, har).unwrap();
    trust_demo_ca(&env, home.path());
    let v = report(&certbench(
        home.path(),
        profiles.path(),
        &["import", &copy.display().to_string(), "--json"],
    ));
    let name = v["profiles"][0].as_str().unwrap().to_string();
    let secret = v["secrets"][0].as_str().unwrap().to_string();
    // The demo key, imported and bound to the demo server's host and port.
    let key = home.path().join("demo.pem");
    std::fs::write(&key, &env.demo.client.key_pem).unwrap();
    let cert = home.path().join("demo-cert.pem");
    std::fs::write(&cert, &env.demo.client.cert_pem).unwrap();
    let port = env.server.url.rsplit(':').next().unwrap();
    for args in [
        vec![
            "keys",
            "import",
            "browser",
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
        vec!["keys", "bind", "browser", &format!("localhost:{port}")],
    ] {
        let out = certbench(home.path(), profiles.path(), &args);
        assert!(out.status.success(), "{:?}", out);
    }
    let folder = profiles.path().join("har");
    std::fs::create_dir_all(folder.join("environments")).unwrap();
    // The server's CA, as the user trusts it for this folder.
    std::fs::write(
        folder.join("environments/local.toml"),
        "trust = [\"demo-ca\"]\n",
    )
    .unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_certbench"))
        .args(["--profiles", &profiles.path().display().to_string()])
        .args(["run", &folder.display().to_string(), "--env", "local"])
        .env("CERTBENCH_HOME", home.path())
        .env(&secret, "session=1")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{err}");
    assert!(err.contains(&format!("PASS {name} 200")), "{err}");
}

/// A PKCS#12 whose settings hold no passphrase, and none given: on a terminal the import asks
/// for it (typed, not echoed), uses it once and keeps it nowhere.
#[test]
fn a_certificate_without_its_passphrase_is_asked_for_on_a_terminal() {
    use crate::common::tmux::{new_session, tmux, wait_for};
    let env = Env::new();
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let col = tempfile::tempdir().unwrap();
    let c = col.path();
    copy_tree(&fixture(), c);
    crate::common::demo_client_p12(&env, &c.join("certs"), "asked-pw");
    let root = std::fs::read_to_string(c.join("opencollection.yml")).unwrap();
    std::fs::write(
        c.join("opencollection.yml"),
        format!("{root}config:\n  clientCertificates:\n    - domain: localhost\n      type: pkcs12\n      pkcs12FilePath: certs/client.p12\n"),
    )
    .unwrap();
    let session = format!("certbench-import-pw-{}", std::process::id());
    let run = format!(
        "CERTBENCH_HOME={} {} --profiles {} import {}; echo CERTBENCH-EXITED-$?; sleep 20",
        home.path().display(),
        env!("CARGO_BIN_EXE_certbench"),
        profiles.path().display(),
        c.display()
    );
    let _guard = new_session(&session, 120, 30, &run);
    wait_for(&session, "password for", 15);
    tmux(&["send-keys", "-t", &session, "-l", "asked-pw"]);
    tmux(&["send-keys", "-t", &session, "Enter"]);
    let screen = wait_for(&session, "CERTBENCH-EXITED-", 15);
    assert!(screen.contains("CERTBENCH-EXITED-0"), "{screen}");
    assert!(
        !screen.contains("asked-pw"),
        "the password is not echoed: {screen}"
    );
    let out = certbench(home.path(), profiles.path(), &["keys", "list"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("certbench-demo-client"),
        "{out:?}"
    );
    for file in crate::common::walk(home.path()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("asked-pw"),
            "{} holds the password",
            file.display()
        );
    }
}
