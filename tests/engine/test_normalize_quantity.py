"""Quantities in the canonical form the API server stores (apimachinery's CanonicalizeBytes)."""

from __future__ import annotations

import pytest

from gitops_tui.engine import quantity


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        # fixture 05, as the server stored them
        (0.5, "500m"),
        ("1024Mi", "1Gi"),
        ("1000m", "1"),
        ("1.5Gi", "1536Mi"),
        # decimal SI: the largest exponent that is a multiple of 3 and keeps an integer mantissa
        ("1.5", "1500m"),
        ("0.1", "100m"),
        ("100m", "100m"),
        ("2000", "2k"),
        ("1500", "1500"),
        ("129M", "129M"),
        ("100000000n", "100m"),
        (2, "2"),
        (1.0, "1"),
        ("-1.5", "-1500m"),
        # finer than a nano-unit is rounded up
        ("0.0000000001", "1n"),
        # binary SI stays binary while it is a whole number of at least 1024
        ("512Ki", "512Ki"),
        ("1000000Ki", "1000000Ki"),
        ("1Ti", "1Ti"),
        ("0.5Ki", "512"),
        ("1.5Ki", "1536"),
        ("1.1Ki", "1126400m"),
        # exponent notation keeps its form
        ("1e3", "1e3"),
        ("1E3", "1e3"),
        ("129e6", "129e6"),
        ("12e-3", "12e-3"),
        (1e-05, "10e-6"),
        ("0", "0"),
        ("0Mi", "0"),
    ],
)
def test_canonical(given: str | int | float, stored: str) -> None:
    assert quantity.canonical(given) == stored
    # Canonical text is a fixed point.
    assert quantity.canonical(stored) == stored


@pytest.mark.parametrize("bad", ["", "abc", "1Qi", "1.2.3", "Mi", "1 Gi", "1e", True])
def test_invalid_text_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        quantity.canonical(bad)  # type: ignore[arg-type]


def test_equal_compares_amounts_whatever_the_notation() -> None:
    assert quantity.equal("1Gi", "1024Mi")
    assert quantity.equal(0.5, "500m")
    assert quantity.equal("1", "1000m")
    assert quantity.equal("1e3", "1k")
    assert not quantity.equal("1G", "1Gi")
    assert not quantity.equal("500m", "501m")


def test_equal_falls_back_to_text_for_non_quantities() -> None:
    assert quantity.equal("unlimited", "unlimited")
    assert not quantity.equal("unlimited", "1")
