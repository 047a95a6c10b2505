"""Screenshots of the user guide (docs/user-guide.md), taken from a demo workspace.

Run it with ``make screenshots`` (or ``.venv/bin/python docs/screenshots.py``). It builds a demo
business of 2,000 customers in a temporary folder, serves the web app on a free local port,
drives Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``) with Playwright and writes PNG files
into ``docs/images/``. It needs no network: the browser only talks to the local app.
"""

# ruff: noqa: T201 (a script: it reports on the terminal)
from __future__ import annotations

import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
IMAGES = HERE / "images"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: Any = {"width": 1280, "height": 800}
USERNAME = "admin"
PASSWORD = "correct horse battery"  # noqa: S105 (the throwaway demo workspace's)
SEGMENT = "Khách quen Hà Nội"

# A small, messy customer list as shops export it: Vietnamese headers, phone numbers in every
# format, a phone column under a header the app cannot guess ("Số máy"), a bad e-mail, an
# impossible birth date, a code that repeats and a note with an unquoted comma (one field too
# many, so the row is quarantined).
MESSY_CSV = """\
Mã KH,Họ và tên,Số máy,Email,Ngày sinh,Giới tính,Tỉnh/Thành,Ghi chú
KH-9001,nguyễn thị  lan,0912 345 678,lan.nguyen@gmail.com,15/03/1990,Nữ,Hà Nội,khách quen
KH-9002,TRẦN VĂN NAM,+84 903 111 222,nam.tran@yahoo.com,1985-07-02,nam,TP.HCM,
KH-9003,Lê Thị Hồng,84-913-000-111,hong.le@gmail,02/11/1995,F,Đà Nẵng,
KH-9004,Phạm Minh Tuấn,0987.654.321,tuan.pham@gmail.com,32/13/1988,Nam,Hải Phòng,
KH-9005,Võ Thị Mai,0378 222 333,mai.vo@outlook.com,ngày 5 tháng 3 năm 1992,nữ,Cần Thơ,
KH-9006,Đặng Văn Hùng,0905 444 555,hung.dang@gmail.com,12/12/1980,Nam,Huế,gọi trước, giao sau 17h
KH-9002,Trần Văn Nam,0903111222,nam.tran@yahoo.com,02/07/1985,Nam,Hồ Chí Minh,trùng mã
KH-9007,Bùi Thị Thu,0868 777 888,thu.bui@gmail.com,20/08/2000,Nữ,Hà Nội,
"""


