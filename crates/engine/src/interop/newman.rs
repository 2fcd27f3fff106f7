//! Newman's client certificate list (`--ssl-client-cert-list`), and Postman's host matches as
//! certbench's host patterns.

use std::path::Path;

use serde_json::Value;

use crate::interop::collection::{CertSetting, Collection, file_safe, inside};

/// Newman's certificate list: each entry's files (relative to the list's folder), its
/// passphrase (used once), and its `matches` as host patterns.
pub fn cert_list(v: &Value, folder: &Path, into: &mut Collection) {
    for (i, c) in v.as_array().into_iter().flatten().enumerate() {
        let name = c
            .get("name")
            .and_then(Value::as_str)
            .map(file_safe)
            .unwrap_or_else(|| format!("newman-{}", i + 1));
        let file = |k: &str, into: &mut Collection| -> Option<std::path::PathBuf> {
            let src = c.get(k)?.get("src")?.as_str()?;
            match inside(folder, src) {
                Ok(p) => Some(p),
                Err(why) => {
                    into.skip(format!("certificate {name}: {k}"), why);
                    None
                }
            }
        };
        let cert = file("cert", into);
        let key = file("key", into);
        let pfx = file("pfx", into);
        let matches: Vec<&str> = c
            .get("matches")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let setting = CertSetting {
            name,
            patterns: Vec::new(),
            cert,
            key,
            pfx,
            passphrase: c
                .get("passphrase")
                .and_then(Value::as_str)
                .map(str::to_string),
            disabled: false,
            environment: None,
        };
        into.add_certificate(setting, &matches);
    }
}

/// A Postman match (`https://*.example.com:8443/*`) as a certbench host pattern
/// (`*.example.com` when the port is a wildcard or absent, else `host:port`).
pub fn host_pattern(m: &str) -> Option<String> {
    let rest = m.split_once("://").map_or(m, |(_, r)| r);
    let host_port = rest.split('/').next()?.trim();
    if host_port.is_empty() {
        return None;
    }
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) if !h.contains(']') || h.ends_with(']') => (h, Some(p)),
        _ => (host_port, None),
    };
    let host = host.to_ascii_lowercase();
    let wildcard_ok = host.strip_prefix("*.").is_some_and(|d| !d.contains('*'));
    if host.contains('*') && !wildcard_ok {
        return None;
    }
    let pattern = match port {
        Some(p) if p != "*" && p.parse::<u16>().is_ok() && !host.starts_with("*.") => {
            format!("{host}:{p}")
        }
        _ => host,
    };
    pattern
        .parse::<crate::keys::bindings::Pattern>()
        .ok()
        .map(|p| p.to_string())
}
