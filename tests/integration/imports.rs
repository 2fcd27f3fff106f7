//! `certbench import FILE...` on files Postman and Newman wrote (tests/fixtures/import/postman,
//! from postmanlabs/newman): requests become profiles, environments environment files, and a
//! Newman certificate list's keys go into the keystore by content and are bound to their hosts;
//! the imported folder then runs green against the demo server with the imported key.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::Env;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import/postman")
        .join(name)
}

pub(crate) fn certbench(home: &Path, profiles: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_certbench"))
        .arg("--profiles")
        .arg(profiles)
        .args(args)
        .env("CERTBENCH_HOME", home)
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .output()
        .unwrap()
}

/// The demo's CA trusted in `home` (the tools keep CA settings in the app, not the files).
pub(crate) fn trust_demo_ca(env: &Env, home: &Path) {
    let ca = home.join("demo-ca.pem");
    std::fs::write(&ca, &env.demo.pki.ca.cert_pem).unwrap();
    let out = certbench(
        home,
        home,
        &["trust", "add", "demo-ca", &ca.display().to_string()],
    );
    assert_eq!(out.status.code(), Some(0));
}

/// The imported `folder` run in its environment `local`, given the demo's trust as a user
/// would add it: it must pass; its report.
pub(crate) fn run_green(home: &Path, profiles: &Path, folder: &Path) -> String {
    let env_file = folder.join("environments/local.toml");
    let text = std::fs::read_to_string(&env_file).unwrap();
    std::fs::write(&env_file, format!("trust = [\"demo-ca\"]\n{text}")).unwrap();
    let run = certbench(
        home,
        profiles,
        &["run", &folder.display().to_string(), "--env", "local"],
    );
    let err = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(0), "{err}");
    err
}

