"""Matrix and merge generators and the post-selector, with the examples of Argo CD's docs
(Generators-Matrix.md, Generators-Merge.md, Generators-Post-Selector.md)."""

from __future__ import annotations

import json
from pathlib import Path

from gitops_tui.source.appset import ClusterInfo
from tests.source.appset.helpers import ARGO_REPO, appset, expand, names, ok, tree

STAGING = ClusterInfo(
    "staging",
    "https://1.2.3.4",
    labels={"environment": "staging", "use-kafka": "false", "kubernetes.io/environment": "dev"},
)
PRODUCTION = ClusterInfo(
    "production", "https://2.4.6.8", labels={"environment": "production", "kubernetes.io/environment": "prod"}
)


def _addons(root: Path) -> Path:
    return tree(
        root,
        {
            "applicationset/examples/matrix/cluster-addons/argo-workflows/kustomization.yaml": "",
            "applicationset/examples/matrix/cluster-addons/prometheus-operator/Chart.yaml": "",
        },
    )


def test_docs_matrix_git_directories_and_clusters(tmp_path: Path) -> None:
    """Generators-Matrix.md "Example: Git Directory generator + Cluster generator": every combination, the
    first generator's order outermost. (Argo walks cluster Secrets in Go map order, which is random; they are
    taken by name here.)"""
    doc = appset(
        """
goTemplate: true
goTemplateOptions: ["missingkey=error"]
generators:
  - matrix:
      generators:
        - git:
            repoURL: https://github.com/argoproj/argo-cd.git
            revision: HEAD
            directories:
              - path: applicationset/examples/matrix/cluster-addons/*
        - clusters:
            selector:
              matchLabels:
                argocd.argoproj.io/secret-type: cluster
template:
  metadata:
    name: '{{.path.basename}}-{{.name}}'
  spec:
    project: '{{index .metadata.labels "environment"}}'
    source:
      repoURL: https://github.com/argoproj/argo-cd.git
      targetRevision: HEAD
      path: '{{.path.path}}'
    destination:
      server: '{{.server}}'
      namespace: '{{.path.basename}}'
""",
        name="cluster-git",
    )
    result = ok(expand(doc, _addons(tmp_path), clusters=(STAGING, PRODUCTION)))
    assert names(result) == [
        "argo-workflows-production",
        "argo-workflows-staging",
        "prometheus-operator-production",
        "prometheus-operator-staging",
    ]
    assert result.applications[1]["spec"]["project"] == "staging"
    assert result.applications[1]["spec"]["destination"] == {
        "server": "https://1.2.3.4",
        "namespace": "argo-workflows",
    }


def test_docs_matrix_second_generator_uses_the_first_ones_parameters(tmp_path: Path) -> None:
    """Generators-Matrix.md "Using Parameters from one child generator in another child generator": the
    cluster selector's `{{.path.basename}}` resolves to dev / prod per config file."""
    base = "examples/git-generator-files-discovery/cluster-config/engineering"
    tree(tmp_path, {f"{base}/dev/config.json": "{}", f"{base}/prod/config.json": "{}"})
    doc = appset(
        """
goTemplate: true
goTemplateOptions: ["missingkey=error"]
generators:
  - matrix:
      generators:
        - git:
            repoURL: https://github.com/argoproj/applicationset.git
            revision: HEAD
            files:
              - path: "examples/git-generator-files-discovery/cluster-config/**/config.json"
        - clusters:
            selector:
              matchLabels:
                argocd.argoproj.io/secret-type: cluster
                kubernetes.io/environment: '{{.path.basename}}'
template:
  metadata:
    name: '{{.name}}-guestbook'
  spec:
    project: default
    destination:
      server: '{{.server}}'
      namespace: guestbook
""",
        name="cluster-git",
    )
    result = ok(
        expand(
            doc,
            tmp_path,
            remotes=("https://github.com/argoproj/applicationset",),
            clusters=(STAGING, PRODUCTION),
        )
    )
    assert names(result) == ["staging-guestbook", "production-guestbook"]


