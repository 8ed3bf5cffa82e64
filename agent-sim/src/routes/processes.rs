//! `/api/v0/processes`: start, list, output and signal processes.

use crate::router::Routes;

/// The process API mounted at `/api/v0/processes` (paths relative to the mount).
pub fn routes() -> Routes {
    Routes::new()
}
