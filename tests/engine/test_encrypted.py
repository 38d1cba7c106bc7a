"""SOPS-encrypted Secrets: compared by key names and metadata only, never applied by a sync; and values
Flux substituted from Secrets masked wherever they show."""

from __future__ import annotations

import base64

from gitops_tui.engine.compare import AppInputs, compare_app
from gitops_tui.engine.encrypted import ENCRYPTED_NOTE
from gitops_tui.engine.secrets import mask_value, mask_values
from gitops_tui.engine.syncplan import plan_sync
from gitops_tui.model import AppSpec, ResourceKey, SyncStatus

APP = AppSpec(name="web", path="web", namespace="web")
KEY = ResourceKey("", "Secret", "web", "creds")


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def encrypted(**data: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds", "namespace": "web", "labels": {"team": "web"}},
        "type": "Opaque",
        "stringData": {k: f"ENC[AES256_GCM,data:{v},iv:x,tag:y,type:str]" for k, v in data.items()},
        "sops": {"mac": "ENC[AES256_GCM,data:m,iv:i,tag:t,type:str]", "lastmodified": "2024-05-01T10:00:00Z"},
    }


def live(labels: dict[str, str] | None = None, **data: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds", "namespace": "web", "labels": labels or {"team": "web"}, "uid": "1"},
        "type": "Opaque",
        "data": {k: b64(v) for k, v in data.items()},
    }


def status(desired: dict, live_obj: dict | None):
    inputs = AppInputs(app=APP, desired=[desired], live={KEY: live_obj} if live_obj else {}, server_side=True)
    return compare_app(inputs)


def test_same_keys_are_synced_whatever_the_ciphertext() -> None:
    res = status(encrypted(password="zzz"), live(password="the real one")).resources[0]
    assert (res.sync, res.drift, res.note) == (SyncStatus.SYNCED, (), ENCRYPTED_NOTE)


def test_a_key_added_in_git_or_a_label_changed_is_drift_with_values_masked() -> None:
    res = status(encrypted(password="a", token="b"), live({"team": "other"}, password="real")).resources[0]
    assert res.sync is SyncStatus.OUT_OF_SYNC
    paths = {d.path: d for d in res.drift}
    assert set(paths) == {"/data/token", "/metadata/labels/team"}
    assert paths["/data/token"].git.startswith("***masked:")  # not even the placeholder shows


def test_never_applied_by_a_sync_and_the_plan_says_why() -> None:
    desired = encrypted(password="a")
    st = status(desired, None)
    assert st.resources[0].sync is SyncStatus.MISSING
    plan = plan_sync(st, {KEY: desired}, {})
    assert plan.changes == ()
    assert plan.notes == ("Secret/web/creds: encrypted in Git (SOPS): not applied (Flux decrypts it)",)


def test_substituted_secret_values_are_masked_in_any_object() -> None:
    obj = {"kind": "ConfigMap", "data": {"url": "postgres://app:hunter2@db", "n": 3, "l": ["hunter2"]}}
    masked = mask_values(obj, ("hunter2",))
    assert masked["data"] == {
        "url": f"postgres://app:{mask_value('hunter2')}@db",
        "n": 3,
        "l": [mask_value("hunter2")],
    }
    assert "hunter2" not in repr(masked)


def test_drift_of_a_substituted_secret_value_is_masked() -> None:
    desired = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "web"},
        "data": {"url": "pw=hunter2"},
    }
    cm_live = {**desired, "metadata": {**desired["metadata"], "uid": "1"}, "data": {"url": "pw=old"}}
    key = ResourceKey("", "ConfigMap", "web", "c")
    inputs = AppInputs(
        app=APP, desired=[desired], live={key: cm_live}, server_side=False, secret_values=("hunter2",)
    )
    drift = compare_app(inputs).resources[0].drift
    assert [d.git for d in drift] == [f"pw={mask_value('hunter2')}"]
