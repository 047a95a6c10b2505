"""Connected components of the match graph, computed in the warehouse.

Only records that some pair links take part: each starts labelled with its own id; at each
round every record takes the smallest label among itself and its neighbours. When no label
changes, records with the same label are one person. A record no pair names is a person on its
own, so the rounds run over the linked records (a few percent of a customer file), not all.
Rounds grow with the longest chain of links, which is short for real data (a person has a
handful of records); ``max_rounds`` stops a runaway.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

#: Materialises an expression as a table and returns it (the service passes the warehouse's).
Materialise = Callable[[ir.Table, str], ir.Table]


def connected_components(
    pairs: ir.Table, materialise: Materialise, max_rounds: int = 50
) -> ir.Table:
    """``(customer_id, person_id)`` for every record some pair links: ``person_id`` is the
    smallest id of its component."""
    # Nullable string on both sides, so unions line up whatever the engine says of the source.
    edges = pairs.select(a=pairs.left_id.cast("string"), b=pairs.right_id.cast("string"))
    edges = materialise(
        ibis.union(edges, edges.select(a=edges.b, b=edges.a), distinct=True), "edges"
    )
    nodes = edges.select(customer_id=edges.a).distinct()
    labels = materialise(nodes.mutate(person_id=nodes.customer_id), "labels_0")
    for round_number in range(1, max_rounds + 1):
        neighbour = edges.inner_join(labels, edges.b == labels.customer_id).select(
            customer_id=edges.a, person_id=labels.person_id
        )
        candidates = ibis.union(labels, neighbour, distinct=False)
        updated = materialise(
            candidates.group_by("customer_id").aggregate(person_id=candidates.person_id.min()),
            f"labels_{round_number}",
        )
        changed = (
            updated.inner_join(labels, "customer_id")
            .filter(lambda t: t.person_id != t.person_id_right)
            .count()
            .to_pyarrow()
            .as_py()
        )
        labels = updated
        if not changed:
            break
    return labels
