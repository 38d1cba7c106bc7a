"""Go templates on Helm's engine: Argo's own functions, the functions Argo does not have, and each place where
Helm's engine cannot behave as Argo CD's controller, pinned with the reason."""

from __future__ import annotations

from typing import Any

import pytest

from gitops_tui.source.appset import gofuncs, gotemplate
from gitops_tui.source.appset.govalues import go_float, sanitize_name
from tests.source.appset.helpers import appset, expand, ok


def _one(template: str, params: dict[str, Any], *, strict: bool = False) -> str:
    return gotemplate.render([template], [gotemplate.Job(params, (0,))], strict=strict)[0][0]


SLUGIFY = [  # utils_test.go TestSlugify: (name, smart truncation, length, expected)
    (
        "feat/a_really+long_pull_request_name_to_test_argo_slugification_and_branch_name_shortening_feature",
        False,
        50,
        "feat-a-really-long-pull-request-name-to-test-argo",
    ),
    (
        "feat/a_really+long_pull_request_name_to_test_argo_slugification_and_branch_name_shortening_feature",
        True,
        53,
        "feat-a-really-long-pull-request-name-to-test-argo",
    ),
    (
        "feat/areallylongpullrequestnametotestargoslugificationandbranchnameshorteningfeature",
        True,
        50,
        "feat",
    ),
    (
        "feat/areallylongpullrequestnametotestargoslugificationandbranchnameshorteningfeature",
        False,
        50,
        "feat-areallylongpullrequestnametotestargoslugifica",
    ),
]


@pytest.mark.parametrize(("name", "smart", "length", "expected"), SLUGIFY)
def test_argo_slugify_table(name: str, smart: bool, length: int, expected: str) -> None:
    assert _one(f"{{{{ slugify {length} {'true' if smart else 'false'} .b }}}}", {"b": name}) == expected


def test_docs_slugify_usage_example() -> None:
    """GoTemplate.md "Usage example": `cat .branch | slugify 23`, the default (50, smart) and `50 false`."""
    doc = appset(
        {
            "goTemplate": True,
            "generators": [
                {"list": {"elements": [{"name": "app", "branch": "feature/JIRA-123_Add_The_Thing.Now"}]}}
            ],
            "template": {
                "metadata": {
                    "name": "hellos3-{{.name}}-{{ cat .branch | slugify 23 }}",
                    "annotations": {
                        "label-1": "{{ cat .branch | slugify }}",
                        "label-2": "{{ cat .branch | slugify 23 }}",
                        "label-3": "{{ cat .branch | slugify 50 false }}",
                    },
                }
            },
        }
    )
    app = ok(expand(doc)).applications[0]
    # smart truncation at 23 cuts at the last `-` at or before index 23: "feature-jira-123-add"
    assert app["metadata"]["name"] == "hellos3-app-feature-jira-123-add"
    assert app["metadata"]["annotations"] == {
        "label-1": "feature-jira-123-add-the-thing-now",
        "label-2": "feature-jira-123-add",
        "label-3": "feature-jira-123-add-the-thing-now",
    }


@pytest.mark.parametrize("text", ["Hello_World", "--a..b--", "UPPER.lower-9", "ünï cödé/x", "x" * 300, ".-."])
def test_normalize_is_sanitize_name(text: str) -> None:
    """`normalize` runs as sprig calls; it must equal Argo's SanitizeName for any input."""
    assert _one("{{ normalize .t }}", {"t": text}) == sanitize_name(text)
    assert _one("{{ .t | normalize }}", {"t": text}) == sanitize_name(text)


def test_slugify_argument_types_are_checked_as_go_asserts_them() -> None:
    """SlugifyName does `arg.(int)`, `arg.(bool)`, `arg.(string)`: a wrong type is an error in Argo."""
    with pytest.raises(
        gotemplate.GoTemplateError,
        match="error calling slugify: interface conversion: interface {} is float64, not string",
    ):
        _one("{{ slugify .n }}", {"n": 3})
    with pytest.raises(gotemplate.GoTemplateError, match="is string, not int"):
        _one('{{ slugify "20" .s }}', {"s": "x"})


