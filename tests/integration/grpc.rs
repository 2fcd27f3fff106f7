//! gRPC over mutual TLS against a server certbench did not write: Python's grpcio with
//! grpcio-reflection (tests/fixtures/grpc/route_guide_server.py, gRPC's own route_guide.proto),
//! requiring a client certificate. Listing and describing through reflection, a call of every
//! kind with a PKCS#12 key, the status in words, `.proto` files and a protoset when reflection
//! is off, a CONNECT proxy on the way, and what is not gRPC or not trusted, explained.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::common::servers::{Port, Running, start, write_demo_files};
use crate::common::{Env, certbench_command};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/grpc")
}

/// The RouteGuide server on grpcio with the demo server's certificate, requiring a client
/// certificate from the demo CA; `reflection` on or off.
pub(crate) fn grpcio(env: &Env, dir: &Path, reflection: bool) -> (Running, String) {
    write_demo_files(env, dir);
    let (running, port) = start("python3 with grpcio", Port::FromOs, |_| {
        let mut c = Command::new("python3");
        c.arg(fixtures().join("route_guide_server.py"))
            .arg(fixtures())
            .arg("--tls")
            .args(["srv.pem", "srv.key", "ca.pem"])
            .current_dir(dir);
        if !reflection {
            c.arg("--no-reflection");
        }
        c
    });
    (running, format!("grpcs://localhost:{port}"))
}

