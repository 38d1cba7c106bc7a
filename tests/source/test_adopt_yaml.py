"""In-place YAML edits: only the lines of the adopted fields change, whatever the file looks like."""

from __future__ import annotations

import difflib

import pytest
import yaml

from gitops_tui.model import DriftField
from gitops_tui.source.adopt.fieldpath import Change, EditError, steps_of
from gitops_tui.source.adopt.yamledit import edit_document

MANIFEST = """\
# Web frontend: owned by team-web.
# Keep replicas >= 2 outside incidents.
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web  # the public name
  labels: {app: web, tier: "front"}
  annotations:
    note: >-
      folded text
      over two lines
spec:
  replicas: 2   # scaled by hand in incidents
  template:
    spec:
      containers:
        - name: sidecar
          image: "envoy:1.0"
        - name: api
          image: 'registry/api:1.0'
          args: ["--a", "--b"]
          command:
          - run
          ports:
            - containerPort: 8080
              protocol: TCP
          env:
            - name: MODE
              value: "fast"
            - name: SCRIPT
              value: |
                echo one
                echo two
---
# the second document
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  mode: fast
"""


def field(path: str, live: object, keyed: str = "") -> Change:
    drift = DriftField(path=path, git=None, live=live, keyed_path=keyed)
    return Change(steps_of(drift), live, live is None)


