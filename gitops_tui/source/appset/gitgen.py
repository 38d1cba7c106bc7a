"""The git generator (applicationset/generators/git.go), reading a local checkout instead of the repo server.

`repoURL` naming this checkout reads the tree being shown (working tree or `--revision`); another
repository is read from the local checkout `.gitops-tui.yaml` maps it to, or is the ApplicationSet's error.
A `revision` other than HEAD or the checked-out branch is said in a note: the checkout is read all the same.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gitops_tui.source.appset.globs as globs
from gitops_tui.source import repourl
from gitops_tui.source.appset.gittree import DirPattern
from gitops_tui.source.appset.govalues import GoStringSlice, flatten, go_sprint, json_data, sanitize_name
from gitops_tui.source.appset.state import AppSetError, Expansion, Params, append_values
from gitops_tui.source.errors import ManifestError
from gitops_tui.source.yamlload import load_documents

if TYPE_CHECKING:
    from gitops_tui.source.appset.context import AppSetContext


def git_params(exp: Expansion, ctx: AppSetContext, spec: Mapping[str, Any], path: str) -> list[Params]:
    url = str(spec.get("repoURL") or "")
    root = _checkout(ctx, url, path)
    _note_revision(exp, spec, path, ctx.branch if root == ctx.tree else "")
    prefix = str(spec.get("pathParamPrefix") or "")
    directories = spec.get("directories") or []
    files = spec.get("files") or []
    if directories:
        params = _directory_params(exp, root, _items(directories, f"{path}.directories"), prefix, path)
    elif files:
        params = _file_params(exp, root, _items(files, f"{path}.files"), prefix, url, path)
    else:
        raise AppSetError(
            f"{path}: ApplicationSet is empty (the git generator names no directories and no files)"
        )
    append_values(exp, params, spec.get("values"), f"{path}.values")
    return params


def _checkout(ctx: AppSetContext, url: str, path: str) -> Path:
    if not url:
        raise AppSetError(f"{path}.repoURL is missing")
    if repourl.names_checkout(url, ctx.remotes):
        return ctx.tree
    local = repourl.local_checkout(url, ctx.local_repos)
    if local is None:
        raise AppSetError(
            f"git generator reads {url}, not this checkout "
            "(map it to a local checkout in .gitops-tui.yaml under repositories:)"
        )
    if not local.is_dir():
        raise AppSetError(f"git generator reads {url}: its local checkout {local} is not a directory")
    return local


def _note_revision(exp: Expansion, spec: Mapping[str, Any], path: str, branch: str) -> None:
    """`branch` is the checked-out branch when the generator reads this checkout ("" for another one)."""
    revision = str(spec.get("revision") or "")
    if revision and revision != "HEAD" and revision != branch:
        on = f" (on {branch})" if branch else ""
        exp.notes.append(
            f"{path}: the git generator reads revision {revision}; the checkout{on} is read instead"
        )


def _items(raw: Any, field: str) -> list[DirPattern]:
    if not isinstance(raw, list):
        raise AppSetError(f"{field} must be a list of {{path, exclude}}")
    out: list[DirPattern] = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping) or not isinstance(item.get("path"), str):
            raise AppSetError(f"{field}[{i}] must be a mapping with a path")
        out.append(DirPattern(item["path"], bool(item.get("exclude"))))
    return out


def _directory_params(
    exp: Expansion, root: Path, patterns: list[DirPattern], prefix: str, path: str
) -> list[Params]:
    found, bad = exp.tree(root).directories(patterns)
    for pattern in bad:
        exp.notes.append(
            f"{path}.directories: {pattern!r} is not a valid path.Match pattern: Argo CD ignores it"
        )
    if not found:
        wanted = ", ".join(p.path for p in patterns if not p.exclude)
        exp.notes.append(
            f"{path}.directories: no directory matches {wanted} (Argo CD generates no Applications from it)"
        )
    out: list[Params] = []
    for rel in found:
        base = posixpath.basename(rel)
        if exp.go:
            info = {
                "path": rel,
                "basename": base,
                "basenameNormalized": sanitize_name(base),
                "segments": GoStringSlice(rel.split("/")),
            }
            values: dict[str, Any] = {prefix: {"path": info}} if prefix else {"path": info}
        else:
            name = f"{prefix}.path" if prefix else "path"
            values = {name: rel, f"{name}.basename": base, f"{name}.basenameNormalized": sanitize_name(base)}
            values.update({f"{name}[{i}]": seg for i, seg in enumerate(rel.split("/")) if seg})
        out.append(Params(values, f"directory {rel}"))
    return out


def _file_params(
    exp: Expansion, root: Path, patterns: list[DirPattern], prefix: str, url: str, path: str
) -> list[Params]:
    tree = exp.tree(root)
    selected: dict[str, None] = {}
    try:
        for p in patterns:
            if not p.exclude:
                selected.update(dict.fromkeys(tree.matching_files(p.path)))
        for p in patterns:
            if p.exclude:
                for rel in tree.matching_files(p.path):
                    selected.pop(rel, None)
    except globs.BadPattern as exc:
        raise AppSetError(f"{path}.files: unable to list files: git ls-files: {exc}") from None
    if not selected:
        wanted = ", ".join(p.path for p in patterns if not p.exclude)
        exp.notes.append(
            f"{path}.files: no file matches {wanted} (Argo CD generates no Applications from it)"
        )
    out: list[Params] = []
    for rel in sorted(selected):
        for i, obj in enumerate(_objects(root / rel, rel, url)):
            label = f"file {rel}" + (f" item {i}" if i else "")
            out.append(Params(_file_values(exp, obj, rel, prefix), label))
    return out


def _objects(file: Path, rel: str, url: str) -> list[dict[str, Any]]:
    """The parameter objects of one file: a mapping, or each mapping of a list (sigs.k8s.io/yaml reads the
    first document; an empty file is one empty object)."""
    where = f"unable to process file '{rel}' from repository '{url}'"
    try:
        text = file.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AppSetError(f"{where}: unable to read it: {exc}") from None
    data = _parse(text, rel, where)
    if data is None:
        return [{}]
    if isinstance(data, dict):
        return [data]
    if isinstance(data, list) and all(item is None or isinstance(item, dict) for item in data):
        return [item or {} for item in data]
    raise AppSetError(f"{where}: unable to parse file: it holds neither a mapping nor a list of mappings")


def _parse(text: str, rel: str, where: str) -> Any:
    if text.lstrip().startswith(("{", "[")):
        try:
            return json_data(json.loads(text))
        except json.JSONDecodeError:
            pass  # YAML flow style, or broken JSON: the YAML parser says which
    try:
        docs = load_documents(text, rel if not rel.endswith(".json") else rel + ".yaml")
    except ManifestError as exc:
        line = f" (line {exc.line})" if exc.line else ""
        raise AppSetError(f"{where}: unable to parse file{line}: {exc.problem}") from None
    return json_data(docs[0].data) if docs else None


def _file_values(exp: Expansion, obj: dict[str, Any], rel: str, prefix: str) -> dict[str, Any]:
    directory = posixpath.dirname(rel) or "."
    base, filename = posixpath.basename(directory), posixpath.basename(rel)
    if exp.go:
        values = dict(obj)
        info = {
            "path": directory,
            "basename": base,
            "filename": filename,
            "basenameNormalized": sanitize_name(base),
            "filenameNormalized": sanitize_name(filename),
            "segments": GoStringSlice(directory.split("/")),
        }
        if prefix:
            values[prefix] = {"path": info}
        else:
            values["path"] = info
        return values
    values = {k: go_sprint(v) for k, v in flatten(obj).items()}
    name = f"{prefix}.path" if prefix else "path"
    values.update(
        {
            name: directory,
            f"{name}.basename": base,
            f"{name}.filename": filename,
            f"{name}.basenameNormalized": sanitize_name(base),
            f"{name}.filenameNormalized": sanitize_name(filename),
        }
    )
    values.update({f"{name}[{i}]": seg for i, seg in enumerate(directory.split("/")) if seg})
    return values
