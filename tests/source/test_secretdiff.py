"""Secret values are masked in Git patches (History, `history`, revert preview) — keys and the fact of a
change stay visible, values never; nothing else in the patch changes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gitops_tui.source.gitwrite import preview_revert
from gitops_tui.source.repo import GitRepo
from gitops_tui.source.secretdiff import EVERY_LINE, mask_patch, secret_lines

SECRET = """\
# rotated by hand
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  password: {pw}
  config: |
    user=app
    pass={pw}
data:
  token: {token}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: db-config
data:
  mode: {mode}
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@x", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_secret_lines_are_the_value_lines_of_data_and_stringdata_only() -> None:
    text = SECRET.format(pw="hunter2", token="c2VjcmV0", mode="fast")
    lines = secret_lines(text)
    numbered = dict(enumerate(text.splitlines(), start=1))
    shown = {numbered[n].strip() for n in lines}
    # the block scalar's value starts on its indicator line, then every line of it
    assert shown == {"password: hunter2", "config: |", "user=app", "pass=hunter2", "token: c2VjcmV0"}
    assert all("mode" not in numbered[n] and "name:" not in numbered[n] for n in lines)
    assert secret_lines("kind: ConfigMap\ndata:\n  a: b\n") == {}
    assert secret_lines("kind: Secret\ndata: [unclosed\n") is EVERY_LINE


def test_a_commit_diff_shows_which_keys_changed_never_the_values(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "db.yaml").write_text(SECRET.format(pw="old-pw-CANARY", token="b2xkLUNBTkFSWQ==", mode="slow"))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "db")
    (repo / "db.yaml").write_text(SECRET.format(pw="new-pw-CANARY", token="bmV3LUNBTkFSWQ==", mode="fast"))
    git(repo, "commit", "-qam", "rotate")
    gr = GitRepo(repo)
    for patch in (gr.commit_diff("HEAD"), gr.commit_diff("HEAD~1")):
        assert "CANARY" not in patch and "LUNBTkFSWQ" not in patch, patch
    patch = gr.commit_diff("HEAD")
    assert "-  password: ***masked:" in patch and "+  password: ***masked:" in patch
    old = next(line for line in patch.splitlines() if line.startswith("-  password:"))
    new = next(line for line in patch.splitlines() if line.startswith("+  password:"))
    assert old != new  # a changed value still reads as changed
    assert "-  mode: slow" in patch and "+  mode: fast" in patch  # a ConfigMap is not a Secret


def test_patches_without_secrets_are_untouched() -> None:
    patch = "diff --git a/x.yaml b/x.yaml\n--- a/x.yaml\n+++ b/x.yaml\n@@ -1 +1 @@\n-a: 1\n+a: 2\n"
    assert mask_patch(patch, lambda _p: "", lambda _p: "") == patch


def test_an_unreadable_side_masks_the_whole_file() -> None:
    patch = (
        "diff --git a/s.yaml b/s.yaml\n--- a/s.yaml\n+++ b/s.yaml\n@@ -1,2 +1,2 @@\n kind: Secret\n"
        "-data: {x: b2xk}\n+data: {x: bmV3}\n"
    )

    def boom(_p: str) -> str:
        raise OSError("gone")

    masked = mask_patch(patch, boom, boom)
    assert "b2xk" not in masked and "bmV3" not in masked


def test_secret_generator_literals_and_the_files_it_reads_are_masked(tmp_path: Path) -> None:
    """Kustomize's secretGenerator: `literals` show their keys but not the values after `=`, and a file it
    reads (`envs`, `files`) is masked whole, in History and in a revert's preview. Found by hand: the
    History screen showed `password=...` in clear."""
    repo = tmp_path / "r"
    (repo / "overlay/secrets").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    kustomization = (
        "resources: [deployment.yaml]\n"
        "secretGenerator:\n"
        "  - name: db\n"
        "    literals:\n"
        "      - password=LITERAL-CANARY-1\n"
        "      - 'token=LITERAL-CANARY-2'\n"
        "    envs: [secrets/db.env]\n"
        "    files: [tls.key=secrets/tls.key]\n"
        "configMapGenerator:\n"
        "  - name: settings\n"
        "    literals: [mode=fast]\n"
    )
    (repo / "overlay/kustomization.yaml").write_text(kustomization)
    (repo / "overlay/deployment.yaml").write_text("kind: Deployment\n")
    (repo / "overlay/secrets/db.env").write_text("DB_PASSWORD=ENV-CANARY-1\n")
    (repo / "overlay/secrets/tls.key").write_text("KEY-CANARY-1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "db secrets")
    (repo / "overlay/secrets/db.env").write_text("DB_PASSWORD=ENV-CANARY-2\n")
    (repo / "overlay/secrets/tls.key").write_text("KEY-CANARY-2\n")
    (repo / "overlay/kustomization.yaml").write_text(kustomization.replace("CANARY-1", "CANARY-3"))
    git(repo, "commit", "-qam", "rotate")
    gr = GitRepo(repo)
    for patch in (gr.commit_diff("HEAD"), gr.commit_diff("HEAD~1")):
        assert "CANARY" not in patch, patch
    patch = gr.commit_diff("HEAD")
    assert "-      - password=***masked:" in patch and "+      - password=***masked:" in patch
    assert "+    literals: [mode=fast]" in gr.commit_diff("HEAD~1")  # a ConfigMap's literals still show
    assert "CANARY" not in preview_revert(gr, "HEAD").shown


def commit_two(tmp_path: Path, before: str, after: str, name: str) -> str:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / name).write_text(before)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "one")
    (repo / name).write_text(after)
    git(repo, "commit", "-qam", "two")
    return GitRepo(repo).commit_diff("HEAD")


SECRET_FAR = (
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\n  labels:\n    app: db\n"
    "type: Opaque\nstringData:\n  username: app\n  password: {pw}\n"
)
QUOTED_KEY = (
    'namespace: prod\n"secretGenerator":\n- name: db\n  literals:\n'
    + "".join(f"  - key{i}=value{i}\n" for i in range(10))
    + "  - password={pw}\n"
)
FLOW = "secretGenerator:\n- name: db\n  literals: [password={pw}, user=admin]\n"
BUILTIN = "apiVersion: builtin\nkind: SecretGenerator\nmetadata:\n  name: db\nliterals:\n- password={pw}\n"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (SECRET_FAR, "db.yaml"),  # `kind: Secret` is more than three lines above the change
        (QUOTED_KEY, "kustomization.yaml"),  # a quoted key, far from the hunk
        (FLOW, "kustomization.yaml"),  # two literals on one line
        (BUILTIN, "gen.yaml"),  # a builtin generator's own config file
    ],
)
def test_a_secret_value_is_masked_even_when_the_hunk_does_not_say_secret(
    tmp_path: Path, text: str, name: str
) -> None:
    """Found in review: the patch was left untouched unless its text said "Secret", and git shows only
    three lines of context, so an ordinary Secret's changed password showed in History."""
    shown = commit_two(tmp_path, text.format(pw="OLD-CANARY"), text.format(pw="NEW-CANARY"), name)
    assert "CANARY" not in shown, shown
    assert "***masked:" in shown
