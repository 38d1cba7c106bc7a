"""managedFields: parsing FieldsV1 against the live object, ownership, takeovers, csaupgrade, conflicts."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from gitops_tui.engine.fieldpath import field_paths
from gitops_tui.engine.managedfields import (
    Ownership,
    csa_migration_patch,
    entries,
    is_client_side_applied,
    owner,
    parse_conflict,
    takeovers,
)
from gitops_tui.model import TakenOverField

T1, T2, T3 = "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"


def live_object() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "labels": {"app": "web", "team": "x"},
            "finalizers": ["example.com/guard"],
            "resourceVersion": "42",
            "managedFields": [
                {
                    "manager": "gitops-tui",
                    "operation": "Apply",
                    "apiVersion": "apps/v1",
                    "fieldsType": "FieldsV1",
                    # no `time`: an apply that changed nothing
                    "fieldsV1": {
                        "f:metadata": {"f:labels": {"f:app": {}}},
                        "f:spec": {
                            "f:selector": {},
                            "f:template": {
                                "f:spec": {
                                    "f:containers": {
                                        'k:{"name":"web"}': {
                                            ".": {},
                                            "f:name": {},
                                            "f:image": {},
                                            "f:env": {
                                                'k:{"name":"A"}': {".": {}, "f:name": {}, "f:value": {}}
                                            },
                                            "f:ports": {
                                                'k:{"containerPort":80,"protocol":"TCP"}': {
                                                    ".": {},
                                                    "f:containerPort": {},
                                                }
                                            },
                                        }
                                    }
                                }
                            },
                        },
                    },
                },
                {
                    "manager": "kubectl-edit",
                    "operation": "Update",
                    "apiVersion": "apps/v1",
                    "time": T2,
                    "fieldsV1": {
                        "f:metadata": {
                            "f:labels": {"f:team": {}},
                            "f:finalizers": {'v:"example.com/guard"': {}},
                        },
                        "f:spec": {
                            "f:template": {
                                "f:spec": {
                                    "f:containers": {
                                        'k:{"name":"web"}': {
                                            "f:env": {
                                                'k:{"name":"B"}': {".": {}, "f:name": {}, "f:value": {}}
                                            },
                                            "f:args": {"i:0": {}},
                                        }
                                    }
                                }
                            }
                        },
                    },
                },
                {
                    "manager": "kubectl",
                    "operation": "Update",
                    "subresource": "scale",
                    "apiVersion": "apps/v1",
                    "fieldsV1": {"f:spec": {"f:replicas": {}}},
                },
                {
                    "manager": "kube-controller-manager",
                    "operation": "Update",
                    "subresource": "status",
                    "apiVersion": "apps/v1",
                    "time": T3,
                    "fieldsV1": {"f:status": {"f:replicas": {}}},
                },
            ],
        },
        "spec": {
            "replicas": 5,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:1.27",
                            "args": ["--x"],
                            # strategic merge put B first (fixture 03): matched by key, not index
                            "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
                            "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        }
                    ]
                }
            },
        },
        "status": {"replicas": 5},
    }


def test_entries_tolerate_a_missing_time() -> None:
    parsed = entries(live_object())
    assert [(e.manager, e.operation, e.subresource, e.time) for e in parsed] == [
        ("gitops-tui", "Apply", "", None),
        ("kubectl-edit", "Update", "", T2),
        ("kubectl", "Update", "scale", None),
        ("kube-controller-manager", "Update", "status", T3),
    ]
    assert entries({"metadata": {}}) == ()


def test_field_paths_of_a_trie() -> None:
    tree = entries(live_object())[1].fields
    paths = set(field_paths(tree))
    assert (("f", "metadata"), ("f", "labels"), ("f", "team")) in paths
    assert (("f", "metadata"), ("f", "finalizers"), ("v", '"example.com/guard"')) in paths
    env_b = ("f", "spec"), ("f", "template"), ("f", "spec"), ("f", "containers"), ("k", '{"name":"web"}')
    assert (*env_b, ("f", "env"), ("k", '{"name":"B"}')) in paths
    assert (*env_b, ("f", "args"), ("i", "0")) in paths
    # A node without "." is not itself owned, only its children.
    assert env_b not in paths


@pytest.mark.parametrize(
    ("ptr", "expected"),
    [
        ("/spec/replicas", ("kubectl", None)),  # scale subresource, no time
        ("/spec/template/spec/containers/0/image", ("gitops-tui", None)),
        ("/spec/template/spec/containers/0/env/0", ("kubectl-edit", T2)),  # B, matched by key
        ("/spec/template/spec/containers/0/env/1/value", ("gitops-tui", None)),  # A
        ("/spec/template/spec/containers/0/args/0", ("kubectl-edit", T2)),  # by index
        ("/metadata/finalizers/0", ("kubectl-edit", T2)),  # by value
        ("/metadata/labels/team", ("kubectl-edit", T2)),
        ("/spec/selector/matchLabels/app", ("gitops-tui", None)),  # an atomic ancestor owns it
        ("/status/replicas", ("kube-controller-manager", T3)),
        # Nobody owns it whole; the manager who owns most recently a part of it is the best answer.
        ("/metadata/labels", ("kubectl-edit", T2)),
        ("/spec/paused", (None, None)),
        ("/spec/template/spec/containers/3", (None, None)),
    ],
)
def test_owner_is_the_most_specific_entry(ptr: str, expected: tuple[str | None, str | None]) -> None:
    assert owner(live_object(), ptr) == expected


def test_spec_paths_prefer_non_status_writers_among_equals() -> None:
    live = live_object()
    live["metadata"]["managedFields"][3]["fieldsV1"]["f:spec"] = {"f:replicas": {}}
    # Both kubectl (scale) and the status writer own replicas; the status writer is more recent.
    assert owner(live, "/spec/replicas") == ("kubectl", None)


def test_shared_ownership_names_the_latest_writer() -> None:
    live = live_object()
    live["metadata"]["managedFields"][1]["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"][
        'k:{"name":"web"}'
    ]["f:image"] = {}
    assert owner(live, "/spec/template/spec/containers/0/image") == ("kubectl-edit", T2)
    owners = Ownership(live).owners("/spec/template/spec/containers/0/image")
    assert {e.manager for e in owners} == {"gitops-tui", "kubectl-edit"}


def test_client_side_applied() -> None:
    assert not is_client_side_applied(live_object())
    annotated = live_object()
    annotated["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": "{}"}
    assert is_client_side_applied(annotated)
    for name in ("kubectl-client-side-apply", "before-first-apply"):
        managed = live_object()
        managed["metadata"]["managedFields"][1]["manager"] = name
        assert is_client_side_applied(managed)


def desired() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", "team": "y"}},
        "spec": {
            "replicas": 3,
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:1.27",
                            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}],
                            "ports": [{"containerPort": 80}],
                        }
                    ]
                }
            },
        },
    }


def test_takeovers_list_other_managers_fields_whose_value_changes() -> None:
    assert takeovers(live_object(), desired(), "gitops-tui") == (
        TakenOverField("/metadata/labels/team", "kubectl-edit"),
        TakenOverField("/spec/replicas", "kubectl"),
        # The server names the leaf whose value changes, not the item.
        TakenOverField("/spec/template/spec/containers/[name=web]/env/[name=B]/value", "kubectl-edit"),
    )


def test_no_takeover_of_equal_values_or_our_own_fields() -> None:
    same = desired()
    same["metadata"]["labels"]["team"] = "x"
    same["spec"]["replicas"] = 5
    same["spec"]["template"]["spec"]["containers"][0]["env"][1]["value"] = "2"
    assert takeovers(live_object(), same, "gitops-tui") == ()
    assert takeovers(live_object(), desired(), "kubectl-edit") == (
        TakenOverField("/spec/replicas", "kubectl"),
    )


def csa_live() -> dict[str, Any]:
    return {
        "metadata": {
            "resourceVersion": "9",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
            "managedFields": [
                {
                    "manager": "kube-controller-manager",
                    "operation": "Update",
                    "subresource": "status",
                    "apiVersion": "apps/v1",
                    "fieldsV1": {"f:status": {"f:replicas": {}}},
                },
                {
                    "manager": "kubectl-client-side-apply",
                    "operation": "Update",
                    "apiVersion": "apps/v1",
                    "time": T1,
                    "fieldsV1": {"f:spec": {"f:replicas": {}, "f:paused": {}}},
                },
            ],
        }
    }


def test_csa_migration_converts_the_client_side_entry_when_we_have_none() -> None:
    live = csa_live()
    before = copy.deepcopy(live)
    patch = csa_migration_patch(live, "gitops-tui")
    assert live == before
    assert patch == [
        {
            "op": "replace",
            "path": "/metadata/managedFields",
            "value": [
                before["metadata"]["managedFields"][0],
                {
                    "manager": "gitops-tui",
                    "operation": "Apply",
                    "apiVersion": "apps/v1",
                    "time": T1,
                    "fieldsV1": {"f:spec": {"f:paused": {}, "f:replicas": {}}},
                },
            ],
        },
        {"op": "replace", "path": "/metadata/resourceVersion", "value": "9"},
    ]


def test_csa_migration_merges_into_our_apply_entry() -> None:
    live = csa_live()
    live["metadata"]["managedFields"].insert(
        0,
        {
            "manager": "gitops-tui",
            "operation": "Apply",
            "apiVersion": "apps/v1",
            "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {"f:metadata": {}}}},
        },
    )
    live["metadata"]["managedFields"].append(
        {
            "manager": "before-first-apply",
            "operation": "Update",
            "apiVersion": "apps/v1",
            "fieldsV1": {"f:metadata": {"f:labels": {"f:a": {}}}},
        }
    )
    patch = csa_migration_patch(live, "gitops-tui")
    assert patch is not None
    managed = patch[0]["value"]
    assert [m["manager"] for m in managed] == ["gitops-tui", "kube-controller-manager"]
    assert managed[0]["fieldsV1"] == {
        "f:metadata": {"f:labels": {"f:a": {}}},
        "f:spec": {"f:paused": {}, "f:replicas": {}, "f:template": {"f:metadata": {}}},
    }


def test_csa_migration_ignores_other_api_versions_and_subresources() -> None:
    live = csa_live()
    live["metadata"]["managedFields"][1]["subresource"] = "scale"
    assert csa_migration_patch(live, "gitops-tui") is None
    assert csa_migration_patch({"metadata": {}}, "gitops-tui") is None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: '
            ".spec.replicas",
            [("/spec/replicas", "kubectl")],
        ),
        (
            'error: Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: '
            '.spec.ports[port=80,protocol="TCP"].targetPort',
            [("/spec/ports/[port=80,protocol=TCP]/targetPort", "kubectl-patch")],
        ),
        (
            'Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: .data.nginx.conf',
            [("/data/nginx.conf", "kubectl-patch")],
        ),
        (
            'Apply failed with 1 conflict: conflict with "helm": .metadata.labels.app.kubernetes.io/name',
            [("/metadata/labels/app.kubernetes.io~1name", "helm")],
        ),
        (
            "Apply failed with 3 conflicts: "
            'conflicts with "kubectl-edit" using apps/v1 at 2026-01-02T00:00:00Z:\n'
            "- .spec.replicas\n"
            '- .spec.template.spec.containers[name="web"].image\n'
            'conflicts with "vpa \\"recommender\\"" using apps/v1:\n'
            '- .metadata.finalizers[="example.com/guard"]\n'
            '- .spec.template.spec.containers[name="web"].args[0]',
            [
                ("/spec/replicas", "kubectl-edit"),
                ("/spec/template/spec/containers/[name=web]/image", "kubectl-edit"),
                ("/metadata/finalizers/[=example.com/guard]", 'vpa "recommender"'),
                ("/spec/template/spec/containers/[name=web]/args/[0]", 'vpa "recommender"'),
            ],
        ),
        ("Internal error occurred: something else", []),
    ],
)
def test_parse_conflict(message: str, expected: list[tuple[str, str]]) -> None:
    assert [(t.path, t.manager) for t in parse_conflict(message)] == expected
