//! Writing a file so that readers see either the old file or the complete new one.
//!
//! The bytes go to a temporary file next to the target, are flushed to disk, and the temporary
//! file is then renamed over the target. A rename within one directory is atomic, so a crash or
//! a full disk never leaves a half-written chart under the target's name.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::errors::{Error, Result};

/// Makes temporary names unique between threads of this process; the process id separates
/// processes.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Tries before giving up when a leftover temporary file (from a crashed process whose id was
/// reused) already has the name chosen.
const NAME_ATTEMPTS: u32 = 16;

/// Writes bytes to `path` atomically: a temp file in the same directory (unique name, e.g. with
/// pid + counter), write all, fsync the file, rename over the target. On any failure the temp
/// file is removed and an existing file at `path` is untouched. Returns Error::Io naming the path.
///
/// The parent directory must exist; it is not created.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let file_name = path.file_name().ok_or_else(|| {
        Error::invalid(format!("The path {} does not name a file.", path.display()))
    })?;
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let fail = |source: io::Error| Error::io(format!("Could not write {}", path.display()), source);

    let (temp_path, file) = create_temp_file(directory, file_name).map_err(fail)?;
    let written = fill_and_sync(file, bytes).and_then(|()| fs::rename(&temp_path, path));
    if let Err(source) = written {
        // The write already failed; a temp file that cannot be removed either is left behind
        // rather than hiding the first error.
        let _ = fs::remove_file(&temp_path);
        return Err(fail(source));
    }

    sync_directory(directory);
    Ok(())
}

/// Creates a new, empty temporary file in `directory`, never opening one that already exists.
fn create_temp_file(directory: &Path, file_name: &std::ffi::OsStr) -> io::Result<(PathBuf, File)> {
    let mut last_error = None;
    for _ in 0..NAME_ATTEMPTS {
        let counter = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(file_name);
        temp_name.push(format!(".{}.{counter}.tmp", std::process::id()));
        let temp_path = directory.join(temp_name);

        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp_path)
        {
            Ok(file) => return Ok((temp_path, file)),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => last_error = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last_error.unwrap_or_else(|| io::Error::other("no temporary file name was free")))
}

fn fill_and_sync(mut file: File, bytes: &[u8]) -> io::Result<()> {
    #[cfg(test)]
    if tests_hook::should_fail() {
        return Err(io::Error::other("failure injected by a test"));
    }
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes the rename itself durable on Unix, where the directory entry is flushed separately.
///
/// Best effort: the new file is already in place, and some file systems refuse to sync a
/// directory, so an error here is not reported.
fn sync_directory(directory: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = File::open(directory) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = directory;
}

/// Lets a test make the next write on its own thread fail after the temporary file exists, the
/// one failure that cannot be provoked from outside.
#[cfg(test)]
pub(super) mod tests_hook {
    use std::cell::Cell;

    thread_local! {
        static FAIL_NEXT_WRITE: Cell<bool> = const { Cell::new(false) };
    }

    /// Makes the next [`super::write_atomic`] on this thread fail while writing.
    pub(in crate::encode) fn fail_next_write() {
        FAIL_NEXT_WRITE.with(|flag| flag.set(true));
    }

    pub(super) fn should_fail() -> bool {
        FAIL_NEXT_WRITE.with(|flag| flag.replace(false))
    }
}
