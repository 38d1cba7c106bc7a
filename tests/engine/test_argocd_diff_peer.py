"""Argo CD's diff test corpus (`shared/peer-tests/argocd-diff`): every row of expected.tsv.

`mode=legacy` rows (Argo CD's 3-way strategic merge with last-applied) run through `client_side_diff`,
which does the same three-way reading of last-applied; `mode=ssd` rows run through `server_side_diff` with
the mocked dry-run response; `mode=smd` rows (structured-merge-diff with an OpenAPI schema we do not have)
run client-side, where our own field manager's managedFields stand in for what SMD knows.

Each row must agree with Argo CD's `Modified`. Beyond that, each row pins the drifted paths we report, so a
regression in *what* we find cannot hide behind the right yes/no.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitops_tui.engine import diff, pointer
from gitops_tui.model import IgnoreRule, ResourceDiff, SyncStatus

ROOT = Path(__file__).resolve().parents[1] / "data" / "shared" / "peer-tests" / "argocd-diff"
MANAGER = "argocd-controller"


def load(name: str) -> Any:
    text = (ROOT / name).read_text()
    return json.loads(text) if name.endswith(".json") else yaml.load(text, Loader=yaml.CSafeLoader)


@dataclass(frozen=True)
class Row:
    config: str
    live: str
    modified: bool
    note: str

    @property
    def mode(self) -> str:
        return self.note.split(";")[0].removeprefix("mode=")

    @property
    def predicted(self) -> str:
        return self.note.split("predicted_live=")[1].split(";")[0]


ROWS = [
    Row(c, li, m == "true", n)
    for c, li, m, n in (ln.split("\t") for ln in (ROOT / "expected.tsv").read_text().splitlines()[1:])
]

AGGREGATED_RULES = IgnoreRule(
    group="rbac.authorization.k8s.io", kind="ClusterRole", json_pointers=("/rules",)
)
CONTAINER = "/spec/template/spec/containers/0"

# Row number (1-based, header excluded) -> (config file, the drift paths we report).
EXPECTED: dict[int, tuple[str, list[str]]] = {
    # ignoreAggregatedRoles=true is Argo CD's switch; ours is the ignore rule any user can write for it.
    1: ("aggr-clusterrole-config.json", []),
    # last-applied had rules, Git has none, live has the controller's aggregated rules.
    2: ("aggr-clusterrole-config.json", ["/rules"]),
    3: ("elasticsearch-config.json", []),
    4: ("deployment-config.json", []),  # env VAR2 added out of band: keyed by name, not ours
    5: ("mutatingwebhookconfig-config.json", []),
    6: ("spinnaker-sa-config.json", []),
    7: ("wordpress-config.json", []),  # data value null live vs "" in Git: both empty
    8: ("grafana-clusterrole-config.json", []),  # rules [] vs null
    9: ("sealedsecret-config.json", []),  # creationTimestamp: null in Git is noise
    10: ("endpoints-config.json", []),
    11: ("smd-service-config.yaml", ["/spec/ports/1/targetPort"]),  # 1936 in Git, 1935 live
    # Port https dropped from Git; argocd-controller alone owns it live, so a sync removes it.
    12: ("smd-service-config-2-ports.yaml", ["/spec/ports/2"]),
    # type NodePort was applied by argocd-controller and is gone from Git: it reverts to ClusterIP.
    13: ("smd-service-config.yaml", ["/spec/ports/1/targetPort", "/spec/type"]),
    # Ports keyed by (port, protocol): two UDP ports are new.
    14: ("smd-service-config-ports.yaml", ["/spec/ports/2", "/spec/ports/4"]),
    15: ("smd-deploy-config.yaml", []),
    # Rows 16-18: Argo CD reverts predicted fields its manager does not own (ignoreMutationWebhook), so the
    # webhook label `event` is no drift for it by default (rows 16, 18). We take the dry run as the truth: a
    # webhook runs on the real apply too, so what it writes is what the cluster will hold. Same verdict.
    16: (
        "ssd-service-config.yaml",
        ["/metadata/labels/app.kubernetes.io~1instance", "/metadata/labels/event"],
    ),
    17: (
        "ssd-service-config.yaml",
        ["/metadata/labels/app.kubernetes.io~1instance", "/metadata/labels/event"],
    ),
    18: (
        "ssd-service-config.yaml",
        ["/metadata/labels/app.kubernetes.io~1instance", "/metadata/labels/event"],
    ),
    19: ("smd-deploy2-config.yaml", []),  # checked separately below: the mock omits server defaults
    20: ("ssd-deploy-nested-config.yaml", [f"{CONTAINER}/ports/1", f"{CONTAINER}/env/1"]),
    21: (
        "ssd-deploy-with-manual-apply-config.yaml",
        ["/metadata/labels/mutation-test", f"{CONTAINER}/ports/1"],
    ),
    22: ("ssd-svc-no-label-config.yaml", ["/metadata/labels/delete-me"]),
    23: ("ssd-deploy-composite-key-config.yaml", [f"{CONTAINER}/ports/2"]),
    24: ("ssd-configmap-config.yaml", ["/data/key3"]),
}


def run(row: Row) -> ResourceDiff:
    config, live = load(row.config), load(row.live)
    # Our caller resolves the namespace of every desired object before diffing (Argo CD does the same from
    # the app's destination); without that, the namespace recorded in last-applied would read as removed.
    namespace = (live.get("metadata") or {}).get("namespace")
    if namespace:
        config.setdefault("metadata", {}).setdefault("namespace", namespace)
    if row.mode == "ssd":
        ignore: tuple[IgnoreRule, ...] = ()
        if "removing spec.sessionAffinity" in row.note:
            ignore = (IgnoreRule(kind="Service", json_pointers=("/spec/sessionAffinity",)),)
        return diff.server_side_diff(config, live, load(row.predicted), ignore=ignore, manager=MANAGER)
    ignore = (AGGREGATED_RULES,) if "ignoreAggregatedRoles=true" in row.note else ()
    return diff.client_side_diff(config, live, ignore=ignore, manager=MANAGER)


def test_every_row_is_covered() -> None:
    assert len(ROWS) == 24 == len(EXPECTED)
    assert [r.config for r in ROWS] == [EXPECTED[n][0] for n in sorted(EXPECTED)]


@pytest.mark.parametrize("number", range(1, len(ROWS) + 1))
def test_row_agrees_with_argo_cd(number: int) -> None:
    row = ROWS[number - 1]
    result = run(row)
    assert (result.sync is SyncStatus.OUT_OF_SYNC) is row.modified, (row.note, result.drift)
    if number != 19:
        assert [d.path for d in result.drift] == EXPECTED[number][1]


def test_session_affinity_ignore_rule_removes_it_from_both_sides() -> None:
    row = ROWS[17]
    assert "sessionAffinity" in row.note
    config, live, predicted = load(row.config), load(row.live), load(row.predicted)
    predicted["spec"]["sessionAffinity"] = "ClientIP"
    plain = diff.server_side_diff(config, live, predicted, manager=MANAGER)
    assert "/spec/sessionAffinity" in [d.path for d in plain.drift]
    assert "/spec/sessionAffinity" not in [d.path for d in run(row).drift]
    ignored = diff.server_side_diff(
        config,
        live,
        predicted,
        ignore=(IgnoreRule(kind="Service", json_pointers=("/spec/sessionAffinity",)),),
        manager=MANAGER,
    )
    assert "/spec/sessionAffinity" not in [d.path for d in ignored.drift]


def test_removed_port_with_webhook_changes_row_19() -> None:
    """Argo CD's mocked dry-run response leaves out every server default a real dry run carries
    (progressDeadlineSeconds, strategy, dnsPolicy, probe thresholds...). Argo CD hides that by reverting
    fields its manager does not own; we take a prediction as the server's word, so those read as drift too.
    The verdict is the same, and the real change is there: port 8080, removed from Git, goes away."""
    row = ROWS[18]
    assert row.config == "smd-deploy2-config.yaml"
    result = run(row)
    predicted = load(row.predicted)
    port_8080 = f"{CONTAINER}/ports/1"
    by_path = {d.path: d for d in result.drift}
    assert by_path[port_8080].live == {"containerPort": 8080, "protocol": "TCP"}
    assert by_path[port_8080].git is None
    assert by_path[port_8080].manager == MANAGER
    for d in result.drift:
        if d.path != port_8080:
            assert d.git is None, d  # only in live: a default the mock does not carry
            with pytest.raises(KeyError):
                pointer.resolve(predicted, d.path)
    # The webhook-set resources are on both sides: not drift.
    assert f"{CONTAINER}/resources" not in by_path
