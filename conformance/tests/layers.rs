//! The files of `conformance/src` form layers: no file reaches, directly or through others,
//! back to itself (http → failure → expect → context → case → cases → runner → report).
//!
//! Each file's module is read with its comments, string contents and `#[cfg(test)]` modules
//! taken out; every `crate::`, `super::` and `self::` path (with its `use` tree expanded) and
//! every path through a child module (`local::Listeners` beside `mod local;`) is an edge to the
//! deepest module file it names. A circle of files fails the test, naming them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path below the crate root (`[]` is `lib.rs`).
type ModPath = Vec<String>;

#[test]
fn conformance_src_has_no_import_circles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = module_files(&src);
    assert!(
        files.len() > 10,
        "found only {} module files under {}",
        files.len(),
        src.display()
    );
    let graph = dependency_graph(&files);
    let circles = circles(&graph);
    let named: Vec<String> = circles
        .iter()
        .map(|c| {
            let names: Vec<String> = c.iter().map(|m| file_name(&files, m)).collect();
            names.join(", ")
        })
        .collect();
    assert!(
        circles.is_empty(),
        "import circles between files of conformance/src (move the shared item into the lower \
         layer):\n  {}",
        named.join("\n  ")
    );
}

/// Every `.rs` file of the library under `src`, by module path (`main.rs` is its own crate).
fn module_files(src: &Path) -> BTreeMap<ModPath, PathBuf> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let Ok(rel) = path.strip_prefix(src) else {
                continue;
            };
            let Some(rel) = rel.to_str().and_then(|r| r.strip_suffix(".rs")) else {
                continue;
            };
            if rel == "main" {
                continue;
            }
            let mut parts: ModPath = rel.split('/').map(str::to_string).collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            out.insert(parts, path);
        }
    }
    out
}

fn file_name(files: &BTreeMap<ModPath, PathBuf>, m: &ModPath) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    files[m]
        .strip_prefix(root)
        .unwrap_or(&files[m])
        .display()
        .to_string()
}

/// Each module file's edges to the other module files it names.
fn dependency_graph(files: &BTreeMap<ModPath, PathBuf>) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let mut graph = BTreeMap::new();
    for (m, path) in files {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let code = without_test_modules(&code_only(&text));
        let children: BTreeSet<String> = files
            .keys()
            .filter(|k| k.len() == m.len() + 1 && k.starts_with(m))
            .map(|k| k[m.len()].clone())
            .collect();
        let edges = referenced_paths(&code, m, &children)
            .into_iter()
            .filter_map(|p| deepest_module(files, &p))
            .filter(|t| t != m)
            .collect();
        graph.insert(m.clone(), edges);
    }
    graph
}

