//! Cases for the files API (files.md). Black-box ones work in a scratch directory the suite
//! creates through the API (`/tmp/agent-conformance-<random>`) and tries to remove afterwards
//! through the process API; controlled ones seed a memory tree (symlinks, modes, home). Each
//! case names the rules of `rules/files.toml` it checks.

mod diff;
mod edit;
mod kit;
mod paths;
mod read;
mod seeded;
mod wire;

use crate::case::{Case, Effect, Tier};
use crate::expect::Expect;
use crate::http::Request;
use kit::{in_scratch, EDIT, LINES, LIST, READ, RESOLVE, WRITE};

pub use kit::{read, url_encode, write};

/// A black-box single-exchange case.
fn exchange(name: &str, route: &str, (request, expect): (Request, Expect)) -> Case {
    Case::exchange(name, Tier::BlackBox, route, request, expect)
}

/// Every files case.
pub fn cases() -> Vec<Case> {
    let mut v = exchanges();
    v.extend(procedures());
    // They write in a scratch directory, and remove it with `rm -rf` through the process API.
    v.extend(
        scratch_cases()
            .into_iter()
            .map(|c| c.changes(Effect::WritesFiles)),
    );
    v.extend(
        seeded_cases()
            .into_iter()
            .map(|c| c.changes(Effect::WritesFiles)),
    );
    v
}

#[rustfmt::skip]
fn exchanges() -> Vec<Case> {
    vec![
        exchange("files/routes/405-list-directory-get", LIST, wire::list_get_405()).checks(&["files.routes.wrong-method-405"]),
        exchange("files/routes/405-read-file-head", READ, wire::read_head_405()).checks(&["files.routes.wrong-method-405"]),
        exchange("files/routes/404-read-file-trailing-slash", "404", wire::read_trailing_slash_404()).checks(&["files.routes.trailing-slash-404"]),
        exchange("files/routes/404-zip-files", "404", wire::zip_files_404()).checks(&["files.routes.unknown-404"]),
        exchange("files/read/query-errors", READ, wire::read_query_errors()).checks(&["files.query.path-required", "files.query.int-negative", "files.query.unknown-param", "files.query.invalid-400", "files.errors.go-json"]),
        exchange("files/read/query-repeated", READ, wire::read_query_repeated()).checks(&["files.query.repeated", "files.query.invalid-400"]),
        exchange("files/read/query-integers", READ, wire::read_query_integers()).checks(&["files.query.int-syntax", "files.query.int-range", "files.query.invalid-400"]),
        exchange("files/read-lines/query-errors", LINES, wire::lines_query_error()).checks(&["files.lines.query-400", "files.query.path-required", "files.query.int-negative"]),
        exchange("files/read/relative-path", READ, wire::read_relative()).checks(&["files.read.relative-400", "files.path.absolute-only", "files.errors.message-only"]),
        exchange("files/resolve/relative-path", RESOLVE, wire::resolve_relative()).checks(&["files.resolve.relative-400", "files.path.absolute-only"]),
        exchange("files/resolve/root", RESOLVE, wire::resolve_root()).checks(&["files.resolve.shape"]),
        exchange("files/list/bad-relativity", LIST, wire::list_bad_relativity()).checks(&["files.list.relativity-unsupported"]),
        exchange("files/list/empty-body", LIST, wire::list_empty_body()).checks(&["files.list.body-required", "files.body.empty-eof"]),
        exchange("files/edit/no-files", EDIT, wire::edit_no_files()).checks(&["files.edit.no-files", "files.body.lenient"]),
    ]
}

#[rustfmt::skip]
fn procedures() -> Vec<Case> {
    vec![
        Case::steps("files/body/errors", Tier::BlackBox, EDIT, wire::body_errors).checks(&["files.body.truncated", "files.body.syntax-error", "files.body.type-error"]),
        // An agent that took relative paths would write them (in its working directory).
        Case::steps("files/path/relative-everywhere", Tier::BlackBox, READ, wire::relative_paths).changes(Effect::WritesFiles).checks(&["files.path.absolute-only", "files.path.no-tilde", "files.path.quoted", "files.lines.relative", "files.write.relative-400", "files.edit.relative", "files.list.query-path-absolute"]),
    ]
}

