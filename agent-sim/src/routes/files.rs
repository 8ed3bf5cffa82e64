//! The files API mounted at `/api/v0`: list-directory, resolve-path, read-file,
//! read-file-lines, write-file, edit-files. Its catch-all answers every unknown `/api/v0/...`
//! (the router's 404/405 rules). Each handler lives in its own submodule; query parsing
//! (`httpapi.QueryParamParser`) and JSON bodies (`httpapi.Read`) are shared (`query`, `reply`).

mod edit;
mod list;
mod query;
mod read;
mod read_lines;
mod reply;
mod resolve;
mod write;

use crate::router::Routes;
use crate::state::AppState;

/// The files API mounted at `/api/v0` (paths relative to the mount).
pub fn routes() -> Routes<AppState> {
    Routes::new()
        .post("/list-directory", list::list_directory)
        .get("/resolve-path", resolve::resolve_path)
        .get("/read-file", read::read_file)
        .get("/read-file-lines", read_lines::read_file_lines)
        .post("/write-file", write::write_file)
        .post("/edit-files", edit::edit_files)
}
