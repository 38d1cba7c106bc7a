"""A Flux `sourceRef` resolved as source-controller would serve it: which files the Kustomization's (or a
HelmRelease chart's) `spec.path` is relative to.

- `GitRepository`: this checkout when its `url` names one of the checkout's remotes, or it is the cluster's
  bootstrap source `flux-system/flux-system` (implicit when Git does not declare it); another checkout when
  `.gitops-tui.yaml` maps the URL under `repositories:`; else "source in another repository". Its `ref`
  (commit > name > semver > tag > branch, Flux's precedence) picks the revision: the checked-out branch is
  the working tree, another branch or tag is read from Git here (`origin/dev-team`), or the error says what
  to fetch.
- `OCIRepository`, `Bucket`: not in this checkout.
- `ExternalArtifact`: made by a source-watcher `ArtifactGenerator` in Git (`spec.artifacts[].name`, in the
  generator's namespace) from its `copy` operations; each `@alias` names one of the generator's sources,
  resolved as above. The artifact is built when rendering (artifact.py).
- Anything Git does not declare: "sourceRef … is not declared in this repository".
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from typing import Any

from gitops_tui.model import ArtifactCopy, FluxSourceRef, GitTree
from gitops_tui.source import specfields as f
from gitops_tui.source.argo_sources import SourceContext
from gitops_tui.source.fluxsources import DEFAULT_NAMESPACE, FluxSource, FluxSources
from gitops_tui.source.repourl import names_checkout
from gitops_tui.source.specfields import SpecError

BOOTSTRAP = "flux-system"
_NOT_HERE = ("OCIRepository", "Bucket")
_KINDS = ("GitRepository", "OCIRepository", "Bucket", "ExternalArtifact")
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


class SourceRefError(ValueError):
    """Why the source cannot be read here: the app's error."""


def source_ref(
    spec: Mapping[str, Any], namespace: str, field: str = "spec.sourceRef"
) -> tuple[str, str, str]:
    """(kind, namespace, name) of a `sourceRef` (its namespace defaults to the referring object's)."""
    raw = spec.get("sourceRef")
    if raw is None:
        raise SpecError(f"{field} is missing")
    ref = f.mapping(raw, field)
    kind = f.text(ref.get("kind"), f"{field}.kind")
    name = f.text(ref.get("name"), f"{field}.name")
    if not kind or not name:
        raise SpecError(f"{field} needs kind and name")
    return kind, f.text(ref.get("namespace"), f"{field}.namespace") or namespace, name


def resolve_source(
    kind: str,
    namespace: str,
    name: str,
    sources: FluxSources | None,
    ctx: SourceContext | None,
    allowed: tuple[str, ...] = _KINDS,
) -> tuple[FluxSourceRef, list[str]]:
    """The source's files, and notes (which revision is read). Raises SourceRefError."""
    what = f"sourceRef {kind} {namespace}/{name}"
    if kind not in allowed:
        raise SourceRefError(f"{what}: a Kustomization's source is one of {', '.join(allowed)}")
    found = sources.get(kind, namespace, name) if sources is not None else None
    if kind == "GitRepository":
        tree, notes = _git_tree(found, namespace, name, ctx)
        return FluxSourceRef(kind, namespace, name, tree=tree), notes
    if found is None and kind == "ExternalArtifact":
        generator = _generator_of(sources, namespace, name)
        if generator is not None:
            return _artifact(generator, namespace, name, sources, ctx)
    if found is None:
        raise SourceRefError(f"{what} is not declared in this repository")
    if kind in _NOT_HERE:
        raw = found.obj.get("spec")
        spec: dict[str, Any] = raw if isinstance(raw, dict) else {}
        where = str(spec.get("url") or spec.get("bucketName") or found.where)
        raise SourceRefError(f"source not in this checkout ({kind} {where})")
    raise SourceRefError(f"{what} ({found.where}) is produced by no ArtifactGenerator in this repository")


# -- GitRepository --------------------------------------------------------------------------------


def _git_tree(
    found: FluxSource | None, namespace: str, name: str, ctx: SourceContext | None
) -> tuple[GitTree, list[str]]:
    bootstrap = namespace == BOOTSTRAP and name == BOOTSTRAP
    if found is None:
        if bootstrap:  # `flux bootstrap` declares it in gotk-sync.yaml: this very checkout
            return GitTree(), []
        raise SourceRefError(f"sourceRef GitRepository {namespace}/{name} is not declared in this repository")
    spec = found.obj.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    url = str(spec.get("url") or "")
    if bootstrap:
        return GitTree(), []  # the cluster directory is in this checkout, whatever spelling its URL has
    ctx = ctx or SourceContext()
    mapped = ctx.checkout_of(url) if url else None
    if mapped is not None:
        if not mapped.is_dir():
            raise SourceRefError(f"source {url} is mapped to {mapped}, which is not a directory")
        checkout = str(mapped)
    elif url and not ctx.is_this_checkout(url):
        raise SourceRefError(
            f"source in another repository: {url} (GitRepository {namespace}/{name}, {found.where}; map it to "
            "a local checkout in .gitops-tui.yaml under repositories:)"
        )
    else:
        checkout = ""
    raw_ref = spec.get("ref")
    wanted, how = _wanted_revision(raw_ref if isinstance(raw_ref, dict) else {})
    if checkout:  # as an Argo CD source mapped there: that checkout as it is, whichever ref it wants
        note = f"GitRepository {namespace}/{name}: {how or 'its default branch'} read from the working tree of {checkout}"
        return GitTree(checkout=checkout), [note]
    if not wanted or ctx.same_revision(wanted):
        return GitTree(), []
    git = ctx.repo_root
    if not git:
        raise SourceRefError(
            f"GitRepository {namespace}/{name} wants {how}, and this tree is not a Git checkout"
        )
    used, commit = _resolve(git, wanted, how, url, ctx)
    note = f"GitRepository {namespace}/{name}: {how} read from {used} ({commit[:7]})"
    return GitTree(revision=used, commit=commit, git=git), [note]


