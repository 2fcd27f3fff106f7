//! How the CLI prints keys and trusted certificates: lists, one key's facts and warnings, and a
//! key check's outcome, as text or JSON.

use super::exit::{self, EXIT_OK, EXIT_USAGE};
use super::fixes::hint;
use engine::exchange::TlsFacts;
use engine::keys::certinfo::{CertFacts, Validity};
use engine::keys::keystore::{KeyInfo, Keystore};
use engine::net::transport::Transport;
use serde_json::{Value, json};

/// Expiry and usage warnings for one key.
pub fn key_warnings(info: &KeyInfo) -> Vec<String> {
    let mut out = Vec::new();
    match info.leaf.validity() {
        Validity::Expired { .. } => out.push(format!(
            "this certificate expired on {}",
            info.leaf.not_after
        )),
        Validity::NotYetValid => out.push(format!(
            "this certificate is not valid before {}",
            info.leaf.not_before
        )),
        Validity::Expiring { .. } => {
            out.push(format!("this certificate {}", info.leaf.expiry_words()))
        }
        Validity::Valid { .. } => {}
    }
    if let Some(bits) = info.leaf.rsa_bits.filter(|_| info.leaf.weak_key()) {
        out.push(format!(
            "WEAK KEY: RSA {bits} is under the 2048-bit minimum; it works, but servers may refuse it and it can be broken"
        ));
    }
    if info.leaf.client_auth == Some(false) {
        out.push(
            "this certificate does not allow TLS client authentication (no clientAuth usage)"
                .into(),
        );
    }
    out
}

/// The line said after an import: `what` (`imported key NAME`), the key's facts and `then`,
/// and its warnings.
pub fn imported(what: &str, info: &KeyInfo, then: &str) {
    errln!(
        "{what}: {} (issued by {}), {}, {}{then}",
        info.leaf.subject_cn,
        info.leaf.issuer_cn,
        info.key_type,
        info.leaf.expiry_words()
    );
    for w in key_warnings(info) {
        errln!("warning: {w}");
    }
}

pub fn key_list(ks: &Keystore, as_json: bool, expiring: Option<i64>) -> i32 {
    // The soonest to expire first; keys that cannot be read after them, by name.
    let mut list = ks.list();
    list.sort_by_key(|(name, info)| {
        (
            info.as_ref().map_or(i64::MAX, |i| i.leaf.days_left()),
            name.clone(),
        )
    });
    let mut soon = Vec::new();
    let mut rows = Vec::new();
    for (name, info) in &list {
        match info {
            Ok(info) => {
                if expiring.is_some_and(|d| info.leaf.days_left() < d) {
                    soon.push(name.clone());
                }
                rows.push(json!({"name": name, "subject": info.leaf.subject, "subject_cn": info.leaf.subject_cn, "issuer_cn": info.leaf.issuer_cn, "key_type": info.key_type, "not_after": info.leaf.not_after, "days_left": info.leaf.days_left(), "expiry": info.leaf.expiry_words(), "sha256": info.leaf.sha256, "linked": info.linked}));
            }
            Err(e) => rows.push(json!({"name": name, "error": e.to_string()})),
        }
    }
    if as_json {
        outln!("{}", Value::Array(rows));
    } else if list.is_empty() {
        errln!("no keys yet: import one with `certbench keys import NAME --p12 FILE`");
    } else {
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|(name, info)| match info {
                Ok(i) => vec![
                    name.clone(),
                    i.leaf.subject_cn.clone(),
                    i.leaf.issuer_cn.clone(),
                    i.key_type.clone(),
                    format!(
                        "{}{}",
                        i.leaf.expiry_words(),
                        i.linked
                            .as_deref()
                            .map(|p| format!(", linked to {p}"))
                            .unwrap_or_default()
                    ),
                ],
                // A linked key whose files are gone or no longer match says where they were.
                Err(e) => {
                    let broken = match ks.link(name).ok().flatten() {
                        Some(link) => format!("BROKEN (linked to {}): {e}", link.shown()),
                        None => format!("BROKEN: {e}"),
                    };
                    vec![
                        name.clone(),
                        String::new(),
                        String::new(),
                        String::new(),
                        broken,
                    ]
                }
            })
            .collect();
        for line in super::table::lines(&["name", "subject", "issuer", "key", "expiry"], &rows) {
            outln!("{line}");
        }
    }
    if let Some(days) = expiring
        && !soon.is_empty()
    {
        errln!("expiring within {days} days: {}", soon.join(", "));
        return EXIT_USAGE;
    }
    EXIT_OK
}

