"""The build environment Argo CD gives a source (`$ARGOCD_APP_NAME`, ...), and its substitution into Helm
parameters, Jsonnet arguments and Kustomize labels, as the repo-server does."""

from __future__ import annotations

import re

from gitops_tui.model import AppSource, AppSpec


def build_env(app: AppSpec, source: AppSource) -> dict[str, str]:
    """What Argo CD's newEnv sets. The revision is the commit Argo CD resolved, which is not known
    here: it stays empty, as do the project's name (not read from the Application)."""
    return {
        "ARGOCD_APP_NAME": app.name,
        "ARGOCD_APP_NAMESPACE": app.namespace,
        "ARGOCD_APP_PROJECT_NAME": "",
        "ARGOCD_APP_REVISION": "",
        "ARGOCD_APP_REVISION_SHORT": "",
        "ARGOCD_APP_REVISION_SHORT_8": "",
        "ARGOCD_APP_SOURCE_REPO_URL": source.repo_url,
        "ARGOCD_APP_SOURCE_PATH": source.path,
        "ARGOCD_APP_SOURCE_TARGET_REVISION": source.target_revision,
    }


_VAR = re.compile(r"\$(\$|[A-Za-z_][A-Za-z0-9_]*|\{[^}]*\})")


def envsubst(text: str, env: dict[str, str]) -> str:
    """Argo CD's Env.Envsubst (Go's os.Expand): `$NAME` and `${NAME}` become the build environment's
    value, "" for a name it does not have; `$$` is a `$`."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "$":
            return "$"
        return env.get(name.strip("{}"), "")

    return _VAR.sub(value, text) if "$" in text else text
