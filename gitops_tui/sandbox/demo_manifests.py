"""The files of the demo GitOps repository, written the way people write them: comments, quoted strings,
Kustomize base + overlays, Argo CD Applications, one Flux Kustomization.

Each function returns {path: text} for one part of the repo at one point of its history; `demo_repo.py`
commits them in order.
"""

from __future__ import annotations

# The value a test can search every output for: it must never be shown (DESIGN §2 "Secrets").
SECRET_CANARY = "demo-secret-value-DO-NOT-SHOW"

REPO_URL = "https://git.example.com/platform/gitops.git"


def application(
    name: str, path: str, namespace: str, sync_policy: str, extra: str = "", comment: str = ""
) -> str:
    return f"""{comment}apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
  namespace: argocd
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  project: default
  source:
    repoURL: {REPO_URL}
    targetRevision: main
    path: {path}
  destination:
    server: https://kubernetes.default.svc
    namespace: {namespace}
  syncPolicy:
{sync_policy}{extra}"""


def namespace(name: str, team: str) -> str:
    return f"""apiVersion: v1
kind: Namespace
metadata:
  name: {name}
  labels:
    team: {team}
"""


def api_base(version: str) -> dict[str, str]:
    return {
        "api/base/kustomization.yaml": """apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
labels:
  - pairs:
      app.kubernetes.io/name: api
      app.kubernetes.io/part-of: shop
    includeSelectors: false
resources:
  - deployment.yaml
  - service.yaml
  - configmap.yaml
""",
        "api/base/deployment.yaml": f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
        - name: api
          image: registry.example.com/api:{version}
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
            - name: DB_HOST
              value: database.database.svc.cluster.local
          envFrom:
            - configMapRef:
                name: api-config
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
""",
        "api/base/service.yaml": """apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: api
  ports:
    - name: http
      port: 80
      targetPort: http
""",
        "api/base/configmap.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
data:
  FEATURE_RECOMMENDATIONS: "true"
  CACHE_TTL_SECONDS: "300"
""",
    }


def api_overlay(env: str, version: str, replicas: int, patch: str | None) -> dict[str, str]:
    """An overlay: namespace, replica count, image tag, and (optionally) one strategic-merge patch."""
    patches = f"patches:\n  - path: {patch}\n" if patch else ""
    return {
        f"api/overlays/{env}/kustomization.yaml": f"""apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: {env}
resources:
  - ../../base
  - namespace.yaml
replicas:
  - name: api
    count: {replicas}
images:
  - name: registry.example.com/api
    newTag: "{version}"
{patches}""",
        f"api/overlays/{env}/namespace.yaml": namespace(env, "shop"),
    }


API_STAGING_PATCH = {
    "api/overlays/staging/patch-log-level.yaml": """# Staging logs verbosely so QA can follow requests.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          env:
            - name: LOG_LEVEL
              value: debug
""",
}

API_PRODUCTION_PATCH = {
    "api/overlays/production/patch-resources.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          resources:
            requests:
              cpu: 500m
              memory: 512Mi
            limits:
              memory: 1Gi
""",
}


def api_applications() -> dict[str, str]:
    return {
        "apps/api-staging.yaml": application(
            "api-staging",
            "api/overlays/staging",
            "staging",
            "    automated:\n      prune: true\n      selfHeal: true\n"
            "    syncOptions:\n      - CreateNamespace=true\n",
            comment="# Staging follows main automatically.\n",
        ),
        "apps/api-production.yaml": application(
            "api-production",
            "api/overlays/production",
            "production",
            "    syncOptions:\n      - CreateNamespace=true\n      - PruneLast=true\n"
            "    retry:\n      limit: 3\n      backoff:\n        duration: 10s\n        factor: 2\n"
            "        maxDuration: 2m\n",
            comment="# Production is synced by hand after the change review.\n",
        ),
    }


def web(log_level: str) -> dict[str, str]:
    return {
        "apps/web.yaml": application(
            "web",
            "web",
            "web",
            "    automated:\n      selfHeal: true\n",
            extra="  ignoreDifferences:\n    # `kubectl rollout restart` stamps this; it is not drift.\n"
            "    - group: apps\n      kind: Deployment\n      jsonPointers:\n"
            "        - /spec/template/metadata/annotations/kubectl.kubernetes.io~1restartedAt\n",
        ),
        "web/namespace.yaml": namespace("web", "storefront"),
        "web/deployment.yaml": """# Storefront frontend. Plain YAML on purpose: no Kustomize, no Helm.
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
  annotations:
    owner: "storefront-team"
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: "registry.example.com/web:2.3.0"
          ports:
            - name: http
              containerPort: 8080  # nginx listens unprivileged
          env:
            - name: API_URL
              value: "http://api.production.svc.cluster.local"
          envFrom:
            - configMapRef:
                name: web-config
          resources:
            requests:
              cpu: "50m"
              memory: "64Mi"
            limits:
              memory: '128Mi'
""",
        "web/service.yaml": """apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    app: web
spec:
  type: ClusterIP
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
""",
        "web/configmap.yaml": f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  # Read by the entrypoint at start-up.
  LOG_LEVEL: "{log_level}"
  CACHE_MAX_AGE: "600"
  maintenance.html: |
    <html><body><h1>Back soon</h1></body></html>
""",
        "web/secret.yaml": f"""# Demo only: real repositories keep secrets sealed or external, never plain.
apiVersion: v1
kind: Secret
metadata:
  name: web-credentials
type: Opaque
stringData:
  session-key: {SECRET_CANARY}
""",
    }


