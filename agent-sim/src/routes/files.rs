//! The files API mounted at `/api/v0`: list-directory, resolve-path, read-file,
//! read-file-lines, write-file, edit-files. Its catch-all answers every unknown `/api/v0/...`.

use crate::router::Routes;

/// The files API mounted at `/api/v0` (paths relative to the mount).
pub fn routes() -> Routes {
    Routes::new()
}