/// certbench with the env's home and `args` (the demo CA trusted unless `--trust` is left out
/// on purpose by the caller), `stdin` written to it when given.
fn run(env: &Env, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = certbench_command(env, env.home.path(), args);
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The demo client's key as a PKCS#12 made by openssl, imported as `p12`.
fn import_p12(env: &Env, dir: &Path) {
    let p12 = crate::common::demo_client_p12(env, dir, "grpc-pw")
        .display()
        .to_string();
    let out = certbench_command(
        env,
        env.home.path(),
        &[
            "keys",
            "import",
            "p12",
            "--p12",
            &p12,
            "--password-env",
            "P12_PW",
        ],
    )
    .env("P12_PW", "grpc-pw")
    .output()
    .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
}

#[test]
fn grpcio_is_listed_described_and_called_with_a_pkcs12_key_in_every_kind() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = grpcio(&env, dir.path(), true);
    import_p12(&env, dir.path());
    let key = ["--credential", "p12", "--trust", "demo-ca", "--no-history"];
    let with = |extra: &[&str]| -> Vec<String> {
        extra
            .iter()
            .chain(key.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let call = |args: Vec<String>, stdin: Option<&str>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&env, &refs, stdin)
    };
    // Listing: the services and methods from the server's reflection.
    let out = call(with(&["grpc", "list", &url]), None);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let listed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        listed["routeguide.RouteGuide"],
        serde_json::json!(["GetFeature", "ListFeatures", "RecordRoute", "RouteChat"])
    );
    // A method described, with a request to start from.
    let out = call(
        with(&[
            "grpc",
            "describe",
            &url,
            "routeguide.RouteGuide/ListFeatures",
        ]),
        None,
    );
    let (stdout, _) = text(&out);
    assert!(
        stdout.contains(
            "rpc ListFeatures(routeguide.Rectangle) returns (stream routeguide.Feature);"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("\"latitude\": 0"), "{stdout}");
    // Unary: the server names the key's subject.
    let method = |m: &str| format!("{url}/routeguide.RouteGuide/{m}");
    let out = call(
        with(&[
            "send",
            &method("GetFeature"),
            "--data",
            r#"{"latitude": 5, "longitude": 7}"#,
        ]),
        None,
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let feature: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(feature["name"], "seen by certbench-demo-client", "{stdout}");
    assert_eq!(feature["location"]["longitude"], 7);
    // Server streaming: each message printed as it arrives (NDJSON with --json), then the
    // exchange, whose body holds them all in order.
    let out = call(
        with(&[
            "send",
            &method("ListFeatures"),
            "--data",
            r#"{"lo": {"latitude": 10}, "hi": {"latitude": 13}}"#,
            "--json",
        ]),
        None,
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    for (i, line) in lines[..3].iter().enumerate() {
        assert_eq!(line["type"], "message", "{line}");
        let data: serde_json::Value = serde_json::from_str(line["data"].as_str().unwrap()).unwrap();
        assert_eq!(data["name"], format!("feature {i}"));
    }
    let ex = &lines[3];
    let names: Vec<&str> = ex["json"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["feature 0", "feature 1", "feature 2"], "{ex}");
    assert_eq!(ex["stream"]["end"], "closed", "{ex}");
    // --max-messages ends a long stream there: a normal end, exit 0.
    let out = call(
        with(&[
            "send",
            &method("ListFeatures"),
            "--data",
            r#"{"hi": {"latitude": 100000}}"#,
            "--max-messages",
            "5",
        ]),
        None,
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout.matches("< message").count(), 5, "{stdout}");
    assert!(
        stderr.contains("5 messages received: stopped at --max-messages"),
        "{stderr}"
    );
    // Client streaming from NDJSON on stdin.
    let out = call(
        with(&["send", &method("RecordRoute")]),
        Some("{\"latitude\": 1}\n{\"latitude\": 2}\n\n{\"latitude\": 3}\n"),
    );
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["pointCount"], 3, "{:?}", text(&out));
    // Bidirectional: each --message, echoed.
    let out = call(
        with(&[
            "send",
            &method("RouteChat"),
            "--message",
            r#"{"message": "one"}"#,
            "--message",
            r#"{"message": "two"}"#,
            "--json",
        ]),
        None,
    );
    let last = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    let v: serde_json::Value = serde_json::from_str(&last).unwrap();
    assert_eq!(v["grpc"]["code_name"], "OK", "{v}");
    assert_eq!(v["grpc"]["messages_received"], 2, "{v}");
    // A status other than OK: named in words, exit 4; its trailers kept.
    let out = call(with(&["send", &method("GetFeature"), "--data", "{}"]), None);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains(
            "gRPC status NOT_FOUND (5): no feature at 0,0: what the request names does not exist"
        ),
        "{stderr}"
    );
    let out = call(
        with(&[
            "send",
            &method("GetFeature"),
            "--data",
            r#"{"latitude": 1}"#,
            "-v",
        ]),
        None,
    );
    assert!(
        text(&out).1.contains("< (trailer) x-served-by: grpcio"),
        "{:?}",
        text(&out)
    );
    // A rich status: grpcio-status's details, read out.
    let out = call(
        with(&[
            "send",
            &method("GetFeature"),
            "--data",
            r#"{"latitude": 999999999}"#,
            "--json",
        ]),
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["grpc"]["code_name"], "INVALID_ARGUMENT", "{v}");
    let details = &v["grpc"]["details"];
    assert_eq!(
        details[0]["@type"], "type.googleapis.com/google.rpc.BadRequest",
        "{v}"
    );
    assert_eq!(details[0]["fieldViolations"][0]["field"], "latitude", "{v}");
    assert_eq!(details[1]["reason"], "OUT_OF_GLOBE", "{v}");
    // A method the schema does not have, and a message that is not its type.
    let out = call(with(&["send", &method("GetFeatur")]), None);
    assert!(
        text(&out)
            .1
            .contains("did you mean \"routeguide.RouteGuide/GetFeature\"?"),
        "{:?}",
        text(&out)
    );
    let out = call(
        with(&[
            "send",
            &method("GetFeature"),
            "--data",
            r#"{"lat": 1}"#,
            "--json",
        ]),
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "grpc_bad_message", "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("'lat'"),
        "{v}"
    );
}

/// The same server on Node's @grpc/grpc-js (its reflection service, v1), from the npm registry
/// (`.ci/run` installs it in target/test-tools).
fn grpc_js(env: &Env, dir: &Path) -> (Running, String) {
    write_demo_files(env, dir);
    let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-tools/node_modules");
    assert!(
        modules.join("@grpc/reflection").is_dir(),
        "@grpc/grpc-js, @grpc/proto-loader and @grpc/reflection are in target/test-tools (bash .ci/run installs them)"
    );
    let (running, port) = start("node with @grpc/grpc-js", Port::FromOs, |_| {
        let mut c = Command::new("node");
        c.arg(fixtures().join("route_guide_server.js"))
            .arg(fixtures())
            .arg("--tls")
            .args(["srv.pem", "srv.key", "ca.pem"])
            .env("NODE_PATH", &modules)
            .current_dir(dir);
        c
    });
    (running, format!("grpcs://localhost:{port}"))
}

