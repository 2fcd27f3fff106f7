//! A token's PIN on the command line: `--pin-env VAR`, `--pin-file FILE`, or a masked prompt on
//! a terminal; asked once per token and kept in memory only.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use engine::keys::token::{KeptPins, PinSource};

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
    kept: KeptPins,
}

impl CliPins {
    pub fn new(args: &PinArgs) -> CliPins {
        CliPins {
            args: args.clone(),
            kept: KeptPins::default(),
        }
    }

    fn given(&self) -> Option<String> {
        if let Some(var) = &self.args.pin_env {
            return std::env::var(var).ok();
        }
        if let Some(file) = &self.args.pin_file {
            let bytes = engine::home::read_bounded(file, engine::home::KEY_FILE_LIMIT).ok()?;
            return String::from_utf8(bytes)
                .ok()
                .map(|t| t.lines().next().unwrap_or("").to_string());
        }
        None
    }
}

impl PinSource for CliPins {
    fn pin(&self, token: &str) -> Option<String> {
        self.kept.get_or(token, || {
            self.given().or_else(|| {
                if !std::io::stdin().is_terminal() {
                    return None;
                }
                rpassword::prompt_password(format!("PIN for token {token}: ")).ok()
            })
        })
    }

    fn forget(&self, token: &str) {
        self.kept.forget(token);
    }
}
