"""Charts from a Helm repository (a real one, served over loopback) and OCI references: pulled into the
cache, reused offline, and clear errors when they cannot be had."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gitops_tui.source.errors import RenderError
from gitops_tui.source.helm import (
    ChartFetchError,
    ChartOptions,
    fetch_chart,
    is_exact_version,
    render_chart,
    repository,
)
from gitops_tui.source.helm.repository import is_oci, oci_reference

from .charts import ChartRepo, chart, chart_repo, configmap_template

__all__ = ["chart_repo"]


def podinfo(tmp_path: Path, version: str) -> Path:
    return chart(
        tmp_path / f"src/podinfo-{version}/podinfo",
        "podinfo",
        version,
        files={
            "templates/cm.yaml": configmap_template("podinfo", f'  version: "{version}"\n'),
            "values-prod.yaml": "replicas: 3\n",
        },
    )


def test_an_exact_version_is_pulled_once_and_then_renders_offline(
    tmp_path: Path, chart_repo: ChartRepo
) -> None:
    chart_repo.publish(podinfo(tmp_path, "6.5.0"))
    pulled = fetch_chart(chart_repo.url, "podinfo", "6.5.0")
    assert (pulled.name, pulled.version, pulled.archive.name) == ("podinfo", "6.5.0", "podinfo-6.5.0.tgz")
    assert (pulled.directory / "values-prod.yaml").is_file()
    assert pulled.archive.is_relative_to(repository.cache_root())
    chart_repo.stop()  # offline from here on
    again = fetch_chart(chart_repo.url + "/", "podinfo", "6.5.0")  # another spelling of the same repository
    assert again.archive == pulled.archive
    r = render_chart(again.directory, ChartOptions(release_name="p"), where=again.label)
    assert r.objects[0]["data"] == {"version": "6.5.0"}


def test_a_range_resolves_to_the_newest_match_and_is_remembered(
    tmp_path: Path, chart_repo: ChartRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    for version in ("6.4.0", "6.5.1", "7.0.0"):
        chart_repo.publish(podinfo(tmp_path, version))
    assert fetch_chart(chart_repo.url, "podinfo", "^6.4").version == "6.5.1"
    assert fetch_chart(chart_repo.url, "podinfo", "*").version == "7.0.0"
    chart_repo.stop()
    # Offline, even once the answer is old: the version the range resolved to last time.
    monkeypatch.setattr(repository, "RESOLVE_SECONDS", 0.0)
    time.sleep(0.01)
    assert fetch_chart(chart_repo.url, "podinfo", "^6.4").version == "6.5.1"
    with pytest.raises(ChartFetchError) as caught:
        fetch_chart(chart_repo.url, "podinfo", "~6.4.0")  # never resolved while online
    assert caught.value.unreachable


def test_errors_name_the_chart_and_the_repository(tmp_path: Path, chart_repo: ChartRepo) -> None:
    chart_repo.publish(podinfo(tmp_path, "6.5.0"))
    with pytest.raises(ChartFetchError) as missing:
        fetch_chart(chart_repo.url, "podinfo", "9.9.9")
    assert missing.value.message.startswith(f"chart podinfo 9.9.9 from {chart_repo.url} not found: ")
    assert not missing.value.unreachable
    url = chart_repo.url
    chart_repo.stop()
    with pytest.raises(ChartFetchError) as offline:
        fetch_chart(url, "podinfo", "6.6.0")
    assert offline.value.message.startswith(
        f"chart podinfo 6.6.0 from {url} not reachable (offline?): dial tcp"
    )
    assert offline.value.message.endswith("connection refused")


def test_oci_references_as_argo_cd_spells_them() -> None:
    assert is_oci("oci://ghcr.io/stefanprodan/charts") and is_oci("ghcr.io/stefanprodan/charts")
    assert not is_oci("https://stefanprodan.github.io/podinfo")
    assert (
        oci_reference("ghcr.io/stefanprodan/charts/", "podinfo")
        == "oci://ghcr.io/stefanprodan/charts/podinfo"
    )
    assert is_exact_version("6.5.0") and is_exact_version("v1.2.3-rc.1+build")
    assert not any(is_exact_version(v) for v in ("^6.0", "6.x", "*", "", ">=1.0 <2", "6.5"))


def test_an_unreachable_oci_registry(tmp_path: Path) -> None:
    with pytest.raises(ChartFetchError) as caught:
        fetch_chart("oci://127.0.0.1:9/charts", "podinfo", "6.5.0")
    assert caught.value.message.startswith("chart podinfo 6.5.0 from oci://127.0.0.1:9/charts not reachable")


def test_remote_dependencies_are_fetched_at_the_locked_version(tmp_path: Path, chart_repo: ChartRepo) -> None:
    for version in ("1.0.0", "1.1.0"):
        chart_repo.publish(
            chart(
                tmp_path / f"src/common-{version}/common",
                "common",
                version,
                files={"templates/cm.yaml": configmap_template("common", f'  version: "{version}"\n')},
            )
        )
    deps = f"\n  - name: common\n    version: ^1.0.0\n    repository: {chart_repo.url}"
    app = chart(tmp_path / "app", "app", files={"templates/cm.yaml": configmap_template()}, dependencies=deps)
    objects = render_chart(app, ChartOptions(release_name="app"), where="app").objects
    assert [o["data"] for o in objects if o["metadata"]["name"] == "common"] == [{"version": "1.1.0"}]
    (app / "Chart.lock").write_text(
        f"dependencies:\n- name: common\n  repository: {chart_repo.url}\n  version: 1.0.0\ndigest: x\n"
    )
    objects = render_chart(app, ChartOptions(release_name="app"), where="app").objects
    assert [o["data"] for o in objects if o["metadata"]["name"] == "common"] == [{"version": "1.0.0"}]
    assert not (app / "charts").exists()


def test_a_remote_dependency_that_cannot_be_fetched(tmp_path: Path) -> None:
    """As argocd-example-apps' helm-dependency (wordpress from the retired stable repository) offline."""
    app = chart(
        tmp_path / "helm-dependency",
        "wordpress",
        files={"values.yaml": "wordpress:\n  wordpressPassword: x\n"},
        dependencies="\n  - name: wordpress\n    version: 9.0.3\n    repository: http://127.0.0.1:9/stable",
    )
    with pytest.raises(RenderError) as caught:
        render_chart(app, ChartOptions(release_name="wp"), where="helm-dependency")
    assert caught.value.message.startswith(
        "chart dependency wordpress 9.0.3 from http://127.0.0.1:9/stable could not be fetched: dial tcp"
    )