#[test]
fn grpc_js_is_listed_and_called_through_its_reflection() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = grpc_js(&env, dir.path());
    let key = ["--credential", "demo", "--trust", "demo-ca", "--no-history"];
    let out = run(&env, &[&["grpc", "list", &url][..], &key].concat(), None);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("\"RouteChat\""), "{stdout}");
    let method = format!("{url}/routeguide.RouteGuide/GetFeature");
    let out = run(
        &env,
        &[&["send", &method, "--data", r#"{"latitude": 8}"#][..], &key].concat(),
        None,
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("seen by certbench-demo-client on node"),
        "{stdout}"
    );
    let out = run(
        &env,
        &[&["send", &method, "--data", "{}"][..], &key].concat(),
        None,
    );
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out)
            .1
            .contains("gRPC status NOT_FOUND (5): no feature at 0,0"),
        "{:?}",
        text(&out)
    );
}

#[test]
fn without_reflection_proto_files_or_a_protoset_give_the_schema() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = grpcio(&env, dir.path(), false);
    let key = ["--credential", "demo", "--trust", "demo-ca", "--no-history"];
    let args = |extra: &[&str]| -> Vec<String> {
        extra
            .iter()
            .chain(key.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let call = |a: Vec<String>| {
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        run(&env, &refs, None)
    };
    let out = call(args(&["grpc", "list", &url, "--json"]));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "grpc_no_reflection", "{v}");
    let out = call(args(&["grpc", "list", &url]));
    assert!(
        text(&out)
            .1
            .contains("pass the service's .proto files with --proto FILE"),
        "{:?}",
        text(&out)
    );
    let proto = fixtures().join("route_guide.proto").display().to_string();
    let method = format!("{url}/routeguide.RouteGuide/GetFeature");
    let out = call(args(&[
        "send",
        &method,
        "--proto",
        &proto,
        "--data",
        r#"{"latitude": 2}"#,
    ]));
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("seen by certbench-demo-client"), "{stdout}");
    // A protoset, as protoc writes it.
    let set = dir.path().join("route_guide.protoset");
    let made = Command::new("python3")
        .args(["-m", "grpc_tools.protoc"])
        .arg(format!("-I{}", fixtures().display()))
        .arg(format!("--descriptor_set_out={}", set.display()))
        .arg("route_guide.proto")
        .status()
        .unwrap();
    assert!(made.success());
    let set = set.display().to_string();
    let out = call(args(&[
        "send",
        &method,
        "--protoset",
        &set,
        "--data",
        r#"{"latitude": 3}"#,
    ]));
    assert!(text(&out).0.contains("\"latitude\": 3"), "{:?}", text(&out));
    // A protoset that is not one is named.
    let out = call(args(&["send", &method, "--protoset", &proto]));
    assert!(
        text(&out).1.contains("is not a protoset"),
        "{:?}",
        text(&out)
    );
}

