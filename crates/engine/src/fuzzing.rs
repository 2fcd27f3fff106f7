//! The fuzz targets' bodies, shared by `fuzz/` (cargo fuzz) and the regression corpus that
//! `cargo test` replays (tests/fuzz_corpus.rs). Each takes raw bytes and must never panic, hang
//! or grow without bound; the asserts are properties, not examples.

use std::path::Path;

use bytes::Bytes;

use crate::body::bodylines::BodyLines;
use crate::budget::Budget;
use crate::exchange::{Exchange, build_view};
use crate::request::profile::Profile;

/// A profile file: parse, validate, prepare, and write back.
pub fn profile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(p) = Profile::from_toml(text, Path::new("fuzz.toml")) else {
        return;
    };
    if p.validate().is_ok() {
        let _ = crate::request::prepare::prepare(&p, &crate::request::vars::Vars::new());
    }
    let again = Profile::from_toml(&p.to_toml(), Path::new("fuzz.toml"));
    assert!(
        again.is_ok(),
        "a parsed profile writes back readable: {again:?}"
    );
}

/// A key file as PKCS#12 (no password, and one) and as PEM/DER.
pub fn key_file(data: &[u8]) {
    use crate::keys::keyfile;
    let _ = keyfile::read_p12(data, None, "fuzz");
    let _ = keyfile::read_p12(data, Some("pw"), "fuzz");
    let _ = keyfile::read_key(data, None, "fuzz");
    let _ = keyfile::read_key(data, Some("pw"), "fuzz");
}

const TYPES: [&str; 5] = [
    "application/json",
    "application/xml",
    "text/plain",
    "application/json; charset=utf-16le",
    "text/html; charset=iso-8859-1",
];

fn view_of(selector: u8, body: &[u8]) -> Exchange {
    let body = Bytes::copy_from_slice(body);
    let ct = TYPES[usize::from(selector) % TYPES.len()];
    let view =
        build_view(&body, Some(ct), true, &Budget::unlimited()).expect("no budget to run out");
    Exchange {
        method: "GET".into(),
        url: "https://fuzz.test/".into(),
        status: 200,
        reason: "OK".into(),
        http_version: "HTTP/1.1".into(),
        headers: vec![("content-type".into(), ct.into())],
        encoded_size: body.len(),
        decoded_size: body.len(),
        body,
        content_encoding: None,
        view,
        redirects: Vec::new(),
        tls: None,
        timing: Default::default(),
        status_is_error: false,
        warnings: Vec::new(),
        incomplete: None,
        saved_to: None,
        stream: None,
        grpc: None,
    }
}

/// The body view: index, draw every line, search; and our JSON check agrees with serde_json
/// wherever serde can judge (its recursion limit is 128 levels).
pub fn body_view(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let ex = view_of(selector, body);
    if let Some(lines) = ex.view.lines() {
        for i in 0..lines.len().min(20_000) {
            let line = lines.line(i);
            assert!(!line.contains('\n'), "a line holds no line break: {line:?}");
            let _ = lines.content(i, 7);
        }
        let _ = lines.find("a", 0, false);
        let _ = lines.find("\"k\": 1", lines.len() / 2, true);
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let ours = BodyLines::json(Bytes::copy_from_slice(body), &Budget::unlimited());
        match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => assert!(ours.is_ok(), "serde accepts, we refuse: {ours:?}"),
            Err(e) if !e.to_string().contains("recursion limit") => {
                assert!(ours.is_err(), "serde refuses ({e}), we accept")
            }
            Err(_) => {}
        }
    }
}

