"""The files a Flux source serves, laid out on disk: another revision of a checkout (a GitRepository on
another branch), and the artifact a source-watcher `ArtifactGenerator` builds from its `copy` operations.

Both are content-addressed and kept for the process: a revision's tree by its commit, an artifact by a
digest of its copy operations and of every file they read, so an unchanged artifact is built once.

Copy semantics are source-watcher's (internal/builder): operations run in order, later ones overwriting;
`from` without glob characters is a file (copied to `to`, or into it when `to` ends in "/" or is a
directory already) or a directory (copied *as* a subdirectory of `to`); a glob is matched with Go's
`fs.Glob` (one segment per `*`; `**` is only `*`), a `dir/**` pattern copies what is inside `dir`, any
other keeps the matched path; no match is an error, and so is every match excluded. `exclude` patterns
(doublestar) match the source-relative path, the path below `from`'s literal prefix, and, without a "/",
the file name. `Merge` deep-merges a YAML file into one already there (maps merged, lists replaced).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

import yaml

from gitops_tui.engine.globs import doublestar_match, path_match
from gitops_tui.model import ArtifactCopy, GitTree
from gitops_tui.source.errors import RenderError

_lock = threading.Lock()
_base: Path | None = None
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "GIT_LFS_SKIP_SMUDGE": "1"}
_GLOB_CHARS = "*?[]"


def _workspace() -> Path:
    """A directory for this process's trees, removed at exit."""
    global _base
    with _lock:
        if _base is None:
            _base = Path(tempfile.mkdtemp(prefix="gitops-tui-flux-"))
            atexit.register(shutil.rmtree, _base, True)
        return _base


def tree_root(root: Path, tree: GitTree) -> Path:
    """Where a source's files are: the tree being rendered, another checkout, or a revision's tree."""
    if tree.revision:
        return revision_tree(Path(tree.git or tree.checkout or root), tree.commit or tree.revision)
    return Path(tree.checkout) if tree.checkout else root


