"""The apps of a repository as Argo CD and Flux see them: a tree, found by rendering.

Scanning the checkout finds the roots (`discover.py`): `.gitops-tui.yaml` apps, Argo CD Applications in plain
YAML, Flux cluster roots and Kustomizations, or, without any of these, the inferred apps. Each app is
rendered; an `Application`, ApplicationSet, Flux `Kustomization` or `HelmRelease` in its output (and
whatever the `child_parsers` know) is a child app — app-of-apps, Flux's own tree — rendered in turn, to a depth
limit. A parent owns its children's manifests (it applies them), so it stays an app itself.

What Argo CD or Flux would not deploy is left out:
- a scanned manifest that a parent's output also declares is that parent's child, as rendered (with the
  parent's patches applied), not a second app;
- a scanned manifest in a file a Kustomize app is built from (a base, a patch) is part of that app's output
  or a fragment of it, not a root;
- inferred apps (there is no Application or Kustomization anywhere) that declare nothing, once an inferred
  app turns out to be an app-of-apps: Argo CD deploys only what the Applications name.

Cycles (an app declaring one of its ancestors) and nesting past the depth limit are said in a note on the
app where they stop; one app's render error ends only its own branch.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from gitops_tui.model import AppOrigin, AppSpec, GitTree, Obj, RenderedApp, SourceType, TrackingMethod
from gitops_tui.source.appset import AppSetContext, expand_application_set
from gitops_tui.source.argo import Parsed, is_application, parse_application
from gitops_tui.source.argo_sources import SourceContext
from gitops_tui.source.dependencies import kustomize_inputs
from gitops_tui.source.discover import Discovery, discover_apps
from gitops_tui.source.flux import in_cluster, is_flux_kustomization, parse_kustomization
from gitops_tui.source.fluxsources import FluxSources, source_kind, values_kind
from gitops_tui.source.fluxvalues import FluxValuesLookup
from gitops_tui.source.helmrelease import is_helm_release, parse_helm_release
from gitops_tui.source.specfields import SpecError, repo_path

MAX_DEPTH = 10
# Bytes every manifest that declares an app holds (its apiVersion), and every template that makes one.
CHILD_MARKERS = (b"argoproj.io", b"toolkit.fluxcd.io")
_MAX_FILES = 2000

Render = Callable[[Sequence[AppSpec]], list[RenderedApp]]
# A parser for more child kinds (ApplicationSets, HelmReleases): (object, where, parent) -> the apps it
# declares, or None when the object is not of its kind.
ChildParser = Callable[[Obj, str, AppSpec], list[Parsed] | None]


@dataclass(frozen=True)
class AppTree:
    apps: tuple[AppSpec, ...]  # tree order: each app followed by its children
    rendered: tuple[RenderedApp, ...]  # parallel to `apps`
    errors: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def children(self, app_id: str) -> list[AppSpec]:
        return [a for a in self.apps if a.parent == app_id]


@dataclass
class _Entry:
    spec: AppSpec
    scanned: bool  # found by scanning the checkout (a root unless a parent turns out to declare it)
    rendered: RenderedApp | None = None
    notes: list[str] = field(default_factory=list)
    children: list[_Entry] = field(default_factory=list)


class _Builder:
    def __init__(
        self,
        root: Path,
        parsers: Sequence[ChildParser],
        max_depth: int,
        context: SourceContext | None,
        appsets: AppSetContext | None,
        values_lookup: FluxValuesLookup | None = None,
    ) -> None:
        self.root = root
        self.context = context
        self.appsets = appsets or AppSetContext(tree=root)
        self.errors: list[str] = []  # ApplicationSets that could not be expanded (said on the parent too)
        self.scanned_sources = FluxSources()
        self._sources: dict[str, FluxSources] = {}
        self.values_lookup = values_lookup
        self.parsers = parsers
        self.max_depth = max_depth
        self.by_id: dict[str, _Entry] = {}  # the first app of each id
        self.roots: list[_Entry] = []  # scanned, in scan order (duplicates included)
        self.notes: list[str] = []

    def sources(self, cluster: str) -> FluxSources:
        """The Flux source objects of a cluster, so far (the scanned ones seen from every cluster)."""
        if not cluster:
            return self.scanned_sources
        return self._sources.setdefault(cluster, FluxSources(fallback=self.scanned_sources))

    def add_sources(self, app: AppSpec, result: RenderedApp) -> None:
        index = self.sources(app.cluster)
        origins = result.origins or tuple((app.path, i) for i in range(len(result.objects)))
        for obj, (file, i) in zip(result.objects, origins, strict=True):
            if source_kind(obj) is not None or values_kind(obj) is not None:
                where = f"{file} (document {i + 1}, rendered by {app.id})"
                index.add(obj, where, declared_by=app.id, default_namespace=app.namespace)

    def scanned(self, apps: Sequence[AppSpec]) -> list[_Entry]:
        for app in apps:
            first = self.by_id.get(app.id)
            if first is not None and not app.error:  # an Application an ApplicationSet also generates
                where = first.spec.defined_in or first.spec.path
                app = replace(
                    app, error=f"{app.defined_in}: duplicate app {app.id}: already defined in {where}"
                )
            entry = _Entry(app, scanned=True)
            self.by_id.setdefault(app.id, entry)
            self.roots.append(entry)
        return list(self.roots)

    def expand_appset(self, doc: Obj, where: str, parent: AppSpec | None) -> list[AppSpec]:
        """The Applications an ApplicationSet generates, each knowing which one; its error and notes are
        said on the app whose output holds it (and, for one found by scanning, among discovery errors)."""
        name = str((doc.get("metadata") or {}).get("name") or "?")
        ctx = self.appsets
        if parent is not None and parent.namespace:  # an ApplicationSet without a namespace lands there
            ctx = replace(ctx, default_namespace=parent.namespace)
        result = expand_application_set(doc, where, ctx)
        if result.error:
            self.errors.append(result.error)
        self.notes.extend(result.notes)
        tracking = parent.tracking if parent is not None else TrackingMethod.ANNOTATION
        apps = []
        for generated in result.applications:
            parsed = parse_application(
                generated, f"{where} (ApplicationSet {name})", self.root, tracking, self.context
            )
            self.notes.extend(parsed.notes)
            if parsed.app is None:
                self.errors.append(parsed.error)
                continue
            apps.append(replace(parsed.app, appset=name))
        return apps

    def appset_notes(self, entry: _Entry, before: int) -> None:
        """ApplicationSet errors found while reading this app's output: on the app too."""
        entry.notes.extend(self.errors[before:])

    def declared(self, parent: _Entry, child: AppSpec) -> _Entry | None:
        """Put a child the parent declares in the tree; the entry if it needs a render."""
        existing = self.by_id.get(child.id)
        if existing is not None and existing.spec.parent == parent.spec.id and existing in parent.children:
            return self._update(existing, child)  # the parent rendered again (it was adopted)
        if existing is not None and (child.id == parent.spec.id or child.id in self._ancestors(parent)):
            parent.notes.append(
                f"declares {child.kind or 'app'} {child.id}, one of its own ancestors: not followed"
            )
            return None
        if len(self._ancestors(parent)) >= self.max_depth:  # the tree's depth, not the render round's
            parent.notes.append(
                f"declares {child.kind or 'app'} {child.id}, nested deeper than {self.max_depth} levels: "
                "not followed"
            )
            return None
        if existing is None:
            entry = _Entry(child, scanned=False)
            self.by_id[child.id] = entry
            parent.children.append(entry)
            return entry
        if existing.scanned and not existing.spec.parent:
            # Found by scanning, but really this parent's child: the rendered manifest (the parent's patches
            # applied) is what the parent applies.
            existing.scanned = False
            parent.children.append(existing)
            return self._update(
                existing, replace(child, defined_in=existing.spec.defined_in or child.defined_in)
            )
        first = existing.spec.parent or existing.spec.defined_in or existing.spec.path
        error = f"{child.defined_in or child.path}: duplicate app {child.id}: already declared by {first}"
        entry = _Entry(replace(child, error=error), scanned=False)
        parent.children.append(entry)
        return entry

    @staticmethod
    def _update(entry: _Entry, spec: AppSpec) -> _Entry | None:
        same = replace(entry.spec, parent="", defined_in="") == replace(spec, parent="", defined_in="")
        entry.spec = spec
        if same and entry.rendered is not None:
            return None
        entry.rendered = None
        entry.children.clear()
        return entry

    def _ancestors(self, entry: _Entry) -> set[str]:
        seen: set[str] = {entry.spec.id}
        parent = entry.spec.parent
        while parent and parent not in seen:
            seen.add(parent)
            up = self.by_id.get(parent)
            parent = up.spec.parent if up is not None else ""
        return seen

    def children_of(self, parent: AppSpec, result: RenderedApp) -> list[AppSpec]:
        out: list[AppSpec] = []
        origins = result.origins or tuple((parent.path, i) for i in range(len(result.objects)))
        for obj, (file, index) in zip(result.objects, origins, strict=True):
            where = f"{file} (document {index + 1}, rendered by {parent.id})"
            parsed: list[Parsed] | None = None
            if is_application(obj):
                parsed = [parse_application(obj, where, self.root, parent.tracking, self.context)]
            elif is_application(obj, kind="ApplicationSet"):
                out.extend(_inherit(a, parent) for a in self.expand_appset(obj, where, parent))
                continue
            elif is_flux_kustomization(obj):
                parsed = [
                    parse_kustomization(obj, where, self.root, self.sources(parent.cluster), self.context)
                ]
            elif is_helm_release(obj):
                parsed = [
                    parse_helm_release(
                        obj,
                        where,
                        parent,
                        self.sources(parent.cluster),
                        self.context,
                        lookup=self.values_lookup,
                    )
                ]
            else:
                for parser in self.parsers:
                    parsed = parser(obj, where, parent)
                    if parsed is not None:
                        break
            for item in parsed or ():
                self.notes.extend(item.notes)
                if item.app is None:
                    self.notes.append(item.error)
                elif item.app.id != parent.id:  # Flux's bootstrap Kustomization declares itself
                    out.append(_inherit(item.app, parent))
        return out


