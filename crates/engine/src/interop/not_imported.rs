//! Why a file or folder given to `import` gave no collection.

use std::path::PathBuf;

use crate::interop::format::{Format, KNOWN};

/// A file or folder that could not be read as a collection, and why.
#[derive(Debug, thiserror::Error)]
pub enum NotImported {
    #[error("{}: cannot read: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A JSON file by its name (`bruno.json`, `http-client.env.json`) that is not JSON.
    #[error("{}: not JSON: {reason}", path.display())]
    FileNotJson { path: PathBuf, reason: String },
    #[error("{}: no opencollection.yml", .0.display())]
    NoCollectionFile(PathBuf),
    #[error("{}: not a YAML mapping Bruno would write", .0.display())]
    NotBrunoYaml(PathBuf),
    #[error(
        "{} holds more than {limit} files and folders: import a smaller folder",
        path.display()
    )]
    TooManyFiles { path: PathBuf, limit: usize },
    /// YAML that looks like a known kind (`what`) but does not read as one.
    #[error("{what} in YAML that certbench does not read ({reason})")]
    YamlNotRead { what: &'static str, reason: String },
    #[error("not JSON ({reason}); certbench imports {KNOWN}")]
    NotJson { reason: String },
    #[error("not a format certbench imports: {KNOWN}")]
    UnknownFormat,
    #[error("not JSON or YAML, so not a {}", .0.label())]
    NotJsonOrYaml(Format),
    #[error("a Bruno collection is a folder: name the folder (or its bruno.json)")]
    BrunoFile,
    #[error(
        "{}: a folder without bruno.json or opencollection.yml; certbench imports {KNOWN}",
        .0.display()
    )]
    NotACollectionFolder(PathBuf),
    /// `--format` named a format the file gave nothing as; `reads_as` is what it seems to be.
    #[error(
        "{}: read as a {}, it gave no request, environment or certificate{}",
        path.display(),
        forced.label(),
        reads_as.map(|f| format!(" (it reads as a {}: leave out --format)", f.label())).unwrap_or_default()
    )]
    NothingAs {
        path: PathBuf,
        forced: Format,
        reads_as: Option<Format>,
    },
    /// What went wrong inside a file, with the file.
    #[error("{}: {error}", path.display())]
    InFile {
        path: PathBuf,
        error: Box<NotImported>,
    },
}

worded!(NotImported);