@pytest.mark.parametrize("function", sorted(gofuncs.HELM_ONLY))
def test_functions_argo_does_not_have_are_its_parse_error(function: str) -> None:
    """Helm's engine has these; Argo's controller does not (it removes getHostByName, never adds the rest),
    so Argo fails to parse the template. Running them here would be wrong (include, tpl) or reach the network
    (getHostByName)."""
    with pytest.raises(gotemplate.GoTemplateError, match=f'function "{function}" not defined'):
        _one(f"{{{{ {function} .a }}}}", {"a": "x"})


def test_names_in_strings_fields_and_comments_are_not_functions() -> None:
    text = '{{/* include */}}{{ .include }}-{{ $tpl := "include" }}{{ $tpl }}-{{ `lookup` }}-{{ printf "%s" "required" }}'
    assert _one(text, {"include": "i"}) == "i-include-lookup-required"


def test_rewrite_keeps_trim_markers_and_pipelines() -> None:
    assert _one("a {{- slugify .b -}} z", {"b": "X Y"}) == "ax-yz"
    assert (
        _one('{{ (slugify .b) | upper }}|{{ if eq (normalize .b) "x-y" }}yes{{ end }}', {"b": "X Y"})
        == "X-Y|yes"
    )


@pytest.mark.parametrize(
    "number", [0, 3, 100000, 1000000, 1234567, 0.0001, 0.00001, 12.5, -7.25, 1e21, 2**63, 123456789.125]
)
def test_go_float_formatting_matches_text_template(number: float) -> None:
    """fasttemplate parameters print numbers with our go_float; Helm's engine (Go itself) is the oracle."""
    assert go_float(float(number)) == _one("{{ .n }}", {"n": number})


# --- where Helm's engine differs from Argo's controller -------------------------------------------------


def test_difference_missing_key_printed_is_no_value_as_in_argo() -> None:
    """Helm blanks `<no value>` in its output; results pass through b64enc so they keep it, as Argo prints."""
    assert _one("[{{ .nope }}]", {"a": 1}) == "[<no value>]"


def test_difference_a_missing_key_used_further_is_an_error_here() -> None:
    """Argo's default is missingkey=default, Helm's non-strict mode is missingkey=zero. `.nope.sub` prints
    `<no value>` in Argo (an invalid value has no fields, and default mode lets it be); with zero the
    missing value is a nil interface, and reading a field of it is an error. Only this chaining differs."""
    with pytest.raises(gotemplate.GoTemplateError, match="nil pointer evaluating interface {}.sub"):
        _one("{{ .nope.sub }}", {"a": 1})


def test_difference_from_yaml_of_bad_yaml_is_not_an_error_here() -> None:
    """Argo's fromYaml returns an error (utils_test.go "fromYaml error"); Helm's returns a map holding the
    error under "Error" (the very message Argo fails with), so the template goes on."""
    assert _one('{{ get (fromYaml .v) "hello" }}', {"v": "non\n compliant\n yaml"}) == ""
    assert _one('{{ get (fromYaml .v) "Error" }}', {"v": "non\n compliant\n yaml"}) == (
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {}"
    )


def test_difference_index_of_a_missing_label_prints_no_value_here() -> None:
    """A cluster's labels and annotations and a generator's `values` are map[string]string in Argo, so
    `index .metadata.labels "absent"` is "" there. Parameters reach Helm as JSON, where every map is
    map[string]any, and the missing entry is a nil interface, printed `<no value>`."""
    assert _one('{{ index .metadata.labels "absent" }}', {"metadata": {"labels": {"a": "b"}}}) == "<no value>"


def test_strict_mode_is_missingkey_error() -> None:
    with pytest.raises(gotemplate.GoTemplateError, match='map has no entry for key "nope"'):
        _one("{{ .nope }}", {}, strict=True)


def test_one_render_for_many_jobs_and_the_first_failure_located() -> None:
    templates = ["{{ .a }}", "{{ .b }}"]
    jobs = [gotemplate.Job({"a": str(i), "b": "x"} if i != 33 else {"a": "1"}, (0, 1)) for i in range(64)]
    assert gotemplate.render(templates, jobs[:33], strict=True)[32] == ["32", "x"]
    with pytest.raises(gotemplate.GoTemplateError) as info:
        gotemplate.render(templates, jobs, strict=True)
    assert (info.value.job, info.value.template, info.value.action) == (33, 1, ".b")
