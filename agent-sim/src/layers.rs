//! The layering check: no import circles between the files of a crate.
//!
//! A file depends on another when, outside its `#[cfg(test)]` items, it names (by a
//! `crate::…`, `super::…`, `self::…` or child-module path, in a `use` or in code) an item that
//! the other file defines. A parent declaring `mod child;` does not depend on the child; a
//! `pub use child::X` re-export does. Comments and string literals are ignored. The check is
//! textual (no macro expansion), which is enough for code written as this workspace writes it.
//!
//! [`assert_no_import_cycles`] is what a crate's test calls with its own directory
//! (`env!("CARGO_MANIFEST_DIR")`); agent-sim's is `tests/layers.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path inside its crate (`[]` is the crate root).
type ModPath = Vec<String>;
/// A file's dependencies, by path relative to `src`.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// Fails (panics, for tests) naming the files of every import circle in `crate_dir/src`.
pub fn assert_no_import_cycles(crate_dir: impl AsRef<Path>) {
    let src = crate_dir.as_ref().join("src");
    let cycles = find_import_cycles(&src);
    let graph = file_dependencies(&src);
    let mut report = String::new();
    for cycle in &cycles {
        report.push_str(&format!("  circle: {}\n", cycle.join(", ")));
        for from in cycle {
            let inside = graph[from].iter().filter(|to| cycle.contains(to));
            for to in inside {
                report.push_str(&format!("    {from} -> {to}\n"));
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "import circles between files in {}:\n{report}",
        src.display()
    );
}

/// Every import circle between the library files under `src_dir` (the crate's `src`; `main.rs`
/// and `bin/` are other crates), each as its files' paths relative to `src_dir`, sorted.
pub fn find_import_cycles(src_dir: &Path) -> Vec<Vec<String>> {
    let graph = file_dependencies(src_dir);
    let mut cycles: Vec<Vec<String>> = strongly_connected(&graph)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|mut c| {
            c.sort();
            c
        })
        .collect();
    cycles.sort();
    cycles
}

/// Which files each library file under `src_dir` depends on (paths relative to `src_dir`).
pub fn file_dependencies(src_dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files: BTreeMap<ModPath, PathBuf> = BTreeMap::new();
    collect_files(src_dir, src_dir, &mut files);
    let modules: BTreeSet<ModPath> = files.keys().cloned().collect();
    let mut aliases: BTreeMap<ModPath, BTreeMap<String, ModPath>> = BTreeMap::new();
    let mut parsed = Vec::new();
    for (module, path) in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let tokens = tokenize(&strip_cfg_test(&clean(&text)));
        // A `#[macro_export]` macro is named at the crate root but defined here.
        for name in exported_macros(&tokens) {
            aliases
                .entry(Vec::new())
                .or_default()
                .insert(name, module.clone());
        }
        parsed.push((module.clone(), paths_named(&tokens)));
    }
    // First pass: module aliases (`use routing as router;`, `use crate::files::vpath;`).
    for (module, paths) in &parsed {
        for named in paths {
            let target = resolve_exact(module, &named.segments, &modules);
            if let (Some(alias), Some(target)) = (&named.alias, target) {
                aliases
                    .entry(module.clone())
                    .or_default()
                    .insert(alias.clone(), target);
            }
        }
    }
    let name = |m: &ModPath| -> String {
        let p = files[m].strip_prefix(src_dir).unwrap_or(&files[m]);
        p.to_string_lossy().into_owned()
    };
    let mut graph = BTreeMap::new();
    for (module, paths) in &parsed {
        let deps: &mut BTreeSet<String> = graph.entry(name(module)).or_default();
        for named in paths {
            if let Some(target) = resolve(module, &named.segments, &modules, &aliases) {
                if &target != module {
                    deps.insert(name(&target));
                }
            }
        }
    }
    graph
}

fn collect_files(root: &Path, dir: &Path, out: &mut BTreeMap<ModPath, PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(&path);
        if path.is_dir() {
            if rel != Path::new("bin") {
                collect_files(root, &path, out);
            }
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("rs") || rel == Path::new("main.rs") {
            continue;
        }
        let mut parts: ModPath = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(parts.last().map(String::as_str), Some("mod")) || rel == Path::new("lib.rs") {
            parts.pop();
        }
        out.insert(parts, path);
    }
}

/// The source with comments, string and char literals blanked out.
fn clean(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i = after_block_comment(&b, i);
            out.push(' ');
        } else if let Some(end) = after_raw_string(&b, i) {
            out.push_str("\"\"");
            i = end;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                i += if b[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                out.push_str("' '");
            } else if b.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// The index after the (nested) block comment starting at `i`.
fn after_block_comment(b: &[char], mut i: usize) -> usize {
    let mut depth = 0;
    while i < b.len() {
        if b[i] == '/' && b.get(i + 1) == Some(&'*') {
            depth += 1;
            i += 2;
        } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                break;
            }
        } else {
            i += 1;
        }
    }
    i
}