/// Two bodies (split at the first 0xff byte) compared with ignore rules.
pub fn compare(data: &[u8]) {
    let at = data
        .iter()
        .position(|b| *b == 0xff)
        .unwrap_or(data.len() / 2);
    let (a, b) = data.split_at(at);
    let b = b.get(1..).unwrap_or_default();
    let x = Ok(view_of(0, a));
    let y = Ok(view_of(0, b));
    let rules = [
        "$..id".to_string(),
        "$.items[*].ts".to_string(),
        "date".to_string(),
    ];
    let cmp = crate::history::compare::compare(&x, &y, &rules);
    let _ = cmp.to_text(("a", "b"), 3);
    let same = crate::history::compare::compare(&x, &x, &rules);
    assert!(same.is_equal(), "a body equals itself");
}

/// A secret (first line) carried in a header and a query: never found in what is stored.
pub fn redaction(data: &[u8]) {
    use crate::history::redact::Redactor;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (secret, rest) = text.split_once('\n').unwrap_or((text, ""));
    let mut p = Profile {
        url: "https://fuzz.test/path".into(),
        ..Profile::default()
    };
    p.name = "fuzz".into();
    p.headers.insert(
        "Authorization".into(),
        crate::request::profile::HeaderValues::One(format!("Bearer {secret}")),
    );
    p.query.push(("api_key".into(), secret.to_string()));
    p.redact.push("api_key".into());
    let Ok(req) = crate::request::prepare::prepare(&p, &crate::request::vars::Vars::new()) else {
        return;
    };
    // What was really sent (variables expanded: `$$` is one `$`) is what must not be stored.
    let Some(sent) = req
        .headers
        .iter()
        .find(|(k, _)| k == "Authorization")
        .and_then(|(_, v)| v.strip_prefix("Bearer "))
    else {
        return;
    };
    let r = Redactor::for_request(&req);
    let stored = format!(
        "{}\n{}\n{:?}",
        r.url(&req.url),
        r.text(&format!("{rest}{sent}{rest}")),
        r.headers(&req.headers)
    );
    // The markers are cut out first: a secret may overlap a marker and its neighbours
    // (`dacted>"`) without anything of it having leaked.
    let stored = stored
        .replace("<redacted>", "\u{1}")
        .replace("%3Credacted%3E", "\u{1}");
    // What perfect redaction would store: the secret's own places marked, everything else as is.
    // The secret may also be a piece of that other text (`ch/0.1.0"` inside the User-Agent's
    // `certbench/0.1.0"`), which is no leak: it may not appear more often than there.
    let ideal_headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| {
            let v = if k == "Authorization" { "\u{1}" } else { v };
            (k.clone(), v.to_string())
        })
        .collect();
    let ideal =
        format!("https://fuzz.test/path?api_key=\u{1}\n{rest}\u{1}{rest}\n{ideal_headers:?}");
    let secret = sent.trim();
    let findable = secret.len() >= 8 && !sent.contains('\u{1}');
    if findable {
        assert!(
            stored.matches(secret).count() <= ideal.matches(secret).count(),
            "secret {sent:?} left in {stored:?}"
        );
    }
}

