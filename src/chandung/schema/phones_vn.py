"""Vietnam's mobile numbering change of 2018: old 11-digit prefixes and their new forms.

Keys and values are written without the trunk 0 ("162" → "32": 0162 xxx xxxx became
032 xxx xxxx). The same person appears in old and new forms in real files.
"""

from __future__ import annotations

OLD_MOBILE_PREFIXES: dict[str, str] = {
    "162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37",
    "168": "38", "169": "39",
    "120": "70", "121": "79", "122": "77", "126": "76", "128": "78",
    "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
    "186": "56", "188": "58", "199": "59",
}  # fmt: skip
