"""Deterministic data for UI tests: a fake workspace with the Workspace methods the UI uses, fixed times."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from gitops_tui.config import Settings
from gitops_tui.model import (
    AppOrigin,
    AppSpec,
    AppStatus,
    Commit,
    DiffMode,
    DriftField,
    GitopsError,
    HeaderInfo,
    HealthStatus,
    ResourceDetail,
    ResourceKey,
    ResourceStatus,
    SourceType,
    SyncStatus,
)

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z
STAMP_5M = "2025-12-31T23:55:00Z"
STAMP_2H = "2025-12-31T22:00:00Z"


@dataclass(frozen=True)
class Snapshot:
    """Same shape as gitops_tui.orchestration.reconcile.Snapshot (the UI only reads these fields)."""

    apps: tuple[AppStatus, ...]
    header: HeaderInfo
    started: float
    finished: float
    error: str = ""
    discovery_errors: tuple[str, ...] = ()

    def app(self, name: str) -> AppStatus | None:
        return next((a for a in self.apps if a.app.name == name), None)


HEADER = HeaderInfo(
    context="kind-gitops-demo",
    server="https://127.0.0.1:6443",
    repo="/home/ops/gitops-repo",
    branch="main",
    head="3f2a9c1",
)


def deployment(name: str, ns: str, replicas: int, image: str, env: dict[str, str] | None = None) -> dict:
    container = {"name": name, "image": image, "ports": [{"containerPort": 8080, "protocol": "TCP"}]}
    if env:
        container["env"] = [{"name": k, "value": v} for k, v in env.items()]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": {"app.kubernetes.io/name": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": name}},
                "spec": {"containers": [container]},
            },
        },
    }


def service(name: str, ns: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"selector": {"app.kubernetes.io/name": name}, "ports": [{"port": 80, "targetPort": 8080}]},
    }


def key_of(obj: dict) -> ResourceKey:
    return ResourceKey.of(obj)


def spec(name: str, path: str, ns: str, origin: AppOrigin = AppOrigin.ARGO, **kw) -> AppSpec:
    return AppSpec(name=name, path=path, origin=origin, source_type=SourceType.KUSTOMIZE, namespace=ns, **kw)


@dataclass
class Scenario:
    """Apps and the objects behind their resources."""

    apps: list[AppStatus] = field(default_factory=list)
    objects: dict[tuple[str, ResourceKey], tuple[dict | None, dict | None]] = field(default_factory=dict)


def demo_scenario() -> Scenario:
    sc = Scenario()

    # api-production: image changed live and scaled by hand; env var added out of band
    git = deployment("api", "production", 3, "ghcr.io/acme/api:1.4.2")
    live = deployment("api", "production", 5, "ghcr.io/acme/api:1.4.3-hotfix", env={"DEBUG": "true"})
    drift = (
        DriftField("/spec/replicas", 3, 5, "kubectl-scale", STAMP_5M),
        DriftField(
            "/spec/template/spec/containers/0/image",
            "ghcr.io/acme/api:1.4.2",
            "ghcr.io/acme/api:1.4.3-hotfix",
            "kubectl-edit",
            STAMP_2H,
        ),
        DriftField(
            "/spec/template/spec/containers/0/env",
            None,
            [{"name": "DEBUG", "value": "true"}],
            "kubectl-edit",
            STAMP_2H,
        ),
    )
    api_dep = ResourceStatus(
        key_of(git),
        "apps/v1",
        SyncStatus.OUT_OF_SYNC,
        HealthStatus.PROGRESSING,
        "Waiting for rollout to finish: 2 of 5 updated replicas are available",
        drift,
        DiffMode.SERVER_SIDE,
    )
    svc = service("api", "production")
    api_svc = ResourceStatus(key_of(svc), "v1", SyncStatus.SYNCED, HealthStatus.HEALTHY)
    sc.objects[("api-production", api_dep.key)] = (git, live)
    sc.objects[("api-production", api_svc.key)] = (svc, svc)
    sc.apps.append(
        AppStatus(
            spec("api-production", "apps/api/overlays/production", "production", automated=True),
            SyncStatus.OUT_OF_SYNC,
            HealthStatus.PROGRESSING,
            (api_dep, api_svc),
            revision="3f2a9c1",
            context="kind-gitops-demo",
            reconciled_at=NOW - 12,
        )
    )

    # api-staging: in sync
    stg = deployment("api", "staging", 1, "ghcr.io/acme/api:1.5.0-rc1")
    stg_res = ResourceStatus(
        key_of(stg), "apps/v1", SyncStatus.SYNCED, HealthStatus.HEALTHY, mode=DiffMode.SERVER_SIDE
    )
    sc.objects[("api-staging", stg_res.key)] = (stg, stg)
    sc.apps.append(
        AppStatus(
            spec("api-staging", "apps/api/overlays/staging", "staging"),
            SyncStatus.SYNCED,
            HealthStatus.HEALTHY,
            (stg_res,),
            revision="3f2a9c1",
            context="kind-gitops-demo",
            reconciled_at=NOW - 12,
        )
    )

    # web: Service deleted live (Missing), extra tracked ConfigMap (RequiresPruning), Secret drift masked
    web = deployment("web", "web", 2, "nginx:1.27")
    web_dep = ResourceStatus(key_of(web), "apps/v1", SyncStatus.SYNCED, HealthStatus.HEALTHY)
    web_svc_obj = service("web", "web")
    web_svc = ResourceStatus(key_of(web_svc_obj), "v1", SyncStatus.MISSING, HealthStatus.MISSING)
    extra = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "web-debug", "namespace": "web"},
        "data": {"LOG_LEVEL": "debug"},
    }
    web_cm = ResourceStatus(key_of(extra), "v1", SyncStatus.REQUIRES_PRUNING, HealthStatus.NONE)
    secret_git = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "web-tls", "namespace": "web"},
        "data": {"password": "++++++++ (masked 1)"},
    }
    secret_live = copy.deepcopy(secret_git)
    secret_live["data"]["password"] = "++++++++ (masked 2)"
    web_secret = ResourceStatus(
        key_of(secret_git),
        "v1",
        SyncStatus.OUT_OF_SYNC,
        HealthStatus.NONE,
        drift=(DriftField("/data/password", "***", "***", "kubectl-edit", STAMP_5M),),
    )
    for res, objs in (
        (web_dep, (web, web)),
        (web_svc, (web_svc_obj, None)),
        (web_cm, (None, extra)),
        (web_secret, (secret_git, secret_live)),
    ):
        sc.objects[("web", res.key)] = objs
    sc.apps.append(
        AppStatus(
            AppSpec("web", "apps/web", AppOrigin.ARGO, SourceType.DIRECTORY, namespace="web"),
            SyncStatus.OUT_OF_SYNC,
            HealthStatus.MISSING,
            (web_dep, web_svc, web_cm, web_secret),
            revision="3f2a9c1",
            context="kind-gitops-demo",
            reconciled_at=NOW - 12,
        )
    )

    # database: synced, progressing
    db = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "postgres", "namespace": "database"},
        "spec": {"replicas": 1, "serviceName": "postgres"},
    }
    db_res = ResourceStatus(
        key_of(db),
        "apps/v1",
        SyncStatus.SYNCED,
        HealthStatus.PROGRESSING,
        "partitioned roll out complete: 0 new pods have been updated...",
    )
    sc.objects[("database", db_res.key)] = (db, db)
    sc.apps.append(
        AppStatus(
            spec("database", "apps/database", "database"),
            SyncStatus.SYNCED,
            HealthStatus.PROGRESSING,
            (db_res,),
            revision="3f2a9c1",
            context="kind-gitops-demo",
            reconciled_at=NOW - 12,
        )
    )

    # monitoring: cannot render
    sc.apps.append(
        AppStatus(
            spec("monitoring", "clusters/demo/monitoring", "monitoring", origin=AppOrigin.FLUX),
            SyncStatus.UNKNOWN,
            HealthStatus.UNKNOWN,
            error="kustomize build apps/monitoring: accumulating resources: 'prometheus.yaml' not found",
            revision="3f2a9c1",
            context="kind-gitops-demo",
            reconciled_at=NOW - 12,
        )
    )
    return sc


COMMITS = [
    Commit(
        "3f2a9c1" + "0" * 33,
        "3f2a9c1",
        "Dana Ops",
        "dana@example.com",
        NOW - 3600,
        "api: bump to 1.4.2",
        "api: bump to 1.4.2\n\nRelease notes in #123.",
        ("apps/api/base/deployment.yaml",),
    ),
    Commit(
        "8b7e6d5" + "0" * 33,
        "8b7e6d5",
        "Lee Dev",
        "lee@example.com",
        NOW - 86400 * 2,
        "api: production gets 3 replicas",
        "",
        ("apps/api/overlays/production/kustomization.yaml",),
    ),
    Commit(
        "1a2b3c4" + "0" * 33,
        "1a2b3c4",
        "Dana Ops",
        "dana@example.com",
        NOW - 86400 * 9,
        "initial import",
        "",
        ("apps/api/base/deployment.yaml", "apps/web/deployment.yaml"),
    ),
]

PATCH = """diff --git a/apps/api/base/deployment.yaml b/apps/api/base/deployment.yaml
index 1111111..2222222 100644
--- a/apps/api/base/deployment.yaml
+++ b/apps/api/base/deployment.yaml
@@ -15,7 +15,7 @@ spec:
     spec:
       containers:
       - name: api