def test_docs_matrix_parameter_override(tmp_path: Path) -> None:
    """Generators-Matrix.md "Overriding parameters from one child generator in another": the first
    generator's values win over the second's, key by key."""
    tree(
        tmp_path,
        {
            "test/stage.values.yaml": "stageName: test\ncpuRequest: 100m\ndebugEnabled: true\n",
            "staging/stage.values.yaml": "stageName: staging\n",
            "production/stage.values.yaml": "stageName: production\nmemoryLimit: 512Mi\ndebugEnabled: false\n",
            "global.values.yaml": "cpuRequest: 200m\nmemoryLimit: 256Mi\ndebugEnabled: true\n",
        },
    )
    doc = appset(
        {
            "goTemplate": True,
            "generators": [
                {
                    "matrix": {
                        "generators": [
                            {
                                "git": {
                                    "repoURL": "https://github.com/example/values.git",
                                    "revision": "HEAD",
                                    "files": [{"path": "**/stage.values.yaml"}],
                                }
                            },
                            {
                                "git": {
                                    "repoURL": "https://github.com/example/values.git",
                                    "revision": "HEAD",
                                    "files": [{"path": "global.values.yaml"}],
                                }
                            },
                        ]
                    }
                }
            ],
            "template": {
                "metadata": {"name": "{{.stageName}}", "annotations": {"v": '{{ omit . "path" | toJson }}'}}
            },
        }
    )
    result = ok(expand(doc, tmp_path, remotes=("https://github.com/example/values",)))
    got = {a["metadata"]["name"]: json.loads(a["metadata"]["annotations"]["v"]) for a in result.applications}
    assert got == {
        "production": {
            "stageName": "production",
            "cpuRequest": "200m",
            "memoryLimit": "512Mi",
            "debugEnabled": False,
        },
        "staging": {
            "stageName": "staging",
            "cpuRequest": "200m",
            "memoryLimit": "256Mi",
            "debugEnabled": True,
        },
        "test": {"stageName": "test", "cpuRequest": "100m", "memoryLimit": "256Mi", "debugEnabled": True},
    }


def test_fasttemplate_matrix_conflicting_keys_are_an_error(tmp_path: Path) -> None:
    """Generators-Matrix.md: two git generators without pathParamPrefix clash on `path` (CombineStringMaps)."""
    tree(tmp_path, {"a/x/f": "", "b/y/f": ""})
    git = lambda p: {"git": {"repoURL": ARGO_REPO, "revision": "HEAD", "directories": [{"path": p}]}}  # noqa: E731
    doc = appset(
        {
            "generators": [{"matrix": {"generators": [git("a/*"), git("b/*")]}}],
            "template": {"metadata": {"name": "{{path.basename}}"}},
        }
    )
    result = expand(doc, tmp_path)
    assert result.applications == ()
    assert "found duplicate key path with different value, a: a/x ,b: b/y" in result.error


def test_matrix_needs_exactly_two_children() -> None:
    doc = appset(
        {"generators": [{"matrix": {"generators": [{"list": {"elements": [{"a": "1"}]}}]}}], "template": {}}
    )
    assert "found less than two generators, Matrix support only two" in expand(doc).error


def test_nested_matrix_in_matrix() -> None:
    lst = lambda key, *vals: {"list": {"elements": [{key: v} for v in vals]}}  # noqa: E731
    doc = appset(
        {
            "goTemplate": True,
            "generators": [
                {
                    "matrix": {
                        "generators": [
                            lst("a", "1", "2"),
                            {"matrix": {"generators": [lst("b", "x"), lst("c", "p", "q")]}},
                        ]
                    }
                }
            ],
            "template": {"metadata": {"name": "n{{.a}}-{{.b}}-{{.c}}"}},
        }
    )
    assert names(expand(doc)) == ["n1-x-p", "n1-x-q", "n2-x-p", "n2-x-q"]


DOCS_MERGE = """
goTemplate: {go}
generators:
  - merge:
      mergeKeys:
        - server
      generators:
        - clusters:
            values:
              kafka: 'true'
              redis: 'false'
        - clusters:
            selector:
              matchLabels:
                use-kafka: 'false'
            values:
              kafka: 'false'
        - list:
            elements:
              - server: https://2.4.6.8
                values.redis: 'true'
template:
  metadata:
    name: '{name}'
  spec:
    project: default
    source:
      repoURL: https://github.com/argoproj/argo-cd.git
      targetRevision: HEAD
      path: app
      helm:
        parameters:
          - name: kafka
            value: '{kafka}'
          - name: redis
            value: '{redis}'
    destination:
      server: '{server}'
      namespace: default
"""


