"""Segment profiles checked against an independent pandas/SciPy computation, by simulation,
in both languages, and on the edge cases (empty segment, whole base, missing values)."""

from __future__ import annotations

import json
import math
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from scipy import stats

from chandung.errors import InputError
from chandung.segments.profiles import (
    AttributeKind,
    SegmentProfile,
    Trait,
    benjamini_hochberg,
    compare_segments,
    profile_segment,
    two_proportion_z_test,
    welch_t_test,
)

ATTRIBUTES: dict[str, AttributeKind] = {
    "gender": "categorical",
    "age_band": "categorical",
    "newsletter": "boolean",
    "orders": "numeric",
    "predicted_clv_vnd": "numeric",
}


@pytest.fixture(scope="module")
def con() -> Any:
    return ibis.duckdb.connect()


def _table(con: Any, name: str, frame: pd.DataFrame) -> ir.Table:
    # Through Arrow, NaN and None become SQL NULL, as in a real warehouse.
    return con.create_table(name, pa.Table.from_pandas(frame, preserve_index=False), overwrite=True)


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 60
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i:02d}" for i in range(n)],
            "gender": rng.choice(["female", "male"], n, p=[0.45, 0.55]).astype(object),
            "age_band": rng.choice(["18-24", "25-34", "35-44", "45+"], n).astype(object),
            "newsletter": rng.random(n) < 0.4,
            "orders": rng.poisson(3, n).astype(float),
            "predicted_clv_vnd": rng.gamma(2.0, 1_500_000, n).round(),
            "probability_alive": rng.random(n),
            "total_revenue": rng.gamma(2.0, 800_000, n).round(),
        }
    )
    frame.loc[[3, 17, 40], "gender"] = None
    frame.loc[[5, 22], "orders"] = np.nan
    frame["newsletter"] = frame["newsletter"].astype(object)
    frame.loc[[9], "newsletter"] = None
    # Members: mostly women and heavier buyers, so that there is something to find.
    score = (frame.gender == "female") * 1.0 + frame.orders.fillna(0) / 4
    frame["member"] = score > 1.2
    return frame


@pytest.fixture(scope="module")
def small_profile(con: Any, small: pd.DataFrame) -> SegmentProfile:
    base = _table(con, "small", small)
    return profile_segment(
        base, base.member, attributes=ATTRIBUTES, combinations=[("gender", "age_band")]
    )


