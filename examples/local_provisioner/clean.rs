//! Emptying a released volume, confined to its discovery directory.
//!
//! Guarantees: only the entries *inside* `<mountDir>/<file>` are removed, never the volume
//! directory itself (it is the volume, and its PV is re-created from it); `file` must be one
//! plain path component; the volume directory must be a real directory, not a symlink; entries
//! are removed with `symlink_metadata` semantics (a symlink is removed, never followed), and
//! `std::fs::remove_dir_all` does not follow symlinks either. Upstream runs `rm -rf` on the
//! contents of the mount point in the same spirit.

use std::io;
use std::path::{Component, Path, PathBuf};

/// Why a volume could not be cleaned.
#[derive(Debug)]
pub(crate) enum CleanError {
    /// The volume's directory is gone (or is no longer a directory).
    Missing { path: PathBuf },
    /// The PV's path does not lie directly inside a configured discovery directory.
    Outside { path: String },
    /// Removing an entry failed.
    Remove { path: PathBuf, source: io::Error },
}

impl std::fmt::Display for CleanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing { path } => {
                write!(f, "volume directory {} does not exist", path.display())
            }
            Self::Outside { path } => write!(
                f,
                "path {path} is not an entry of a discovery directory; not touching it"
            ),
            Self::Remove { path, .. } => write!(f, "cannot remove {}", path.display()),
        }
    }
}

impl std::error::Error for CleanError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Remove { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The entry name of `host_path` inside `host_dir`, if it is exactly one normal component.
pub(crate) fn entry_of(host_dir: &Path, host_path: &str) -> Option<String> {
    let rest = Path::new(host_path).strip_prefix(host_dir).ok()?;
    let mut components = rest.components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(name)), None) => name.to_str().map(str::to_owned),
        _ => None,
    }
}

/// Removes everything inside `mount_dir/file`.
pub(crate) fn clean(mount_dir: &Path, file: &str) -> Result<(), CleanError> {
    let volume = mount_dir.join(file);
    match std::fs::symlink_metadata(&volume) {
        Ok(meta) if meta.is_dir() => {}
        _ => return Err(CleanError::Missing { path: volume }),
    }
    let remove_err = |path: PathBuf| move |source| CleanError::Remove { path, source };
    let entries = std::fs::read_dir(&volume).map_err(remove_err(volume.clone()))?;
    for entry in entries {
        let entry = entry.map_err(remove_err(volume.clone()))?;
        let path = entry.path();
        // `file_type` does not follow symlinks.
        let kind = entry.file_type().map_err(remove_err(path.clone()))?;
        let removed = if kind.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(remove_err(path))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_plain_component_is_an_entry() {
        let dir = Path::new("/mnt/disks");
        assert_eq!(entry_of(dir, "/mnt/disks/vol1").as_deref(), Some("vol1"));
        assert_eq!(entry_of(dir, "/mnt/disks/a/b"), None);
        assert_eq!(entry_of(dir, "/mnt/disks/../etc"), None);
        assert_eq!(entry_of(dir, "/mnt/other/vol1"), None);
        assert_eq!(entry_of(dir, "/mnt/disks"), None);
    }

    #[test]
    fn cleaning_empties_the_volume_and_never_follows_symlinks() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("keep"), "x").unwrap();
        let volume = root.path().join("vol1");
        std::fs::create_dir_all(volume.join("sub/deeper")).unwrap();
        std::fs::write(volume.join("sub/deeper/f"), "x").unwrap();
        std::fs::write(volume.join(".hidden"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path(), volume.join("link")).unwrap();
        std::os::unix::fs::symlink(outside.path(), volume.join("sub/link")).unwrap();
        clean(root.path(), "vol1").unwrap();
        assert!(volume.is_dir());
        assert_eq!(std::fs::read_dir(&volume).unwrap().count(), 0);
        assert!(outside.path().join("keep").exists());
    }

    #[test]
    fn a_symlinked_or_missing_volume_is_not_cleaned() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("keep"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("vol1")).unwrap();
        assert!(matches!(
            clean(root.path(), "vol1"),
            Err(CleanError::Missing { .. })
        ));
        assert!(matches!(
            clean(root.path(), "gone"),
            Err(CleanError::Missing { .. })
        ));
        assert!(outside.path().join("keep").exists());
    }
}
