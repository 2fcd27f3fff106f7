//! The profiles of a folder: listing and loading them (a broken file never hides the others),
//! finding one by name, and the stamp of a file as it was read.

use std::path::{Path, PathBuf};

use crate::names::Known;
use crate::request::file_stamp::FileStamp;
use crate::request::profile::Profile;
use crate::request::profile_error::ProfileError;

/// One entry of a profiles folder: the profile, or why its file failed to load.
#[derive(Debug, Clone)]
pub struct LoadedProfile {
    pub name: String,
    pub path: PathBuf,
    pub result: Result<Profile, ProfileError>,
    /// What the file held when read (None when it could not be read).
    pub stamp: Option<FileStamp>,
}

/// The folder whose `vars.toml` and `environments/` go with a profile file or a folder of
/// profiles: its own folder, else the nearest folder above it that has either, looked for up to
/// the top of its repository (a folder holding `.git`); when none has them, its own folder.
pub fn root_of(path: &Path) -> PathBuf {
    let own = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let own = std::path::absolute(&own).unwrap_or(own);
    for dir in own.ancestors() {
        if dir.join("vars.toml").is_file() || dir.join("environments").is_dir() {
            return dir.to_path_buf();
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    own
}

/// The profile files in `dir`: every `*.toml` but `vars.toml`, sorted by name, not read. A
/// listing costs one directory read, so an interface can show the names before they are loaded.
pub fn list_dir(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    // By file name, the order `Path`'s own sort gives for files of one folder; compared as the
    // names the folder handed over (sorting whole paths took most of the first frame's wait).
    let mut named: Vec<(std::ffi::OsString, PathBuf)> = entries
        .filter_map(|e| e.ok().map(|e| (e.file_name(), e.path())))
        .filter(|(_, p)| p.extension().is_some_and(|x| x == "toml"))
        .filter(|(name, _)| name != "vars.toml")
        .collect();
    // A folder never holds two files of one name.
    named.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    named.into_iter().map(|(_, path)| path).collect()
}

/// The name a profile file is listed under: its file name without `.toml`.
pub fn listed_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Loads every profile file of [`list_dir`]; a broken file never hides the others.
pub fn load_dir(dir: &Path) -> Vec<LoadedProfile> {
    list_dir(dir)
        .into_iter()
        .map(|path| {
            let (result, stamp) = Profile::load_stamped(&path);
            LoadedProfile {
                name: listed_name(&path),
                result,
                stamp,
                path,
            }
        })
        .collect()
}

/// Finds a profile by name in `dir` (by file stem, then by its `name` key).
pub fn find(dir: &Path, name: &str) -> Result<Profile, ProfileError> {
    let direct = dir.join(format!("{name}.toml"));
    if direct.is_file() {
        return Profile::load(&direct);
    }
    load_dir(dir)
        .into_iter()
        .find(|p| p.result.as_ref().is_ok_and(|pr| pr.name == name))
        .map(|p| p.result)
        .unwrap_or_else(|| {
            Err(ProfileError::NotFound {
                name: name.into(),
                dir: dir.display().to_string(),
                known: Known::among(name, list_dir(dir).iter().map(|p| listed_name(p))),
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_finds_its_vars_and_environments_in_itself_or_the_nearest_folder_above() {
        let top = tempfile::tempdir().unwrap();
        let team = top.path().join("team");
        let deep = team.join("orders/v2");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::create_dir_all(team.join("environments")).unwrap();
        std::fs::write(deep.join("get.toml"), "url = \"https://x\"\n").unwrap();
        assert_eq!(root_of(&deep), team);
        assert_eq!(root_of(&deep.join("get.toml")), team);
        // Its own vars.toml is nearer.
        std::fs::write(deep.join("vars.toml"), "a = \"b\"\n").unwrap();
        assert_eq!(root_of(&deep.join("get.toml")), deep);
        // The search stops at a repository's top: a folder above it is another project's.
        let repo = top.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("api")).unwrap();
        std::fs::write(top.path().join("vars.toml"), "x = \"y\"\n").unwrap();
        assert_eq!(root_of(&repo.join("api")), repo.join("api"));
    }

    #[test]
    fn an_unknown_profile_name_suggests_the_closest_or_lists_some() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["echo-orders", "accounts", "a1", "a2", "a3", "a4"] {
            std::fs::write(
                dir.path().join(format!("{n}.toml")),
                "url = \"https://x\"\n",
            )
            .unwrap();
        }
        let e = find(dir.path(), "echo-order").unwrap_err().to_string();
        assert!(e.ends_with(": did you mean \"echo-orders\"?"), "{e}");
        let e = find(dir.path(), "zzz").unwrap_err().to_string();
        assert!(
            e.ends_with(": it holds a1, a2, a3, a4, accounts and 1 more"),
            "{e}"
        );
        let empty = tempfile::tempdir().unwrap();
        let e = find(empty.path(), "x").unwrap_err().to_string();
        assert!(e.ends_with(": there is none yet"), "{e}");
    }
}
