"""Hypothesis: scores never exceed their max; groups and totals are sums of rounded parts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from motcua.index766 import score
from motcua.index766.engine import IndicatorScore, UnitScore, _sum_groups, band
from motcua.index766.registry import SWITCHES, get_formula_set

from .builders import dossier, load, procedure, unit
from .conftest import NOW

FS = get_formula_set("portal-2026")
CODES = [i.code for i in FS.indicators]


@st.composite
def counts(draw):
    out = {}
    for code in CODES:
        den = draw(st.integers(0, 50))
        num = draw(st.integers(0, den)) if code not in ("1.4", "2.2") else draw(st.integers(0, 80))
        out[code] = (num, den)
    return out


switch_sets = st.fixed_dictionaries({k: st.sampled_from(v[0]) for k, v in SWITCHES.items()})


#: The example Hypothesis once found (issue #13): no complaint (5.2, 5.3 with 0/0) under
#: no_pakn_rule=split_5_2_5_4 raised 5.4's maximum to 12 while 5.3 kept 6 — MDHL's maxima made 24.
NO_PAKN_SPLIT = (
    {code: (0, 0) for code in CODES} | {"5.4": (3, 4)},
    {k: v[1] for k, v in SWITCHES.items()} | {"no_pakn_rule": "split_5_2_5_4"},
)


@settings(max_examples=300, deadline=None)
@given(counts(), switch_sets)
@example(*NO_PAKN_SPLIT)
def test_scoring_arithmetic(c, switches):
    scores = []
    for ind in FS.indicators:
        target = ind.target
        if ind.code in FS.target_switches:
            v = switches[FS.target_switches[ind.code]]
            target = None if v == "none" else float(v)
        s = IndicatorScore(
            ind,
            Fraction(c[ind.code][0]),
            Fraction(c[ind.code][1]),
            ind.max_points,
            target,
            rounding=switches["rounding"],
        )
        s.rescore()
        scores.append(s)
    us = UnitScore("U", "U", "XA", scores)
    FS.finalize(us, switches)
    _sum_groups(us)
    group_max = {}
    for s in us.indicators:
        group_max[s.indicator.group] = group_max.get(s.indicator.group, 0) + s.max_points
        if s.score is not None:
            assert 0 <= s.score <= s.max_points, s.code
            assert s.score_rounded <= Decimal(str(s.max_points))
        if s.ratio is not None and s.indicator.ratio_kind == "fraction":
            assert 0 <= s.ratio <= 1, s.code
    for code, total, mx in us.groups:
        parts = [s.score_rounded or Decimal(0) for s in us.indicators if s.indicator.group == code]
        assert total == sum(parts, Decimal(0))
        assert total <= Decimal(str(mx)) and group_max[code] == mx
    assert us.total == sum((t for _, t, _ in us.groups), Decimal(0))
    assert 0 <= us.total <= 100
    assert us.band == band(us.total)


T0 = "2026-03-0{d}T{h:02d}:00"


@st.composite
def dossier_sets(draw):
    n = draw(st.integers(1, 12))
    out = []
    for k in range(n):
        rd, rh = draw(st.integers(2, 6)), draw(st.integers(7, 16))
        due_days = draw(st.integers(0, 20))
        finish = draw(st.one_of(st.none(), st.integers(0, 25)))
        received = T0.format(d=rd, h=rh)
        log = [(2, received)]
        if finish is not None:
            log.append((draw(st.sampled_from([7, 8, 9, 10])), f"2026-03-{rd + finish:02d}T16:00"))
        out.append(
            dossier(
                f"D{k}",
                draw(st.sampled_from(["T1", "T2"])),
                draw(st.sampled_from(["X1", "X2", "S1"])),
                received,
                f"2026-03-{rd + due_days:02d}T17:00",
                log,
                KenhThucHien=draw(st.sampled_from([1, 2, 3])),
                NgayDongBo=received if draw(st.booleans()) else None,
                KhongHaiLong=draw(st.booleans()),
                DanhSachLePhi=[{"MaPhiLePhi": "L", "Gia": draw(st.sampled_from([0, 1000, None]))}],
                DuocThanhToanTrucTuyen=draw(st.sampled_from([0, 1, 2])),
                TaiLieuNop=[
                    {"MaThanhPhanHoSo": "A", "CoTepDinhKem": draw(st.booleans()), "DuocTaiSuDung": draw(st.booleans())}
                ],
                DanhSachHoSoBoSung=draw(
                    st.sampled_from(
                        [
                            [],
                            [{"NgayYeuCau": T0.format(d=rd, h=rh), "NgayBoSung": None}],
                            [{"NgayYeuCau": T0.format(d=rd, h=rh), "NgayBoSung": T0.format(d=rd + 1, h=rh)}],
                        ]
                    )
                ),
            )
        )
    return out


UNITS = [unit("P", "TINH"), unit("S1", "SO", "P"), unit("X1", "XA", "P"), unit("X2", "XA", "P")]
PROCS = [procedure("T1", ["XA"], CoPhiLePhi=True), procedure("T2", ["TINH", "XA"], KetQuaGiay=True)]
DOSSIER_CODES = ("2.1", "3.3", "3.6", "4.1", "4.2", "4.3", "4.4", "4.5b", "5.4")


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dossier_sets())
def test_engine_invariants(tmp_path_factory, ds):
    facts = load(tmp_path_factory.mktemp("prop"), units=UNITS, procedures=PROCS, dossiers=ds)
    report = score(facts, "2026-03", now=NOW)
    for u in report.units:
        for s in u.indicators:
            if s.score is not None:
                assert 0 <= s.score <= s.max_points
            if s.code != "1.4" and s.indicator.ratio_kind == "fraction" and s.denominator is not None:
                assert s.numerator <= s.denominator  # (3.1 has none below the province: §4.1)
        assert u.total == sum((g for _, g, _ in u.groups), Decimal(0))
    # Dossier indicators: the province's counts are the sums of its units' (pooled, not averaged).
    kids = [report.unit(c) for c in ("S1", "X1", "X2")]
    for code in DOSSIER_CODES:
        p = report.unit("P").indicator(code)
        assert p.denominator == sum(k.indicator(code).denominator for k in kids), code
        assert p.numerator == sum(k.indicator(code).numerator for k in kids), code