def _expected_levels(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    key = frame[column].map(lambda v: "unknown" if v is None or v != v else str(v).lower())
    table = pd.crosstab(key, frame.member)
    return table.reindex(columns=[False, True], fill_value=0)


def test_sizes_and_money_figures_match_pandas(
    small: pd.DataFrame, small_profile: SegmentProfile
) -> None:
    seg = small[small.member]
    p = small_profile
    assert (p.size, p.base_size) == (len(seg), len(small))
    assert p.customer_share == pytest.approx(len(seg) / len(small))
    assert p.revenue_share == pytest.approx(seg.total_revenue.sum() / small.total_revenue.sum())
    assert p.mean_clv == pytest.approx(seg.predicted_clv_vnd.mean())
    assert p.base_mean_clv == pytest.approx(small.predicted_clv_vnd.mean())
    assert p.mean_probability_alive == pytest.approx(seg.probability_alive.mean())


@pytest.mark.parametrize("column", ["gender", "age_band", "newsletter"])
def test_levels_match_pandas_and_chi_square(
    small: pd.DataFrame, small_profile: SegmentProfile, column: str
) -> None:
    expected = _expected_levels(small, column)
    levels = {lv.values[0]: lv for lv in small_profile.levels_of(column)}
    assert set(levels) == set(expected.index)
    n_seg, n_all = int(small.member.sum()), len(small)
    for value, lv in levels.items():
        inside, outside = int(expected.loc[value, True]), int(expected.loc[value, False])
        assert (lv.n_segment, lv.n_base) == (inside, inside + outside)
        assert lv.share_segment == pytest.approx(inside / n_seg)
        assert lv.share_base == pytest.approx((inside + outside) / n_all)
        assert lv.lift == pytest.approx((inside / n_seg) / ((inside + outside) / n_all))
        # z² is Pearson's chi-square of member × level without continuity correction.
        table = [[inside, n_seg - inside], [outside, n_all - n_seg - outside]]
        chi2, p_value, _, _ = stats.chi2_contingency(table, correction=False)
        assert lv.statistic is not None
        assert lv.statistic**2 == pytest.approx(chi2)
        assert lv.p_value == pytest.approx(p_value)
        assert math.copysign(1, lv.statistic) == math.copysign(1, lv.share_segment - lv.share_base)


def test_missing_values_are_their_own_level(small_profile: SegmentProfile) -> None:
    gender = {lv.values[0]: lv.n_base for lv in small_profile.levels_of("gender")}
    assert gender["unknown"] == 3
    assert sum(lv.share_base or 0 for lv in small_profile.levels_of("gender")) == pytest.approx(1)
    assert {lv.values[0] for lv in small_profile.levels_of("newsletter")} == {
        "true",
        "false",
        "unknown",
    }


def test_combined_levels_match_pandas(small: pd.DataFrame, small_profile: SegmentProfile) -> None:
    combos = small_profile.levels_of("gender × age_band")
    known = small.dropna(subset=["gender"])
    expected = known.groupby(["gender", "age_band"]).member.agg(["sum", "size"])
    for (gender, band), row in expected.iterrows():
        (lv,) = [c for c in combos if c.values == (gender, band)]
        assert (lv.n_segment, lv.n_base) == (row["sum"], row["size"])


@pytest.mark.parametrize("column", ["orders", "predicted_clv_vnd"])
def test_numeric_figures_match_pandas_and_welch(
    small: pd.DataFrame, small_profile: SegmentProfile, column: str
) -> None:
    values = small[column]
    seg, rest = values[small.member].dropna(), values[~small.member].dropna()
    nf = small_profile.numeric_of(column)
    assert (nf.n_segment, nf.n_base, nf.n_rest) == (len(seg), values.count(), len(rest))
    assert nf.mean_segment == pytest.approx(seg.mean())
    assert nf.mean_base == pytest.approx(values.mean())
    assert nf.median_segment == pytest.approx(seg.median())
    assert nf.median_base == pytest.approx(values.median())
    assert nf.mean_ratio == pytest.approx(seg.mean() / values.mean())
    assert nf.median_ratio == pytest.approx(seg.median() / values.median())
    assert nf.std_segment == pytest.approx(seg.std(ddof=1))
    welch = stats.ttest_ind(seg, rest, equal_var=False)
    assert nf.statistic == pytest.approx(welch.statistic)
    assert nf.p_value == pytest.approx(welch.pvalue)
    assert nf.degrees_of_freedom == pytest.approx(welch.df)
    spread = math.sqrt((seg.var(ddof=1) + rest.var(ddof=1)) / 2)
    assert nf.effect == pytest.approx((seg.mean() - rest.mean()) / spread)


def test_q_values_are_benjamini_hochberg_over_every_test(small_profile: SegmentProfile) -> None:
    tests = [*small_profile.levels, *small_profile.numeric]
    p_values = [t.p_value for t in tests if t.p_value is not None]
    expected = stats.false_discovery_control(p_values, method="bh")
    got = [t.q_value for t in tests if t.p_value is not None]
    assert got == pytest.approx(list(expected))
    for t in tests:
        assert t.significant == (t.q_value is not None and t.q_value <= small_profile.alpha)


def test_helpers_match_scipy() -> None:
    rng = np.random.default_rng(3)
    p_values = list(rng.random(30) ** 3)
    assert benjamini_hochberg(p_values) == pytest.approx(
        list(stats.false_discovery_control(p_values))
    )
    assert benjamini_hochberg([]) == []
    z = two_proportion_z_test(40, 100, 25, 120)
    chi2, p, _, _ = stats.chi2_contingency([[40, 60], [25, 95]], correction=False)
    assert z is not None
    assert (z[0] ** 2, z[1]) == pytest.approx((chi2, p))
    assert two_proportion_z_test(0, 10, 0, 20) is None
    assert two_proportion_z_test(3, 0, 2, 20) is None
    a, b = rng.normal(0, 1, 15), rng.normal(0.5, 2, 25)
    t = welch_t_test(15, a.mean(), a.var(ddof=1), 25, b.mean(), b.var(ddof=1))
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert t is not None
    assert (t[0], t[1], t[2]) == pytest.approx((ref.statistic, ref.df, ref.pvalue))
    assert welch_t_test(1, 1.0, 0.0, 10, 2.0, 1.0) is None
    assert welch_t_test(5, 1.0, 0.0, 10, 1.0, 0.0) is None


def test_a_membership_table_gives_the_same_profile(
    con: Any, small: pd.DataFrame, small_profile: SegmentProfile
) -> None:
    base = _table(con, "small_again", small)
    ids = small.loc[small.member, ["customer_id"]]
    # Duplicates and strangers in the membership table change nothing.
    ids = pd.concat([ids, ids.head(3), pd.DataFrame({"customer_id": ["nobody"]})])
    members = _table(con, "small_members", ids)
    again = profile_segment(
        base, members, attributes=ATTRIBUTES, combinations=[("gender", "age_band")]
    )
    assert again.as_dict() == small_profile.as_dict()


def test_compare_segments_tests_a_against_b(con: Any, small: pd.DataFrame) -> None:
    base = _table(con, "cmp", small)
    a_mask = small.gender == "female"
    b_mask = small.orders.fillna(0) >= 3
    comparison = compare_segments(
        base,
        base.gender == "female",
        base.orders >= 3,
        attributes={"age_band": "categorical", "predicted_clv_vnd": "numeric"},
    )
    assert comparison.overlap == int((a_mask & b_mask).sum())
    assert comparison.a.size == int(a_mask.sum())
    assert comparison.b.size == int(b_mask.sum())
    for lv in comparison.levels:
        band = lv.values[0]
        x_a = int((small.age_band[a_mask] == band).sum())
        x_b = int((small.age_band[b_mask] == band).sum())
        n_a, n_b = int(a_mask.sum()), int(b_mask.sum())
        assert (lv.n_a, lv.n_b) == (x_a, x_b)
        assert lv.difference == pytest.approx(x_a / n_a - x_b / n_b)
        chi2, p, _, _ = stats.chi2_contingency(
            [[x_a, n_a - x_a], [x_b, n_b - x_b]], correction=False
        )
        assert lv.statistic is not None
        assert (lv.statistic**2, lv.p_value) == pytest.approx((chi2, p))
    (nd,) = comparison.numeric
    clv_a = small.predicted_clv_vnd[a_mask]
    clv_b = small.predicted_clv_vnd[b_mask]
    ref = stats.ttest_ind(clv_a, clv_b, equal_var=False)
    assert (nd.mean_a, nd.mean_b) == pytest.approx((clv_a.mean(), clv_b.mean()))
    assert (nd.median_a, nd.median_b) == pytest.approx((clv_a.median(), clv_b.median()))
    assert (nd.statistic, nd.p_value) == pytest.approx((ref.statistic, ref.pvalue))
    tests = [*comparison.levels, *comparison.numeric]
    expected = stats.false_discovery_control([t.p_value for t in tests])
    assert [t.q_value for t in tests] == pytest.approx(list(expected))
    json.dumps(comparison.as_dict(), allow_nan=False)


# --- simulation --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def simulated(con: Any) -> ir.Table:
    rng = np.random.default_rng(2024)
    n, n_seg = 3000, 400
    member = np.zeros(n, dtype=bool)
    member[:n_seg] = True
    # 80% women in the segment, 40% in the whole base (so 880 of the 2,600 others).
    female = np.zeros(n, dtype=bool)
    female[:320] = True
    female[n_seg : n_seg + 880] = True
    frame = pd.DataFrame(
        {
            "customer_id": [f"s{i}" for i in range(n)],
            "gender": np.where(female, "female", "male"),
            "age_band": rng.choice(["18-24", "25-34", "35-44", "45-54", "55+"], n),
            "province": rng.choice(["HN", "HCM", "DN", "HP", "CT", "other"], n),
            "primary_device": rng.choice(["mobile", "desktop", "tablet"], n, p=[0.7, 0.2, 0.1]),
            "orders": rng.poisson(2.5, n),
            "predicted_clv_vnd": rng.gamma(2.0, 1_000_000, n),
            "member": member,
        }
    )
    for seed in range(20):
        frame[f"random_{seed}"] = np.random.default_rng(seed).random(n) < 0.15
    return _table(con, "simulated", frame)


SIMULATED: dict[str, AttributeKind] = {
    "gender": "categorical",
    "age_band": "categorical",
    "province": "categorical",
    "primary_device": "categorical",
    "orders": "numeric",
    "predicted_clv_vnd": "numeric",
}


def test_a_planted_trait_comes_first(simulated: ir.Table) -> None:
    profile = profile_segment(
        simulated,
        simulated.member,
        attributes=SIMULATED,
        revenue_column=None,
        alive_column=None,
    )
    first = profile.traits[0]
    assert (first.columns, first.values, first.direction) == (("gender",), ("female",), "over")
    assert first.segment_value == pytest.approx(0.8)
    assert first.base_value == pytest.approx(0.4)
    assert first.ratio == pytest.approx(2.0)
    # The mirror level "male" restates the same fact and is not a trait of its own.
    assert all(t.columns != ("gender",) for t in profile.traits[1:])


def test_random_segments_yield_no_significant_traits(simulated: ir.Table) -> None:
    with_traits = with_discoveries = raw = 0
    for seed in range(20):
        profile = profile_segment(
            simulated,
            simulated[f"random_{seed}"],
            attributes=SIMULATED,
            combinations=[("gender", "age_band")],
            revenue_column=None,
            alive_column=None,
        )
        tests = (*profile.levels, *profile.numeric)
        with_traits += bool(profile.traits)
        with_discoveries += any(t.significant for t in tests)
        raw += sum(t.p_value is not None and t.p_value <= 0.05 for t in tests)
    # Under the global null, BH keeps P(any discovery) at alpha = 5%: about 1 seed in 20...
    assert with_discoveries <= 2
    assert with_traits <= with_discoveries
    # ...whereas about 5% of the ~28 tests of each seed pass uncorrected.
    assert raw >= 10


# --- texts -------------------------------------------------------------------------------


def _level_trait(**changes: Any) -> Trait:
    fields: dict[str, Any] = {
        "kind": "level",
        "columns": ("gender", "age_band"),
        "kinds": ("categorical", "categorical"),
        "values": ("female", "25-34"),
        "direction": "over",
        "n_segment": 142,
        "segment_value": 0.71,
        "base_value": 0.38,
        "ratio": 0.71 / 0.38,
        "effect": 0.67,
        "q_value": 0.0001,
        "score": 0.66,
    }
    fields.update(changes)
    return Trait(**fields)


LABELS = {
    "gender": {"female": "nữ", "male": "nam"},
    "age_band": {"25-34": "25–34 tuổi"},
}


def test_level_traits_read_in_both_languages() -> None:
    trait = _level_trait()
    en_labels = {"gender": {"female": "women"}, "age_band": {"25-34": "25–34"}}
    assert trait.text("en", en_labels) == "women 25–34: 71% vs 38% overall, lift 1.9"
    assert trait.text("vi", LABELS) == "nữ 25–34 tuổi: 71% so với 38% toàn bộ, gấp 1,9 lần"
    under = _level_trait(
        columns=("gender",), kinds=("categorical",), values=("male",), direction="under",
        segment_value=0.052, base_value=0.6, ratio=0.052 / 0.6,
    )  # fmt: skip
    assert under.text("vi", LABELS) == "nam: 5% so với 60% toàn bộ, chỉ bằng 0,1 lần"
    assert under.text("en", lambda column, value: None) == (
        "gender male: 5% vs 60% overall, lift 0.1"
    )


def test_default_labels_name_the_attribute() -> None:
    trait = _level_trait()
    assert trait.text("vi") == (
        "giới tính female, nhóm tuổi 25-34: 71% so với 38% toàn bộ, gấp 1,9 lần"
    )
    unknown = _level_trait(columns=("province",), kinds=("categorical",), values=("unknown",))
    assert unknown.label("vi") == "tỉnh/thành không rõ"
    assert unknown.label("en") == "province unknown"
    flag = _level_trait(columns=("newsletter",), kinds=("boolean",), values=("true",))
    assert flag.label("vi", {"newsletter": {"_": "nhận bản tin"}}) == "nhận bản tin: có"
    assert flag.label("en") == "newsletter: yes"


def test_numeric_traits_format_money_and_decimals() -> None:
    trait = Trait(
        kind="numeric",
        columns=("predicted_clv_vnd",),
        kinds=("numeric",),
        values=(),
        direction="over",
        n_segment=300,
        segment_value=5_200_000.0,
        base_value=2_100_000.0,
        ratio=5.2 / 2.1,
        effect=0.9,
        q_value=0.001,
        score=0.88,
    )
    assert trait.text("vi") == (
        "CLV dự báo: trung bình 5,2 tr ₫ so với 2,1 tr ₫ toàn bộ, gấp 2,5 lần"
    )
    assert trait.text("en") == "predicted CLV: average ₫5.2M vs ₫2.1M overall, ratio 2.5"
    orders = Trait(
        "numeric", ("orders",), ("numeric",), (), "under", 50, 1.5, 3.3, 1.5 / 3.3, -0.7,
        0.01, 0.5,
    )  # fmt: skip
    assert orders.text("vi") == ("số đơn hàng: trung bình 1,5 so với 3,3 toàn bộ, chỉ bằng 0,5 lần")


def test_profile_trait_texts(small_profile: SegmentProfile) -> None:
    texts = small_profile.trait_texts("vi", LABELS)
    assert texts, "the fixture's segment is built on gender and orders"
    assert all(": " in t and "toàn bộ" in t for t in texts)
    assert len(small_profile.trait_texts("en", limit=1)) == 1


# --- edge cases --------------------------------------------------------------------------


def test_empty_segment_gives_an_empty_profile(con: Any, small: pd.DataFrame) -> None:
    base = _table(con, "edge_empty", small)
    profile = profile_segment(base, base.orders > 1000, attributes=ATTRIBUTES)
    assert (profile.size, profile.customer_share, profile.revenue_share) == (0, 0.0, 0.0)
    assert profile.mean_clv is None and profile.traits == ()
    assert profile.levels and all(lv.n_segment == 0 for lv in profile.levels)
    assert all(lv.share_segment is None and lv.p_value is None for lv in profile.levels)
    assert all(nf.mean_segment is None and nf.p_value is None for nf in profile.numeric)
    json.dumps(profile.as_dict(), allow_nan=False)


def test_empty_base_gives_an_empty_profile(con: Any, small: pd.DataFrame) -> None:
    arrow = pa.Table.from_pandas(small, preserve_index=False)
    base = con.create_table("edge_no_rows", arrow.slice(0, 0), overwrite=True)
    profile = profile_segment(base, base.member, attributes=ATTRIBUTES)
    assert (profile.size, profile.base_size, profile.customer_share) == (0, 0, None)
    assert profile.levels == () and profile.traits == ()


def test_whole_base_has_lift_one_and_nothing_significant(con: Any, small: pd.DataFrame) -> None:
    base = _table(con, "edge_whole", small)
    profile = profile_segment(base, ibis.literal(True), attributes=ATTRIBUTES)
    assert profile.customer_share == 1.0 and profile.revenue_share == pytest.approx(1.0)
    assert all(lv.lift == pytest.approx(1.0) for lv in profile.levels)
    assert all(nf.mean_ratio == pytest.approx(1.0) for nf in profile.numeric)
    assert not any(t.significant for t in (*profile.levels, *profile.numeric))
    assert profile.traits == ()


def test_a_level_absent_from_the_segment(con: Any, small: pd.DataFrame) -> None:
    base = _table(con, "edge_absent", small)
    profile = profile_segment(
        base, base.age_band != "45+", attributes={"age_band": "categorical"}, min_count=5
    )
    (absent,) = [lv for lv in profile.levels if lv.values == ("45+",)]
    assert (absent.n_segment, absent.share_segment, absent.lift) == (0, 0.0, 0.0)
    assert absent.p_value is not None and absent.statistic is not None
    assert absent.statistic < 0 and absent.significant
    # Under-represented (here absent) levels are traits too, marked as such.
    assert any(t.values == ("45+",) and t.direction == "under" for t in profile.traits)


def test_null_membership_counts_as_outside(con: Any, small: pd.DataFrame) -> None:
    base = _table(con, "edge_null", small)
    profile = profile_segment(base, base.orders >= 3, attributes={"gender": "categorical"})
    assert profile.size == int((small.orders >= 3).sum())


def test_min_count_keeps_small_levels_out(small_profile: SegmentProfile) -> None:
    assert all(
        max(t.n_segment, small_profile.size * t.base_value) >= small_profile.min_count
        for t in small_profile.traits
        if t.kind == "level"
    )


def test_as_dict_is_json_ready(small_profile: SegmentProfile) -> None:
    data = json.loads(json.dumps(small_profile.as_dict(), allow_nan=False))
    assert data["levels"][0]["attribute"] == "gender"
    assert {"lift", "share_segment", "share_base", "q_value"} <= set(data["levels"][0])
    assert data["traits"][0]["score"] == pytest.approx(small_profile.traits[0].score)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"attributes": {"height": "numeric"}}, "metrics.missing_columns"),
        ({"attributes": {"gender": "ordinal"}}, "input.metric_choice"),
        (
            {"attributes": {"gender": "categorical"}, "combinations": [("gender", "orders")]},
            "input.metric_choice",
        ),
        ({"attributes": {"gender": "categorical"}, "alpha": 1.5}, "metrics.fraction"),
        ({"attributes": {"gender": "categorical"}, "min_count": -1}, "input.metric_range"),
        ({"attributes": {}, "clv_column": "clv"}, "metrics.missing_columns"),
    ],
)
def test_bad_arguments_are_input_errors(
    con: Any, small: pd.DataFrame, kwargs: dict[str, Any], code: str
) -> None:
    base = _table(con, "edge_bad", small)
    with pytest.raises(InputError) as caught:
        profile_segment(base, base.member, **kwargs)
    assert caught.value.code == code


def test_a_membership_table_needs_customer_ids(con: Any, small: pd.DataFrame) -> None:
    base = _table(con, "edge_ids", small)
    with pytest.raises(InputError):
        profile_segment(base, ibis.memtable({"id": ["c01"]}), attributes={})