/// A pasted curl command: parsed, its profile written back; a command the exporter prints for
/// it parses again.
pub fn curl(data: &[u8]) {
    use crate::interop::curl;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(imported) = curl::parse(text) else {
        return;
    };
    let p = imported.profile;
    let again = Profile::from_toml(&p.to_toml(), Path::new("fuzz.toml"));
    assert!(
        again.is_ok(),
        "an imported profile writes back readable: {again:?}"
    );
    if p.validate().is_err() {
        return;
    }
    let vars = crate::request::vars::Vars::new().with_env(|_| Some("v".into()));
    let Ok(req) = crate::request::prepare::prepare(&p, &vars) else {
        return;
    };
    let exported = curl::export(&req, Some(&p), &curl::Files::default()).command;
    let back = curl::parse(&exported);
    assert!(
        back.is_ok(),
        "the exported command parses: {exported:?} {back:?}"
    );
    // The round trip: the command, imported again, prepares to the same request.
    let Ok(back) = back else { return };
    let again = crate::request::prepare::prepare(&back.profile, &vars);
    let Ok(again) = again else {
        panic!("the imported export prepares: {exported:?} {again:?}");
    };
    assert_eq!(again.method, req.method, "{exported}");
    // Secret query values are withheld by the export on purpose: compared as withheld.
    let shown = |r: &crate::request::prepare::PreparedRequest| {
        crate::history::redact::Redactor::for_request(&req).url(&r.url)
    };
    assert_eq!(shown(&again), shown(&req), "{exported}");
    // A secret's value in the body is withheld by the export too: bodies compared as withheld.
    let body = |r: &crate::request::prepare::PreparedRequest| match &r.body {
        crate::request::prepare::PreparedBody::Bytes { content_type, data } => {
            let red = crate::history::redact::Redactor::for_request(&req);
            format!("{content_type:?} {}", red.text(data))
        }
        other => format!("{other:?}"),
    };
    assert_eq!(body(&again), body(&req), "{exported}");
    assert_eq!(comparable(&again), comparable(&req), "{exported}");
    let follows = |r: &crate::request::prepare::PreparedRequest| {
        r.options.follow_all_redirects
            || (r.options.follow_redirects && matches!(r.method.as_str(), "GET" | "HEAD"))
    };
    assert_eq!(follows(&again), follows(&req), "{exported}");
}

/// A request's headers as a server reads them: values trimmed, in name order, without the
/// secrets an export leaves out and the two headers certbench adds itself.
fn comparable(req: &crate::request::prepare::PreparedRequest) -> Vec<(String, String)> {
    let red = crate::history::redact::Redactor::for_request(req);
    let mut h: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|(k, _)| !red.is_secret(k))
        .filter(|(k, _)| {
            !k.eq_ignore_ascii_case("user-agent") && !k.eq_ignore_ascii_case("accept-encoding")
        })
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    h.sort();
    h
}

/// An environment file: parsed, applied to a profile, its variables added.
pub fn environment(data: &[u8]) {
    use crate::request::environment::Environment;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(env) = Environment::from_toml("fuzz", text) else {
        return;
    };
    let mut p = Profile {
        url: "https://fuzz.test/${base}".into(),
        ..Profile::default()
    };
    env.apply_defaults(&mut p);
    let mut vars = crate::request::vars::Vars::new();
    env.add_vars(&mut vars);
    let _ = crate::request::prepare::prepare(&p, &vars);
}

/// A bindings file: parsed, then asked for the key of a few URLs; a pattern it matches is
/// one `bind` accepts.
pub fn bindings(data: &[u8]) {
    use crate::keys::bindings::Bindings;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(b) = Bindings::from_text("fuzz/bindings.toml".into(), text) else {
        return;
    };
    for url in [
        "https://api.fuzz.test/x",
        "https://[::1]:8443/",
        "https://127.0.0.1/",
        "https://xn--bcher-kva.test:1/",
    ] {
        let url = url::Url::parse(url).expect("a fixed URL parses");
        if let Some(bound) = b.for_url(&url) {
            let parsed: Result<crate::keys::bindings::Pattern, _> = bound.pattern.parse();
            assert!(parsed.is_ok(), "a matching pattern parses: {bound:?}");
        }
    }
    let _ = b.list();
}

/// Capture and expectation rules (first line: a TOML fragment with `[capture.*]` and
/// `[expect]`) against a response whose body is the rest.
pub fn rules(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (rules, body) = text.split_once('\n').unwrap_or((text, ""));
    let doc = format!(
        "name = \"fuzz\"\nurl = \"https://fuzz.test/\"\n{}",
        rules.replace("\\n", "\n")
    );
    let Ok(p) = Profile::from_toml(&doc, Path::new("fuzz.toml")) else {
        return;
    };
    let ex = Exchange {
        status: 200,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("set-cookie".into(), "s=1".into()),
        ],
        body: Bytes::copy_from_slice(&body.as_bytes()[..body.len().min(64 << 10)]),
        ..Exchange::default()
    };
    for (name, c) in &p.capture {
        if c.check(name).is_ok() {
            let _ = c.take(&ex);
        }
    }
    if p.expect.check_rules().is_ok() {
        let v = p.expect.verdict(&ex);
        let _ = v.summary();
    }
}

