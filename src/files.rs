//! Writing files: atomically (a reader sees the old file or the new one, never half), and into a
//! folder where a manifest, `DIR/.pydigest-export.json`, remembers the sha256 of what pydigest
//! last wrote to each file, so a file someone else changed (or that pydigest never wrote) is
//! kept unless forced.

use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Name of the manifest inside the output folder.
pub(crate) const MANIFEST: &str = ".pydigest-export.json";

/// What pydigest last wrote into the folder: file name → sha256 (hex) of its bytes.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    files: BTreeMap<String, String>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What happened to the files.
#[derive(Debug, Default)]
pub(crate) struct WriteReport {
    /// Created or replaced.
    pub written: Vec<PathBuf>,
    /// Already identical on disk.
    pub unchanged: usize,
    /// Left alone because someone else changed them, with why.
    pub kept: Vec<(PathBuf, String)>,
}

/// Writes `files` (name, content) into `dir` unless the manifest says someone else changed them
/// (kept, unless `force`), then the manifest.
pub(crate) fn write_files(
    dir: &Path,
    files: &[(String, String)],
    force: bool,
) -> anyhow::Result<WriteReport> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let manifest_path = dir.join(MANIFEST);
    let old_manifest_bytes = match std::fs::read(&manifest_path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {}", manifest_path.display())),
    };
    let mut manifest: Manifest = match &old_manifest_bytes {
        None => Manifest::default(),
        Some(b) => serde_json::from_slice(b).unwrap_or_else(|e| {
            tracing::warn!(
                "{} is not a valid export manifest ({e}): treating every existing file as changed by you",
                manifest_path.display()
            );
            Manifest::default()
        }),
    };
    manifest.version = 1;

    let mut report = WriteReport::default();
    for (name, content) in files {
        let path = dir.join(name);
        let hash = sha256_hex(content.as_bytes());
        let on_disk = match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
            Ok(m) if m.is_dir() => {
                report.kept.push((path, "a folder is in the way".into()));
                continue;
            }
            Ok(_) => {
                Some(std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?)
            }
        };
        if let Some(bytes) = on_disk {
            let disk_hash = sha256_hex(&bytes);
            if disk_hash == hash {
                report.unchanged += 1;
                manifest.files.insert(name.clone(), hash);
                continue;
            }
            if !force {
                match manifest.files.get(name) {
                    Some(last) if *last == disk_hash => {}
                    Some(_) => {
                        report
                            .kept
                            .push((path, "changed since the last export".into()));
                        continue;
                    }
                    None => {
                        report
                            .kept
                            .push((path, "not written by pydigest export".into()));
                        continue;
                    }
                }
            }
        }
        write_atomic(&path, content.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        manifest.files.insert(name.clone(), hash);
        report.written.push(path);
    }

    let mut text = serde_json::to_string_pretty(&manifest).expect("manifest serialises");
    text.push('\n');
    if old_manifest_bytes.as_deref() != Some(text.as_bytes()) {
        write_atomic(&manifest_path, text.as_bytes())
            .with_context(|| format!("writing {}", manifest_path.display()))?;
    }
    Ok(report)
}

/// Writes `bytes` to a temporary file next to `path`, flushes it to disk, and renames it over
/// `path`, so readers see the old file or the new one, never half of one.
///
/// A target that exists and is not a regular file (a device or pipe: `--out /dev/stdout`) cannot
/// be renamed over and is written in place.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return std::fs::write(path, bytes);
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        // A replaced file keeps its permissions (a private feeds.toml stays private).
        if let Ok(m) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, m.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_protects_edited_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![("a.md".to_string(), "one\n".to_string())];
        let r = write_files(dir.path(), &files, false).unwrap();
        assert_eq!((r.written.len(), r.unchanged, r.kept.len()), (1, 0, 0));
        let r = write_files(dir.path(), &files, false).unwrap();
        assert_eq!((r.written.len(), r.unchanged, r.kept.len()), (0, 1, 0));
        // New content replaces what pydigest wrote.
        let files2 = vec![("a.md".to_string(), "two\n".to_string())];
        let r = write_files(dir.path(), &files2, false).unwrap();
        assert_eq!(r.written.len(), 1);
        // A user edit is kept, unless forced.
        std::fs::write(dir.path().join("a.md"), "mine\n").unwrap();
        let r = write_files(dir.path(), &files, false).unwrap();
        assert_eq!(r.kept.len(), 1);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.md")).unwrap(),
            "mine\n"
        );
        let r = write_files(dir.path(), &files, true).unwrap();
        assert_eq!(r.written.len(), 1);
        // A file pydigest never wrote is the user's.
        std::fs::write(dir.path().join("b.md"), "theirs\n").unwrap();
        let r = write_files(dir.path(), &[("b.md".into(), "ours\n".into())], false).unwrap();
        assert_eq!(r.kept.len(), 1);
        assert!(r.kept[0].1.contains("not written by pydigest"));
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}
