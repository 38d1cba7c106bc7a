"""An app is cluster + namespace + name (+ kind for a HelmRelease); the id leaves defaults out."""

from __future__ import annotations

from gitops_tui.model import AppOrigin, AppSpec, parse_app_id


def test_ids_leave_out_default_parts() -> None:
    argo = AppSpec("guestbook", "guestbook", AppOrigin.ARGO, kind="Application", home="argocd")
    assert argo.id == "guestbook"
    assert AppSpec("guestbook", ".", AppOrigin.ARGO, home="team-a").id == "team-a/guestbook"
    assert AppSpec("web", "web", AppOrigin.CONFIG).id == "web"
    flux = AppSpec("apps", "staging", AppOrigin.FLUX, kind="Kustomization", home="flux-system")
    assert flux.id == "apps"


def test_clusters_and_helm_releases_are_told_apart() -> None:
    staging = AppSpec(
        "apps", "x", AppOrigin.FLUX, kind="Kustomization", cluster="staging", home="flux-system"
    )
    production = AppSpec("apps", "x", AppOrigin.FLUX, kind="Kustomization", cluster="production")
    assert staging.id == "staging/flux-system/apps"
    assert production.id == "production/flux-system/apps"
    release = AppSpec("podinfo", "", AppOrigin.FLUX, kind="HelmRelease", cluster="staging", home="podinfo")
    kustomization = AppSpec(
        "podinfo", "", AppOrigin.FLUX, kind="Kustomization", cluster="staging", home="podinfo"
    )
    assert release.id == "staging/podinfo/hr:podinfo"
    assert release.id != kustomization.id


def test_ids_read_back() -> None:
    assert parse_app_id("guestbook") == (None, None, "guestbook", False)
    assert parse_app_id("team-a/guestbook") == (None, "team-a", "guestbook", False)
    assert parse_app_id("staging/podinfo/hr:podinfo") == ("staging", "podinfo", "podinfo", True)