#[test]
fn a_wrong_ca_a_web_server_and_a_proxy_on_the_way_are_explained() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = grpcio(&env, dir.path(), true);
    // No trust for the server's CA: said in words, where grpcurl prints an alert.
    let out = run(
        &env,
        &["grpc", "list", &url, "--credential", "demo", "--no-history"],
        None,
    );
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("which is not trusted here"), "{stderr}");
    assert!(stderr.contains("certbench trust add"), "{stderr}");
    // The demo web server on the same key: HTTP, not gRPC, with what it said.
    let web = env.server.url.replace("https://", "grpcs://");
    let out = run(
        &env,
        &[
            "grpc",
            "list",
            &web,
            "--credential",
            "demo",
            "--trust",
            "demo-ca",
            "--json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "grpc_not_grpc", "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("404"),
        "{v}"
    );
    // Python's http.server over ssl speaks HTTP/1.1 only: ALPN does not agree on h2, and it
    // says so at once instead of waiting for the timeout.
    let script = "import http.server, ssl, sys\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\nctx.load_cert_chain('srv.pem', 'srv.key')\nsrv = http.server.HTTPServer(('127.0.0.1', 0), http.server.SimpleHTTPRequestHandler)\nsrv.socket = ctx.wrap_socket(srv.socket, server_side=True)\nsrv.serve_forever()\n";
    std::fs::write(dir.path().join("https11.py"), script).unwrap();
    let (_http11, port11) = start("python3 http.server with ssl", Port::FromOs, |_| {
        let mut c = Command::new("python3");
        c.arg("https11.py").current_dir(dir.path());
        c
    });
    let out = run(
        &env,
        &[
            "grpc",
            "list",
            &format!("grpcs://localhost:{port11}"),
            "--trust",
            "demo-ca",
            "--timeout",
            "30",
        ],
        None,
    );
    let (_, stderr) = text(&out);
    assert!(
        stderr.contains(
            "did not agree to HTTP/2 (ALPN h2), which gRPC needs, and answered HTTP/1.0 501"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("Unsupported method ('POST')"), "{stderr}");
    // Through tinyproxy: the CONNECT tunnel carries the call end to end.
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let proxy = crate::proxy::Tinyproxy::start(dir.path(), port, None);
    let method = format!("{url}/routeguide.RouteGuide/GetFeature");
    let out = run(
        &env,
        &[
            "send",
            &method,
            "--credential",
            "demo",
            "--trust",
            "demo-ca",
            "--no-history",
            "--proxy",
            &proxy.url,
            "--data",
            r#"{"latitude": 9}"#,
        ],
        None,
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("seen by certbench-demo-client"), "{stdout}");
    assert!(
        proxy
            .connects()
            .iter()
            .any(|l| l.contains(&format!("localhost:{port}"))),
        "{:?}",
        proxy.connects()
    );
}

/// gRPC profiles in a folder, run as a suite: `[expect] grpc_status` and JSON paths on the
/// messages pass, and a status other than the one expected fails the run, saying which.
#[test]
fn a_folder_of_grpc_profiles_runs_with_its_expectations() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = grpcio(&env, dir.path(), true);
    let profiles = tempfile::tempdir().unwrap();
    let p = profiles.path();
    std::fs::write(
        p.join("vars.toml"),
        format!("grpc = \"{url}/routeguide.RouteGuide\"\n"),
    )
    .unwrap();
    let profile = |name: &str, data: &str, expect: &str| {
        std::fs::write(
            p.join(format!("{name}.toml")),
            format!(
                "url = \"${{grpc}}/{name_method}\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\nbody = {{ type = \"raw\", text = '{data}' }}\n\n[expect]\n{expect}\n",
                name_method = name.split('-').next().unwrap()
            ),
        )
        .unwrap();
    };
    profile(
        "GetFeature-here",
        r#"{"latitude": 4}"#,
        "grpc_status = \"OK\"\njson = [{ path = \"$.name\", matches = \"certbench-demo-client\" }]",
    );
    profile("GetFeature-nowhere", "{}", "grpc_status = \"not_found\"");
    profile(
        "ListFeatures-two",
        r#"{"hi": {"latitude": 2}}"#,
        "grpc_status = 0\njson = [{ path = \"$[1].name\", equals = \"feature 1\" }]",
    );
    let out = run(&env, &["run", &p.display().to_string()], None);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for name in ["GetFeature-here", "GetFeature-nowhere", "ListFeatures-two"] {
        assert!(stderr.contains(&format!("PASS {name}")), "{name}: {stderr}");
    }
    profile("GetFeature-wrong", "{}", "grpc_status = \"OK\"");
    let out = run(&env, &["run", &p.display().to_string()], None);
    let (_, stderr) = text(&out);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("gRPC status NOT_FOUND (5) is not OK"),
        "{stderr}"
    );
    // A rule that names no status is refused before anything is sent.
    profile("GetFeature-typo", "{}", "grpc_status = \"NOTFOUND\"");
    let out = run(&env, &["run", &p.display().to_string()], None);
    assert!(
        text(&out).1.contains("is no gRPC status"),
        "{:?}",
        text(&out)
    );
}

