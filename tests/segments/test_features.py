"""Segmentation features: one row per person, built in the warehouse, on the demo business."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pytest

from chandung.errors import InputError
from chandung.segments.features import (
    DEFAULT_KINDS,
    KINDS,
    REGIONS,
    Feature,
    FeatureSpec,
    build_features,
    feature_name,
)
from chandung.services.analysis import run_analysis
from chandung.services.demo import generate_demo
from chandung.services.stores import Stores, open_stores
from chandung.workspace import Workspace

TABLES = (
    "people", "customer_links", "customer_value", "customers", "orders", "order_items",
    "products", "events", "survey_responses", "accounts",
)  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
    home = Path(tmp_path_factory.mktemp("features")) / "ws"
    with open_stores(Workspace.open(home)) as stores:
        generate_demo(stores, customers=2_500, seed=17)
        run_analysis(stores)
        yield stores


@pytest.fixture(scope="module")
def tables(demo: Stores) -> dict[str, ir.Table]:
    return {name: demo.warehouse.table(name) for name in TABLES}


@pytest.fixture(scope="module")
def built(tables: dict[str, ir.Table]) -> tuple[pd.DataFrame, FeatureSpec]:
    features, spec = build_features(tables, KINDS)
    return features.to_pandas(), spec


def test_one_row_per_person_with_every_feature_of_the_spec(
    tables: dict[str, ir.Table], built: tuple[pd.DataFrame, FeatureSpec]
) -> None:
    frame, spec = built
    people = tables["people"].count().to_pyarrow().as_py()
    assert len(frame) == people
    assert frame.customer_id.is_unique
    assert list(frame.columns) == ["customer_id", *spec.names]
    assert set(spec.kinds) == set(KINDS)
    assert {f.kind for f in spec.features} == set(KINDS)
    for f in spec.features:
        if f.type == "categorical":
            assert frame[f.name].dropna().map(type).eq(str).all(), f.name
        else:
            assert pd.api.types.is_float_dtype(frame[f.name]), f.name


def test_default_kinds_leave_value_out_and_stay_an_expression(
    tables: dict[str, ir.Table],
) -> None:
    features, spec = build_features(tables)
    assert isinstance(features, ir.Table)
    assert "value" not in DEFAULT_KINDS and spec.kinds == DEFAULT_KINDS
    assert not spec.of_kind("value")
    # The same expression compiles for PostgreSQL too.
    assert "SELECT" in ibis.to_sql(features, dialect="postgres")


def test_never_buyers_are_kept_with_an_indicator(built: tuple[pd.DataFrame, FeatureSpec]) -> None:
    frame, spec = built
    never = frame[frame.has_orders == 0]
    assert 0 < len(never) < 0.15 * len(frame)
    assert spec["has_orders"].indicator
    assert (never.orders == 0).all()
    for f in spec.of_kind("behavioural"):
        if f.name not in ("orders", "has_orders"):
            assert never[f.name].isna().all(), f.name
    # Who they are is still known.
    assert never.age.notna().mean() > 0.5
    assert never.lifestyle.notna().mean() > 0.5


def test_mixes_are_shares_that_add_up(built: tuple[pd.DataFrame, FeatureSpec]) -> None:
    frame, spec = built
    buyers = frame[frame.has_orders == 1]
    for block in ("channel_mix", "category_mix", "price_tier_mix", "payment_mix"):
        names = [f.name for f in spec.features if f.block == block]
        assert len(names) >= 3, block
        totals = buyers[names].sum(axis=1, min_count=1).dropna()
        assert np.allclose(totals, 1.0), block
    tiers = buyers[["price_tier_share_budget", "price_tier_share_premium"]].mean()
    assert 0.05 < tiers.price_tier_share_premium < tiers.price_tier_share_budget


def test_behaviour_agrees_with_customer_value(
    tables: dict[str, ir.Table], built: tuple[pd.DataFrame, FeatureSpec]
) -> None:
    frame, _ = built
    value = tables["customer_value"].select("customer_id", "orders").to_pandas()
    merged = value.merge(frame[["customer_id", "orders"]], on="customer_id", suffixes=("", "_f"))
    assert len(merged) == len(value)
    assert (merged.orders == merged.orders_f).all()


def test_demographics_psychographics_and_b2b(built: tuple[pd.DataFrame, FeatureSpec]) -> None:
    frame, spec = built
    assert frame.age.dropna().between(14, 100).all()
    assert set(frame.region.dropna()) <= set(REGIONS.values())
    assert set(frame.gender.dropna()) <= {"female", "male"}
    assert frame.lives_in_commune.dropna().isin([0.0, 1.0]).all()
    interests = [f.name for f in spec.features if f.block == "interests"]
    assert "interest_beauty" in interests and "interest_parenting" in interests
    assert any(f.block == "survey_goals" for f in spec.features)
    assert any(f.name == "survey_nps" for f in spec.features)
    companies = frame[frame.buys_for_company == 1]
    assert 0 < len(companies) < 0.05 * len(frame)
    assert companies.industry.notna().mean() > 0.9
    assert frame.loc[frame.buys_for_company == 0, "industry"].isna().all()


def test_a_hand_made_person() -> None:
    people = ibis.memtable(
        {
            "person_id": ["p1", "p2"],
            "birth_year": [1990, 2500],
            "gender": ["unknown", "male"],
            "gender_inferred": ["female", None],
            "province": ["Thành phố Hồ Chí Minh", "An Giang"],
            "address": ["1 Lê Lợi, Phường Bến Thành, TP HCM", "Ấp 3, Xã Long Điền, An Giang"],
            "occupation": ["office_worker", "unknown"],
        }
    )
    links = ibis.memtable({"customer_id": ["c1", "c2", "c3"], "person_id": ["p1", "p2", "p2"]})
    orders = ibis.memtable(
        {
            "order_id": ["o1", "o2", "o3"],
            "customer_id": ["c2", "c3", "c3"],
            "ordered_at": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-06-01"]),
            "channel": ["shopee", "store_gt", "shopee"],
            "status": ["completed", "completed", "cancelled"],
            "total_vnd": [100_000, 300_000, 50_000],
            "discount_vnd": [10_000, 0, 0],
            "payment_method": ["cod", "cash", "cod"],
            "device": ["mobile", None, "mobile"],
        }
    )
    frame, _ = build_features(
        {"people": people, "customer_links": links, "orders": orders},
        ["demographic", "behavioural"],
        as_of=date(2025, 6, 30),
    )
    rows = frame.order_by("customer_id").to_pyarrow().to_pylist()
    first, second = rows
    assert (
        first["age"] == 35.0
        and first["gender"] == "female"
        and first["region"] == ("ho_chi_minh_city")
    )
    assert first["lives_in_commune"] == 0.0 and first["occupation"] == "office_worker"
    assert first["orders"] == 0.0 and first["has_orders"] == 0.0
    assert first["channel_share_shopee"] is None
    # Two records of one person, the cancelled order left out.
    assert second["age"] is None and second["occupation"] is None
    assert second["lives_in_commune"] == 1.0
    assert second["orders"] == 2.0
    assert second["channel_share_shopee"] == 0.5 and second["channel_share_store_gt"] == 0.5
    assert second["average_order_value_vnd"] == 200_000
    assert second["discount_order_share"] == 0.5
    assert second["days_since_last_order"] == 121.0


def test_errors_name_what_is_wrong(tables: dict[str, ir.Table]) -> None:
    with pytest.raises(InputError, match="unknown kind"):
        build_features(tables, ["lifestyle"])
    without = {k: v for k, v in tables.items() if k != "accounts"}
    with pytest.raises(InputError, match="accounts"):
        build_features(without, ["b2b"])
    with pytest.raises(InputError, match="customer_links"):
        build_features({"people": tables["people"]}, ["demographic"])


def test_spec_round_trips_and_names_are_ascii() -> None:
    spec = FeatureSpec(
        (
            Feature("age", "demographic", "numeric"),
            Feature("channel_share_shopee", "behavioural", "numeric", block="channel_mix"),
        ),
        ("demographic", "behavioural"),
    )
    assert FeatureSpec.from_dict(spec.as_dict()) == spec
    assert spec["age"].block == "age"
    assert feature_name("survey", "pain_points", "Lo hàng giả, hàng nhái") == (
        "survey_pain_points_lo_hang_gia_hang_nhai"
    )
