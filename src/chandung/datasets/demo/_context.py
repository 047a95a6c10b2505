"""What the tables of one chunk are drawn from: its people, their orders and their ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ._arrow import IntArray
from ._calendar import Calendar
from ._catalogue import Catalogue
from ._groups import PlantedGroup
from ._orders import Items, Orders
from ._people import People

if TYPE_CHECKING:
    from ._marketing import Campaigns


@dataclass(frozen=True)
class Chunk:
    """A chunk's people and purchases, once simulated, with the ids they are written with.

    Attributes
    ----------
    rng
        The chunk's random generator (shared: draws happen in a fixed order).
    seen
        When each customer record was first seen (µs since 1970).
    acquisition
        Sales channel of each record's first contact.
    """

    rng: np.random.Generator
    groups: tuple[PlantedGroup, ...]
    calendar: Calendar
    catalogue: Catalogue
    campaigns: Campaigns
    people: People
    customer_ids: pa.Array
    seen: IntArray
    acquisition: IntArray
    orders: Orders
    order_ids: pa.Array
    items: Items
    import_batch: str
