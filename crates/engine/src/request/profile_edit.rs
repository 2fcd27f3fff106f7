//! Saving a profile by editing its file in place: only the keys whose meaning changed are
//! written, so comments, key order, inline tables, number forms and explicit defaults stay.
//!
//! Both versions of the profile are serialised the same way and compared key by key; a key
//! that differs is set (keeping its comment and spacing), a key that became a default is
//! removed, everything else in the file is left as the person wrote it.

use toml_edit::{DocumentMut, Item, TableLike};

use std::path::{Path, PathBuf};

use crate::home;
use crate::request::file_stamp::FileStamp;
use crate::request::options::PROFILE_FILE_LIMIT;
use crate::request::profile::Profile;
use crate::request::profile_error::ProfileError;

/// The file's `text` (which holds `old`) changed to hold `new`; None when the text does not
/// parse as TOML or a profile does not serialise, and the caller writes the file whole.
pub fn edit_in_place(text: &str, old: &Profile, new: &Profile) -> Option<String> {
    let mut doc: DocumentMut = text.parse().ok()?;
    let before = toml::Table::try_from(old).ok()?;
    let after = toml::Table::try_from(new).ok()?;
    merge(doc.as_table_mut(), &before, &after, false)?;
    Some(doc.to_string())
}

/// Applies the differences between `before` and `after` to `doc`; `inline` when `doc` is an
/// inline table (which holds values, never sub-tables with headers).
fn merge(
    doc: &mut dyn TableLike,
    before: &toml::Table,
    after: &toml::Table,
    inline: bool,
) -> Option<()> {
    for gone in before.keys().filter(|k| !after.contains_key(*k)) {
        doc.remove(gone);
    }
    for (key, value) in after {
        if before.get(key) == Some(value) {
            continue;
        }
        if let (Some(toml::Value::Table(was)), toml::Value::Table(is)) = (before.get(key), value)
            && let Some(inner) = doc.get_mut(key).filter(|i| i.is_table_like())
        {
            let inner_inline = inner.is_inline_table() || inline;
            merge(inner.as_table_like_mut()?, was, is, inner_inline)?;
            // An inline table that gained a key is spaced again as one line, `{ a = 1, b = 2 }`.
            if is.keys().any(|k| !was.contains_key(k))
                && let Some(t) = inner.as_inline_table_mut()
            {
                t.fmt();
            }
            continue;
        }
        let mut fresh = item_of(key, value)?;
        if inline || doc.get(key).is_some_and(Item::is_value) {
            fresh = Item::Value(fresh.into_value().ok()?);
        }
        // The old value's comment and spacing go to the new one.
        if let (Some(old), Some(new)) =
            (doc.get(key).and_then(Item::as_value), fresh.as_value_mut())
        {
            *new.decor_mut() = old.decor().clone();
        }
        // Replaced in its slot, the key keeps its own comment lines and position.
        match doc.get_mut(key) {
            Some(slot) => *slot = fresh,
            None => {
                doc.insert(key, fresh);
            }
        }
    }
    Some(())
}

/// `value` as toml_edit writes it under `key` (a table with its header, an array of tables).
fn item_of(key: &str, value: &toml::Value) -> Option<Item> {
    let mut one = toml::Table::new();
    one.insert(key.to_string(), value.clone());
    let text = toml::to_string(&one).ok()?;
    let mut doc: DocumentMut = text.parse().ok()?;
    doc.remove(key)
}

impl Profile {
    /// The file at `path` with this profile's changes made in place (see `profile_edit`); None
    /// when there is no readable profile there to edit.
    fn edited_file(&self, path: &Path) -> Option<String> {
        let text = String::from_utf8(home::read_bounded(path, PROFILE_FILE_LIMIT).ok()?).ok()?;
        let on_disk = Profile::from_toml(&text, path).ok()?;
        edit_in_place(&text, &on_disk, self)
    }

    /// Saves atomically as `<dir>/<name>.toml`: an existing file is edited in place (only the
    /// keys that changed), a new one is written whole.
    pub fn save(&self, dir: &Path) -> Result<PathBuf, ProfileError> {
        self.save_over(dir, None)
    }

    /// As [`Profile::save`], but only over the file that was loaded: when `loaded` is given and
    /// the file now holds something else, nothing is written and the error says so.
    pub fn save_over(
        &self,
        dir: &Path,
        loaded: Option<FileStamp>,
    ) -> Result<PathBuf, ProfileError> {
        home::check_name(home::Named::Profile, &self.name).map_err(|e| ProfileError::Invalid {
            name: self.name.clone(),
            message: e.to_string(),
        })?;
        let path = dir.join(format!("{}.toml", self.name));
        let write_err = |e: std::io::Error| ProfileError::Write {
            path: path.display().to_string(),
            source: e.into(),
        };
        if let Some(was) = loaded
            && let Some(now) = FileStamp::read(&path)
            && now != was
        {
            return Err(ProfileError::ChangedOnDisk {
                path: path.display().to_string(),
            });
        }
        std::fs::create_dir_all(dir).map_err(write_err)?;
        let text = self.edited_file(&path).unwrap_or_else(|| self.to_toml());
        home::write_atomic(&path, text.as_bytes(), 0o644).map_err(write_err)?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const HAND_WRITTEN: &str = r#"# Orders API, shared in the team's repository.
name = "orders"
url = "https://api.example.test/orders"   # production
method = "POST"

headers = { Accept = "application/json", X-Team = "payments" }

[options]
# the gateway is slow on Mondays
timeout_secs = 40
follow_redirects = true

[expect]
status = 201
max_ms = 5000
"#;

    fn profile(text: &str) -> Profile {
        Profile::from_toml(text, Path::new("orders.toml")).expect("the fixture parses")
    }

    #[test]
    fn a_changed_url_changes_exactly_one_line() {
        let old = profile(HAND_WRITTEN);
        let mut new = old.clone();
        new.url = "https://staging.example.test/orders".into();
        let text = edit_in_place(HAND_WRITTEN, &old, &new).expect("edited");
        let changed: Vec<(&str, &str)> = HAND_WRITTEN
            .lines()
            .zip(text.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(HAND_WRITTEN.lines().count(), text.lines().count(), "{text}");
        assert_eq!(
            changed,
            vec![(
                "url = \"https://api.example.test/orders\"   # production",
                "url = \"https://staging.example.test/orders\"   # production"
            )],
            "{text}"
        );
        assert_eq!(profile(&text), new);
    }

    #[test]
    fn an_unchanged_profile_leaves_the_file_byte_for_byte() {
        let old = profile(HAND_WRITTEN);
        assert_eq!(
            edit_in_place(HAND_WRITTEN, &old, &old).unwrap(),
            HAND_WRITTEN
        );
    }

    #[test]
    fn inline_tables_stay_inline_and_defaults_are_not_added() {
        let old = profile(HAND_WRITTEN);
        let mut new = old.clone();
        new.options.timeout_secs = 10;
        new.headers.insert(
            "X-Request".into(),
            crate::request::profile::HeaderValues::One("1".into()),
        );
        let text = edit_in_place(HAND_WRITTEN, &old, &new).expect("edited");
        assert!(
            text.contains("# the gateway is slow on Mondays\ntimeout_secs = 10\n"),
            "{text}"
        );
        assert!(
            text.contains(
                r#"headers = { Accept = "application/json", X-Team = "payments", X-Request = "1" }"#
            ),
            "{text}"
        );
        assert!(text.contains("max_ms = 5000\n"), "{text}");
        assert!(!text.contains("insecure"), "no default key added: {text}");
        assert_eq!(profile(&text), new);
    }
}
