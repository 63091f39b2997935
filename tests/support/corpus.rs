//! The one place tests locate the shared real-world corpus (`../shared/corpus`). Compiled into
//! both the library's unit tests and the `cli` integration tests (via `#[path]`), so every test
//! finds it, and skips or fails, the same way.

use std::path::PathBuf;

/// The corpus folder: `$PYDIGEST_CORPUS`, else `../shared/corpus` beside the crate.
///
/// `None` means the caller skips its test (a note goes to stderr). With
/// `PYDIGEST_REQUIRE_CORPUS=1` (CI sets it) a missing corpus panics instead, so a broken checkout
/// cannot pass by skipping.
pub(crate) fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PYDIGEST_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if dir.join("feeds").is_dir() {
        return Some(dir);
    }
    if std::env::var_os("PYDIGEST_REQUIRE_CORPUS").is_some_and(|v| v == "1") {
        panic!(
            "PYDIGEST_REQUIRE_CORPUS=1 but the corpus is missing: {} (set PYDIGEST_CORPUS)",
            dir.display()
        );
    }
    eprintln!("skipped: corpus not found at {}", dir.display());
    None
}
