"""A repository shaped like fluxcd/flux2-kustomize-helm-example (two `clusters/<name>/` bootstraps,
`infrastructure/controllers` with OCIRepository + chartRef HelmReleases, `infrastructure/configs`,
`apps/base/podinfo` with a HelmRepository and a HelmRelease, `apps/<env>` overlays patching its values), with
the Kustomizations pointed at GitRepository paths, and charts shaped like the real ones to publish on a
loopback chart repository and OCI registry in place of the internet ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .charts import chart

GITHUB = "https://github.com/fluxcd/flux2-kustomize-helm-example"
CLUSTERS = ("staging", "production")


def _crd(group: str, kind: str, plural: str, version: str, scope: str = "Namespaced") -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "names": {"kind": kind, "plural": plural, "singular": kind.lower(), "listKind": f"{kind}List"},
            "scope": scope,
            "versions": [
                {
                    "name": version,
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                    },
                }
            ],
        },
    }


FLUX_CRDS = [
    _crd("source.toolkit.fluxcd.io", "GitRepository", "gitrepositories", "v1"),
    _crd("source.toolkit.fluxcd.io", "HelmRepository", "helmrepositories", "v1"),
    _crd("source.toolkit.fluxcd.io", "OCIRepository", "ocirepositories", "v1"),
    _crd("kustomize.toolkit.fluxcd.io", "Kustomization", "kustomizations", "v1"),
    _crd("helm.toolkit.fluxcd.io", "HelmRelease", "helmreleases", "v2"),
]


def _write(repo: Path, rel: str, docs: list[dict[str, Any]] | dict[str, Any]) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump_all(docs if isinstance(docs, list) else [docs], sort_keys=False))


def _kustomization(name: str, path: str, depends: str = "") -> dict[str, Any]:
    spec: dict[str, Any] = {
        "interval": "1h",
        "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
        "path": path,
        "prune": True,
        "wait": True,
    }
    if depends:
        spec = {"dependsOn": [{"name": depends}], **spec}
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "flux-system"},
        "spec": spec,
    }


def _namespace(name: str, tenant: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {"toolkit.fluxcd.io/tenant": tenant}},
    }


def _oci_repository(name: str, namespace: str, url: str, semver: str) -> dict[str, Any]:
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "OCIRepository",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "interval": "24h",
            "url": url,
            "insecure": True,  # the loopback registry speaks plain HTTP
            "layerSelector": {
                "mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
                "operation": "copy",
            },
            "ref": {"semver": semver},
        },
    }


def write_example(repo: Path, helm_url: str, oci_host: str) -> None:
    """The repository at `repo`: podinfo's HelmRepository at `helm_url`, the OCI charts at `oci_host`."""
    for cluster in CLUSTERS:
        base = f"clusters/{cluster}"
        _write(
            repo, f"{base}/flux-system/gotk-components.yaml", [_namespace("flux-system", "flux"), *FLUX_CRDS]
        )
        _write(
            repo,
            f"{base}/flux-system/gotk-sync.yaml",
            [
                {
                    "apiVersion": "source.toolkit.fluxcd.io/v1",
                    "kind": "GitRepository",
                    "metadata": {"name": "flux-system", "namespace": "flux-system"},
                    "spec": {"interval": "1m", "ref": {"branch": "main"}, "url": GITHUB},
                },
                {
                    "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
                    "kind": "Kustomization",
                    "metadata": {"name": "flux-system", "namespace": "flux-system"},
                    "spec": {
                        "interval": "10m",
                        "path": f"./{base}",
                        "prune": True,
                        "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
                    },
                },
            ],
        )
        _write(
            repo,
            f"{base}/flux-system/kustomization.yaml",
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": ["gotk-components.yaml", "gotk-sync.yaml"],
            },
        )
        _write(
            repo,
            f"{base}/infrastructure.yaml",
            [
                _kustomization("infra-controllers", "./infrastructure/controllers"),
                _kustomization("infra-configs", "./infrastructure/configs", depends="infra-controllers"),
            ],
        )
        _write(
            repo, f"{base}/apps.yaml", _kustomization("apps", f"./apps/{cluster}", depends="infra-configs")
        )
    _write(
        repo,
        "infrastructure/controllers/cert-manager.yaml",
        [
            _namespace("cert-manager", "sre-team"),
            _oci_repository(
                "cert-manager", "cert-manager", f"oci://{oci_host}/jetstack/charts/cert-manager", "1.x"
            ),
            {
                "apiVersion": "helm.toolkit.fluxcd.io/v2",
                "kind": "HelmRelease",
                "metadata": {"name": "cert-manager", "namespace": "cert-manager"},
                "spec": {
                    "interval": "12h",
                    "install": {"strategy": {"name": "RetryOnFailure"}},
                    "upgrade": {"strategy": {"name": "RetryOnFailure"}},
                    "chartRef": {"kind": "OCIRepository", "name": "cert-manager"},
                    "values": {
                        "crds": {"enabled": True, "keep": False},
                        "config": {"enableGatewayAPI": True},
                    },
                },
            },
        ],
    )
    _write(
        repo,
        "infrastructure/controllers/envoy-gateway.yaml",
        [
            _namespace("envoy-gateway-system", "sre-team"),
            _oci_repository(
                "gateway-helm",
                "envoy-gateway-system",
                f"oci://{oci_host}/envoyproxy/gateway-helm",
                ">= 1.8.0-rc.0",
            ),
            {
                "apiVersion": "helm.toolkit.fluxcd.io/v2",
                "kind": "HelmRelease",
                "metadata": {"name": "envoy-gateway", "namespace": "envoy-gateway-system"},
                "spec": {
                    "releaseName": "envoy-gateway",
                    "interval": "12h",
                    "chartRef": {"kind": "OCIRepository", "name": "gateway-helm"},
                },
            },
        ],
    )
    _write(
        repo,
        "infrastructure/controllers/kustomization.yaml",
        {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": ["cert-manager.yaml", "envoy-gateway.yaml"],
        },
    )
    _write(
        repo,
        "infrastructure/configs/cluster-issuers.yaml",
        {
            "apiVersion": "cert-manager.io/v1",
            "kind": "ClusterIssuer",
            "metadata": {"name": "letsencrypt"},
            "spec": {"acme": {"server": "https://acme-v02.api.letsencrypt.org/directory"}},
        },
    )
    _write(
        repo,
        "infrastructure/configs/kustomization.yaml",
        {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": ["cluster-issuers.yaml"],
        },
    )
    _write(repo, "apps/base/podinfo/namespace.yaml", _namespace("podinfo", "dev-team"))
    _write(
        repo,
        "apps/base/podinfo/repository.yaml",
        {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "HelmRepository",
            "metadata": {"name": "podinfo", "namespace": "podinfo"},
            "spec": {"interval": "5m", "url": helm_url},
        },
    )
    _write(
        repo,
        "apps/base/podinfo/release.yaml",
        {
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {"name": "podinfo", "namespace": "podinfo"},
            "spec": {
                "interval": "50m",
                "releaseName": "podinfo",
                "chart": {
                    "spec": {"chart": "podinfo", "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}
                },
                "install": {"strategy": {"name": "RetryOnFailure"}},
                "upgrade": {"strategy": {"name": "RetryOnFailure"}},
                "values": {
                    "redis": {
                        "enabled": True,
                        "repository": "public.ecr.aws/docker/library/redis",
                        "tag": "8.6.2",
                    },
                    "httpRoute": {
                        "enabled": True,
                        "parentRefs": [
                            {"name": "envoy", "namespace": "envoy-gateway-system", "sectionName": "http"}
                        ],
                        "hostnames": ["podinfo.local"],
                        "rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}]}],
                    },
                },
            },
        },
    )
    _write(
        repo,
        "apps/base/podinfo/kustomization.yaml",
        {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "namespace": "podinfo",
            "resources": ["namespace.yaml", "repository.yaml", "release.yaml"],
        },
    )
    for cluster, version in (("staging", ">=1.0.0-alpha"), ("production", ">=1.0.0")):
        _write(
            repo,
            f"apps/{cluster}/kustomization.yaml",
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": ["../base/podinfo"],
                "patches": [{"path": "podinfo-values.yaml", "target": {"kind": "HelmRelease"}}],
            },
        )
        _write(
            repo,
            f"apps/{cluster}/podinfo-values.yaml",
            {
                "apiVersion": "helm.toolkit.fluxcd.io/v2",
                "kind": "HelmRelease",
                "metadata": {"name": "podinfo", "namespace": "podinfo"},
                "spec": {
                    "chart": {"spec": {"version": version}},
                    "test": {"enable": False},
                    "values": {"httpRoute": {"hostnames": [f"podinfo.{cluster}"]}},
                },
            },
        )