/// The text with comments removed and the contents of string and char literals blanked (so
/// that neither a URL nor a brace in a string is read as code).
fn code_only(text: &str) -> String {
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
            out.push(' ');
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&b, i) {
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            while j < b.len() {
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                i += if b[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && is_char_literal(&b, i) {
            i += 1;
            while i < b.len() && b[i] != '\'' {
                i += if b[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// `'x'` or `'\n'` rather than a lifetime `'a`.
fn is_char_literal(b: &[char], i: usize) -> bool {
    match b.get(i + 1) {
        Some('\\') => true,
        Some(_) => b.get(i + 2) == Some(&'\''),
        None => false,
    }
}

/// The code without its `#[cfg(test)] mod name { … }` blocks.
fn without_test_modules(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = rest[at + "#[cfg(test)]".len()..].trim_start();
        let item = after.strip_prefix("pub ").unwrap_or(after).trim_start();
        if !item.starts_with("mod ") {
            out.push_str("#[cfg(test)]");
            rest = &rest[at + "#[cfg(test)]".len()..];
            continue;
        }
        let Some(open) = item.find(['{', ';']) else {
            rest = "";
            break;
        };
        if item.as_bytes()[open] == b';' {
            rest = &item[open + 1..];
            continue;
        }
        let mut depth = 0;
        let mut end = item.len();
        for (k, ch) in item[open..].char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + k + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The code split into identifiers, `::` and single punctuation characters.
fn tokens(code: &str) -> Vec<String> {
    let b: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            out.push(b[start..i].iter().collect());
        } else if c == ':' && b.get(i + 1) == Some(&':') {
            out.push("::".to_string());
            i += 2;
        } else {
            if !c.is_whitespace() {
                out.push(c.to_string());
            }
            i += 1;
        }
    }
    out
}

/// Every absolute module path the code names: `crate::`, `super::`, `self::` and child-module
/// paths, `use` trees expanded.
fn referenced_paths(code: &str, module: &ModPath, children: &BTreeSet<String>) -> Vec<ModPath> {
    let t = tokens(code);
    let mut out = Vec::new();
    for i in 0..t.len() {
        if t.get(i + 1).map(String::as_str) != Some("::") {
            continue;
        }
        if i > 0 && t[i - 1] == "::" {
            continue;
        }
        let base: ModPath = match t[i].as_str() {
            "crate" => Vec::new(),
            "super" => module[..module.len().saturating_sub(1)].to_vec(),
            "self" => module.clone(),
            child if children.contains(child) => {
                let mut b = module.clone();
                b.push(child.to_string());
                b
            }
            _ => continue,
        };
        expand(&t, i + 2, base, &mut out);
    }
    out
}

/// Reads the path (or `use` tree) starting at token `i`, below `base`, into `out`; returns
/// the index after it.
fn expand(t: &[String], mut i: usize, mut base: ModPath, out: &mut Vec<ModPath>) -> usize {
    loop {
        match t.get(i).map(String::as_str) {
            Some("{") => {
                i += 1;
                loop {
                    match t.get(i).map(String::as_str) {
                        None => return i,
                        Some("}") => return i + 1,
                        Some(",") => i += 1,
                        Some("self") => {
                            out.push(base.clone());
                            i += 1;
                        }
                        Some(_) => {
                            let after = expand(t, i, base.clone(), out);
                            // A token that is no path (`*`) is stepped over.
                            i = after.max(i + 1);
                        }
                    }
                }
            }
            Some("super") => {
                base.pop();
                i += 1;
            }
            Some(seg) if seg.chars().all(|c| c.is_alphanumeric() || c == '_') && seg != "as" => {
                base.push(seg.to_string());
                i += 1;
            }
            Some("*") => {
                out.push(base);
                return i + 1;
            }
            _ => {
                out.push(base);
                return i;
            }
        }
        if t.get(i).map(String::as_str) == Some("::") {
            i += 1;
        } else {
            if t.get(i).map(String::as_str) == Some("as") {
                i += 2;
            }
            out.push(base);
            return i;
        }
    }
}

/// The longest prefix of `path` that is a module file.
fn deepest_module(files: &BTreeMap<ModPath, PathBuf>, path: &ModPath) -> Option<ModPath> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| files.contains_key(p))
}

/// The strongly connected components with more than one module (Tarjan).
fn circles(graph: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<ModPath>> {
    struct Tarjan<'a> {
        graph: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: BTreeMap<&'a ModPath, usize>,
        low: BTreeMap<&'a ModPath, usize>,
        stack: Vec<&'a ModPath>,
        on_stack: BTreeSet<&'a ModPath>,
        out: Vec<Vec<ModPath>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a ModPath) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let Some((w, _)) = self.graph.get_key_value(w) else {
                    continue;
                };
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut comp = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    comp.push(w.clone());
                    if w == v {
                        break;
                    }
                }
                if comp.len() > 1 {
                    comp.sort();
                    self.out.push(comp);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    t.out
}

fn m(s: &str) -> ModPath {
    s.split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn use_trees_self_super_and_child_paths_are_read() {
    let code = code_only(
        "use crate::{a::{B, c::D as E}, f, w::*};\nuse super::g::H;\nuse self::k::L;\n\
         fn x() { local::run(); crate::m::n(); }\n",
    );
    let children: BTreeSet<String> = ["k".to_string(), "local".to_string()].into();
    let got: BTreeSet<ModPath> = referenced_paths(&code, &m("p/q"), &children)
        .into_iter()
        .collect();
    let want: BTreeSet<ModPath> = [
        m("a/B"),
        m("a/c/D"),
        m("f"),
        m("w"),
        m("p/g/H"),
        m("p/q/k/L"),
        m("p/q/local/run"),
        m("m/n"),
    ]
    .into();
    assert_eq!(got, want);
}

#[test]
fn comments_strings_and_test_modules_are_not_code() {
    let text = "//! see [`crate::a`]\n/* crate::b */ let s = \"crate::c {\"; let r = r#\"crate::d\"#;\n\
                let c = '{';\n#[cfg(test)]\nmod tests { use crate::e; fn f() { crate::g(); } }\nuse crate::h;\n";
    let code = without_test_modules(&code_only(text));
    let got = referenced_paths(&code, &m(""), &BTreeSet::new());
    assert_eq!(got, vec![m("h")]);
}

#[test]
fn a_circle_is_found_and_a_chain_is_not() {
    let graph: BTreeMap<ModPath, BTreeSet<ModPath>> = [
        (m("a"), [m("b")].into()),
        (m("b"), [m("c")].into()),
        (m("c"), [m("a")].into()),
        (m("d"), [m("a")].into()),
    ]
    .into();
    assert_eq!(circles(&graph), vec![vec![m("a"), m("b"), m("c")]]);
    let chain: BTreeMap<ModPath, BTreeSet<ModPath>> =
        [(m("a"), [m("b")].into()), (m("b"), BTreeSet::new())].into();
    assert!(circles(&chain).is_empty());
}
