"""Customer lifetime value: a transaction model's expected purchases times a spend model's spend.

The combination follows Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for
Customer Base Analysis", Journal of Marketing Research 42(4):415-430, in the discrete form of the
``lifetimes`` package's ``customer_lifetime_value``: the horizon is cut into periods, each period's
expected purchases are valued at the customer's expected spend and discounted once per period.
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ...errors import InputError
from ._base import FloatArray, as_vector, same_length


class TransactionModel(Protocol):
    """A fitted model of how many purchases a customer will make.

    ``expected_purchases(t, frequency, recency, T)`` is the expected number of purchases in the
    ``t`` time units after ``T``, given each customer's history (BG/NBD, Pareto/NBD, BG/BB, ...).
    """

    def expected_purchases(
        self, t: float, frequency: FloatArray, recency: FloatArray, T: FloatArray, /
    ) -> npt.ArrayLike:
        """Conditional expected purchases in the next ``t`` time units."""
        ...


class SpendModel(Protocol):
    """A fitted model of how much a customer spends per purchase (e.g. Gamma-Gamma)."""

    def expected_spend(self, frequency: FloatArray, monetary_value: FloatArray, /) -> npt.ArrayLike:
        """Conditional expected spend per purchase."""
        ...


def customer_lifetime_value(
    transaction_model: TransactionModel,
    spend_model: SpendModel,
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
    monetary_value: npt.ArrayLike,
    *,
    horizon: int,
    discount_rate: float,
    period_length: float = 1.0,
) -> FloatArray:
    """Expected discounted value of each customer over the next ``horizon`` periods.

    ::

        CLV = Σ_{i=1..horizon} (E[X(i L)] − E[X((i − 1) L)]) · E[M] / (1 + d)^i

    where ``E[X(t)]`` is ``transaction_model.expected_purchases(t, frequency, recency, T)``,
    ``E[M]`` is ``spend_model.expected_spend(frequency, monetary_value)``, ``L`` is
    ``period_length`` and ``d`` is ``discount_rate``. Spend is taken as independent of the
    purchase process (the Gamma-Gamma assumption), so the two expectations multiply.

    Parameters
    ----------
    transaction_model, spend_model
        Fitted models.
    frequency, recency, T, monetary_value
        The customers' histories, in the transaction model's time unit.
    horizon
        Number of future periods valued (a whole number; 0 gives 0).
    discount_rate
        Discount rate per period, at least 0. Purchases of period ``i`` are discounted by
        ``(1 + d)^i``, as if paid at the end of the period.
    period_length
        Length of a period in the transaction model's time unit; e.g. 30.4375 for monthly
        periods when ``T`` is in days, so that ``discount_rate`` is a monthly rate.

    Returns
    -------
    numpy.ndarray
        One value per customer, in the unit of ``monetary_value``.
    """
    x = as_vector(frequency, "frequency")
    t_x = as_vector(recency, "recency")
    age = as_vector(T, "T")
    m = as_vector(monetary_value, "monetary_value")
    same_length(frequency=x, recency=t_x, T=age, monetary_value=m)
    if not float(horizon).is_integer():
        raise InputError("model.not_whole", field="horizon")
    if horizon < 0:
        raise InputError("model.negative", field="horizon")
    for setting, name in ((discount_rate, "discount_rate"), (period_length, "period_length")):
        if not math.isfinite(setting):
            raise InputError("model.not_finite", field=name)
        if setting < 0:
            raise InputError("model.negative", field=name)

    spend = np.asarray(spend_model.expected_spend(x, m), dtype=np.float64)
    value = np.zeros(len(x))
    previous = np.zeros(len(x))
    for i in range(1, int(horizon) + 1):
        cumulative = np.asarray(
            transaction_model.expected_purchases(i * period_length, x, t_x, age),
            dtype=np.float64,
        )
        value += (cumulative - previous) / (1.0 + discount_rate) ** i
        previous = cumulative
    return value * spend
