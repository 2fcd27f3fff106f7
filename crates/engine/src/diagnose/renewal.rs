//! A renew command's run, in words: the key's new expiry when it worked, the command's own
//! words and the key kept when it did not.

use crate::diagnose::fix::Fix;
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
        (true, Some(info)) => {
            let d = Diagnosis::new(
                DiagnosisKind::KeyRenewed,
                format!(
                    "key {name} was inside its renew window: its renew command ran ({}), and its certificate now {}",
                    run.ended,
                    info.leaf.expiry_words()
                ),
                match info.linked {
                    Some(_) => "",
                    None => "the key is a copy, so the renewed files are not read",
                },
            );
            match info.linked {
                Some(_) => d,
                None => d.with_step(Fix::LinkKey {
                    name: name.to_string(),
                }),
            }
        }
        _ => Diagnosis::new(
            DiagnosisKind::KeyRenewFailed,
            format!(
                "key {name}'s renew command did not work ({}){said}; the key as it was is used",
                run.ended
            ),
            "",
        )
        .with_step(Fix::RenewByHand {
            name: name.to_string(),
        }),
    }
}
