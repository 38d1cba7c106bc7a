"""Both template syntaxes on the test tables of Argo CD's own applicationset/utils/utils_test.go
(TestRenderTemplateParams, TestRenderTemplateParamsGoTemplate, TestRenderTemplateKeys,
TestRenderTemplateParamsFinalizers), and the Application the controller writes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.source.appset.helpers import appset, expand, ok


def _render(field_val: str, params: dict[str, Any], *, go: bool, options: list[str] | None = None) -> Any:
    """`field_val` as spec.source.path, rendered with one list element holding `params`."""
    doc = appset(
        {
            "goTemplate": go,
            "goTemplateOptions": options or [],
            "generators": [{"list": {"elements": [params]}}],
            "template": {
                "metadata": {"name": "application-one", "labels": {"label-key": "label-value"}},
                "spec": {"source": {"path": field_val}},
            },
        }
    )
    return expand(doc)


FASTTEMPLATE_CASES = [
    ("simple substitution", "{{one}}", {"one": "two"}, "two"),
    ("simple substitution with whitespace", "{{ one }}", {"one": "two"}, "two"),
    ("template characters but not in a template", "}} {{", {"one": "two"}, "}} {{"),
    ("nested template", "{{ }}", {"one": "{{ }}"}, "{{ }}"),
    ("field with whitespace", "{{ }}", {" ": "two", "": "three"}, "{{ }}"),
    ("template contains itself, containing itself", "{{one}}", {"{{one}}": "{{one}}"}, "{{one}}"),
    ("template contains itself, containing something else", "{{one}}", {"{{one}}": "{{two}}"}, "{{one}}"),
    ("templates are case sensitive", "{{ONE}}", {"{{one}}": "two"}, "{{ONE}}"),
    ("multiple on a line", "{{one}}{{one}}", {"one": "two"}, "twotwo"),
    ("multiple different on a line", "{{one}}{{three}}", {"one": "two", "three": "four"}, "twofour"),
    (
        "multiple different on a line with quote",
        "{{one}} {{three}}",
        {"one": '"hello" world', "three": "four"},
        '"hello" world four',
    ),
    # beyond Argo's table: an unknown key keeps its tag exactly, spaces included
    ("unknown key left as written", "a-{{  nope  }}-b", {"one": "two"}, "a-{{  nope  }}-b"),
    ("tags split over lines are not templated", "{{one\n}}", {"one": "two"}, "{{one\n}}"),
]


@pytest.mark.parametrize(
    ("name", "field_val", "params", "expected"), FASTTEMPLATE_CASES, ids=[c[0] for c in FASTTEMPLATE_CASES]
)
def test_argo_fasttemplate_table(name: str, field_val: str, params: dict[str, Any], expected: str) -> None:
    app = ok(_render(field_val, params, go=False)).applications[0]
    assert app["spec"]["source"]["path"] == expected
    assert app["metadata"]["labels"] == {"label-key": "label-value"}


def test_fasttemplate_missing_closing_brace_is_an_error() -> None:
    """Test_Render_Replace_no_panic_on_missing_closing_brace."""
    result = _render("{{properly.closed}} {{improperly.closed}", {"one": "two"}, go=False)
    assert result.applications == ()
    assert result.error.startswith(
        "appset.yaml:1: ApplicationSet guestbook: spec.template.spec.source.path for spec.generators[0].list.elements[0]: invalid template: Cannot find end tag"
    )


GO_CASES = [
    ("simple substitution", "{{ .one }}", {"one": "two"}, "two"),
    ("template contains itself, containing itself", "{{ .one }}", {"one": "{{one}}"}, "{{one}}"),
    ("multiple on a line", "{{.one}}{{.one}}", {"one": "two"}, "twotwo"),
    (
        "multiple different on a line with quote",
        "{{.one}} {{.three}}",
        {"one": '"hello" world', "three": "four"},
        '"hello" world four',
    ),
    (
        "depth",
        "{{ .image.version }}",
        {"replicas": 3, "image": {"name": "busybox", "version": "latest"}},
        "latest",
    ),
    (
        "multiple depth",
        "{{ .image.name }}:{{ .image.version }}",
        {"replicas": 3, "image": {"name": "busybox", "version": "latest"}},
        "busybox:latest",
    ),
    (
        "if ok",
        "{{ if .hpa.enabled }}{{ .hpa.maxReplicas }}{{ else }}{{ .replicas }}{{ end }}",
        {"replicas": 3, "hpa": {"enabled": True, "minReplicas": 1, "maxReplicas": 5}},
        "5",
    ),
    (
        "if not ok",
        "{{ if .hpa.enabled }}{{ .hpa.maxReplicas }}{{ else }}{{ .replicas }}{{ end }}",
        {"replicas": 3, "hpa": {"enabled": False, "minReplicas": 1, "maxReplicas": 5}},
        "3",
    ),
    (
        "loop",
        "{{ range .volumes }}[{{ .name }}]{{ end }}",
        {
            "replicas": 3,
            "volumes": [{"name": "volume-one", "emptyDir": {}}, {"name": "volume-two", "emptyDir": {}}],
        },
        "[volume-one][volume-two]",
    ),
    (
        "Index",
        '{{ index .admin "admin-ca" }}, {{ index .admin "admin-jks" }}',
        {"admin": {"admin-ca": "value admin ca", "admin-jks": "value admin jks"}},
        "value admin ca, value admin jks",
    ),
    (
        "Index with quotes",
        '{{ index .admin "admin-ca" }}, \\\\ "Hello world", {{ index .admin "admin-jks" }}',
        {"admin": {"admin-ca": 'value "admin" ca with \\', "admin-jks": "value admin jks"}},
        'value "admin" ca with \\, \\\\ "Hello world", value admin jks',
    ),
    ("quote", "{{.quote}}", {"quote": '"'}, '"'),
    (
        "lookup missing value with missingkey=default",
        "--> {{.doesnotexist}} <--",
        {"unused": "this is not used"},
        "--> <no value> <--",
    ),
    (
        "toYaml",
        "{{ toYaml . | indent 2 }}",
        {"foo": {"bar": {"bool": True, "number": 2, "str": "Hello world"}}},
        "  foo:\n    bar:\n      bool: true\n      number: 2\n      str: Hello world",
    ),
    ("fromYaml", '{{ get (fromYaml .value) "hello" }}', {"value": "hello: world"}, "world"),
    (
        "fromYamlArray",
        "{{ fromYamlArray .value | last }}",
        {"value": "- hello world\n- bonjour tout le monde"},
        "bonjour tout le monde",
    ),
    # GoTemplate.md "Fallbacks for unset parameters"
    (
        "dig fallback",
        '{{.cluster}}{{dig "nameSuffix" "" .}}',
        {"cluster": "engineering-dev"},
        "engineering-dev",
    ),
    (
        "sprig",
        '{{ .a | upper | replace "-" "_" }}-{{ .n | int | add 1 }}-{{ list 1 2 | len }}',
        {"a": "x-y", "n": "41"},
        "X_Y-42-2",
    ),
]


@pytest.mark.parametrize(("name", "field_val", "params", "expected"), GO_CASES, ids=[c[0] for c in GO_CASES])
def test_argo_go_template_table(name: str, field_val: str, params: dict[str, Any], expected: str) -> None:
    app = ok(_render(field_val, params, go=True)).applications[0]
    assert app["spec"]["source"]["path"] == expected


GO_ERRORS = [
    (
        "Test Parse Error",
        "{{functiondoesnotexist}}",
        {"data": "a data string"},
        [],
        'function "functiondoesnotexist" not defined',
    ),
    (
        "Test template error",
        "{{.data.test}}",
        {"data": "a data string"},
        [],
        "can't evaluate field test in type interface {} (at <.data.test>)",
    ),
    (
        "lookup missing value with missingkey=error",
        "--> {{.doesnotexist}} <--",
        {"unused": "this is not used"},
        ["missingkey=error"],
        'map has no entry for key "doesnotexist" (at <.doesnotexist>)',
    ),
    ("unclosed action", "{{ if .a }}x", {"a": "1"}, [], "unexpected EOF"),
]


@pytest.mark.parametrize(
    ("name", "field_val", "params", "options", "reason"), GO_ERRORS, ids=[c[0] for c in GO_ERRORS]
)
def test_argo_go_template_errors(
    name: str, field_val: str, params: dict[str, Any], options: list[str], reason: str
) -> None:
    result = _render(field_val, params, go=True, options=options)
    assert result.applications == ()
    assert (
        result.error
        == f"appset.yaml:1: ApplicationSet guestbook: spec.template.spec.source.path for spec.generators[0].list.elements[0]: {reason}"
    )


def test_the_failing_element_is_named() -> None:
    """The error is Argo's first one: the first element (in generator order) whose template fails."""
    doc = appset(
        {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [
                {
                    "list": {
                        "elements": [
                            {"name": f"app{i}", **({"ns": "x"} if i != 7 else {})} for i in range(20)
                        ]
                    }
                }
            ],
            "template": {
                "metadata": {"name": "{{.name}}"},
                "spec": {"destination": {"namespace": "{{.ns}}"}},
            },
        }
    )
    assert expand(doc).error == (
        "appset.yaml:1: ApplicationSet guestbook: spec.template.spec.destination.namespace for spec.generators[0].list.elements[7]: "
        'map has no entry for key "ns" (at <.ns>)'
    )


