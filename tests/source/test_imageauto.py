"""Image automation in History: ImagePolicy setter markers on changed lines, and commits by Flux's
image-automation-controller or Renovate labelled as such."""

from __future__ import annotations

from pathlib import Path

from gitops_tui.actions.describe import commit_json, history_lines
from gitops_tui.model import Commit
from gitops_tui.source.imageauto import IMAGE_AUTOMATION, RENOVATE, changed_policies, made_by, policy_of
from gitops_tui.source.repo import GitRepo

from .repos import commit, git, init, write


def c(
    author: str = "Ops", email: str = "ops@example.com", summary: str = "change", message: str = ""
) -> Commit:
    return Commit("a" * 40, "aaaaaaa", author, email, 0.0, summary, message or summary)


def test_markers_and_their_forms() -> None:
    assert (
        policy_of('      image: ghcr.io/acme/app:1.2.3 # {"$imagepolicy": "flux-system:app"}')
        == "flux-system:app"
    )
    assert policy_of('  tag: 1.2.3 # {"$imagepolicy": "apps:web:tag"}') == "apps:web:tag"
    assert policy_of("  image: nginx # a plain comment") == ""
    patch = (
        "--- a/app.yaml\n+++ b/app.yaml\n"
        '-  image: app:1.0 # {"$imagepolicy": "flux-system:app"}\n'
        '+  image: app:1.1 # {"$imagepolicy": "flux-system:app"}\n'
        '   name: x # {"$imagepolicy": "flux-system:untouched"}\n'
    )
    assert changed_policies(patch) == ("flux-system:app",)


def test_who_made_a_commit() -> None:
    assert made_by(c(summary="Update from image update automation")) == IMAGE_AUTOMATION
    assert (
        made_by(c("fluxcdbot", "fluxcdbot@users.noreply.github.com", "apps: podinfo 6.5.1"))
        == IMAGE_AUTOMATION
    )
    assert (
        made_by(
            c(
                summary="Automated image update",
                message="Automated image update\n\nAutomation name: flux-system/apps\n",
            )
        )
        == IMAGE_AUTOMATION
    )
    assert (
        made_by(c("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com", "Update dependency x"))
        == RENOVATE
    )
    assert made_by(c(summary="Merge pull request #12 from acme/renovate/podinfo-6.x")) == RENOVATE
    assert made_by(c(summary="Update dependency x to v2")) == ""  # Renovate's wording alone is anyone's


def test_history_labels_commits_and_their_policies(tmp_path: Path) -> None:
    repo = init(tmp_path / "repo")
    line = 'image: ghcr.io/acme/app:{} # {{"$imagepolicy": "flux-system:app"}}\n'
    write(repo, "apps/app.yaml", "kind: x\n" + line.format("1.0"))
    commit(repo, "add app")
    write(repo, "apps/app.yaml", "kind: x\n" + line.format("1.1"))
    git(repo, "add", "-A")
    git(
        repo,
        "commit",
        "-qm",
        "Update from image update automation",
        "--author",
        "fluxcdbot <fluxcdbot@users.noreply.github.com>",
    )
    write(repo, "apps/other.yaml", "kind: y\n")
    commit(repo, "chore(deps): update thing", author="renovate[bot]")
    commits = GitRepo(repo).history("apps")
    assert [(x.summary, x.made_by, x.image_policies) for x in commits] == [
        ("chore(deps): update thing", RENOVATE, ()),
        ("Update from image update automation", IMAGE_AUTOMATION, ("flux-system:app",)),
        ("add app", "", ("flux-system:app",)),
    ]
    lines = history_lines(commits, now=commits[0].timestamp)
    assert "[Flux image automation: flux-system:app] Update from image update automation" in lines[1]
    assert "[flux-system:app] add app" in lines[2]
    assert commit_json(commits[1])["madeBy"] == IMAGE_AUTOMATION
    assert commit_json(commits[1])["imagePolicies"] == ["flux-system:app"]
