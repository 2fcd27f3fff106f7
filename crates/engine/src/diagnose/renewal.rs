//! A renew command's run, in words: the key's new expiry when it worked, the command's own
//! words and the key kept when it did not.

use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::Diagnosis;
use crate::keys::keystore::{KeyInfo, RenewRun};

/// What running key `name`'s renew command did; `after` is the key as read afterwards.
pub fn words(name: &str, run: &RenewRun, after: Option<&KeyInfo>) -> Diagnosis {
    let said = match run.output.lines().last() {
        Some(l) if !l.trim().is_empty() => format!(": {}", l.trim()),
        _ => String::new(),
    };
    match (run.ok, after) {
        (true, Some(info)) => Diagnosis::new(
            DiagnosisKind::KeyRenewed,
            format!(
                "key {name} was inside its renew window: its renew command ran ({}), and its certificate now {}",
                run.ended,
                info.leaf.expiry_words()
            ),
            match info.linked {
                Some(_) => "",
                None => {
                    "the key is a copy, so the renewed files are not read: import it with --link to follow them"
                }
            },
        ),
        _ => Diagnosis::new(
            DiagnosisKind::KeyRenewFailed,
            format!(
                "key {name}'s renew command did not work ({}){said}; the key as it was is used",
                run.ended
            ),
            "run it by hand (certbench keys renew NAME shows what it prints), or fix it with keys renew-command",
        ),
    }
}
