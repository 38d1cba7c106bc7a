"""templatePatch: Template.md "Template Patch" and applicationset/controllers/template/patch_test.go."""

from __future__ import annotations

from typing import Any

import pytest

from tests.source.appset.helpers import appset, expand, ok

GUESTBOOK = {
    "metadata": {"name": "my-cluster-guestbook"},
    "spec": {
        "project": "default",
        "source": {
            "repoURL": "https://github.com/argoproj/argocd-example-apps.git",
            "targetRevision": "HEAD",
            "path": "guestbook",
        },
        "destination": {"server": "https://kubernetes.default.svc", "namespace": "guestbook"},
    },
}
PATCH_JSON = """{
  "metadata": {"annotations": {"annotation-some-key": "annotation-some-value"}},
  "spec": {"source": {"helm": {"valueFiles": ["values.test.yaml", "values.big.yaml"]}}, "syncPolicy": {"automated": {"prune": true}}}
}"""
PATCH_YAML = """
metadata:
  annotations:
    annotation-some-key: annotation-some-value
spec:
  source:
    helm:
      valueFiles:
        - values.test.yaml
        - values.big.yaml
  syncPolicy:
    automated:
      prune: true"""


def _expand(
    patch: str, *, go: bool = True, template: dict[str, Any] | None = None, elements: list[dict] | None = None
):
    return expand(
        appset(
            {
                "goTemplate": go,
                "generators": [{"list": {"elements": elements or [{"one": "two"}]}}],
                "template": template or GUESTBOOK,
                "templatePatch": patch,
            },
            namespace="namespace",
        )
    )


@pytest.mark.parametrize("patch", [PATCH_JSON, PATCH_YAML], ids=["json", "yaml"])
def test_argo_patch_table(patch: str) -> None:
    """Test_ApplyTemplatePatch "patch with JSON" / "patch with YAML"."""
    app = ok(_expand(patch)).applications[0]
    assert app["metadata"] == {
        "name": "my-cluster-guestbook",
        "namespace": "namespace",
        "annotations": {"annotation-some-key": "annotation-some-value"},
        "finalizers": ["resources-finalizer.argocd.argoproj.io"],
    }
    assert app["spec"]["source"] == {
        "repoURL": "https://github.com/argoproj/argocd-example-apps.git",
        "targetRevision": "HEAD",
        "path": "guestbook",
        "helm": {"valueFiles": ["values.test.yaml", "values.big.yaml"]},
    }
    assert app["spec"]["syncPolicy"] == {"automated": {"prune": True}}


def test_project_cannot_be_patched() -> None:
    """Test_ApplyTemplatePatch "project field isn't overwritten"."""
    assert ok(_expand("spec:\n  project: my-project\n")).applications[0]["spec"]["project"] == "default"


def test_docs_template_patch_example() -> None:
    """Template.md "Template Patch": conditional automated sync and value files from a list."""
    patch = """
    spec:
      source:
        helm:
          valueFiles:
          {{- range $valueFile := .valueFiles }}
            - {{ $valueFile }}
          {{- end }}
    {{- if .autoSync }}
      syncPolicy:
        automated:
          prune: {{ .prune }}
    {{- end }}
"""
    template = {
        "metadata": {"name": "{{ .cluster }}-deployment"},
        "spec": {
            "project": "default",
            "source": {
                "repoURL": "https://github.com/infra-team/cluster-deployments.git",
                "targetRevision": "HEAD",
                "path": "guestbook/{{ .cluster }}",
            },
            "destination": {"server": "{{ .url }}", "namespace": "guestbook"},
        },
    }
    elements = [
        {
            "cluster": "engineering-dev",
            "url": "https://kubernetes.default.svc",
            "autoSync": True,
            "prune": True,
            "valueFiles": ["values.large.yaml", "values.debug.yaml"],
        },
        {
            "cluster": "engineering-prod",
            "url": "https://kubernetes.default.svc",
            "autoSync": False,
            "prune": False,
            "valueFiles": ["values.large.yaml"],
        },
    ]
    dev, prod = ok(_expand(patch, template=template, elements=elements)).applications
    assert dev["spec"]["source"]["helm"] == {"valueFiles": ["values.large.yaml", "values.debug.yaml"]}
    assert dev["spec"]["syncPolicy"] == {"automated": {"prune": True}}
    assert prod["spec"]["source"]["helm"] == {"valueFiles": ["values.large.yaml"]}
    assert "syncPolicy" not in prod["spec"]


def test_an_empty_key_in_the_patch_clears_the_field() -> None:
    """Template.md: "if the patch includes an empty `spec:` ... it will effectively clear out existing
    fields" (argo-cd#17040); the project is restored."""
    app = ok(_expand("spec:\n")).applications[0]
    assert app["spec"] == {"project": "default"}


def test_lists_are_replaced_and_null_deletes() -> None:
    template = {
        "metadata": {"name": "a", "labels": {"keep": "1", "drop": "2"}},
        "spec": {"syncPolicy": {"syncOptions": ["A=1", "B=1"]}},
    }
    app = ok(
        _expand(
            "metadata:\n  labels:\n    drop: null\nspec:\n  syncPolicy:\n    syncOptions: [C=1]\n",
            template=template,
        )
    ).applications[0]
    assert app["metadata"]["labels"] == {"keep": "1"}
    assert app["spec"]["syncPolicy"] == {"syncOptions": ["C=1"]}


def test_patch_that_is_not_an_application_is_an_error() -> None:
    """TestError: "hello world" is no Application."""
    result = _expand("hello world")
    assert result.applications == ()
    assert (
        result.error
        == "appset.yaml:1: ApplicationSet guestbook: spec.templatePatch for spec.generators[0].list.elements[0]: invalid templatePatch: it must be a mapping (an Application's fields)"
    )


def test_patch_template_error_names_the_patch() -> None:
    result = expand(
        appset(
            {
                "goTemplate": True,
                "goTemplateOptions": ["missingkey=error"],
                "generators": [{"list": {"elements": [{"a": "b"}]}}],
                "template": GUESTBOOK,
                "templatePatch": "spec: {{ .nope }}",
            }
        )
    )
    assert (
        result.error
        == 'appset.yaml:1: ApplicationSet guestbook: spec.templatePatch for spec.generators[0].list.elements[0]: map has no entry for key "nope" (at <.nope>)'
    )


def test_fasttemplate_patches_too() -> None:
    """The docs say templatePatch needs goTemplate, but template.go applies it whenever it is set, with the
    ApplicationSet's syntax: fasttemplate replaces its tags."""
    app = ok(_expand("metadata:\n  labels:\n    one: '{{one}}'\n", go=False)).applications[0]
    assert app["metadata"]["labels"] == {"one": "two"}