fn cert_lines(c: &CertFacts) -> Vec<String> {
    vec![
        format!("subject:     {}", c.subject),
        format!("issuer:      {}", c.issuer),
        format!(
            "SANs:        {}",
            if c.sans.is_empty() {
                "-".to_string()
            } else {
                c.sans.join(", ")
            }
        ),
        format!("serial:      {}", c.serial),
        format!("key:         {}", c.key_type),
        format!("SHA-256:     {}", c.sha256),
        format!("not before:  {}", c.not_before),
        format!("not after:   {} ({})", c.not_after, c.expiry_words()),
        format!(
            "client auth: {}",
            match c.client_auth {
                Some(true) => "yes (extended key usage clientAuth)",
                Some(false) => "NO (extended key usage lacks clientAuth)",
                None => "yes (no extended key usage restriction)",
            }
        ),
    ]
}

pub fn key_show(info: &KeyInfo, as_json: bool) {
    if as_json {
        outln!("{}", serde_json::to_string_pretty(info).unwrap_or_default());
        return;
    }
    outln!("key {}", info.name);
    if let Some(path) = &info.linked {
        outln!("linked to {path}: read again on every use (a renewed file is used at once)");
    }
    for (i, c) in info.chain.iter().enumerate() {
        outln!(
            "[{i}] {}",
            if i == 0 {
                "certificate"
            } else {
                "issuer certificate"
            }
        );
        for l in cert_lines(c) {
            outln!("    {l}");
        }
    }
    for w in key_warnings(info) {
        outln!("warning: {w}");
    }
}

/// The certificates a key held before `keys import --replace` swapped in new ones.
pub fn key_history(ks: &Keystore, name: &str) {
    for old in ks.replaced(name).unwrap_or_default() {
        outln!(
            "replaced: {} ({}, valid to {})",
            old.sha256,
            old.subject,
            old.not_after
        );
    }
}

pub fn trust_list(ks: &Keystore, as_json: bool) -> i32 {
    let mut rows = Vec::new();
    let mut table = Vec::new();
    for name in ks.trusted_names() {
        let certs = ks
            .trusted(&name)
            .map(|c| {
                c.iter()
                    .filter_map(|d| CertFacts::parse(d).ok())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for c in &certs {
            table.push(vec![
                name.clone(),
                c.subject_cn.clone(),
                c.sha256.get(..23).unwrap_or_default().to_string() + "…",
                c.expiry_words(),
            ]);
        }
        rows.push(json!({"name": name, "certificates": certs}));
    }
    if as_json {
        outln!("{}", Value::Array(rows));
    } else if table.is_empty() {
        errln!("nothing trusted yet: `certbench trust add NAME FILE` or `--from-url URL`");
    } else {
        for line in super::table::lines(&["name", "subject", "sha-256", "expiry"], &table) {
            outln!("{line}");
        }
    }
    EXIT_OK
}

/// How `keys check` connects.
pub struct CheckOptions {
    pub insecure: bool,
    pub timeout: u32,
    /// Also the raw error and the server's HTTP answer.
    pub verbose: bool,
    pub pins: std::sync::Arc<dyn engine::keys::token::PinSource>,
}

pub async fn key_check(
    ks: &Keystore,
    name: &str,
    url: &str,
    trust: Vec<String>,
    how: CheckOptions,
    as_json: bool,
) -> i32 {
    let transport = Transport::new(ks.clone()).with_pins(how.pins.clone());
    let profile = engine::request::profile::Profile {
        name: "keys-check".into(),
        url: url.into(),
        credential: Some(name.into()),
        trust,
        options: engine::request::profile::Options {
            verify_tls: !how.insecure,
            timeout_secs: how.timeout,
            ..Default::default()
        },
        ..Default::default()
    };
    let req = match engine::request::prepare::prepare(&profile, &engine::request::vars::Vars::new())
    {
        Ok(r) => r,
        Err(e) => return super::fail(e),
    };
    let report = engine::keys::check::check_key(&transport, &req).await;
    use engine::keys::check::CheckOutcome;
    if as_json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        for line in report.tls.as_ref().map(TlsFacts::story).unwrap_or_default() {
            errln!("* {line}");
        }
        for w in &report.warnings {
            errln!("warning: {} ({})", w.message, hint(w));
        }
        if how.verbose {
            if let Some(raw) = &report.probe.error {
                errln!("* raw error: {}", engine::sanitize::line(raw));
            }
            if let Some(a) = &report.probe.http {
                errln!(
                    "* the server answered GET with {} {}",
                    a.status,
                    engine::sanitize::line(&a.reason)
                );
                for l in a.body.lines().take(20) {
                    errln!("*   {}", engine::sanitize::line(l));
                }
            }
        }
        let word = match report.outcome {
            CheckOutcome::Accepted => "accepted",
            CheckOutcome::NotAsked => "not asked",
            CheckOutcome::Rejected => "rejected",
            CheckOutcome::RejectedAtHttp => "rejected at the HTTP level",
            CheckOutcome::NotChecked => "not checked",
        };
        if report.accepted {
            outln!("accepted: {url} accepts key {name}");
        } else if let Some(d) = &report.diagnosis {
            outln!("{word}: {}", d.message);
            outln!("hint: {}", hint(d));
        }
    }
    exit::for_check(&report)
}
