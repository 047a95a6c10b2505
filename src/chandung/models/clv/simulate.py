"""Customers simulated from the transaction models with known parameters.

Each generator draws every customer's latent traits and purchase history exactly as the
model's story says, vectorised over customers, and returns the summaries the models are fitted
on. With ``holdout=t`` it also returns the purchases each customer makes in the ``t`` time units
after ``T``, from the same latent draws, so that predictions can be checked by Monte Carlo.

>>> data = simulate_beta_geo(1000, {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}, 52.0, seed=1)
>>> sorted(data)
['T', 'frequency', 'recency']
>>> bool(((data["frequency"] == 0) == (data["recency"] == 0)).all())
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ._base import FloatArray

BETA_GEO_PARAMETERS = ("r", "alpha", "a", "b")
PARETO_NBD_PARAMETERS = ("r", "alpha", "s", "beta")


def _parameters(params: Mapping[str, float], names: tuple[str, ...]) -> tuple[float, ...]:
    if set(params) != set(names):
        raise ValueError(f"parameters must be exactly {', '.join(names)}; got {sorted(params)}")
    values = tuple(float(params[name]) for name in names)
    if not all(np.isfinite(v) and v > 0 for v in values):
        raise ValueError(f"parameters must be positive and finite; got {dict(params)}")
    return values


def _ages(T: Any, n_customers: int) -> FloatArray:
    age = np.asarray(T, dtype=np.float64)
    if age.ndim == 0:
        age = np.full(n_customers, float(age))
    if age.shape != (n_customers,) or not np.all(np.isfinite(age)) or np.any(age < 0):
        raise ValueError("T must be one non-negative age, or one per customer")
    return age


def _summary(
    frequency: FloatArray, recency: FloatArray, age: FloatArray, holdout: FloatArray | None
) -> dict[str, FloatArray]:
    data = {"frequency": frequency, "recency": recency, "T": age}
    if holdout is not None:
        data["holdout_purchases"] = holdout
    return data


def simulate_beta_geo(
    n_customers: int,
    params: Mapping[str, float],
    T: Any,
    seed: int | np.random.Generator | None = None,
    *,
    holdout: float | None = None,
) -> dict[str, FloatArray]:
    """Customers of a BG/NBD world (Fader, Hardie & Lee 2005, section 3).

    Each customer draws a purchase rate ``λ ~ Gamma(r, rate α)`` and a dropout probability
    ``p ~ Beta(a, b)``, buys at the arrival times of a Poisson process with rate ``λ``, and
    drops out right after each repeat purchase with probability ``p``. The number of repeat
    purchases a customer will ever make is therefore geometric on 1, 2, ...; the purchases
    observed by ``T`` are the first ``min(N, P)`` of the ``P ~ Poisson(λ T)`` arrivals, and the
    last of them falls at ``T`` times a ``Beta(x, P − x + 1)`` order statistic.

    Parameters
    ----------
    n_customers
        Number of customers.
    params
        ``r``, ``alpha``, ``a``, ``b``.
    T
        Each customer's age at the end of the period: one value, or one per customer.
    seed
        Seed or generator of the random numbers.
    holdout
        If given, also simulate each customer's purchases in ``(T, T + holdout]``.

    Returns
    -------
    dict[str, numpy.ndarray]
        ``frequency``, ``recency`` and ``T`` (floats), plus ``holdout_purchases``.
    """
    r, alpha, a, b = _parameters(params, BETA_GEO_PARAMETERS)
    age = _ages(T, n_customers)
    rng = np.random.default_rng(seed)
    rate = rng.gamma(r, 1 / alpha, n_customers)
    dropout = rng.beta(a, b, n_customers)
    with np.errstate(divide="ignore", over="ignore"):
        # Inverse CDF of the geometric number of purchases made while active; a float so that
        # a dropout probability that underflows to 0 means "never", not an integer overflow.
        allowed = 1 + np.floor(np.log(rng.random(n_customers)) / np.log1p(-dropout))
    arrivals = rng.poisson(rate * age).astype(np.float64)
    frequency = np.minimum(allowed, arrivals)
    repeat = frequency > 0
    last = rng.beta(np.where(repeat, frequency, 1.0), arrivals - frequency + 1)
    recency = np.where(repeat, age * last, 0.0)
    future = None
    if holdout is not None:
        # Still active at T exactly when fewer purchases were made than allowed; by the
        # memorylessness of the geometric, the remaining allowance is geometric again.
        remaining = allowed - arrivals
        later = rng.poisson(rate * holdout).astype(np.float64)
        future = np.where(remaining > 0, np.minimum(remaining, later), 0.0)
    return _summary(frequency, recency, age, future)


def simulate_pareto_nbd(
    n_customers: int,
    params: Mapping[str, float],
    T: Any,
    seed: int | np.random.Generator | None = None,
    *,
    holdout: float | None = None,
) -> dict[str, FloatArray]:
    """Customers of a Pareto/NBD world (Schmittlein, Morrison & Colombo 1987).

    Each customer draws a purchase rate ``λ ~ Gamma(r, rate α)`` and a dropout rate
    ``μ ~ Gamma(s, rate β)``, stays active for an exponential time ``τ`` with rate ``μ``, and
    buys at the times of a Poisson process with rate ``λ`` while active. The purchases seen by
    ``T`` are ``Poisson(λ min(τ, T))``, and the last of ``x`` of them falls at ``min(τ, T)``
    times the maximum of ``x`` uniforms.

    Parameters and return value as for :func:`simulate_beta_geo`, with ``params`` ``r``,
    ``alpha``, ``s``, ``beta``.
    """
    r, alpha, s, beta = _parameters(params, PARETO_NBD_PARAMETERS)
    age = _ages(T, n_customers)
    rng = np.random.default_rng(seed)
    rate = rng.gamma(r, 1 / alpha, n_customers)
    death_rate = rng.gamma(s, 1 / beta, n_customers)
    with np.errstate(divide="ignore", over="ignore"):
        # A death rate that underflows to 0 means a customer who never leaves.
        lifetime = rng.standard_exponential(n_customers) / death_rate
    active = np.minimum(lifetime, age)
    frequency = rng.poisson(rate * active).astype(np.float64)
    repeat = frequency > 0
    last = rng.random(n_customers) ** (1 / np.where(repeat, frequency, 1.0))
    recency = np.where(repeat, active * last, 0.0)
    future = None
    if holdout is not None:
        later = np.clip(lifetime - age, 0.0, holdout)
        future = rng.poisson(rate * later).astype(np.float64)
    return _summary(frequency, recency, age, future)
