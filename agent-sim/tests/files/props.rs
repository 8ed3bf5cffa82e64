//! Properties of the files API through the real router (modest case counts): write-then-read
//! returns the bytes on both backends; an edit whose search text occurs exactly once replaces
//! exactly that occurrence; resolve-path is idempotent over a tree of links.

use crate::support::{Backend, Env, E};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use proptest::prelude::*;
use serde_json::json;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn enc(p: &str) -> String {
    utf8_percent_encode(p, NON_ALPHANUMERIC).to_string()
}

fn component() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_ .,+=@-]{1,10}".prop_filter("not . or ..", |c| c != "." && c != "..")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn write_then_read_returns_the_bytes(
        comps in prop::collection::vec(component(), 1..4),
        data in prop::collection::vec(any::<u8>(), 0..3000),
        dir_backend in any::<bool>(),
    ) {
        let backend = if dir_backend { Backend::Dir } else { Backend::Memory };
        let env = Env::new(backend, &[]);
        let path = format!("/tmp/{}", comps.join("/"));
        rt().block_on(async {
            let r = env.post(&format!("/api/v0/write-file?path={}", enc(&path)), data.clone()).await;
            prop_assert_eq!(r.status.as_u16(), 200, "{}", r.text());
            let r = env.get(&format!("/api/v0/read-file?path={}", enc(&path))).await;
            prop_assert_eq!(r.status.as_u16(), 200);
            prop_assert_eq!(&r.body, &data);
            prop_assert_eq!(env.read(&path), Some(data.clone()));
            Ok(())
        })?;
    }

    #[test]
    fn unique_search_replaces_exactly_that_occurrence(
        prefix in "[a-z \t\n{}();]{0,40}",
        needle in "[a-z \t\n{}();]{1,12}",
        suffix in "[a-z \t\n{}();]{0,40}",
        replace in "[A-Z \t\n]{0,20}",
        dir_backend in any::<bool>(),
    ) {
        let content = format!("{prefix}{needle}{suffix}");
        // Exactly one place, overlapping ones counted: in " ( ( " the search " ( " starts twice.
        let starts = content
            .char_indices()
            .filter(|(i, _)| content[*i..].starts_with(needle.as_str()))
            .count();
        prop_assume!(starts == 1);
        let backend = if dir_backend { Backend::Dir } else { Backend::Memory };
        let leaked: &'static str = Box::leak(content.clone().into_boxed_str());
        let env = Env::new(backend, &[("/tmp/f", E::File(leaked))]);
        rt().block_on(async {
            let r = env.edit(json!({"files":[{"path":"/tmp/f","edits":[{"search": needle, "replace": replace}]}]})).await;
            prop_assert_eq!(r.text(), "{}\n");
            let want = format!("{prefix}{replace}{suffix}");
            prop_assert_eq!(env.read("/tmp/f"), Some(want.into_bytes()));
            Ok(())
        })?;
    }

    /// Any path over a tree of chained, relative, absolute, `..` and looping links answers 200
    /// with an absolute, cleaned path, or 500. (Resolving the answer again need not give it
    /// back: Go's `resolve` joins a relative link target to the *lexical* parent and resolves
    /// missing components through their lexical parents, so `/l1/l2/a/abs` answers `/a/abs`,
    /// whose `abs` is a link; see `resolve_follows_gos_lexical_parents`.)
    #[test]
    fn resolve_path_answers_a_clean_absolute_path(
        comps in prop::collection::vec(
            prop_oneof![
                Just("a".to_string()), Just("b".to_string()), Just("l1".to_string()),
                Just("l2".to_string()), Just("abs".to_string()), Just("up".to_string()),
                Just("loop".to_string()), Just("..".to_string()), Just(".".to_string()),
                Just("".to_string()), Just("missing".to_string()), Just("f".to_string()),
            ],
            0..7,
        ),
        dir_backend in any::<bool>(),
    ) {
        let backend = if dir_backend { Backend::Dir } else { Backend::Memory };
        let env = Env::new(backend, &[
            ("/a/b", E::Dir),
            ("/a/f", E::File("x")),
            ("/a/l1", E::Link("b")),
            ("/a/b/l2", E::Link("../l1/..")),
            ("/a/abs", E::Link("/a/b")),
            ("/a/up", E::Link("../../..")),
            ("/a/loop", E::Link("loop")),
            ("/l1", E::Link("a/l1")),
            ("/abs", E::Link("/a")),
        ]);
        let path = format!("/{}", comps.join("/"));
        rt().block_on(async {
            let r = env.get(&format!("/api/v0/resolve-path?path={}", enc(&path))).await;
            if r.status == 200 {
                let resolved = r.json()["resolved_path"].as_str().unwrap().to_string();
                prop_assert!(resolved.starts_with('/'), "{}", resolved);
                let clean = resolved == "/"
                    || !(resolved.ends_with('/')
                        || resolved.contains("//")
                        || resolved.split('/').any(|c| c == "." || c == ".."));
                prop_assert!(clean, "{} is not cleaned", resolved);
                let again = env.get(&format!("/api/v0/resolve-path?path={}", enc(&resolved))).await;
                prop_assert!(matches!(again.status.as_u16(), 200 | 500), "{}", again.text());
            } else {
                prop_assert_eq!(r.status.as_u16(), 500, "{}", r.text());
            }
            Ok(())
        })?;
    }
}

/// The counterexample that showed resolution is not idempotent, step by step with Go's
/// algorithm (files.md §3): `/l1/l2` is a link (`../l1/..`) whose target is joined to the
/// lexical parent `/l1`, giving `/`; `/l1/l2/a` is missing, so it is its resolved parent plus
/// `a`, and `abs` is appended without being followed.
#[test]
fn resolve_follows_gos_lexical_parents() {
    for backend in [Backend::Memory, Backend::Dir] {
        let env = Env::new(
            backend,
            &[
                ("/a/b", E::Dir),
                ("/a/l1", E::Link("b")),
                ("/a/b/l2", E::Link("../l1/..")),
                ("/a/abs", E::Link("/a/b")),
                ("/l1", E::Link("a/l1")),
            ],
        );
        rt().block_on(async {
            for (path, want) in [
                ("/l1/l2", "/"),
                ("/l1/l2/a/abs", "/a/abs"),
                ("/a/abs", "/a/b"),
            ] {
                let r = env
                    .get(&format!("/api/v0/resolve-path?path={}", enc(path)))
                    .await;
                assert_eq!(r.status, 200, "{path}: {}", r.text());
                assert_eq!(r.json()["resolved_path"], want, "{path}");
            }
        });
    }
}
