//! `send`: one profile (or flags) through the chain and the pipeline, printed for a person or as
//! JSON; the same profile with two keys or in two environments, compared.

use engine::request::profile_dir;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use super::exit::EXIT_USAGE;
use super::send_body::split_pair;
use super::{fail, history, keystore, messages, output, pins};
use engine::budget::Budget;
use engine::home;
use engine::keys::bindings::Bindings;
use engine::net::transport::Transport;
use engine::pipeline::Pipeline;
use engine::request::chain::Scope;
use engine::request::environment::Environment;
use engine::request::prepare::PreparedRequest;
use engine::request::profile::Profile;

#[derive(Args, Debug, Default)]
pub struct SendArgs {
    /// Profile name, a profile file's path (its folder's vars.toml and environments/ come with it), or a URL (omit to build the request from flags alone)
    #[arg(add = super::completion::profiles())]
    pub profile: Option<String>,
    /// The URL to send to (overrides the profile's); ${name} variables are expanded
    #[arg(long)]
    pub url: Option<String>,
    /// HTTP method (GET, POST, ... or another token)
    #[arg(long, short = 'X')]
    pub method: Option<String>,
    /// 'Name: value' (repeatable)
    #[arg(long, short = 'H')]
    pub header: Vec<String>,
    /// k=v (repeatable)
    #[arg(long)]
    pub query: Vec<String>,
    /// The stored key to present (certbench keys list)
    #[arg(long, add = super::completion::keys())]
    pub credential: Option<String>,
    /// Present no client certificate, even if the profile names a key
    #[arg(long)]
    pub no_mtls: bool,
    /// Also trust this stored certificate for the server (repeatable; certbench trust list)
    #[arg(long, add = super::completion::trusted())]
    pub trust: Vec<String>,
    /// Do not verify the server's certificate (unsafe; marked UNVERIFIED)
    #[arg(long, short = 'k')]
    pub insecure: bool,
    /// Whole-request timeout, 1-300 seconds (covers reading, decoding and parsing the body; a stream's length)
    #[arg(long, visible_alias = "max-time", value_name = "SECONDS")]
    pub timeout: Option<u32>,
    /// Also redact this header, query key or field in history and output (repeatable; adds to the profile's `redact`)
    #[arg(long, value_name = "NAME")]
    pub redact: Vec<String>,
    /// Most body bytes held in memory, after decoding (default 256MiB; e.g. 10M, 1GiB)
    #[arg(long, value_name = "SIZE")]
    pub max_body: Option<engine::size::ByteSize>,
    /// Stream the body (decoded) into FILE instead of memory: any size, no limit
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "compare_key")]
    pub output: Option<PathBuf>,
    /// Do not follow redirects
    #[arg(long)]
    pub no_follow: bool,
    /// Follow redirects of every method (301/302/303 become GET, as curl -L does)
    #[arg(long)]
    pub follow_all: bool,
    /// Send repeated query keys as k=a&k=b instead of k[0]=a&k[1]=b
    #[arg(long)]
    pub no_query_arrays: bool,
    /// Do not ask for compressed bodies (no Accept-Encoding)
    #[arg(long)]
    pub no_compressed: bool,
    /// Print the body as received, not pretty-printed
    #[arg(long)]
    pub no_parse: bool,
    /// A 4xx or 5xx answer is not a failure (exit 0)
    #[arg(long)]
    pub no_status_errors: bool,
    /// Keep cookies between the sends of a chain (the session jar)
    #[arg(long)]
    pub share_cookies: bool,
    /// Load and save cookies in this file (implies --share-cookies)
    #[arg(long)]
    pub cookie_jar: Option<PathBuf>,
    /// The raw body text
    #[arg(long, conflicts_with = "data_file")]
    pub data: Option<String>,
    /// Read the raw body from FILE (a regular file, at most 64 MiB)
    #[arg(long)]
    pub data_file: Option<PathBuf>,
    /// The raw body's media type (default: none)
    #[arg(long)]
    pub content_type: Option<String>,
    /// k=v form field (repeatable)
    #[arg(long)]
    pub form: Vec<String>,
    /// name=text or name=@file multipart part (repeatable)
    #[arg(long)]
    pub part: Vec<String>,
    /// name=value for ${name} (repeatable)
    #[arg(long)]
    pub var: Vec<String>,
    /// Print the exchange as one JSON object (the --json contract)
    #[arg(long)]
    pub json: bool,
    /// Print the request line, redirects and TLS facts to stderr
    #[arg(short, long)]
    pub verbose: bool,
    /// Do not record this send in history
    #[arg(long)]
    pub no_history: bool,
    /// An event stream (text/event-stream) or a WebSocket ends after N events or messages received; its time limit is --timeout
    #[arg(long, visible_alias = "max-messages", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_events: Option<u64>,
    /// An event stream the server closes is opened again (Last-Event-ID, after its retry) until --timeout
    #[arg(long)]
    pub reconnect: bool,
    /// A WebSocket (ws://, wss://): send this text message once open (repeatable, in order); @FILE sends the file's content. Lines on stdin, when it is not a terminal, are sent too. A gRPC call (grpcs://): each is a request message in JSON (several for a client stream; without --message or --data, stdin's lines are)
    #[arg(long, value_name = "TEXT|@FILE")]
    pub message: Vec<String>,
    /// gRPC: compile these .proto files for the schema instead of asking the server's reflection (repeatable)
    #[arg(long, value_name = "FILE", conflicts_with = "protoset")]
    pub proto: Vec<PathBuf>,
    /// gRPC: look up the .proto files' imports in DIR (repeatable)
    #[arg(long, value_name = "DIR")]
    pub import_path: Vec<PathBuf>,
    /// gRPC: read the schema from this compiled descriptor set (protoc --descriptor_set_out)
    #[arg(long, value_name = "FILE")]
    pub protoset: Option<PathBuf>,
    /// `grpc list`: list what the server offers instead of calling
    #[arg(skip)]
    pub grpc_list: bool,
    /// `grpc describe`: describe this symbol instead of calling
    #[arg(skip)]
    pub grpc_describe: Option<String>,
    /// A WebSocket: ask for this subprotocol (Sec-WebSocket-Protocol; repeatable)
    #[arg(long, value_name = "NAME")]
    pub subprotocol: Vec<String>,
    /// Also send with this key and compare the two responses (exit 0 same, 1 different, 2 trouble)
    #[arg(long, value_name = "KEY")]
    pub compare_key: Option<String>,
    /// With --compare-key or --compare-env: a JSON path or header name to ignore (repeatable)
    #[arg(long)]
    pub ignore: Vec<String>,
    /// Send through this HTTP proxy (http://[USER:PASS@]HOST:PORT); default: HTTPS_PROXY, http_proxy, ALL_PROXY
    #[arg(long, value_name = "URL", conflicts_with = "no_proxy")]
    pub proxy: Option<String>,
    /// Connect directly, whatever the profile and the environment say about proxies
    #[arg(long)]
    pub no_proxy: bool,
    /// Connect to ADDRESS for HOST:PORT; SNI and Host stay HOST (repeatable, as curl)
    #[arg(long, value_name = "HOST:PORT:ADDRESS")]
    pub resolve: Vec<String>,
    /// Connect to HOST2:PORT2 for HOST:PORT; SNI and Host stay HOST (repeatable, as curl)
    #[arg(long, value_name = "HOST:PORT:HOST2:PORT2")]
    pub connect_to: Vec<String>,
    /// Speak HTTP/1.1 only (ALPN http/1.1)
    #[arg(long = "http1.1", conflicts_with = "http2")]
    pub http1: bool,
    /// Speak HTTP/2 only (ALPN h2 over TLS, prior knowledge over http://)
    #[arg(long)]
    pub http2: bool,
    /// Fetch the CRLs the server's certificates name (their http distribution points, cached until their next update) and check the chain before sending; =strict refuses to send when one cannot be had
    #[arg(long, value_name = "strict", num_args = 0..=1, require_equals = true, default_missing_value = "on", value_parser = ["on", "strict"])]
    pub check_revocation: Option<String>,
    /// Send the key's certificate in the Client-Cert header (RFC 9440) instead of the TLS handshake, as a TLS terminator passes it to an origin
    #[arg(long)]
    pub client_cert_header: bool,
    /// Check the server's certificates against this certificate revocation list, PEM or DER (repeatable); a revoked one fails the send, saying when and why
    #[arg(long, value_name = "FILE")]
    pub crl: Vec<PathBuf>,
    /// Fail unless the server's public key has this hash: sha256//BASE64[;sha256//...] (curl's --pinnedpubkey)
    #[arg(long, value_name = "sha256//BASE64")]
    pub pin: Option<String>,
    /// Append the TLS secrets to FILE (NSS key log, for Wireshark); SSLKEYLOGFILE does the same
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<PathBuf>,
    /// Use environments/NAME.toml: its variables, and its credential, trust and proxy where the profile names none
    #[arg(long, value_name = "NAME", add = super::completion::environments())]
    pub env: Option<String>,
    #[command(flatten)]
    pub token_pin: pins::PinArgs,
    /// Also send in this environment and compare the two responses (exit 0 same, 1 different)
    #[arg(long, value_name = "NAME", conflicts_with_all = ["compare_key", "output"])]
    pub compare_env: Option<String>,
}

