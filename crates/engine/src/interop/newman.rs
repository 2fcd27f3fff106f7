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
        let setting = CertSetting::new(
            name,
            cert,
            key,
            pfx,
            c.get("passphrase")
                .and_then(Value::as_str)
                .map(str::to_string),
        );
        into.add_certificate(setting, &matches);
    }
}
