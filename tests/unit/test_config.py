from pathlib import Path

import pytest

from gitops_tui.config import ConfigError, Settings, load_settings


def test_defaults_when_nothing_is_configured(tmp_path: Path):
    s = load_settings({}, env={}, user_file=tmp_path / "absent.yaml")
    assert s == Settings()


def test_precedence_user_file_repo_env_flags(tmp_path: Path):
    user = tmp_path / "user.yaml"
    user.write_text("field_manager: argocd-controller\ninterval: 60\nkeymap:\n  sync: ctrl+s\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".gitops-tui.yaml").write_text("settings:\n  interval: 30\n  read-only: true\n")
    env = {"GITOPS_TUI_INTERVAL": "15", "GITOPS_TUI_DIFF_MODE": "client", "HOME": "/nowhere"}
    s = load_settings({"context": "prod", "auto": False}, env=env, repo_root=repo, user_file=user)
    assert s.field_manager == "argocd-controller"
    assert s.keymap == {"sync": "ctrl+s"}
    assert s.read_only is True
    assert s.interval == 15.0
    assert s.diff_mode == "client"
    assert s.context == "prod"
    assert s.auto is False  # a flag left at False is "not given"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("interval: soon\n", "invalid value for interval"),
        ("colour: blue\n", "unknown setting 'colour'"),
        ("diff_mode: psychic\n", "invalid value for diff_mode"),
        ("- a list\n", "expected a mapping"),
        ("a: [unclosed\n", "invalid YAML"),
    ],
)
def test_bad_config_is_a_one_line_error(tmp_path: Path, content: str, message: str):
    user = tmp_path / "user.yaml"
    user.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_settings({}, env={}, user_file=user)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_bad_env_value(tmp_path: Path):
    with pytest.raises(ConfigError, match="environment: invalid value for read_only"):
        load_settings({}, env={"GITOPS_TUI_READ_ONLY": "maybe"}, user_file=tmp_path / "x")
