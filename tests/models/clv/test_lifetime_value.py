"""Customer lifetime value: discounting checked exactly against closed-form stand-in models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from chandung.errors import InputError
from chandung.models.clv.beta_geo_beta_binom import BetaGeoBetaBinom
from chandung.models.clv.gamma_gamma import GammaGamma
from chandung.models.clv.lifetime_value import (
    SpendModel,
    TransactionModel,
    customer_lifetime_value,
)
from chandung.models.clv.simulate_more import simulate_gamma_gamma

CDNOW = Path(__file__).parents[2] / "data" / "cdnow"


class PoissonRate:
    """Each customer buys at the constant rate (frequency + 1) / (T + 1) per time unit."""

    def expected_purchases(
        self, t: float, frequency: np.ndarray, recency: np.ndarray, T: np.ndarray
    ) -> npt.NDArray[np.float64]:
        return t * (frequency + 1) / (T + 1)


class ObservedSpend:
    """Spends what it spent: the customer's own mean, 10 when it has none."""

    def expected_spend(
        self, frequency: np.ndarray, monetary_value: np.ndarray
    ) -> npt.NDArray[np.float64]:
        return np.where(frequency > 0, monetary_value, 10.0)


FREQUENCY = np.array([0.0, 1.0, 4.0, 9.0])
RECENCY = np.array([0.0, 10.0, 30.0, 35.0])
T = np.array([20.0, 40.0, 39.0, 40.0])
MONETARY = np.array([0.0, 25.0, 40.0, 12.5])
RATE = (FREQUENCY + 1) / (T + 1)
SPEND = np.where(FREQUENCY > 0, MONETARY, 10.0)


def _clv(
    discount_rate: float, horizon: int = 12, period_length: float = 1.0
) -> npt.NDArray[np.float64]:
    return customer_lifetime_value(
        PoissonRate(),
        ObservedSpend(),
        FREQUENCY,
        RECENCY,
        T,
        MONETARY,
        horizon=horizon,
        discount_rate=discount_rate,
        period_length=period_length,
    )


def test_stand_ins_satisfy_the_protocols() -> None:
    transactions: TransactionModel = PoissonRate()
    spend: SpendModel = ObservedSpend()
    assert transactions is not None and spend is not None


def test_without_discounting_it_is_purchases_times_spend() -> None:
    assert _clv(0.0, horizon=12) == pytest.approx(RATE * 12 * SPEND, rel=1e-12)
    assert _clv(0.0, horizon=12, period_length=2.5) == pytest.approx(RATE * 30 * SPEND, rel=1e-12)


def test_each_period_is_discounted_once() -> None:
    d, h, length = 0.01, 24, 30.4375
    # Σ_{i=1..h} rate L / (1 + d)^i = rate L (1 − (1 + d)^−h) / d
    annuity = (1 - (1 + d) ** -h) / d
    expected = RATE * length * annuity * SPEND
    assert _clv(d, horizon=h, period_length=length) == pytest.approx(expected, rel=1e-12)


def test_value_falls_as_the_discount_rate_grows() -> None:
    values = np.array([_clv(d) for d in (0.0, 0.01, 0.05, 0.1, 0.5)])
    assert np.all(np.diff(values, axis=0) < 0)


def test_value_grows_with_the_horizon_and_is_zero_without_one() -> None:
    assert _clv(0.05, horizon=0) == pytest.approx(np.zeros(4))
    assert np.all(_clv(0.05, horizon=24) > _clv(0.05, horizon=12))


def test_with_fitted_models() -> None:
    table = np.loadtxt(CDNOW / "donations.csv", delimiter=",", skiprows=1)
    transactions = BetaGeoBetaBinom().fit(table[:, 0], table[:, 1], table[:, 2], table[:, 3])
    spend_data = simulate_gamma_gamma(2_000, {"p": 6.0, "q": 4.0, "v": 15.0}, seed=4)
    spend = GammaGamma().fit(spend_data.frequency, spend_data.monetary_value)
    frequency, recency, periods = table[:, 0], table[:, 1], table[:, 2]
    monetary = np.where(frequency > 0, 30.0, 0.0)
    undiscounted = customer_lifetime_value(
        transactions, spend, frequency, recency, periods, monetary, horizon=5, discount_rate=0.0
    )
    expected = transactions.expected_purchases(
        5, frequency, recency, periods
    ) * spend.expected_spend(frequency, monetary)
    assert undiscounted == pytest.approx(expected, rel=1e-10)
    discounted = customer_lifetime_value(
        transactions, spend, frequency, recency, periods, monetary, horizon=5, discount_rate=0.1
    )
    assert np.all(discounted < undiscounted)
    assert np.all(discounted > undiscounted / 1.1**5)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"discount_rate": -0.1}, "model.negative"),
        ({"discount_rate": float("nan")}, "model.not_finite"),
        ({"period_length": -1.0}, "model.negative"),
        ({"horizon": 2.5}, "model.not_whole"),
        ({"horizon": -3}, "model.negative"),
        ({"frequency": FREQUENCY[:2]}, "model.lengths_differ"),
        ({"monetary_value": -MONETARY - 1}, "model.negative"),
    ],
)
def test_bad_inputs_are_refused(changes: dict[str, object], code: str) -> None:
    arguments: dict[str, object] = {
        "frequency": FREQUENCY,
        "recency": RECENCY,
        "T": T,
        "monetary_value": MONETARY,
        "horizon": 12,
        "discount_rate": 0.01,
        "period_length": 1.0,
    }
    arguments.update(changes)
    with pytest.raises(InputError) as caught:
        customer_lifetime_value(PoissonRate(), ObservedSpend(), **arguments)  # type: ignore[arg-type]
    assert caught.value.code == code
