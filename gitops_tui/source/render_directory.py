"""Directory apps: every YAML/JSON file under the app's path, multi-document, Kubernetes objects only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitops_tui.model import AppOrigin, AppSpec, JsonnetSpec, Obj
from gitops_tui.source.errors import ManifestError, RenderError
from gitops_tui.source.render_jsonnet import evaluate
from gitops_tui.source.walk import KUSTOMIZATION_FILES, MANIFEST_SUFFIXES, glob_matches, manifest_files
from gitops_tui.source.yamlload import is_k8s_object, load_documents

# Files that configure a renderer rather than describe objects.
NOT_MANIFESTS = frozenset({*KUSTOMIZATION_FILES, "Chart.yaml", "values.yaml"})
_MAX_ERRORS = 3


def expand_lists(doc: Any) -> list[Any]:
    """`kind: List` (and `*List`) documents hold their objects in `items`, as kubectl reads them."""
    if (
        isinstance(doc, dict)
        and str(doc.get("kind", "")).endswith("List")
        and isinstance(doc.get("items"), list)
    ):
        return list(doc["items"])
    return [doc]


def join_errors(errors: list[str]) -> str:
    shown = "; ".join(errors[:_MAX_ERRORS])
    return shown + (f" (and {len(errors) - _MAX_ERRORS} more)" if len(errors) > _MAX_ERRORS else "")


def render_directory(
    root: Path,
    app: AppSpec,
    app_dir: Path,
    jsonnet: JsonnetSpec | None = None,
    env: dict[str, str] | None = None,
) -> tuple[list[Obj], list[tuple[str, int]], list[str]]:
    """Objects, their (file, document index) origins and notes. Raises RenderError naming every bad file.

    One unreadable file fails the whole app: applying (or worse, pruning against) a partial set of objects
    would be wrong, so a partial render is never returned. An Argo CD app also evaluates its `*.jsonnet`
    files (with `jsonnet`'s arguments), as Argo CD does.
    """
    argo = app.origin is AppOrigin.ARGO
    suffixes = (*MANIFEST_SUFFIXES, ".jsonnet") if argo else MANIFEST_SUFFIXES
    objects: list[Obj] = []
    origins: list[tuple[str, int]] = []
    notes: list[str] = []
    errors: list[str] = []
    real_root = root.resolve()
    for path in manifest_files(app_dir, recurse=app.recurse, suffixes=suffixes):
        if path.name in NOT_MANIFESTS:
            continue
        in_app = path.relative_to(app_dir).as_posix()
        if app.exclude and glob_matches(app.exclude, in_app):
            continue
        if app.include and not glob_matches(app.include, in_app):
            continue
        rel = path.relative_to(root).as_posix()
        if path.is_symlink() and not path.resolve().is_relative_to(real_root):
            notes.append(f"{rel}: symlink to outside the repository, skipped")
            continue
        if path.name.endswith(".jsonnet"):
            try:
                values = evaluate(path, app_dir, root, jsonnet or JsonnetSpec(), env or {})
            except RenderError as exc:
                errors.append(exc.message)
                continue
            for i, value in enumerate(values):
                for item in expand_lists(value):
                    if is_k8s_object(item):
                        objects.append(item)
                        origins.append((rel, i))
            continue
        try:
            text = path.read_bytes().decode("utf-8-sig")
            docs = load_documents(text, rel)
        except ManifestError as exc:
            errors.append(exc.message)
            continue
        except UnicodeDecodeError:
            errors.append(f"{rel}: not UTF-8 text")
            continue
        except OSError as exc:
            errors.append(f"{rel}: {exc.strerror}")
            continue
        skipped: list[int] = []
        for doc in docs:
            if doc.data is None:
                continue
            for item in expand_lists(doc.data):
                if is_k8s_object(item):
                    objects.append(item)
                    origins.append((rel, doc.index))
                else:
                    skipped.append(doc.line)
        if skipped:
            lines = ", ".join(str(n) for n in skipped[:5]) + (", …" if len(skipped) > 5 else "")
            what = "not a Kubernetes object" if len(skipped) == 1 else "not Kubernetes objects"
            notes.append(f"{rel}: skipped document at line {lines} ({what}: no apiVersion/kind/name)")
    if errors:
        raise RenderError(join_errors(errors))
    return objects, origins, notes