/// The index after the raw string (`r"…"`, `r#"…"#`) starting at `i`, if one does.
fn after_raw_string(b: &[char], i: usize) -> Option<usize> {
    if b[i] != 'r' || ident_char_before(b, i) {
        return None;
    }
    let mut j = i + 1;
    let mut hashes = 0;
    while b.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if b.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < b.len() {
        if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(j)
}

fn ident_char_before(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// The cleaned source without its `#[cfg(test)]` items (test modules, test-only imports).
fn strip_cfg_test(text: &str) -> String {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let item = &rest[at + MARK.len()..];
        let mut depth = 0usize;
        let mut end = item.len();
        for (k, ch) in item.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = k + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

#[derive(Debug, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Semi,
    Star,
    Other,
}

fn tokenize(text: &str) -> Vec<Token> {
    let b: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            let word: String = b[start..i].iter().collect();
            // `$crate` (macros) and raw identifiers are not paths we follow.
            if start > 0 && b[start - 1] == '$' {
                out.push(Token::Other);
            } else {
                out.push(Token::Ident(word));
            }
            continue;
        }
        out.push(match c {
            ':' if b.get(i + 1) == Some(&':') => {
                i += 1;
                Token::PathSep
            }
            '{' => Token::Open,
            '}' => Token::Close,
            ',' => Token::Comma,
            ';' => Token::Semi,
            '*' => Token::Star,
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            _ => Token::Other,
        });
        i += 1;
    }
    out
}

/// The names of the `#[macro_export]` macros a file defines.
fn exported_macros(tokens: &[Token]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if *t != Token::Ident("macro_export".into()) {
            continue;
        }
        let rest = &tokens[i + 1..];
        let at = rest
            .iter()
            .position(|t| *t == Token::Ident("macro_rules".into()));
        if let Some(Token::Ident(name)) = at.and_then(|k| rest.get(k + 2)) {
            out.push(name.clone());
        }
    }
    out
}

/// A path a file names, with the name a `use … as` (or a plain `use`) gives it.
struct NamedPath {
    segments: Vec<String>,
    alias: Option<String>,
}

fn paths_named(tokens: &[Token]) -> Vec<NamedPath> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let after_sep = i > 0 && tokens[i - 1] == Token::PathSep;
        match &tokens[i] {
            Token::Ident(w) if w == "use" && !after_sep => {
                i = use_tree(tokens, i + 1, &[], &mut out);
            }
            Token::Ident(first) if !after_sep && tokens.get(i + 1) == Some(&Token::PathSep) => {
                let mut segments = vec![first.clone()];
                i += 1;
                while tokens.get(i) == Some(&Token::PathSep) {
                    match tokens.get(i + 1) {
                        Some(Token::Ident(w)) => segments.push(w.clone()),
                        _ => break,
                    }
                    i += 2;
                }
                out.push(NamedPath {
                    segments,
                    alias: None,
                });
            }
            _ => i += 1,
        }
    }
    out
}

/// Parses one use tree starting at `i` under `prefix`; returns the index after it.
fn use_tree(tokens: &[Token], mut i: usize, prefix: &[String], out: &mut Vec<NamedPath>) -> usize {
    let mut segments = prefix.to_vec();
    loop {
        match tokens.get(i) {
            Some(Token::Ident(w)) if w == "as" => {
                if let Some(Token::Ident(alias)) = tokens.get(i + 1) {
                    out.push(NamedPath {
                        segments: segments.clone(),
                        alias: Some(alias.clone()),
                    });
                    segments.clear();
                }
                i += 2;
            }
            Some(Token::Ident(w)) => {
                segments.push(w.clone());
                i += 1;
            }
            Some(Token::PathSep) => i += 1,
            Some(Token::Open) => {
                i += 1;
                while !matches!(tokens.get(i), Some(Token::Close) | None) {
                    i = use_tree(tokens, i, &segments, out);
                    if tokens.get(i) == Some(&Token::Comma) {
                        i += 1;
                    }
                }
                segments.clear();
                i += 1;
            }
            Some(Token::Star) => {
                out.push(NamedPath {
                    segments: segments.clone(),
                    alias: None,
                });
                segments.clear();
                i += 1;
            }
            _ => break,
        }
    }
    if segments.len() > prefix.len() {
        let last = segments.last().cloned().filter(|s| s != "self");
        out.push(NamedPath {
            segments,
            alias: last,
        });
    }
    i
}

