"""The non-apply patch types: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge
patch (Kubernetes: keyed lists merged by their patchMergeKey, `$patch`, `$retainKeys`,
`$deleteFromPrimitiveList`, `$setElementOrder`). Each returns a new object; the input is not changed."""

from __future__ import annotations

import copy
from typing import Any

from gitops_tui.sandbox import errors
from gitops_tui.sandbox.errors import ApiError
from gitops_tui.sandbox.schema import ASSOC, SET, Schema, resolve


def _invalid(message: str) -> ApiError:
    return ApiError(422, "Invalid", message)


# ---------------------------------------------------------------- merge patch


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        else:
            result[k] = merge_patch(result.get(k), v)
    return result


# ---------------------------------------------------------------- JSON patch


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _parse_pointer(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise _invalid(f'invalid JSON pointer "{pointer}"')
    return [_unescape(t) for t in pointer[1:].split("/")]


def _resolve_parent(doc: Any, tokens: list[str], op: str, pointer: str) -> tuple[Any, str]:
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise _invalid(f"jsonpatch {op} operation does not apply: doc is missing path: {pointer}")
    return node, tokens[-1]


def _get(doc: Any, pointer: str, op: str) -> Any:
    node = doc
    for token in _parse_pointer(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise _invalid(f"jsonpatch {op} operation does not apply: doc is missing path: {pointer}")
    return node


def _remove(doc: Any, pointer: str, op: str) -> Any:
    tokens = _parse_pointer(pointer)
    if not tokens:
        raise _invalid(f"jsonpatch {op} operation does not apply: cannot remove the document root")
    parent, last = _resolve_parent(doc, tokens, op, pointer)
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent.pop(int(last))
    raise _invalid(f"jsonpatch {op} operation does not apply: doc is missing key: {pointer}: missing value")


def _add(doc: Any, pointer: str, value: Any, op: str, replace: bool = False) -> Any:
    tokens = _parse_pointer(pointer)
    if not tokens:
        return value
    parent, last = _resolve_parent(doc, tokens, op, pointer)
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise _invalid(
                f"jsonpatch {op} operation does not apply: doc is missing key: {pointer}: missing value"
            )
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-" and not replace:
            parent.append(value)
        elif last.isdigit() and (int(last) < len(parent) or (not replace and int(last) == len(parent))):
            if replace:
                parent[int(last)] = value
            else:
                parent.insert(int(last), value)
        else:
            raise _invalid(f"jsonpatch {op} operation does not apply: index out of range: {pointer}")
    else:
        raise _invalid(f"jsonpatch {op} operation does not apply: doc is missing path: {pointer}")
    return doc


def json_patch(target: Any, operations: Any) -> Any:
    if not isinstance(operations, list):
        raise ApiError(
            400, "BadRequest", "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
        )
    doc = copy.deepcopy(target)
    for operation in operations:
        if not isinstance(operation, dict):
            raise ApiError(400, "BadRequest", "invalid JSON patch operation")
        op = operation.get("op")
        path = str(operation.get("path", ""))
        if op == "add":
            doc = _add(doc, path, copy.deepcopy(operation.get("value")), op)
        elif op == "remove":
            _remove(doc, path, op)
        elif op == "replace":
            doc = _add(doc, path, copy.deepcopy(operation.get("value")), op, replace=True)
        elif op == "move":
            value = _remove(doc, str(operation.get("from", "")), op)
            doc = _add(doc, path, value, op)
        elif op == "copy":
            value = copy.deepcopy(_get(doc, str(operation.get("from", "")), op))
            doc = _add(doc, path, value, op)
        elif op == "test":
            if _get(doc, path, op) != operation.get("value"):
                raise _invalid(
                    f"the server rejected our request due to an error in our request: test failed: {path}"
                )
        else:
            raise ApiError(400, "BadRequest", f"Unexpected kind: {op}")
    return doc


# ---------------------------------------------------------------- strategic merge patch

_DELETE_PRIMITIVE = "$deleteFromPrimitiveList/"
_SET_ORDER = "$setElementOrder/"


def strategic_merge_patch(target: Any, patch: Any, schema: Schema) -> Any:
    return _smp(copy.deepcopy(target), patch, schema)


def _smp(original: Any, patch: Any, schema: Schema) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(original, dict):
        original = {}
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    s = resolve(schema, patch)
    orders = {k[len(_SET_ORDER) :]: v for k, v in patch.items() if k.startswith(_SET_ORDER)}
    for k, v in patch.items():
        if k in ("$patch", "$retainKeys") or k.startswith(_SET_ORDER):
            continue
        if k.startswith(_DELETE_PRIMITIVE):
            name = k[len(_DELETE_PRIMITIVE) :]
            if isinstance(original.get(name), list) and isinstance(v, list):
                original[name] = [x for x in original[name] if x not in v]
            continue
        if v is None:
            original.pop(k, None)
            continue
        child = s.child(k)
        resolved = resolve(child, v)
        if isinstance(v, list) and resolved.kind in (ASSOC, SET):
            original[k] = _smp_list(original.get(k), v, resolved, orders.get(k))
        elif isinstance(v, dict):
            merged = _smp(original.get(k), v, child)
            if merged is None:
                original.pop(k, None)
            else:
                original[k] = merged
        else:
            original[k] = copy.deepcopy(v)
    retain = patch.get("$retainKeys")
    if isinstance(retain, list):
        for k in [k for k in original if k not in retain]:
            del original[k]
    return original


def _smp_list(original: Any, patch: list[Any], s: Schema, order: Any) -> list[Any]:
    original = original if isinstance(original, list) else []
    if s.kind == SET or not all(isinstance(x, dict) for x in patch):
        out = list(original)
        for x in patch:
            if x not in out:
                out.append(copy.deepcopy(x))
        return out
    key = s.smp_key
    if any(x.get("$patch") == "replace" for x in patch):
        return [copy.deepcopy(x) for x in patch if x.get("$patch") != "replace"]
    deleted = {_k(x, key) for x in patch if x.get("$patch") == "delete"}
    items = [x for x in patch if x.get("$patch") != "delete"]
    by_key = {_k(o, key): o for o in original if isinstance(o, dict)}
    merged = [_smp(copy.deepcopy(by_key.get(_k(p, key), {})), p, s.item()) for p in items]
    patched = {_k(p, key) for p in items}
    server_only = [o for o in original if not isinstance(o, dict) or _k(o, key) not in patched | deleted]
    if isinstance(order, list):
        position = {_k(o, key): i for i, o in enumerate(order) if isinstance(o, dict)}
        merged.sort(key=lambda x: position.get(_k(x, key), len(position)))
    return _merge_sorted(server_only, merged, original, key)


def _k(item: Any, key: str) -> Any:
    value = item.get(key) if isinstance(item, dict) else item
    return repr(value)


def _merge_sorted(left: list[Any], right: list[Any], server: list[Any], key: str) -> list[Any]:
    """Interleave server-only items (left) with patched items (right), keeping each side's order; a left
    item goes first only when both are in the live list and it came first there (so new items lead)."""
    index = {_k(o, key): i for i, o in enumerate(server)}
    out, i, j = [], 0, 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(left[i])
            i += 1
        else:
            li, ri = index.get(_k(left[i], key), -1), index.get(_k(right[j], key), -1)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"


def apply_patch(content_type: str, target: Any, patch: Any, schema: Schema) -> Any:
    """`target` patched as the body's media type says (merge, strategic merge, JSON patch); 415 for any
    other type."""
    if content_type == MERGE_PATCH:
        return merge_patch(target, patch)
    if content_type == STRATEGIC_PATCH:
        return strategic_merge_patch(target, patch, schema)
    if content_type == JSON_PATCH:
        return json_patch(target, patch)
    raise errors.unsupported_media_type(content_type)
