//! Where a file certbench writes really goes: a regular file is replaced whole, a symlink's target is written (the link stays), a device or FIFO is written in place, and anything else is refused before a byte is sent.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Symlinks followed before giving up, as the kernel's own limit (ELOOP).
const MAX_LINKS: usize = 40;

/// What a path names, once its symlinks are followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A regular file, or a new name in an existing folder: written beside, then renamed over.
    Replace(PathBuf),
    /// A character device or a named pipe (`/dev/null`, `/dev/stdout`, a FIFO): opened and
    /// written in place, as curl does; it is never replaced.
    InPlace(PathBuf),
}

impl Destination {
    /// The path bytes will reach (a symlink's final target).
    pub fn path(&self) -> &Path {
        match self {
            Destination::Replace(p) | Destination::InPlace(p) => p,
        }
    }
}

/// Why a path cannot be written; each names the path and what to do.
#[derive(Debug, thiserror::Error)]
pub enum DestinationError {
    #[error("{} is a folder: give a file name inside it", .0.display())]
    Folder(PathBuf),
    #[error("the folder of {} does not exist: create it first, or choose another path", .0.display())]
    MissingFolder(PathBuf),
    #[error("{} is a block device: certbench never writes over a disk", .0.display())]
    BlockDevice(PathBuf),
    #[error("{} is a socket: a socket cannot be opened as a file", .0.display())]
    Socket(PathBuf),
    #[error("{} is a named pipe that nobody reads: start the reader first", .0.display())]
    NoReader(PathBuf),
    #[error("{} goes through too many symlinks (a loop?)", .0.display())]
    LinkLoop(PathBuf),
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
}

impl DestinationError {
    fn io(path: &Path, source: io::Error) -> DestinationError {
        DestinationError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl From<DestinationError> for io::Error {
    fn from(e: DestinationError) -> io::Error {
        let kind = match &e {
            DestinationError::Io { source, .. } => source.kind(),
            DestinationError::MissingFolder(_) => io::ErrorKind::NotFound,
            _ => io::ErrorKind::InvalidInput,
        };
        io::Error::new(kind, e.to_string())
    }
}

/// Follows `path`'s symlinks and decides how to write what it names. Nothing is opened or
/// created, so this can run before a request is sent.
pub fn resolve(path: &Path) -> Result<Destination, DestinationError> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let meta = match fs::symlink_metadata(&current) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let folder = parent_of(&current);
                return match fs::metadata(folder) {
                    Ok(m) if m.is_dir() => Ok(Destination::Replace(current)),
                    Ok(_) | Err(_) => Err(DestinationError::MissingFolder(current)),
                };
            }
            Err(e) => return Err(DestinationError::io(&current, e)),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let target = fs::read_link(&current).map_err(|e| DestinationError::io(&current, e))?;
            current = if target.is_absolute() {
                target
            } else {
                parent_of(&current).join(target)
            };
            continue;
        }
        return if kind.is_file() {
            Ok(Destination::Replace(current))
        } else if kind.is_dir() {
            Err(DestinationError::Folder(current))
        } else if kind.is_char_device() || kind.is_fifo() {
            Ok(Destination::InPlace(current))
        } else if kind.is_block_device() {
            Err(DestinationError::BlockDevice(current))
        } else {
            Err(DestinationError::Socket(current))
        };
    }
    Err(DestinationError::LinkLoop(path.to_path_buf()))
}

fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// An open destination: write into `file`, then `commit` to make it final. Dropping it
/// uncommitted leaves a replaced file as it was (the temporary file goes away).
pub struct Output {
    pub file: fs::File,
    pending: Pending,
}

/// What committing an [`Output`] still has to do.
pub enum Pending {
    /// Rename the temporary file over the final path.
    Rename {
        temp: tempfile::TempPath,
        target: PathBuf,
    },
    /// Nothing: the bytes went straight to a device or pipe.
    InPlace,
}