def _wanted_revision(ref: Mapping[str, Any]) -> tuple[str, str]:
    """(revision, how it was asked) by Flux's precedence; ("", "") for the default branch."""
    if ref.get("commit"):
        return str(ref["commit"]), f"commit {ref['commit']}"
    if ref.get("name"):
        return str(ref["name"]), f"ref {ref['name']}"
    if ref.get("semver"):
        raise SourceRefError(
            f"ref.semver {ref['semver']}: the newest matching tag is chosen by source-controller, not here"
        )
    if ref.get("tag"):
        return f"refs/tags/{ref['tag']}", f"tag {ref['tag']}"
    if ref.get("branch"):
        return str(ref["branch"]), f"branch {ref['branch']}"
    return "", ""


def _git(git: str, *args: str) -> str:
    try:
        proc = subprocess.run(
            ["git", "-C", git, *args],
            capture_output=True,
            text=True,
            env={**os.environ, **_ENV},
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def _resolve(git: str, wanted: str, how: str, url: str, ctx: SourceContext) -> tuple[str, str]:
    """(the revision read, its commit): a branch from the remote the URL names (else any remote, else
    local), a tag or commit as it is."""
    candidates: list[str] = []
    if how.startswith("branch "):
        branch = wanted.removeprefix("refs/heads/")
        remotes = _git(git, "remote").split()
        named = [r for r in remotes if url and names_checkout(url, [_git(git, "remote", "get-url", r)])]
        for remote in [*named, *(r for r in remotes if r not in named)]:
            candidates.append(f"refs/remotes/{remote}/{branch}")
        candidates.append(f"refs/heads/{branch}")
    else:
        candidates.append(wanted)
    for candidate in candidates:
        commit = _git(git, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{candidate}^{{commit}}")
        if commit:
            return candidate.removeprefix("refs/remotes/").removeprefix("refs/heads/"), commit
    remote = (_git(git, "remote").split() or ["origin"])[0]
    fetch = wanted.removeprefix("refs/tags/")
    raise SourceRefError(f"{how} is not in this checkout (git fetch {remote} {fetch})")


# -- ExternalArtifact from an ArtifactGenerator ---------------------------------------------------


def _generator_of(sources: FluxSources | None, namespace: str, name: str) -> FluxSource | None:
    for source in sources or ():
        if source.kind != "ArtifactGenerator" or source.namespace != namespace:
            continue
        spec = source.obj.get("spec")
        for artifact in (spec or {}).get("artifacts") or [] if isinstance(spec, dict) else []:
            if isinstance(artifact, dict) and artifact.get("name") == name:
                return source
    return None


def _artifact(
    generator: FluxSource, namespace: str, name: str, sources: FluxSources | None, ctx: SourceContext | None
) -> tuple[FluxSourceRef, list[str]]:
    where = f"{generator.where}: ArtifactGenerator {generator.namespace}/{generator.name}"
    spec = generator.obj.get("spec") or {}
    if spec.get("pathPattern"):
        raise SourceRefError(f"{where}: pathPattern is not expanded here")
    aliases: dict[str, tuple[str, str, str]] = {}
    for i, raw in enumerate(spec.get("sources") or []):
        if not isinstance(raw, dict) or not raw.get("alias"):
            raise SourceRefError(f"{where}: spec.sources[{i}] needs alias, kind and name")
        aliases[str(raw["alias"])] = (
            str(raw.get("kind") or ""),
            str(raw.get("namespace") or generator.namespace or DEFAULT_NAMESPACE),
            str(raw.get("name") or ""),
        )
    artifact = next(a for a in spec["artifacts"] if isinstance(a, dict) and a.get("name") == name)
    trees: dict[str, GitTree] = {}
    notes: list[str] = []
    copies: list[ArtifactCopy] = []
    for i, op in enumerate(artifact.get("copy") or []):
        field = f"artifacts[{name}].copy[{i}]"
        if not isinstance(op, dict):
            raise SourceRefError(f"{where}: {field} must be a mapping")
        source, to = str(op.get("from") or ""), str(op.get("to") or "")
        if not source.startswith("@") or "/" not in source:
            raise SourceRefError(f"{where}: {field}.from must be @alias/pattern, not {source!r}")
        if not to.startswith("@artifact/"):
            raise SourceRefError(f"{where}: {field}.to must start with @artifact/, not {to!r}")
        alias, _, pattern = source[1:].partition("/")
        if alias not in aliases:
            raise SourceRefError(f"{where}: {field}: source alias '{alias}' not found")
        strategy = str(op.get("strategy") or "Overwrite")
        if strategy not in ("Overwrite", "Merge"):
            raise SourceRefError(f"{where}: {field}: strategy {strategy} is not applied here")
        if alias not in trees:
            kind, ns, src_name = aliases[alias]
            ref, more = resolve_source(
                kind, ns, src_name, sources, ctx, allowed=("GitRepository", *_NOT_HERE)
            )
            trees[alias] = ref.tree
            notes.extend(more)
        exclude = op.get("exclude") or []
        copies.append(
            ArtifactCopy(
                tree=trees[alias],
                source=pattern,
                to=to.removeprefix("@artifact/"),
                exclude=tuple(str(e) for e in exclude) if isinstance(exclude, list) else (),
                strategy=strategy,
                alias=alias,
            )
        )
    generator_id = f"{generator.namespace}/{generator.name}"
    ref = FluxSourceRef("ExternalArtifact", namespace, name, copies=tuple(copies), generator=generator_id)
    return ref, notes