def discover_tree(
    root: Path,
    render: Render,
    *,
    found: Discovery | None = None,
    child_parsers: Sequence[ChildParser] = (),
    max_depth: int = MAX_DEPTH,
    default_tracking: TrackingMethod = TrackingMethod.ANNOTATION,
    wanted: Callable[[AppSpec], bool] | None = None,
    appsets: AppSetContext | None = None,
    values_lookup: FluxValuesLookup | None = None,
) -> AppTree:
    """Every app of the checkout at `root`, with its render. `render` renders a batch in order and never
    raises (the caller passes its cached, concurrent one). Never raises for content problems.

    `wanted`: only these apps' renders are needed (`diff APP`); the others are rendered only when what they
    are built from could declare an app (`may_declare_apps`), and are otherwise left unrendered (`LAZY`).

    `values_lookup` reads a ConfigMap or Secret a HelmRelease's `valuesFrom` names from its cluster when Git
    does not hold it (fluxvalues.py); without it, only Git is read."""
    root = Path(root)
    found = found if found is not None else discover_apps(root, default_tracking=default_tracking)
    builder = _Builder(root, child_parsers, max_depth, found.context, appsets, values_lookup)
    for obj, where in found.flux_sources:
        builder.scanned_sources.add(obj, where)
    generated = [a for doc, where in found.appsets for a in builder.expand_appset(doc, where, None)]
    pending = builder.scanned([*found.apps, *generated])
    while pending:
        results = _render_needed(root, render, [e.spec for e in pending], wanted)
        for entry, result in zip(pending, results, strict=True):
            entry.rendered = result  # all of the level first: a sibling adopted below needs no second render
            if not result.error:  # and its sources: a child may name what a sibling of its parent applies
                builder.add_sources(entry.spec, result)
        next_level: list[_Entry] = []
        for entry, result in zip(pending, results, strict=True):
            if result.error:
                continue
            before = len(builder.errors)
            for child in builder.children_of(entry.spec, result):
                placed = builder.declared(entry, child)
                if placed is not None and placed not in next_level:
                    next_level.append(placed)
            builder.appset_notes(entry, before)
        pending = next_level
    return _assemble(builder, found)


