"""Generator parameters as the applicationset-controller holds them, and how Go prints them.

The controller's parameters are decoded JSON (`map[string]any`: strings, float64 numbers, bools, nil, slices,
maps), so a YAML `3` is the float64 3 there. Python keeps ints; every place where that shows (fasttemplate's
`fmt.Sprintf("%v")` flattening, the matrix generator's string maps, the merge generator's JSON keys, the
post-selector's labels) formats numbers as Go formats a float64, and Helm's engine sees float64 too because
parameters reach it as JSON.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any


class GoStringSlice(list[str]):
    """A `[]string` parameter (the git generator's `path.segments`). The post-selector's flattening leaves
    it whole (`[apps web]`) where a `[]any` is split into `segments.0`, `segments.1`, as in Argo CD."""


def go_float(value: float) -> str:
    """`fmt.Sprint(float64)`: the shortest digits that read back as the same number, in `%e` form when the
    decimal exponent is below -4 or at least 6 (`1e+06`, `1.234567e+06`, `1e-05`, but `100000`, `0.0001`)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = list(digit_tuple)
    exp = int(exponent)
    while len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exp += 1
    text = "".join(map(str, digits))
    point = len(text) + exp  # the value is 0.<text> x 10**point
    x = point - 1
    prefix = "-" if sign else ""
    if x < -4 or x >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if x < 0 else '+'}{abs(x):02d}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{text}"
    if point >= len(text):
        return prefix + text + "0" * (point - len(text))
    return f"{prefix}{text[:point]}.{text[point:]}"


def go_sprint(value: Any) -> str:
    """`fmt.Sprintf("%v", value)` for decoded JSON."""
    if isinstance(value, str):
        return value
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return go_float(float(value))
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_sprint(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def go_json(value: Any) -> str:
    """`json.Marshal` for decoded JSON (sorted keys, no spaces, Go's number spelling), for messages and keys."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return _json_number(float(value))
    if isinstance(value, list):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{go_json(value[k])}" for k in sorted(value))
            + "}"
        )
    return json.dumps(str(value))


def _json_number(number: float) -> str:
    # encoding/json: the shortest digits, plain below 1e21 and from 1e-6, else exponent form without padding
    if not math.isfinite(number):
        return json.dumps(str(number))
    if number == 0 or 1e-6 <= abs(number) < 1e21:
        text = format(Decimal(repr(number)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    mantissa, _, exp = repr(number).partition("e")
    return f"{mantissa.removesuffix('.0')}e{int(exp):+d}"


def json_data(value: Any) -> Any:
    """YAML-loaded data as the controller's JSON decoding sees it: keys are strings (`1:` is `"1"`)."""
    if isinstance(value, dict):
        return {_key(k): json_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_data(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, int | float):
        return go_json(key)
    return str(key)


_INVALID_DNS_CHARS = re.compile(r"[^-a-z0-9.]")


def sanitize_name(name: str) -> str:
    """Argo CD's `utils.SanitizeName` (the `normalize` function and the `*Normalized` parameters)."""
    name = _INVALID_DNS_CHARS.sub("-", name.lower())
    return name[:253].strip("-.")


def flatten(params: dict[str, Any]) -> dict[str, Any]:
    """`flatten.Flatten(params, "", DotStyle)`: nested maps and `[]any` become dotted keys (`a.b`, `l.0`);
    empty ones vanish, other values stay as they are."""
    out: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                assign(f"{prefix}.{k}" if prefix else k, v)
        else:
            for i, v in enumerate(value):
                assign(f"{prefix}.{i}" if prefix else str(i), v)

    def assign(key: str, value: Any) -> None:
        if isinstance(value, dict) or (isinstance(value, list) and not isinstance(value, GoStringSlice)):
            walk(key, value)
        else:
            out[key] = value

    walk("", params)
    return out


def flat_strings(params: dict[str, Any]) -> dict[str, str]:
    """Argo's `flattenParameters`: the flattened parameters, each printed with `%v` (the post-selector's labels)."""
    return {k: go_sprint(v) for k, v in flatten(params).items()}


def clone(value: Any) -> Any:
    """A deep copy of decoded JSON (several times faster than copy.deepcopy), keeping GoStringSlice."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, GoStringSlice):
        return GoStringSlice(value)
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value
