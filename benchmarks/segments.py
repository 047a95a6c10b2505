"""Segment speed: live rule counts and automatic segmentation, on a demo workspace.

Needs a workspace with an analysed demo business (``chandung demo --no-serve --customers N
--home DIR``). Measures, each in a fresh process with its peak memory:

- counting the members of rule segments (the whole segment base is built in the warehouse
  for each count, as ``segment show`` does);
- ``chandung segment auto`` with default settings (features built and assignments written
  in the warehouse).

    python benchmarks/segments.py --home /path/to/workspace [--no-write]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from skeleton import machine, timed

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- segments:begin -->", "<!-- segments:end -->"
RULES = (
    "gender = female and age between 25 and 34",
    'province = "Ha Noi" and predicted_clv_vnd > 2tr',
    "rfm_segment in [at_risk, cannot_lose_them] or (orders >= 5 and not consent_marketing)",
    "channels_used contains shopee and last_order_date within 90 days",
)
COUNT = """
import json, sys, time
from chandung.workspace import Workspace
from chandung.services.stores import open_stores
from chandung.services.segments import count_rule
with open_stores(Workspace.open(sys.argv[1])) as stores:
    count_rule(stores, "gender = female")  # warm the connection and catalogue
    out = []
    for rule in json.loads(sys.argv[2]):
        started = time.perf_counter()
        members, everyone = count_rule(stores, rule)
        out.append([rule, members, everyone, time.perf_counter() - started])
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    _, count_peak, out = timed([sys.executable, "-c", COUNT, args.home, json.dumps(list(RULES))])
    counts = json.loads(out)
    auto_s, auto_peak, out = timed(
        [sys.executable, "-m", "chandung", "--home", args.home, "segment", "auto", "--json"]
    )
    auto = json.loads(out)
    for rule, members, everyone, seconds in counts:
        print(f"{seconds:6.2f} s  {members:>9,} of {everyone:,}  {rule}")
    print(f"auto: {auto_s:.1f} s, k={auto['k']}, peak {auto_peak:,.0f} MiB")
    if args.no_write:
        return
    people = counts[0][2]
    lines = [
        BEGIN,
        f"Measured {date.today().isoformat()} on {machine()}, with "
        f"`python benchmarks/segments.py --home DIR` on the analysed demo business of "
        f"{people:,} people.",
        "",
        "| step | time | peak memory |",
        "|---|---:|---:|",
        *(
            f"| count of `{rule}` ({members:,} members) | {seconds:.2f} s | {count_peak:,.0f} MiB |"
            for rule, members, _, seconds in counts
        ),
        f"| `segment auto` (default settings, k = {auto['k']} chosen), features built and "
        f"assignments written in the warehouse | {auto_s:.1f} s | {auto_peak:,.0f} MiB |",
        END,
    ]
    text = DOC.read_text("utf-8")
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + "\n".join(lines) + rest.split(END, 1)[1]
    else:
        text = (
            text.rstrip()
            + "\n\n## Segments (`benchmarks/segments.py`)\n\nTargets: automatic segmentation "
            "of 1,000,000 customers, features built and assignments written in the warehouse, "
            "in under 2 minutes with under 4 GB peak memory; rule segment counts over "
            "1,000,000 customers in under a second.\n\n" + "\n".join(lines) + "\n"
        )
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
