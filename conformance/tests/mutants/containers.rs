//! Mutants of containers, devcontainers and the watch socket (containers.md).

use crate::spec::*;

pub(crate) fn specs() -> Vec<Spec> {
    vec![
        on(
            "containers list keys swapped",
            "default",
            "containers/api/list-shape",
            |_, p, r| {
                if path_is(p, "/api/v0/containers") && r.status == StatusCode::OK {
                    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                    let swapped = serde_json::json!({"containers": v["containers"], "devcontainers": v["devcontainers"]});
                    r.body = agent_sim::gojson::to_vec(&swapped);
                }
            },
        ),
        replace_in_prefix(
            "devcontainer id unquoted in not-found detail",
            "default",
            "containers/api/recreate-unknown-id",
            "/api/v0/containers/devcontainers/",
            "ID: \\\"",
            "ID: \\\"x",
        ),
        replace_in_prefix(
            "delete missing-id detail says recreate",
            "default",
            "containers/api/delete-missing-id",
            "/api/v0/containers/devcontainers/",
            "to delete a devcontainer",
            "to recreate a devcontainer",
        ),
        on(
            "watch answers a plain GET with 200",
            "default",
            "containers/api/watch-refuses-plain-get",
            |_, p, r| {
                if path_is(p, "/api/v0/containers/watch") {
                    r.status = StatusCode::OK;
                }
            },
        ),
        on(
            "containers sorted by name",
            "default",
            "property/container-list",
            |_, p, r| {
                if path_is(p, "/api/v0/containers") && r.status == StatusCode::OK {
                    let mut v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                    if let Some(a) = v["containers"].as_array_mut() {
                        a.sort_by(|x, y| x["name"].as_str().cmp(&y["name"].as_str()));
                    }
                    r.body = agent_sim::gojson::to_vec(&v);
                }
            },
        ),
        on(
            "recreate answers 200 instead of 202",
            "containers-running",
            "containers/state/recreate-accepted",
            |m, p, r| {
                if is_recreate(m, p) && r.status == StatusCode::ACCEPTED {
                    r.status = StatusCode::OK;
                }
            },
        ),
        replace_in_prefix(
            "recreate 202 detail with the name unquoted",
            "containers-running",
            "containers/state/recreate-accepted",
            DEVCONTAINERS,
            "for devcontainer \\\"project1\\\" has",
            "for devcontainer project1 has",
        ),
        replace_in_prefix(
            "recreate 409 message altered",
            "containers-running",
            "containers/state/recreate-while-starting",
            DEVCONTAINERS,
            "and cannot be restarted.",
            "and cannot be recreated.",
        ),
        on(
            "recreate while starting accepted again (202)",
            "containers-running",
            "containers/controlled/recreate-twice-409",
            |m, p, r| {
                if is_recreate(m, p) && r.status == StatusCode::CONFLICT {
                    r.status = StatusCode::ACCEPTED;
                    r.set_text("{\"message\":\"Devcontainer recreation initiated\",\"detail\":\"Recreation process for devcontainer \\\"project1\\\" has started.\"}\n");
                }
            },
        ),
        on(
            "delete during recreate says it cannot be restarted",
            "containers-running",
            "containers/controlled/delete-during-recreate-409",
            |m, p, r| {
                if is_delete(m, p) && r.status == StatusCode::CONFLICT {
                    let t = r
                        .text()
                        .replace("cannot be deleted.", "cannot be restarted.");
                    r.set_text(&t);
                }
            },
        ),
        replace_in_prefix(
            "delete while starting reports the wrong status",
            "containers-running",
            "containers/state/delete-while-starting",
            DEVCONTAINERS,
            "is currently starting and cannot be deleted",
            "is currently stopping and cannot be deleted",
        ),
        {
            // After a recreate, the devcontainer is listed `starting` for ever.
            let recreated = Arc::new(AtomicBool::new(false));
            on(
                "status never leaves starting",
                "containers-running",
                "containers/controlled/recreate-starting-then-running",
                move |m, p, r| {
                    if is_recreate(m, p) && r.status == StatusCode::ACCEPTED {
                        recreated.store(true, Ordering::SeqCst);
                    }
                    if path_is(p, "/api/v0/containers") && recreated.load(Ordering::SeqCst) {
                        let t = r.text().replace(
                            "\"status\":\"running\",\"dirty\"",
                            "\"status\":\"starting\",\"dirty\"",
                        );
                        r.set_text(&t);
                    }
                },
            )
        },
        {
            // A refresh relinks nothing: the recreate's new container is never linked.
            let recreated = Arc::new(AtomicBool::new(false));
            on(
                "recreate ends without a container",
                "containers-running",
                "containers/controlled/recreate-starting-then-running",
                move |m, p, r| {
                    if is_recreate(m, p) && r.status == StatusCode::ACCEPTED {
                        recreated.store(true, Ordering::SeqCst);
                    }
                    if path_is(p, "/api/v0/containers")
                        && r.status == StatusCode::OK
                        && recreated.load(Ordering::SeqCst)
                    {
                        let mut v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
                        if let Some(a) = v["devcontainers"].as_array_mut() {
                            for d in a {
                                if let Some(o) = d.as_object_mut() {
                                    o.remove("container");
                                }
                            }
                        }
                        r.body = agent_sim::gojson::to_vec(&v);
                    }
                },
            )
        },
        on(
            "delete answers 200 with a body",
            "containers-running",
            "containers/controlled/delete-204",
            |m, p, r| {
                if is_delete(m, p) && r.status == StatusCode::NO_CONTENT {
                    r.status = StatusCode::OK;
                    r.set_text("{\"message\":\"Devcontainer deleted.\"}\n");
                }
            },
        ),
        on(
            "delete 204 without Content-Type",
            "containers-running",
            "containers/controlled/delete-204",
            |m, p, r| {
                if is_delete(m, p) && r.status == StatusCode::NO_CONTENT {
                    r.headers.remove("content-type");
                }
            },
        ),
        {
            // The list answered before the delete is served again after it.
            let before = Arc::new(std::sync::Mutex::new(None::<Vec<u8>>));
            let deleted = Arc::new(AtomicBool::new(false));
            on(
                "deleted devcontainer still listed",
                "containers-running",
                "containers/controlled/delete-204",
                move |m, p, r| {
                    if is_delete(m, p) && r.status == StatusCode::NO_CONTENT {
                        deleted.store(true, Ordering::SeqCst);
                    }
                    if path_is(p, "/api/v0/containers") && r.status == StatusCode::OK {
                        let mut b = before.lock().unwrap();
                        if deleted.load(Ordering::SeqCst) {
                            if let Some(old) = b.as_ref() {
                                r.body = old.clone();
                            }
                        } else {
                            *b = Some(r.body.clone());
                        }
                    }
                },
            )
        },
        on(
            "second delete while stopping accepted",
            "containers-running",
            "containers/controlled/delete-while-stopping-409",
            |m, p, r| {
                if is_delete(m, p) && r.status == StatusCode::CONFLICT {
                    r.status = StatusCode::NO_CONTENT;
                    r.body.clear();
                }
            },
        ),
        on(
            "delete of an unknown id answered by the router's 404",
            "containers-running",
            "containers/api/delete-unknown-id",
            |m, p, r| {
                if is_delete(m, p) && r.status == StatusCode::NOT_FOUND {
                    r.set_header("content-type", "text/plain; charset=utf-8");
                    r.set_text("404 page not found\n");
                }
            },
        ),
        frames(
            "watch frames drop the warnings",
            "containers-running",
            "containers/watch/first-frame-is-list",
            |_, t| {
                let mut v: serde_json::Value = serde_json::from_str(&t).unwrap();
                if let Some(o) = v.as_object_mut() {
                    o.remove("warnings");
                }
                Some(String::from_utf8(agent_sim::gojson::to_vec(&v)).unwrap())
            },
        ),
        frames(
            "watch frames without the trailing newline",
            "containers-running",
            "containers/watch/first-frame-is-list",
            |_, t| Some(t.trim_end().to_string()),
        ),
        frames(
            "watch frames indented",
            "default",
            "containers/watch/controlled-first-frame-is-list",
            |_, t| {
                let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                Some(serde_json::to_string_pretty(&v).unwrap() + "\n")
            },
        ),
        frames(
            "watch sends only the first frame",
            "containers-running",
            "containers/watch/frame-after-recreate",
            |n, t| (n == 0).then_some(t),
        ),
        frames(
            "watch frame after a change is the old list",
            "default",
            "containers/watch/controlled-frame-after-scenario-change",
            {
                let first = Arc::new(std::sync::Mutex::new(None::<String>));
                move |_, t| {
                    let mut f = first.lock().unwrap();
                    Some(f.get_or_insert(t).clone())
                }
            },
        ),
    ]
}