def diff(before: str, after: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith("-") and not line.startswith("---"):
            removed.append(line[1:])
        elif line.startswith("+") and not line.startswith("+++"):
            added.append(line[1:])
    return removed, added


API = "/spec/template/spec/containers/1"
KEYED = "/spec/template/spec/containers/[name=api]"


@pytest.mark.parametrize(
    ("change", "removed", "added"),
    [
        pytest.param(
            field("/spec/replicas", 5),
            ["  replicas: 2   # scaled by hand in incidents"],
            ["  replicas: 5   # scaled by hand in incidents"],
            id="scalar-keeps-trailing-comment",
        ),
        pytest.param(
            field(f"{API}/image", "registry/api:2.0", f"{KEYED}/image"),
            ["          image: 'registry/api:1.0'"],
            ["          image: 'registry/api:2.0'"],
            id="single-quoted-stays-single-quoted",
        ),
        pytest.param(
            field(
                "/spec/template/spec/containers/0/image",
                "envoy:1.1",
                "/spec/template/spec/containers/[name=sidecar]/image",
            ),
            ['          image: "envoy:1.0"'],
            ['          image: "envoy:1.1"'],
            id="double-quoted-stays-double-quoted",
        ),
        pytest.param(
            field(f"{API}/args", ["--a", "--c", "--d"], f"{KEYED}/args"),
            ['          args: ["--a", "--b"]'],
            ['          args: ["--a", "--c", "--d"]'],
            id="flow-list-stays-flow",
        ),
        pytest.param(
            field("/metadata/labels/tier", None),
            ['  labels: {app: web, tier: "front"}'],
            ["  labels: {app: web}"],
            id="flow-map-key-removed",
        ),
        pytest.param(
            field("/metadata/labels/team", "web"),
            ['  labels: {app: web, tier: "front"}'],
            ['  labels: {app: web, tier: "front", team: "web"}'],
            id="flow-map-key-added-in-siblings-style",
        ),
        pytest.param(
            field(f"{API}/env/1/value", "echo three\n", f"{KEYED}/env/[name=SCRIPT]/value"),
            ["                echo one", "                echo two"],
            ["                echo three"],
            id="block-scalar-content-only",
        ),
        pytest.param(
            field("/metadata/annotations/note", "short"),
            ["    note: >-", "      folded text", "      over two lines"],
            ["    note: short"],
            id="block-scalar-to-one-line",
        ),
        pytest.param(
            field(f"{API}/env/0/value", "slow", f"{KEYED}/env/[name=MODE]/value"),
            ['              value: "fast"'],
            ['              value: "slow"'],
            id="list-item-by-key",
        ),
        pytest.param(
            field(f"{API}/env/2", {"name": "DEBUG", "value": "true"}, f"{KEYED}/env/[name=DEBUG]"),
            [],
            ["            - name: DEBUG", "              value: 'true'"],
            id="list-item-added-at-siblings-indent",
        ),
        pytest.param(
            field(f"{API}/env/0", None, f"{KEYED}/env/[name=MODE]"),
            ["            - name: MODE", '              value: "fast"'],
            [],
            id="list-item-removed-by-key",
        ),
        pytest.param(
            field(
                f"{API}/ports/0/containerPort",
                9090,
                f"{KEYED}/ports/[containerPort=8080,protocol=TCP]/containerPort",
            ),
            ["            - containerPort: 8080"],
            ["            - containerPort: 9090"],
            id="port-by-container-port-key",
        ),
        pytest.param(
            field(f"{API}/resources", {"limits": {"cpu": "500m", "memory": "1Gi"}}, f"{KEYED}/resources"),
            [],
            [
                "          resources:",
                "            limits:",
                "              cpu: 500m",
                "              memory: 1Gi",
            ],
            id="new-mapping-block",
        ),
        pytest.param(
            field(f"{API}/command", None, f"{KEYED}/command"),
            ["          command:", "          - run"],
            [],
            id="key-with-block-list-removed",
        ),
        pytest.param(
            field("/metadata/annotations/build", "1.10"),
            [],
            ["    build: '1.10'"],
            id="new-string-that-looks-like-a-number-is-quoted",
        ),
    ],
)
def test_only_the_intended_lines_change(change: Change, removed: list[str], added: list[str]) -> None:
    after = edit_document(MANIFEST, 0, [change])
    assert diff(MANIFEST, after) == (removed, added)
    docs = list(yaml.safe_load_all(after))
    assert docs[1] == yaml.safe_load(MANIFEST.split("---\n")[2])


def test_the_value_reads_back() -> None:
    after = edit_document(
        MANIFEST, 0, [field(f"{API}/env/1/value", "a\n  b\n", f"{KEYED}/env/[name=SCRIPT]/value")]
    )
    env = yaml.safe_load_all(after).__next__()["spec"]["template"]["spec"]["containers"][1]["env"]
    assert env[1]["value"] == "a\n  b\n"


def test_second_document_only() -> None:
    after = edit_document(MANIFEST, 1, [field("/data/mode", "slow")])
    assert diff(MANIFEST, after) == (["  mode: fast"], ["  mode: slow"])
    assert after.startswith(
        "# Web frontend: owned by team-web.\n# Keep replicas >= 2 outside incidents.\n---\n"
    )


def test_several_fields_at_once() -> None:
    after = edit_document(
        MANIFEST,
        0,
        [
            field("/spec/replicas", 3),
            field(f"{API}/image", "registry/api:2.0", f"{KEYED}/image"),
            field(f"{API}/env/0", None, f"{KEYED}/env/[name=MODE]"),
        ],
    )
    removed, added = diff(MANIFEST, after)
    assert len(removed) == 4 and len(added) == 2


def test_list_item_found_by_key_not_position() -> None:
    # live order differs from Git's: the live index 0 is "api", but the key says which item it is
    after = edit_document(
        MANIFEST, 0, [field("/spec/template/spec/containers/0/image", "r/api:3", f"{KEYED}/image")]
    )
    assert diff(MANIFEST, after) == (["          image: 'registry/api:1.0'"], ["          image: 'r/api:3'"])


def test_first_key_of_a_list_item_removed() -> None:
    text = "spec:\n  items:\n  - name: a\n    value: b\n"
    after = edit_document(text, 0, [field("/spec/items/0/name", None)])
    assert after == "spec:\n  items:\n  - value: b\n"


def test_last_member_removed_leaves_an_empty_collection() -> None:
    text = "metadata:\n  name: x\n  labels:\n    a: b  # only one\nspec: {}\n"
    after = edit_document(text, 0, [field("/metadata/labels/a", None)])
    assert after == "metadata:\n  name: x\n  labels: {}\nspec: {}\n"


def test_value_added_to_an_empty_key() -> None:
    text = "metadata:\n  name: x\n  annotations:\nspec: {}\n"
    after = edit_document(text, 0, [field("/metadata/annotations/a", "b")])
    assert after == "metadata:\n  name: x\n  annotations:\n    a: b\nspec: {}\n"


def test_indented_and_indentless_sequences_follow_the_file() -> None:
    indentless = "spec:\n  containers:\n  - name: a\n    image: x\n"
    after = edit_document(indentless, 0, [field("/spec/containers/0/ports", [{"containerPort": 80}])])
    assert after.endswith("    image: x\n    ports:\n    - containerPort: 80\n")
    indented = "spec:\n  containers:\n    - name: a\n      image: x\n"
    after = edit_document(indented, 0, [field("/spec/containers/0/ports", [{"containerPort": 80}])])
    assert after.endswith("      image: x\n      ports:\n        - containerPort: 80\n")


def test_crlf_and_bom_are_kept() -> None:
    text = "\ufeffkind: ConfigMap\r\nmetadata:\r\n  name: c\r\ndata:\r\n  a: b\r\n"
    after = edit_document(text, 0, [field("/data/a", "c")])
    assert after == "\ufeffkind: ConfigMap\r\nmetadata:\r\n  name: c\r\ndata:\r\n  a: c\r\n"


def test_a_field_that_is_not_there_cannot_be_removed() -> None:
    with pytest.raises(EditError, match="is not set here"):
        edit_document(MANIFEST, 0, [field("/spec/paused", None)])


def test_list_item_in_a_kind_list() -> None:
    text = "apiVersion: v1\nkind: List\nitems:\n- kind: ConfigMap\n  metadata: {name: a}\n  data: {k: v}\n"
    after = edit_document(text, 0, [field("/data/k", "w")], base=("items", 0))
    assert after == text.replace("{k: v}", "{k: w}")