def _merge_doc(go: bool) -> dict:
    if go:
        text = DOCS_MERGE.format(
            go="true",
            name="{{.name}}",
            kafka="{{.values.kafka}}",
            redis="{{.values.redis}}",
            server="{{.server}}",
        )
    else:
        text = DOCS_MERGE.format(
            go="false",
            name="{{name}}",
            kafka="{{values.kafka}}",
            redis="{{values.redis}}",
            server="{{server}}",
        )
    return appset(text, name="cluster-git")


def _helm(result) -> dict[str, list[str]]:
    return {
        a["metadata"]["name"]: [p["value"] for p in a["spec"]["source"]["helm"]["parameters"]]
        for a in result.applications
    }


def test_docs_merge_example_fasttemplate() -> None:
    """Generators-Merge.md "Base Cluster generator + override Cluster generator + List generator": the
    final output the docs give (staging kafka false, production redis true), the local cluster included."""
    result = ok(expand(_merge_doc(go=False), clusters=(STAGING, PRODUCTION)))
    assert _helm(result) == {
        "production": ["true", "true"],
        "staging": ["false", "false"],
        "in-cluster": ["true", "false"],
    }


def test_docs_merge_example_with_go_template_follows_the_code_not_the_docs() -> None:
    """The docs run that example with goTemplate, but there the list element's `values.redis` is a key of its
    own (goTemplate parameters are nested maps): it does not override `.values.redis`, so production keeps
    redis 'false'. merge.go merges maps with mergo, so this is what the controller does."""
    result = ok(expand(_merge_doc(go=True), clusters=(STAGING, PRODUCTION)))
    assert _helm(result) == {
        "production": ["true", "false"],
        "staging": ["false", "false"],
        "in-cluster": ["true", "false"],
    }


def test_merge_duplicate_merge_key_is_an_error() -> None:
    lst = {"list": {"elements": [{"k": "a"}, {"k": "a"}]}}
    doc = appset(
        {
            "goTemplate": True,
            "generators": [{"merge": {"mergeKeys": ["k"], "generators": [lst, lst]}}],
            "template": {},
        }
    )
    assert 'Duplicate key was {"k":"a"}' in expand(doc).error
    no_keys = appset({"generators": [{"merge": {"generators": [lst, lst]}}], "template": {}})
    assert "no merge keys were specified" in expand(no_keys).error


def test_merge_keys_compare_numbers_as_json_numbers() -> None:
    """A YAML 3 and a 3.0 are both the float64 3 in the controller, so they merge."""
    doc = appset(
        {
            "goTemplate": True,
            "generators": [
                {
                    "merge": {
                        "mergeKeys": ["n"],
                        "generators": [
                            {"list": {"elements": [{"n": 3, "v": "base"}]}},
                            {"list": {"elements": [{"n": 3.0, "v": "override"}]}},
                        ],
                    }
                }
            ],
            "template": {"metadata": {"name": "{{.v}}"}},
        }
    )
    assert names(expand(doc)) == ["override"]


def test_docs_post_selector() -> None:
    """Generators-Post-Selector.md: matchLabels and the equivalent matchExpressions keep the staging element."""
    elements = [
        {"cluster": "engineering-dev", "url": "https://kubernetes.default.svc", "env": "staging"},
        {"cluster": "engineering-prod", "url": "https://kubernetes.default.svc", "env": "prod"},
    ]
    for selector in (
        {"matchLabels": {"env": "staging"}},
        {"matchExpressions": [{"key": "env", "operator": "In", "values": ["staging"]}]},
    ):
        doc = appset(
            {
                "goTemplate": True,
                "generators": [{"list": {"elements": elements}, "selector": selector}],
                "template": {"metadata": {"name": "{{.cluster}}"}},
            }
        )
        assert names(expand(doc)) == ["engineering-dev"]


def test_post_selector_sees_flattened_parameters_and_server_urls(tmp_path: Path) -> None:
    """The post-selector's values are not validated (Argo's own LabelSelectorAsSelector), so a URL matches;
    goTemplate parameters are flattened (`path.basename`); a `[]string` such as path.segments is printed
    whole, not split."""
    tree(tmp_path, {"apps/web/f": "", "apps/api/f": ""})
    git = {"git": {"repoURL": ARGO_REPO, "revision": "HEAD", "directories": [{"path": "apps/*"}]}}
    doc = appset(
        {
            "goTemplate": True,
            "generators": [{**git, "selector": {"matchLabels": {"path.basename": "web"}}}],
            "template": {"metadata": {"name": "{{.path.basename}}"}},
        }
    )
    assert names(expand(doc, tmp_path)) == ["web"]
    segs = appset(
        {
            "goTemplate": True,
            "generators": [
                {
                    **git,
                    "selector": {
                        "matchExpressions": [
                            {"key": "path.segments", "operator": "In", "values": ["[apps api]"]}
                        ]
                    },
                }
            ],
            "template": {"metadata": {"name": "{{.path.basename}}"}},
        }
    )
    assert names(expand(segs, tmp_path)) == ["api"]
    url = appset(
        {
            "generators": [
                {"clusters": {}, "selector": {"matchLabels": {"server": "https://kubernetes.default.svc"}}}
            ],
            "template": {"metadata": {"name": "{{name}}"}},
        }
    )
    assert names(expand(url)) == ["in-cluster"]