def database() -> dict[str, str]:
    return {
        "apps/database.yaml": application(
            "database",
            "database",
            "database",
            "    syncOptions:\n      - CreateNamespace=true\n    retry:\n      limit: 5\n",
        ),
        "database/namespace.yaml": namespace("database", "data"),
        "database/statefulset.yaml": """apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: database
  labels:
    app: database
spec:
  serviceName: database
  replicas: 1
  selector:
    matchLabels:
      app: database
  template:
    metadata:
      labels:
        app: database
    spec:
      containers:
        - name: postgres
          image: docker.io/library/postgres:16.2
          ports:
            - name: postgres
              containerPort: 5432
          envFrom:
            - configMapRef:
                name: database-config
          volumeMounts:
            - name: data
              mountPath: /var/lib/postgresql/data
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: ["ReadWriteOnce"]
        resources:
          requests:
            storage: 10Gi
""",
        "database/service.yaml": """# Headless: each replica gets a stable DNS name (database-0.database...).
apiVersion: v1
kind: Service
metadata:
  name: database
  labels:
    app: database
spec:
  clusterIP: None
  selector:
    app: database
  ports:
    - name: postgres
      port: 5432
      targetPort: postgres
""",
        "database/configmap.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: database-config
data:
  POSTGRES_DB: shop
  PGDATA: /var/lib/postgresql/data/pgdata
""",
    }


def monitoring() -> dict[str, str]:
    return {
        "flux/monitoring.yaml": f"""# Monitoring is reconciled by Flux, not Argo CD.
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: monitoring
  namespace: flux-system
spec:
  interval: 10m
  path: ./monitoring
  prune: true
  targetNamespace: monitoring
  sourceRef:
    kind: GitRepository
    name: platform
---
# The repository Flux reads it from: this one (spec.path is relative to its root).
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: platform
  namespace: flux-system
spec:
  interval: 1m
  url: {REPO_URL}
  ref:
    branch: main
""",
        "monitoring/namespace.yaml": namespace("monitoring", "sre"),
        "monitoring/deployment.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: prometheus
  labels:
    app: prometheus
spec:
  replicas: 1
  selector:
    matchLabels:
      app: prometheus
  template:
    metadata:
      labels:
        app: prometheus
    spec:
      containers:
        - name: prometheus
          image: quay.io/prometheus/prometheus:v2.51.0
          args:
            - --config.file=/etc/prometheus/prometheus.yml
            - --storage.tsdb.retention.time=7d
          ports:
            - name: web
              containerPort: 9090
          volumeMounts:
            - name: config
              mountPath: /etc/prometheus
      volumes:
        - name: config
          configMap:
            name: prometheus-config
""",
        "monitoring/service.yaml": """apiVersion: v1
kind: Service
metadata:
  name: prometheus
spec:
  selector:
    app: prometheus
  ports:
    - name: web
      port: 9090
      targetPort: web
""",
        "monitoring/configmap.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: prometheus-config
data:
  prometheus.yml: |
    global:
      scrape_interval: 30s
    scrape_configs:
      - job_name: kubernetes-pods
        kubernetes_sd_configs:
          - role: pod
""",
    }


README = """# platform/gitops

Desired state of the shop's clusters.

- `apps/` — Argo CD Applications (api-staging, api-production, web, database)
- `api/` — Kustomize base and the staging/production overlays
- `web/`, `database/` — plain manifests
- `flux/`, `monitoring/` — the monitoring stack, reconciled by Flux
"""
