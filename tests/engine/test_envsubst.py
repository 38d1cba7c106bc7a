"""Flux's substitution language, rule by rule, as fluxcd/pkg envsubst evaluates it."""

from __future__ import annotations

import pytest

from gitops_tui.engine.envsubst import SubstitutionError, VariableNotSet, evaluate

VARS = {
    "cluster": "staging",
    "word": "abcdEFGH28ij",
    "path": "/home/bozo/ideas/thoughts.for.today",
    "file": "bash.string.txt",
    "slashes": "foo/bar/baz",
    "empty": "",
}


def strict(name: str) -> tuple[str, bool]:
    return VARS.get(name, ""), name in VARS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("env: ${cluster}", "env: staging"),
        ("env: $cluster", "env: $cluster"),  # only ${...} is a variable
        ("$${cluster}", "${cluster}"),  # escaped
        ("a $${x} b ${cluster}", "a ${x} b staging"),
        ("${missing:=fallback}", "fallback"),
        ("${missing:-fallback}", "fallback"),
        ("${missing=fallback}", "fallback"),
        ("${empty:=fallback}", "fallback"),  # every default operator means "when empty" here
        ("${empty=fallback}", "fallback"),
        ("${cluster:=fallback}", "staging"),
        ("${missing:=${cluster}-x}", "staging-x"),
        ("${#word}", "12"),
        ("${word^}", "AbcdEFGH28ij"),
        ("${word^^}", "ABCDEFGH28IJ"),
        ("${word,,}", "abcdefgh28ij"),
        ("${path:11:5}", "ideas"),
        ("${path:11}", "ideas/thoughts.for.today"),
        ("${file%.*}", "bash.string"),
        ("${file%%.*}", "bash"),
        ("${file#*.}", "string.txt"),
        ("${file##*.}", "txt"),
        ("${path##*/}", "thoughts.for.today"),  # `*` crosses "/" in this package's patterns
        (r"${slashes//\//-}", "foo-bar-baz"),
        ("${slashes/bar/x}", "foo/x/baz"),
        ("no variables at all: {braces} and $", "no variables at all: {braces} and $"),
    ],
)
def test_evaluates_as_flux(text: str, expected: str) -> None:
    assert evaluate(text, strict) == expected


def test_strict_mode_fails_on_a_variable_without_value_or_default() -> None:
    with pytest.raises(VariableNotSet) as err:
        evaluate("replicas: ${replicas}", strict)
    assert (err.value.name, str(err.value)) == ("replicas", 'variable not set (strict mode): "replicas"')


def test_lenient_lookup_leaves_unknown_variables_empty() -> None:
    assert evaluate("a${nope}b", lambda name: ("", True)) == "ab"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("${x-default}", "missing closing brace"),  # `-` alone is not one of its operators
        ("${cluster", "missing closing brace"),
        ("${}", "unable to parse variable name"),
    ],
)
def test_parse_errors_are_flux_s(text: str, reason: str) -> None:
    with pytest.raises(SubstitutionError) as err:
        evaluate(text, strict)
    assert str(err.value) == reason


def test_a_long_document_with_many_variables() -> None:
    text = "\n".join(f"k{i}: ${{cluster}}" for i in range(3000))  # deeper than Python's recursion limit
    assert evaluate(text, strict).count("staging") == 3000
