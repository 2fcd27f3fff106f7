//! What a profile file held when it was read, to notice a change made elsewhere before a save.

use std::path::Path;

use crate::home;
use crate::request::options::PROFILE_FILE_LIMIT;

/// What a profile file held when it was read (a hash of its bytes), to notice a change made
/// elsewhere before a save would overwrite it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp(u64);

impl FileStamp {
    pub fn of(bytes: &[u8]) -> FileStamp {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut h);
        FileStamp(h.finish())
    }

    /// The stamp of the file at `path` now; None when it cannot be read (gone, unreadable).
    pub fn read(path: &Path) -> Option<FileStamp> {
        home::read_bounded(path, PROFILE_FILE_LIMIT)
            .ok()
            .map(|b| FileStamp::of(&b))
    }
}
