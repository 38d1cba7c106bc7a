"""The clusters generator over the clusters the lead gives (Argo's cluster Secrets are not in Git), with the
examples of docs/operator-manual/applicationset/Generators-Cluster.md."""

from __future__ import annotations

from gitops_tui.source.appset import ClusterInfo
from tests.source.appset.helpers import appset, expand, names, ok

STAGING = ClusterInfo(
    "staging", "https://10.0.0.2", labels={"staging": "true", "region": "eu"}, annotations={"team": "web"}
)
PROD = ClusterInfo("prod_cluster", "https://10.0.0.3", labels={"env": "prod", "region": "us"}, project="ops")


def _doc(
    generator: dict, *, go: bool = True, name: str = "{{.name}}-guestbook", extra: dict | None = None
) -> dict:
    meta = {"name": name, **(extra or {})}
    return appset(
        {
            "goTemplate": go,
            "generators": [{"clusters": generator}],
            "template": {
                "metadata": meta,
                "spec": {
                    "project": "my-project",
                    "destination": {
                        "server": "{{.server}}" if go else "{{server}}",
                        "namespace": "guestbook",
                    },
                },
            },
        }
    )


def test_all_clusters_and_the_local_one() -> None:
    """`clusters: {}`: every cluster, then the local `in-cluster` Argo CD adds when no Secret names
    https://kubernetes.default.svc (cluster.go)."""
    result = ok(expand(_doc({}, name="{{.nameNormalized}}-guestbook"), clusters=(STAGING, PROD)))
    assert names(result) == ["prod-cluster-guestbook", "staging-guestbook", "in-cluster-guestbook"]
    assert result.applications[2]["spec"]["destination"]["server"] == "https://kubernetes.default.svc"


def test_a_cluster_secret_for_the_local_server_replaces_the_implicit_one() -> None:
    local = ClusterInfo("in-cluster-local", "https://kubernetes.default.svc")
    assert names(expand(_doc({}), clusters=(local,))) == ["in-cluster-local-guestbook"]


def test_docs_label_selector_and_match_expressions() -> None:
    """Generators-Cluster.md "Label selector": matchLabels and the set-based form; a selector leaves the
    local cluster out (it has no Secret, hence no labels)."""
    assert names(
        expand(_doc({"selector": {"matchLabels": {"staging": "true"}}}), clusters=(STAGING, PROD))
    ) == ["staging-guestbook"]
    expr = {"selector": {"matchExpressions": [{"key": "region", "operator": "In", "values": ["us", "ap"]}]}}
    # `{{.name}}` keeps the underscore, which the API server refuses (the docs' reason for nameNormalized)
    raw = expand(_doc(expr), clusters=(STAGING, PROD))
    assert raw.applications == () and 'Application name "prod_cluster-guestbook" is invalid' in raw.error
    assert names(expand(_doc(expr, name="{{.nameNormalized}}"), clusters=(STAGING, PROD))) == ["prod-cluster"]
    not_in = {"selector": {"matchExpressions": [{"key": "staging", "operator": "DoesNotExist"}]}}
    assert names(expand(_doc(not_in, name="{{.nameNormalized}}"), clusters=(STAGING, PROD))) == [
        "prod-cluster"
    ]


def test_selecting_on_the_secret_type_label_matches_every_secret_but_not_the_local_cluster() -> None:
    """Generators-Cluster.md "Deploying to the local cluster": every cluster Secret carries
    argocd.argoproj.io/secret-type=cluster; the local cluster has no Secret."""
    sel = {"selector": {"matchLabels": {"argocd.argoproj.io/secret-type": "cluster"}}}
    assert names(expand(_doc(sel, name="{{.nameNormalized}}"), clusters=(STAGING, PROD))) == [
        "prod-cluster",
        "staging",
    ]


def test_go_template_metadata_and_project() -> None:
    """Generators-Cluster.md / GoTemplate.md: `{{ index .metadata.labels "my-label" }}`, `.project`."""
    extra = {
        "labels": {
            "region": '{{ index .metadata.labels "region" }}',
            "team": '{{ dig "annotations" "team" "none" .metadata }}',
            "project": "p-{{.project}}",
        }
    }
    result = ok(
        expand(
            _doc({"selector": {"matchLabels": {"region": "us"}}}, name="{{.nameNormalized}}", extra=extra),
            clusters=(STAGING, PROD),
        )
    )
    assert result.applications[0]["metadata"]["labels"] == {
        "region": "us",
        "team": "none",
        "project": "p-ops",
    }


def test_fasttemplate_metadata_parameters() -> None:
    extra = {
        "labels": {
            "team": "{{metadata.annotations.team}}",
            "region": "{{metadata.labels.region}}",
            "t": "{{metadata.labels.argocd.argoproj.io/secret-type}}",
        }
    }
    result = ok(
        expand(
            _doc({"selector": {"matchLabels": {"staging": "true"}}}, go=False, name="{{name}}", extra=extra),
            clusters=(STAGING,),
        )
    )
    assert result.applications[0]["metadata"]["labels"] == {"team": "web", "region": "eu", "t": "cluster"}


def test_values_and_flat_list() -> None:
    """`values` are templated with each cluster's parameters; `flatList` gives one parameter set holding
    every cluster as `.clusters`."""
    doc = _doc({"values": {"ns": "ns-{{.name}}"}}, name="{{.values.ns}}")
    assert names(expand(doc, clusters=(STAGING,))) == ["ns-staging", "ns-in-cluster"]
    flat = appset(
        {
            "goTemplate": True,
            "generators": [{"clusters": {"flatList": True}}],
            "template": {
                "metadata": {
                    "name": "all",
                    "annotations": {"servers": "{{ range .clusters }}{{ .name }} {{ end }}"},
                }
            },
        }
    )
    assert ok(expand(flat, clusters=(STAGING, PROD))).applications[0]["metadata"]["annotations"] == {
        "servers": "prod_cluster staging in-cluster "
    }


def test_an_invalid_selector_is_an_error() -> None:
    result = expand(
        _doc({"selector": {"matchExpressions": [{"key": "a", "operator": "Gte", "values": ["1"]}]}}),
        clusters=(STAGING,),
    )
    assert (
        result.error
        == 'appset.yaml:1: ApplicationSet guestbook: error converting label selector: spec.generators[0].clusters.selector.matchExpressions[0]: "Gte" is not a valid label selector operator'
    )
