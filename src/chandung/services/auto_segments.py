"""Automatic segmentation of the customer file, recorded and kept for later use.

Features are built in the warehouse (:mod:`chandung.segments.features`) and materialised once;
a seeded sample is drawn there and the segmenter (:mod:`chandung.segments.auto`) is fitted on
it; every person is then assigned in the warehouse, and the assignments are appended to the
table ``segment_assignments`` under the id of the run. Each segment is profiled against the
whole base. The run's settings and segments are recorded in the app database; each trait is
kept as words in the language of the run and as codes and figures, from which
:func:`chandung.services.segment_views.auto_traits` writes it in any language.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
from sqlalchemy import select

from ..errors import NotFoundError
from ..segments.auto import SEGMENT, AutoSegmenter, draw_sample
from ..segments.features import DEFAULT_KINDS, build_features
from ..store.app_models import Segmentation
from .segment_base import segment_base
from .segments import PROFILE_ATTRIBUTES, trait_labels
from .stores import Stores, warehouse_step

ASSIGNMENTS_TABLE = "segment_assignments"
#: Tables the features may draw on (those missing from the warehouse are left out).
FEATURE_TABLES = (
    "people", "customer_links", "customer_value", "customers", "orders", "order_items",
    "products", "events", "survey_responses", "accounts",
)  # fmt: skip
#: Traits kept per segment in the report.
TRAITS_PER_SEGMENT = 5


@dataclass(frozen=True)
class AutoSegment:
    """One segment found: its size, value and what sets it apart."""

    id: int
    size: int
    share: float
    revenue_share: float
    mean_clv: float | None
    traits: list[dict[str, Any]] = field(default_factory=list)
    trait_texts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AutoSegmentation:
    """A run of automatic segmentation (``segmentation_id`` names its assignments)."""

    segmentation_id: str
    k: int
    kinds: list[str]
    seed: int
    customers: int
    sample_size: int
    stability: dict[str, float]
    scores: dict[str, float]
    segments: list[AutoSegment]
    seconds: float
    #: The language of the traits' words (``trait``, ``trait_texts``); the traits also keep
    #: their codes and figures, so that pages write them in any language.
    language: str = "vi"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@warehouse_step("segment_auto")
def auto_segment(
    stores: Stores,
    *,
    kinds: Sequence[str] | None = None,
    k: int | Literal["auto"] = "auto",
    seed: int = 0,
    language: str = "vi",
) -> AutoSegmentation:
    """Segment every person automatically and record the run."""
    started = time.perf_counter()
    wh = stores.warehouse
    kinds = list(kinds or DEFAULT_KINDS)
    tables = {name: wh.table(name) for name in FEATURE_TABLES if wh.has_table(name)}
    expression, spec = build_features(tables, kinds)
    run = f"seg-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    suffix = uuid.uuid4().hex[:8]
    created: list[str] = []

    def materialise(expr: ir.Table, name: str) -> ir.Table:
        # Work tables of this run, temporary: gone with the connection if it is cut.
        table_name = f"_derived_{name}_{suffix}"
        wh.backend.create_table(table_name, expr, temp=True)
        created.append(table_name)
        return wh.backend.table(table_name)

    try:
        # The features feed the sample, the assignment and nothing else: computed once
        # rather than re-derived from the orders for each use.
        features = materialise(expression, "features")
        segmenter = AutoSegmenter(k=k, seed=seed)
        sample = draw_sample(features, segmenter.sample_size, seed=seed)
        segmenter.fit(sample, spec)
        assigned = segmenter.assignment_expression(features, materialise).mutate(
            segmentation_id=ibis.literal(run)
        )
        assigned = assigned.select("segmentation_id", "customer_id", SEGMENT)
        if wh.has_table(ASSIGNMENTS_TABLE):
            wh.backend.insert(ASSIGNMENTS_TABLE, assigned)
        else:
            wh.backend.create_table(ASSIGNMENTS_TABLE, assigned)
    finally:
        for name in created:
            wh.backend.drop_table(name, force=True)
    segments = _profiles(stores, run, segmenter.k_, language)
    report = AutoSegmentation(
        segmentation_id=run,
        k=int(segmenter.k_),
        kinds=kinds,
        seed=seed,
        customers=sum(s.size for s in segments),
        sample_size=int(sample.num_rows),
        stability={str(key): float(v) for key, v in segmenter.stability_.items()},
        scores={str(key): float(v) for key, v in segmenter.scores_.items()},
        segments=segments,
        seconds=time.perf_counter() - started,
        language=language,
    )
    with stores.app_db.session() as session:
        session.add(
            Segmentation(
                id=run,
                created_at=datetime.now(UTC),
                settings={"kinds": kinds, "k": k, "seed": seed},
                summary=report.as_dict(),
            )
        )
    return report


def _profiles(stores: Stores, run: str, k: int, language: str) -> list[AutoSegment]:
    from ..segments.profiles import profile_segment

    base = segment_base(stores, today=date.today())
    attributes = {a: kind for a, kind in PROFILE_ATTRIBUTES.items() if a in base.columns}
    labels = trait_labels(language)
    out = []
    table = stores.warehouse.table(ASSIGNMENTS_TABLE)
    run_rows = table.filter(table.segmentation_id == run)
    for segment_id in range(1, k + 1):
        members = run_rows.filter(run_rows[SEGMENT] == segment_id).select("customer_id")
        profile = profile_segment(base, members, attributes=attributes)
        out.append(
            AutoSegment(
                id=segment_id,
                size=int(profile.size),
                share=float(profile.customer_share or 0.0),
                revenue_share=float(profile.revenue_share or 0.0),
                mean_clv=profile.mean_clv,
                traits=[
                    {
                        "trait": t.label(language, labels),
                        "kind": t.kind,
                        "columns": list(t.columns),
                        "kinds": list(t.kinds),
                        "values": list(t.values),
                        "direction": t.direction,
                        "n_segment": t.n_segment,
                        "segment": t.segment_value,
                        "base": t.base_value,
                        "lift": t.ratio,
                        "effect": t.effect,
                        "q_value": t.q_value,
                    }
                    for t in profile.traits[:TRAITS_PER_SEGMENT]
                ],
                trait_texts=profile.trait_texts(language, labels, limit=TRAITS_PER_SEGMENT),
            )
        )
    return out


def assignments(stores: Stores, segmentation_id: str) -> ir.Table:
    """``customer_id, segment_id`` of every person in a recorded segmentation."""
    with stores.app_db.session() as session:
        known = session.scalars(select(Segmentation).where(Segmentation.id == segmentation_id))
        if known.first() is None:
            raise NotFoundError("segment.segmentation_not_found", id=segmentation_id)
    table = stores.warehouse.table(ASSIGNMENTS_TABLE)
    rows = table.filter(table.segmentation_id == segmentation_id)
    return rows.select("customer_id", SEGMENT)