/// A `requires` graph (each line `name: a b c`): the run's plan holds every profile once, and
/// every profile not on a loop comes after what it requires among them.
pub fn requires(data: &[u8]) {
    use crate::request::runner::Plan;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut profiles: Vec<Profile> = Vec::new();
    for line in text.lines().take(200) {
        let (name, needs) = line.split_once(':').unwrap_or((line, ""));
        let name = name.trim();
        if name.is_empty() || profiles.iter().any(|p| p.name == name) {
            continue;
        }
        profiles.push(Profile {
            name: name.to_string(),
            requires: needs
                .split_whitespace()
                .take(50)
                .map(str::to_string)
                .collect(),
            ..Profile::default()
        });
    }
    let names: Vec<String> = profiles.iter().map(|p| p.name.clone()).collect();
    let plan = Plan::new(profiles.clone());
    let mut seen: Vec<String> = plan
        .waves
        .iter()
        .flatten()
        .map(|p| p.name.clone())
        .collect();
    seen.sort();
    let mut want = names.clone();
    want.sort();
    assert_eq!(seen, want, "every profile is planned exactly once");
    let wave_of = |n: &str| {
        plan.waves
            .iter()
            .position(|w| w.iter().any(|p| p.name == n))
    };
    // Depth-first: the profiles that reach a loop through their requires.
    fn on_loop(name: &str, all: &[Profile], path: &mut Vec<String>) -> bool {
        if path.iter().any(|p| p == name) {
            return true;
        }
        let Some(p) = all.iter().find(|p| p.name == name) else {
            return false;
        };
        path.push(name.to_string());
        let found = p.requires.iter().any(|r| on_loop(r, all, path));
        path.pop();
        found
    }
    for p in &profiles {
        if on_loop(&p.name, &profiles, &mut Vec::new()) {
            continue;
        }
        for r in p.requires.iter().filter(|r| names.contains(r)) {
            assert!(
                wave_of(r) < wave_of(&p.name),
                "{} requires {r} but is planned no later",
                p.name
            );
        }
    }
}