PODINFO_VALUES = """\
replicaCount: 1
image:
  repository: ghcr.io/stefanprodan/podinfo
ui:
  message: ""
redis:
  enabled: false
  repository: docker.io/redis
  tag: 7.0.7
httpRoute:
  enabled: false
  parentRefs: []
  hostnames: []
  rules: []
"""

PODINFO_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/name: {{ .Release.Name }}
    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ .Release.Name }}
    spec:
      containers:
        - name: podinfo
          image: "{{ .Values.image.repository }}:{{ .Chart.AppVersion }}"
          env:
            - name: PODINFO_UI_MESSAGE
              value: {{ .Values.ui.message | quote }}
          ports:
            - name: http
              containerPort: 9898
"""

PODINFO_SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    app.kubernetes.io/name: {{ .Release.Name }}
  ports:
    - name: http
      port: 9898
      targetPort: http
"""

PODINFO_REDIS = """\
{{- if .Values.redis.enabled }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-redis
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .Release.Name }}-redis
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {{ .Release.Name }}-redis
    spec:
      containers:
        - name: redis
          image: "{{ .Values.redis.repository }}:{{ .Values.redis.tag }}"
{{- end }}
"""

PODINFO_ROUTE = """\
{{- if .Values.httpRoute.enabled }}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: {{ .Release.Name }}
spec:
  parentRefs: {{ toJson .Values.httpRoute.parentRefs }}
  hostnames: {{ toJson .Values.httpRoute.hostnames }}
  rules:
    {{- range .Values.httpRoute.rules }}
    - matches: {{ toJson .matches }}
      backendRefs:
        - name: {{ $.Release.Name }}
          port: 9898
    {{- end }}
{{- end }}
"""

