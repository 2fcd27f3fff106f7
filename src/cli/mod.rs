//! The headless command line: keys, trust, profiles, send, demo; the stable contract for scripts.

#[macro_use]
mod stdout;
mod curl;
mod demo;
mod exit;
mod history;
mod json;
mod output;
mod pins;
mod run;

pub use demo::{DemoHome, demo_home};

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};

use crate::core::bindings::Bindings;
use crate::core::budget::Budget;
use crate::core::chain::Scope;
use crate::core::environment::Environment;
use crate::core::home;
use crate::core::keystore::{KeyError, Keystore};
use crate::core::pipeline::Pipeline;
use crate::core::prepare::PreparedRequest;
use crate::core::profile::{self, Body, BodyType, HeaderValues, Part, Profile};
use crate::core::transport::Transport;
use crate::core::vars::Vars;

use exit::{EXIT_OK, EXIT_USAGE};

#[derive(Parser, Debug)]
#[command(
    name = "certbench",
    version,
    about = "A workbench for HTTP APIs that authenticate clients with certificates (mutual TLS)"
)]
pub struct Cli {
    /// Profiles folder (default: ./profiles if present, else the home folder's)
    #[arg(long, global = true)]
    pub profiles: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Send a request (a profile, flags, or both) and print the response
    Send(Box<SendArgs>),
    /// Run profiles or folders of them as a suite: dependency order, in parallel, JUnit/JSON reports
    Run(run::RunArgs),
    /// Make a profile from something else: `import curl 'curl ...'`
    #[command(subcommand)]
    Import(curl::ImportCmd),
    /// Turn a profile into something else: `export curl PROFILE`
    #[command(subcommand)]
    Export(curl::ExportCmd),
    /// Credential keys: import, list, show, export, delete, check
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Trusted server certificates and private CAs
    #[command(subcommand)]
    Trust(TrustCmd),
    /// Saved request profiles
    #[command(subcommand)]
    Profiles(ProfilesCmd),
    /// Recorded sends: list, show, diff, delete, clear
    #[command(subcommand)]
    History(history::HistoryCmd),
    /// Start the embedded mTLS demo server and open the workbench on it (--serve: server only)
    Demo(DemoArgs),
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Run only the server, print its URL and how to use it
    #[arg(long)]
    pub serve: bool,
    /// Port for the server (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
}

