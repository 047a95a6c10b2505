"""Server time of every page and API read of the web app, on a large analysed workspace.

Needs a workspace with an analysed demo business, its automatic segmentation and personas
(``chandung demo --no-serve --customers 1000000 --home DIR``, ``chandung segment auto --home
DIR``, ``chandung personas generate --home DIR``). Signs in as an administrator (created for
the benchmark if missing), requests every GET page and API resource of the app, the ones with
an id filled in from the workspace, once to warm up and then ``--repeat`` times, and reads the
server's own time from the ``Server-Timing`` header (what the browser waits for minus the
network). The target is 300 ms per page at 1,000,000 customers.

    python benchmarks/web.py --home /path/to/workspace [--repeat 5] [--no-write]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from skeleton import machine

from chandung.services.segments import create_segment, list_segments
from chandung.services.stores import open_stores
from chandung.services.users import create_user, list_users, set_password
from chandung.web import create_app
from chandung.web.auth import flat_routes
from chandung.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- web:begin -->", "<!-- web:end -->"
TARGET_MS = 300.0
USER = "benchmark-admin"
LIVE_RULE = "orders >= 2 and gender = 'female'"
SEGMENT, SEGMENT_RULE = "benchmark-repeat-buyers", "orders >= 2"
#: Pages that start work rather than show it, or stream a file: not page views.
SKIP = re.compile(r"(\.pdf|\.png|\.csv|/export|/download|/verify)$")


def _ids(client: TestClient) -> dict[str, str]:
    """Values for the path placeholders, taken from the app's own API."""
    ids: dict[str, str] = {}
    customers = client.get("/api/v1/customers", params={"limit": 1}).json()["customers"]
    if customers:
        ids["person_id"] = str(customers[0]["customer_id"])
    personas = client.get("/api/v1/personas").json()
    items = personas.get("personas", personas) if isinstance(personas, dict) else personas
    if items:
        ids["persona_id"] = str(items[0]["id"])
    segments = client.get("/api/v1/segments").json()
    saved = segments.get("segments", []) if isinstance(segments, dict) else []
    if saved:
        ids["name"] = str(saved[0]["name"])
    return ids


def _sign_in(client: TestClient, password: str) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    r = client.post(
        "/login",
        data={"username": USER, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    if r.status_code != 303:
        raise SystemExit(f"could not sign in: {r.status_code}")


def _server_ms(response: Any) -> float:
    timing = response.headers.get("server-timing", "")
    found = re.search(r"dur=([\d.]+)", timing)
    return float(found.group(1)) if found else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    workspace = Workspace.open(args.home, create=False)
    with open_stores(workspace) as stores:
        if not any(u.username == USER for u in list_users(stores)):
            create_user(stores, USER, "admin", None, check_permission=False)
        password = set_password(stores, USER)
        assert password is not None
        people = stores.warehouse.table("customers").count().execute()
        if not any(s.name == SEGMENT for s in list_segments(stores)):
            create_segment(stores, SEGMENT, SEGMENT_RULE, description="benchmark")

    app = create_app(workspace)
    results: list[tuple[str, float, float, int]] = []
    with TestClient(app) as client:
        _sign_in(client, password)
        ids = _ids(client)
        ids.setdefault("name", SEGMENT)
        # A segment's profile is built by a background task a person starts from its page;
        # the page and its API then read the kept result. Build it first, as a person would.
        started = client.post(
            f"/segments/{SEGMENT}/profile",
            data={"csrf_token": _csrf(client)},
            follow_redirects=False,
        )
        job = str(started.headers.get("location", "")).partition("job=")[2]
        while job and client.get(f"/api/v1/jobs/{job}").json()["status"] not in ("done", "failed"):
            time.sleep(0.5)
        paths: list[str] = []
        for route in flat_routes(app.routes):
            if not isinstance(route, APIRoute) or "GET" not in route.methods:
                continue
            path = route.path
            if SKIP.search(path) or path in ("/healthz", "/login", "/api/v1/openapi.json"):
                continue
            names = re.findall(r"{(\w+)}", path)
            if any(n not in ids for n in names):
                continue
            for n in names:
                path = path.replace("{" + n + "}", ids[n])
            paths.append(path)
        if "person_id" in ids:
            paths.append("/customers?q=nguyen+van")
        for path in paths:
            first = client.get(path)
            if first.status_code >= 400:
                print(f"{path}: HTTP {first.status_code}, skipped")
                continue
            times = [_server_ms(client.get(path)) for _ in range(args.repeat)]
            results.append((path, statistics.median(times), max(times), len(first.content)))
            print(f"{path:50s} median {results[-1][1]:7.1f} ms  max {results[-1][2]:7.1f} ms")
        count = client.post(
            "/api/v1/segments/count",
            json={"rule": LIVE_RULE},
            headers={"X-CSRF-Token": _csrf(client)},
        )
        if count.status_code == 200:
            times = [
                _server_ms(
                    client.post(
                        "/api/v1/segments/count",
                        json={"rule": LIVE_RULE},
                        headers={"X-CSRF-Token": _csrf(client)},
                    )
                )
                for _ in range(args.repeat)
            ]
            results.append(
                ("POST /api/v1/segments/count (live count)", statistics.median(times),
                 max(times), len(count.content))
            )  # fmt: skip
    slow = [r for r in results if r[1] > TARGET_MS]
    print(f"{len(results)} pages, {len(slow)} over {TARGET_MS:.0f} ms")
    if args.no_write:
        return
    lines = [
        BEGIN,
        f"Measured {date.today().isoformat()} on {machine()}, with "
        f"`python benchmarks/web.py --home DIR` on the analysed demo business "
        f"({people:,} customer records), {args.repeat} requests per page after one to warm up; "
        f"server time from the `Server-Timing` header. Target: {TARGET_MS:.0f} ms.",
        "",
        "| page | median | slowest | size |",
        "|---|---:|---:|---:|",
        *(
            f"| `{p}` | {m:.0f} ms | {mx:.0f} ms | {size / 1024:,.0f} KiB |"
            for p, m, mx, size in results
        ),
        END,
    ]
    text = DOC.read_text("utf-8")
    if BEGIN in text:
        head, rest = text.split(BEGIN, 1)
        text = head + "\n".join(lines) + rest.split(END, 1)[1]
    else:
        text = (
            text.rstrip()
            + "\n\n## Web pages (`benchmarks/web.py`)\n\nPages render from results the "
            "analysis stored; what they still ask of the warehouse is bounded (a page of "
            "rows, a count over the materialised segment base), so their time does not grow "
            "with the number of orders.\n\n" + "\n".join(lines) + "\n"
        )
    DOC.write_text(text, encoding="utf-8")


def _csrf(client: TestClient) -> str:
    page = client.get("/").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1) if found else ""


if __name__ == "__main__":
    main()
