//! `keys` and `trust`: importing credential keys (files or a PKCS#11 token) and trusted
//! certificates, listing, checking, binding keys to hosts; and the password for a key file.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Subcommand};

use super::exit::EXIT_OK;
use super::key_renewal;
use super::{fail, key_output, keystore, output, pins, runtime};
use engine::home;
use engine::keys::bindings::Bindings;
use engine::keys::keystore::{KeyError, Keystore};

#[derive(Subcommand, Debug)]
pub enum KeysCmd {
    /// Import a credential key from a PKCS#12/PFX file, or a certificate and a key file
    Import(ImportArgs),
    /// List credential keys
    List {
        /// Print as JSON
        #[arg(long)]
        json: bool,
        /// Exit 1 when any key expires within DAYS (for cron and CI)
        #[arg(long, value_name = "DAYS")]
        expiring: Option<i64>,
    },
    /// Show every fact of one key
    Show {
        /// The key's name
        #[arg(add = super::completion::keys())]
        name: String,
        /// Print as JSON
        #[arg(long)]
        json: bool,
        /// Also say whether this certificate revocation list (PEM or DER) revokes the key's certificates (repeatable)
        #[arg(long, value_name = "FILE")]
        crl: Vec<PathBuf>,
    },
    /// Print the public certificate chain as PEM
    Export {
        /// The key's name
        #[arg(add = super::completion::keys())]
        name: String,
    },
    /// Delete a key (on a terminal it asks first, naming the bindings, environments and profiles that use it)
    Delete {
        /// The key's name
        #[arg(add = super::completion::keys())]
        name: String,
        /// Do not ask
        #[arg(long, short)]
        yes: bool,
    },
    /// Set the command that renews key NAME's files (run with sh -c; kept in the keystore, never taken from a profile): `keys renew-command NAME 'step ca renew --force cert.pem key.pem' --before 33%`
    RenewCommand {
        /// The key's name
        #[arg(add = super::completion::keys())]
        name: String,
        /// The command (omit it to show the one set)
        command: Option<String>,
        /// Also run it before a send once the certificate is this close to its end: a duration (30m, 1h, 2d) or a share of its lifetime (33%)
        #[arg(long, value_name = "WHEN")]
        before: Option<String>,
        /// Remove the command
        #[arg(long, conflicts_with_all = ["command", "before"])]
        clear: bool,
    },
    /// Run key NAME's renew command now and read the key again
    Renew {
        /// The key's name
        #[arg(add = super::completion::keys())]
        name: String,
    },
    /// Use key NAME for hosts matching PATTERN (host, host:port, *.domain) when nothing else names a key
    Bind {
        /// The key's name
        #[arg(add = super::completion::keys())]
        name: String,
        /// host, host:port or *.domain
        pattern: String,
    },
    /// Remove the binding of PATTERN
    Unbind {
        /// The pattern as it was bound
        pattern: String,
    },
    /// List the host bindings
    Bindings {
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
    /// Handshake with a server, send one GET of the URL, and report whether it accepts this key
    Check {
        /// The key to test
        name: String,
        /// The server: a handshake with the key, then one GET of this URL's path
        #[arg(long)]
        url: String,
        /// Also trust this stored certificate for the server (repeatable)
        #[arg(long = "trust")]
        trust: Vec<String>,
        /// Do not verify the server's certificate (the result is marked UNVERIFIED)
        #[arg(long)]
        insecure: bool,
        /// Seconds to wait for the handshake, 1-300 (a silent server is reported as a timeout)
        #[arg(long, default_value_t = 10)]
        timeout: u32,
        /// Print the check as JSON
        #[arg(long)]
        json: bool,
        /// Also print the raw error chain and the server's HTTP answer
        #[arg(short, long)]
        verbose: bool,
        #[command(flatten)]
        pin: pins::PinArgs,
    },
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The name to store the key under
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
    /// Swap a renewed certificate (and key) into the existing key NAME: bindings, environments and profiles go on working; the old certificate's fingerprint is kept in the key's history
    #[arg(long, conflicts_with_all = ["pkcs11", "link"])]
    pub replace: bool,
    /// Record where the files are instead of copying them: each send reads them again, so a certificate renewed on disk is used at once (the key must open without a password)
    #[arg(long, conflicts_with = "pkcs11")]
    pub link: bool,
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
    /// Trust a server certificate or private CA (PEM, DER or PKCS#12), or one of the certificates a server presents (--from-url)
    Add {
        /// The name to trust it under
        name: String,
        /// The certificate file (PEM, DER or PKCS#12)
        #[arg(required_unless_present = "from_url", conflicts_with = "from_url")]
        file: Option<PathBuf>,
        /// Connect to this https:// URL, show the certificates its server presents (subject, issuer, SHA-256) and store the one picked
        #[arg(long, value_name = "URL")]
        from_url: Option<String>,
        /// With --from-url: the certificate to store, 1 being the server's own (asked on a terminal when not given)
        #[arg(long, value_name = "N", requires = "from_url")]
        pick: Option<usize>,
        /// With --from-url: connect through this proxy (http://, socks5:// or socks5h://)
        #[arg(long, value_name = "URL", requires = "from_url")]
        proxy: Option<String>,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// List the trusted certificates
    List {
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
    /// Stop trusting a certificate
    Delete {
        /// The trusted certificate's name
        name: String,
    },
}

/// A key, certificate or trust file: at most 1 MiB of a regular file.
pub(super) fn read_file(path: &Path) -> Result<Vec<u8>, KeyError> {
    home::read_bounded(path, home::KEY_FILE_LIMIT).map_err(|e| KeyError::Read {
        path: path.display().to_string(),
        source: match e.kind() {
            std::io::ErrorKind::NotFound => engine::cause::IoCause::said(
                std::io::ErrorKind::NotFound,
                "no such file: check the path",
            ),
            _ => e.into(),
        },
    })
}

/// The password from --password-env / --password-file, if given.
pub(crate) fn given_password(args: &PasswordArgs) -> Result<Option<String>, String> {
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

pub(super) fn prompt_password(what: &str) -> Option<String> {
    if !std::io::stdin().is_terminal() {
        return None;
    }
    rpassword::prompt_password(format!("password for {what}: ")).ok()
}

/// How many times a password is asked at a terminal before the import gives up.
const PASSWORD_TRIES: u32 = 3;

/// Runs an import, asking for the password on a TTY when the file needs one and none was given
/// (again after a wrong one, up to three times).
pub(super) fn with_password<T>(
    args: &PasswordArgs,
    what: &str,
    run: impl Fn(Option<&str>) -> Result<T, KeyError>,
) -> Result<T, String> {
    let given = given_password(args)?;
    match run(given.as_deref()) {
        Err(KeyError::PasswordNeeded { .. } | KeyError::WrongPassword { .. })
            if given.is_none() =>
        {
            // Three tries at a terminal, as sudo and ssh give: a typo costs a retype, not a rerun.
            let mut last = KeyError::PasswordNeeded { what: what.into() };
            for attempt in 1..=PASSWORD_TRIES {
                let Some(pw) = prompt_password(what) else {
                    break;
                };
                match run(Some(&pw)) {
                    Err(e @ KeyError::WrongPassword { .. }) => {
                        if attempt < PASSWORD_TRIES {
                            errln!("wrong password, try again");
                        }
                        last = e;
                    }
                    other => return other.map_err(|e| e.to_string()),
                }
            }
            Err(last.to_string())
        }
        other => other.map_err(|e| e.to_string()),
    }
}

pub(super) fn keys(cmd: KeysCmd, profiles_dir: &Path) -> i32 {
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
                    errln!("key {name} is used for {p} when nothing else names a key");
                    EXIT_OK
                }
                Err(e) => fail(e),
            }
        }
        KeysCmd::Unbind { pattern } => {
            match Bindings::open(&home::home_dir()).and_then(|mut b| b.unbind(&pattern)) {
                Ok(true) => {
                    errln!("unbound {pattern}");
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
        KeysCmd::List { json, expiring } => key_output::key_list(&ks, json, expiring),
        KeysCmd::Show { name, json, crl } => match ks.show(&name) {
            Ok(info) => {
                key_output::key_show(&info, json);
                if !json {
                    key_output::key_history(&ks, &name);
                }
                key_renewal::revocation(&ks, &name, &crl)
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
        KeysCmd::RenewCommand {
            name,
            command,
            before,
            clear,
        } => key_renewal::renew_command(&ks, &name, command, before, clear),
        KeysCmd::Renew { name } => key_renewal::renew(&ks, &name),
        KeysCmd::Delete { name, yes } => {
            if let Err(e) = ks.exists(&name) {
                return fail(e);
            }
            let bindings = engine::keys::bindings::Bindings::open(&home::home_dir()).ok();
            let users = engine::keys::users::users_of(&name, bindings.as_ref(), profiles_dir);
            let mut uses = Vec::new();
            for (what, list) in [
                ("bound to", &users.bindings),
                ("the key of environment", &users.environments),
                ("named by profile", &users.profiles),
            ] {
                if !list.is_empty() {
                    uses.push(format!("{what} {}", list.join(", ")));
                }
            }
            if !uses.is_empty() {
                errln!("key {name} is {}", uses.join("; "));
            }
            if !yes
                && std::io::stdin().is_terminal()
                && !super::stdout::confirm(&format!("delete key {name}?"))
            {
                errln!("nothing deleted");
                return EXIT_OK;
            }
            match ks.delete(&name) {
                Ok(()) => {
                    errln!("deleted key {name}");
                    EXIT_OK
                }
                Err(e) => fail(e),
            }
        }
        KeysCmd::Check {
            name,
            url,
            trust,
            insecure,
            timeout,
            json,
            verbose,
            pin,
        } => {
            if let Err(e) = engine::request::profile::check_timeout(timeout) {
                return fail(e);
            }
            runtime().block_on(key_output::key_check(
                &ks,
                &name,
                &url,
                trust,
                key_output::CheckOptions {
                    insecure,
                    timeout,
                    verbose,
                    pins: Arc::new(pins::CliPins::new(&pin)),
                },
                json,
            ))
        }
    }
}

pub(super) fn import(ks: &Keystore, args: &ImportArgs) -> i32 {
    if let Some(uri) = &args.pkcs11 {
        return import_token(ks, args, uri);
    }
    if args.link {
        return key_renewal::import_linked(
            ks,
            &args.name,
            args.cert.as_deref(),
            args.key.as_deref(),
            args.p12.as_deref(),
        );
    }
    let replaced = std::cell::RefCell::new(None);
    let result = match (&args.p12, &args.cert, &args.key) {
        (Some(p12), _, _) => {
            let what = p12.display().to_string();
            match read_file(p12) {
                Err(e) => Err(e.to_string()),
                Ok(data) => with_password(&args.password, &what, |pw| match args.replace {
                    true => ks
                        .replace_p12(&args.name, &data, pw, &what)
                        .map(|(info, old)| {
                            replaced.replace(Some(old));
                            info
                        }),
                    false => ks.import_p12(&args.name, &data, pw, &what),
                }),
            }
        }
        (None, Some(cert), Some(key)) => {
            let what = key.display().to_string();
            match (read_file(cert), read_file(key)) {
                (Err(e), _) | (_, Err(e)) => Err(e.to_string()),
                (Ok(c), Ok(k)) => with_password(&args.password, &what, |pw| match args.replace {
                    true => ks
                        .replace_pem(&args.name, &c, &k, pw, &what)
                        .map(|(info, old)| {
                            replaced.replace(Some(old));
                            info
                        }),
                    false => ks.import_pem(&args.name, &c, &k, pw, &what),
                }),
            }
        }
        _ => Err("give --p12 FILE, or --cert FILE and --key FILE".into()),
    };
    if let (Ok(info), Some(old)) = (&result, replaced.take()) {
        key_output::imported(
            &format!("replaced key {}", info.name),
            info,
            &format!(
                "; the certificate it held ({}, {}) is in its history",
                old.sha256, old.not_after
            ),
        );
        return EXIT_OK;
    }
    match result {
        Ok(info) => {
            key_output::imported(&format!("imported key {}", info.name), &info, "");
            EXIT_OK
        }
        Err(e) => fail(e),
    }
}

pub(super) fn trust(cmd: TrustCmd) -> i32 {
    let ks = keystore();
    match cmd {
        TrustCmd::Add {
            name,
            from_url: Some(url),
            pick,
            proxy,
            ..
        } => super::trust_url::trust_from_url(
            &ks,
            super::trust_url::FromUrl {
                name: &name,
                url: &url,
                pick,
                proxy: proxy.as_deref(),
            },
        ),
        TrustCmd::Add {
            name,
            file: Some(file),
            password,
            ..
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
                        errln!(
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
        // clap requires one of the two.
        TrustCmd::Add { .. } => fail("give a certificate FILE or --from-url URL"),
        TrustCmd::List { json } => key_output::trust_list(&ks, json),
        TrustCmd::Delete { name } => match ks.delete_trusted(&name) {
            Ok(()) => {
                errln!("deleted trusted certificate {name}");
                EXIT_OK
            }
            Err(e) => fail(e),
        },
    }
}

/// `keys import NAME --pkcs11 URI`: records the token, the key's label or id, and the chain
/// (read from the token, or --cert); with a PIN at hand, checks that the key is there.
pub(super) fn import_token(ks: &Keystore, args: &ImportArgs, uri: &str) -> i32 {
    use engine::keys::token::{self, PinSource};
    let cert = match &args.cert {
        Some(file) => match read_file(file)
            .and_then(|d| engine::keys::keystore::read_certs(&d, &file.display().to_string()))
        {
            Ok(c) => Some(c),
            Err(e) => return fail(e),
        },
        None => None,
    };
    let (reference, chain) = match token::reference_for(uri, args.module.as_deref(), cert) {
        Ok(r) => r,
        Err(e) => {
            return fail(super::fixes::line(&engine::diagnose::token_failure(&e)));
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
            return fail(super::fixes::line(&engine::diagnose::token_failure(&e)));
        }
    }
    match ks.import_token(&args.name, &reference, chain) {
        Ok(info) => {
            errln!(
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
