"""How good a persona set is: coverage, distinctiveness, stability and data confidence.

Coverage
    Share of the customers the personas stand for.
Distinctiveness
    How far apart the personas are on the traits that define them: for each pair, the mean
    Jensen-Shannon distance (base 2, so between 0 and 1) between their distributions of
    gender, age band, region, main channel, occupation, income band and RFM segment. A
    persona's distinctiveness is its distance to the closest other persona; the set's is the
    mean over personas.
Stability
    How much a persona would change if the customers were resampled: the bootstrap of the
    customers of a segment draws each attribute's counts from a multinomial with the observed
    shares (for multiple-choice questions, a binomial per choice), which is what resampling the
    customers with replacement does to one attribute. A persona's stability is the share of
    replicates in which each of its defining choices (the most common gender, age band,
    region and main channel, the top pain point and the top goal) stays the same, averaged
    over those choices.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .facts import Distribution, Facts

#: Attributes a persona is defined by, for distinctiveness.
DEFINING = (
    "gender", "age_band", "province", "main_channel", "occupation", "income_band",
    "rfm_segment",
)  # fmt: skip
#: Choices whose stability is measured: (kind, name) of the distribution.
STABLE_CHOICES = (
    ("customers", "gender"), ("customers", "age_band"), ("customers", "province"),
    ("customers", "main_channel"), ("survey", "pain_points"), ("feedback", "complaints"),
    ("survey", "goals"),
)  # fmt: skip
_UNKNOWN = ("unknown", "")


def _known_levels(dist: Distribution, sid: int) -> dict[str, int]:
    return {lv: n for lv, n in dist.counts.get(sid, {}).items() if lv not in _UNKNOWN and n > 0}


def _shares(dist: Distribution, sid: int, levels: Sequence[str]) -> np.ndarray:
    known = _known_levels(dist, sid)
    counts = np.array([known.get(lv, 0) for lv in levels], dtype=float)
    total = counts.sum()
    return counts / total if total else counts


def js_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon distance (base 2) of two distributions over the same levels.

    >>> round(js_distance(np.array([1.0, 0.0]), np.array([0.0, 1.0])), 6)
    1.0
    >>> js_distance(np.array([0.5, 0.5]), np.array([0.5, 0.5]))
    0.0
    """
    m = (p + q) / 2

    def kl(a: np.ndarray) -> float:
        mask = a > 0
        return float(np.sum(a[mask] * np.log2(a[mask] / m[mask])))

    value = (kl(p) + kl(q)) / 2
    return float(np.sqrt(max(value, 0.0)))


def distinctiveness(facts: Facts, segments: Sequence[int]) -> dict[int, float | None]:
    """Each persona's distance to the closest other persona (``None`` for a single one)."""
    if len(segments) < 2:
        return {sid: None for sid in segments}
    dists = [facts.customers[a] for a in DEFINING if a in facts.customers]
    if not dists:
        return {sid: None for sid in segments}
    out: dict[int, float | None] = {}
    for a in segments:
        closest = 1.0
        for b in segments:
            if a == b:
                continue
            distances = []
            for dist in dists:
                levels = sorted(set(_known_levels(dist, a)) | set(_known_levels(dist, b)))
                p, q = _shares(dist, a, levels), _shares(dist, b, levels)
                if p.sum() and q.sum():
                    distances.append(js_distance(p, q))
            if distances:
                closest = min(closest, float(np.mean(distances)))
        out[a] = closest
    return out


def _top(levels: Sequence[str], counts: np.ndarray) -> str | None:
    if not len(levels) or counts.max() <= 0:
        return None
    return levels[int(np.argmax(counts))]


def stability(
    facts: Facts, segments: Sequence[int], *, replicates: int = 200, seed: int = 0
) -> dict[int, float | None]:
    """Bootstrap stability of each persona's defining choices (see the module docstring)."""
    rng = np.random.default_rng(seed)
    out: dict[int, float | None] = {}
    for sid in segments:
        agreements = []
        for kind, name in STABLE_CHOICES:
            source = getattr(facts, kind)
            dist: Distribution | None = source.get(name)
            if dist is None or dist.total(sid) == 0:
                continue
            known = _known_levels(dist, sid)
            if not known:
                continue
            levels = sorted(known)
            counts = np.array([known[lv] for lv in levels], dtype=float)
            observed = _top(levels, counts)
            total = dist.total(sid)
            if dist.unit == "respondents" or kind == "feedback":
                # A unit may name several levels: each level is its own binomial draw.
                shares = np.minimum(counts / total, 1.0)
                draws = rng.binomial(total, shares, size=(replicates, len(levels)))
            else:
                rest = max(total - counts.sum(), 0.0)
                shares = np.append(counts, rest) / total
                draws = rng.multinomial(total, shares / shares.sum(), size=replicates)[:, :-1]
            same = [_top(levels, row) == observed for row in draws]
            agreements.append(float(np.mean(same)))
        out[sid] = float(np.mean(agreements)) if agreements else None
    return out


def set_quality(
    facts: Facts,
    segments: Sequence[int],
    *,
    covered: int,
    replicates: int = 200,
    seed: int = 0,
) -> tuple[dict[str, float | None], dict[int, dict[str, float | None]]]:
    """Quality of the whole set and of each persona (distinctiveness and stability)."""
    distinct = distinctiveness(facts, segments)
    stable = stability(facts, segments, replicates=replicates, seed=seed)

    def mean(values: Sequence[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return float(np.mean(present)) if present else None

    overall = {
        "coverage": covered / facts.base_size if facts.base_size else None,
        "distinctiveness": mean(list(distinct.values())),
        "stability": mean(list(stable.values())),
    }
    per = {sid: {"distinctiveness": distinct[sid], "stability": stable[sid]} for sid in segments}
    return overall, per
