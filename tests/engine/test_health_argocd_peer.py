"""Argo CD's health test corpus (`shared/peer-tests/argocd-health`): every row of both TSVs.

expected.tsv holds gitops-engine's built-in Go checks: the status must match exactly, the message must
contain the expected text when one is given. expected-lua.tsv holds the CronJob and Rollout Lua scripts'
tests, which Argo asserts with exact equality, so the message must match exactly too (empty means "").
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitops_tui.engine.health import assess
from gitops_tui.model import HealthStatus

ROOT = Path(__file__).resolve().parents[1] / "data" / "shared" / "peer-tests" / "argocd-health"


class _ApiServerYaml(yaml.SafeLoader):
    """Timestamps stay strings, as in the JSON an API server returns (and as Go's YAML reader keeps them)."""


_ApiServerYaml.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(name: str) -> Any:
    return yaml.load((ROOT / name).read_text(), Loader=_ApiServerYaml)


def rows(tsv: str) -> list[tuple[str, str, str]]:
    with (ROOT / tsv).open(newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader)
        assert header == ["file", "expected_status", "expected_message_substring_or_empty"]
        return [(row[0], row[1], row[2] if len(row) > 2 else "") for row in reader if row]


GO_ROWS = rows("expected.tsv")
LUA_ROWS = rows("expected-lua.tsv")


def test_the_corpus_is_complete() -> None:
    # The README promises 50 and 30 rows; a short read must not pass as agreement.
    assert len(GO_ROWS) == 50
    assert len(LUA_ROWS) == 30


@pytest.mark.parametrize(("name", "status", "message"), GO_ROWS, ids=[r[0] for r in GO_ROWS])
def test_built_in_checks_agree_with_argo(name: str, status: str, message: str) -> None:
    result = assess(load(name))
    assert result.status is HealthStatus(status)
    assert message in result.message


@pytest.mark.parametrize(("name", "status", "message"), LUA_ROWS, ids=[r[0] for r in LUA_ROWS])
def test_bundled_lua_scripts_agree_with_argo(name: str, status: str, message: str) -> None:
    result = assess(load(name))
    assert result.status is HealthStatus(status)
    assert result.message == message


def test_yaml_timestamps_read_as_datetimes_give_the_same_answers() -> None:
    """PyYAML's safe_load turns unquoted timestamps into datetimes; nothing may depend on that."""
    for name, status, message in GO_ROWS + LUA_ROWS:
        result = assess(yaml.safe_load((ROOT / name).read_text()))
        assert result.status is HealthStatus(status), name
        assert message in result.message, name