def revision_tree(git: Path, commit: str) -> Path:
    """The files of `commit` in the checkout at `git`, checked out once (through a private index)."""
    target = _workspace() / "rev" / commit.replace("/", "_")
    if target.is_dir():
        return target
    staging = Path(tempfile.mkdtemp(prefix="tree-", dir=_workspace()))
    try:
        env = {**os.environ, **_ENV, "GIT_INDEX_FILE": str(staging / "index")}
        files = staging / "files"
        for args in (["read-tree", commit], ["checkout-index", "--all", "--force", f"--prefix={files}/"]):
            proc = subprocess.run(
                ["git", "-C", str(git), *args],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
                check=False,
            )
            if proc.returncode != 0:
                raise RenderError(f"git {args[0]} {commit[:12]} failed: {' '.join(proc.stderr.split())}")
        files.mkdir(exist_ok=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # another thread made it first
            files.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


# -- ArtifactGenerator ------------------------------------------------------------------------------


def selection_root(pattern: str) -> str:
    """The literal prefix of a copy `from` before its first glob segment ("." when it starts with one)."""
    parts = []
    for part in os.path.normpath(pattern).split("/"):
        if any(c in part for c in _GLOB_CHARS):
            break
        parts.append(part)
    return "/".join(parts) or "."


def artifact_inputs(copies: tuple[ArtifactCopy, ...]) -> list[tuple[GitTree, str]]:
    """(tree, path) of what each copy operation reads: its literal prefix (History follows these)."""
    return [(c.tree, selection_root(c.source)) for c in copies]


def origin_of(copies: tuple[ArtifactCopy, ...], path: str) -> tuple[GitTree, str] | None:
    """Which source path an artifact path came from (the last copy that lands there wins, as it does when
    building); None when no copy operation lands there or it cannot be told (a glob that keeps paths)."""
    path = os.path.normpath(path)
    found: tuple[GitTree, str] | None = None
    for copy in copies:
        dest = os.path.normpath(copy.to) if copy.to.strip("/") else "."
        if not any(c in copy.source for c in _GLOB_CHARS):
            src = os.path.normpath(copy.source)
            dest = _join(dest, os.path.basename(src)) if copy.to.endswith("/") or copy.to == "" else dest
        elif copy.source.endswith("/**") and not any(c in copy.source[:-3] for c in _GLOB_CHARS):
            src = copy.source[:-3]
        else:
            continue
        if dest == ".":
            found = (copy.tree, _join(src, path))
        elif path == dest or path.startswith(dest + "/"):
            found = (copy.tree, _join(src, os.path.relpath(path, dest)))
    return found


def build_artifact(root: Path, name: str, copies: tuple[ArtifactCopy, ...]) -> Path:
    """The artifact's directory, built (or reused: same operations, same files read). Raises RenderError."""
    sources = {c.tree: tree_root(root, c.tree) for c in copies}
    digest = hashlib.blake2b(repr((name, copies)).encode(), digest_size=20)
    for copy in copies:
        _hash_inputs(digest, sources[copy.tree], copy)
    target = _workspace() / "artifacts" / digest.hexdigest()
    if target.is_dir():
        return target
    staging = Path(tempfile.mkdtemp(prefix="artifact-", dir=_workspace()))
    try:
        for copy in copies:
            try:
                _apply(copy, sources[copy.tree], staging)
            except RenderError as exc:
                raise RenderError(
                    f"ExternalArtifact {name}: failed to apply copy operation from '@{copy.alias}/{copy.source}' "
                    f"to '@artifact/{copy.to}': {exc.message}"
                ) from None
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            staging.rename(target)
        except OSError:  # built meanwhile by another thread
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _hash_inputs(digest: Any, src: Path, copy: ArtifactCopy) -> None:
    if copy.tree.commit:  # a commit's files never change
        digest.update(copy.tree.commit.encode())
        return
    top = src / selection_root(copy.source)
    paths = (
        [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file() and ".git" not in p.parts)
    )
    for path in paths:
        digest.update(path.relative_to(src).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\1")


def _apply(copy: ArtifactCopy, src: Path, staging: Path) -> None:
    pattern = copy.source
    dest = copy.to
    if not any(c in pattern for c in _GLOB_CHARS):
        _single(copy, src, os.path.normpath(pattern), staging, dest, dest == "" or dest.endswith("/"))
        return
    matches = fs_glob(src, pattern)
    if matches is None:
        raise RenderError(f"invalid glob pattern '{pattern}'")
    if not matches:
        raise RenderError(f"no files match pattern '{pattern}' in source '{copy.alias}'")
    base = selection_root(pattern)
    kept = [m for m in matches if m not in (".", "..") and not _excluded(m, base, copy.exclude)]
    if not kept:
        raise RenderError(f"all files matching pattern '{pattern}' in source '{copy.alias}' were excluded")
    for match in kept:
        _copy_path(copy, src, match, staging, _glob_destination(pattern, match, dest), base)


def _single(copy: ArtifactCopy, src: Path, path: str, staging: Path, dest: str, into: bool) -> None:
    source = src / path
    if not _inside(source, src) or not source.exists():
        raise RenderError(f"source '{path}' does not exist")
    if source.is_dir():
        _copy_path(copy, src, path, staging, _join(dest, os.path.basename(path)), path)
        return
    if _excluded(path, ".", copy.exclude):
        return
    if into or (staging / dest).is_dir():
        dest = _join(dest, os.path.basename(path))
    _copy_path(copy, src, path, staging, dest, ".")


def _join(*parts: str) -> str:
    return os.path.normpath(os.path.join(*parts)) if any(parts) else "."


def _glob_destination(pattern: str, match: str, dest: str) -> str:
    prefix = pattern.removesuffix("/**") if pattern.endswith("/**") else None
    if prefix is not None and match.startswith(prefix + "/"):
        return _join(dest, match[len(prefix) + 1 :])
    return _join(dest, match)


def _copy_path(copy: ArtifactCopy, src: Path, path: str, staging: Path, dest: str, base: str) -> None:
    source = src / path
    if source.is_dir():
        (staging / dest).mkdir(parents=True, exist_ok=True)
        for dirpath, dirnames, filenames in os.walk(source):
            dirnames.sort()
            here = Path(dirpath)
            rel_dir = here.relative_to(source).as_posix()
            for d in list(dirnames):
                rel = os.path.normpath(os.path.join(path, rel_dir, d))
                if _excluded(rel, base, copy.exclude):
                    dirnames.remove(d)
                else:
                    (staging / _join(dest, rel_dir, d)).mkdir(parents=True, exist_ok=True)
            for name in sorted(filenames):
                rel = os.path.normpath(os.path.join(path, rel_dir, name))
                if not _excluded(rel, base, copy.exclude) and _inside(src / rel, src):
                    _copy_file(src / rel, staging / _join(dest, rel_dir, name))
        return
    if not _inside(source, src):  # a symlink out of the source: os.Root refuses it
        raise RenderError(f"'{path}' points outside the source")
    target = staging / dest
    if copy.strategy == "Merge" and target.is_file():
        _merge(source, target)
        return
    _copy_file(source, target)


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.exists():
        target.unlink()
    shutil.copyfile(source, target)


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except OSError:
        return False


def _excluded(path: str, base: str, patterns: tuple[str, ...]) -> bool:
    if _matches(path, patterns):
        return True
    base = os.path.normpath(base)
    if base in (".", ""):
        return False
    rel = os.path.relpath(os.path.normpath(path), base)
    if rel == "." or rel.startswith(".."):
        return False
    return _matches(rel, patterns)


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    name = os.path.basename(path)
    return any(doublestar_match(p, path) or ("/" not in p and doublestar_match(p, name)) for p in patterns)


def fs_glob(root: Path, pattern: str) -> list[str] | None:
    """Go's `fs.Glob(os.DirFS(root), pattern)`: segment by segment, each segment `path.Match`ed against
    the sorted entries of the directories matched so far. None for a malformed pattern."""
    parts = pattern.split("/")
    found = ["."]
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        nxt: list[str] = []
        for base in found:
            directory = root / base if base != "." else root
            if not any(c in part for c in _GLOB_CHARS):
                candidate = part if base == "." else f"{base}/{part}"
                if (root / candidate).exists() or (root / candidate).is_symlink():
                    nxt.append(candidate)
                continue
            if not directory.is_dir():
                continue
            for entry in sorted(os.listdir(directory)):
                matched = path_match(part, entry)
                if matched is None:
                    return None
                if matched:
                    nxt.append(entry if base == "." else f"{base}/{entry}")
        found = [p for p in nxt if last or (root / p).is_dir()]
    return found


def _merge(source: Path, target: Path) -> None:
    merged = _merge_maps(_load_merged(target), _load_merged(source))
    target.write_text(yaml.safe_dump(merged, sort_keys=True, default_flow_style=False))


def _load_merged(path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict):
                out = _merge_maps(out, doc)
            elif doc is not None:
                raise RenderError(f"cannot unmarshal YAML document in {path.name}: not a mapping")
    except yaml.YAMLError as exc:
        raise RenderError(f"error reading YAML document in {path.name}: {exc}") from None
    return out


def _merge_maps(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge_maps(out[key], value)
        else:
            out[key] = value
    return out