/// In the workbench, at 80x24 in tmux: a gRPC profile sent with Ctrl-R shows its status and
/// its message as JSON.
#[test]
fn the_workbench_sends_a_grpc_profile_and_shows_its_status_and_message() {
    use crate::common::tmux::{new_session, tmux, wait_for};
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = grpcio(&env, dir.path(), true);
    let profiles = tempfile::tempdir().unwrap();
    std::fs::write(
        profiles.path().join("feature.toml"),
        format!(
            "url = \"{url}/routeguide.RouteGuide/GetFeature\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\nbody = {{ type = \"raw\", text = '{{\"latitude\": 6}}' }}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        profiles.path().join("server.toml"),
        format!("url = \"{url}\"\ncredential = \"demo\"\ntrust = [\"demo-ca\"]\n"),
    )
    .unwrap();
    let session = format!("certbench-grpc-{}", std::process::id());
    let run = format!(
        "CERTBENCH_HOME={} {} --profiles {}; echo CERTBENCH-EXITED-$?; sleep 20",
        env.home.path().display(),
        env!("CARGO_BIN_EXE_certbench"),
        profiles.path().display()
    );
    let _guard = new_session(&session, 80, 24, &run);
    wait_for(&session, "feature", 10);
    tmux(&["send-keys", "-t", &session, "C-r"]);
    let screen = wait_for(&session, "seen by certbench-demo-client", 20);
    assert!(screen.contains("gRPC OK"), "{screen}");
    assert!(screen.contains("\"latitude\": 6"), "{screen}");
    // A profile naming only the server: Ctrl-G lists its methods, typing filters them, Enter
    // puts the method in the URL and its request template in the body; sent, the template's
    // 0,0 is a NOT_FOUND.
    tmux(&["send-keys", "-t", &session, "Down"]);
    wait_for(&session, "Request: server", 5);
    tmux(&["send-keys", "-t", &session, "C-g"]);
    let screen = wait_for(&session, "routeguide.RouteGuide/RouteChat", 20);
    assert!(screen.contains("gRPC methods"), "{screen}");
    tmux(&["send-keys", "-t", &session, "-l", "getf"]);
    let screen = wait_for(&session, "filter: getf", 5);
    assert!(!screen.contains("RouteGuide/RouteChat"), "{screen}");
    tmux(&["send-keys", "-t", &session, "Enter"]);
    let screen = wait_for(
        &session,
        "GetFeature: routeguide.Point -> routeguide.Feature",
        5,
    );
    assert!(screen.contains("Request: server *"), "{screen}");
    assert!(screen.contains("/routeguide.RouteGuide/G"), "{screen}");
    tmux(&["send-keys", "-t", &session, "C-r"]);
    let screen = wait_for(&session, "gRPC NOT_FOUND (5)", 20);
    assert!(screen.contains("no feature at 0,0"), "{screen}");
    // Leave without saving: the edits are dropped when asked.
    tmux(&["send-keys", "-t", &session, "q"]);
    wait_for(&session, "has unsaved edits", 5);
    tmux(&["send-keys", "-t", &session, "d"]);
    let screen = wait_for(&session, "CERTBENCH-EXITED-0", 10);
    assert!(screen.contains("CERTBENCH-EXITED-0"), "{screen}");
}

/// A grpcurl command pasted in: its key and CA files go into the keystore (reused by content),
/// the profile calls grpcio with them; exported again, it is the same call.
#[test]
fn a_grpcurl_command_imports_runs_and_exports_again() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = grpcio(&env, dir.path(), true);
    let address = url.trim_start_matches("grpcs://").to_string();
    std::fs::write(dir.path().join("client.pem"), &env.demo.client.cert_pem).unwrap();
    std::fs::write(dir.path().join("client.key"), &env.demo.client.key_pem).unwrap();
    let d = dir.path().display();
    let command = format!(
        "grpcurl -cert {d}/client.pem -key {d}/client.key -cacert {d}/ca.pem -H 'x-tenant: acme' \\\n -d '{{\"latitude\": 3}}' {address} routeguide.RouteGuide.GetFeature"
    );
    let profiles = tempfile::tempdir().unwrap();
    let mut c = certbench_command(&env, profiles.path(), &["import", "grpcurl", &command]);
    let out = c.output().unwrap();
    let (_, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    // The demo key was there already: the same certificate is reused, not stored twice.
    assert!(
        stderr.contains("key demo already holds this certificate"),
        "{stderr}"
    );
    let saved = std::fs::read_to_string(profiles.path().join("getfeature.toml")).unwrap();
    assert!(
        saved.contains("routeguide.RouteGuide/GetFeature"),
        "{saved}"
    );
    let out = certbench_command(
        &env,
        profiles.path(),
        &["send", "getfeature", "--no-history"],
    )
    .output()
    .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("seen by certbench-demo-client"), "{stdout}");
    let out = certbench_command(&env, profiles.path(), &["export", "grpcurl", "getfeature"])
        .output()
        .unwrap();
    let (exported, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(exported.starts_with("grpcurl -cert '"), "{exported}");
    assert!(exported.contains("'x-tenant: acme'"), "{exported}");
    assert!(
        exported
            .trim_end()
            .ends_with(&format!("'{address}' 'routeguide.RouteGuide/GetFeature'")),
        "{exported}"
    );
}
