"""A realistic demo business for Chân Dung: a Vietnamese retailer, in canonical tables.

:func:`generate` streams the data of a lifestyle retailer selling beauty, mother & baby,
fashion, home and electronics accessories online (website, app, Shopee, Lazada, Tiki, TikTok
Shop, Zalo, Facebook) and in stores, with a small B2B line. Everything is generated from a seed,
chunk by chunk, with numpy: no I/O, and memory bounded by the chunk size.

Planted structure, returned apart as ground truth (``DemoChunk.truth``):

- **Customer groups** (:func:`planted_groups`): six groups with their own demographics,
  channels, baskets, purchase rates, motivations and pain points, in ``customer_groups``.
- **Dirt**: a share ``DemoSettings.dirty_rate`` of customer records (default 5%) carries exactly
  one kind of dirt from :data:`DIRTY_KINDS`, each kind on a quarter of them (1.25% of records
  by default): duplicate records of the same person (phone in the other old/new form),
  names without diacritics, malformed e-mails and impossible birth years. Each planted record
  is listed in ``dirty_records``.

Examples
--------
>>> from chandung.datasets.demo import DemoSettings, generate
>>> chunk = next(generate(DemoSettings(customers=500, chunk_size=500)))
>>> sorted(chunk.truth)
['customer_groups', 'dirty_records']
"""

from ._dirt import BAD_EMAIL_VARIANTS, DIRTY_KINDS
from ._groups import PlantedGroup, planted_groups
from ._text import name_key, strip_diacritics
from .generator import TRUTH_SCHEMAS, DemoChunk, DemoSettings, generate

#: Name of the demo business, shown in the web app of a demo workspace.
BUSINESS_NAME = "Sen Việt Lifestyle"

__all__ = [
    "BAD_EMAIL_VARIANTS",
    "BUSINESS_NAME",
    "DIRTY_KINDS",
    "TRUTH_SCHEMAS",
    "DemoChunk",
    "DemoSettings",
    "PlantedGroup",
    "generate",
    "name_key",
    "planted_groups",
    "strip_diacritics",
]
