"""Checks of a rendered page a person would notice: things overflowing the screen, empty charts."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

#: Where screenshots go: ``CHANDUNG_SCREENSHOTS`` or ``build/screenshots`` in the repository.
SCREENSHOTS = Path(os.environ.get("CHANDUNG_SCREENSHOTS") or ROOT / "build" / "screenshots")

# Elements wider than the viewport (ignoring those inside a scrolling table wrapper, which
# scroll on purpose), and charts without any visible mark.
_PROBLEMS = """
() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width + 1) {
    out.push("page scrolls sideways: " + document.documentElement.scrollWidth + " > " + width);
  }
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".table-wrap") || el.closest("svg") || el.closest(".skip")) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > width + 1 || r.left < -1) {
      out.push("overflows: <" + el.tagName.toLowerCase() + " class='" + el.className + "'> "
               + Math.round(r.left) + ".." + Math.round(r.right) + " of " + width);
    }
  }
  for (const svg of document.querySelectorAll("svg[role=img]")) {
    const marks = [...svg.querySelectorAll("rect, path, circle, polyline, polygon, line")]
      .filter((m) => { const b = m.getBBox(); return b.width > 0 || b.height > 0; });
    if (marks.length === 0) out.push("empty chart: " + (svg.getAttribute("aria-label") || "?"));
  }
  return out.slice(0, 10);
}
"""


# What a screen reader or a keyboard user would miss: fields without a label, buttons and links
# without a name, images without a text, a page without exactly one main heading or language.
_ACCESSIBILITY = """
() => {
  const out = [];
  // checkVisibility: the content of a closed <details> keeps a box but is not shown.
  const visible = (el) => (el.checkVisibility ? el.checkVisibility()
    : !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length));
  const named = (el) => {
    if (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")) return true;
    if (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]')) return true;
    if (el.closest("label")) return true;
    return !!el.getAttribute("title");
  };
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden" || el.type === "submit" || el.type === "button") continue;
    if (!visible(el)) continue;
    const what = el.name || el.id || el.outerHTML.slice(0, 80);
    if (!named(el)) out.push("field without a label: " + what);
  }
  for (const el of document.querySelectorAll("button, a[href], input[type=submit]")) {
    if (!visible(el)) continue;
    const text = (el.innerText || el.value || "").trim();
    if (!text && !el.getAttribute("aria-label") && !el.getAttribute("title")
        && !el.querySelector("img[alt]:not([alt='']), svg title")) {
      out.push("control without a name: " + el.outerHTML.slice(0, 80));
    }
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) out.push("image without alt: " + img.src.slice(-40));
  }
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) out.push("main headings: " + h1);
  if (!document.documentElement.lang) out.push("no page language");
  return out.slice(0, 10);
}
"""


def accessibility_problems(page: Any) -> list[str]:
    """What keeps the page shown now from being read by a screen reader or used by keyboard."""
    problems: list[str] = page.evaluate(_ACCESSIBILITY)
    return problems


def layout_problems(page: Any) -> list[str]:
    """What is wrong with the layout of the page shown now (empty when nothing)."""
    problems: list[str] = page.evaluate(_PROBLEMS)
    return problems


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as a test artefact; returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-") + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path
