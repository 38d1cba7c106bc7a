"""Tracking markers: written as Argo CD / Flux write them, read back with Argo CD's copy protection."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from gitops_tui.cluster.tracking import (
    ANNOTATION,
    FLUX_NAME,
    FLUX_NS,
    LABEL,
    inject_marker,
    instance_label_value,
    is_owned,
    parse_tracking_id,
    tracked_by,
    tracking_id,
)
from gitops_tui.model import AppSpec, TrackingMethod

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "shared" / "fixtures" / "real-cluster"


def deployment(ns: str | None = "prod", name: str = "web") -> dict:
    meta: dict = {"name": name, "labels": {"app": name}}
    if ns is not None:
        meta["namespace"] = ns
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": {"replicas": 1}}


def test_tracking_id_is_argo_format():
    assert tracking_id("shop", deployment()) == "shop:apps/Deployment:prod/web"
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "stray", "namespace": "fixtures"}}
    assert tracking_id("shop", cm) == "shop:/ConfigMap:fixtures/stray"


def test_cluster_scoped_object_carries_destination_namespace():
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "payments"}}
    assert tracking_id("shop", ns, "shop-dest") == "shop:/Namespace:shop-dest/payments"
    assert tracking_id("shop", ns) == "shop:/Namespace:/payments"


def test_real_cluster_stray_configmap_is_tracked_by_shop():
    live = json.loads((FIXTURES / "15-stray-configmap" / "live.json").read_text())
    assert tracked_by(live, AppSpec("shop", "."))
    assert tracked_by(live, AppSpec("shop", ".", tracking=TrackingMethod.LABEL))
    assert tracked_by(live, AppSpec("shop", ".", tracking=TrackingMethod.ANNOTATION_AND_LABEL))
    assert not tracked_by(live, AppSpec("other", "."))
    assert not is_owned(live)


@pytest.mark.parametrize("method", list(TrackingMethod))
def test_inject_then_tracked_round_trip_and_input_untouched(method):
    app = AppSpec("shop", ".", tracking=method, namespace="prod", flux_namespace="flux-apps")
    obj = deployment()
    before = copy.deepcopy(obj)
    marked = inject_marker(obj, app)
    assert obj == before
    assert tracked_by(marked, app)
    assert marked["spec"] is obj["spec"]  # only metadata is copied
    assert marked["metadata"]["labels"]["app"] == "web"


def test_marker_per_method():
    obj = deployment()
    ann = inject_marker(obj, AppSpec("shop", "."))["metadata"]
    assert ann["annotations"] == {ANNOTATION: "shop:apps/Deployment:prod/web"}
    assert LABEL not in ann["labels"]
    lab = inject_marker(obj, AppSpec("shop", ".", tracking=TrackingMethod.LABEL))["metadata"]
    assert lab["labels"][LABEL] == "shop" and "annotations" not in lab
    both = inject_marker(obj, AppSpec("shop", ".", tracking=TrackingMethod.ANNOTATION_AND_LABEL))["metadata"]
    assert both["labels"][LABEL] == "shop" and both["annotations"][ANNOTATION].startswith("shop:")
    flux = inject_marker(obj, AppSpec("apps", ".", tracking=TrackingMethod.FLUX))["metadata"]
    assert flux["labels"][FLUX_NAME] == "apps" and flux["labels"][FLUX_NS] == "flux-system"


def test_namespace_left_to_destination_uses_app_namespace():
    marked = inject_marker(deployment(ns=None), AppSpec("shop", ".", namespace="dest"))
    assert marked["metadata"]["annotations"][ANNOTATION] == "shop:apps/Deployment:dest/web"


def test_long_app_name_label_is_truncated_like_argo():
    name = "a" * 60 + "-x-" + "b" * 10
    value = instance_label_value(name)
    assert len(value) <= 63 and value == "a" * 60 + "-x"
    assert instance_label_value("a" * 62 + "--b") == "a" * 62


def test_copied_annotation_does_not_claim_another_object():
    app = AppSpec("shop", ".")
    original = inject_marker(deployment(name="web"), app)
    copied = deployment(name="web-copy")
    copied["metadata"]["annotations"] = dict(original["metadata"]["annotations"])
    assert not tracked_by(copied, app)
    other_kind = {**original, "kind": "StatefulSet"}
    assert not tracked_by(other_kind, app)
    other_ns = inject_marker(deployment(ns="prod"), app)
    other_ns["metadata"] = {**other_ns["metadata"], "namespace": "staging"}
    assert not tracked_by(other_ns, app)


def test_cluster_scoped_live_object_matches_any_namespace_in_id():
    app = AppSpec("shop", ".", namespace="dest")
    ns = inject_marker({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "payments"}}, app)
    assert ns["metadata"]["annotations"][ANNOTATION] == "shop:/Namespace:dest/payments"
    assert tracked_by(ns, app)


def test_flux_labels_need_both_name_and_namespace():
    app = AppSpec("apps", ".", tracking=TrackingMethod.FLUX, flux_namespace="flux-system")
    live = deployment()
    live["metadata"]["labels"] = {FLUX_NAME: "apps", FLUX_NS: "elsewhere"}
    assert not tracked_by(live, app)
    live["metadata"]["labels"][FLUX_NS] = "flux-system"
    assert tracked_by(live, app)


def test_label_method_ignores_annotation_and_vice_versa():
    live = deployment()
    live["metadata"]["annotations"] = {ANNOTATION: "shop:apps/Deployment:prod/web"}
    assert not tracked_by(live, AppSpec("shop", ".", tracking=TrackingMethod.LABEL))
    live = deployment()
    live["metadata"]["labels"][LABEL] = "shop"
    assert not tracked_by(live, AppSpec("shop", "."))


@pytest.mark.parametrize(
    "bad", ["", "shop", "shop:apps/Deployment", "shop:Deployment:prod/web", "shop:a/b:c"]
)
def test_malformed_tracking_ids(bad):
    assert parse_tracking_id(bad) is None
    live = deployment()
    live["metadata"]["annotations"] = {ANNOTATION: bad}
    assert not tracked_by(live, AppSpec("shop", "."))


def test_parse_tracking_id():
    parsed = parse_tracking_id("shop:apps/Deployment:prod/web")
    assert parsed is not None
    assert (parsed.app, parsed.group, parsed.kind, parsed.namespace, parsed.name) == (
        "shop",
        "apps",
        "Deployment",
        "prod",
        "web",
    )


def test_owner_references_mean_owned():
    rs = {"metadata": {"name": "web-1", "ownerReferences": [{"kind": "Deployment", "name": "web"}]}}
    assert is_owned(rs)
    assert not is_owned({"metadata": {"name": "x", "ownerReferences": []}})


def test_secrets_an_external_secret_or_sealed_secret_makes_are_owned():
    def secret(labels=None, annotations=None, owners=None):
        meta = {"name": "db", "namespace": "web", "labels": labels or {}, "annotations": annotations or {}}
        if owners:
            meta["ownerReferences"] = owners
        return {"apiVersion": "v1", "kind": "Secret", "metadata": meta}

    flux = {
        "kustomize.toolkit.fluxcd.io/name": "apps",
        "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
    }
    sealed = [{"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret", "name": "db", "uid": "1"}]
    assert is_owned(secret(flux, owners=sealed))
    assert is_owned(secret({**flux, "reconcile.external-secrets.io/created-by": "abc"}))
    assert is_owned(secret(flux, {"sealedsecrets.bitnami.com/managed": "true"}))
    assert not is_owned(secret(flux))  # a Secret in Git, nothing made it
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "x", "labels": {"reconcile.external-secrets.io/x": "1"}},
    }
    assert not is_owned(cm)
