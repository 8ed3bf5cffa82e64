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
        )
        .breaks(&["containers.list.key-order"]),
        replace_in_prefix(
            "devcontainer id unquoted in not-found detail",
            "default",
            "containers/api/recreate-unknown-id",
            "/api/v0/containers/devcontainers/",
            "ID: \\\"",
            "ID: \\\"x",
        )
        .breaks(&["containers.recreate.not-found-404"]),
        replace_in_prefix(
            "delete missing-id detail says recreate",
            "default",
            "containers/api/delete-missing-id",
            "/api/v0/containers/devcontainers/",
            "to delete a devcontainer",
            "to recreate a devcontainer",
        )
        .breaks(&["containers.delete.missing-id-400"]),
        on(
            "watch answers a plain GET with 200",
            "default",
            "containers/api/watch-refuses-plain-get",
            |_, p, r| {
                if path_is(p, "/api/v0/containers/watch") {
                    r.status = StatusCode::OK;
                }
            },
        )
        .breaks(&["containers.watch.plain-get-426"]),
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
        )
        .breaks(&["containers.list.containers-lister-order"]),
        on(
            "recreate answers 200 instead of 202",
            "containers-running",
            "containers/state/recreate-accepted",
            |m, p, r| {
                if is_recreate(m, p) && r.status == StatusCode::ACCEPTED {
                    r.status = StatusCode::OK;
                }
            },
        )
        .breaks(&["containers.recreate.accepted-202"]),
        replace_in_prefix(
            "recreate 202 detail with the name unquoted",
            "containers-running",
            "containers/state/recreate-accepted",
            DEVCONTAINERS,
            "for devcontainer \\\"project1\\\" has",
            "for devcontainer project1 has",
        )
        .breaks(&["containers.recreate.accepted-202"]),
        replace_in_prefix(
            "recreate 409 message altered",
            "containers-running",
            "containers/state/recreate-while-starting",
            DEVCONTAINERS,
            "and cannot be restarted.",
            "and cannot be recreated.",
        )
        .breaks(&["containers.recreate.transitioning-409"]),
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
        )
        .breaks(&["containers.recreate.sets-starting", "containers.recreate.transitioning-409"]),
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
        )
        .breaks(&["containers.delete.transitioning-409"]),
        replace_in_prefix(
            "delete while starting reports the wrong status",
            "containers-running",
            "containers/state/delete-while-starting",
            DEVCONTAINERS,
            "is currently starting and cannot be deleted",
            "is currently stopping and cannot be deleted",
        )
        .breaks(&["containers.delete.transitioning-409"]),
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
        .breaks(&["containers.recreate.success-running"])
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
        .breaks(&["containers.recreate.success-running"])
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
        )
        .breaks(&["containers.delete.no-content-204", "containers.encoding.no-content"]),
        on(
            "delete 204 without Content-Type",
            "containers-running",
            "containers/controlled/delete-204",
            |m, p, r| {
                if is_delete(m, p) && r.status == StatusCode::NO_CONTENT {
                    r.headers.remove("content-type");
                }
            },
        )
        .breaks(&["containers.encoding.no-content"]),
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
        .breaks(&["containers.delete.removed"])
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
        )
        .breaks(&["containers.delete.transitioning-409"]),
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
        )
        .breaks(&["containers.delete.not-found-404"]),
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
        )
        .breaks(&["containers.watch.first-frame-list"]),
        frames(
            "watch frames without the trailing newline",
            "containers-running",
            "containers/watch/first-frame-is-list",
            |_, t| Some(t.trim_end().to_string()),
        )
        .breaks(&["containers.watch.frame-newline"]),
        frames(
            "watch frames indented",
            "default",
            "containers/watch/controlled-first-frame-is-list",
            |_, t| {
                let v: serde_json::Value = serde_json::from_str(&t).unwrap();
                Some(serde_json::to_string_pretty(&v).unwrap() + "\n")
            },
        )
        .breaks(&["containers.watch.first-frame-list", "containers.encoding.go-json"]),
        frames(
            "watch sends only the first frame",
            "containers-running",
            "containers/watch/frame-after-recreate",
            |n, t| (n == 0).then_some(t),
        )
        .breaks(&["containers.watch.frame-on-change"]),
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
        )
        .breaks(&["containers.watch.frame-on-change", "containers.watch.frame-is-current-list"]),
        on_list(
            "container fields name and image swapped",
            "default",
            "containers/controlled/list-model",
            |v| {
                for c in v["containers"].as_array_mut().into_iter().flatten() {
                    reorder(c, &["created_at", "id", "image", "name"]);
                }
            },
        )
        .breaks(&["containers.types.container-field-order"]),
        on_list(
            "devcontainer status after dirty",
            "default",
            "containers/controlled/list-model",
            |v| {
                for d in v["devcontainers"].as_array_mut().into_iter().flatten() {
                    reorder(d, &["id", "name", "workspace_folder", "config_path", "subagent_id", "dirty", "status"]);
                }
            },
        )
        .breaks(&["containers.types.devcontainer-field-order"]),
        on_list(
            "unset subagent_id left out",
            "default",
            "containers/controlled/list-model",
            |v| {
                for d in v["devcontainers"].as_array_mut().into_iter().flatten() {
                    if d["subagent_id"].is_null() {
                        if let Some(o) = d.as_object_mut() {
                            o.shift_remove("subagent_id");
                        }
                    }
                }
            },
        )
        .breaks(&["containers.types.subagent-id-null"]),
        on_list(
            "dirty left out when false",
            "default",
            "containers/controlled/list-model",
            |v| {
                for d in v["devcontainers"].as_array_mut().into_iter().flatten() {
                    if d["dirty"] == false {
                        if let Some(o) = d.as_object_mut() {
                            o.shift_remove("dirty");
                        }
                    }
                }
            },
        )
        .breaks(&["containers.types.dirty-present"]),
        on_list(
            "ports keep an empty host_ip and a zero host_port",
            "default",
            "containers/controlled/list-model",
            |v| {
                for c in v["containers"].as_array_mut().into_iter().flatten() {
                    for p in c["ports"].as_array_mut().into_iter().flatten() {
                        if p.get("host_ip").is_none() {
                            p["host_ip"] = "".into();
                            p["host_port"] = 0.into();
                        }
                    }
                }
            },
        )
        .breaks(&["containers.types.port-omitempty"]),
        replace_in(
            "created_at keeps the fraction's trailing zeros",
            "default",
            "containers/controlled/list-model",
            "/api/v0/containers",
            "10:00:00.12Z",
            "10:00:00.120000000Z",
        )
        .breaks(&["containers.types.created-at"]),
        on_list(
            "devcontainers sorted by name",
            "default",
            "containers/controlled/list-model",
            |v| {
                if let Some(a) = v["devcontainers"].as_array_mut() {
                    a.sort_by(|x, y| x["name"].as_str().cmp(&y["name"].as_str()));
                }
            },
        )
        .breaks(&["containers.list.devcontainers-sorted"]),
        replace_in(
            "detected devcontainer named after its container",
            "default",
            "containers/controlled/list-model",
            "/api/v0/containers",
            "\"name\":\"my-app\"",
            "\"name\":\"zeta\"",
        )
        .breaks(&["containers.state.name-from-folder"]),
        replace_in(
            "an empty lister answer sent as null",
            "default",
            "containers/controlled/list-null-or-empty",
            "/api/v0/containers",
            "\"containers\":[]",
            "\"containers\":null",
        )
        .breaks(&["containers.list.containers-empty"]),
        replace_in(
            "no known devcontainer sent as []",
            "default",
            "containers/controlled/list-null-or-empty",
            "/api/v0/containers",
            "\"devcontainers\":null",
            "\"devcontainers\":[]",
        )
        .breaks(&["containers.list.devcontainers-null"]),
        on_list(
            "no warnings sent as []",
            "default",
            "containers/controlled/list-null-or-empty",
            |v| {
                if v.get("warnings").is_none() {
                    v["warnings"] = serde_json::json!([]);
                }
            },
        )
        .breaks(&["containers.list.warnings-omitted"]),
        replace_in(
            "lister error message with a period",
            "default",
            "containers/controlled/list-error-then-cleared",
            "/api/v0/containers",
            "\"Could not get containers\"",
            "\"Could not get containers.\"",
        )
        .breaks(&["containers.list.error-500"]),
        replace_in_prefix(
            "stop failure reported as a removal failure",
            "containers-running",
            "containers/controlled/delete-stop-fails-500",
            DEVCONTAINERS,
            "An error occurred stopping the container",
            "An error occurred removing the container",
        )
        .breaks(&["containers.delete.stop-failure-500"]),
        on(
            "sub-agent deletion failure answered 204",
            "containers-running",
            "containers/controlled/delete-agent-fails-500",
            |m, p, r| {
                if is_delete(m, p) && r.status == StatusCode::INTERNAL_SERVER_ERROR {
                    r.status = StatusCode::NO_CONTENT;
                    r.body.clear();
                }
            },
        )
        .breaks(&["containers.delete.agent-failure-500"]),
        replace_in(
            "failed delete leaves the devcontainer stopped",
            "containers-running",
            "containers/controlled/delete-remove-fails-500",
            "/api/v0/containers",
            "\"status\":\"error\"",
            "\"status\":\"stopped\"",
        )
        .breaks(&["containers.delete.failure-sets-error"]),
        replace_in(
            "failed recreate listed stopped",
            "containers-running",
            "containers/controlled/recreate-fails-error",
            "/api/v0/containers",
            "\"status\":\"error\"",
            "\"status\":\"stopped\"",
        )
        .breaks(&["containers.recreate.failure-error"]),
        on_list(
            "failed recreate keeps its error when started again",
            "containers-running",
            "containers/controlled/recreate-fails-error",
            |v| {
                for d in v["devcontainers"].as_array_mut().into_iter().flatten() {
                    if d["status"] == "starting" {
                        d["error"] = "simulated error".into();
                    }
                }
            },
        )
        .breaks(&["containers.recreate.clears-error"]),
        on_list(
            "lifecycle-script failure listed as error",
            "containers-running",
            "containers/controlled/recreate-script-fails-running",
            |v| {
                for d in v["devcontainers"].as_array_mut().into_iter().flatten() {
                    if d.get("error").is_some() {
                        d["status"] = "error".into();
                    }
                }
            },
        )
        .breaks(&["containers.recreate.failure-with-container"]),
        replace_in(
            "removal listed as stopping",
            "containers-running",
            "containers/controlled/delete-while-deleting-409",
            "/api/v0/containers",
            "\"status\":\"deleting\"",
            "\"status\":\"stopping\"",
        )
        .breaks(&["containers.delete.deleting"]),
        on(
            "upper-case id answered 400",
            "containers-running",
            "containers/controlled/recreate-uppercase-id-404",
            |m, p, r| {
                if is_recreate(m, p) && p.bytes().any(|b| b.is_ascii_uppercase()) {
                    r.status = StatusCode::BAD_REQUEST;
                }
            },
        )
        .breaks(&["containers.recreate.non-canonical-id-404"]),
        on(
            "Terraform-defined devcontainer refused (the early-2026 403)",
            "containers-running",
            "containers/controlled/recreate-terraform-defined-202",
            |m, p, r| {
                if is_recreate(m, p) && r.status == StatusCode::ACCEPTED {
                    r.answer_json(StatusCode::FORBIDDEN, "{\"message\":\"Cannot rebuild Terraform-defined devcontainer\",\"detail\":\"Devcontainer \\\"project1\\\" has resources defined in Terraform and cannot be rebuilt from the UI. Update the workspace template to modify this devcontainer.\"}\n");
                }
            },
        )
        .breaks(&["containers.recreate.terraform-202"]),
        on(
            "delete of a devcontainer without a container stops it and fails",
            "containers-running",
            "containers/controlled/delete-without-container-204",
            |m, p, r| {
                if is_delete(m, p) && r.status == StatusCode::NO_CONTENT {
                    r.answer_json(StatusCode::INTERNAL_SERVER_ERROR, "{\"message\":\"An error occurred stopping the container\",\"detail\":\"stop error\"}\n");
                }
            },
        )
        .breaks(&["containers.delete.without-container"]),
        socket_events(
            "watch closes with 1000 after a data message",
            "containers-running",
            "containers/watch/data-message-closes-1008",
            |e| Some(e.replace("close 1008", "close 1000")),
        )
        .breaks(&["containers.watch.data-message-1008"]),
        socket_events(
            "watch never pings",
            "containers-running",
            "containers/watch/controlled-pings",
            |e| (e != "ping").then(|| e.to_string()),
        )
        .breaks(&["containers.watch.pings"]),
        socket_events(
            "watch closes with 1011 in the error state",
            "containers-running",
            "containers/watch/controlled-error-at-connect-closes",
            |e| Some(e.replace("close 1000", "close 1011")),
        )
        .breaks(&["containers.watch.error-at-connect-closes"]),
        on(
            "426 without the Upgrade header",
            "default",
            "containers/api/watch-refuses-plain-get",
            |_, p, r| {
                if path_is(p, "/api/v0/containers/watch") && r.status == StatusCode::UPGRADE_REQUIRED {
                    r.headers.remove("upgrade");
                }
            },
        )
        .breaks(&["containers.watch.426-headers"]),
        on(
            "handshake of version 8 answered 426",
            "default",
            "containers/api/watch-refuses-version-8",
            |_, p, r| {
                if path_is(p, "/api/v0/containers/watch") && r.status == StatusCode::BAD_REQUEST {
                    r.status = StatusCode::UPGRADE_REQUIRED;
                }
            },
        )
        .breaks(&["containers.watch.bad-version-400"]),
        on(
            "405 on recreate allows GET",
            "default",
            "containers/api/405-recreate-get",
            |_, p, r| {
                if p.ends_with("/recreate") && r.status == StatusCode::METHOD_NOT_ALLOWED {
                    r.set_header("allow", "GET");
                }
            },
        )
        .breaks(&["containers.routing.405-recreate"]),
        on(
            "list with a trailing slash answered 404",
            "default",
            "containers/api/list-same-at-every-spelling",
            |_, p, r| {
                if path_is(p, "/api/v0/containers/") {
                    r.status = StatusCode::NOT_FOUND;
                    r.set_header("content-type", "text/plain; charset=utf-8");
                    r.set_text("404 page not found\n");
                }
            },
        )
        .breaks(&["containers.routing.list-root"]),
        on(
            "unknown subpath answered with a JSON 404",
            "default",
            "containers/api/404-unknown-subpath",
            |_, p, r| {
                if p.ends_with("/logs") && r.status == StatusCode::NOT_FOUND {
                    r.answer_json(StatusCode::NOT_FOUND, "{\"message\":\"Route not found.\"}\n");
                }
            },
        )
        .breaks(&["containers.routing.unknown-404"]),
    ]
}

