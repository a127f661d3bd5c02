//! The kubelet's atomic writer for projected volumes (`pkg/volume/util/atomic_writer.go`):
//! each version of the files lives in a timestamped directory `..<stamp>`, the symlink
//! `..data` points at the current one and is swapped with a rename, and each file is a
//! symlink `name -> ..data/name`. A reader that opens `token` sees the old or the new
//! version, never a partly written one, and never a missing file.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Tells the payload directories of one process apart when written within one clock tick.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// Writes `files` (name, contents) into `dir` as the kubelet writes a projected volume (its
/// `AtomicWriter`): a new version directory, the `..data` symlink swapped to it with one
/// `rename`, each file a symlink through `..data`; the previous version is removed
/// afterwards. A reader sees all old files or all new ones, never a mix. `dir` is created if
/// missing; a plain file of the same name is replaced by the link.
///
/// ```no_run
/// let dir = std::path::Path::new("/tmp/serviceaccount");
/// kubeset_testserver::write_projected(dir, &[("token", b"eyJ..."), ("namespace", b"default")])?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// A directory, file or link could not be made.
pub fn write_projected(dir: &Path, files: &[(&str, &[u8])]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "..{:04}_{:02}_{:02}_{:02}_{:02}_{:02}.{}",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        SEQUENCE.fetch_add(1, Ordering::Relaxed),
    );
    let payload = dir.join(&stamp);
    std::fs::create_dir(&payload)?;
    for (name, content) in files {
        std::fs::write(payload.join(name), content)?;
    }
    let data = dir.join("..data");
    let previous = std::fs::read_link(&data).ok();
    let tmp = dir.join("..data_tmp");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(&stamp, &tmp)?;
    std::fs::rename(&tmp, &data)?;
    for (name, _) in files {
        let link = dir.join(name);
        let is_link = std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            // a plain file (or nothing) becomes the link, atomically
            let tmp = dir.join(format!("..{name}_tmp"));
            let _ = std::fs::remove_file(&tmp);
            std::os::unix::fs::symlink(Path::new("..data").join(name), &tmp)?;
            std::fs::rename(&tmp, &link)?;
        }
    }
    if let Some(previous) = previous.filter(|p| p.as_os_str() != stamp.as_str()) {
        std::fs::remove_dir_all(dir.join(previous))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_swap_behind_stable_links() {
        let dir = tempfile::tempdir().unwrap();
        write_projected(dir.path(), &[("token", b"one"), ("namespace", b"ns")]).unwrap();
        let token = dir.path().join("token");
        assert_eq!(std::fs::read(&token).unwrap(), b"one");
        assert_eq!(
            std::fs::read_link(&token).unwrap(),
            Path::new("..data/token")
        );
        let first = std::fs::read_link(dir.path().join("..data")).unwrap();
        write_projected(dir.path(), &[("token", b"two"), ("namespace", b"ns")]).unwrap();
        assert_eq!(std::fs::read(&token).unwrap(), b"two");
        let second = std::fs::read_link(dir.path().join("..data")).unwrap();
        assert_ne!(first, second);
        assert!(
            !dir.path().join(first).exists(),
            "the old version is removed"
        );
        // only the two links, `..data` and the current payload remain
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 4);
    }
}
