"""Resource quantities in the canonical form the API server stores (`0.5` -> `500m`, `1024Mi` -> `1Gi`,
`1.5Gi` -> `1536Mi`, `1000m` -> `1`), following apimachinery's `Quantity.String()`."""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_SUFFIX = {v: k for k, v in _DECIMAL.items()}
_BINARY_SUFFIX = {v: k for k, v in _BINARY.items()}
_PATTERN = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$")


def canonical(value: object) -> str | None:
    """The canonical string of a quantity, or None when `value` is not one (left for validation)."""
    if isinstance(value, bool):
        return None
    text = str(value).strip() if isinstance(value, int | float | str) else None
    if text is None:
        return None
    m = _PATTERN.match(text)
    if not m:
        return None
    try:
        number = Decimal(m.group(1))
    except InvalidOperation:
        return None
    suffix = m.group(2) or ""
    if suffix in _BINARY:
        amount = number * (Decimal(2) ** _BINARY[suffix])
        fmt = "binary"
    elif suffix[:1] in ("e", "E") and suffix not in _DECIMAL:
        amount = number.scaleb(int(suffix[1:]))
        fmt = "exponent"
    else:
        amount = number.scaleb(_DECIMAL[suffix])
        fmt = "decimal"
    # The server keeps at most nano precision and rounds up.
    amount = amount.quantize(Decimal("1e-9"), rounding=ROUND_CEILING)
    if amount == 0:
        return "0"
    if fmt == "binary" and (-1024 < amount < 1024 or amount != amount.to_integral_value()):
        fmt = "decimal"
    if fmt == "binary":
        return _binary(int(amount))
    return _decimal(amount, fmt)


def _binary(n: int) -> str:
    exponent = 0
    while exponent < 60 and n % 1024 == 0 and n != 0:
        n //= 1024
        exponent += 10
    return f"{n}{_BINARY_SUFFIX[exponent]}"


def _decimal(amount: Decimal, fmt: str) -> str:
    # Largest exponent (a multiple of 3, at least -9) that keeps the mantissa an integer.
    exponent = -9
    mantissa = int(amount.scaleb(9))
    while exponent < 18 and mantissa % 1000 == 0:
        mantissa //= 1000
        exponent += 3
    if fmt == "exponent":
        return f"{mantissa}" if exponent == 0 else f"{mantissa}e{exponent}"
    return f"{mantissa}{_DECIMAL_SUFFIX[exponent]}"
