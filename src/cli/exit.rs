//! The command line's exit codes, the contract scripts read (README "exit code" table).

use engine::diagnose::Failure;
use engine::diagnose::kind::DiagnosisKind;
use engine::keys::check::{CheckOutcome, KeyCheck};

pub const EXIT_OK: i32 = 0;
pub const EXIT_USAGE: i32 = 1;
pub const EXIT_TRANSPORT: i32 = 2;
pub const EXIT_TIMEOUT: i32 = 3;
pub const EXIT_STATUS: i32 = 4;
/// `keys check` only: the server never asked for a client certificate, so nothing was tested.
pub const EXIT_NOT_ASKED: i32 = 5;
/// `send` and `run`: a response did not meet its profile's `[expect]`.
pub const EXIT_EXPECTATION: i32 = 5;

/// What the user must fix in the request (1), a timeout (3), or a transport/TLS failure (2).
pub fn for_kind(kind: DiagnosisKind) -> i32 {
    match kind {
        DiagnosisKind::Timeout => EXIT_TIMEOUT,
        DiagnosisKind::CredentialMissing
        | DiagnosisKind::TrustMissing
        | DiagnosisKind::InvalidCredential
        | DiagnosisKind::InvalidRequest
        | DiagnosisKind::TokenModuleMissing
        | DiagnosisKind::TokenNotFound
        | DiagnosisKind::TokenPinNeeded
        | DiagnosisKind::TokenPinWrong
        | DiagnosisKind::TokenLocked
        | DiagnosisKind::TokenKeyNotFound
        | DiagnosisKind::TokenCannotSign => EXIT_USAGE,
        _ => EXIT_TRANSPORT,
    }
}

pub fn for_failure(f: &Failure) -> i32 {
    for_kind(f.diagnosis.kind)
}

pub fn for_check(check: &KeyCheck) -> i32 {
    match check.outcome {
        CheckOutcome::Accepted => EXIT_OK,
        CheckOutcome::NotAsked => EXIT_NOT_ASKED,
        CheckOutcome::Rejected | CheckOutcome::RejectedAtHttp | CheckOutcome::NotChecked => check
            .diagnosis
            .as_ref()
            .map_or(EXIT_TRANSPORT, |d| for_kind(d.kind)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_the_documented_codes() {
        assert_eq!(for_kind(DiagnosisKind::Timeout), 3);
        assert_eq!(for_kind(DiagnosisKind::CredentialMissing), 1);
        assert_eq!(for_kind(DiagnosisKind::InvalidRequest), 1);
        assert_eq!(for_kind(DiagnosisKind::ClientCertRequired), 2);
        assert_eq!(for_kind(DiagnosisKind::BodyTooLarge), 2);
    }

    #[test]
    fn a_check_the_server_never_asked_for_exits_5() {
        let check = |outcome| KeyCheck {
            accepted: outcome == CheckOutcome::Accepted,
            outcome,
            tls: None,
            diagnosis: None,
            warnings: Vec::new(),
            probe: engine::diagnose::Probe {
                handshake_ok: true,
                accepted: true,
                ..Default::default()
            },
        };
        assert_eq!(for_check(&check(CheckOutcome::NotAsked)), 5);
        assert_eq!(for_check(&check(CheckOutcome::Accepted)), 0);
        assert_eq!(for_check(&check(CheckOutcome::Rejected)), 2);
    }
}
