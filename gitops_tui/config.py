"""Settings: defaults < user config file < repo `.gitops-tui.yaml` `settings:` < env (GITOPS_TUI_*) < flags.

The user file is `$XDG_CONFIG_HOME/gitops-tui/config.yaml` (default `~/.config/gitops-tui/config.yaml`):

    field_manager: argocd-controller   # keep ownership identical to Argo CD during an outage
    interval: 180                      # seconds between full reconciles
    read_only: true
    diff_mode: auto                    # auto | server | client
    keymap:                            # binding id -> keys (comma separated)
      sync: ctrl+s
      quit: q,ctrl+q
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from gitops_tui.model import GitopsError

DIFF_MODES = ("auto", "server", "client")


class ConfigError(GitopsError):
    pass


@dataclass(frozen=True)
class Settings:
    repo: str | None = None
    kubeconfig: str | None = None
    context: str | None = None
    revision: str | None = None  # None: the working tree
    read_only: bool = False
    auto: bool = False
    field_manager: str = "gitops-tui"
    interval: float = 180.0
    diff_mode: str = "auto"
    request_timeout: float = 10.0
    health_timeout: float = 120.0  # seconds a sync follows health before it stops waiting
    max_workers: int = 16
    keymap: Mapping[str, str] = field(default_factory=dict)
    ignore_differences: tuple[Mapping[str, Any], ...] = ()


_BOOL = {
    "1": True,
    "true": True,
    "yes": True,
    "on": True,
    "0": False,
    "false": False,
    "no": False,
    "off": False,
}


def _coerce(name: str, value: Any, source: str) -> Any:
    kinds = {f.name: f.type for f in fields(Settings)}
    kind = kinds[name]
    try:
        if kind == "bool":
            if isinstance(value, bool):
                return value
            return _BOOL[str(value).strip().lower()]
        if kind == "float":
            return float(value)
        if kind == "int":
            return int(value)
        if name == "keymap":
            if not isinstance(value, Mapping):
                raise TypeError
            return {str(k): str(v) for k, v in value.items()}
        if name == "ignore_differences":
            if not isinstance(value, list):
                raise TypeError
            return tuple(value)
        if name == "diff_mode" and value not in DIFF_MODES:
            raise ValueError
        return None if value is None else str(value)
    except (KeyError, TypeError, ValueError):
        raise ConfigError(f"{source}: invalid value for {name}: {value!r}") from None


def _from_mapping(data: Mapping[str, Any], source: str) -> dict[str, Any]:
    known = {f.name for f in fields(Settings)}
    out: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = str(raw_key).replace("-", "_")
        if key not in known:
            raise ConfigError(f"{source}: unknown setting {raw_key!r}")
        out[key] = _coerce(key, value, source)
    return out


def _read_yaml(path: Path) -> Mapping[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: invalid YAML") from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: expected a mapping of settings")
    return data


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "gitops-tui" / "config.yaml"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gitops-tui"


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "gitops-tui"


def load_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    repo_root: Path | None = None,
    user_file: Path | None = None,
) -> Settings:
    """Merge every source; later sources win. Flags whose value is None/False are 'not given'."""
    env = os.environ if env is None else env
    merged: dict[str, Any] = {}
    user_file = user_file or user_config_path()
    if user_file.is_file():
        merged.update(_from_mapping(_read_yaml(user_file), str(user_file)))
    if repo_root is not None:
        repo_file = repo_root / ".gitops-tui.yaml"
        if repo_file.is_file():
            settings = _read_yaml(repo_file).get("settings") or {}
            if not isinstance(settings, Mapping):
                raise ConfigError(f"{repo_file}: 'settings' must be a mapping")
            merged.update(_from_mapping(settings, f"{repo_file} settings"))
    env_values = {
        key[len("GITOPS_TUI_") :].lower(): value
        for key, value in env.items()
        if key.startswith("GITOPS_TUI_") and key != "GITOPS_TUI_KEYMAP"
    }
    merged.update(_from_mapping(env_values, "environment"))
    for key, value in (flags or {}).items():
        if value is None or value is False:
            continue
        merged.update(_from_mapping({key: value}, "command line"))
    return replace(Settings(), **merged)