/// The profile the flags describe: the named profile (if any) with every override applied.
pub fn build_profile(dir: &Path, args: &SendArgs) -> Result<Profile, String> {
    let mut p = match &args.profile {
        // `send https://host/path`, as curl users type it.
        Some(url) if url.contains("://") && args.url.is_none() => Profile {
            name: "(flags)".into(),
            url: url.clone(),
            ..Profile::default()
        },
        // A profile file's path, wherever it is.
        Some(path) if is_profile_file(path) => {
            Profile::load(Path::new(path)).map_err(|e| e.to_string())?
        }
        Some(path) if Path::new(path).is_dir() => {
            return Err(format!(
                "{path} is a folder: send takes one profile (its name or its file); `certbench run {path}` sends every profile in it"
            ));
        }
        Some(path) if path.ends_with(".toml") => {
            return Err(format!("no such profile file: {path}"));
        }
        Some(name) => profile_dir::find(dir, name).map_err(|e| e.to_string())?,
        None => Profile {
            name: "(flags)".into(),
            ..Profile::default()
        },
    };
    if let Some(u) = &args.url {
        p.url = u.clone();
    }
    if p.url.is_empty() {
        return Err("no URL: give a PROFILE or --url URL".into());
    }
    if let Some(m) = &args.method {
        p.method = m.to_ascii_uppercase();
    }
    for m in &args.message {
        p.websocket.messages.push(messages::message_text(m)?);
    }
    p.websocket
        .subprotocols
        .extend(args.subprotocol.iter().cloned());
    for h in &args.header {
        let (k, v) = split_pair("--header", h, ':')?;
        p.add_header(k.trim(), v.trim());
    }
    for q in &args.query {
        let (k, v) = split_pair("--query", q, '=')?;
        p.query.push((k.into(), v.into()));
    }
    if let Some(c) = &args.credential {
        p.credential = Some(c.clone());
    }
    if args.no_mtls {
        p.options.mutual_tls = Some(false);
    }
    p.trust.extend(args.trust.iter().cloned());
    p.redact.extend(args.redact.iter().cloned());
    let o = &mut p.options;
    if args.insecure {
        o.verify_tls = false;
    }
    if let Some(t) = args.timeout {
        o.timeout_secs = t;
    }
    o.reconnect |= args.reconnect;
    if let Some(size) = args.max_body {
        engine::request::profile::check_max_body(size)?;
        o.max_body = Some(size);
    }
    if args.no_follow {
        o.follow_redirects = false;
    }
    if args.follow_all {
        o.follow_all_redirects = true;
    }
    o.query_arrays &= !args.no_query_arrays;
    o.compressed &= !args.no_compressed;
    o.parse_response &= !args.no_parse;
    o.errors_on_status &= !args.no_status_errors;
    o.share_cookies |= args.share_cookies || args.cookie_jar.is_some();
    if let Some(proxy) = &args.proxy {
        o.proxy = Some(proxy.clone());
    }
    if args.no_proxy {
        o.proxy = Some(engine::net::route::NO_PROXY_SETTING.into());
    }
    o.resolve.extend(args.resolve.iter().cloned());
    o.connect_to.extend(args.connect_to.iter().cloned());
    if args.http1 {
        o.http_version = engine::net::route::HttpVersion::Http1;
    }
    if args.http2 {
        o.http_version = engine::net::route::HttpVersion::Http2;
    }
    if let Some(pin) = &args.pin {
        o.pin = Some(pin.clone());
    }
    o.crl
        .extend(args.crl.iter().map(|p| p.display().to_string()));
    o.client_cert_header |= args.client_cert_header;
    match args.check_revocation.as_deref() {
        Some("strict") => o.check_revocation = engine::request::options::RevocationCheck::Strict,
        Some(_) => o.check_revocation = engine::request::options::RevocationCheck::On,
        None => {}
    }
    let body = super::send_body::BodyFlags {
        data: args.data.as_deref(),
        data_file: args.data_file.as_deref(),
        content_type: args.content_type.as_deref(),
        form: &args.form,
        part: &args.part,
    };
    super::send_body::body_overrides(&mut p, &body)?;
    let flags = super::grpc_flags::GrpcFlags {
        proto: &args.proto,
        import_path: &args.import_path,
        protoset: args.protoset.as_deref(),
        data_given: args.data.is_some() || args.data_file.is_some(),
        no_call: args.grpc_list || args.grpc_describe.is_some(),
    };
    super::grpc_flags::apply_flags(&mut p, &flags)?;
    Ok(p)
}

