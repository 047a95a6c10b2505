"""Who is not our target: people who never bought but look like a segment's customers.

Among the people of the customer file who never bought (registrations, leads turned records,
visitors who left their details), those closest to the members of a segment are the ones a
campaign for that segment also reaches. What sets them apart from the buyers (the traits with
the largest gap) says whether to stop spending on them or to change the offer.

Closeness is measured on what a non-buyer has too (who they are, their devices, how they
came), never on purchases: numeric attributes standardised on the members
(``((x − mean) / sd)²``), and for each categorical attribute the share of members who differ
from the person (1 − the share of members with the person's value). All of it is computed in
the warehouse; a non-buyer is a look-alike when closer to the members' centre than half of
the members themselves are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from ..segments.profiles import compare_segments
from ..segments.rules import compile_rule, parse_rule
from .segment_base import segment_base
from .segments import PROFILE_ATTRIBUTES, _saved, field_catalogue
from .stores import Stores

#: What closeness is measured on: what someone who never bought has too.
CATEGORICAL = (
    "gender", "age_band", "province", "occupation", "education", "marital_status",
    "primary_device", "platform", "acquisition_channel", "preferred_contact_channel",
)  # fmt: skip
NUMERIC = ("age", "monthly_income_vnd", "children_count")
#: Differences reported.
TOP_DIFFERENCES = 8


@dataclass(frozen=True)
class NotTargetReport:
    segment: str
    members: int
    non_buyers: int
    lookalikes: int
    lookalike_share: float
    differences: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def not_target(stores: Stores, name: str) -> NotTargetReport:
    """The non-buyers most like the members of segment ``name``, and how they differ."""
    today = date.today()
    base = segment_base(stores, today=today)
    rule = parse_rule(_saved(stores, name).rule, field_catalogue(base))
    inside = compile_rule(rule, base, today=today)
    bought = base.bought.fill_null(False) if "bought" in base.columns else ibis.literal(False)
    members = base.filter(inside & bought)
    numeric = [c for c in NUMERIC if c in base.columns]
    categorical = [c for c in CATEGORICAL if c in base.columns]
    stats = (
        members.aggregate(
            _n=members.count(),
            **{f"m_{c}": members[c].cast("float64").mean() for c in numeric},
            **{f"s_{c}": members[c].cast("float64").std() for c in numeric},
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    n = int(stats["_n"] or 0)
    distance: ir.NumericValue = ibis.literal(0.0)
    for c in numeric:
        mean, sd = stats[f"m_{c}"], stats[f"s_{c}"]
        if mean is None or not sd:
            continue
        z = (base[c].cast("float64") - mean) / sd
        distance = distance + z.isnull().ifelse(0.0, z * z)
    for c in categorical:
        counts = members.group_by(c).aggregate(_k=members.count()).to_pyarrow().to_pylist()
        shares = [(r[c], r["_k"] / n) for r in counts if r[c] is not None and n]
        if not shares:
            continue
        agree = ibis.cases(*[(base[c] == v, s) for v, s in shares], else_=0.0)
        distance = distance + base[c].isnull().ifelse(0.0, 1.0 - agree)
    scored = base.mutate(_distance=distance)
    cut = scored.filter(inside & bought)._distance.quantile(0.5).to_pyarrow().as_py() if n else None
    never = scored.filter(~bought)
    non_buyers = int(never.count().to_pyarrow().as_py())
    if cut is None:
        return NotTargetReport(name, n, non_buyers, 0, 0.0)
    lookalike = ~bought & (scored._distance <= cut)
    count = int(scored.filter(lookalike).count().to_pyarrow().as_py())
    attributes = {k: v for k, v in PROFILE_ATTRIBUTES.items() if k in categorical + numeric}
    comparison = compare_segments(
        scored, lookalike, inside & bought, attributes=attributes, revenue_column=None,
        clv_column=None, alive_column=None,
    )  # fmt: skip
    return NotTargetReport(
        segment=name,
        members=n,
        non_buyers=non_buyers,
        lookalikes=count,
        lookalike_share=count / non_buyers if non_buyers else 0.0,
        differences=[d.as_dict() for d in comparison.top_differences(TOP_DIFFERENCES)],
    )
