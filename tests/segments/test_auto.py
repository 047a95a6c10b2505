"""Automatic segmentation finds the planted groups of the demo business, in the warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from chandung.errors import InputError
from chandung.segments.auto import SEGMENT, AutoSegmenter, adjusted_rand_index, draw_sample
from chandung.segments.features import Feature, FeatureSpec, build_features
from chandung.services.analysis import run_analysis
from chandung.services.demo import generate_demo
from chandung.services.stores import open_stores
from chandung.workspace import Workspace

TABLES = (
    "people", "customer_links", "customer_value", "customers", "orders", "order_items",
    "products", "events", "survey_responses", "accounts",
)  # fmt: skip


@dataclass
class Segmented:
    features: ir.Table
    cached: ir.Table
    spec: FeatureSpec
    sample: pa.Table
    model: AutoSegmenter
    other: AutoSegmenter
    assigned: pd.Series  # segment of every person, by person id (seed 0)
    assigned_other: pd.Series  # the same with seed 1
    truth: pd.Series  # planted group of every person whose records agree


@pytest.fixture(scope="module")
def segmented(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Segmented]:
    home = Path(tmp_path_factory.mktemp("auto")) / "ws"
    with open_stores(Workspace.open(home)) as stores:
        generate_demo(stores, customers=6_000, seed=5)
        run_analysis(stores)
        tables = {name: stores.warehouse.table(name) for name in TABLES}
        features, spec = build_features(tables)
        # Sampling reads the features once more each time; a cached copy keeps tests quick.
        cached = stores.warehouse.backend.create_table("_test_features", features, temp=True)
        sample = draw_sample(cached, 50_000, seed=0)
        model = AutoSegmenter(seed=0).fit(sample, spec)
        other = AutoSegmenter(seed=1).fit(sample, spec)

        def assign(m: AutoSegmenter) -> pd.Series:
            frame = m.assignment_expression(features).to_pandas()
            return frame.set_index("customer_id")[SEGMENT].sort_index()

        assigned, assigned_other = assign(model), assign(other)
        # The truth is read by the test only: records → planted group, mapped to persons.
        groups = pq.read_table(stores.workspace.demo_dir / "truth" / "customer_groups.parquet")
        links = tables["customer_links"].select("customer_id", "person_id").to_pandas()
        per_record = groups.to_pandas().merge(links, on="customer_id")
        agree = per_record.groupby("person_id").group_id.nunique() == 1
        truth = per_record.groupby("person_id").group_id.first()[agree]
        yield Segmented(
            features, cached, spec, sample, model, other, assigned, assigned_other, truth
        )


def test_default_segmentation_recovers_the_planted_groups(segmented: Segmented) -> None:
    model = segmented.model
    assert model.k_ == 6, (model.scores_, model.stability_)
    truth = segmented.truth
    found = segmented.assigned.loc[truth.index]
    assert adjusted_rand_index(truth.to_numpy(), found.to_numpy()) >= 0.8
    # Each planted group is mostly one segment.
    table = pd.crosstab(truth, found)
    assert (table.max(axis=1) / table.sum(axis=1)).min() > 0.8


def test_segmentation_is_stable_across_seeds(segmented: Segmented) -> None:
    assert segmented.other.k_ == segmented.model.k_
    a = segmented.assigned
    b = segmented.assigned_other.loc[a.index]
    assert adjusted_rand_index(a.to_numpy(), b.to_numpy()) >= 0.9


def test_every_person_gets_a_segment_numbered_by_size(segmented: Segmented) -> None:
    people = segmented.features.count().to_pyarrow().as_py()
    assigned = segmented.assigned
    assert len(assigned) == people and assigned.index.is_unique
    assert set(assigned) == set(range(1, segmented.model.k_ + 1))
    sizes = segmented.model.sizes_
    assert list(sizes) == sorted(sizes, reverse=True)
    assert np.array_equal(np.bincount(segmented.model.labels_)[1:], sizes)


def test_warehouse_assignment_equals_python_prediction(segmented: Segmented) -> None:
    model, sample = segmented.model, segmented.sample
    predicted = model.predict(sample)
    ids = sample.column("customer_id").to_pylist()
    assert np.array_equal(segmented.assigned.loc[ids].to_numpy(), predicted)
    assert np.array_equal(predicted, model.labels_)


def test_fitted_state(segmented: Segmented) -> None:
    model = segmented.model
    k = model.k_
    assert model.centers_.shape == (k, model.encoding_.dimensions)
    assert set(model.scores_) == set(model.stability_) == set(range(2, 11))
    assert model.stability_[k] >= model.min_stability
    assert "has_orders" not in model.feature_names_  # an indicator, not a trait
    assert {"age", "channel_share_shopee", "lifestyle"} <= set(model.feature_names_)
    encoded = model.encoding_.as_dict()
    assert encoded["numeric"] and encoded["categorical"]
    lifestyle = next(c for c in model.encoding_.categorical if c.name == "lifestyle")
    assert abs(sum(lifestyle.shares) - 1) < 1e-9


def test_sample_is_drawn_in_the_warehouse_with_a_seed(segmented: Segmented) -> None:
    features = segmented.cached
    small = draw_sample(features, 500, seed=3)
    assert 400 <= small.num_rows <= 500
    assert small.equals(draw_sample(features, 500, seed=3))
    assert not small.equals(draw_sample(features, 500, seed=4))
    ids = small.column("customer_id").to_pylist()
    assert ids == sorted(ids)
    with pytest.raises(InputError, match="more than"):
        AutoSegmenter(sample_size=100).fit(small, segmented.spec)


def _blobs(n: int = 600, seed: int = 1) -> tuple[pd.DataFrame, FeatureSpec]:
    """Three clear groups in one numeric and one categorical feature, with gaps."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n)
    spend = np.array([1e5, 1e6, 1e7])[group] * rng.lognormal(0, 0.2, n)
    colour = np.array(["red", "green", "blue"])[group].astype(object)
    colour[rng.random(n) < 0.1] = None
    age = np.array([20.0, 40.0, 60.0])[group] + rng.normal(0, 3, n)
    age[rng.random(n) < 0.2] = np.nan
    frame = pd.DataFrame(
        {"customer_id": [f"p{i:04d}" for i in range(n)], "spend": spend, "age": age,
         "colour": colour, "group": group}
    )  # fmt: skip
    spec = FeatureSpec(
        (
            Feature("spend", "behavioural", "numeric", transform="log1p"),
            Feature("age", "demographic", "numeric"),
            Feature("colour", "psychographic", "categorical"),
        )
    )
    return frame, spec