#[derive(Subcommand, Debug)]
pub enum KeysCmd {
    /// Import a credential key from a PKCS#12/PFX file, or a certificate and a key file
    Import(ImportArgs),
    /// List credential keys
    List {
        #[arg(long)]
        json: bool,
        /// Exit 1 when any key expires within DAYS (for cron and CI)
        #[arg(long, value_name = "DAYS")]
        expiring: Option<i64>,
    },
    /// Show every fact of one key
    Show {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Print the public certificate chain as PEM
    Export { name: String },
    /// Delete a key
    Delete { name: String },
    /// Use key NAME for hosts matching PATTERN (host, host:port, *.domain) when nothing else names a key
    Bind { name: String, pattern: String },
    /// Remove the binding of PATTERN
    Unbind { pattern: String },
    /// List the host bindings
    Bindings {
        #[arg(long)]
        json: bool,
    },
    /// Handshake with a server and report whether it accepts this key
    Check {
        name: String,
        #[arg(long)]
        url: String,
        #[arg(long = "trust")]
        trust: Vec<String>,
        #[arg(long)]
        insecure: bool,
        /// Seconds to wait for the handshake, 1-300 (a silent server is reported as a timeout)
        #[arg(long, default_value_t = 10)]
        timeout: u32,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        pin: pins::PinArgs,
    },
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    pub name: String,
    /// PKCS#12 / PFX file
    #[arg(long, conflicts_with_all = ["cert", "key"])]
    pub p12: Option<PathBuf>,
    /// Certificate (chain) file, PEM or DER (with --pkcs11: when the token holds only the key)
    #[arg(long)]
    pub cert: Option<PathBuf>,
    /// Private key file: PKCS#8 (plain or encrypted), PKCS#1, SEC1; PEM or DER
    #[arg(long, requires = "cert", conflicts_with = "pkcs11")]
    pub key: Option<PathBuf>,
    /// A key that stays on a PKCS#11 token: pkcs11:token=LABEL;object=KEY (or id=%01)
    #[arg(long, value_name = "URI", conflicts_with = "p12")]
    pub pkcs11: Option<String>,
    /// The token's PKCS#11 module (default: CERTBENCH_PKCS11_MODULE, else p11-kit's proxy)
    #[arg(long, value_name = "PATH", requires = "pkcs11")]
    pub module: Option<PathBuf>,
    #[command(flatten)]
    pub password: PasswordArgs,
    #[command(flatten)]
    pub pin: pins::PinArgs,
}

#[derive(Args, Debug, Clone)]
pub struct PasswordArgs {
    /// Read the password from this environment variable
    #[arg(long, value_name = "VAR", conflicts_with = "password_file")]
    pub password_env: Option<String>,
    /// Read the password from the first line of this file
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum TrustCmd {
    /// Trust a server certificate or private CA (PEM, DER or PKCS#12)
    Add {
        name: String,
        file: PathBuf,
        #[command(flatten)]
        password: PasswordArgs,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    Delete {
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProfilesCmd {
    /// List profiles (a broken one is listed with its error)
    List,
    /// Print a profile as TOML
    Show { name: String },
}

#[derive(Args, Debug, Default)]
pub struct SendArgs {
    /// Profile name (omit to build the request from flags alone)
    pub profile: Option<String>,
    #[arg(long)]
    pub url: Option<String>,
    #[arg(long, short = 'X')]
    pub method: Option<String>,
    /// 'Name: value' (repeatable)
    #[arg(long, short = 'H')]
    pub header: Vec<String>,
    /// k=v (repeatable)
    #[arg(long)]
    pub query: Vec<String>,
    #[arg(long)]
    pub credential: Option<String>,
    #[arg(long)]
    pub no_mtls: bool,
    #[arg(long)]
    pub trust: Vec<String>,
    /// Do not verify the server's certificate (unsafe; marked UNVERIFIED)
    #[arg(long, short = 'k')]
    pub insecure: bool,
    /// Whole-request timeout, 1-300 seconds (covers reading, decoding and parsing the body)
    #[arg(long)]
    pub timeout: Option<u32>,
    /// Also redact this header, query key or field in history and output (repeatable; adds to the profile's `redact`)
    #[arg(long, value_name = "NAME")]
    pub redact: Vec<String>,
    /// Most body bytes held in memory, after decoding (default 256MiB; e.g. 10M, 1GiB)
    #[arg(long, value_name = "SIZE")]
    pub max_body: Option<crate::core::size::ByteSize>,
    /// Stream the body (decoded) into FILE instead of memory: any size, no limit
    #[arg(long, short = 'o', value_name = "FILE", conflicts_with = "compare_key")]
    pub output: Option<PathBuf>,
    #[arg(long)]
    pub no_follow: bool,
    #[arg(long)]
    pub follow_all: bool,
    #[arg(long)]
    pub no_query_arrays: bool,
    #[arg(long)]
    pub no_compressed: bool,
    #[arg(long)]
    pub no_parse: bool,
    #[arg(long)]
    pub no_status_errors: bool,
    #[arg(long)]
    pub share_cookies: bool,
    /// Load and save cookies in this file (implies --share-cookies)
    #[arg(long)]
    pub cookie_jar: Option<PathBuf>,
    #[arg(long, conflicts_with = "data_file")]
    pub data: Option<String>,
    #[arg(long)]
    pub data_file: Option<PathBuf>,
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
    #[arg(long)]
    pub json: bool,
    /// Print the request line, redirects and TLS facts to stderr
    #[arg(short, long)]
    pub verbose: bool,
    /// Do not record this send in history
    #[arg(long)]
    pub no_history: bool,
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
    /// Fail unless the server's public key has this hash: sha256//BASE64[;sha256//...] (curl's --pinnedpubkey)
    #[arg(long, value_name = "sha256//BASE64")]
    pub pin: Option<String>,
    /// Append the TLS secrets to FILE (NSS key log, for Wireshark); SSLKEYLOGFILE does the same
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<PathBuf>,
    /// Use environments/NAME.toml: its variables, and its credential, trust and proxy where the profile names none
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    #[command(flatten)]
    pub token_pin: pins::PinArgs,
    /// Also send in this environment and compare the two responses (exit 0 same, 1 different)
    #[arg(long, value_name = "NAME", conflicts_with_all = ["compare_key", "output"])]
    pub compare_env: Option<String>,
}

/// Parses the command line and runs it; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    let profiles_dir = home::profiles_dir(cli.profiles.as_deref());
    match cli.command {
        None => crate::tui::run(&profiles_dir, &home::home_dir(), Vars::new(), None),
        Some(Command::Demo(args)) => demo::run(args.serve, args.port),
        Some(Command::Send(args)) => runtime().block_on(send(&profiles_dir, &args)),
        Some(Command::Import(cmd)) => curl::import(&profiles_dir, &keystore(), cmd),
        Some(Command::Export(cmd)) => curl::export(&profiles_dir, &keystore(), cmd),
        Some(Command::Run(args)) => {
            runtime().block_on(run::run(&profiles_dir, &home::home_dir(), &args))
        }
        Some(Command::Keys(cmd)) => keys(cmd),
        Some(Command::Trust(cmd)) => trust(cmd),
        Some(Command::Profiles(cmd)) => profiles(&profiles_dir, cmd),
        Some(Command::History(cmd)) => history::run(cmd),
    }
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn fail(message: impl std::fmt::Display) -> i32 {
    eprintln!("error: {message}");
    EXIT_USAGE
}

fn keystore() -> Keystore {
    Keystore::open(&home::home_dir())
}

/// A key, certificate or trust file: at most 1 MiB of a regular file.
fn read_file(path: &Path) -> Result<Vec<u8>, KeyError> {
    home::read_bounded(path, home::KEY_FILE_LIMIT).map_err(|e| KeyError::Read {
        path: path.display().to_string(),
        source: match e.kind() {
            std::io::ErrorKind::NotFound => crate::core::cause::IoCause::said(
                std::io::ErrorKind::NotFound,
                "no such file: check the path",
            ),
            _ => e.into(),
        },
    })
}

/// The password from --password-env / --password-file, if given.
fn given_password(args: &PasswordArgs) -> Result<Option<String>, String> {
    if let Some(var) = &args.password_env {
        return std::env::var(var)
            .map(Some)
            .map_err(|_| format!("environment variable {var} (from --password-env) is not set"));
    }
    if let Some(file) = &args.password_file {
        let bytes = home::read_bounded(file, home::KEY_FILE_LIMIT)
            .map_err(|e| format!("cannot read --password-file {}: {e}", file.display()))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("--password-file {} is not UTF-8 text", file.display()))?;
        return Ok(Some(text.lines().next().unwrap_or("").to_string()));
    }
    Ok(None)
}

fn prompt_password(what: &str) -> Option<String> {
    if !std::io::stdin().is_terminal() {
        return None;
    }
    rpassword::prompt_password(format!("password for {what}: ")).ok()
}

/// Runs an import, asking for the password on a TTY when the file needs one and none was given.
fn with_password<T>(
    args: &PasswordArgs,
    what: &str,
    run: impl Fn(Option<&str>) -> Result<T, KeyError>,
) -> Result<T, String> {
    let given = given_password(args)?;
    match run(given.as_deref()) {
        Err(KeyError::PasswordNeeded { .. } | KeyError::WrongPassword { .. })
            if given.is_none() =>
        {
            match prompt_password(what) {
                Some(pw) => run(Some(&pw)).map_err(|e| e.to_string()),
                None => Err(KeyError::PasswordNeeded { what: what.into() }.to_string()),
            }
        }
        other => other.map_err(|e| e.to_string()),
    }
}

fn keys(cmd: KeysCmd) -> i32 {
    let ks = keystore();
    match cmd {
        KeysCmd::Import(args) => import(&ks, &args),
        KeysCmd::Bind { name, pattern } => {
            if let Err(e) = ks.show(&name) {
                return fail(e);
            }
            let bound = Bindings::open(&home::home_dir()).and_then(|mut b| b.bind(&name, &pattern));
            match bound {
                Ok(p) => {
                    eprintln!("key {name} is used for {p} when nothing else names a key");
                    EXIT_OK
                }
                Err(e) => fail(e),
            }
        }
        KeysCmd::Unbind { pattern } => {
            match Bindings::open(&home::home_dir()).and_then(|mut b| b.unbind(&pattern)) {
                Ok(true) => {
                    eprintln!("unbound {pattern}");
                    EXIT_OK
                }
                Ok(false) => fail(format!(
                    "no binding for {pattern}: run `certbench keys bindings` to see them"
                )),
                Err(e) => fail(e),
            }
        }
        KeysCmd::Bindings { json } => match Bindings::open(&home::home_dir()) {
            Ok(b) => {
                output::bindings(&b.list(), json);
                EXIT_OK
            }
            Err(e) => fail(e),
        },
        KeysCmd::List { json, expiring } => output::key_list(&ks, json, expiring),
        KeysCmd::Show { name, json } => match ks.show(&name) {
            Ok(info) => {
                output::key_show(&info, json);
                EXIT_OK
            }
            Err(e) => fail(e),
        },
        KeysCmd::Export { name } => match ks.export_pem(&name) {
            Ok(pem) => {
                out!("{pem}");
                EXIT_OK
            }
            Err(e) => fail(e),
        },
        KeysCmd::Delete { name } => match ks.delete(&name) {
            Ok(()) => {
                eprintln!("deleted key {name}");
                EXIT_OK
            }
            Err(e) => fail(e),
        },
        KeysCmd::Check {
            name,
            url,
            trust,
            insecure,
            timeout,
            json,
            pin,
        } => {
            if let Err(e) = crate::core::profile::check_timeout(timeout) {
                return fail(e);
            }
            runtime().block_on(output::key_check(
                &ks,
                &name,
                &url,
                trust,
                output::CheckOptions {
                    insecure,
                    timeout,
                    pins: Arc::new(pins::CliPins::new(&pin)),
                },
                json,
            ))
        }
    }
}

fn import(ks: &Keystore, args: &ImportArgs) -> i32 {
    if let Some(uri) = &args.pkcs11 {
        return import_token(ks, args, uri);
    }
    let result = match (&args.p12, &args.cert, &args.key) {
        (Some(p12), _, _) => {
            let what = p12.display().to_string();
            match read_file(p12) {
                Err(e) => Err(e.to_string()),
                Ok(data) => with_password(&args.password, &what, |pw| {
                    ks.import_p12(&args.name, &data, pw, &what)
                }),
            }
        }
        (None, Some(cert), Some(key)) => {
            let what = key.display().to_string();
            match (read_file(cert), read_file(key)) {
                (Err(e), _) | (_, Err(e)) => Err(e.to_string()),
                (Ok(c), Ok(k)) => with_password(&args.password, &what, |pw| {
                    ks.import_pem(&args.name, &c, &k, pw, &what)
                }),
            }
        }
        _ => Err("give --p12 FILE, or --cert FILE and --key FILE".into()),
    };
    match result {
        Ok(info) => {
            eprintln!(
                "imported key {}: {} (issued by {}), {}, {}",
                info.name,
                info.leaf.subject_cn,
                info.leaf.issuer_cn,
                info.key_type,
                info.leaf.expiry_words()
            );
            for w in output::key_warnings(&info) {
                eprintln!("warning: {w}");
            }
            EXIT_OK
        }
        Err(e) => fail(e),
    }
}

fn trust(cmd: TrustCmd) -> i32 {
    let ks = keystore();
    match cmd {
        TrustCmd::Add {
            name,
            file,
            password,
        } => {
            let what = file.display().to_string();
            let data = match read_file(&file) {
                Ok(d) => d,
                Err(e) => return fail(e),
            };
            match with_password(&password, &what, |pw| {
                ks.add_trusted(&name, &data, pw, &what)
            }) {
                Ok(certs) => {
                    for c in certs {
                        eprintln!(
                            "trusted {name}: {} (issued by {}), {}; pin {}",
                            c.subject,
                            c.issuer_cn,
                            c.expiry_words(),
                            c.pin
                        );
                    }
                    EXIT_OK
                }
                Err(e) => fail(e),
            }
        }
        TrustCmd::List { json } => output::trust_list(&ks, json),
        TrustCmd::Delete { name } => match ks.delete_trusted(&name) {
            Ok(()) => {
                eprintln!("deleted trusted certificate {name}");
                EXIT_OK
            }
            Err(e) => fail(e),
        },
    }
}

fn profiles(dir: &Path, cmd: ProfilesCmd) -> i32 {
    match cmd {
        ProfilesCmd::List => {
            let all = profile::load_dir(dir);
            if all.is_empty() {
                eprintln!("no profiles in {}", dir.display());
            }
            let mut broken = false;
            for p in all {
                match p.result {
                    Ok(pr) => outln!("{:<24} {:<7} {}", p.name, pr.method, pr.url),
                    Err(e) => {
                        broken = true;
                        outln!("{:<24} BROKEN  {e}", p.name);
                    }
                }
            }
            if broken { EXIT_USAGE } else { EXIT_OK }
        }
        ProfilesCmd::Show { name } => match profile::find(dir, &name) {
            Ok(p) => {
                out!("{}", p.to_toml());
                EXIT_OK
            }
            Err(e) => fail(e),
        },
    }
}

fn split_pair<'a>(flag: &str, text: &'a str, sep: char) -> Result<(&'a str, &'a str), String> {
    text.split_once(sep)
        .ok_or_else(|| format!("{flag} {text:?}: expected NAME{sep}VALUE"))
}

/// The profile the flags describe: the named profile (if any) with every override applied.
pub fn build_profile(dir: &Path, args: &SendArgs) -> Result<Profile, String> {
    let mut p = match &args.profile {
        Some(name) => profile::find(dir, name).map_err(|e| e.to_string())?,
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
    for h in &args.header {
        let (k, v) = split_pair("--header", h, ':')?;
        let (k, v) = (k.trim().to_string(), v.trim().to_string());
        match p.headers.get_mut(&k) {
            Some(HeaderValues::One(old)) => {
                let old = old.clone();
                p.headers.insert(k, HeaderValues::Many(vec![old, v]));
            }
            Some(HeaderValues::Many(vs)) => vs.push(v),
            None => {
                p.headers.insert(k, HeaderValues::One(v));
            }
        }
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
    if let Some(size) = args.max_body {
        crate::core::profile::check_max_body(size)?;
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
        o.proxy = Some(crate::core::route::NO_PROXY_SETTING.into());
    }
    o.resolve.extend(args.resolve.iter().cloned());
    o.connect_to.extend(args.connect_to.iter().cloned());
    if args.http1 {
        o.http_version = crate::core::route::HttpVersion::Http1;
    }
    if args.http2 {
        o.http_version = crate::core::route::HttpVersion::Http2;
    }
    if let Some(pin) = &args.pin {
        o.pin = Some(pin.clone());
    }
    body_overrides(&mut p, args)?;
    Ok(p)
}

fn body_overrides(p: &mut Profile, args: &SendArgs) -> Result<(), String> {
    if let Some(file) = &args.data_file {
        let bytes = crate::core::home::read_bounded(file, crate::core::prepare::PART_FILE_LIMIT)
            .map_err(|e| format!("cannot read --data-file {}: {e}", file.display()))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            format!(
                "--data-file {} is not UTF-8 text: send binary data as a multipart file (--part name=@{})",
                file.display(),
                file.display()
            )
        })?;
        p.body = Body {
            kind: BodyType::Raw,
            content_type: args.content_type.clone(),
            text: Some(text),
            ..Body::default()
        };
    } else if let Some(data) = &args.data {
        p.body = Body {
            kind: BodyType::Raw,
            content_type: args.content_type.clone(),
            text: Some(data.clone()),
            ..Body::default()
        };
    } else if !args.form.is_empty() {
        let mut fields = Vec::new();
        for f in &args.form {
            let (k, v) = split_pair("--form", f, '=')?;
            fields.push((k.into(), v.into()));
        }
        p.body = Body {
            kind: BodyType::Form,
            fields,
            ..Body::default()
        };
    } else if !args.part.is_empty() {
        let mut parts = Vec::new();
        for part in &args.part {
            let (name, v) = split_pair("--part", part, '=')?;
            let (text, file) = match v.strip_prefix('@') {
                Some(path) => (None, Some(path.to_string())),
                None => (Some(v.to_string()), None),
            };
            parts.push(Part {
                name: name.into(),
                text,
                file,
                filename: None,
                content_type: None,
            });
        }
        p.body = Body {
            kind: BodyType::Multipart,
            parts,
            ..Body::default()
        };
    } else if let Some(ct) = &args.content_type {
        p.body.content_type = Some(ct.clone());
    }
    if let Some(ct) = &args.content_type {
        crate::core::prepare::check_content_type(ct).map_err(|e| format!("--content-type: {e}"))?;
    }
    Ok(())
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
        Err(e) => eprintln!("warning: key bindings not used: {e}"),
    }
    Ok(scope)
}

async fn send(dir: &Path, args: &SendArgs) -> i32 {
    let prepared: Result<(Profile, Scope), String> = (|| {
        let profile = build_profile(dir, args)?;
        let scope = scope_for(dir, &args.var, args.env.as_deref())?;
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
    let mut sent = pipeline
        .send_chain(profile, &scope, &Budget::unlimited(), |req| {
            req.save_to = args.output.clone();
            req.keylog = args.keylog.clone();
        })
        .await;
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
        eprintln!("warning: cannot save cookie jar {}: {e}", jar.display());
    }
    if let Some(e) = &last.not_recorded {
        eprintln!("warning: {e}");
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
        let red = crate::core::redact::Redactor::for_request(req);
        eprintln!("> {} {}", req.method, red.url(&req.url));
        for (k, v) in red.headers(&req.headers) {
            eprintln!("> {k}: {}", output::mask_header(&k, &v));
        }
        output::print_key_source(req);
        for (name, why) in &last.missed {
            eprintln!("* capture {name}: {why}");
        }
        if let Some(id) = last.recorded_id() {
            eprintln!("* recorded as history #{id}");
        }
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
    let dir = &scope.profiles_dir;
    let other = match Environment::load(dir, other_env) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    let mut scope_b = scope.clone();
    scope_b.environment = Some(other);
    scope_b.session = Default::default();
    let budget = Budget::unlimited();
    let (mut a, mut b) = tokio::join!(
        pipeline.send_chain(profile.clone(), scope, &budget, |_| {}),
        pipeline.send_chain(profile, &scope_b, &budget, |_| {}),
    );
    let (Some(a), Some(b)) = (a.pop(), b.pop()) else {
        return EXIT_USAGE;
    };
    let name = |s: &Scope| {
        s.environment
            .as_ref()
            .map_or("no environment".to_string(), |e| format!("env {}", e.name))
    };
    let label = |sent: &crate::core::pipeline::Sent, env: String| {
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
    let mut rules = a.profile.compare_ignore.clone();
    rules.extend(args.ignore.iter().cloned());
    let cmp = crate::core::compare::compare(&a.result, &b.result, &rules);
    history::print_comparison(
        &cmp,
        &label(&a, name(scope)),
        &label(&b, name(&scope_b)),
        args.json,
    );
    if cmp.is_equal() {
        history::DIFF_SAME
    } else {
        history::DIFF_DIFFERENT
    }
}

/// `keys import NAME --pkcs11 URI`: records the token, the key's label or id, and the chain
/// (read from the token, or --cert); with a PIN at hand, checks that the key is there.
fn import_token(ks: &Keystore, args: &ImportArgs, uri: &str) -> i32 {
    use crate::core::token::{self, PinSource};
    let cert = match &args.cert {
        Some(file) => match read_file(file)
            .and_then(|d| crate::core::keystore::read_certs(&d, &file.display().to_string()))
        {
            Ok(c) => Some(c),
            Err(e) => return fail(e),
        },
        None => None,
    };
    let (reference, chain) = match token::reference_for(uri, args.module.as_deref(), cert) {
        Ok(r) => r,
        Err(e) => {
            let d = crate::core::diagnose::token_failure(&e);
            return fail(format!("{} ({})", d.message, d.hint));
        }
    };
    // With a PIN at hand, the key is found and opened now rather than at the first send.
    let pins = pins::CliPins::new(&args.pin);
    // (A PIN from the flags, or typed on a terminal; none at all defers the check.)
    if pins.pin(&reference.token).is_some() {
        let leaf = chain
            .first()
            .map(|c| c.as_ref().to_vec())
            .unwrap_or_default();
        if let Err(e) = token::open_with(&reference, &leaf, &pins) {
            let d = crate::core::diagnose::token_failure(&e);
            return fail(format!("{} ({})", d.message, d.hint));
        }
    }
    match ks.import_token(&args.name, &reference, chain) {
        Ok(info) => {
            eprintln!(
                "imported key {}: {} (issued by {}), {}, {}; its PIN is not stored",
                info.name,
                info.leaf.subject_cn,
                info.leaf.issuer_cn,
                info.key_type,
                info.leaf.expiry_words()
            );
            EXIT_OK
        }
        Err(e) => fail(e),
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
        eprintln!("warning: {e}");
    }
    let (ra, rb) = (&*a.result, &*b.result);
    let (ida, idb) = (a.recorded_id(), b.recorded_id());
    let profile = &a.profile;
    let mut rules = profile.compare_ignore.clone();
    rules.extend(args.ignore.iter().cloned());
    let cmp = crate::core::compare::compare(ra, rb, &rules);
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
