//! A token's PIN on the command line: `--pin-env VAR`, `--pin-file FILE`, or a masked prompt on
//! a terminal; asked once per token and kept in memory only.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;

use clap::Args;

use crate::core::token::PinSource;

#[derive(Args, Debug, Clone, Default)]
pub struct PinArgs {
    /// A PKCS#11 token's PIN from this environment variable
    #[arg(long, value_name = "VAR", conflicts_with = "pin_file")]
    pub pin_env: Option<String>,
    /// A PKCS#11 token's PIN from the first line of this file
    #[arg(long, value_name = "FILE")]
    pub pin_file: Option<PathBuf>,
}

/// The PINs of this command, by token.
#[derive(Debug)]
pub struct CliPins {
    args: PinArgs,
    known: Mutex<HashMap<String, zeroize::Zeroizing<String>>>,
}

impl CliPins {
    pub fn new(args: &PinArgs) -> CliPins {
        CliPins {
            args: args.clone(),
            known: Mutex::new(HashMap::new()),
        }
    }

    fn given(&self) -> Option<String> {
        if let Some(var) = &self.args.pin_env {
            return std::env::var(var).ok();
        }
        if let Some(file) = &self.args.pin_file {
            let bytes =
                crate::core::home::read_bounded(file, crate::core::home::KEY_FILE_LIMIT).ok()?;
            return String::from_utf8(bytes)
                .ok()
                .map(|t| t.lines().next().unwrap_or("").to_string());
        }
        None
    }
}

impl PinSource for CliPins {
    fn pin(&self, token: &str) -> Option<String> {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pin) = known.get(token) {
            return Some(pin.to_string());
        }
        let pin = self.given().or_else(|| {
            if !std::io::stdin().is_terminal() {
                return None;
            }
            rpassword::prompt_password(format!("PIN for token {token}: ")).ok()
        })?;
        known.insert(token.to_string(), zeroize::Zeroizing::new(pin.clone()));
        Some(pin)
    }

    fn forget(&self, token: &str) {
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(token);
    }
}