def test_generator_template_overrides_the_application_set_template() -> None:
    """Template.md "Generator Templates": the generator's template wins field by field, the rest comes from
    the ApplicationSet's (mergo.Merge without override: a non-empty list is kept whole)."""
    doc = appset(
        {
            "goTemplate": True,
            "generators": [
                {
                    "list": {
                        "elements": [{"c": "dev"}],
                        "template": {
                            "metadata": {"labels": {"own": "yes"}},
                            "spec": {
                                "source": {"path": "override/{{.c}}"},
                                "syncPolicy": {"syncOptions": ["A=1"]},
                            },
                        },
                    }
                },
                {"list": {"elements": [{"c": "prod"}]}},
            ],
            "template": {
                "metadata": {"name": "{{.c}}", "labels": {"base": "yes"}},
                "spec": {
                    "project": "p",
                    "source": {"repoURL": "r", "path": "base/{{.c}}"},
                    "syncPolicy": {"syncOptions": ["B=1", "C=1"]},
                },
            },
        }
    )
    dev, prod = ok(expand(doc)).applications
    assert dev["metadata"]["labels"] == {"own": "yes", "base": "yes"}
    assert dev["spec"]["source"] == {"path": "override/dev", "repoURL": "r"}
    assert dev["spec"]["syncPolicy"] == {"syncOptions": ["A=1"]}
    assert prod["spec"]["source"] == {"repoURL": "r", "path": "base/prod"}


def test_matrix_values_interpolation_defers_the_second_generators_own_keys(tmp_path: Path) -> None:
    """utils_test.go TestRenderGeneratorParams_ValuesInterpolation ("mixed — cross-generator resolves,
    self-referential defers"), end to end: `{{.path.basename}}` comes from the first generator when the
    matrix interpolates, `{{.name}}` is missing then and kept, and the clusters generator fills it in."""
    tree(tmp_path, {"apps/guestbook/f": ""})
    for options in (["missingkey=error"], []):
        doc = appset(
            {
                "goTemplate": True,
                "goTemplateOptions": options,
                "generators": [
                    {
                        "matrix": {
                            "generators": [
                                {
                                    "git": {
                                        "repoURL": ARGO_REPO,
                                        "revision": "HEAD",
                                        "directories": [{"path": "apps/*"}],
                                    }
                                },
                                {
                                    "clusters": {
                                        "selector": {"matchLabels": {"environment": "staging"}},
                                        "values": {"env": "{{.path.basename}}", "clusterName": "{{.name}}"},
                                    }
                                },
                            ]
                        }
                    }
                ],
                "template": {"metadata": {"name": "{{.values.env}}-{{.values.clusterName}}"}},
            }
        )
        assert names(expand(doc, tmp_path, clusters=(STAGING, PRODUCTION))) == ["guestbook-staging"]


def test_matrix_second_generator_strings_see_only_the_first_ones_parameters(tmp_path: Path) -> None:
    """Interpolation renders every string of the second generator with the first's parameters, its own
    template included: with missingkey=error a key of its own is an error there (not deferred)."""
    doc = appset(
        {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [
                {
                    "matrix": {
                        "generators": [
                            {"list": {"elements": [{"a": "1"}]}},
                            {"list": {"elements": [{"b": "{{.a}}-{{.missing}}"}]}},
                        ]
                    }
                }
            ],
            "template": {"metadata": {"name": "x{{.b}}"}},
        }
    )
    assert expand(doc).error == (
        "appset.yaml:1: ApplicationSet guestbook: spec.generators[0].matrix.generators[1].list.elements[0].b for "
        'spec.generators[0].matrix.generators[0].list.elements[0]: map has no entry for key "missing" (at <.missing>)'
    )