/// The scope of this command's sends: `--var`, the environment, the home's key bindings.
pub fn scope_for(dir: &Path, pairs: &[String], env: Option<&str>) -> Result<Scope, String> {
    let mut scope = Scope::new(dir.to_path_buf());
    for pair in pairs {
        let (k, v) = split_pair("--var", pair, '=')?;
        scope.flags.set(k, v);
    }
    if let Some(name) = env {
        scope.environment = Some(Environment::load(dir, name).map_err(|e| e.to_string())?);
    }
    match Bindings::open(&home::home_dir()) {
        Ok(b) => scope.bindings = Some(b),
        Err(e) => errln!("warning: key bindings not used: {e}"),
    }
    Ok(scope)
}

/// Whether a PROFILE argument names a file (`orders/get.toml`) rather than a profile's name.
fn is_profile_file(arg: &str) -> bool {
    (arg.ends_with(".toml") || arg.contains(std::path::MAIN_SEPARATOR)) && Path::new(arg).is_file()
}

pub(super) async fn send(dir: &Path, args: &SendArgs) -> i32 {
    let prepared: Result<(Profile, Scope), String> = (|| {
        let profile = build_profile(dir, args)?;
        // A profile file brings the vars.toml and environments of its folder or the nearest
        // folder above that has them.
        let root = match args.profile.as_deref().filter(|p| is_profile_file(p)) {
            Some(path) => profile_dir::root_of(Path::new(path)),
            None => dir.to_path_buf(),
        };
        let scope = scope_for(&root, &args.var, args.env.as_deref())?;
        // Checked here so a request that cannot be built exits 1 before anything is sent; with
        // `requires`, the variables they capture are not set yet, so the chain checks it.
        if profile.requires.is_empty() {
            scope.prepare(&profile).map_err(|f| f.diagnosis.message)?;
        }
        Ok((profile, scope))
    })();
    let (profile, scope) = match prepared {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let transport = Arc::new(
        Transport::new(keystore()).with_pins(Arc::new(pins::CliPins::new(&args.token_pin))),
    );
    if let Some(jar) = &args.cookie_jar
        && let Err(e) = transport.shared_jar().load(jar)
    {
        return fail(e);
    }
    let hist = if args.no_history || !profile.history {
        None
    } else {
        history::open().map(Arc::new)
    };
    let pipeline = Pipeline::new(transport.clone(), hist);
    if let Some(other) = &args.compare_key {
        let req = match scope.prepare(&profile) {
            Ok(r) => r,
            Err(f) => return fail(f.diagnosis.message),
        };
        return send_pair(&pipeline, profile, req, other, args).await;
    }
    if let Some(other_env) = &args.compare_env {
        return compare_envs(&pipeline, profile, &scope, other_env, args).await;
    }
    // Events of a text/event-stream answer are printed as they arrive; Ctrl-C ends the stream
    // with what arrived kept and recorded.
    let (tap, mut events) = tokio::sync::mpsc::channel(256);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let budget = Budget::unlimited().cancelled_by(stop.clone());
    let printer = {
        let as_json = args.json;
        tokio::spawn(async move {
            while let Some(e) = events.recv().await {
                output::print_event(&e, as_json);
            }
        })
    };
    let interrupt = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            // A second Ctrl-C is the usual one: stop now.
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    let mut sent = pipeline
        .send_chain(profile, &scope, &budget, |req| {
            req.save_to = args.output.clone();
            req.keylog = args.keylog.clone();
            if let Some(g) = &mut req.grpc {
                if args.grpc_list {
                    g.call = None;
                }
                g.describe = args.grpc_describe.clone();
            }
            // --max-events, else the profile's max_events.
            let mut events =
                engine::body::events::EventTap::to(tap, args.max_events.or(req.options.max_events));
            if req.websocket.is_some()
                && let Some(outbox) = messages::stdin_lines()
            {
                events = events.sending(outbox);
            }
            req.events = Some(events);
        })
        .await;
    interrupt.abort();
    // The sends hand their event taps back, so the printer sees the end of the events and
    // every event is printed before the result.
    for s in &mut sent {
        if let Some(r) = s.request.as_mut() {
            r.events = None;
        }
    }
    let _ = printer.await;
    let last = sent
        .pop()
        .expect("a chain ends with the profile's own send");
    for before in &sent {
        output::print_required(before);
    }
    // Cookies set on the way (redirect hops) count even when the send then failed.
    if let Some(jar) = &args.cookie_jar
        && let Err(e) = transport.shared_jar().save(jar)
    {
        errln!("warning: cannot save cookie jar {}: {e}", jar.display());
    }
    if let Some(e) = &last.not_recorded {
        errln!("warning: {e}");
    }
    let Some(req) = last.request.as_ref() else {
        // It did not prepare, even after what it requires.
        let Err(f) = &*last.result else {
            return EXIT_USAGE;
        };
        return fail(&f.diagnosis.message);
    };
    if args.verbose {
        // As history stores it: secret headers, and captured secret values anywhere, hidden.
        use engine::request::seen::{RequestSeen, Seen};
        let seen = RequestSeen::of(req, Seen::Sent);
        errln!("> {} {}", seen.request.method, seen.request.url);
        // The redactor already hides the headers mask_header would (redact::ALWAYS, and more);
        // then what the HTTP client adds on the wire.
        for (k, v) in seen.request.headers.iter().chain(&seen.added) {
            errln!("> {k}: {v}");
        }
        output::print_key_source(req);
        if let Some(id) = last.recorded_id() {
            errln!("* recorded as history #{id}");
        }
    }
    // A capture that found nothing is said every time: later sends would use a stale value.
    for (name, why) in &last.missed {
        errln!("warning: capture {name} found nothing: {why}");
    }
    output::print_result(
        req,
        &last.result,
        last.verdict.as_ref(),
        args.json,
        args.verbose,
    )
}

/// The same profile in two environments, both recorded, then compared (exit 0 same, 1 not).
async fn compare_envs(
    pipeline: &Pipeline,
    profile: Profile,
    scope: &Scope,
    other_env: &str,
    args: &SendArgs,
) -> i32 {
    let pair = match pipeline
        .send_in_two_envs(profile, scope, other_env, &Budget::unlimited())
        .await
    {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let env_words =
        |env: Option<&str>| env.map_or("no environment".to_string(), |e| format!("env {e}"));
    let label = |sent: &engine::pipeline::Sent, env: String| {
        let key = sent
            .request
            .as_ref()
            .and_then(|r| r.credential.clone())
            .unwrap_or_else(|| "none".into());
        format!(
            "{}{env} key {key}",
            sent.recorded_id()
                .map(|i| format!("#{i} "))
                .unwrap_or_default()
        )
    };
    let (a, b) = (&pair.here, &pair.there);
    let mut rules = a.profile.compare_ignore.clone();
    rules.extend(args.ignore.iter().cloned());
    let cmp = engine::history::compare::compare(&a.result, &b.result, &rules);
    history::print_comparison(
        &cmp,
        &label(a, env_words(pair.here_env.as_deref())),
        &label(b, env_words(Some(&pair.there_env))),
        args.json,
    );
    if cmp.is_equal() {
        history::DIFF_SAME
    } else {
        history::DIFF_DIFFERENT
    }
}

/// The rotation / authorization case: the same request with two keys, both recorded, then compared.
async fn send_pair(
    pipeline: &Pipeline,
    profile: Profile,
    req: PreparedRequest,
    other: &str,
    args: &SendArgs,
) -> i32 {
    if let Err(e) = pipeline.transport().keystore().show(other) {
        return fail(e);
    }
    let first_key = req.credential.clone().filter(|_| req.mutual_tls);
    let (a, b) = pipeline
        .send_pair(profile, req, other, &Budget::unlimited())
        .await;
    for e in [&a.not_recorded, &b.not_recorded].into_iter().flatten() {
        errln!("warning: {e}");
    }
    let (ra, rb) = (&*a.result, &*b.result);
    let (ida, idb) = (a.recorded_id(), b.recorded_id());
    let profile = &a.profile;
    let mut rules = profile.compare_ignore.clone();
    rules.extend(args.ignore.iter().cloned());
    let cmp = engine::history::compare::compare(ra, rb, &rules);
    let label = |id: Option<i64>, key: Option<&str>| {
        format!(
            "{}key {}",
            id.map(|i| format!("#{i} ")).unwrap_or_default(),
            key.unwrap_or("none")
        )
    };
    history::print_comparison(
        &cmp,
        &label(ida, first_key.as_deref()),
        &label(idb, Some(other)),
        args.json,
    );
    if cmp.is_equal() {
        history::DIFF_SAME
    } else {
        history::DIFF_DIFFERENT
    }
}