def test_an_unknown_option_is_an_error() -> None:
    """text/template's Option panics on an option it does not know; Argo's controller fails that reconcile."""
    result = _render("{{.one}}", {"one": "two"}, go=True, options=["missingkey=maybe"])
    assert "goTemplateOptions: unrecognized option 'missingkey=maybe'" in result.error


@pytest.mark.parametrize("go", [False, True])
def test_keys_are_templates_too(go: bool) -> None:
    """TestRenderTemplateKeys."""
    key, value = (
        ("annotation-{{ .key }}", "annotation-{{ .value }}")
        if go
        else ("annotation-{{key}}", "annotation-{{value}}")
    )
    doc = appset(
        {
            "goTemplate": go,
            "generators": [{"list": {"elements": [{"key": "some-key", "value": "some-value"}]}}],
            "template": {"metadata": {"name": "a", "annotations": {key: value}}},
        }
    )
    assert ok(expand(doc)).applications[0]["metadata"]["annotations"] == {
        "annotation-some-key": "annotation-some-value"
    }


FINALIZERS = [
    ("existing finalizer should be preserved", ["existing-finalizer"], None, ["existing-finalizer"]),
    (
        "empty finalizer and empty sync should use standard finalizer",
        None,
        None,
        ["resources-finalizer.argocd.argoproj.io"],
    ),
    (
        "empty array finalizers should use standard finalizer",
        [],
        None,
        ["resources-finalizer.argocd.argoproj.io"],
    ),
    (
        "non-nil sync policy should use standard finalizer",
        None,
        {},
        ["resources-finalizer.argocd.argoproj.io"],
    ),
    (
        "preserveResourcesOnDeletion should not have a finalizer",
        None,
        {"preserveResourcesOnDeletion": True},
        None,
    ),
    (
        "user-specified finalizer should overwrite preserveResourcesOnDeletion",
        ["resources-finalizer.argocd.argoproj.io/background"],
        {"preserveResourcesOnDeletion": True},
        ["resources-finalizer.argocd.argoproj.io/background"],
    ),
]


