"""Persona speed: ``personas generate`` and card rendering, on an analysed demo workspace.

Needs a workspace with an analysed, segmented demo business (``chandung demo --no-serve
--customers N --home DIR`` then ``chandung segment auto --home DIR``). Measures, each in a
fresh process with its peak memory:

- ``chandung personas generate`` from the latest automatic segmentation (facts gathered in the
  warehouse, personas written, quality with 200 bootstrap replicates, version stored);
- the PDF card of the first persona and the deck of all of them.

    python benchmarks/personas.py --home /path/to/workspace [--no-write]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from skeleton import machine, timed

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- personas:begin -->", "<!-- personas:end -->"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    cli = [sys.executable, "-m", "chandung", "--home", args.home, "personas"]
    gen_s, gen_peak, out = timed([*cli, "generate", "--json"])
    report = json.loads(out)
    people = sum(p["size"] for p in report["personas"])
    with tempfile.TemporaryDirectory() as folder:
        first = report["personas"][0]["id"]
        card = str(Path(folder) / "card.pdf")
        card_s, card_peak, _ = timed([*cli, "card", first, "--format", "pdf", "-o", card])
        deck_s, deck_peak, _ = timed([*cli, "deck", "-o", str(Path(folder) / "deck.pdf")])
    count = len(report["personas"])
    print(f"generate: {gen_s:.1f} s, {count} personas of {people:,} people, {gen_peak:,.0f} MiB")
    print(f"card: {card_s:.1f} s, {card_peak:,.0f} MiB; deck: {deck_s:.1f} s, {deck_peak:,.0f} MiB")
    if args.no_write:
        return
    lines = [
        BEGIN,
        f"Measured {date.today().isoformat()} on {machine()}, with "
        f"`python benchmarks/personas.py --home DIR` on the analysed, segmented demo business "
        f"({count} personas standing for {people:,} people).",
        "",
        "| step | time | peak memory |",
        "|---|---:|---:|",
        f"| `personas generate` (facts in the warehouse, quality, version stored) "
        f"| {gen_s:.1f} s | {gen_peak:,.0f} MiB |",
        f"| `personas card P --format pdf` | {card_s:.1f} s | {card_peak:,.0f} MiB |",
        f"| `personas deck` ({count} pages) | {deck_s:.1f} s | {deck_peak:,.0f} MiB |",
        END,
    ]
    text = DOC.read_text("utf-8")
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + "\n".join(lines) + rest.split(END, 1)[1]
    else:
        text = (
            text.rstrip()
            + "\n\n## Personas (`benchmarks/personas.py`)\n\nEvery figure a persona states is "
            "a grouped aggregate computed in the warehouse; only counts, means and a few "
            "candidate quotes come into Python, so memory does not grow with the customers.\n\n"
            + "\n".join(lines)
            + "\n"
        )
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
