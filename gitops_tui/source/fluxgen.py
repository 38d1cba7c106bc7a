"""The kustomization.yaml kustomize-controller builds (fluxcd/pkg kustomize generator): the one at the
Kustomization's path, or, when there is none, one it generates listing every `.yaml`/`.yml` manifest below
the path (a subdirectory with its own kustomization listed as a directory and not descended into); then
the Kustomization's own options written into it, as the generator writes them:

- `targetNamespace` → `namespace`, `namePrefix` / `nameSuffix` replace the file's own;
- `patches` and `components` appended (a component must be a local relative path; a missing one is left
  out under `ignoreMissingComponents`);
- `images` merged by name into the file's own (`newName` when set, `newTag`/`digest` together);
- a found kustomization without `resources` gets `buildMetadata: [originAnnotations]`.

It is written in place of the original in a private copy of the source (the copy links the files, so it
is cheap), and built with `--load-restrictor=LoadRestrictionsNone`, as kustomize-controller builds.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gitops_tui.model import AppSpec, FluxBuild
from gitops_tui.source.errors import ManifestError, RenderError
from gitops_tui.source.render_kustomize import parse_image
from gitops_tui.source.sourceignore import SourceIgnore
from gitops_tui.source.yamlload import load_documents

# konfig.RecognizedKustomizationFileNames, in its order
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_API_VERSION = "kustomize.config.k8s.io/v1beta1"
_REMOTE = ("git::", "gh:", "ssh://", "https://", "http://", "git@", "github.com:", "github.com/")


def find_kustomization_file(directory: Path) -> Path | None:
    for name in KUSTOMIZATION_NAMES:
        path = directory / name
        if path.exists() and not path.is_dir():
            return path
    return None


def mirror(source: Path, target: Path, ignore: SourceIgnore | None) -> None:
    """`source` laid out again at `target`: real directories, each file a symlink to the original, what
    the artifact would leave out (`ignore`) left out."""
    for dirpath, dirnames, filenames in os.walk(source):
        here = Path(dirpath)
        rel = here.relative_to(source).as_posix()
        dest = target / rel if rel != "." else target
        dest.mkdir(parents=True, exist_ok=True)
        kept = []
        for d in sorted(dirnames):
            sub = f"{rel}/{d}" if rel != "." else d
            if d == ".git" or (ignore is not None and ignore.ignored(sub, True)):
                continue
            if (here / d).is_symlink():  # followed as a file tree would not be: link it whole
                os.symlink(os.path.realpath(here / d), dest / d)
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in filenames:
            sub = f"{rel}/{name}" if rel != "." else name
            if ignore is not None and ignore.ignored(sub, False):
                continue
            os.symlink(os.path.realpath(here / name), dest / name)


def _scan(directory: Path, root: Path) -> list[str]:
    """scanManifests: manifests and kustomization directories below `directory`, walked in lexical order."""
    found: list[str] = []

    def walk(here: Path) -> None:
        for entry in sorted(os.listdir(here)):
            path = here / entry
            if path.is_dir():
                if find_kustomization_file(path) is not None:
                    found.append("./" + path.relative_to(directory).as_posix())
                else:
                    walk(path)
                continue
            if not entry.endswith((".yaml", ".yml")):
                continue
            rel = path.relative_to(root).as_posix()
            try:
                docs = load_documents(path.read_bytes().decode("utf-8-sig"), rel)
            except (ManifestError, UnicodeDecodeError) as exc:
                reason = exc.message if isinstance(exc, ManifestError) else "not UTF-8 text"
                raise RenderError(f"failed to decode Kubernetes YAML from {rel}: {reason}") from None
            for doc in docs:
                if doc.data is not None and not isinstance(doc.data, dict):
                    raise RenderError(f"{rel}:{doc.line}: failed to decode Kubernetes YAML: not an object")
            found.append("./" + path.relative_to(directory).as_posix())

    walk(directory)
    return found


@dataclass(frozen=True)
class Written:
    path: Path
    generated: bool  # there was no kustomization: Flux's generated one
    origin_annotations: bool  # Flux's build puts `config.kubernetes.io/origin` on the objects too


def write_kustomization(directory: Path, root: Path, app: AppSpec, build: FluxBuild) -> Written:
    """Write the kustomization Flux would build at `directory` (in the private copy). Raises RenderError."""
    existing = find_kustomization_file(directory)
    generated = existing is None
    if existing is not None:
        rel = existing.relative_to(root).as_posix()
        try:
            data = yaml.safe_load(existing.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise RenderError(f"{rel}: {' '.join(str(exc).split())}") from None
        if not isinstance(data, dict):
            raise RenderError(f"{rel}: a kustomization must be a mapping")
        kus: dict[str, Any] = {"apiVersion": _API_VERSION, "kind": "Kustomization", **data}
        if not kus.get("resources"):
            kus["buildMetadata"] = ["originAnnotations"]
        target = existing
    else:
        resources = _scan(directory, root)
        kus = {"apiVersion": _API_VERSION, "kind": "Kustomization"}
        if resources:
            kus["resources"] = resources
        else:
            kus["namespace"] = "_placeholder"
        target = directory / KUSTOMIZATION_NAMES[0]
    _apply_options(kus, directory, app, build)
    flux_keeps = "originAnnotations" in (kus.get("buildMetadata") or [])
    if not flux_keeps:  # added to tell which file each object came from; taken off again after the build
        kus["buildMetadata"] = [*(kus.get("buildMetadata") or []), "originAnnotations"]
    if target.is_symlink() or target.exists():
        target.unlink()  # the link to the original: the original is never written
    target.write_text(yaml.safe_dump(kus, sort_keys=False))
    return Written(target, generated, flux_keeps)


def _apply_options(kus: dict[str, Any], directory: Path, app: AppSpec, build: FluxBuild) -> None:
    if app.namespace:
        kus["namespace"] = app.namespace
    if app.kustomize_name_prefix:
        kus["namePrefix"] = app.kustomize_name_prefix
    if app.kustomize_name_suffix:
        kus["nameSuffix"] = app.kustomize_name_suffix
    for patch in json.loads(build.patches) if build.patches else []:
        entry = {"patch": patch.get("patch", "")}
        if patch.get("target"):
            entry["target"] = patch["target"]
        kus.setdefault("patches", []).append(entry)
    for component in build.components:
        if not _local_relative(component):
            raise RenderError(f"component path '{component}' must be local and relative")
        if build.ignore_missing_components and not (directory / component).exists():
            continue
        kus.setdefault("components", []).append(component)
    for spec in app.kustomize_images:
        image = parse_image(spec)
        images = kus.setdefault("images", [])
        same = next((i for i in images if isinstance(i, dict) and i.get("name") == image["name"]), None)
        if same is None:
            images.append(image)
            continue
        if image.get("newName"):
            same["newName"] = image["newName"]
        if image.get("newTag") or image.get("digest"):
            same.pop("newTag", None)
            same.pop("digest", None)
            same.update({k: image[k] for k in ("newTag", "digest") if image.get(k)})


def _local_relative(path: str) -> bool:
    lowered = path.lower()
    if any(len(p) < len(path) and lowered.startswith(p) for p in _REMOTE):
        return False
    return not (os.path.isabs(path) or os.path.isabs(lowered.removeprefix("file://")))
