"""Identity resolution: which customer records are the same real person.

Deterministic rules first (the same phone in E.164 form, the same valid e-mail, the same id in
the same source), then a scored comparison of records that share a name key and birth year.
Records linked by any rule form one person (connected components, computed in the warehouse);
the person's golden record takes each field from the most recent record that has it.
"""

from .components import connected_components
from .golden import golden_records, merged_people, single_people
from .matching import MatchSettings, match_pairs

__all__ = [
    "MatchSettings",
    "connected_components",
    "golden_records",
    "match_pairs",
    "merged_people",
    "single_people",
]
