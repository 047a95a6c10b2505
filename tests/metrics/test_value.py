from __future__ import annotations

from datetime import date

import ibis
import numpy as np
import pandas as pd
import pytest

from chandung.errors import InputError
from chandung.metrics.customer_summary import customer_summary
from chandung.metrics.value import concentration, customer_value
from chandung.services.stores import Stores
from tests.conftest import TINY_ORDERS


def _spend(values: list[float]) -> ibis.Table:
    return ibis.memtable(
        {
            "customer_id": [str(i) for i in range(len(values))],
            "total_revenue": values,
            "orders": [1 + i % 3 for i in range(len(values))],
        }
    )


def numpy_gini(values: np.ndarray) -> float:
    x = np.sort(values.astype(float))
    n = len(x)
    i = np.arange(1, n + 1)
    return float(np.sum((2 * i - n - 1) * x) / (n * x.sum()))


def pandas_lorenz(values: list[float], shares: list[float]) -> list[float]:
    """The Lorenz curve by linear interpolation between the customers' cumulative shares."""
    x = pd.Series(values, dtype=float).sort_values().to_numpy()
    cum = np.concatenate([[0.0], np.cumsum(x) / x.sum()])
    grid = np.arange(len(x) + 1) / len(x)
    return np.interp(shares, grid, cum).tolist()


def test_equal_spend_has_no_concentration() -> None:
    c = concentration(_spend([250.0] * 7))
    assert c.gini == pytest.approx(0.0, abs=1e-12)
    assert c.top_share == pytest.approx(0.2)
    assert len(c.lorenz) == 101
    assert [p.revenue_share for p in c.lorenz] == pytest.approx(
        [p.customer_share for p in c.lorenz]
    )


def test_one_customer_with_everything() -> None:
    n = 10
    c = concentration(_spend([0.0] * (n - 1) + [1000.0]))
    assert c.gini == pytest.approx((n - 1) / n)
    assert c.gini == pytest.approx(numpy_gini(np.array([0.0] * (n - 1) + [1000.0])))
    # The top 20 % are two customers: the one who spent everything and one who spent nothing.
    assert c.top_share == pytest.approx(1.0)
    assert c.lorenz[90].revenue_share == pytest.approx(0.0)
    assert c.lorenz[95].revenue_share == pytest.approx(0.5)


def test_gini_lorenz_and_pareto_match_numpy_on_random_spend() -> None:
    rng = np.random.default_rng(11)
    # Rounded to 10,000 VND: many customers spend exactly the same.
    values = np.round(rng.lognormal(13, 1.2, 997), -4)
    c = concentration(_spend(values.tolist()))
    assert c.customers == 997
    assert c.revenue == pytest.approx(values.sum())
    assert c.gini == pytest.approx(numpy_gini(values), abs=1e-9)
    shares = [k / 100 for k in range(101)]
    got = [p.revenue_share for p in c.lorenz]
    assert [p.customer_share for p in c.lorenz] == pytest.approx(shares)
    assert got == pytest.approx(pandas_lorenz(values.tolist(), shares), abs=1e-9)
    # The top 20 % by pandas: the sorted spend of the best fifth (197.4 customers).
    ranked = pd.Series(values).sort_values(ascending=False).to_numpy()
    whole = int(0.2 * 997)
    top = ranked[:whole].sum() + (0.2 * 997 - whole) * ranked[whole]
    assert c.top_share == pytest.approx(top / values.sum(), abs=1e-9)
    # Gini is twice the area between the diagonal and the (sampled) curve.
    area = np.trapezoid(got, shares)
    assert c.gini == pytest.approx(1 - 2 * area, abs=1e-3)


def test_other_fractions_and_points() -> None:
    c = concentration(_spend([1.0, 2.0, 3.0, 4.0]), top_fraction=0.5, points=3)
    assert c.top_share == pytest.approx(0.7)
    assert [p.revenue_share for p in c.lorenz] == pytest.approx([0.0, 0.3, 1.0])


def test_no_customers_and_no_revenue() -> None:
    empty = concentration(_spend([1.0]).limit(0))
    assert (empty.customers, empty.gini, empty.top_share, empty.lorenz) == (0, 0.0, 0.0, [])
    free = concentration(_spend([0.0, 0.0]))
    assert (free.customers, free.revenue, free.lorenz) == (2, 0.0, [])
    value = customer_value(_spend([1.0]).limit(0))
    assert (value.customers, value.mean_value, value.repeat_rate) == (0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"top_fraction": 0.0}, "metrics.fraction"),
        ({"top_fraction": 1.5}, "metrics.fraction"),
        ({"points": 1}, "metrics.points"),
        ({"value_column": "clv"}, "metrics.missing_columns"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(InputError) as err:
        concentration(_spend([1.0, 2.0]), **kwargs)  # type: ignore[arg-type]
    assert err.value.code == code


def test_customer_value_of_the_tiny_business_matches_pandas(tiny_business: Stores) -> None:
    orders = tiny_business.warehouse.table("orders")
    summary = customer_summary(orders, observation_end=date(2025, 6, 30))
    v = customer_value(summary)
    df = pd.DataFrame(TINY_ORDERS)
    per = df[df.status == "completed"].groupby("customer_id").total_vnd.agg(["sum", "size"])
    assert v.customers == len(per) == 3
    assert v.revenue == per["sum"].sum()
    assert v.mean_value == pytest.approx(per["sum"].mean())
    assert v.max_value == per["sum"].max()
    assert v.repeat_customers == int((per["size"] >= 2).sum()) == 2
    assert v.repeat_rate == pytest.approx(2 / 3)
    c = concentration(summary)
    assert c.gini == pytest.approx(numpy_gini(per["sum"].to_numpy()))
    assert c.as_dict()["lorenz"][100] == {"customer_share": 1.0, "revenue_share": 1.0}