#[rustfmt::skip]
fn scratch_cases() -> Vec<Case> {
    vec![
        Case::steps("files/write-read-round-trip", Tier::BlackBox, WRITE, in_scratch(read::write_read_round_trip)).checks(&["files.write.message", "files.write.content", "files.write.creates-parents", "files.read.raw-bytes", "files.read.mime-builtin"]),
        Case::steps("files/read/offset-limit", Tier::BlackBox, READ, in_scratch(read::read_offset_limit)).checks(&["files.read.offset", "files.read.limit", "files.read.limit-zero", "files.read.offset-past-eof", "files.read.mime-default"]),
        Case::steps("files/read/errors", Tier::BlackBox, READ, in_scratch(read::read_errors)).checks(&["files.read.not-found-404", "files.read.directory-400", "files.read.open-error-500", "files.errors.os-error-text"]),
        Case::steps("files/read/mime", Tier::BlackBox, READ, in_scratch(read::read_mime)).checks(&["files.read.mime-builtin", "files.read.mime-lowercase", "files.read.mime-default", "files.read.no-extra-headers"]),
        Case::steps("files/read/query-decoding", Tier::BlackBox, READ, in_scratch(wire::query_decoding)).checks(&["files.query.url-decoding", "files.query.int-plus-sign", "files.query.empty-is-default"]),
        Case::steps("files/read-lines", Tier::BlackBox, LINES, in_scratch(read::read_lines)).checks(&["files.lines.offset", "files.lines.limit", "files.lines.offset-beyond", "files.lines.truncation", "files.lines.format", "files.lines.success-shape"]),
        Case::steps("files/read-lines/errors", Tier::BlackBox, LINES, in_scratch(read::read_lines_errors)).checks(&["files.lines.failure-shape", "files.lines.not-found", "files.lines.not-a-file", "files.lines.open-other", "files.lines.max-file-size"]),
        Case::steps("files/read-lines/limits", Tier::BlackBox, LINES, in_scratch(read::read_lines_limits)).checks(&["files.lines.split", "files.lines.max-response-bytes", "files.lines.max-response-lines", "files.lines.limit", "files.lines.empty-file"]),
        Case::steps("files/write/paths", Tier::BlackBox, WRITE, in_scratch(paths::write_paths)).checks(&["files.write.resolves-path", "files.write.message", "files.chat.headers-ignored", "files.write.content", "files.path.clean-first"]),
        Case::steps("files/write/errors", Tier::BlackBox, WRITE, in_scratch(paths::write_errors)).checks(&["files.write.directory-400", "files.write.below-file-500"]),
        Case::steps("files/resolve-path-cleans", Tier::BlackBox, RESOLVE, in_scratch(paths::resolve_path_cleans)).checks(&["files.path.clean-first", "files.resolve.missing-ok", "files.resolve.other-error-500", "files.path.lstat-error"]),
        Case::steps("files/list-directory", Tier::BlackBox, LIST, in_scratch(paths::list_directory)).checks(&["files.list.dirs-first", "files.list.byte-order", "files.list.shape", "files.list.absolute-path-parts", "files.list.query-path-wins", "files.list.nothing-filtered", "files.list.not-found-404"]),
        Case::steps("files/list/paths", Tier::BlackBox, LIST, in_scratch(paths::list_paths)).checks(&["files.list.query-path-verbatim", "files.list.relativity-root", "files.list.components-joined", "files.list.not-a-directory-500"]),
        Case::steps("files/edit-with-diff", Tier::BlackBox, EDIT, in_scratch(diff::single_line)).checks(&["files.edit.diff-list", "files.edit.diff.headers", "files.edit.diff.hunk-header", "files.edit.diff.line-prefixes", "files.match.exact"]),
        Case::steps("files/edit-not-found-leaves-file", Tier::BlackBox, EDIT, in_scratch(edit::edit_not_found_leaves_file)).checks(&["files.match.not-found", "files.edit.matcher-error", "files.match.no-hint"]),
        Case::steps("files/edit/entry-errors", Tier::BlackBox, EDIT, in_scratch(edit::entry_errors)).checks(&["files.edit.path-required", "files.edit.not-found-404", "files.edit.directory-400", "files.edit.below-file-500", "files.edit.no-edits", "files.edit.no-files"]),
        Case::steps("files/edit/multi-error", Tier::BlackBox, EDIT, in_scratch(edit::multi_error)).checks(&["files.edit.highest-status", "files.edit.messages-joined", "files.edit.all-or-nothing"]),
        Case::steps("files/edit/merge-and-order", Tier::BlackBox, EDIT, in_scratch(edit::merge_and_order)).checks(&["files.edit.merge-duplicates", "files.edit.edits-in-order", "files.edit.diff.against-original", "files.edit.diff.no-op-empty", "files.edit.success-empty"]),
        Case::steps("files/edit/body-lenient", Tier::BlackBox, EDIT, in_scratch(wire::body_lenient)).checks(&["files.body.lenient"]),
        Case::steps("files/match/passes", Tier::BlackBox, EDIT, in_scratch(edit::matcher_passes)).checks(&["files.match.exact", "files.match.replace-all", "files.match.trim-right", "files.match.trim-all", "files.match.endings-wildcard", "files.match.delete", "files.match.forced-ending", "files.match.caller-endings", "files.match.indent-rebased", "files.match.eof-no-newline"]),
        Case::steps("files/match/errors", Tier::BlackBox, EDIT, in_scratch(edit::matcher_errors)).checks(&["files.match.empty-search", "files.match.ambiguous", "files.match.intent-not-found", "files.edit.all-or-nothing", "files.edit.matcher-error"]),
        Case::steps("files/match/hints", Tier::BlackBox, EDIT, in_scratch(edit::matcher_hints)).checks(&["files.match.hint-miscount", "files.match.hint-miscount-limits", "files.match.hint-inversion", "files.match.hint-inversion-limits", "files.match.hint-miscount-first", "files.match.no-hint"]),
        Case::steps("files/edit/diff/merged-hunk", Tier::BlackBox, EDIT, in_scratch(diff::merged_hunk)).checks(&["files.edit.diff.hunk-merge", "files.edit.diff.context", "files.edit.diff.against-original"]),
        Case::steps("files/edit/diff/split-hunks", Tier::BlackBox, EDIT, in_scratch(diff::split_hunks)).checks(&["files.edit.diff.hunk-split", "files.edit.diff.context"]),
        Case::steps("files/edit/diff/after-merged-hunk", Tier::BlackBox, EDIT, in_scratch(diff::after_merged_hunk)).checks(&["files.edit.diff.joined-lines-uncounted", "files.edit.diff.hunk-merge", "files.edit.diff.hunk-split"]),
        Case::steps("files/edit/diff/far-hunks", Tier::BlackBox, EDIT, in_scratch(diff::far_hunks)).checks(&["files.edit.diff.hunk-split", "files.edit.diff.hunk-header"]),
        Case::steps("files/edit/diff/context-at-edges", Tier::BlackBox, EDIT, in_scratch(diff::context_at_edges)).checks(&["files.edit.diff.context"]),
        Case::steps("files/edit/diff/no-newline", Tier::BlackBox, EDIT, in_scratch(diff::no_newline)).checks(&["files.edit.diff.no-newline"]),
        Case::steps("files/edit/diff/empty-sides", Tier::BlackBox, EDIT, in_scratch(diff::empty_sides)).checks(&["files.edit.diff.empty-side", "files.edit.diff.no-newline"]),
        Case::steps("files/edit/diff/crlf", Tier::BlackBox, EDIT, in_scratch(diff::crlf)).checks(&["files.edit.diff.crlf"]),
        Case::steps("files/symlinks/in-scratch", Tier::BlackBox, RESOLVE, in_scratch(seeded::symlinks_in_scratch)).checks(&["files.path.symlink-replaced", "files.path.missing-tail-kept", "files.path.dangling-link", "files.path.loop", "files.path.open-follows-links", "files.read.mime-requested-path", "files.list.lstat-is-dir", "files.write.resolves-path", "files.edit.alias-rejected", "files.edit.follows-symlinks"]),
        Case::steps("files/edit/diff/several-files", Tier::BlackBox, EDIT, in_scratch(diff::several_files)).checks(&["files.edit.diff-list", "files.edit.diff.headers"]),
    ]
}

