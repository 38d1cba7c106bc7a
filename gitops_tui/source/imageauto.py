"""Image automation in History: Flux's ImagePolicy setter markers, and commits made by a bot.

A marker is a YAML comment naming the ImagePolicy that sets the value on its line, as image-automation-
controller's setters strategy reads it: `image: ghcr.io/org/app:1.2.3 # {"$imagepolicy": "ns:name"}`,
with `:tag` or `:name` after the policy for a field holding only that part. A commit whose changed lines
carry markers is labelled with their policies.

Who made a commit: Flux's image-automation-controller (its default message "Update from image update
automation", the templates' "Automation name:", or the `fluxcdbot` author its documentation configures),
or Renovate (`renovate[bot]`, its app's e-mail, or a merge of a `renovate/...` branch).
"""

from __future__ import annotations

import json
import re

from gitops_tui.model import Commit

IMAGE_AUTOMATION = "Flux image automation"
RENOVATE = "Renovate"
_MARKER = re.compile(r'#\s*(\{\s*"\$imagepolicy"\s*:\s*"[^"]*"\s*\})')
_FLUX_MESSAGES = ("Update from image update automation",)
_FLUX_AUTHORS = ("fluxcdbot", "flux-image-automation", "fluxbot")
_RENOVATE_AUTHORS = ("renovate[bot]", "renovate-bot", "renovatebot")
_RENOVATE_EMAILS = ("bot@renovateapp.com", "renovate[bot]@users.noreply.github.com")
_RENOVATE_BRANCH = re.compile(r"\bfrom [^\s]+/renovate/|\brenovate/[\w.-]+")


def policy_of(line: str) -> str:
    """The ImagePolicy a line's setter marker names ("ns:name", "ns:name:tag"); "" when none."""
    match = _MARKER.search(line)
    if match is None:
        return ""
    try:
        value = json.loads(match.group(1)).get("$imagepolicy")
    except ValueError:
        return ""
    return value if isinstance(value, str) else ""


def changed_policies(patch: str) -> tuple[str, ...]:
    """The policies named on the lines a unified diff adds or removes, in order, once each."""
    found: dict[str, None] = {}
    for line in patch.splitlines():
        if line.startswith(("+++", "---")) or not line.startswith(("+", "-")):
            continue
        policy = policy_of(line)
        if policy:
            found.setdefault(policy, None)
    return tuple(found)


def made_by(commit: Commit) -> str:
    """IMAGE_AUTOMATION, RENOVATE, or "" for anyone else."""
    author = commit.author.strip().lower()
    email = commit.email.strip().lower()
    message = commit.message or commit.summary
    if commit.summary.startswith(_FLUX_MESSAGES) or "Automation name:" in message or author in _FLUX_AUTHORS:
        return IMAGE_AUTOMATION
    if email.startswith("fluxcdbot@"):
        return IMAGE_AUTOMATION
    if (
        author in _RENOVATE_AUTHORS
        or email in _RENOVATE_EMAILS
        or email.endswith("+renovate[bot]@users.noreply.github.com")
    ):
        return RENOVATE
    if commit.summary.startswith("Merge") and _RENOVATE_BRANCH.search(commit.summary):
        return RENOVATE
    return ""
