//! The fixture scenarios shipped in `fixtures/`, embedded in the binary at build time so that
//! an installed `agent-sim` (or a test using the library) serves them from anywhere:
//! `--scenario builtin:NAME`, `agent-sim fixtures`, [`Scenario::fixture`](super::Scenario::fixture).

use include_dir::{include_dir, Dir};

static FIXTURES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../fixtures");

/// One embedded fixture: its name (the file stem) and its JSON text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedFixture {
    /// File stem, e.g. `sub-agent` for `fixtures/sub-agent.json`.
    pub name: &'static str,
    /// The file's text, as shipped.
    pub json: &'static str,
}

/// Every shipped fixture, sorted by name.
pub fn all() -> Vec<EmbeddedFixture> {
    let mut out: Vec<EmbeddedFixture> = FIXTURES
        .files()
        .filter(|f| f.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|f| {
            let name = f.path().file_stem()?.to_str()?;
            Some(EmbeddedFixture {
                name,
                json: f.contents_utf8()?,
            })
        })
        .collect();
    out.sort_by_key(|f| f.name);
    out
}

/// The shipped fixture called `name`, if there is one.
pub fn get(name: &str) -> Option<EmbeddedFixture> {
    all().into_iter().find(|f| f.name == name)
}

/// The names of the shipped fixtures, sorted.
pub fn names() -> Vec<&'static str> {
    all().into_iter().map(|f| f.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_fixture_is_embedded_and_valid() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("fixtures/")
            .filter_map(|e| {
                let p = e.ok()?.path();
                (p.extension()? == "json").then(|| p.file_stem()?.to_str().map(str::to_string))?
            })
            .collect();
        on_disk.sort();
        assert_eq!(names(), on_disk);
        for f in all() {
            let s = super::super::Scenario::fixture(f.name);
            assert!(s.is_ok(), "{}: {s:?}", f.name);
        }
        assert_eq!(get("default").map(|f| f.name), Some("default"));
        assert!(get("nope").is_none());
    }
}
