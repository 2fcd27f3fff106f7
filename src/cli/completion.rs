//! Shell completion: the script a shell sources to ask certbench, and the names certbench gives
//! it when TAB is pressed (profiles, keys, environments, trusted certificates), read then.

use std::ffi::OsStr;

use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::env::EnvCompleter;
use engine::home;
use engine::keys::keystore::Keystore;
use engine::request::profile_dir;

/// The names that start with what is typed so far.
fn starting_with(current: &OsStr, names: Vec<String>) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    names
        .into_iter()
        .filter(|n| n.starts_with(typed.as_ref()))
        .map(CompletionCandidate::new)
        .collect()
}

/// The profiles folder as a command would take it without `--profiles`.
fn profiles_dir() -> std::path::PathBuf {
    let explicit = std::env::var_os("CERTBENCH_PROFILES").map(std::path::PathBuf::from);
    home::profiles_dir(explicit.as_deref())
}

fn profile_names() -> Vec<String> {
    profile_dir::list_dir(&profiles_dir())
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect()
}

fn key_names() -> Vec<String> {
    Keystore::open(&home::home_dir())
        .list()
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// Profile names (`send NAME`, `run NAME`).
pub fn profiles() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| starting_with(current, profile_names()))
}

/// Key names (`--credential NAME`, `keys show NAME`).
pub fn keys() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| starting_with(current, key_names()))
}

/// Environment names (`--env NAME`).
pub fn environments() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| {
        starting_with(current, engine::request::environment::list(&profiles_dir()))
    })
}

/// Trusted certificate names (`--trust NAME`).
pub fn trusted() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| {
        starting_with(current, Keystore::open(&home::home_dir()).trusted_names())
    })
}

/// Answers a shell asking for completions (`COMPLETE=bash certbench -- ...`) and exits; does
/// nothing otherwise.
pub fn answer_if_asked(command: impl Fn() -> clap::Command) {
    clap_complete::CompleteEnv::with_factory(command).complete();
}

/// The script `shell` sources so TAB asks this binary for completions.
pub fn registration(shell: clap_complete::Shell) -> Result<Vec<u8>, String> {
    use clap_complete::env::{Bash, Elvish, Fish, Powershell, Zsh};
    let completer: &dyn EnvCompleter = match shell {
        clap_complete::Shell::Bash => &Bash,
        clap_complete::Shell::Zsh => &Zsh,
        clap_complete::Shell::Fish => &Fish,
        clap_complete::Shell::Elvish => &Elvish,
        clap_complete::Shell::PowerShell => &Powershell,
        other => return Err(format!("no completion for {other}")),
    };
    let bin = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "certbench".into());
    let mut out = Vec::new();
    completer
        .write_registration("COMPLETE", "certbench", "certbench", &bin, &mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}
