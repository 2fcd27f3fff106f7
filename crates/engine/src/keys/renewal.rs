//! A key's renew command (`keys renew-command NAME 'step ca renew ...'`): kept in the keystore
//! beside the key (`renew.toml`, never in a profile or an environment file, so nothing shared
//! can make certbench run it), run on `keys renew NAME`, or before a send once the key is inside
//! its `renew_before` window. It runs with a time limit; what it prints is kept short.

use crate::home::TextFileError;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::home;
use crate::keys::certinfo::CertFacts;

/// The file in a key's folder that holds its renew command.
pub const RENEW_FILE: &str = "renew.toml";

/// The longest a renew command may run.
pub const RENEW_TIMEOUT: Duration = Duration::from_secs(120);

/// The most bytes of what a renew command prints that are kept.
const OUTPUT_KEPT: usize = 4096;

/// How long before its end a certificate is renewed before a send.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RenewBefore {
    /// This long before it expires.
    Seconds(i64),
    /// When this fraction of its lifetime is left (`"33%"`: a third).
    Fraction(f64),
}

/// A `renew_before` that is neither a duration nor a share of the lifetime.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("renew_before {0:?}: write a duration (90s, 30m, 1h, 2d) or a share of the lifetime (33%)")]
pub struct BadRenewBefore(pub String);

worded!(BadRenewBefore);