/// The list's JSON (200 answers to `GET /api/v0/containers`) through `f`, re-encoded as Go.
fn on_list(
    name: &'static str,
    fixture: &'static str,
    case: &'static str,
    f: impl Fn(&mut serde_json::Value) + Send + Sync + 'static,
) -> Spec {
    on(name, fixture, case, move |m, p, r| {
        if m == Method::GET && path_is(p, "/api/v0/containers") && r.status == StatusCode::OK {
            let mut v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
            f(&mut v);
            r.body = agent_sim::gojson::to_vec(&v);
        }
    })
}

/// Moves `first` (those present, in that order) to the front of object `v`.
fn reorder(v: &mut serde_json::Value, first: &[&str]) {
    let Some(o) = v.as_object_mut() else { return };
    let mut out = serde_json::Map::new();
    for k in first {
        if let Some(x) = o.shift_remove(*k) {
            out.insert((*k).to_string(), x);
        }
    }
    out.append(o);
    *o = out;
}

/// The watch socket's pings and closes (`ping`, `close <code> <reason>`) through `f`; `None`
/// drops the event (the relay's socket events, see `common::ws_event_method`).
fn socket_events(
    name: &'static str,
    fixture: &'static str,
    case: &'static str,
    f: impl Fn(&str) -> Option<String> + Send + Sync + 'static,
) -> Spec {
    on(name, fixture, case, move |m, _, r| {
        if *m == crate::common::ws_event_method() {
            let out = f(&r.text()).unwrap_or_default();
            r.set_text(&out);
        }
    })
}
