//! Where certbench keeps its files, and how it writes them (atomically, with tight permissions).

use std::fs;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The folder that holds everything certbench writes: `CERTBENCH_HOME`, else the platform data dir.
pub fn home_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CERTBENCH_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_dir()
        .map(|d| d.join("certbench"))
        .unwrap_or_else(|| PathBuf::from(".certbench"))
}

/// The profiles folder: `--profiles DIR`, else `./profiles` when present, else the home folder's.
pub fn profiles_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(dir) = explicit {
        return dir.to_path_buf();
    }
    let local = PathBuf::from("profiles");
    if local.is_dir() {
        return local;
    }
    home_dir().join("profiles")
}

/// Creates `dir` (and parents) and makes it private (0700).
pub fn ensure_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
}

/// Writes `bytes` to `path` whole, as [`super::destination`] decides: a regular file through a
/// temp file, fsync and rename; a symlink's target; a device or FIFO in place.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> std::io::Result<()> {
    crate::destination::write_whole(path, bytes, mode)
}

/// What a name is given to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Key,
    TrustedCertificate,
    Profile,
    Environment,
    Variable,
}

impl std::fmt::Display for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Named::Key => "key",
            Named::TrustedCertificate => "trusted certificate",
            Named::Profile => "profile",
            Named::Environment => "environment",
            Named::Variable => "variable",
        })
    }
}

/// A name that cannot be a file's name in the home or the profiles folder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid {named} name {name:?}: use 1-64 letters, digits, '.', '_' or '-' (not starting with '.')"
)]
pub struct BadName {
    pub named: Named,
    pub name: String,
}

worded!(BadName);

/// A name for a key, trusted certificate or profile: letters, digits, `.`, `_`, `-`.
pub fn check_name(named: Named, name: &str) -> Result<(), BadName> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(BadName {
            named,
            name: name.to_string(),
        })
    }
}

/// Why a small TOML file of settings (`vars.toml`, `bindings.toml`) could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TextFileError {
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{}: it is not UTF-8 text", path.display())]
    NotText { path: std::path::PathBuf },
    /// Not TOML, or not the table the file holds.
    #[error("{}: {message}", path.display())]
    Malformed {
        path: std::path::PathBuf,
        message: String,
    },
}

worded!(TextFileError);

/// Profiles, environments and `vars.toml` are small text files: more than this is not one.
pub const TEXT_FILE_LIMIT: u64 = 1 << 20;

/// Key files, certificates and password files are small: more than this is not one.
pub const KEY_FILE_LIMIT: u64 = 1 << 20;

/// Reads at most `limit` bytes of a regular file; a device, FIFO or folder is refused before it is
/// opened (opening a FIFO would wait for a writer), and a larger file is refused, never truncated.
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a device, FIFO or socket)"
        };
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("it is {what}: give the path of a file"),
        ));
    }
    let mut data = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut data)?;
    if data.len() as u64 > limit {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "it is larger than {limit} bytes, too large for this kind of file: check the path"
            ),
        ));
    }
    Ok(data)
}

/// What the file system under `path` (or its nearest existing folder) says about writing there,
/// so a failed write can name its real cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    Full,
    ReadOnly,
    Writable,
}

impl Space {
    /// The cause in words, or None when the file system has room and accepts writes.
    pub fn cause(self) -> Option<&'static str> {
        match self {
            Space::Full => Some("disk full"),
            Space::ReadOnly => Some("the folder is on a read-only file system"),
            Space::Writable => None,
        }
    }
}

/// Asks the kernel (statvfs) whether the file system holding `path` is full or read-only.
pub fn space(path: &Path) -> Space {
    use std::os::unix::ffi::OsStrExt;
    let Some(existing) = path.ancestors().find(|p| p.exists()) else {
        return Space::Writable;
    };
    let Ok(c_path) = std::ffi::CString::new(existing.as_os_str().as_bytes()) else {
        return Space::Writable;
    };
    // SAFETY: statvfs writes into the zeroed struct it is given and reads a valid C string.
    #[allow(
        unsafe_code,
        reason = "std has no statvfs, and the free space is read before a write"
    )]
    let st = unsafe {
        let mut st: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c_path.as_ptr(), &mut st) != 0 {
            return Space::Writable;
        }
        st
    };
    if st.f_flag & libc::ST_RDONLY != 0 {
        Space::ReadOnly
    } else if st.f_bavail == 0 {
        Space::Full
    } else {
        Space::Writable
    }
}
