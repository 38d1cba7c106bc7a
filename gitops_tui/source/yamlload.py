"""Reading manifests: multi-document YAML (libyaml's C loader) and JSON, with file:line in every error.

Scalars that YAML 1.1 would turn into dates (``2024-01-01``) stay strings: Kubernetes decodes such values as
strings too, and a `datetime` would not survive a JSON round trip to the API server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

from gitops_tui.model import Obj
from gitops_tui.source.errors import ManifestError


class _ManifestLoader(yaml.CSafeLoader):
    pass


_ManifestLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Document:
    data: Any  # None for an empty document
    index: int  # position in the stream, counting empty documents (as yaml.load_all / ruamel do)
    line: int  # 1-based line where the document's content starts


def load_documents(text: str, filename: str) -> list[Document]:
    """Every document of a YAML stream (or the one value of a ``.json`` file). Raises ManifestError."""
    if filename.endswith(".json"):
        return _load_json(text, filename)
    loader = _ManifestLoader(text)
    docs: list[Document] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                break
            data = loader.construct_document(node)
            docs.append(Document(data, len(docs), node.start_mark.line + 1))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise ManifestError(filename, mark.line + 1 if mark else None, problem) from None
    except yaml.reader.ReaderError as exc:  # control characters: a position instead of a mark
        line = text.count("\n", 0, exc.position) + 1
        char = ord(exc.character) if isinstance(exc.character, str) else int(exc.character)
        raise ManifestError(filename, line, f"unacceptable character #x{char:04x}") from None
    except yaml.YAMLError as exc:
        raise ManifestError(filename, None, " ".join(str(exc).split())) from None
    finally:
        loader.dispose()
    return docs


def _load_json(text: str, filename: str) -> list[Document]:
    try:
        data = json.loads(text) if text.strip() else None
    except json.JSONDecodeError as exc:
        raise ManifestError(filename, exc.lineno, exc.msg) from None
    if data is None:
        return []
    if isinstance(data, list):  # an array of objects, as some generators write
        return [Document(item, i, 1) for i, item in enumerate(data)]
    return [Document(data, 0, 1)]


def load_manifests(text: str, filename: str) -> list[tuple[Obj, int]]:
    """The mapping documents of a multi-document YAML (or JSON) text with their document index.

    Empty documents and non-mapping documents are left out but still counted, so the index is the one a
    round-trip editor sees. Raises ManifestError ("path/file.yaml:12: mapping values are not allowed here").
    """
    return [(doc.data, doc.index) for doc in load_documents(text, filename) if isinstance(doc.data, dict)]


def is_k8s_object(doc: Any) -> bool:
    """Whether a document looks like a Kubernetes object (apiVersion, kind and metadata.name)."""
    if not isinstance(doc, dict):
        return False
    meta = doc.get("metadata")
    return (
        isinstance(doc.get("apiVersion"), str)
        and bool(doc.get("apiVersion"))
        and isinstance(doc.get("kind"), str)
        and bool(doc.get("kind"))
        and isinstance(meta, dict)
        and isinstance(meta.get("name"), str)
        and bool(meta.get("name"))
    )
