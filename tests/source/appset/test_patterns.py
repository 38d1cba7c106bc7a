"""The pattern languages of the git generator (Go's path.Match, git pathspecs) and Go value printing."""

from __future__ import annotations

import pytest

from gitops_tui.source.appset import globs
from gitops_tui.source.appset.govalues import (
    GoStringSlice,
    flat_strings,
    go_json,
    go_sprint,
    json_data,
    sanitize_name,
)

PATH_MATCH = [  # (pattern, name, matches) — Go's path/match_test.go cases that concern path.Match
    ("abc", "abc", True),
    ("*", "abc", True),
    ("*c", "abc", True),
    ("a*", "a", True),
    ("a*", "abc", True),
    ("a*", "ab/c", False),
    ("a*/b", "abc/b", True),
    ("a*/b", "a/c/b", False),
    ("a*b*c*d*e*/f", "axbxcxdxe/f", True),
    ("a*b?c*x", "abxbbxdbxebxczzx", True),
    ("a*b?c*x", "abxbbxdbxebxczzy", False),
    ("ab[c]", "abc", True),
    ("ab[b-d]", "abc", True),
    ("ab[e-g]", "abc", False),
    ("ab[^c]", "abc", False),
    ("ab[^b-d]", "abc", False),
    ("ab[^e-g]", "abc", True),
    ("a\\*b", "a*b", True),
    ("a\\*b", "ab", False),
    ("a?b", "a☺b", True),
    ("a[^a]b", "a☺b", True),
    ("a???b", "a☺b", False),
    ("*x", "xxx", True),
    ("apps/*/envs/prod-us", "apps/billing/envs/prod-us", True),
    ("a[b-a]c", "abc", False),  # a reversed range is valid in Go and matches nothing
    ("a[^x]b", "a/b", True),  # a class is the one part of path.Match that can match `/`
]


@pytest.mark.parametrize(("pattern", "name", "matches"), PATH_MATCH)
def test_go_path_match(pattern: str, name: str, matches: bool) -> None:
    assert globs.go_path_match(pattern, name) is matches


@pytest.mark.parametrize("pattern", ["[", "[]a]", "[-]", "[x-]", "a\\", "[^"])
def test_go_path_match_bad_patterns(pattern: str) -> None:
    with pytest.raises(globs.BadPattern):
        globs.go_path_pattern(pattern)


PATHSPEC = [
    ("cluster-config/**/config.json", "cluster-config/engineering/dev/config.json", True),
    ("cluster-config/**/config.json", "cluster-config/config.json", False),
    ("some-path/*.yaml", "some-path/a/b/c.yaml", True),  # the greedy default the docs describe
    ("cfg", "cfg/a.json", True),
    ("cfg/", "cfg/a.json", True),
    ("cfg", "cfg2/a.json", False),
    ("a?c.json", "a/c.json", True),
    ("[!a]*.json", "b.json", True),
    ("[!a]*.json", "a.json", False),
    ("[[:digit:]]x", "1x", True),
    ("x.json", "x.json", True),
]


@pytest.mark.parametrize(("pattern", "path", "matches"), PATHSPEC)
def test_git_pathspec(pattern: str, path: str, matches: bool) -> None:
    assert globs.pathspec_match(pattern, path) is matches


def test_pathspec_normalization() -> None:
    assert globs.normalize_pathspec("./a//b/./c.json") == "a/b/c.json"
    assert globs.normalize_pathspec("a/../b/") == "b/"
    for outside in ("/etc/x", "../x", "a/../../x"):
        with pytest.raises(globs.BadPattern, match="outside repository"):
            globs.normalize_pathspec(outside)


def test_go_printing() -> None:
    assert go_sprint({"b": [1, True, None], "a": "x"}) == "map[a:x b:[1 true <nil>]]"
    assert go_json({"k": 3.0, "a": [1e-7, 0.5, "s"]}) == '{"a":[1e-7,0.5,"s"],"k":3}'
    assert json_data({1: {True: None}}) == {"1": {"true": None}}


def test_flattening_for_the_post_selector() -> None:
    params = {
        "path": {"path": "a/b", "segments": GoStringSlice(["a", "b"])},
        "l": [{"x": 1}],
        "empty": {},
        "n": None,
    }
    assert flat_strings(params) == {"path.path": "a/b", "path.segments": "[a b]", "l.0.x": "1", "n": "<nil>"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [("directory_2", "directory-2"), ("In-Cluster", "in-cluster"), ("-.a.-", "a"), ("x" * 260, "x" * 253)],
)
def test_sanitize_name(name: str, expected: str) -> None:
    """Generators-Git.md: `directory_2` becomes `directory-2`."""
    assert sanitize_name(name) == expected