def test_clear_groups_are_found_with_k_auto_and_fixed_k() -> None:
    frame, spec = _blobs()
    model = AutoSegmenter(k_range=(2, 6), n_bootstrap=3).fit(frame, spec)
    assert model.k_ == 3
    assert adjusted_rand_index(frame.group, model.labels_) > 0.95
    fixed = AutoSegmenter(k=2).fit(frame, spec)
    assert fixed.k_ == 2 and not fixed.scores_
    # The warehouse agrees with Python on rows with missing values too.
    table = ibis.memtable(frame.drop(columns="group"))
    assigned = model.assignment_expression(table).to_pandas().sort_values("customer_id")
    assert np.array_equal(assigned[SEGMENT].to_numpy(), model.predict(frame))


def test_weights_can_switch_a_kind_off() -> None:
    frame, spec = _blobs()
    model = AutoSegmenter(k=3, kind_weights={"demographic": 0}).fit(frame, spec)
    assert "age" not in {n.name for n in model.encoding_.numeric}
    with pytest.raises(InputError, match="no feature"):
        AutoSegmenter(
            k=3, kind_weights=dict.fromkeys(("behavioural", "demographic", "psychographic"), 0.0)
        ).fit(frame, spec)


def test_settings_and_state_are_checked() -> None:
    frame, spec = _blobs(n=20)
    with pytest.raises(InputError, match="not been fitted"):
        AutoSegmenter().predict(frame)
    with pytest.raises(InputError, match="number of segments"):
        AutoSegmenter(k=0).fit(frame, spec)
    with pytest.raises(InputError, match="range"):
        AutoSegmenter(k_range=(5, 3)).fit(frame, spec)
    with pytest.raises(InputError, match="too few"):
        AutoSegmenter(k=15).fit(frame, spec)
    with pytest.raises(InputError, match="lacks"):
        AutoSegmenter(k=2).fit(frame.drop(columns="age"), spec)


def test_adjusted_rand_index_matches_known_values() -> None:
    # Hubert & Arabie's index on a worked example: 3 pairs together in both, ARI = 0.2424...
    assert adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]) == pytest.approx(8 / 33)
    assert adjusted_rand_index([1, 1, 2, 2], ["a", "a", "b", "b"]) == 1.0
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 4, 5000), rng.integers(0, 4, 5000)
    assert abs(adjusted_rand_index(a, b)) < 0.01
    # An independent oracle: Hubert & Arabie's formula from pair counts taken one pair at a time.
    x, y = rng.integers(0, 3, 120), rng.integers(0, 4, 120)
    pairs = [(i, j) for i in range(len(x)) for j in range(i + 1, len(x))]
    both = sum(1 for i, j in pairs if x[i] == x[j] and y[i] == y[j])
    in_x = sum(1 for i, j in pairs if x[i] == x[j])
    in_y = sum(1 for i, j in pairs if y[i] == y[j])
    expected = in_x * in_y / len(pairs)
    oracle = (both - expected) / ((in_x + in_y) / 2 - expected)
    assert adjusted_rand_index(x, y) == pytest.approx(oracle)