-        image: ghcr.io/acme/api:1.4.1
+        image: ghcr.io/acme/api:1.4.2
         ports:
         - containerPort: 8080
           protocol: TCP
"""


class FakeWorkspace:
    """The methods of gitops_tui.orchestration.reconcile.Workspace the UI calls, over a Scenario."""

    def __init__(self, scenario: Scenario | None = None, *, settings: Settings | None = None) -> None:
        self.scenario = scenario or demo_scenario()
        self.settings = settings or Settings(interval=3600.0)
        self.calls: list[str] = []
        self.fail_with: str = ""  # reconcile_once raises this while set
        self.gate: threading.Event | None = None  # reconcile_once waits for it while set
        self.work: Callable[[], None] | None = None  # extra work done inside reconcile_once (CPU burn)
        self.reconciled = threading.Event()
        self.transform: Callable[[AppStatus], AppStatus] | None = None

    def header(self) -> HeaderInfo:
        return HEADER

    def snapshot(self) -> Snapshot:
        apps = tuple(self.scenario.apps)
        if self.transform is not None:
            apps = tuple(self.transform(a) for a in apps)
        return Snapshot(apps=apps, header=HEADER, started=NOW - 13, finished=NOW - 12)

    def reconcile_once(self, *, hard: bool = False) -> Snapshot:
        self.calls.append("reconcile-hard" if hard else "reconcile")
        try:
            if self.gate is not None:
                self.gate.wait(10)
            if self.work is not None:
                self.work()
            if self.fail_with:
                raise GitopsError(self.fail_with)
            return self.snapshot()
        finally:
            self.reconciled.set()

    def resource_detail(self, app: str, key: ResourceKey) -> ResourceDetail:
        self.calls.append(f"detail {app} {key.display()}")
        status = next(a for a in self.scenario.apps if a.app.name == app)
        res = next((r for r in status.resources if r.key == key), None)
        if res is None or (app, key) not in self.scenario.objects:
            raise GitopsError(f"{key.display()} is not part of app {app!r}")
        git, live = self.scenario.objects[(app, key)]
        return ResourceDetail(app=app, key=key, status=res, git=git, live=live)

    def history(self, app: str, limit: int = 100) -> list[Commit]:
        self.calls.append(f"history {app}")
        return COMMITS[:limit]

    def commit_diff(self, sha: str, path: str | None = None) -> str:
        self.calls.append(f"commit_diff {sha[:7]}")
        return PATCH


def with_app(snapshot_apps: list[AppStatus], name: str, **changes) -> list[AppStatus]:
    return [replace(a, **changes) if a.app.name == name else a for a in snapshot_apps]