/// Why a key's renewal settings could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum RenewalError {
    #[error(transparent)]
    File(#[from] TextFileError),
    #[error(transparent)]
    Before(#[from] BadRenewBefore),
    #[error("{}: {source}", path.display())]
    Unwritable {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Serialize(#[from] toml::ser::Error),
}

worded!(RenewalError);

impl RenewBefore {
    /// `"1h"`, `"30m"`, `"2d"`, `"90s"`, or `"33%"`.
    pub fn parse(text: &str) -> Result<RenewBefore, BadRenewBefore> {
        let t = text.trim();
        let bad = || BadRenewBefore(text.to_string());
        if let Some(p) = t.strip_suffix('%') {
            let n: f64 = p.trim().parse().map_err(|_| bad())?;
            return match n > 0.0 && n < 100.0 {
                true => Ok(RenewBefore::Fraction(n / 100.0)),
                false => Err(bad()),
            };
        }
        let unit = t.chars().last().ok_or_else(bad)?;
        let n: i64 = t
            .strip_suffix(unit)
            .unwrap_or_default()
            .trim()
            .parse()
            .map_err(|_| bad())?;
        let secs = match unit {
            's' => n,
            'm' => n * 60,
            'h' => n * 3600,
            'd' => n * 86_400,
            _ => return Err(bad()),
        };
        match secs > 0 {
            true => Ok(RenewBefore::Seconds(secs)),
            false => Err(bad()),
        }
    }

    /// Whether a certificate with `leaf`'s dates is inside the window at `now` (unix seconds).
    pub fn due(&self, leaf: &CertFacts, now: i64) -> bool {
        let left = leaf.not_after_unix - now;
        match *self {
            RenewBefore::Seconds(s) => left <= s,
            RenewBefore::Fraction(f) => {
                let life = (leaf.not_after_unix - leaf.not_before_unix).max(1);
                (left as f64) <= f * life as f64
            }
        }
    }
}

/// A key's renew command, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renewal {
    /// Run with `sh -c`.
    pub command: String,
    /// When a send runs it first (`"1h"`, `"33%"`); None: only `keys renew` runs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renew_before: Option<String>,
}

/// What a run of the command came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenewRun {
    pub ok: bool,
    /// How it ended: `exit 0`, `exit 1`, `killed after 120 s`.
    pub ended: String,
    /// The end of what it printed (stdout and stderr), at most a few KiB.
    pub output: String,
}

impl Renewal {
    pub fn load(dir: &Path) -> Result<Option<Renewal>, RenewalError> {
        let path = dir.join(RENEW_FILE);
        let data = match home::read_bounded(&path, 64 << 10) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(TextFileError::Unreadable { path, source }.into()),
        };
        let r: Renewal = toml::from_str(&String::from_utf8_lossy(&data)).map_err(|e| {
            TextFileError::Malformed {
                path,
                message: e.message().to_string(),
            }
        })?;
        r.before()?;
        Ok(Some(r))
    }

    pub fn save(&self, dir: &Path) -> Result<(), RenewalError> {
        self.before()?;
        let text = toml::to_string(self)?;
        let path = dir.join(RENEW_FILE);
        home::write_atomic(&path, text.as_bytes(), 0o600)
            .map_err(|source| RenewalError::Unwritable { path, source })
    }

    pub fn before(&self) -> Result<Option<RenewBefore>, BadRenewBefore> {
        self.renew_before
            .as_deref()
            .map(RenewBefore::parse)
            .transpose()
    }

    /// Runs the command (`sh -c`), killing it after `timeout`.
    pub fn run(&self, timeout: Duration) -> RenewRun {
        use std::os::unix::process::CommandExt;
        // Its own process group, so a time-out ends what it started too (`sh -c` runs children).
        let child = Command::new("sh")
            .arg("-c")
            .arg(&self.command)
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                return RenewRun {
                    ok: false,
                    ended: format!("could not start: {e}"),
                    output: String::new(),
                };
            }
        };
        // Both pipes are drained while it runs, so a talkative command never blocks on them.
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut kept = Vec::new();
                if let Some(mut p) = pipe {
                    let mut buf = [0u8; 8192];
                    while let Ok(n) = p.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        kept.extend_from_slice(&buf[..n]);
                        if kept.len() > OUTPUT_KEPT {
                            kept.drain(..kept.len() - OUTPUT_KEPT);
                        }
                    }
                }
                kept
            })
        };
        let out = drain(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let err = drain(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let started = Instant::now();
        let ended = loop {
            match child.try_wait() {
                Ok(Some(status)) => {
                    break status
                        .code()
                        .map_or("killed by a signal".into(), |c| format!("exit {c}"));
                }
                Ok(None) if started.elapsed() >= timeout => {
                    if let Ok(pid) = i32::try_from(child.id()) {
                        // kill(2) on the process group this command leads; no memory is touched.
                        #[allow(unsafe_code, reason = "std cannot signal a process group")]
                        unsafe {
                            libc::kill(-pid, libc::SIGKILL)
                        };
                    }
                    let _ = child.kill();
                    let _ = child.wait();
                    break format!("killed after {} s", timeout.as_secs());
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => break format!("lost: {e}"),
            }
        };
        let mut text = out.join().unwrap_or_default();
        text.extend(err.join().unwrap_or_default());
        RenewRun {
            ok: ended == "exit 0",
            ended,
            output: String::from_utf8_lossy(&text).trim().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_parse_and_a_command_runs_with_a_time_limit() {
        assert_eq!(RenewBefore::parse("1h"), Ok(RenewBefore::Seconds(3600)));
        assert_eq!(RenewBefore::parse("33%"), Ok(RenewBefore::Fraction(0.33)));
        assert!(RenewBefore::parse("soon").is_err());
        assert!(RenewBefore::parse("0h").is_err());
        let ok = Renewal {
            command: "echo renewed".into(),
            renew_before: None,
        }
        .run(Duration::from_secs(5));
        assert!(ok.ok && ok.output == "renewed", "{ok:?}");
        let hung = Renewal {
            command: "sleep 30".into(),
            renew_before: None,
        }
        .run(Duration::from_millis(200));
        assert!(
            !hung.ok && hung.ended.starts_with("killed after"),
            "{hung:?}"
        );
        let failed = Renewal {
            command: "echo no >&2; exit 3".into(),
            renew_before: None,
        }
        .run(Duration::from_secs(5));
        assert_eq!(
            (failed.ok, failed.ended.as_str(), failed.output.as_str()),
            (false, "exit 3", "no")
        );
    }
}
