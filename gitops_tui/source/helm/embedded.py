"""The embedded Helm engine (helm-python-sdk: Helm v4 as a native library) behind the contract of the
`helm` command line: `render` prints what `helm template` prints, `pull` downloads a chart.

It runs in a child process (`python embedded.py render|pull`, the request as JSON on stdin), as the helm
binary would: Helm's Go logger writes warnings straight to file descriptor 2, which would draw over the
TUI, and a Go fatal error (a template recursing too deep) would end our process. The parent gets a
timeout and one-line errors from the same code that runs the binary.

This file imports nothing from gitops_tui, so that it runs as a plain script whatever the import path.
What `helm template` does that the library's render call does not is done here, after Helm's own code
(pkg/action/action.go renderResources, pkg/release/v1/util/manifest_sorter.go): NOTES.txt and partials
dropped, documents split and sorted in install order, hooks after the manifests (unknown hook types
dropped, test hooks too with skip_tests), CRDs of the enabled charts first, library charts refused, and
the `kubeVersion` and dependency checks of `helm install`.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tarfile
from pathlib import Path
from typing import Any

import yaml

INSTALL_ORDER = [
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
]
_RANK = {kind: i for i, kind in enumerate(INSTALL_ORDER)}
HOOK_EVENTS = frozenset(
    [
        "pre-install",
        "post-install",
        "pre-delete",
        "post-delete",
        "pre-upgrade",
        "post-upgrade",
        "pre-rollback",
        "post-rollback",
        "test",
        "test-success",
    ]
)
_SEPARATOR = re.compile(r"^---[ \t]*", re.MULTILINE)


class HelmFailure(Exception):
    """What `helm` would print after "Error: "."""


def merge_maps(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Helm's mergeMaps (pkg/cli/values/options.go): maps merge key by key, anything else replaces."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_maps(out[key], value)
        else:
            out[key] = value
    return out


def user_values(request: dict[str, Any]) -> dict[str, Any]:
    """`-f` files, then inline documents, then `--set`, `--set-string`, `--set-file`: Helm's order."""
    import helm_python as helm

    merged: dict[str, Any] = {}
    for path in request.get("value_files", []):
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise HelmFailure(f"open {path}: {exc.strerror}") from None
        merged = merge_maps(merged, _values_document(helm, text, path))
    for text in request.get("values", []):
        merged = merge_maps(merged, _values_document(helm, text, "values"))
    for parse, key in (
        (helm.parse_set_string, "set"),
        (helm.parse_set_string_values, "set_string"),
        (helm.parse_set_file, "set_file"),
    ):
        for expression in request.get(key, []):
            try:
                merged = merge_maps(merged, parse(expression))
            except helm.HelmError as exc:
                raise HelmFailure(f"failed parsing --{key.replace('_', '-')} data: {exc}") from None
    return merged


def _values_document(helm: Any, text: str, where: str) -> dict[str, Any]:
    try:
        parsed = helm.values_from_yaml(text) if text.strip() else {}
    except helm.HelmError as exc:
        raise HelmFailure(f"failed to parse {where}: {exc}") from None
    return parsed if isinstance(parsed, dict) else {}


