from __future__ import annotations

import pytest

from gitops_tui.source.errors import ManifestError
from gitops_tui.source.yamlload import is_k8s_object, load_documents, load_manifests


def test_multi_document_indexes_count_empty_documents_and_keep_order() -> None:
    text = "# header\n---\nkind: A\n---\n---\nkind: B\n...\n---\n- not a mapping\n---\nkind: C\n"
    assert load_manifests(text, "x.yaml") == [({"kind": "A"}, 0), ({"kind": "B"}, 2), ({"kind": "C"}, 4)]


def test_document_lines_are_one_based_where_content_starts() -> None:
    docs = load_documents("a: 1\n---\n# comment\nb: 2\n", "x.yaml")
    assert [(d.index, d.line) for d in docs] == [(0, 1), (1, 4)]


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(ManifestError) as err:
        load_manifests("kind: A\n---\nmetadata:\n  name: x\n  labels: a: b\n", "web/deploy.yaml")
    assert str(err.value) == "web/deploy.yaml:5: mapping values are not allowed in this context"
    assert (err.value.file, err.value.line) == ("web/deploy.yaml", 5)


def test_control_character_error_has_a_line() -> None:
    with pytest.raises(ManifestError, match=r"^x\.yaml:2: unacceptable character #x0007$"):
        load_manifests("a: 1\nb: \x07\n", "x.yaml")


def test_dates_stay_strings_so_objects_survive_json() -> None:
    [(doc, _)] = load_manifests("data:\n  released: 2024-01-31\n  at: 2024-01-31T10:00:00Z\n", "x.yaml")
    assert doc == {"data": {"released": "2024-01-31", "at": "2024-01-31T10:00:00Z"}}


def test_json_files_use_a_json_parser_with_line_numbers() -> None:
    assert load_manifests('{\n\t"kind": "A"\n}', "x.json") == [({"kind": "A"}, 0)]
    assert load_manifests('[{"kind": "A"}, {"kind": "B"}]', "x.json") == [
        ({"kind": "A"}, 0),
        ({"kind": "B"}, 1),
    ]
    with pytest.raises(ManifestError, match=r"^x\.json:3: "):
        load_manifests('{\n  "kind": "A",\n}', "x.json")


def test_unsafe_tags_are_refused() -> None:
    with pytest.raises(ManifestError, match=r"^x\.yaml:1: "):
        load_manifests("a: !!python/object/apply:os.system ['true']\n", "x.yaml")


def _job(meta: dict) -> dict:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta}


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}, True),
        ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}, False),
        ({"apiVersion": "v1", "kind": "ConfigMap"}, False),
        ({"kind": "ConfigMap", "metadata": {"name": "c"}}, False),
        ({"apiVersion": "v1", "metadata": {"name": "c"}}, False),
        ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": 3}}, False),
        (["apiVersion"], False),
        (None, False),
        # A hook is named when it runs: generateName stands in for the name (Argo CD's and Helm's hooks).
        (_job({"generateName": "migrate-", "annotations": {"argocd.argoproj.io/hook": "PreSync"}}), True),
        (_job({"generateName": "migrate-", "annotations": {"helm.sh/hook": "pre-install"}}), True),
        (_job({"generateName": "migrate-"}), False),  # not a hook: kubectl could not apply it either
        (_job({"generateName": "", "annotations": {"argocd.argoproj.io/hook": "PreSync"}}), False),
    ],
)
def test_what_counts_as_a_kubernetes_object(doc: object, expected: bool) -> None:
    assert is_k8s_object(doc) is expected


def test_cached_documents_are_fresh_copies() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cached-copy\ndata:\n  a: '1'\n"
    [(first, _)] = load_manifests(text, "a.yaml")
    first["data"]["a"] = "mutated"
    first["metadata"]["namespace"] = "x"
    [(second, _)] = load_manifests(text, "b.yaml")
    assert second == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cached-copy"},
        "data": {"a": "1"},
    }
    # The same text read as JSON is a different parse, and errors are never cached as successes.
    with pytest.raises(ManifestError):
        load_manifests(text, "a.json")
