"""Flux HelmReleases: parsed into apps (parse.py) where the tree meets them, rendered as helm-controller
renders them (render.py), on the Helm API every Helm source uses (source/helm/)."""

from gitops_tui.source.helmrelease.parse import is_helm_release, parse_helm_release, release_name
from gitops_tui.source.helmrelease.render import clear_cache, render_helm_release

__all__ = ["clear_cache", "is_helm_release", "parse_helm_release", "release_name", "render_helm_release"]