def semver_checks(pairs: list[tuple[str, str]]) -> list[bool]:
    """Masterminds semver constraint checks, done by Helm's own `semverCompare` in a chart made here."""
    import helm_python as helm
    from helm_python import _native

    body = "".join(
        f"{i}: {{{{ semverCompare (index .Values.c {i}) (index .Values.v {i}) }}}}\n"
        for i in range(len(pairs))
    )
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w:gz") as tar:
        for name, data in (
            ("check/Chart.yaml", b"apiVersion: v2\nname: check\nversion: 0.0.0\n"),
            ("check/templates/check.yaml", body.encode()),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    values = {"c": [c for c, _ in pairs], "v": [v for _, v in pairs]}
    try:
        with helm.Chart.load_archive(archive.getvalue()) as chart:
            out = json.loads(_native.call_string("helm_render", chart._raw(), json.dumps(values), None))
    except helm.HelmError:
        return [False] * len(pairs)  # an invalid constraint or version is not compatible (IsCompatibleRange)
    answers = yaml.safe_load(out.get("check/templates/check.yaml", "")) or {}
    return [answers.get(i) is True for i in range(len(pairs))]


def _split(content: str) -> list[str]:
    """releaseutil.SplitManifests: documents of a rendered file, in order, without blank ones."""
    docs = _SEPARATOR.split(content.lstrip())
    return [d.lstrip() for d in docs if d.strip()]


def _kind_key(kind: str) -> tuple[int, int, str]:
    """lessByKind: known kinds in install order, then unknown kinds alphabetically; ties keep order."""
    return (0, _RANK[kind], "") if kind in _RANK else (1, 0, kind)


def _head(doc: str, path: str) -> tuple[str, dict[str, Any]]:
    try:
        data = yaml.safe_load(doc)
    except yaml.MarkedYAMLError as exc:  # Go's wording: "yaml: line 11: could not find expected ':'"
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}: " if mark else ""
        raise HelmFailure(f"YAML parse error on {path}: yaml: {line}{exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise HelmFailure(f"YAML parse error on {path}: {' '.join(str(exc).split())}") from None
    if data is None:
        return "", {}
    if not isinstance(data, dict):
        raise HelmFailure(f"YAML parse error on {path}: a document is not a mapping")
    meta = data.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    annotations = annotations if isinstance(annotations, dict) else {}
    for key, value in annotations.items():
        if not isinstance(value, str):  # Helm reads annotations into map[string]string, and fails
            raise HelmFailure(
                f"YAML parse error on {path}: annotation {key} is not a string ({type(value).__name__})"
            )
    return str(data.get("kind") or ""), annotations


def assemble(
    files: dict[str, str], crds: list[dict[str, str]], *, include_crds: bool, skip_tests: bool
) -> str:
    """The text `helm template` prints for rendered `files` (template path -> output)."""
    generic: list[tuple[str, str, str]] = []
    hooks: list[tuple[str, str, str]] = []
    for path in sorted(files):
        content = files[path]
        if path.endswith("NOTES.txt") or path.rsplit("/", 1)[-1].startswith("_") or not content.strip():
            continue
        for doc in _split(content):
            kind, annotations = _head(doc, path)
            if "helm.sh/hook" not in annotations:
                generic.append((path, doc, kind))
                continue
            events = [e.strip().lower() for e in annotations["helm.sh/hook"].split(",")]
            if any(e not in HOOK_EVENTS for e in events):
                continue  # Helm skips a hook of an unknown type ("skipping unknown hooks")
            if skip_tests and any(e in ("test", "test-success") for e in events):
                continue
            hooks.append((path, doc, kind))
    generic.sort(key=lambda m: _kind_key(m[2]))
    hooks.sort(key=lambda m: _kind_key(m[2]))
    out = io.StringIO()
    if include_crds:
        for crd in crds:
            out.write(f"---\n# Source: {crd['filename']}\n{crd['data']}\n")
    for path, doc, _ in generic:
        out.write(f"---\n# Source: {path}\n{doc}\n")
    text = out.getvalue().strip() + "\n"
    return text + "".join(f"---\n# Source: {path}\n{doc}\n" for path, doc, _ in hooks)


def render(request: dict[str, Any]) -> str:
    import helm_python as helm
    from helm_python import _native

    name = request["release_name"]
    kube_version = request["kube_version"]
    try:
        helm.validate_release_name(name)
    except helm.HelmError as exc:
        raise HelmFailure(f"invalid release name {name!r}: {exc}") from None
    values = user_values(request)
    options = {
        "name": name,
        "namespace": request["namespace"],
        "kube_version": kube_version,
        "api_versions": request.get("api_versions", []),
        "is_install": True,
    }
    try:
        with helm.Chart.load(request["chart"]) as chart:
            meta = chart.metadata
            if meta.get("type") == "library":
                raise HelmFailure("library charts are not installable")
            present = {d.get("name") for d in chart.dependencies}
            missing = [
                str(d.get("name"))
                for d in meta.get("dependencies") or []
                if isinstance(d, dict) and d.get("name") not in present
            ]
            if missing:
                raise HelmFailure(
                    f"found in Chart.yaml, but missing in charts/ directory: {', '.join(missing)}"
                )
            wanted = str(meta.get("kubeVersion") or "")
            if wanted and not semver_checks([(wanted, kube_version)])[0]:
                raise HelmFailure(
                    f"chart requires kubeVersion: {wanted} which is incompatible with Kubernetes "
                    f"{kube_version}"
                )
            files = json.loads(
                _native.call_string("helm_render", chart._raw(), json.dumps(values), json.dumps(options))
            )
            # Rendering leaves only the enabled subcharts on the chart, as `helm install` does before it
            # collects CRDs: read them now, not before.
            crds = chart.crds if request.get("include_crds", True) else []
    except helm.HelmError as exc:
        raise HelmFailure(str(exc)) from None
    return assemble(
        files,
        crds,
        include_crds=request.get("include_crds", True),
        skip_tests=request.get("skip_tests", False),
    )


def pull(request: dict[str, Any]) -> dict[str, Any]:
    import helm_python as helm

    try:
        helm.pull(
            request["ref"],
            repo_url=request.get("repo_url") or None,
            version=request.get("version") or None,
            destination=request["destination"],
            plain_http=bool(request.get("plain_http")),
        )
    except helm.HelmError as exc:
        raise HelmFailure(str(exc)) from None
    archives = sorted(Path(request["destination"]).glob("*.tgz"))
    if len(archives) != 1:
        raise HelmFailure(f"pull left {len(archives)} archives in {request['destination']}")
    return {"archive": str(archives[0])}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in ("render", "pull", "semver"):
        print("usage: embedded.py render|pull|semver < request.json", file=sys.stderr)
        return 2
    try:
        request = json.load(sys.stdin)
        if argv[1] == "render":
            sys.stdout.write(render(request))
        elif argv[1] == "pull":
            json.dump(pull(request), sys.stdout)
        else:
            json.dump(semver_checks([tuple(p) for p in request["pairs"]]), sys.stdout)
    except HelmFailure as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
