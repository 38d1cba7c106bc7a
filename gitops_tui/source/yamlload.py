"""Reading manifests: multi-document YAML (libyaml's C loader) and JSON, with file:line in every error.

Scalars that YAML 1.1 would turn into dates (``2024-01-01``) stay strings: Kubernetes decodes such values as
strings too, and a `datetime` would not survive a JSON round trip to the API server.

Parsing is the bulk of rendering a large repo (PyYAML builds objects in Python: ~1 s for 4,000 objects), and
between two reconciles almost no file changes. So parsed documents are cached by a hash of the text and
handed out as fresh copies (unpickled: ~30x cheaper than parsing), which callers are free to mutate.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import yaml

from gitops_tui.engine.hooks import is_hook_like
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


class _ParseCache:
    """Pickled documents by (format, text digest), least recently used dropped past a size budget."""

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        self._entries: OrderedDict[tuple[bool, bytes], bytes] = OrderedDict()
        self._size = 0
        self._max_bytes = max_bytes
        self._lock = threading.Lock()

    def get(self, key: tuple[bool, bytes]) -> list[Document] | None:
        with self._lock:
            blob = self._entries.get(key)
            if blob is None:
                return None
            self._entries.move_to_end(key)
        docs: list[Document] = pickle.loads(blob)
        return docs

    def put(self, key: tuple[bool, bytes], docs: list[Document]) -> None:
        blob = pickle.dumps(docs, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = blob
            self._size += len(blob)
            while self._size > self._max_bytes and self._entries:
                _, old = self._entries.popitem(last=False)
                self._size -= len(old)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0


_cache = _ParseCache()


def clear_cache() -> None:
    """Forget every parsed file (a hard refresh; tests)."""
    _cache.clear()


def load_documents(text: str, filename: str) -> list[Document]:
    """Every document of a YAML stream (or the one value of a ``.json`` file). Raises ManifestError.

    The documents are the caller's own: mutating them does not affect later loads of the same text.
    """
    is_json = filename.endswith(".json")
    key = (is_json, hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest())
    cached = _cache.get(key)
    if cached is not None:
        return cached
    docs = _load_json(text, filename) if is_json else _load_yaml(text, filename)
    _cache.put(key, docs)
    return docs


def _load_yaml(text: str, filename: str) -> list[Document]:
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
    """Whether a document looks like a Kubernetes object: apiVersion, kind and metadata.name — or, for a
    hook (Argo CD's or Helm's), metadata.generateName, since a hook is named when it runs."""
    if not isinstance(doc, dict):
        return False
    meta = doc.get("metadata")
    if not (
        isinstance(doc.get("apiVersion"), str)
        and bool(doc.get("apiVersion"))
        and isinstance(doc.get("kind"), str)
        and bool(doc.get("kind"))
        and isinstance(meta, dict)
    ):
        return False
    name, generate = meta.get("name"), meta.get("generateName")
    if isinstance(name, str) and name:
        return True
    return isinstance(generate, str) and bool(generate) and is_hook_like(doc)
