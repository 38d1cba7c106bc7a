"""assess() always answers: malformed objects are Unknown with a reason, never an exception.

The objects come from Argo's corpus (real objects that reach every branch of every check), each with one
value somewhere replaced by a value of another JSON type, or removed.
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_tui.engine.health import assess
from gitops_tui.engine.health.assess import CHECKS
from gitops_tui.model import HealthResult, HealthStatus

ROOT = Path(__file__).resolve().parents[1] / "data" / "shared" / "peer-tests" / "argocd-health"


def _corpus() -> list[Any]:
    objects = []
    for tsv in ("expected.tsv", "expected-lua.tsv"):
        with (ROOT / tsv).open(newline="") as handle:
            names = [row[0] for row in list(csv.reader(handle, delimiter="\t"))[1:] if row]
        objects += [yaml.safe_load((ROOT / name).read_text()) for name in names]
    return objects


CORPUS = _corpus()

ODD_VALUES = [None, True, False, -1, 0, 2, 1.5, "", "x", "2", [], [1], ["x"], [None], [{}], {}, {"a": 1}]

Path_ = tuple[str | int, ...]


def paths(node: Any, prefix: Path_ = ()) -> list[Path_]:
    found: list[Path_] = []
    children: list[tuple[str | int, Any]] = []
    if isinstance(node, dict):
        children = list(node.items())
    elif isinstance(node, list):
        children = list(enumerate(node))
    for key, child in children:
        found.append((*prefix, key))
        found += paths(child, (*prefix, key))
    return found


@st.composite
def damaged_objects(draw: st.DrawFn) -> Any:
    obj = copy.deepcopy(draw(st.sampled_from(CORPUS)))
    # apiVersion and kind stay, so that the object still reaches its kind's check.
    candidates = [p for p in paths(obj) if p[0] not in ("apiVersion", "kind")]
    where = draw(st.sampled_from(candidates))
    parent = obj
    for key in where[:-1]:
        parent = parent[key]
    if isinstance(parent, dict) and draw(st.booleans()):
        del parent[where[-1]]
    else:
        parent[where[-1]] = draw(st.sampled_from(ODD_VALUES))
    return obj


@settings(max_examples=1500, deadline=None)
@given(damaged_objects())
def test_assess_always_answers_with_a_real_status(obj: Any) -> None:
    result = assess(obj)
    assert isinstance(result, HealthResult)
    assert result.status in set(HealthStatus)
    assert isinstance(result.message, str)


def test_wrong_types_are_unknown_with_the_field_named() -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {},
        "spec": {"replicas": "three"},
    }
    assert assess(deployment) == HealthResult(HealthStatus.UNKNOWN, "spec.replicas is a str, not an integer")
    pod = {"apiVersion": "v1", "kind": "Pod", "status": "Running"}
    assert assess(pod) == HealthResult(HealthStatus.UNKNOWN, "status is a str, not an object")
    job = {"apiVersion": "batch/v1", "kind": "Job", "status": {"conditions": [1]}}
    assert assess(job) == HealthResult(
        HealthStatus.UNKNOWN, "an entry of status.conditions is a int, not an object"
    )


def test_a_flawed_check_costs_one_resource_its_health_not_the_reconcile(monkeypatch: Any) -> None:
    def broken(obj: Any) -> HealthResult:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(CHECKS, ("", "Service"), broken)
    assert assess({"apiVersion": "v1", "kind": "Service"}) == HealthResult(
        HealthStatus.UNKNOWN, "health check failed: ZeroDivisionError: division by zero"
    )
