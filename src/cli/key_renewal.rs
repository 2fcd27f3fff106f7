//! Keys that change: `keys import --link` (a key that follows its files), `keys
//! renew-command` and `keys renew`, and whether a CRL revokes a key (`keys show --crl`).

use std::path::Path;

use super::exit::EXIT_OK;
use super::{fail, key_output};
use engine::keys::keystore::{KeyError, Keystore};

/// `keys renew-command NAME [COMMAND] [--before WHEN] [--clear]`.
pub(super) fn renew_command(
    ks: &Keystore,
    name: &str,
    command: Option<String>,
    before: Option<String>,
    clear: bool,
) -> i32 {
    use engine::keys::keystore::Renewal;
    if clear {
        return match ks.set_renewal(name, None) {
            Ok(()) => {
                errln!("key {name} has no renew command now");
                EXIT_OK
            }
            Err(e) => fail(e),
        };
    }
    let current = match ks.renewal(name) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let Some(command) = command.or_else(|| {
        before
            .as_ref()
            .and(current.as_ref().map(|r| r.command.clone()))
    }) else {
        match current {
            Some(r) => {
                outln!("{}", r.command);
                if let Some(b) = &r.renew_before {
                    errln!("run before a send when {b} of the certificate's time is left");
                }
            }
            None => errln!(
                "key {name} has no renew command: set one with certbench keys renew-command {name} 'COMMAND'"
            ),
        }
        return EXIT_OK;
    };
    let renewal = Renewal {
        command,
        renew_before: before.or(current.and_then(|r| r.renew_before)),
    };
    match ks.set_renewal(name, Some(&renewal)) {
        Ok(()) => {
            errln!(
                "key {name} renews with: {}{}",
                renewal.command,
                renewal
                    .renew_before
                    .as_deref()
                    .map(|b| format!(" (and before a send once {b} is left)"))
                    .unwrap_or_default()
            );
            if ks.link(name).ok().flatten().is_none() {
                errln!(
                    "warning: key {name} is a copy: a renewed file is not read; import it again with --link to follow its files"
                );
            }
            EXIT_OK
        }
        Err(e) => fail(e),
    }
}

/// `keys renew NAME`: the command runs now, and the key is read again.
pub(super) fn renew(ks: &Keystore, name: &str) -> i32 {
    let renewal = match ks.renewal(name) {
        Ok(Some(r)) => r,
        Ok(None) => {
            return fail(format!(
                "key {name} has no renew command: set one with certbench keys renew-command {name} 'COMMAND'"
            ));
        }
        Err(e) => return fail(e),
    };
    let before = ks.show(name).ok();
    let run = renewal.run(engine::keys::keystore::RENEW_TIMEOUT);
    if !run.output.is_empty() {
        errln!("{}", run.output);
    }
    let after = ks.show(name);
    let said = engine::diagnose::renewal::words(name, &run, after.as_ref().ok());
    errln!("{}", said.message);
    if !said.hint.is_empty() {
        errln!("hint: {}", said.hint);
    }
    if let (Some(b), Ok(a)) = (&before, &after)
        && b.leaf.sha256 != a.leaf.sha256
    {
        errln!("certificate {} -> {}", b.leaf.sha256, a.leaf.sha256);
    }
    match (run.ok, after) {
        (true, Ok(_)) => EXIT_OK,
        (true, Err(e)) => fail(format!(
            "the command worked, but the key cannot be read now: {e}"
        )),
        (false, _) => 1,
    }
}

/// `keys import NAME --cert F --key F --link` (or `--p12 F --link`): the files' paths are kept,
/// never a copy of the key.
pub(super) fn import_linked(
    ks: &Keystore,
    name: &str,
    cert: Option<&Path>,
    key: Option<&Path>,
    p12: Option<&Path>,
) -> i32 {
    use engine::keys::keystore::Link;
    if p12.is_none() && cert.is_none() {
        return fail("--link needs --cert FILE (and --key FILE) or --p12 FILE");
    }
    let link = match Link::new(cert, key, p12) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    match ks.import_link(name, &link) {
        Ok(info) => {
            let what = format!("linked key {} to {}", info.name, link.shown());
            key_output::imported(&what, &info, "; read again on every use");
            EXIT_OK
        }
        Err(e @ (KeyError::PasswordNeeded { .. } | KeyError::WrongPassword { .. })) => {
            fail(format!(
                "{e}: a linked key is read on every use and no password is ever stored, so it must open without one (step ca renew and certbot write such files); import a copy without --link instead"
            ))
        }
        Err(e) => fail(e),
    }
}

/// `keys show NAME --crl FILE...`: whether the CRLs revoke one of the key's certificates; exit 1
/// when one does (0 when none does, or no CRL was given).
pub(super) fn revocation(ks: &Keystore, name: &str, crls: &[std::path::PathBuf]) -> i32 {
    if crls.is_empty() {
        return EXIT_OK;
    }
    if let Err(e) = engine::net::revocation::read_crls(crls) {
        return fail(e);
    }
    let chain = match ks.chain(name) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    match chain
        .iter()
        .find_map(|c| engine::net::revocation::revoked_in(crls, c.as_ref()))
    {
        Some(r) => {
            errln!(
                "REVOKED: {}: servers that read this CRL refuse key {name}",
                r.words()
            );
            1
        }
        None => {
            errln!("not revoked by the CRLs given (they list none of key {name}'s certificates)");
            EXIT_OK
        }
    }
}