LAZY = "not rendered: not asked for, and it declares no app"


def _render_needed(
    root: Path, render: Render, apps: list[AppSpec], wanted: Callable[[AppSpec], bool] | None
) -> list[RenderedApp]:
    if wanted is None:
        return render(apps)
    needed = [a for a in apps if a.error or wanted(a) or may_declare_apps(root, a)]
    done = iter(render(needed))
    chosen = {id(a) for a in needed}
    return [next(done) if id(a) in chosen else RenderedApp(app=a, error=LAZY) for a in apps]


def may_declare_apps(root: Path, app: AppSpec) -> bool:
    """Whether an app's output could hold an Application, ApplicationSet or Flux object: one of the files
    it is built from names their API group (a chart's template or values, a Kustomize resource, a plain
    manifest). True when that cannot be told (a remote base, a path outside the checkout)."""
    try:
        own = repo_path(app.path, "path")
    except SpecError:
        return True
    if app.flux is not None and app.flux.source is not None and app.flux.source.kind != "GitRepository":
        return True  # an artifact: what it holds is known once built
    if app.flux is not None and app.flux.source is not None and app.flux.source.tree != GitTree():
        return True  # another checkout or revision
    if app.source_type is SourceType.KUSTOMIZE:
        paths, complete = kustomize_inputs(root, own)
        if not complete:
            return True
    else:
        paths = {own}
    files: list[Path] = []
    for rel in sorted(paths):
        top = root / rel if rel != "." else root
        if top.is_file():
            files.append(top)
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            if app.source_type is SourceType.DIRECTORY and not app.recurse and Path(dirpath) != top:
                dirnames.clear()
                continue
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            files.extend(Path(dirpath) / name for name in filenames)
            if len(files) > _MAX_FILES:
                return True
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if any(marker in data for marker in CHILD_MARKERS):
            return True
    return False