@pytest.mark.parametrize(
    ("name", "existing", "policy", "expected"), FINALIZERS, ids=[c[0] for c in FINALIZERS]
)
def test_argo_finalizers_table(
    name: str, existing: list[str] | None, policy: dict | None, expected: list[str] | None
) -> None:
    spec: dict[str, Any] = {
        "goTemplate": True,
        "generators": [{"list": {"elements": [{"one": "two"}]}}],
        "template": {"metadata": {"name": "a", "finalizers": existing}},
    }
    if policy is not None:
        spec["syncPolicy"] = policy
    app = ok(expand(appset(spec))).applications[0]
    assert app["metadata"].get("finalizers") == expected


def test_namespace_is_the_application_sets_whatever_the_template_says() -> None:
    """template.go: `app.Namespace = applicationSetInfo.Namespace` (appsets in any namespace rely on it)."""
    spec = {
        "generators": [{"list": {"elements": [{"a": "b"}]}}],
        "template": {"metadata": {"name": "a", "namespace": "elsewhere"}},
    }
    assert ok(expand(appset(spec, namespace="team-a"))).applications[0]["metadata"]["namespace"] == "team-a"
    # no namespace in the manifest: the one it is applied into (the parent app's destination), given by the caller
    assert (
        ok(expand(appset(spec, namespace=None), default_namespace="argo")).applications[0]["metadata"][
            "namespace"
        ]
        == "argo"
    )


def test_spec_is_normalized_as_the_controller_writes_it() -> None:
    """argoutil.NormalizeApplicationSpec: the default project, no zero syncPolicy, helm or kustomize blocks;
    a zero directory keeps include/exclude."""
    spec = {
        "goTemplate": True,
        "generators": [{"list": {"elements": [{"a": "b"}]}}],
        "template": {
            "metadata": {"name": "a"},
            "spec": {
                "source": {
                    "path": "p",
                    "helm": {"valueFiles": []},
                    "kustomize": {},
                    "directory": {"recurse": False, "include": "*.yaml"},
                },
                "syncPolicy": {"syncOptions": []},
            },
        },
    }
    app = ok(expand(appset(spec))).applications[0]
    assert app["spec"] == {"project": "default", "source": {"path": "p", "directory": {"include": "*.yaml"}}}


def test_strings_that_are_not_templates_and_other_types_are_kept() -> None:
    spec = {
        "goTemplate": True,
        "generators": [{"list": {"elements": [{"a": "b"}]}}],
        "template": {
            "metadata": {"name": "{{.a}}"},
            "spec": {
                "revisionHistoryLimit": 3,
                "syncPolicy": {"automated": {"prune": True}},
                "info": [{"name": "n", "value": "{{ .a }}"}],
            },
        },
    }
    app = ok(expand(appset(spec))).applications[0]
    assert app["spec"]["revisionHistoryLimit"] == 3
    assert app["spec"]["syncPolicy"] == {"automated": {"prune": True}}
    assert app["spec"]["info"] == [{"name": "n", "value": "b"}]