/// Where a path starts: `crate`, `super`, `self`, or a child module of `module`.
fn anchor(
    module: &ModPath,
    segments: &[String],
    modules: &BTreeSet<ModPath>,
) -> Option<(ModPath, usize)> {
    let mut base = module.clone();
    let mut k = 0;
    match segments.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            k = 1;
        }
        Some("self") => k = 1,
        Some("super") => {
            while segments.get(k).map(String::as_str) == Some("super") {
                base.pop();
                k += 1;
            }
        }
        Some(first) => {
            let mut child = module.clone();
            child.push(first.to_string());
            if !modules.contains(&child) {
                return None;
            }
        }
        None => return None,
    }
    Some((base, k))
}

/// The module file a `use` names exactly (for aliases), if it names a module.
fn resolve_exact(
    module: &ModPath,
    segments: &[String],
    modules: &BTreeSet<ModPath>,
) -> Option<ModPath> {
    let (mut base, k) = anchor(module, segments, modules)?;
    base.extend(segments[k..].iter().cloned());
    modules.contains(&base).then_some(base)
}

/// The file that defines what a path names: the deepest module file on the path.
fn resolve(
    module: &ModPath,
    segments: &[String],
    modules: &BTreeSet<ModPath>,
    aliases: &BTreeMap<ModPath, BTreeMap<String, ModPath>>,
) -> Option<ModPath> {
    let (mut current, k) = match anchor(module, segments, modules) {
        Some(found) => found,
        None => {
            // A module imported under a name (`use crate::files::vpath;` then `vpath::…`).
            let first = segments.first()?;
            let target = aliases.get(module)?.get(first)?;
            (target.clone(), 1)
        }
    };
    for seg in &segments[k..] {
        let mut next = current.clone();
        next.push(seg.clone());
        if modules.contains(&next) {
            current = next;
        } else if let Some(target) = aliases.get(&current).and_then(|a| a.get(seg)) {
            current = target.clone();
        } else {
            break;
        }
    }
    Some(current)
}

/// Tarjan's strongly connected components.
fn strongly_connected(graph: &Graph) -> Vec<Vec<String>> {
    struct Walk<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g String, (usize, usize)>,
        stack: Vec<&'g String>,
        on_stack: BTreeSet<&'g String>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, v: &'g String) {
            self.index.insert(v, (self.next, self.next));
            self.next += 1;
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let Some(w) = self.graph.get_key_value(w).map(|(k, _)| k) else {
                    continue;
                };
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.index[w].1.min(self.index[v].1);
                    self.index.entry(v).and_modify(|e| e.1 = low);
                } else if self.on_stack.contains(w) {
                    let low = self.index[w].0.min(self.index[v].1);
                    self.index.entry(v).and_modify(|e| e.1 = low);
                }
            }
            let (idx, low) = self.index[v];
            if idx == low {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.clone());
                    if w == v {
                        break;
                    }
                }
                self.out.push(component);
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v) {
            walk.visit(v);
        }
    }
    walk.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("agent-sim-layers-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_child_naming_its_re_exporting_parent_is_a_circle() {
        let dir = scratch("child");
        write(
            &dir,
            &[
                ("lib.rs", "pub mod a;\n"),
                ("a/mod.rs", "mod b;\npub use b::Thing;\npub struct Error;\n"),
                ("a/b.rs", "use super::Error;\npub struct Thing(Error);\n"),
            ],
        );
        assert_eq!(
            find_import_cycles(&dir),
            vec![vec!["a/b.rs".to_string(), "a/mod.rs".to_string()]]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn aliases_groups_and_code_paths_count_but_comments_strings_and_tests_do_not() {
        let dir = scratch("alias");
        write(
            &dir,
            &[
                ("lib.rs", "mod x;\nmod y;\nmod z;\nuse x as ex;\n"),
                ("x.rs", "pub fn f() { crate::z::g() }\n"),
                ("z.rs", "use crate::{ex::f};\npub fn g() {}\n"),
                (
                    "y.rs",
                    "// crate::x::f\n/* crate::x::f /* nested */ */\nconst S: &str = \"crate::x::f\";\nconst R: &str = r#\"crate::x::f\"#;\n#[cfg(test)]\nmod tests { use crate::x::f; }\n",
                ),
            ],
        );
        assert_eq!(
            find_import_cycles(&dir),
            vec![vec!["x.rs".to_string(), "z.rs".to_string()]]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn one_way_dependencies_are_no_circle() {
        let dir = scratch("oneway");
        write(
            &dir,
            &[
                ("lib.rs", "pub mod a;\npub mod b;\npub use a::A;\n"),
                ("a.rs", "pub struct A(crate::b::B);\n"),
                ("b.rs", "pub struct B;\n"),
            ],
        );
        assert!(find_import_cycles(&dir).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
