"""Renders ``docs/data-model.md`` from the canonical tables (``make docs`` writes it)."""

from __future__ import annotations

from .tables import LINEAGE, TABLES

INTRO = """\
# The canonical data model

Every source a business has (customer lists, POS and shop exports, CRM records, Google
Analytics exports, survey tools, support inboxes) is loaded into these tables of the warehouse.
They are defined once, in `chandung.schema.tables`; this page is rendered from that module by
`make docs`, and a test fails when the two differ.

Conventions:

- Amounts are integers in VND (`*_vnd`); times are local (Asia/Ho_Chi_Minh) without time zone.
- A column with a fixed vocabulary lists its values; imports map what a source says onto them.
- *Personal* columns identify a person: they are masked for roles without the right to see them
  and encrypted at rest.
- Columns ending in `_raw` or described "as written" keep the source's value; their normalised
  twins (`phone_e164`, `province`, `name_key`) are what analysis uses.
- Every table ends with the lineage columns `source` and `import_batch`: each row keeps where it
  came from and which import loaded it.
- Every table also has `extra_attributes`: the source columns with no canonical field, as a
  JSON object of column name to value, kept, never dropped.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_data_model() -> str:
    """The full text of ``docs/data-model.md``."""
    lines = [INTRO]
    lines.append("## Tables\n")
    lines.extend(f"- [`{t.name}`](#{t.name}): {t.description}" for t in TABLES)
    lineage = {c.name for c in LINEAGE}
    for t in TABLES:
        lines.append(f"\n## {t.name}\n")
        lines.append(t.description + "\n")
        lines.append(f"Key: {', '.join(f'`{k}`' for k in t.primary_key)}.")
        if t.references:
            refs = "; ".join(f"`{col}` → `{target}`" for col, target in t.references.items())
            lines.append(f"References: {refs}.")
        lines.append("")
        lines.append("| column | type | required | personal | description | values |")
        lines.append("|---|---|---|---|---|---|")
        for c in t.columns:
            if c.name in lineage:
                continue
            values = ", ".join(f"`{v}`" for v in c.values) if c.values else ""
            lines.append(
                f"| `{c.name}` | {c.dtype} | {'yes' if c.required else ''} | "
                f"{'yes' if c.personal else ''} | {_cell(c.description)} | {values} |"
            )
        lines.append("| *lineage* | | | | `source`, `import_batch` (see above) | |")
    return "\n".join(lines) + "\n"
