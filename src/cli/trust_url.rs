//! `trust add NAME --from-url URL`: the server's chain shown (subject, issuer, SHA-256 of each),
//! then the one the person picks stored as trusted.

use std::io::IsTerminal;
use std::time::Duration;

use engine::keys::certinfo::CertFacts;
use engine::keys::keystore::Keystore;
use engine::net::server_chain::server_chain;

use super::exit::EXIT_OK;
use super::{fail, runtime};

/// What `trust add --from-url` was told.
pub struct FromUrl<'a> {
    pub name: &'a str,
    pub url: &'a str,
    /// The certificate to store, 1 = the server's own; None: ask on a terminal.
    pub pick: Option<usize>,
    pub proxy: Option<&'a str>,
}

pub fn trust_from_url(ks: &Keystore, args: FromUrl<'_>) -> i32 {
    // What is checked before connecting: the name it would be stored under, and a URL that
    // speaks TLS.
    if let Err(e) = engine::home::check_name(engine::home::Named::TrustedCertificate, args.name) {
        return fail(e);
    }
    let url = match engine::request::prepare::parse_url(args.url) {
        Ok(u) => u,
        Err(e) => return fail(e),
    };
    if !matches!(url.scheme(), "https" | "wss" | "grpcs") {
        return fail(format!(
            "--from-url {}: a {}:// server presents no certificate; give its https:// URL",
            args.url,
            url.scheme()
        ));
    }
    let proxy = match args.proxy.map(|p| {
        engine::net::route::ProxyChoice::choose(Some(p), |_| None).map(|c| c.for_url(&url).cloned())
    }) {
        Some(Ok(p)) => p,
        Some(Err(e)) => return fail(e),
        None => None,
    };
    let chain =
        match runtime().block_on(server_chain(&url, proxy.as_ref(), Duration::from_secs(10))) {
            Ok(c) => c,
            Err(e) => return fail(e),
        };
    errln!(
        "{} presented {} certificate(s); none of them is trusted yet:",
        url.host_str().unwrap_or_default(),
        chain.len()
    );
    for (i, der) in chain.iter().enumerate() {
        match CertFacts::parse(der) {
            Ok(c) => errln!(
                "  [{}] {}\n      issued by {}\n      SHA-256 {}\n      {}{}",
                i + 1,
                c.subject,
                c.issuer,
                c.sha256,
                c.expiry_words(),
                if c.is_ca { ", a CA" } else { "" }
            ),
            Err(e) => errln!("  [{}] unreadable: {e}", i + 1),
        }
    }
    let pick = match args.pick {
        Some(n) => n,
        None if std::io::stdin().is_terminal() => {
            let top = chain.len();
            super::stdout::error_text(&format!(
                "check the SHA-256 with the server's owner; trust which as {}? [1-{top}, Enter: {top}, n: none] ",
                args.name
            ));
            let mut answer = String::new();
            let _ = std::io::stdin().read_line(&mut answer);
            match answer.trim() {
                "" => top,
                "n" | "N" => {
                    errln!("nothing stored");
                    return EXIT_OK;
                }
                n => match n.parse() {
                    Ok(n) => n,
                    Err(_) => return fail(format!("{n:?} is not a number from 1 to {top}")),
                },
            }
        }
        None => {
            return fail(
                "no terminal to ask which certificate to trust: check its SHA-256 above with the server's owner, then give --pick N",
            );
        }
    };
    let Some(der) = pick.checked_sub(1).and_then(|i| chain.get(i)) else {
        return fail(format!(
            "--pick {pick}: the server presented {} certificate(s)",
            chain.len()
        ));
    };
    match ks.add_trusted(args.name, der.as_ref(), None, args.url) {
        Ok(certs) => {
            for c in certs {
                errln!(
                    "trusted {}: {} (SHA-256 {}), {}; pin {}",
                    args.name,
                    c.subject,
                    c.sha256,
                    c.expiry_words(),
                    c.pin
                );
            }
            EXIT_OK
        }
        Err(e) => fail(e),
    }
}