PODINFO_TEST = """\
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-grpc-test
  annotations:
    helm.sh/hook: test
spec:
  restartPolicy: Never
  containers:
    - name: grpc-health-probe
      image: ghcr.io/stefanprodan/podinfo:{{ .Chart.AppVersion }}
      command: [grpc_health_probe, "-addr={{ .Release.Name }}:9999"]
"""


def podinfo_chart(directory: Path, version: str) -> Path:
    return chart(
        directory / f"podinfo-{version}" / "podinfo",
        "podinfo",
        version,
        files={
            "values.yaml": PODINFO_VALUES,
            "templates/deployment.yaml": PODINFO_DEPLOYMENT,
            "templates/service.yaml": PODINFO_SERVICE,
            "templates/redis.yaml": PODINFO_REDIS,
            "templates/httproute.yaml": PODINFO_ROUTE,
            "templates/tests/grpc.yaml": PODINFO_TEST,
        },
        appVersion=version,
    )


def _deployment(name: str, image: str) -> str:
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name + "\nspec:\n  selector:\n"
        "    matchLabels: {app: "
        + name
        + "}\n  template:\n    metadata:\n      labels: {app: "
        + name
        + "}\n"
        "    spec:\n      containers:\n        - name: " + name + "\n          image: " + image + "\n"
    )


def cert_manager_chart(directory: Path, version: str) -> Path:
    crd = yaml.safe_dump(_crd("cert-manager.io", "ClusterIssuer", "clusterissuers", "v1", scope="Cluster"))
    return chart(
        directory / f"cert-manager-{version}" / "cert-manager",
        "cert-manager",
        version,
        files={
            "values.yaml": "crds:\n  enabled: false\n  keep: true\nconfig: {}\n",
            "templates/crds.yaml": "{{- if .Values.crds.enabled }}\n" + crd + "{{- end }}\n",
            "templates/deployment.yaml": _deployment(
                "cert-manager", f"quay.io/jetstack/cert-manager-controller:v{version}"
            ),
            "templates/config.yaml": (
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cert-manager-config\n"
                "data:\n  config.yaml: {{ toJson .Values.config | quote }}\n"
            ),
        },
    )


def gateway_chart(directory: Path, version: str) -> Path:
    crds = [
        _crd("gateway.networking.k8s.io", "GatewayClass", "gatewayclasses", "v1", scope="Cluster"),
        _crd("gateway.networking.k8s.io", "HTTPRoute", "httproutes", "v1"),
    ]
    return chart(
        directory / f"gateway-helm-{version}" / "gateway-helm",
        "gateway-helm",
        version,
        files={
            "crds/gatewayapi-crds.yaml": yaml.safe_dump_all(crds),
            "templates/deployment.yaml": _deployment(
                "envoy-gateway", f"docker.io/envoyproxy/gateway:v{version}"
            ),
        },
    )
