"""The list generator, with the examples of Argo CD's docs (docs/operator-manual/applicationset/Generators-List.md)."""

from __future__ import annotations

from tests.source.appset.helpers import appset, expand, field, names, ok

DOCS_LIST = """
goTemplate: true
goTemplateOptions: ["missingkey=error"]
generators:
- list:
    elements:
    - cluster: engineering-dev
      url: https://kubernetes.default.svc
    - cluster: engineering-prod
      url: https://kubernetes.default.svc
template:
  metadata:
    name: '{{.cluster}}-guestbook'
  spec:
    project: "my-project"
    source:
      repoURL: https://github.com/argoproj/argo-cd.git
      targetRevision: HEAD
      path: applicationset/examples/list-generator/guestbook/{{.cluster}}
    destination:
      server: '{{.url}}'
      namespace: guestbook
"""


def test_docs_list_example_go_template() -> None:
    """Generators-List.md, first example (with its second element uncommented)."""
    result = ok(expand(appset(DOCS_LIST)))
    assert names(result) == ["engineering-dev-guestbook", "engineering-prod-guestbook"]
    app = result.applications[0]
    assert app == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {
            "name": "engineering-dev-guestbook",
            "namespace": "argocd",
            "finalizers": ["resources-finalizer.argocd.argoproj.io"],
        },
        "spec": {
            "project": "my-project",
            "source": {
                "repoURL": "https://github.com/argoproj/argo-cd.git",
                "targetRevision": "HEAD",
                "path": "applicationset/examples/list-generator/guestbook/engineering-dev",
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
        },
    }


def test_fasttemplate_list_with_values_block() -> None:
    """The v0.1.0 form of Generators-List.md: `values` of an element become `values.<key>` parameters."""
    doc = appset(
        {
            "generators": [
                {
                    "list": {
                        "elements": [
                            {
                                "cluster": "engineering-dev",
                                "url": "https://1.2.3.4",
                                "values": {"additional": "value"},
                            }
                        ]
                    }
                }
            ],
            "template": {
                "metadata": {"name": "{{cluster}}-{{ values.additional }}"},
                "spec": {"project": "default", "destination": {"server": "{{url}}", "namespace": "x"}},
            },
        }
    )
    result = ok(expand(doc))
    assert names(result) == ["engineering-dev-value"]
    assert field(result.applications[0], "spec.destination.server") == "https://1.2.3.4"


def test_fasttemplate_list_element_must_hold_strings() -> None:
    """Without goTemplate a list element's values must be strings (list.go: "error parsing value as string")."""
    doc = appset(
        {
            "generators": [{"list": {"elements": [{"cluster": "a", "replicas": 3}]}}],
            "template": {"metadata": {"name": "{{cluster}}"}},
        }
    )
    result = expand(doc)
    assert result.applications == ()
    assert result.error.startswith(
        "appset.yaml:1: ApplicationSet guestbook: spec.generators[0].list.elements[0].replicas: error parsing value as string"
    )


def test_go_template_elements_keep_structure_and_numbers_print_as_go_floats() -> None:
    """goTemplate elements are the decoded JSON: nested maps are reachable and a number is a float64, which
    text/template prints in Go's shortest form (1e+06 for a million)."""
    doc = appset(
        {
            "goTemplate": True,
            "generators": [{"list": {"elements": [{"app": {"name": "web"}, "replicas": 3, "big": 1000000}]}}],
            "template": {
                "metadata": {
                    "name": "{{.app.name}}",
                    "annotations": {"r": "{{.replicas}}", "b": "{{ .big }}"},
                }
            },
        }
    )
    app = ok(expand(doc)).applications[0]
    assert app["metadata"]["annotations"] == {"r": "3", "b": "1e+06"}


def test_elements_yaml_from_a_matrix_first_generator(tmp_path) -> None:
    """Generators-List.md "Dynamically generated elements": a git files generator feeding `elementsYaml`."""
    from tests.source.appset.helpers import tree

    tree(
        tmp_path,
        {
            "applicationset/examples/list-generator/list-elementsYaml-example.yaml": """
key:
  components:
    - name: component1
      chart: podinfo
      version: "6.3.2"
      releaseName: component1
      repoUrl: "https://stefanprodan.github.io/podinfo"
      namespace: component1
    - name: component2
      chart: podinfo
      version: "6.3.3"
      releaseName: component2
      repoUrl: "ghcr.io/stefanprodan/charts"
      namespace: component2
"""
        },
    )
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
        files:
        - path: applicationset/examples/list-generator/list-elementsYaml-example.yaml
    - list:
        elementsYaml: "{{ .key.components | toJson }}"
template:
  metadata:
    name: '{{.name}}'
  spec:
    project: default
    syncPolicy:
      automated:
        selfHeal: true
      syncOptions:
      - CreateNamespace=true
    sources:
      - chart: '{{.chart}}'
        repoURL: '{{.repoUrl}}'
        targetRevision: '{{.version}}'
        helm:
          releaseName: '{{.releaseName}}'
    destination:
      server: https://kubernetes.default.svc
      namespace: '{{.namespace}}'
""",
        name="elements-yaml",
    )
    result = ok(expand(doc, tmp_path))
    assert names(result) == ["component1", "component2"]
    second = result.applications[1]
    assert second["spec"]["sources"] == [
        {
            "chart": "podinfo",
            "repoURL": "ghcr.io/stefanprodan/charts",
            "targetRevision": "6.3.3",
            "helm": {"releaseName": "component2"},
        }
    ]
    assert second["spec"]["destination"]["namespace"] == "component2"


def test_an_empty_element_leaves_the_template_untouched() -> None:
    """RenderTemplateParams returns the template as is for no parameters (utils_test.go "Test No Data"), and
    adds no finalizer then."""
    doc = appset(
        {
            "goTemplate": True,
            "generators": [{"list": {"elements": [{}]}}],
            "template": {"metadata": {"name": "{{.data}}"}},
        }
    )
    result = expand(doc)
    assert result.applications == ()  # "{{.data}}" is not a valid name: the API server refuses it
    assert 'Application name "{{.data}}" is invalid' in result.error