pub(crate) fn report(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Newman's own files, unchanged: both collection versions, an environment and the example
/// certificate list (whose key files are not there: said, nothing else lost).
#[test]
fn newmans_own_files_import_as_profiles_and_say_what_did_not_come_over() {
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let files = [
        "sample-collection.json",
        "simple-variables.json",
        "ssl-client-cert-list.json",
    ]
    .map(|f| fixture(f).display().to_string());
    let mut args = vec!["import", "--dry-run", "--json"];
    args.extend(files.iter().map(String::as_str));
    let v = report(&certbench(home.path(), profiles.path(), &args));
    assert_eq!(
        v["profiles"],
        serde_json::json!([
            "a-simple-get-request",
            "a-simple-post-request",
            "a-simple-post-request-with-json-body"
        ])
    );
    assert_eq!(v["environments"], serde_json::json!(["globals"]));
    assert_eq!(
        v["keys"][0]["bound"],
        serde_json::json!(["test.domain1.com", "www.domain1"])
    );
    let not: Vec<String> = v["not_imported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["what"].as_str().unwrap().to_string())
        .collect();
    assert!(
        not.contains(&"A simple GET request: scripts".to_string()),
        "{not:?}"
    );
    assert!(
        std::fs::read_dir(profiles.path()).unwrap().next().is_none(),
        "--dry-run writes nothing"
    );
    // For real: the profiles are written, the missing key files are said (exit 1).
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    let out = certbench(home.path(), profiles.path(), &args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("imported 3 profiles and 1 environment"),
        "{text}"
    );
    assert!(text.contains("not imported: certificate domain1"), "{text}");
    let folder = profiles.path().join("sample-postman-collection");
    let post =
        std::fs::read_to_string(folder.join("a-simple-post-request-with-json-body.toml")).unwrap();
    assert!(post.contains("method = \"POST\""), "{post}");
    assert!(post.contains("Duis posuere"), "{post}");
    let env = std::fs::read_to_string(folder.join("environments/globals.toml")).unwrap();
    assert!(env.contains("var-1 = \"value-1\""), "{env}");
    // The v2.1 export of the Postman app: its url objects and JSON body.
    let v = report(&certbench(
        home.path(),
        profiles.path(),
        &[
            "import",
            "--dry-run",
            "--json",
            &fixture("newman.postman_collection.json")
                .display()
                .to_string(),
        ],
    ));
    assert_eq!(v["profiles"], serde_json::json!(["get-echo", "post-echo"]));
}

/// A copy of the v2.1 collection aimed at the demo server, with an environment and a Newman
/// certificate list naming the demo's client key: one import, then `run` is green and the
/// server saw the imported key; a second import reuses the stored key by its content.
#[test]
fn a_postman_collection_with_its_certificate_list_imports_and_runs_green() {
    let env = Env::new();
    let work = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("ca.pem"), &env.demo.pki.ca.cert_pem).unwrap();
    trust_demo_ca(&env, home.path());
    // The collection as Postman exported it, its URLs turned into {{base_url}}.
    let original = std::fs::read_to_string(fixture("newman.postman_collection.json")).unwrap();
    let aimed = original
        .replace(
            "\"raw\": \"https://postman-echo.com/get\"",
            "\"raw\": \"{{base_url}}/echo\"",
        )
        .replace(
            "\"raw\": \"https://postman-echo.com/post\"",
            "\"raw\": \"{{base_url}}/echo\"",
        );
    std::fs::write(work.path().join("api.postman_collection.json"), aimed).unwrap();
    std::fs::write(
        work.path().join("local.postman_environment.json"),
        format!(
            "{{\"name\": \"local\", \"values\": [{{\"key\": \"base_url\", \"value\": \"{}\", \"enabled\": true}}], \"_postman_variable_scope\": \"environment\"}}",
            env.server.url
        ),
    )
    .unwrap();
    std::fs::create_dir_all(work.path().join("certs")).unwrap();
    std::fs::write(
        work.path().join("certs/client.crt"),
        &env.demo.client.cert_pem,
    )
    .unwrap();
    std::fs::write(
        work.path().join("certs/client.key"),
        &env.demo.client.key_pem,
    )
    .unwrap();
    let port = env.server.url.rsplit(':').next().unwrap();
    std::fs::write(
        work.path().join("certs.json"),
        format!(
            "[{{\"name\": \"partner\", \"matches\": [\"https://localhost:{port}/*\"], \"key\": {{\"src\": \"./certs/client.key\"}}, \"cert\": {{\"src\": \"./certs/client.crt\"}}}}]"
        ),
    )
    .unwrap();
    let files: Vec<String> = [
        "api.postman_collection.json",
        "local.postman_environment.json",
        "certs.json",
    ]
    .iter()
    .map(|f| work.path().join(f).display().to_string())
    .collect();
    let mut args = vec!["import", "--json"];
    args.extend(files.iter().map(String::as_str));
    let v = report(&certbench(home.path(), profiles.path(), &args));
    assert_eq!(v["keys"][0]["name"], "partner", "{v}");
    assert_eq!(v["keys"][0]["reused"], false, "{v}");
    assert_eq!(
        v["keys"][0]["bound"],
        serde_json::json!([format!("localhost:{port}")])
    );
    // Trust is this machine's (Postman keeps CA settings in the app): the user adds it.
    let folder = profiles.path().join("newman");
    let err = run_green(home.path(), profiles.path(), &folder);
    assert!(
        err.contains("PASS get-echo 200") && err.contains("PASS post-echo 200"),
        "{err}"
    );
    // The demo's echo names the client certificate it got: the imported key, by its binding.
    let sent = certbench(
        home.path(),
        &folder,
        &["send", "post-echo", "--env", "local", "--json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&sent.stdout).unwrap();
    assert_eq!(
        v["json"]["client_cert"]["cn"], "certbench-demo-client",
        "{v}"
    );
    // Importing again: the key is found by its content, not stored twice.
    let mut args = vec!["import", "--json", "--force", "--name", "again"];
    args.extend(files.iter().map(String::as_str));
    let v = report(&certbench(home.path(), profiles.path(), &args));
    assert_eq!(v["keys"][0]["reused"], true, "{v}");
}

/// Hostile input: a certificate path outside the list's folder, a file of no known format,
/// JSON nested deeper than the parser allows: clear errors, nothing written.
#[test]
fn bad_input_is_named_and_nothing_is_written() {
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("evil.json"),
        "[{\"name\": \"x\", \"matches\": [\"https://a.test/*\"], \"cert\": {\"src\": \"../../etc/shadow\"}}]",
    )
    .unwrap();
    let out = certbench(
        home.path(),
        profiles.path(),
        &[
            "import",
            &work.path().join("evil.json").display().to_string(),
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("../../etc/shadow is outside"), "{text}");
    std::fs::write(work.path().join("other.json"), "{\"hello\": \"world\"}").unwrap();
    std::fs::write(work.path().join("deep.json"), "[".repeat(100_000)).unwrap();
    for (file, said) in [
        ("other.json", "not a format certbench imports"),
        ("deep.json", "not JSON"),
    ] {
        let out = certbench(
            home.path(),
            profiles.path(),
            &["import", &work.path().join(file).display().to_string()],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(said), "{err}");
    }
    assert!(std::fs::read_dir(profiles.path()).unwrap().next().is_none());
    // A symbolic link where the folder would go is never replaced, even with --force.
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("mine.txt"), "not certbench's").unwrap();
    let link = profiles.path().join("sample-postman-collection");
    std::os::unix::fs::symlink(elsewhere.path(), &link).unwrap();
    let sample = fixture("sample-collection.json").display().to_string();
    let out = certbench(
        home.path(),
        profiles.path(),
        &["import", "--force", &sample],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("is not a folder (a link"), "{err}");
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert!(elsewhere.path().join("mine.txt").is_file());
}

fn bruno_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/bruno/testbench")
}

/// Bruno's own test collection, unchanged: requests in their folders, collection-wide headers
/// and auth, an environment with secrets; scripts, tests and asserts said as not carried over.
#[test]
fn brunos_own_collection_imports_as_profiles() {
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let dir = bruno_fixture().display().to_string();
    let v = report(&certbench(
        home.path(),
        profiles.path(),
        &["import", &dir, "--dry-run", "--json"],
    ));
    assert_eq!(
        v["profiles"],
        serde_json::json!([
            "auth-bearer-via-auth-bearer-auth-200",
            "echo-echo-json",
            "echo-echo-form-url-encoded"
        ]),
        "{v}"
    );
    assert_eq!(v["environments"], serde_json::json!(["local"]));
    let secrets = v["secrets"].as_array().unwrap();
    assert!(
        secrets.iter().any(|s| s == "LOCAL_GITHUB_CLIENT_SECRET"),
        "{v}"
    );
    let not: Vec<&str> = v["not_imported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["what"].as_str().unwrap())
        .collect();
    assert!(not.contains(&"echo echo json: tests"), "{not:?}");
    assert!(not.contains(&"echo echo json: assert"), "{not:?}");
    // Written: the request's body and headers, the collection's headers, the environment.
    let out = certbench(home.path(), profiles.path(), &["import", &dir]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let folder = profiles.path().join("bruno-testbench");
    let json = std::fs::read_to_string(folder.join("echo-echo-json.toml")).unwrap();
    assert!(json.contains("url = \"${host}/api/echo/json\""), "{json}");
    assert!(json.contains("\"hello\": \"bruno\""), "{json}");
    assert!(
        json.contains("collection-header = \"collection-header-value\""),
        "{json}"
    );
    let bearer =
        std::fs::read_to_string(folder.join("auth-bearer-via-auth-bearer-auth-200.toml")).unwrap();
    assert!(bearer.contains("Bearer ${bearer_auth_token}"), "{bearer}");
    let env = std::fs::read_to_string(folder.join("environments/local.toml")).unwrap();
    assert!(env.contains("bark = \"${env:PROC_ENV_VAR}\""), "{env}");
    assert!(
        env.contains("github_client_secret = \"${env:LOCAL_GITHUB_CLIENT_SECRET}\""),
        "{env}"
    );
}

/// A Bruno collection with a PKCS#12 in its `clientCertificates` (a copy of Bruno's request
/// aimed at the demo server): one import, the passphrase used once and kept nowhere, and `run`
/// green with the imported key.
#[test]
fn a_bruno_collection_with_a_pfx_imports_and_runs_green() {
    let env = Env::new();
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let col = tempfile::tempdir().unwrap();
    let c = col.path();
    std::fs::create_dir_all(c.join("echo")).unwrap();
    std::fs::create_dir_all(c.join("environments")).unwrap();
    std::fs::write(c.join("ca.pem"), &env.demo.pki.ca.cert_pem).unwrap();
    crate::common::demo_client_p12(&env, &c.join("certs"), "br-s3cret");
    std::fs::remove_file(c.join("certs/client.key")).unwrap();
    let port = env.server.url.rsplit(':').next().unwrap();
    let config = std::fs::read_to_string(bruno_fixture().join("bruno.json"))
        .unwrap()
        .replace(
            "\"certs\": []",
            &format!(
                "\"certs\": [{{\"domain\": \"localhost:{port}\", \"type\": \"pfx\", \"pfxFilePath\": \"certs/client.p12\", \"passphrase\": \"br-s3cret\"}}]"
            ),
        );
    std::fs::write(c.join("bruno.json"), config).unwrap();
    let request = std::fs::read_to_string(bruno_fixture().join("echo/echo json.bru"))
        .unwrap()
        .replace("{{host}}/api/echo/json", "{{host}}/echo");
    std::fs::write(c.join("echo/echo json.bru"), request).unwrap();
    std::fs::write(
        c.join("environments/Local.bru"),
        format!("vars {{\n  host: {}\n}}\n", env.server.url),
    )
    .unwrap();
    trust_demo_ca(&env, home.path());
    let v = report(&certbench(
        home.path(),
        profiles.path(),
        &["import", &c.display().to_string(), "--json"],
    ));
    assert_eq!(
        v["keys"][0]["bound"],
        serde_json::json!([format!("localhost:{port}")]),
        "{v}"
    );
    let folder = profiles.path().join("bruno-testbench");
    let err = run_green(home.path(), profiles.path(), &folder);
    assert!(err.contains("PASS echo-echo-json 200"), "{err}");
    // The passphrase was used to read the PKCS#12 and kept nowhere.
    for root in [home.path(), profiles.path()] {
        for file in crate::common::walk(root) {
            let bytes = std::fs::read(&file).unwrap_or_default();
            assert!(
                !String::from_utf8_lossy(&bytes).contains("br-s3cret"),
                "{} holds the passphrase",
                file.display()
            );
        }
    }
}

fn insomnia_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/insomnia/complex-export.json")
}

/// An Insomnia v4 export as Insomnia wrote it: folders, bodies of each kind, basic auth whose
/// literal password is not stored, a file part outside the export's folder refused.
#[test]
fn an_insomnia_export_imports_as_profiles() {
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let v = report(&certbench(
        home.path(),
        profiles.path(),
        &[
            "import",
            &insomnia_fixture().display().to_string(),
            "--dry-run",
            "--json",
        ],
    ));
    assert_eq!(
        v["profiles"],
        serde_json::json!([
            "complex-test-collection-first-folder-base_url-api-users",
            "complex-test-collection-first-folder-urlencoded-form-test",
            "complex-test-collection-test-request",
            "complex-test-collection-test-request-unknown-body",
            "complex-test-collection-test-request-empty-body",
            "complex-test-collection-test-request-graphql-body"
        ]),
        "{v}"
    );
    let not: Vec<String> = v["not_imported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}: {}",
                s["what"].as_str().unwrap(),
                s["why"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        not.iter()
            .any(|n| n.contains("file part file") && n.contains("/home/user/test.txt is outside")),
        "{not:?}"
    );
    assert!(
        v["secrets"].as_array().unwrap().len() >= 2,
        "the basic passwords: {v}"
    );
}

/// A copy of the export aimed at the demo server with the app's certificate database naming
/// the demo's client key: one import, `run` green with the imported key bound to the host.
#[test]
fn an_insomnia_export_with_its_certificate_database_runs_green() {
    let env = Env::new();
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    std::fs::write(w.join("client.crt"), &env.demo.client.cert_pem).unwrap();
    std::fs::write(w.join("client.key"), &env.demo.client.key_pem).unwrap();
    std::fs::write(w.join("ca.pem"), &env.demo.pki.ca.cert_pem).unwrap();
    let export = std::fs::read_to_string(insomnia_fixture())
        .unwrap()
        .replace("{{base_url}}/api/users", "{{base_url}}/echo");
    let mut v: serde_json::Value = serde_json::from_str(&export).unwrap();
    // Keep the urlencoded request (its basic password comes from the environment); an
    // environment under the base one, as the app exports it.
    let resources = v["resources"].as_array_mut().unwrap();
    resources.retain(|r| r["_type"] != "request" || r["name"] == "Urlencoded Form Test");
    resources[2]["authentication"]["password"] = "{{ _.password }}".into();
    resources.push(serde_json::json!({"_id": "env_base", "_type": "environment", "parentId": "wrk_1", "name": "Base Environment", "data": {"password": "pw"}}));
    resources.push(serde_json::json!({"_id": "env_local", "_type": "environment", "parentId": "env_base", "name": "Local", "data": {"base_url": env.server.url}}));
    std::fs::write(w.join("export.json"), v.to_string()).unwrap();
    let port = env.server.url.rsplit(':').next().unwrap();
    let db = format!(
        "{{\"_id\":\"crt_1\",\"type\":\"ClientCertificate\",\"parentId\":\"wrk_1\",\"host\":\"localhost:{port}\",\"cert\":\"{}\",\"key\":\"{}\",\"pfx\":null,\"passphrase\":null,\"disabled\":false}}\n{{\"_id\":\"crt_2\",\"type\":\"ClientCertificate\",\"$$deleted\":true}}\n",
        w.join("client.crt").display(),
        w.join("client.key").display()
    );
    std::fs::write(w.join("insomnia.ClientCertificate.db"), db).unwrap();
    trust_demo_ca(&env, home.path());
    let v = report(&certbench(
        home.path(),
        profiles.path(),
        &[
            "import",
            "--json",
            "--name",
            "insomnia",
            &w.join("export.json").display().to_string(),
            &w.join("insomnia.ClientCertificate.db")
                .display()
                .to_string(),
        ],
    ));
    assert_eq!(
        v["keys"][0]["bound"],
        serde_json::json!([format!("localhost:{port}")]),
        "{v}"
    );
    assert_eq!(v["environments"], serde_json::json!(["local"]), "{v}");
    let folder = profiles.path().join("insomnia");
    let err = run_green(home.path(), profiles.path(), &folder);
    assert!(
        err.contains("PASS complex-test-collection-first-folder-urlencoded-form-test 200"),
        "{err}"
    );
}

/// A HAR saved by Chrome's developer tools: the request becomes a profile, its cookie a secret
/// to set (never stored), the connection's own headers dropped, an entry without URL said.
#[test]
fn a_browser_har_imports_without_its_cookies() {
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let har =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/har/chrome-devtools.har");
    let out = certbench(
        home.path(),
        profiles.path(),
        &["import", &har.display().to_string(), "--json"],
    );
    let v = report(&out);
    assert_eq!(
        v["profiles"],
        serde_json::json!(["post-insomnia.rest-foo-bar"]),
        "{v}"
    );
    assert_eq!(v["not_imported"][0]["what"], "entry 1", "{v}");
    assert_eq!(
        v["secrets"],
        serde_json::json!(["POST_INSOMNIA_REST_FOO_BAR_COOKIE"])
    );
    let text = std::fs::read_to_string(profiles.path().join("har/post-insomnia.rest-foo-bar.toml"))
        .unwrap();
    assert!(
        text.contains("cookie = \"${env:POST_INSOMNIA_REST_FOO_BAR_COOKIE}\""),
        "{text}"
    );
    assert!(
        !text.contains("foo=bar") && !text.to_ascii_lowercase().contains("host ="),
        "{text}"
    );
    assert!(text.contains("hello world!"), "{text}");
}

/// The VS Code REST Client's own test file: every request, its file variables, and the
/// `{{$aadToken}}` dynamic variables said as not carried over.
#[test]
fn a_rest_client_http_file_imports_as_profiles() {
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/http/tests.http");
    let v = report(&certbench(
        home.path(),
        profiles.path(),
        &["import", &file.display().to_string(), "--dry-run", "--json"],
    ));
    let names = v["profiles"].as_array().unwrap();
    assert_eq!(names.len(), 11, "{v}");
    assert_eq!(names[0], "use-the-default-directory-for-the-account");
    let not: Vec<&str> = v["not_imported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["what"].as_str().unwrap())
        .collect();
    assert!(
        not.contains(&"use the default directory for the account: {{$aadToken}}")
            || not.iter().any(|n| n.ends_with("{{$aadToken}}")),
        "{not:?}"
    );
}

/// A `.http` file with JetBrains' `http-client.env.json` whose environment names the client
/// certificate (`SSLConfiguration`): the key becomes the environment's, and `run` is green; the
/// same key by host in VS Code's `rest-client.certificates` is bound to the host.
#[test]
fn http_files_with_jetbrains_and_vscode_certificates_import_and_run_green() {
    let env = Env::new();
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    std::fs::create_dir_all(w.join("certs")).unwrap();
    std::fs::write(w.join("certs/client.pem"), &env.demo.client.cert_pem).unwrap();
    std::fs::write(w.join("certs/client.key"), &env.demo.client.key_pem).unwrap();
    std::fs::write(
        w.join("orders.http"),
        "### Echo an order\nPOST {{host}}/echo\nContent-Type: application/json\n\n{\"order\": 7}\n\n> {% client.test(\"ok\", () => {}) %}\n",
    )
    .unwrap();
    std::fs::write(
        w.join("http-client.env.json"),
        format!(
            "{{\"local\": {{\"host\": \"{}\", \"SSLConfiguration\": {{\"clientCertificate\": \"certs/client.pem\", \"clientCertificateKey\": \"certs/client.key\"}}}}}}",
            env.server.url
        ),
    )
    .unwrap();
    trust_demo_ca(&env, home.path());
    let files =
        [w.join("orders.http"), w.join("http-client.env.json")].map(|p| p.display().to_string());
    let mut args = vec!["import", "--json"];
    args.extend(files.iter().map(String::as_str));
    let v = report(&certbench(home.path(), profiles.path(), &args));
    assert_eq!(v["keys"][0]["name"], "http-local", "{v}");
    let folder = profiles.path().join("orders");
    let env_text = std::fs::read_to_string(folder.join("environments/local.toml")).unwrap();
    assert!(
        env_text.contains("credential = \"http-local\""),
        "{env_text}"
    );
    let err = run_green(home.path(), profiles.path(), &folder);
    assert!(err.contains("PASS echo-an-order 200"), "{err}");
    // VS Code: the same key by host, in the workspace's .vscode/settings.json.
    let port = env.server.url.rsplit(':').next().unwrap();
    std::fs::create_dir_all(w.join(".vscode")).unwrap();
    std::fs::write(
        w.join(".vscode/settings.json"),
        format!(
            "{{\"rest-client.certificates\": {{\"localhost:{port}\": {{\"cert\": \"certs/client.pem\", \"key\": \"certs/client.key\"}}}}, \"rest-client.environmentVariables\": {{\"$shared\": {{}}, \"local\": {{\"host\": \"{}\"}}}}}}",
            env.server.url
        ),
    )
    .unwrap();
    let settings = w.join(".vscode/settings.json").display().to_string();
    let orders = w.join("orders.http").display().to_string();
    let v = report(&certbench(
        home.path(),
        profiles.path(),
        &["import", "--json", "--name", "vscode", &orders, &settings],
    ));
    assert_eq!(v["keys"][0]["reused"], true, "the same certificate: {v}");
    assert_eq!(
        v["keys"][0]["bound"],
        serde_json::json!([format!("localhost:{port}")]),
        "{v}"
    );
}

/// The OpenAPI Initiative's petstore: one profile an operation, `${base_url}` from the server,
/// the path parameter a variable, the body an example made from the schema; a copy aimed at the
/// demo with a `mutualTLS` scheme runs green with a key bound to the host.
#[test]
fn an_openapi_description_imports_and_its_mutual_tls_operations_run_green() {
    let env = Env::new();
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let spec =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/openapi/petstore.json");
    let v = report(&certbench(
        home.path(),
        profiles.path(),
        &["import", &spec.display().to_string(), "--dry-run", "--json"],
    ));
    assert_eq!(
        v["profiles"],
        serde_json::json!(["listpets", "createpets", "showpetbyid"]),
        "{v}"
    );
    // The same description in YAML, as the OpenAPI Initiative also publishes it.
    let yaml = spec.with_extension("yaml").display().to_string();
    let y = report(&certbench(
        home.path(),
        profiles.path(),
        &["import", &yaml, "--dry-run", "--json"],
    ));
    assert_eq!(y["profiles"], v["profiles"], "{y}");
    // The copy: the demo as its server, the pets at the demo's echo, mutualTLS on everything.
    let mut api: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&spec).unwrap()).unwrap();
    api["openapi"] = "3.1.0".into();
    api["servers"] = serde_json::json!([{"url": env.server.url}]);
    api["components"]["securitySchemes"] =
        serde_json::json!({"partnerCert": {"type": "mutualTLS"}});
    api["security"] = serde_json::json!([{"partnerCert": []}]);
    let paths = api["paths"].as_object_mut().unwrap();
    let pets = paths.remove("/pets").unwrap();
    paths.insert("/echo".into(), pets);
    let one = paths.remove("/pets/{petId}").unwrap();
    paths.insert("/status/{petId}".into(), one);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("api.json"), api.to_string()).unwrap();
    let v = report(&certbench(
        home.path(),
        profiles.path(),
        &[
            "import",
            "--json",
            &work.path().join("api.json").display().to_string(),
        ],
    ));
    let not = v["not_imported"].to_string();
    assert!(
        not.contains("3 operations need a client certificate"),
        "{not}"
    );
    let folder = profiles.path().join("swagger-petstore");
    let create = std::fs::read_to_string(folder.join("createpets.toml")).unwrap();
    assert!(create.contains("url = \"${base_url}/echo\""), "{create}");
    assert!(
        create.contains("\\\"name\\\": \\\"string\\\"") || create.contains("\"name\": \"string\""),
        "{create}"
    );
    assert!(create.contains("mutual_tls = true"), "{create}");
    // The key, bound to the server's host: every guarded operation presents it.
    trust_demo_ca(&env, home.path());
    std::fs::write(work.path().join("c.pem"), &env.demo.client.cert_pem).unwrap();
    std::fs::write(work.path().join("c.key"), &env.demo.client.key_pem).unwrap();
    let port = env.server.url.rsplit(':').next().unwrap();
    for args in [
        vec![
            "keys".to_string(),
            "import".into(),
            "partner".into(),
            "--cert".into(),
            work.path().join("c.pem").display().to_string(),
            "--key".into(),
            work.path().join("c.key").display().to_string(),
        ],
        vec![
            "keys".into(),
            "bind".into(),
            "partner".into(),
            format!("localhost:{port}"),
        ],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = certbench(home.path(), profiles.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::create_dir_all(folder.join("environments")).unwrap();
    std::fs::write(
        folder.join("environments/local.toml"),
        "[vars]\npetId = \"200\"\n",
    )
    .unwrap();
    let err = run_green(home.path(), profiles.path(), &folder);
    assert!(
        err.contains("PASS listpets 200")
            && err.contains("PASS createpets 200")
            && err.contains("PASS showpetbyid 200"),
        "{err}"
    );
}

/// Insomnia's v5 YAML: the exporter's own expected output (its base environment), and a v5 file
/// with a folder and a request aimed at the demo, run green with the app's certificate database.
#[test]
fn an_insomnia_v5_yaml_export_imports_and_runs_green() {
    let env = Env::new();
    let home = tempfile::tempdir().unwrap();
    let profiles = tempfile::tempdir().unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/insomnia/v5-export.yaml");
    let out = certbench(
        home.path(),
        profiles.path(),
        &["import", &fixture.display().to_string()],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let vars = std::fs::read_to_string(profiles.path().join("workspace-name/vars.toml")).unwrap();
    assert!(
        vars.contains("foo = \"bar\"") && vars.contains("empty = \"\""),
        "{vars}"
    );
    let w = tempfile::tempdir().unwrap();
    let w = w.path();
    std::fs::write(w.join("client.crt"), &env.demo.client.cert_pem).unwrap();
    std::fs::write(w.join("client.key"), &env.demo.client.key_pem).unwrap();
    let port = env.server.url.rsplit(':').next().unwrap();
    std::fs::write(
        w.join("orders.yaml"),
        format!(
            "type: collection.insomnia.rest/5.0\nname: Orders\ncollection:\n  - name: Orders\n    children:\n      - url: \"{{{{ _.base_url }}}}/echo\"\n        name: Create\n        method: POST\n        body:\n          mimeType: application/json\n          text: |-\n            {{\"order\": 7}}\n        headers:\n          - name: Content-Type\n            value: application/json\nenvironments:\n  name: Base Environment\n  data:\n    region: eu\n  subEnvironments:\n    - name: Local\n      data:\n        base_url: {}\n",
            env.server.url
        ),
    )
    .unwrap();
    std::fs::write(
        w.join("insomnia.ClientCertificate.db"),
        format!(
            "{{\"_id\":\"crt_1\",\"type\":\"ClientCertificate\",\"host\":\"localhost:{port}\",\"cert\":\"{}\",\"key\":\"{}\",\"disabled\":false}}\n",
            w.join("client.crt").display(),
            w.join("client.key").display()
        ),
    )
    .unwrap();
    trust_demo_ca(&env, home.path());
    let files = [
        w.join("orders.yaml"),
        w.join("insomnia.ClientCertificate.db"),
    ]
    .map(|p| p.display().to_string());
    let mut args = vec!["import", "--json"];
    args.extend(files.iter().map(String::as_str));
    let v = report(&certbench(home.path(), profiles.path(), &args));
    assert_eq!(v["profiles"], serde_json::json!(["orders-create"]), "{v}");
    let err = run_green(
        home.path(),
        profiles.path(),
        &profiles.path().join("orders"),
    );
    assert!(err.contains("PASS orders-create 200"), "{err}");
}
