"""Which kube context each app and each repository cluster maps to: Argo CD destinations through the
kubeconfig's servers and names, Flux `clusters/<name>` through `.gitops-tui.yaml`, the same name, a word of a
context's name, or the only context; and the clusters an ApplicationSet's cluster generator sees."""

from __future__ import annotations

from collections.abc import Sequence

from gitops_tui.cluster.kubeconfig import context_for_cluster, context_for_destination, list_contexts
from gitops_tui.model import HELM_RELEASE, AppSpec, GitopsError
from gitops_tui.source.appset import ClusterInfo
from gitops_tui.source.clusters import ClusterConfig


class ContextMap:
    """`clusters` are the repository's (set by each discovery); `context` is --context (None: current)."""

    def __init__(self, kubeconfig: str | None, context: str | None) -> None:
        self.kubeconfig = kubeconfig
        self.context = context
        self.clusters: tuple[ClusterConfig, ...] = ()

    def appset_clusters(self, configured: Sequence[ClusterConfig]) -> tuple[ClusterInfo, ...]:
        """The clusters an ApplicationSet's cluster generator sees, Argo CD's cluster Secrets being out of
        Git: each kube context (named as the context, at its server) and each cluster `.gitops-tui.yaml`
        describes (its labels too; a context of the same name lends its server)."""
        try:
            contexts, _ = list_contexts(self.kubeconfig)
        except GitopsError:
            contexts = []
        servers = {c.name: c.server for c in contexts}
        out = {c.name: ClusterInfo(name=c.name, server=c.server) for c in contexts if c.server}
        for c in configured:
            server = c.server or servers.get(c.context or c.name, "")
            out[c.name] = ClusterInfo(
                name=c.name, server=server, labels=dict(c.labels), annotations=dict(c.annotations)
            )
        return tuple(out.values())

    def for_app_or_error(self, app: AppSpec) -> str | None | GitopsError:
        # A duplicate, a bad spec: its own error says it better than its destination. Not for a HelmRelease
        # (a valuesFrom that cannot be read): what the cluster has for it is still listed.
        if app.error and app.kind != HELM_RELEASE:
            return GitopsError(app.error)
        try:
            return self.for_app(app)
        except GitopsError as exc:
            return exc

    def cluster_contexts(self) -> tuple[tuple[str, str], ...]:
        """(cluster, the kube context it maps to, or why none) for each cluster the repository describes."""
        out = []
        for cluster in self.clusters:
            try:
                out.append((cluster.name, self.for_cluster(cluster.name) or "(current)"))
            except GitopsError as exc:
                out.append((cluster.name, f"({exc.message})"))
        return tuple(out)

    def for_cluster(self, name: str) -> str | None:
        """The kube context of a repository's cluster (Flux `clusters/<name>`): configured, named like it,
        or holding its name as a word. When no cluster of the repository matches any context, the
        kubeconfig's only context stands for each. Raises with what to configure."""
        configured = next((c for c in self.clusters if c.name == name), None)
        contexts, _current = list_contexts(self.kubeconfig)
        wanted = configured.context if configured is not None else ""
        found = context_for_cluster(contexts, name, wanted)
        if found is not None:
            return found
        if wanted:
            raise GitopsError(
                f"cluster {name}: context {wanted!r} (set in .gitops-tui.yaml) is not in the kubeconfig"
            )
        matched = any(context_for_cluster(contexts, c.name, c.context) for c in self.clusters)
        if not matched and len(contexts) == 1:
            return contexts[0].name
        known = ", ".join(c.name for c in contexts) or "none"
        raise GitopsError(
            f"cluster {name}: no kube context for it (contexts: {known}); name one in .gitops-tui.yaml "
            f"under clusters: {name}: {{context: ...}}"
        )

    def for_app(self, app: AppSpec) -> str | None:
        if app.context:
            return app.context
        if app.cluster:
            return self.for_cluster(app.cluster)
        in_cluster = not app.cluster_name and app.server in ("", "https://kubernetes.default.svc")
        if in_cluster:
            return self.context
        contexts, current = list_contexts(self.kubeconfig)
        found = context_for_destination(contexts, server=app.server, name=app.cluster_name, current=current)
        if found is None:
            where = app.cluster_name or app.server
            raise GitopsError(f"no kube context for destination {where!r} (add one to the kubeconfig)")
        return found