def _inherit(child: AppSpec, parent: AppSpec) -> AppSpec:
    """A child app in its parent's tree: the parent's id, and for Flux the parent's cluster."""
    if child.origin is AppOrigin.FLUX and not child.cluster:
        child = in_cluster(child, parent.cluster)
    return replace(child, parent=parent.id)


def _assemble(builder: _Builder, found: Discovery) -> AppTree:
    read = _files_read(builder)
    roots = [e for e in builder.roots if e.scanned and not _fragment(builder, e, read)]
    inferred = [e for e in roots if e.spec.origin is AppOrigin.AUTO]
    if any(e.children for e in inferred):
        roots = [e for e in roots if e.spec.origin is not AppOrigin.AUTO or e.children]
    order: list[_Entry] = []
    seen: set[int] = set()

    def visit(entry: _Entry) -> None:
        if id(entry) in seen:
            return
        seen.add(id(entry))
        order.append(entry)
        for child in entry.children:
            visit(child)

    for entry in roots:
        visit(entry)
    apps: list[AppSpec] = []
    rendered: list[RenderedApp] = []
    for entry in order:
        result = entry.rendered or RenderedApp(app=entry.spec, error=entry.spec.error)
        if entry.notes:
            result = replace(result, notes=(*result.notes, *entry.notes))
        apps.append(entry.spec)
        rendered.append(replace(result, app=entry.spec))
    errors = tuple(dict.fromkeys([*found.errors, *builder.errors]))
    return AppTree(tuple(apps), tuple(rendered), errors, tuple(dict.fromkeys([*found.notes, *builder.notes])))


def _fragment(builder: _Builder, entry: _Entry, read: dict[str, set[str]]) -> bool:
    """Whether a scanned Argo CD or Flux manifest sits in a file another rendered app read: a file of a
    directory app (its manifests are that app's children, or a cycle said there), a base or a patch of a
    Kustomize build (part of its output, or a fragment of a manifest). Such a manifest is not a root."""
    file = entry.spec.defined_in
    if not file or entry.spec.origin not in (AppOrigin.ARGO, AppOrigin.FLUX):
        return False
    return any(file in files for app_id, files in read.items() if app_id != entry.spec.id)


def _files_read(builder: _Builder) -> dict[str, set[str]]:
    """Per rendered app, the files of this checkout its render read, as far as can be told."""
    read: dict[str, set[str]] = {}
    for entry in builder.by_id.values():
        result = entry.rendered
        if result is None or result.error:
            continue
        files = {file for file, _ in result.origins if file}
        if entry.spec.source_type is SourceType.KUSTOMIZE:
            files |= _kustomize_files(builder.root, entry.spec)
        read[entry.spec.id] = files
    return read


def _kustomize_files(root: Path, app: AppSpec) -> set[str]:
    try:
        own = repo_path(app.path, "path")
    except SpecError:
        return set()
    paths, _ = kustomize_inputs(root, own)
    return {posixpath.normpath(p) for p in paths if not (root / p).is_dir()}
