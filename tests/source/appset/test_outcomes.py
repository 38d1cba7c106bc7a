"""What an ApplicationSet says besides its Applications: generators that cannot run offline, checks on the
generated Applications, malformed manifests."""

from __future__ import annotations

from tests.source.appset.helpers import appset, expand, names, ok

LIST = {"list": {"elements": [{"name": "web"}, {"name": "api"}]}}
TEMPLATE = {"metadata": {"name": "{{.name}}"}, "spec": {"project": "default"}}


def _doc(*generators: dict, **spec: object) -> dict:
    return appset({"goTemplate": True, "generators": list(generators), "template": TEMPLATE, **spec})


def test_offline_generators_are_said_and_the_others_still_generate() -> None:
    pr = {"pullRequest": {"github": {"owner": "myorg", "repo": "myrepository"}}}
    scm = {"scmProvider": {"github": {"organization": "myorg"}}}
    plugin = {"plugin": {"configMapRef": {"name": "my-plugin"}}}
    cdr = {"clusterDecisionResource": {"configMapRef": "my-configmap", "name": "quak"}}
    result = ok(expand(_doc(pr, LIST, scm, plugin, cdr)))
    assert names(result) == ["web", "api"]
    assert result.notes == (
        "appset.yaml:1: ApplicationSet guestbook: spec.generators[0].pullRequest: generator pullRequest cannot be evaluated offline: its Applications are not shown",
        "appset.yaml:1: ApplicationSet guestbook: spec.generators[2].scmProvider: generator scmProvider cannot be evaluated offline: its Applications are not shown",
        "appset.yaml:1: ApplicationSet guestbook: spec.generators[3].plugin: generator plugin cannot be evaluated offline: its Applications are not shown",
        "appset.yaml:1: ApplicationSet guestbook: spec.generators[4].clusterDecisionResource: generator clusterDecisionResource cannot be evaluated offline: its Applications are not shown",
    )


def test_an_offline_generator_inside_a_matrix_stops_the_matrix_only() -> None:
    matrix = {"matrix": {"generators": [LIST, {"pullRequest": {"github": {"owner": "o", "repo": "r"}}}]}}
    result = ok(expand(_doc(matrix, {"list": {"elements": [{"name": "solo"}]}})))
    assert names(result) == ["solo"]
    assert result.notes == (
        "appset.yaml:1: ApplicationSet guestbook: spec.generators[0].matrix.generators[1].pullRequest: generator pullRequest cannot be evaluated offline: the matrix generator's Applications are not shown",
    )


def test_duplicate_names_are_the_error_and_argo_still_writes_the_others() -> None:
    """validateGeneratedApplications: every Application of a duplicated name is left out, the others are
    written; the condition says the duplicate."""
    result = expand(_doc({"list": {"elements": [{"name": "web"}, {"name": "api"}, {"name": "web"}]}}))
    assert (
        result.error
        == "appset.yaml:1: ApplicationSet guestbook: ApplicationSet guestbook contains applications with duplicate name: web"
    )
    assert [a["metadata"]["name"] for a in result.applications] == ["api"]


def test_no_name_and_invalid_names() -> None:
    result = expand(_doc({"list": {"elements": [{"name": ""}, {"name": "Bad_Name"}, {"name": "good"}]}}))
    assert [a["metadata"]["name"] for a in result.applications] == ["good"]
    assert result.error.startswith(
        "appset.yaml:1: ApplicationSet guestbook: ApplicationSet guestbook contains an application with no name"
    )
    assert result.error.endswith("(and 1 more)")


def test_unrecognized_generators_generate_nothing_and_are_said() -> None:
    """CheckInvalidGenerators only logs; the entry generates nothing."""
    result = ok(expand(_doc({"gitlab": {"project": "x"}}, LIST)))
    assert names(result) == ["web", "api"]
    assert result.notes == (
        "appset.yaml:1: ApplicationSet guestbook: spec.generators[0] names no generator Argo CD knows (gitlab): it generates nothing",
    )


def test_rolling_sync_is_noted_and_sync_policy_changes_nothing() -> None:
    result = ok(
        expand(
            _doc(
                LIST,
                strategy={"type": "RollingSync", "rollingSync": {"steps": []}},
                syncPolicy={"applicationsSync": "create-only"},
            )
        )
    )
    assert names(result) == ["web", "api"]
    assert result.notes == (
        "appset.yaml:1: ApplicationSet guestbook: spec.strategy RollingSync: Argo CD syncs the generated Applications step by step; the steps are not shown",
    )


def test_malformed_manifests_are_one_line_errors() -> None:
    assert (
        expand({"kind": "ApplicationSet", "metadata": {"name": "x"}}).error
        == "appset.yaml:1: ApplicationSet x: spec is missing"
    )
    assert (
        expand(appset({"generators": {"list": {}}})).error
        == "appset.yaml:1: ApplicationSet guestbook: spec.generators must be a list"
    )
    assert (
        expand(appset({"generators": ["list"]})).error
        == "appset.yaml:1: ApplicationSet guestbook: spec.generators[0] must be a mapping naming a generator"
    )
    assert (
        expand(appset({"generators": [{"list": {"elements": "x"}}]})).error
        == "appset.yaml:1: ApplicationSet guestbook: spec.generators[0].list.elements must be a list"
    )
    bad_selector = {"list": {"elements": [{"a": "b"}]}, "selector": {"matchLabels": {"path[0]": "x"}}}
    assert "key 'path[0]' is not a valid label key" in expand(appset({"generators": [bad_selector]})).error


def test_an_error_in_one_generator_generates_nothing_at_all() -> None:
    """GenerateApplications keeps the first error and the controller then writes no Application."""
    result = expand(_doc(LIST, {"list": {"elements": ["not a mapping"]}}))
    assert result.applications == ()
    assert (
        "spec.generators[1].list.elements[0]: error unmarshling list element json: cannot unmarshal string"
        in result.error
    )


def test_where_is_the_given_place() -> None:
    result = expand(appset({"generators": "x"}), where="<all-apps output>")
    assert result.error.startswith("<all-apps output>: ApplicationSet guestbook: ")
