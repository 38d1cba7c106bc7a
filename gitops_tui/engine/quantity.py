"""Kubernetes resource quantities (`resource.Quantity`) in the canonical form the API server stores.

The server rewrites `cpu: 0.5` as `500m` and `memory: 1024Mi` as `1Gi` (fixture 05), so an offline comparison
of Git with live must canonicalize both sides the same way. This follows apimachinery's `CanonicalizeBytes`:
the suffix family of the input is kept (binary `Ki..Ei`, decimal SI `n..E`, or `e<exp>`), binary values below
1024 or with a fraction fall back to decimal SI, and precision beyond nano is rounded away from zero.
"""

from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_SUFFIX = {exp: suffix for suffix, exp in _DECIMAL.items()}
_BINARY_SUFFIX = {exp: suffix for suffix, exp in _BINARY.items()}

_NUMBER = re.compile(r"^([+-]?)(\d+\.?\d*|\.\d+)(.*)$")
_EXPONENT = re.compile(r"^[eE]([+-]?\d+)$")
_NANO = Fraction(1, 10**9)


def _parse(text: str) -> tuple[Fraction, str]:
    """The exact value and the format family: "binary", "decimal" or "exponent"."""
    match = _NUMBER.match(text.strip())
    if match is None:
        raise ValueError(f"not a quantity: {text!r}")
    sign, digits, suffix = match.groups()
    value = Fraction(digits)
    if suffix in _BINARY:
        value *= 1024 ** _BINARY[suffix]
        fmt = "binary"
    elif suffix in _DECIMAL:
        value *= Fraction(10) ** _DECIMAL[suffix]
        fmt = "decimal"
    elif (exp := _EXPONENT.match(suffix)) is not None:
        value *= Fraction(10) ** int(exp.group(1))
        fmt = "exponent"
    else:
        raise ValueError(f"not a quantity: {text!r}")
    scaled = value / _NANO
    if scaled.denominator != 1:
        # apimachinery rounds anything finer than a nano-unit up (away from zero).
        value = (scaled.numerator // scaled.denominator + 1) * _NANO
    return (-value if sign == "-" else value), fmt


def _decimal_form(value: Fraction, fmt: str) -> str:
    exponent = 0
    mantissa = value
    while mantissa.denominator != 1:
        mantissa *= 10
        exponent -= 1
    number = int(mantissa)
    while number % 10 == 0:
        number //= 10
        exponent += 1
    # The suffix table only has multiples of three; apimachinery lowers the exponent to reach one.
    if exponent % 3 == 1:
        number, exponent = number * 10, exponent - 1
    elif exponent % 3 == 2:
        number, exponent = number * 100, exponent - 2
    if fmt == "decimal" and exponent in _DECIMAL_SUFFIX:
        return f"{number}{_DECIMAL_SUFFIX[exponent]}"
    return f"{number}e{exponent}" if exponent else str(number)


def _binary_form(value: Fraction) -> str:
    number = int(value)
    exponent = 0
    while exponent < 6 and number % 1024 == 0:
        number //= 1024
        exponent += 1
    return f"{number}{_BINARY_SUFFIX.get(exponent, '')}"


@lru_cache(maxsize=4096)
def _canonical_text(text: str) -> str:
    value, fmt = _parse(text)
    if value == 0:
        return "0"
    if fmt == "binary" and abs(value) >= 1024 and value.denominator == 1:
        return _binary_form(value)
    return _decimal_form(value, "exponent" if fmt == "exponent" else "decimal")


def _text(q: str | int | float) -> str:
    if isinstance(q, bool):
        raise ValueError(f"not a quantity: {q!r}")
    if isinstance(q, float):
        # repr gives the shortest text that round-trips, which is what a YAML author wrote (0.5, 1e-3).
        return repr(q)
    return str(q)


def canonical(q: str | int | float) -> str:
    """The form the API server stores. Raises ValueError for text that is not a quantity."""
    return _canonical_text(_text(q))


def equal(a: str | int | float, b: str | int | float) -> bool:
    """Same amount, whatever the notation; unparsable values compare as text."""
    try:
        return _parse(_text(a))[0] == _parse(_text(b))[0]
    except ValueError:
        return str(a) == str(b)
