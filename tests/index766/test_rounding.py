"""Rounding as the portal does it (interchange.md §4.1, switch ``rounding``).

The emulation (engine.round2_double / portal_score) is checked against a reference written
independently: Python's ``decimal`` on the exact binary value of each double, rounded half away
from zero (ROUND_HALF_UP in ``decimal`` is away from zero), the steps taken left to right.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.index766.engine import IndicatorScore, portal_score, round2_double, round_half_up
from motcua.index766.registry import get_formula_set

CENT = Decimal("0.01")


def reference_round2(x: float) -> Decimal:
    return Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP)  # Decimal(float) is the exact binary value


def reference_score(max_points: float, target: float | None, num: int, den: int) -> tuple[Decimal, Decimal]:
    pct = reference_round2(num / den * 100)
    p = float(str(pct))  # the portal reads its rounded percentage back as a number
    raw = min(max_points, max_points / target * p / 100) if target else max_points * p / 100
    return pct, reference_round2(raw)


def test_named_edge_cases():
    # 6 × 93.25 ÷ 100 = 5.595 is stored as 5.59499…: 5.59 (the exact rule gives 5.60).
    assert portal_score(6, None, 373 / 400) == (Decimal("93.25"), Decimal("5.59"))
    assert round_half_up(Fraction(6) * Fraction(373, 400), 2) == Decimal("5.60")
    # 2.5 × 0.45 = 1.125 is exact in binary: half away from zero, 1.13.
    assert round2_double(2.5 * 0.45) == Decimal("1.13")
    assert portal_score(2, 0.8, 9 / 20) == (Decimal("45.00"), Decimal("1.13"))
    # The order of operations: max ÷ target × ratio% ÷ 100, not max × (ratio ÷ target).
    assert round2_double(6 / 0.5 * 13.04 / 100) == Decimal("1.56")
    # The percentage is rounded before scoring: 3/23 = 13.0434…% -> 13.04% -> 1.56 (exact: 1.57).
    assert portal_score(6, 0.5, 3 / 23) == (Decimal("13.04"), Decimal("1.56"))
    # Clipped at the maximum; zero stays zero; negative values round away from zero.
    assert portal_score(2, 0.8, 0.95) == (Decimal("95.00"), Decimal("2.00"))
    assert portal_score(6, None, 0.0) == (Decimal("0.00"), Decimal("0.00"))
    assert round2_double(-1.125) == Decimal("-1.13")


@settings(max_examples=3000, deadline=None)
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_round2_equals_the_reference_on_any_double(x):
    assert round2_double(x) == reference_round2(x)


@settings(max_examples=3000, deadline=None)
@given(
    st.integers(1, 3_000_000).flatmap(lambda den: st.tuples(st.integers(0, den), st.just(den))),
    st.sampled_from([(20, None), (6, None), (4, None), (2, None), (2, 0.8), (6, 0.5), (6, 0.9), (12, 0.9)]),
)
def test_portal_score_equals_the_reference_on_random_ratios(ratio, points):
    num, den = ratio
    max_points, target = points
    assert portal_score(max_points, target, num / den) == reference_score(max_points, target, num, den)


@settings(max_examples=2000, deadline=None)
@given(
    st.integers(0, 10_000).flatmap(lambda n: st.tuples(st.just(n), st.integers(5001, 20_000))),
    st.sampled_from([(20, None), (6, None), (4, None), (2, None), (2, 0.8), (6, 0.5), (6, 0.9)]),
)
def test_ties_on_the_exact_binary_value(ratio, points):
    """Ratios whose percentage has exactly two decimals (k / 10,000): the boundary cases."""
    num, den = ratio[0], 10_000
    max_points, target = points
    assert portal_score(max_points, target, num / den) == reference_score(max_points, target, num, den)


def test_indicator_scores_follow_the_switch():
    fs = get_formula_set("portal-2026")
    s36 = fs.get("3.6")
    portal = IndicatorScore(s36, Fraction(373), Fraction(400), 6, None, rounding="portal")
    exact = IndicatorScore(s36, Fraction(373), Fraction(400), 6, None, rounding="exact")
    portal.rescore()
    exact.rescore()
    assert (portal.to_json()["ratio"], portal.to_json()["score"]) == (0.9325, 5.59)
    assert (exact.to_json()["ratio"], exact.to_json()["score"]) == (0.9325, 5.6)
    # The exact ratio is kept for the rules that use it unrounded (3.3 × 1.4).
    assert portal.ratio == Fraction(373, 400)
