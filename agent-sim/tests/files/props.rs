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

    #[test]
    fn resolve_path_is_idempotent(
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
                let first = r.json()["resolved_path"].as_str().unwrap().to_string();
                let again = env.get(&format!("/api/v0/resolve-path?path={}", enc(&first))).await;
                prop_assert_eq!(again.status.as_u16(), 200);
                let second = again.json()["resolved_path"].as_str().unwrap().to_string();
                prop_assert_eq!(second, first);
            } else {
                prop_assert_eq!(r.status.as_u16(), 500, "{}", r.text());
            }
            Ok(())
        })?;
    }
}
