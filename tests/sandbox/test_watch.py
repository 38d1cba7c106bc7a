"""Watches as a real server streams them: chunked JSON lines, resume from a resourceVersion, bookmarks,
timeoutSeconds, 410 Gone past the event history, selector transitions, and the official client's Watch."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from kubernetes import client, config, watch

from gitops_tui.sandbox.server import SandboxServer
from tests.sandbox.conftest import namespace
from tests.sandbox.rest import Rest


def _cm(name: str, labels: dict[str, str] | None = None) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "team", "labels": labels or {}},
        "data": {"v": name},
    }


def _stream(rest: Rest, path: str, **query: object) -> list[dict]:
    """Every event of a watch that the server ends (timeoutSeconds), decoded line by line."""
    resp = rest.get(path, watch="true", timeout=30, **query)
    assert resp.status == 200, resp
    lines = [line for line in resp.raw.split(b"\n") if line]
    return [json.loads(line) for line in lines]


def test_watch_from_a_resource_version_replays_later_events_only(rest: Rest) -> None:
    namespace(rest, "team")
    first = rest.create("/api/v1/namespaces/team/configmaps", _cm("a")).body
    rv = first["metadata"]["resourceVersion"]
    rest.create("/api/v1/namespaces/team/configmaps", _cm("b"))
    rest.patch("/api/v1/namespaces/team/configmaps/a", {"data": {"v": "2"}})
    rest.delete("/api/v1/namespaces/team/configmaps/b")
    events = _stream(rest, "/api/v1/namespaces/team/configmaps", resourceVersion=rv, timeoutSeconds=1)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "b"),
        ("MODIFIED", "a"),
        ("DELETED", "b"),
    ]
    assert events[0]["object"]["kind"] == "ConfigMap" and events[0]["object"]["apiVersion"] == "v1"
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert rvs == sorted(rvs) and rvs[0] > int(rv)


def test_watch_without_resource_version_starts_with_current_objects(rest: Rest) -> None:
    namespace(rest, "team")
    rest.create("/api/v1/namespaces/team/configmaps", _cm("a"))
    events = _stream(rest, "/api/v1/namespaces/team/configmaps", timeoutSeconds=1)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "a")]


def test_too_old_resource_version_is_410_gone(tmp_path: Path) -> None:
    with SandboxServer(watch_history=3) as server:
        rest = Rest(server.write_kubeconfig(tmp_path / "kc"))
        namespace(rest, "team")
        old = rest.create("/api/v1/namespaces/team/configmaps", _cm("a")).body["metadata"]["resourceVersion"]
        for i in range(5):
            rest.patch("/api/v1/namespaces/team/configmaps/a", {"data": {"v": str(i)}})
        events = _stream(rest, "/api/v1/namespaces/team/configmaps", resourceVersion=old, timeoutSeconds=1)
        assert len(events) == 1 and events[0]["type"] == "ERROR"
        status = events[0]["object"]
        assert status["kind"] == "Status" and status["code"] == 410 and status["reason"] == "Expired"
        assert status["message"].startswith(f"too old resource version: {old} (")
        rest.close()


def test_bookmarks_carry_the_current_resource_version(rest: Rest, server: SandboxServer) -> None:
    namespace(rest, "team")
    rv = rest.create("/api/v1/namespaces/team/configmaps", _cm("a")).body["metadata"]["resourceVersion"]
    events = _stream(
        rest,
        "/api/v1/namespaces/team/configmaps",
        resourceVersion=rv,
        allowWatchBookmarks="true",
        timeoutSeconds=1,
    )
    bookmarks = [e for e in events if e["type"] == "BOOKMARK"]
    assert bookmarks, events  # the fixture's server sends one every 0.2 s
    assert bookmarks[-1]["object"]["metadata"]["resourceVersion"] == rv
    assert bookmarks[-1]["object"]["kind"] == "ConfigMap"
    quiet = _stream(rest, "/api/v1/namespaces/team/configmaps", resourceVersion=rv, timeoutSeconds=1)
    assert quiet == []  # no bookmarks unless asked


def test_selector_watch_sees_objects_enter_and_leave(rest: Rest) -> None:
    namespace(rest, "team")
    rv = rest.create("/api/v1/namespaces/team/configmaps", _cm("a")).body["metadata"]["resourceVersion"]
    rest.patch("/api/v1/namespaces/team/configmaps/a", {"metadata": {"labels": {"app": "web"}}})
    rest.patch("/api/v1/namespaces/team/configmaps/a", {"data": {"v": "x"}})
    rest.patch("/api/v1/namespaces/team/configmaps/a", {"metadata": {"labels": {"app": None}}})
    events = _stream(
        rest,
        "/api/v1/namespaces/team/configmaps",
        resourceVersion=rv,
        labelSelector="app=web",
        timeoutSeconds=1,
    )
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]


def test_live_events_reach_the_official_watch_and_drop_watches_ends_it(
    server: SandboxServer, tmp_path: Path
) -> None:
    api = config.new_client_from_config(config_file=str(server.write_kubeconfig(tmp_path / "kc")))
    core = client.CoreV1Api(api)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="team")))
    rv = core.list_namespaced_config_map("team").metadata.resource_version
    seen: list[tuple[str, str]] = []
    done = threading.Event()

    def consume() -> None:
        w = watch.Watch()
        for event in w.stream(
            core.list_namespaced_config_map,
            "team",
            resource_version=rv,
            timeout_seconds=20,
            _preload_content=True,
        ):
            seen.append((event["type"], event["object"].metadata.name))
        done.set()

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    core.create_namespaced_config_map("team", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="live")))
    for _ in range(100):
        if seen:
            break
        threading.Event().wait(0.05)
    assert seen == [("ADDED", "live")]
    server.faults.drop_watches()
    assert done.wait(10), "the watch should end when the server drops it"
    api.close()