/// An imported collection: the first byte chooses a JSON or YAML file (Postman's three,
/// Insomnia's export and certificate database, HAR, OpenAPI), a `.http` file, or a
/// Bruno `.bru` request. Every profile it makes has a unique file-safe name and loads back from
/// the TOML the import writes; no path it names is outside the collection's folder.
pub fn import(data: &[u8]) {
    use crate::interop::bruno;
    use crate::interop::collection::{Collection, file_safe};
    let Some((choice, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut c = Collection::default();
    let folder = std::path::Path::new("/fuzz");
    match choice % 4 {
        // Any of the JSON (or YAML) formats, as `import` tells them apart.
        0 => {
            let _ = crate::interop::import_files::read_text(text, folder, &mut c);
        }
        1 => bruno::request_text(text, &mut c),
        2 => crate::interop::http_file::requests(text, "fuzz", None, &mut c),
        // A format named with --format, whatever the text is.
        _ => {
            use crate::interop::collection::Format;
            let format = Format::ALL[(*choice as usize / 4) % Format::ALL.len()];
            let _ = crate::interop::import_files::read_as(format, text, None, folder, &mut c);
        }
    }
    let mut names = std::collections::HashSet::new();
    for p in &c.profiles {
        assert_eq!(file_safe(&p.name), p.name, "a file-safe name");
        assert!(names.insert(p.name.clone()), "unique names: {}", p.name);
        let back = Profile::from_toml(&p.to_toml(), std::path::Path::new("fuzz.toml"))
            .unwrap_or_else(|e| panic!("the written profile loads back: {e}\n{}", p.to_toml()));
        assert_eq!(&back.url, &p.url);
        for part in &p.body.parts {
            if let Some(f) = &part.file {
                assert!(f.starts_with("/fuzz"), "a file part inside the folder: {f}");
            }
        }
    }
    for k in &c.certificates {
        for f in [&k.cert, &k.key, &k.pfx].into_iter().flatten() {
            assert!(
                f.starts_with(folder),
                "a certificate inside the folder: {}",
                f.display()
            );
        }
    }
}

/// A schema with every kind of field, for the `grpc_message` target.
const FUZZ_PROTO: &str = r#"syntax = "proto3";
package fuzz;
import "google/protobuf/timestamp.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/any.proto";
import "google/protobuf/wrappers.proto";
enum Color { RED = 0; GREEN = 1; }
message Inner { string s = 1; repeated Inner kids = 2; }
message Everything {
  double d = 1; float f = 2; int32 i32 = 3; int64 i64 = 4; uint32 u32 = 5; uint64 u64 = 6;
  sint32 s32 = 7; sint64 s64 = 8; fixed32 f32 = 9; fixed64 f64 = 10; bool b = 11;
  string s = 12; bytes raw = 13; Color color = 14; Inner inner = 15;
  repeated int32 many = 16; map<string, Inner> by_name = 17;
  oneof choice { string text = 18; int64 number = 19; }
  google.protobuf.Timestamp at = 20; google.protobuf.Struct doc = 21;
  google.protobuf.Any any = 22; google.protobuf.Int64Value maybe = 23;
  optional string opt = 24;
}
"#;

/// The gRPC message path: JSON to a message of the schema and back (what we encode decodes to
/// the same JSON), a request template for every type, a symbol looked up, status details and
/// the message framing read from the same bytes.
pub fn grpc_message(data: &[u8]) {
    use crate::net::grpc::{describe, frame, status};
    use prost_reflect::DynamicMessage;
    static POOL: std::sync::OnceLock<prost_reflect::DescriptorPool> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temp folder");
        let file = dir.path().join("fuzz.proto");
        std::fs::write(&file, FUZZ_PROTO).expect("the schema is written");
        crate::net::grpc::schema::compile(&[file], &[]).expect("the fuzz schema compiles")
    });
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let names = [
        "fuzz.Everything",
        "fuzz.Inner",
        "google.protobuf.Struct",
        "google.protobuf.Any",
    ];
    let desc = pool
        .get_message_by_name(names[usize::from(selector) % names.len()])
        .expect("the message is in the schema");
    // A template is a valid message of its type (the well-known types have their own JSON).
    if !desc.full_name().starts_with("google.protobuf.") {
        let template = describe::template(&desc);
        let mut de = serde_json::Deserializer::from_str(&template);
        if let Err(e) = DynamicMessage::deserialize(desc.clone(), &mut de) {
            panic!(
                "the template of {} is not one: {e}\n{template}",
                desc.full_name()
            );
        }
    }
    let mut d = frame::Deframer::new(64);
    if let Ok(messages) = d.push(rest) {
        assert!(
            messages.iter().all(|m| m.len() <= 64),
            "a message over the limit"
        );
    }
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let _ = describe::symbol(pool, text);
    let _ = status::details(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let Ok(message) = DynamicMessage::deserialize(desc.clone(), &mut de) else {
        return;
    };
    if de.end().is_err() {
        return;
    }
    let bytes = prost::Message::encode_to_vec(&message);
    let back = DynamicMessage::decode(desc, bytes.as_slice()).expect("our own encoding decodes");
    let (a, b) = (serde_json::to_value(&message), serde_json::to_value(&back));
    if let (Ok(a), Ok(b)) = (a, b) {
        assert_eq!(a, b, "a message survives the wire");
    }
}