impl Output {
    /// Opens `path` for writing as [`resolve`] decides; a new or replaced file gets `mode`.
    pub fn create(path: &Path, mode: u32) -> Result<Output, DestinationError> {
        match resolve(path)? {
            Destination::Replace(target) => {
                let temp = tempfile::Builder::new()
                    .prefix(".certbench-")
                    .suffix(".tmp")
                    .permissions(fs::Permissions::from_mode(mode))
                    .tempfile_in(parent_of(&target))
                    .map_err(|e| DestinationError::io(&target, e))?;
                let (file, temp) = temp.into_parts();
                Ok(Output {
                    file,
                    pending: Pending::Rename { temp, target },
                })
            }
            Destination::InPlace(target) => Ok(Output {
                file: open_in_place(&target)?,
                pending: Pending::InPlace,
            }),
        }
    }

    /// Splits the open file from what `commit` does, for writers that own the file.
    pub fn into_parts(self) -> (fs::File, Pending) {
        (self.file, self.pending)
    }

    /// Flushes and gives the bytes their final name.
    pub fn commit(self) -> io::Result<()> {
        let (file, pending) = self.into_parts();
        pending.commit(Some(&file))
    }
}

impl Pending {
    /// Syncs a replaced file and renames it into place; a device or pipe needs nothing more.
    pub fn commit(self, file: Option<&fs::File>) -> io::Result<()> {
        let Pending::Rename { temp, target } = self else {
            return Ok(());
        };
        if let Some(f) = file {
            f.sync_all()?;
        }
        temp.persist(&target).map_err(|e| e.error)?;
        if let Ok(d) = fs::File::open(parent_of(&target)) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// Opens a character device or FIFO for writing without creating or replacing anything. A
/// FIFO with no reader is an error at once rather than a wait with no end.
fn open_in_place(path: &Path) -> Result<fs::File, DestinationError> {
    let file = fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ENXIO) => DestinationError::NoReader(path.to_path_buf()),
            _ => DestinationError::io(path, e),
        })?;
    // Writes block again from here on, so a slow reader slows the body instead of failing it.
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function owns, with flags read from it.
    #[allow(unsafe_code, reason = "std cannot clear O_NONBLOCK on a File")]
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
    }
    Ok(file)
}

/// Writes `bytes` to `path` whole: a reader sees the old file or the new one, never half of
/// one; a symlink's target is written and a device or pipe written in place.
pub fn write_whole(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let mut out = Output::create(path, mode)?;
    out.file.write_all(bytes)?;
    out.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symlink_is_written_through_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.txt");
        fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink("real.txt", &link).unwrap();
        write_whole(&link, b"new", 0o600).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
    }

    #[test]
    fn a_dangling_symlink_creates_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path().join("later.txt"), &link).unwrap();
        write_whole(&link, b"x", 0o600).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(dir.path().join("later.txt")).unwrap(), b"x");
    }

    #[test]
    fn folders_missing_folders_and_loops_are_refused_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            resolve(dir.path()),
            Err(DestinationError::Folder(_))
        ));
        assert!(matches!(
            resolve(&dir.path().join("nope/out.json")),
            Err(DestinationError::MissingFolder(_))
        ));
        let a = dir.path().join("a");
        std::os::unix::fs::symlink(dir.path().join("b"), &a).unwrap();
        std::os::unix::fs::symlink(&a, dir.path().join("b")).unwrap();
        assert!(matches!(resolve(&a), Err(DestinationError::LinkLoop(_))));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    #[allow(unsafe_code, reason = "the test makes a FIFO with libc")]
    fn a_fifo_is_written_in_place_and_one_without_reader_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo with a valid C string.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            Output::create(&fifo, 0o600),
            Err(DestinationError::NoReader(_))
        ));
        let reader_path = fifo.clone();
        let reader = std::thread::spawn(move || fs::read(reader_path).unwrap());
        // The reader opens the FIFO; retry until it has.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let out = loop {
            match Output::create(&fifo, 0o600) {
                Ok(o) => break o,
                Err(DestinationError::NoReader(_)) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10))
                }
                Err(e) => panic!("{e}"),
            }
        };
        let mut out = out;
        out.file.write_all(b"through the pipe").unwrap();
        out.commit().unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    }
}