// Controlled: the files API cannot create symlinks, empty directories or unreadable files,
// and a black-box agent's home directory is unknown; these seed a memory tree instead.
#[rustfmt::skip]
fn seeded_cases() -> Vec<Case> {
    vec![
        Case::steps("files/seeded/symlinks-resolve", Tier::Controlled, RESOLVE, seeded::symlinks_resolve).checks(&["files.path.symlink-replaced", "files.path.missing-tail-kept", "files.path.dangling-link", "files.path.loop", "files.path.clean-first", "files.resolve.other-error-500"]),
        Case::steps("files/seeded/symlinks-routes", Tier::Controlled, READ, seeded::symlinks_routes).checks(&["files.path.open-follows-links", "files.read.mime-requested-path", "files.list.lstat-is-dir", "files.write.resolves-path"]),
        Case::steps("files/seeded/symlinks-edit", Tier::Controlled, EDIT, seeded::symlinks_edit).checks(&["files.edit.alias-rejected", "files.edit.follows-symlinks"]),
        Case::steps("files/seeded/permissions", Tier::Controlled, READ, seeded::permissions).checks(&["files.read.permission-403", "files.lines.permission", "files.edit.permission-403", "files.list.permission-403", "files.write.permission-403"]),
        Case::steps("files/seeded/home-and-root", Tier::Controlled, LIST, seeded::home_and_root).checks(&["files.list.relativity-home", "files.list.empty-contents", "files.list.components-joined", "files.list.absolute-path-parts"]),
    ]
}
