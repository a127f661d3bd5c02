//! The kubelet's atomic writer (`pkg/volume/util/atomic_writer.go`), which fills projected
//! volumes: every version of the files goes into a fresh timestamped directory, a `..data`
//! symlink is swapped to it in one `rename`, and each visible file is a symlink through
//! `..data`. A reader therefore sees either all old files or all new ones, never a mix, and a
//! token rotation is one atomic step.

use std::io;
use std::path::{Path, PathBuf};

/// Writes `files` (name, contents) into `dir` as one new version.
pub(crate) fn write(dir: &Path, files: &[(&str, &[u8])]) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let version = dir.join(timestamped_name());
    std::fs::create_dir(&version)?;
    for (name, contents) in files {
        std::fs::write(version.join(name), contents)?;
    }
    let data = dir.join("..data");
    let old = std::fs::read_link(&data).ok();
    // The swap: a new link beside the old one, then rename over it (atomic on POSIX).
    let tmp = dir.join("..data_tmp");
    let _ = std::fs::remove_file(&tmp);
    symlink(version.file_name().unwrap_or_default().as_ref(), &tmp)?;
    std::fs::rename(&tmp, &data)?;
    for (name, _) in files {
        let visible = dir.join(name);
        if std::fs::symlink_metadata(&visible).is_err() {
            symlink(&Path::new("..data").join(name), &visible)?;
        }
    }
    if let Some(old) = old {
        let old = dir.join(old);
        if old != version {
            let _ = std::fs::remove_dir_all(old);
        }
    }
    Ok(())
}

/// `..2026_12_06_16_50_01.123456789`, as the kubelet names versions.
fn timestamped_name() -> PathBuf {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    PathBuf::from(format!("..{}.{:09}", now.as_secs(), now.subsec_nanos()))
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "the kubelet's atomic writer needs symlinks",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_version_replaces_the_files_through_the_data_link() {
        let dir = std::env::temp_dir().join(format!("kubeset-atomic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        write(&dir, &[("token", b"one"), ("namespace", b"ns")]).unwrap();
        let first = std::fs::read_link(dir.join("..data")).unwrap();
        assert_eq!(std::fs::read(dir.join("token")).unwrap(), b"one");
        assert_eq!(
            std::fs::read_link(dir.join("token")).unwrap(),
            Path::new("..data/token")
        );
        write(&dir, &[("token", b"two"), ("namespace", b"ns")]).unwrap();
        assert_eq!(std::fs::read(dir.join("token")).unwrap(), b"two");
        let second = std::fs::read_link(dir.join("..data")).unwrap();
        assert_ne!(first, second);
        assert!(!dir.join(&first).exists(), "the old version is removed");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