def build_workspace(home: Path) -> None:
    """The demo business of the tests: 2,000 people, analysed, with personas and a segment."""
    from chandung.services.analysis import run_analysis
    from chandung.services.demo import generate_demo
    from chandung.services.personas import generate_personas
    from chandung.services.segments import create_segment
    from chandung.services.stores import open_stores
    from chandung.services.users import create_user
    from chandung.workspace import Workspace

    with open_stores(Workspace.open(home)) as s:
        generate_demo(s, customers=2_000, seed=7)
        run_analysis(s)
        generate_personas(s)
        create_user(
            s, USERNAME, "admin", PASSWORD, display_name="Nguyễn Hải", check_permission=False
        )
        create_user(
            s, "lan", "analyst", PASSWORD, display_name="Trần Thị Lan", check_permission=False
        )
        create_user(
            s, "minh", "marketer", PASSWORD, display_name="Lê Quang Minh", check_permission=False
        )
        create_segment(
            s,
            SEGMENT,
            'province = "Hà Nội" and orders >= 2',
            description="Repeat buyers in Hà Nội, for the Tết campaign",
            owner=USERNAME,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(home: Path) -> Iterator[str]:
    """The web app of the workspace, served on a free local port in a thread."""
    import uvicorn

    from chandung.web import create_app
    from chandung.workspace import Workspace

    port = _free_port()
    config = uvicorn.Config(
        create_app(Workspace.open(home)), host="127.0.0.1", port=port, log_level="error"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Shooter:
    """Saves screenshots of the viewport or of one element, then makes them smaller."""

    def __init__(self, page: Any, out: Path) -> None:
        self.page = page
        self.out = out
        self.saved: list[Path] = []

    def view(self, name: str) -> None:
        path = self.out / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        self._done(path)

    def element(self, name: str, selector: str, max_height: int = 900) -> None:
        """One element (and a margin around it), cut at ``max_height`` pixels."""
        path = self.out / f"{name}.png"
        locator = self.page.locator(selector).first
        locator.scroll_into_view_if_needed()
        self.page.mouse.move(2, 400)  # nothing under the pointer: no hover highlight
        box = locator.bounding_box()
        if box is None:
            raise RuntimeError(f"{selector} is not visible on {self.page.url}")
        # A full-page capture clipped to the element: the clip may reach below the viewport.
        margin = 12
        x = max(box["x"] - margin, 0)
        y = max(box["y"] + self._scroll_y() - margin, 0)
        width = min(box["width"] + 2 * margin, VIEWPORT["width"] - x)
        height = min(box["height"] + 2 * margin, max_height)
        self.page.screenshot(
            path=str(path),
            full_page=True,
            clip={"x": x, "y": y, "width": width, "height": height},
        )
        self._done(path)

    def _scroll_y(self) -> float:
        return float(self.page.evaluate("window.scrollY"))

    def _done(self, path: Path) -> None:
        shrink(path)
        self.saved.append(path)
        print(f"  {path.name:<32} {path.stat().st_size / 1024:7.1f} KB")


def shrink(path: Path) -> None:
    """Reduce a screenshot to 256 colours when Pillow is installed (a third of the size)."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as img:
        small = img.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    small.save(path, optimize=True)


def sign_in(page: Any, url: str) -> None:
    page.goto(f"{url}/login?lang=en")
    page.get_by_label("User name").fill(USERNAME)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/")


def wait_for_job(page: Any, timeout: float = 120) -> None:
    """Wait until a page following a background task has moved on to its result."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            page.wait_for_load_state("load")
            if page.locator("[data-job]").count() == 0:
                return
        except Error:
            pass  # the page navigated while it was being looked at
        if time.monotonic() > deadline:
            raise RuntimeError(f"a background task did not finish: {page.url}")
        time.sleep(0.2)


def take(page: Any, url: str, shot: Shooter, workdir: Path) -> None:
    from playwright.sync_api import expect

    # --- signing in -----------------------------------------------------------------------
    page.goto(f"{url}/login?lang=en")
    page.get_by_label("User name").fill(USERNAME)
    shot.view("login")
    sign_in(page, url)

    # --- the overview and the value page (before the import, which makes them out of date) --
    page.goto(f"{url}/?lang=vi")
    shot.view("vi-overview")
    page.goto(f"{url}/?lang=en")
    shot.view("overview")
    shot.element("overview-pareto-clv", "main div.two")
    shot.element("overview-rfm", "section[aria-labelledby=overview-rfm]")
    shot.element("overview-cohorts", "section[aria-labelledby=overview-cohorts]", 980)
    page.goto(f"{url}/value")
    shot.view("value")
    shot.element("value-check", "section[aria-labelledby=value-check]", max_height=760)
    shot.element("value-risk", "section[aria-labelledby=value-risk]", max_height=620)

    # --- importing a file -----------------------------------------------------------------
    csv = workdir / "khach_hang_moi.csv"
    csv.write_text(MESSY_CSV, encoding="utf-8")
    page.goto(f"{url}/data")
    page.select_option("#data-kind", "customers")
    page.set_input_files("#data-file", str(csv))
    shot.view("data-upload")
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/data/uploads/*")
    # "Số máy" is not a header the app knows: say it holds the phone, then preview again.
    row = page.locator("tr", has=page.locator("label", has_text="Số máy"))
    row.locator("select").select_option("phone")
    page.get_by_role("button", name="Preview again").click()
    page.wait_for_load_state("load")
    shot.view("data-preview")
    shot.element("data-preview-problems", "section[aria-labelledby=data-problems-heading]")
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url("**/data/imports/*")
    wait_for_job(page)
    shot.view("import-report")
    page.goto(f"{url}/data/quarantine")
    shot.view("quarantine")
    page.goto(f"{url}/data/quality")
    shot.view("quality")
    page.goto(f"{url}/data/merges")
    shot.view("merges")

    # --- customers ------------------------------------------------------------------------
    page.goto(f"{url}/customers?q=nguyen thi")
    shot.view("customer-search")
    # The profile of a loyal customer (the one just imported has no order yet).
    page.locator("table.customers-table tr", has_text="Loyal").first.locator("a[data-name]").click()
    page.wait_for_url("**/customers/*")
    shot.view("customer-profile")

    # --- segments -------------------------------------------------------------------------
    page.goto(f"{url}/segments/new")
    page.fill("#segments-name", "Women 25-34, three orders or more")
    page.locator("#segments-rule").press_sequentially(
        "gender = female and age between 25 and 34 and orders >= 3",
        delay=5,
    )
    expect(page.locator("#segments-count")).to_have_text(re.compile(r"\d"), timeout=20_000)
    page.locator("#segments-rule").blur()
    page.wait_for_timeout(300)
    shot.view("segment-builder")

    page.goto(f"{url}/segments")
    shot.view("segments")
    shot.element("segments-auto", "section[aria-labelledby=segments-auto]")
    page.goto(f"{url}/segments/auto/1")
    shot.view("auto-segment")

    page.goto(f"{url}/segments/{SEGMENT}")
    page.get_by_role("button", name="Build the profile").click()
    wait_for_job(page)
    page.goto(f"{url}/segments/{SEGMENT}")
    shot.view("segment-profile")
    shot.element("segment-lifts", "section[aria-labelledby=segments-lifts]", max_height=760)

    # --- personas -------------------------------------------------------------------------
    page.goto(f"{url}/personas")
    shot.view("personas")
    first = page.locator("li.personas-card h2 a").first
    persona_href = first.get_attribute("href")
    first.click()
    page.wait_for_url("**/personas/*")
    shot.view("persona")
    section = page.locator("section.personas-section").nth(1)
    section.locator("details.personas-ev").first.locator("summary").click()
    shot.element("persona-evidence", "section.personas-section >> nth=1", max_height=700)
    shot.element("persona-edit", "section#edit", max_height=700)
    page.goto(f"{url}/personas/versions")
    shot.view("persona-versions")

    # --- exports --------------------------------------------------------------------------
    page.goto(f"{url}/exports")
    page.select_option("#exports-source", f"segment:{SEGMENT}")
    page.select_option("#exports-channel", "zalo")
    page.get_by_role("button", name="Count the audience").click()
    page.wait_for_load_state("load")
    page.fill("#exports-purpose", "Zalo campaign for Tết 2027")
    shot.view("exports")

    # --- administration -------------------------------------------------------------------
    page.goto(f"{url}/admin")
    shot.view("admin-users")
    page.goto(f"{url}/admin/tokens")
    shot.view("admin-tokens")
    page.goto(f"{url}/admin/audit")
    shot.view("admin-audit")

    # --- Vietnamese -----------------------------------------------------------------------
    page.goto(f"{url}{persona_href}?lang=vi")
    shot.view("vi-persona")
    page.goto(f"{url}/?lang=en")  # leave the language as the guide's English pages expect


def main() -> int:
    if not os.path.exists(CHROMIUM):
        print(f"Chromium is not installed ({CHROMIUM}): apt-get install chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chandung-screenshots-") as tmp:
        workdir = Path(tmp)
        os.environ["CHANDUNG_HOME"] = str(workdir / "ws")
        print("Building the demo workspace…")
        build_workspace(workdir / "ws")
        with serve(workdir / "ws") as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, locale="en-GB")
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            shot = Shooter(page, IMAGES)
            print(f"Screenshots into {IMAGES.relative_to(HERE.parent)}/:")
            try:
                take(page, url, shot, workdir)
            finally:
                browser.close()
        total = sum(p.stat().st_size for p in shot.saved)
        print(f"{len(shot.saved)} screenshots, {total / 1048576:.2f} MB in all.")
        if errors:
            print("Errors in the browser console:", *errors, sep="\n  ", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
