"""Data drawn from the Gamma-Gamma, sBG and BG/BB models with known parameters.

Each generator follows the model's story customer by customer, so fitting a model on its output
must recover the parameters (up to sampling error), and predictions can be checked against what
the simulated customers go on to do.

>>> spend = simulate_gamma_gamma(3, {"p": 6.0, "q": 4.0, "v": 15.0}, frequency=[1, 2, 5], seed=1)
>>> spend.frequency.tolist()
[1.0, 2.0, 5.0]
>>> simulate_shifted_beta_geometric(1000, {"alpha": 0.7, "beta": 1.2}, 3, seed=1).tolist()[0]
1000
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from ...errors import InputError
from ._base import FloatArray, as_vector

Seed = int | np.random.Generator | None
#: Draws the repeat-purchase counts of ``n`` customers.
FrequencyDistribution = Callable[[np.random.Generator, int], npt.ArrayLike]


class SimulatedSpend(NamedTuple):
    """Repeat buyers' frequency and mean spend per repeat transaction."""

    frequency: FloatArray
    monetary_value: FloatArray


class SimulatedDiscreteHistory(NamedTuple):
    """BG/BB histories, and the purchases each customer goes on to make afterwards."""

    frequency: FloatArray
    recency: FloatArray
    n_periods: FloatArray
    holdout_purchases: FloatArray


def _count(value: int, name: str, *, minimum: int = 1) -> int:
    if value != int(value):
        raise InputError("model.not_whole", field=name)
    if value < minimum:
        raise InputError("model.below_minimum", field=name, minimum=minimum)
    return int(value)


def _shifted_geometric_periods(
    rng: np.random.Generator, churn: FloatArray, cap: int
) -> npt.NDArray[np.int64]:
    # Inverse CDF of P(T > t) = (1 − θ)^t, capped so that tiny θ (common when α < 1) never
    # overflow an integer: everything beyond ``cap`` is censored anyway.
    uniform = 1.0 - rng.random(len(churn))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log(uniform) / np.log1p(-churn)
    periods = np.ceil(np.nan_to_num(ratio, nan=1.0, posinf=cap, neginf=cap))
    return np.clip(periods, 1, cap).astype(np.int64)


def simulate_gamma_gamma(
    n_customers: int,
    params: Mapping[str, float],
    frequency: npt.ArrayLike | FrequencyDistribution | None = None,
    seed: Seed = None,
) -> SimulatedSpend:
    """Repeat buyers of the Gamma-Gamma spend model.

    Each customer draws a rate ``nu ~ gamma(shape q, rate v)``; each of its ``x`` repeat
    transactions is ``gamma(shape p, rate nu)``, so their mean is ``gamma(shape p x, rate nu x)``
    and is drawn directly.

    Parameters
    ----------
    n_customers
        Number of repeat buyers.
    params
        ``p``, ``q`` and ``v``.
    frequency
        The repeat transactions per customer: one whole number for all, one per customer, or a
        function ``(rng, n) -> counts``. By default ``1 + Poisson(2)``.
    seed
        Seed or generator, for reproducible draws.
    """
    n = _count(n_customers, "n_customers")
    rng = np.random.default_rng(seed)
    p, q, v = params["p"], params["q"], params["v"]
    if frequency is None:
        x = 1.0 + rng.poisson(2.0, n)
    elif callable(frequency):
        x = as_vector(frequency(rng, n), "frequency")
    else:
        x = np.broadcast_to(as_vector(frequency, "frequency"), (n,)).copy()
    if np.any(x != np.round(x)):
        raise InputError("model.not_whole", field="frequency")
    if np.any(x < 1):
        raise InputError("model.below_minimum", field="frequency", minimum=1)
    rate = rng.gamma(q, 1.0 / v, n)
    monetary_value = rng.gamma(p * x, 1.0 / (rate * x))
    return SimulatedSpend(x.astype(np.float64), monetary_value)


def simulate_shifted_beta_geometric(
    cohort_size: int,
    params: Mapping[str, float],
    n_periods: int,
    seed: Seed = None,
) -> npt.NDArray[np.int64]:
    """Survivor counts of one cohort under the sBG model (Fader & Hardie 2007).

    Each customer draws a churn probability ``θ ~ beta(α, β)`` and cancels at the end of each
    period with that probability.

    Returns
    -------
    numpy.ndarray
        ``n_periods + 1`` counts: ``alive[i]`` is the number active at the start of period ``i``,
        ``alive[0] = cohort_size`` (the input of :meth:`ShiftedBetaGeometric.fit`).
    """
    size = _count(cohort_size, "cohort_size")
    periods = _count(n_periods, "n_periods")
    rng = np.random.default_rng(seed)
    churn = rng.beta(params["alpha"], params["beta"], size)
    lifetime = _shifted_geometric_periods(rng, churn, periods + 1)
    # alive[i] counts customers whose cancellation period T is after i.
    return np.array([np.sum(lifetime > i) for i in range(periods + 1)], dtype=np.int64)


def simulate_beta_geo_beta_binom(
    n_customers: int,
    params: Mapping[str, float],
    n_periods: int,
    seed: Seed = None,
    *,
    holdout_periods: int = 0,
) -> SimulatedDiscreteHistory:
    """Customers of the BG/BB model (Fader, Hardie & Shang 2010) over ``n_periods`` opportunities.

    Each customer draws a purchase probability ``p ~ beta(α, β)`` and a dropout probability
    ``θ ~ beta(γ, δ)``; before each opportunity it becomes inactive for good with probability
    ``θ``, and while active it buys at each opportunity with probability ``p``.

    Parameters
    ----------
    n_customers
        Number of customers (all made their first purchase at opportunity 0).
    params
        ``alpha``, ``beta``, ``gamma`` and ``delta``.
    n_periods
        Opportunities observed in the calibration period.
    seed
        Seed or generator, for reproducible draws.
    holdout_periods
        Further opportunities simulated after the calibration period; their purchases are
        returned as ``holdout_purchases`` (zeros when 0).
    """
    n = _count(n_customers, "n_customers")
    periods = _count(n_periods, "n_periods")
    extra = _count(holdout_periods, "holdout_periods", minimum=0)
    rng = np.random.default_rng(seed)
    purchase = rng.beta(params["alpha"], params["beta"], n)
    dropout = rng.beta(params["gamma"], params["delta"], n)
    total = periods + extra
    # Opportunities a customer is active for: P(active at t) = (1 − θ)^t, i.e. one less than a
    # shifted-geometric draw.
    active_for = _shifted_geometric_periods(rng, dropout, total + 1) - 1
    opportunity = np.arange(1, total + 1)
    bought = (rng.random((n, total)) < purchase[:, None]) & (
        opportunity[None, :] <= active_for[:, None]
    )
    calibration = bought[:, :periods]
    frequency = calibration.sum(axis=1).astype(np.float64)
    last = periods - np.argmax(calibration[:, ::-1], axis=1)
    recency = np.where(frequency > 0, last, 0).astype(np.float64)
    holdout = bought[:, periods:].sum(axis=1).astype(np.float64)
    return SimulatedDiscreteHistory(frequency, recency, np.full(n, float(periods)), holdout)
