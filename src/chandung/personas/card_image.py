"""Persona cards as PDF and PNG: one A4 landscape page drawn with matplotlib.

The card shows what the HTML card shows (:mod:`.cards`), laid out by measuring the text as it
will be drawn: every line is wrapped at whole words by its rendered width; a section with more
lines than its panel holds shrinks its font a step, then shows its first lines and "+N more";
a line too long for its space ends with "…" at a whole word. Evidence is printed as numbered
footnotes (superscript markers after the lines, notes at the foot of the page); when there are
too many for the page they are written shorter, then grouped by section, so that the card stays
one page.

:func:`card_layout` does the layout once and reports every text drawn with its measured box and
the panel it must stay inside; the renderers draw that same layout. Text is set in DejaVu Sans
(shipped with matplotlib; it covers Vietnamese) and embedded in PDFs as TrueType, so that the
text of a PDF can be searched and copied. Characters the font cannot draw (emoji) are left out
rather than drawn as empty boxes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from matplotlib import rc_context
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from matplotlib.patches import Circle, Rectangle

from ..i18n import normalise_language, translate
from .cards import CardContent, CardSection, CardStatement, card_content

__all__ = [
    "PAGE_SIZE",
    "Box",
    "CardLayout",
    "TextItem",
    "card_layout",
    "render_card_pdf",
    "render_card_png",
    "render_deck_pdf",
]

#: A4 landscape, in inches.
PAGE_SIZE = (11.69, 8.27)
#: Resolution the PDF is laid out at (its text is measured at this size).
PDF_DPI = 144.0

_FAMILY = "DejaVu Sans"
_INK = "#1d1d1f"
_MUTED = "#4a4f57"
_PANEL = "#f4f6f8"
_TRACK = "#dde3e9"
_RULE = "#c9d0d8"
# Sizes in inches.
_MARGIN = 0.3
_GAP = 0.1
_PAD = 0.09
_HEADER = 1.3
_FIGURES = 3.3
_FOOTNOTES = 1.05
_STRIP = 0.035
# Share of a width kept free when wrapping, so that other renderers never overflow.
_SLACK = 0.985
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_ELLIPSIS = "…"
#: How evidence notes are written, from the most to the least detailed.
_NOTE_MODES = ("full", "compact", "section")


@dataclass(frozen=True)
class Box:
    """A rectangle in figure pixels, origin at the bottom left."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def inset(self, by: float) -> Box:
        return Box(self.x0 + by, self.y0 + by, self.x1 - by, self.y1 - by)

    def contains(self, other: Box, tolerance: float = 0.5) -> bool:
        """Whether ``other`` lies inside this box (give or take ``tolerance`` pixels)."""
        return (
            other.x0 >= self.x0 - tolerance
            and other.y0 >= self.y0 - tolerance
            and other.x1 <= self.x1 + tolerance
            and other.y1 <= self.y1 + tolerance
        )

    def overlaps(self, other: Box, tolerance: float = 0.5) -> bool:
        """Whether the boxes share more than ``tolerance`` pixels both across and down.

        >>> Box(0, 0, 10, 10).overlaps(Box(10, 0, 20, 10)), Box(0, 0, 10, 10).overlaps(
        ...     Box(5, 5, 20, 20))
        (False, True)
        """
        across = min(self.x1, other.x1) - max(self.x0, other.x0)
        down = min(self.y1, other.y1) - max(self.y0, other.y0)
        return across > tolerance and down > tolerance


@dataclass(frozen=True)
class TextItem:
    """A text drawn on the card: what it says, what it is, its panel and its measured box."""

    text: str
    role: str
    panel: str
    box: Box


@dataclass(eq=False)
class CardLayout:
    """A card laid out on a figure, with every text's measured box (figure pixels).

    ``panels`` names the box each text must stay inside; ``folded`` counts, by section, the
    lines shown only as "+N more"; ``notes`` are the evidence notes printed at the foot and
    ``note_mode`` how they are written (``full``, ``compact`` or grouped by ``section``).
    """

    figure: Figure
    content: CardContent
    dpi: float
    panels: dict[str, Box]
    texts: list[TextItem]
    notes: list[str]
    note_mode: str
    folded: dict[str, int] = field(default_factory=dict)

    @property
    def page(self) -> Box:
        width, height = self.figure.get_size_inches()
        return Box(0.0, 0.0, float(width) * self.dpi, float(height) * self.dpi)

    def text(self) -> str:
        """All the text of the card, one item a line (for search and tests)."""
        return "\n".join(item.text for item in self.texts)


# --------------------------------------------------------------------------- fonts


@dataclass(frozen=True)
class _Font:
    size: float
    bold: bool = False
    italic: bool = False
    colour: str = _INK

    def step(self, size: float) -> _Font:
        return _Font(size, self.bold, self.italic, self.colour)


@cache
def _font_file(bold: bool, italic: bool) -> str:
    wanted = FontProperties(
        family=_FAMILY, weight="bold" if bold else "normal", style="italic" if italic else "normal"
    )
    return findfont(wanted, fallback_to_default=False)


@cache
def _properties(size: float, bold: bool, italic: bool) -> FontProperties:
    return FontProperties(fname=_font_file(bold, italic), size=size)


@cache
def _drawable_characters() -> frozenset[int]:
    """Code points every face of the card's font can draw."""
    faces = [set(FT2Font(_font_file(b, i)).get_charmap()) for b in (False, True) for i in (0, 1)]
    return frozenset(set.intersection(*faces))


def _drawable(text: str) -> str:
    """``text`` without the characters the font has no glyph for, on one line.

    >>> _drawable("Thích 🦄 漢字 lắm\\x07")
    'Thích lắm'
    """
    known = _drawable_characters()
    kept = "".join(ch if ord(ch) in known or ch.isspace() else " " for ch in text)
    return " ".join(kept.split())


def _superscript(number: int) -> str:
    return str(number).translate(_SUPERSCRIPT)


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class _Item:
    """A text to draw, its top-left corner in figure pixels."""

    text: str
    x: float
    top: float
    font: _Font
    role: str
    panel: str


class _Measure:
    """Rendered sizes of texts, and wrapping by rendered width."""

    def __init__(self, renderer: RendererBase, dpi: float) -> None:
        self.renderer = renderer
        self.dpi = dpi
        self._sizes: dict[tuple[str, _Font], tuple[float, float]] = {}

    def px(self, inches: float) -> float:
        return inches * self.dpi

    def pt(self, points: float) -> float:
        return points * self.dpi / 72

    def size(self, text: str, font: _Font) -> tuple[float, float]:
        """Width and height of ``text`` as matplotlib lays it out (as ``Text`` measures it)."""
        key = (text, font)
        if key not in self._sizes:
            props = _properties(font.size, font.bold, font.italic)
            width, height, _ = self.renderer.get_text_width_height_descent(
                text, props, ismath=False
            )
            # Like matplotlib's Text, a line is never shorter than "lp".
            line = height if text == "lp" else self.size("lp", font)[1]
            self._sizes[key] = (width, max(height, line))
        return self._sizes[key]

    def width(self, text: str, font: _Font) -> float:
        return self.size(text, font)[0]

    def pitch(self, font: _Font) -> float:
        """Distance between the tops of two lines."""
        tallest = self.size("ẬỄỸgjpq|", font)[1]
        return max(tallest + self.pt(font.size * 0.12), self.pt(font.size * 1.28))

    def wrap(
        self, text: str, font: _Font, width: float, max_lines: int, suffix: str = ""
    ) -> tuple[list[str], bool]:
        """``text`` (then ``suffix``, glued to its last word) in lines no wider than ``width``.

        At most ``max_lines`` lines; when more are needed, the last one ends with "…" at a
        whole word (and still carries ``suffix``) and the second value is true. Only a word
        longer than a whole line is broken, between characters.
        """
        width *= _SLACK
        words = _drawable(text).split()
        if suffix:
            words = [*words[:-1], (words[-1] if words else "") + suffix]
        if not words or max_lines < 1:
            return [], bool(words)
        # Greedy, by whole words. Word widths are summed as a first guess (each word is measured
        # once); a line is measured whole only near the edge, and once more when it is done.
        space = self.width("x x", font) - self.width("xx", font)
        lines: list[str] = []
        i = 0
        while i < len(words) and len(lines) <= max_lines:
            if self.width(words[i], font) > width:
                *full, words[i] = self._break(words[i], font, width)
                lines.extend(full)
            line = [words[i]]
            guess = self.width(words[i], font)
            i += 1
            while i < len(words):
                longer = guess + space + self.width(words[i], font)
                if longer > width:
                    longer = self.width(" ".join([*line, words[i]]), font)
                    if longer > width:
                        break
                line.append(words[i])
                guess = longer
                i += 1
            # Summed widths have never been found short of the whole line's; check near the edge.
            while len(line) > 1 and guess > width * 0.95:
                if self.width(" ".join(line), font) <= width:
                    break
                line.pop()
                i -= 1
                guess = self.width(" ".join(line), font)
            lines.append(" ".join(line))
        if len(lines) <= max_lines and i >= len(words):
            return lines, False
        kept = lines[:max_lines]
        kept[-1] = self._shorten(kept[-1], font, width, suffix)
        return kept, True

    def _break(self, word: str, font: _Font, width: float) -> list[str]:
        """``word``, longer than a line, in pieces that fit (the longest first pieces)."""
        pieces: list[str] = []
        rest = word
        while rest and self.width(rest, font) > width:
            low, high = 1, len(rest)  # the longest prefix that fits is in [low, high)
            while high - low > 1:
                middle = (low + high) // 2
                if self.width(rest[:middle], font) <= width:
                    low = middle
                else:
                    high = middle
            pieces.append(rest[:low])
            rest = rest[low:]
        return [*pieces, rest] if rest else pieces

    def _shorten(self, line: str, font: _Font, width: float, suffix: str) -> str:
        words = line.split(" ")
        if suffix and words[-1].endswith(suffix):
            words[-1] = words[-1][: -len(suffix)]
        tail = _ELLIPSIS + suffix
        while words:
            candidate = " ".join(words).rstrip(" ,;:·-–—") + tail
            if self.width(candidate, font) <= width:
                return candidate
            words.pop()
        return tail


# --------------------------------------------------------------------------- notes


@dataclass
class _Notes:
    """Numbered evidence notes; a statement's marker is the number of its note."""

    mode: str
    numbers: dict[str, int] = field(default_factory=dict)
    texts: dict[int, list[str]] = field(default_factory=dict)
    heads: dict[int, str] = field(default_factory=dict)

    def copy(self) -> _Notes:
        return _Notes(
            self.mode,
            dict(self.numbers),
            {k: list(v) for k, v in self.texts.items()},
            dict(self.heads),
        )

    def marker(self, statement: CardStatement | None, group: str, heading: str) -> str:
        """The superscript number of ``statement``'s note (a new note when needed), or ""."""
        if statement is None or not statement.evidence:
            return ""
        text = statement.compact if self.mode != "full" else statement.evidence
        key = group if self.mode == "section" else text
        if key not in self.numbers:
            number = len(self.numbers) + 1
            self.numbers[key] = number
            self.texts[number] = []
            self.heads[number] = heading if self.mode == "section" else ""
        number = self.numbers[key]
        if text not in self.texts[number]:
            self.texts[number].append(text)
        return _superscript(number)

    def lines(self) -> list[tuple[int, str]]:
        out = []
        for number in sorted(self.texts):
            body = "; ".join(self.texts[number])
            head = self.heads[number]
            out.append((number, f"{head}: {body}" if head else body))
        return out


# --------------------------------------------------------------------------- planning


Shape = Callable[[Figure], None]


@dataclass
class _Plan:
    items: list[_Item] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)
    panels: dict[str, Box] = field(default_factory=dict)
    folded: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Bar:
    """A bar of the buying-criteria chart, in figure pixels: its track is the longest bar."""

    centre: float
    length: float
    height: float
    track: float


@dataclass
class _Block:
    """Lines placed in a panel, and where the next one would start."""

    items: list[_Item]
    bottom: float


class _Planner:
    def __init__(self, content: CardContent, measure: _Measure, mode: str) -> None:
        self.c = content
        self.m = measure
        self.notes = _Notes(mode)
        self.plan = _Plan()
        self.page = Box(0, 0, measure.px(PAGE_SIZE[0]), measure.px(PAGE_SIZE[1]))

    # -- helpers

    def lines(
        self,
        texts: Sequence[str],
        x: float,
        top: float,
        font: _Font,
        role: str,
        panel: str,
    ) -> _Block:
        """``texts`` one under the other from ``top``; the block ends at the last line's foot."""
        items: list[_Item] = []
        y = top
        pitch = self.m.pitch(font)
        for text in texts:
            items.append(_Item(text, x, y, font, role, panel))
            y -= max(pitch, self.m.size(text, font)[1])
        return _Block(items, y)

    def single(
        self, text: str, x: float, top: float, width: float, font: _Font, role: str, panel: str
    ) -> _Block:
        lines, _ = self.m.wrap(text, font, width, 1)
        return self.lines(lines, x, top, font, role, panel)

    def background(self, box: Box, fill: str, strip: str | None = None) -> None:
        page = self.page

        def draw(figure: Figure) -> None:
            figure.add_artist(
                Rectangle(
                    (box.x0 / page.x1, box.y0 / page.y1),
                    box.width / page.x1,
                    box.height / page.y1,
                    transform=figure.transFigure,
                    facecolor=fill,
                    edgecolor="none",
                    zorder=0,
                )
            )
            if strip is not None:
                height = self.m.px(_STRIP)
                figure.add_artist(
                    Rectangle(
                        (box.x0 / page.x1, (box.y1 - height) / page.y1),
                        box.width / page.x1,
                        height / page.y1,
                        transform=figure.transFigure,
                        facecolor=strip,
                        edgecolor="none",
                        zorder=0,
                    )
                )

        self.plan.shapes.append(draw)

    def panel(self, name: str, box: Box) -> Box:
        self.plan.panels[name] = box
        return box.inset(self.m.px(_PAD))

    # -- the page

    def run(self) -> tuple[_Plan, _Notes, bool]:
        m = self.m
        page = self.page
        margin, gap = m.px(_MARGIN), m.px(_GAP)
        top = page.y1 - margin
        header = Box(margin, top - m.px(_HEADER), page.x1 - margin, top)
        notes_box = Box(margin, margin, page.x1 - margin, margin + m.px(_FOOTNOTES))
        footer_lines = self.footer_lines(header.width - 2 * m.px(_PAD))
        footer_height = 2 * m.px(_PAD) + sum(m.pitch(font) for _, font, _ in footer_lines)
        footer = Box(
            margin, notes_box.y1 + gap, page.x1 - margin, notes_box.y1 + gap + footer_height
        )
        body = Box(margin, footer.y1 + gap, page.x1 - margin, header.y0 - gap)

        self.header(header)
        self.body(body)
        self.footer(footer, footer_lines)
        fits = self.footnotes(notes_box)
        return self.plan, self.notes, fits

    def header(self, box: Box) -> None:
        m = self.m
        c = self.c
        side = box.height
        avatar = Box(box.x0, box.y0, box.x0 + side, box.y1)
        figures = Box(box.x1 - m.px(_FIGURES), box.y0, box.x1, box.y1)
        who = Box(avatar.x1 + m.px(_GAP), box.y0, figures.x0 - m.px(_GAP), box.y1)
        self.avatar(avatar)

        # Who: name, nickname, summary.
        inner = self.panel("identity", who)
        y = inner.y1
        name_font = _Font(20, bold=True)
        for size in (20.0, 18.0, 16.0, 14.0):
            name_font = name_font.step(size)
            if m.width(_drawable(c.name), name_font) <= inner.width * _SLACK:
                break
        names, _ = m.wrap(c.name, name_font, inner.width, 2 if name_font.size <= 14 else 1)
        block = self.lines(names, inner.x0, y, name_font, "name", "identity")
        self.plan.items.extend(block.items)
        y = block.bottom
        if c.nickname:
            nick_font = _Font(11, italic=True, colour=c.accent)
            block = self.single(
                c.nickname, inner.x0, y, inner.width, nick_font, "nickname", "identity"
            )
            self.plan.items.extend(block.items)
            y = block.bottom - m.pt(3)
        if c.summary is not None:
            font = _Font(
                8.5, italic=c.summary.missing, colour=_MUTED if c.summary.missing else _INK
            )
            room = int((y - inner.y0) // m.pitch(font))
            text = self.statement_text(c.summary)
            marker = self.notes.marker(c.summary, "summary", "")
            lines, _ = m.wrap(text, font, inner.width, room, marker)
            block = self.lines(lines, inner.x0, y, font, "summary", "identity")
            self.plan.items.extend(block.items)

        # Figures: segment, then three big numbers with what they count.
        self.background(figures, _PANEL, c.accent)
        inner = self.panel("figures", figures)
        y = inner.y1 - m.px(_STRIP)
        if c.segment:
            font = _Font(7, colour=_MUTED)
            block = self.single(c.segment, inner.x0, y, inner.width, font, "segment", "figures")
            self.plan.items.extend(block.items)
            y = block.bottom - m.pt(2)
        columns = len(c.figures)
        gap = m.px(_GAP)
        width = (inner.width - gap * (columns - 1)) / columns
        for i, figure in enumerate(c.figures):
            x = inner.x0 + i * (width + gap)
            value_font = _Font(17, bold=True, colour=c.accent)
            for size in (17.0, 15.0, 13.0, 11.0):
                value_font = value_font.step(size)
                if m.width(_drawable(figure.value), value_font) <= width * _SLACK:
                    break
            block = self.single(figure.value, x, y, width, value_font, "figure", "figures")
            label_font = _Font(7, colour=_MUTED)
            room = max(1, int((block.bottom - inner.y0) // m.pitch(label_font)))
            labels, _ = m.wrap(figure.label, label_font, width, min(2, room))
            below = self.lines(labels, x, block.bottom, label_font, "figure_label", "figures")
            self.plan.items.extend(block.items + below.items)

    def avatar(self, box: Box) -> None:
        m = self.m
        c = self.c
        self.plan.panels["avatar"] = box
        diameter = min(box.width, box.height) * 0.92
        cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        page = self.page

        def draw(figure: Figure) -> None:
            axes = figure.add_axes(
                (
                    (cx - diameter / 2) / page.x1,
                    (cy - diameter / 2) / page.y1,
                    diameter / page.x1,
                    diameter / page.y1,
                ),
                zorder=1,
            )
            axes.set_axis_off()
            axes.set_xlim(-1, 1)
            axes.set_ylim(-1, 1)
            axes.add_patch(Circle((0, 0), 0.98, facecolor=c.avatar_colour, edgecolor="none"))

        self.plan.shapes.append(draw)
        font = _Font(30, bold=True, colour="#ffffff")
        letters = _drawable(c.initials) or "?"
        for size in (30.0, 26.0, 22.0, 18.0, 14.0):
            font = font.step(size)
            if m.width(letters, font) <= diameter * 0.62:
                break
        width, height = m.size(letters, font)
        self.plan.items.append(
            _Item(letters, cx - width / 2, cy + height / 2, font, "initials", "avatar")
        )

    def statement_text(self, statement: CardStatement) -> str:
        if statement.missing:
            return f"{translate('persona.card.missing', self.c.language)}: {statement.text}"
        return statement.text

    # -- the body: one panel a section

    def body(self, box: Box) -> None:
        sections = self.c.sections
        if not sections:
            return
        gap = self.m.px(_GAP)
        rows = 1 if len(sections) <= 3 else 2
        first = math.ceil(len(sections) / rows)
        height = (box.height - gap * (rows - 1)) / rows
        for row, chunk in enumerate((sections[:first], sections[first:])):
            if not chunk:
                continue
            width = (box.width - gap * (len(chunk) - 1)) / len(chunk)
            y1 = box.y1 - row * (height + gap)
            for i, section in enumerate(chunk):
                x0 = box.x0 + i * (width + gap)
                cell = Box(x0, y1 - height, x0 + width, y1)
                self.section(section, cell)

    def section(self, section: CardSection, box: Box) -> None:
        m = self.m
        self.background(box, _PANEL, self.c.accent)
        inner = self.panel(section.name, box)
        heading_font = _Font(9.5, bold=True, colour=self.c.accent)
        block = self.single(
            section.heading,
            inner.x0,
            inner.y1 - m.px(_STRIP),
            inner.width,
            heading_font,
            "heading",
            section.name,
        )
        self.plan.items.extend(block.items)
        area = Box(inner.x0, inner.y0, inner.x1, block.bottom - m.pt(2))
        if not section.statements:
            font = _Font(8, italic=True, colour=_MUTED)
            block = self.single(
                translate("persona.card.empty", self.c.language),
                area.x0,
                area.y1,
                area.width,
                font,
                "empty",
                section.name,
            )
            self.plan.items.extend(block.items)
            return
        if section.chart:
            self.chart(section, area)
        elif section.name == "quotes":
            self.statements(section, area, sizes=(10.0, 9.0, 8.0), bullet=False, quote=True)
        else:
            self.statements(section, area, sizes=(8.0, 7.5, 7.0), bullet=True, quote=False)

    def statements(
        self,
        section: CardSection,
        area: Box,
        *,
        sizes: Sequence[float],
        bullet: bool,
        quote: bool,
    ) -> None:
        best: tuple[list[_Item], _Notes, int] | None = None
        for size in sizes:
            items, notes, shown, clipped = self.try_statements(section, area, size, bullet, quote)
            best = (items, notes, shown)
            if shown == len(section.statements) and not clipped:
                break
        assert best is not None
        items, notes, shown = best
        self.plan.items.extend(items)
        self.notes = notes
        if shown < len(section.statements):
            self.plan.folded[section.name] = len(section.statements) - shown

    def try_statements(
        self, section: CardSection, area: Box, size: float, bullet: bool, quote: bool
    ) -> tuple[list[_Item], _Notes, int, bool]:
        """Lay the section's lines out at ``size``; returns items, notes, lines shown, clipped."""
        m = self.m
        notes = self.notes.copy()
        more_font = _Font(size, italic=True, colour=_MUTED)
        more_height = m.pitch(more_font)
        indent = m.width("• ", _Font(size)) if bullet else 0.0
        width = area.width - indent
        items: list[_Item] = []
        y = area.y1
        shown = 0
        clipped = False
        total = len(section.statements)
        for i, statement in enumerate(section.statements):
            font = _Font(
                size,
                italic=quote or statement.missing,
                colour=_MUTED if statement.missing else _INK,
            )
            pitch = m.pitch(font)
            gap = m.pt(size * 0.35)
            # Room for "+N more" (and the gap above it) stays free while lines may follow.
            reserve = more_height + gap if i < total - 1 else 0.0
            room = int((y - area.y0 - reserve) // pitch)
            text = self.statement_text(statement)
            if quote and not statement.missing:
                text = f"“{text}”"
            trial = notes.copy()
            marker = trial.marker(statement, section.name, section.heading)
            natural, _ = m.wrap(text, font, width, 6 if not quote else 40, marker)
            if room < min(2, len(natural)) or room < 1:
                break
            lines, cut = m.wrap(text, font, width, min(room, 6 if not quote else 40), marker)
            block = self.lines(lines, area.x0 + indent, y, font, "statement", section.name)
            while block.bottom < area.y0 + reserve - 0.5 and len(lines) > 1:
                lines, cut = m.wrap(text, font, width, len(lines) - 1, marker)
                block = self.lines(lines, area.x0 + indent, y, font, "statement", section.name)
            if block.bottom < area.y0 + reserve - 0.5:
                break
            if bullet:
                items.append(
                    _Item(
                        "•", area.x0, y, _Font(size, colour=self.c.accent), "bullet", section.name
                    )
                )
            items.extend(block.items)
            notes = trial
            clipped = clipped or cut
            shown += 1
            y = block.bottom - gap
        if shown < total:
            more = translate("persona.card.more", self.c.language, count=total - shown)
            lines, _ = m.wrap(more, more_font, area.width, 1)
            y = min(y, area.y1)
            if y - more_height < area.y0 - 0.5:
                return items, notes, shown, True
            items.extend(self.lines(lines, area.x0, y, more_font, "more", section.name).items)
        return items, notes, shown, clipped

    def chart(self, section: CardSection, area: Box) -> None:
        best: tuple[list[_Item], list[_Bar], _Notes, int] | None = None
        for size in (7.5, 7.0, 6.5):
            items, bars, notes, shown, clipped = self.try_chart(section, area, size)
            best = (items, bars, notes, shown)
            if shown == len(section.statements) and not clipped:
                break
        assert best is not None
        items, bars, notes, shown = best
        self.plan.items.extend(items)
        self.notes = notes
        if shown < len(section.statements):
            self.plan.folded[section.name] = len(section.statements) - shown
        page = self.page
        accent = self.c.accent

        def draw(figure: Figure) -> None:
            if not bars:
                return
            axes = figure.add_axes(
                (
                    area.x0 / page.x1,
                    area.y0 / page.y1,
                    area.width / page.x1,
                    area.height / page.y1,
                ),
                zorder=1,
            )
            axes.set_axis_off()
            axes.set_xlim(area.x0, area.x1)
            axes.set_ylim(area.y0, area.y1)
            centres = [b.centre for b in bars]
            heights = [b.height for b in bars]
            tracks = [b.track for b in bars]
            lengths = [b.length for b in bars]
            axes.barh(centres, tracks, height=heights, left=area.x0, color=_TRACK, linewidth=0)
            axes.barh(centres, lengths, height=heights, left=area.x0, color=accent, linewidth=0)

        self.plan.shapes.append(draw)

    def try_chart(
        self, section: CardSection, area: Box, size: float
    ) -> tuple[list[_Item], list[_Bar], _Notes, int, bool]:
        m = self.m
        notes = self.notes.copy()
        label_font = _Font(size)
        value_font = _Font(size, bold=True, colour=self.c.accent)
        more_font = _Font(size, italic=True, colour=_MUTED)
        more_height = m.pitch(more_font)
        values = [s.weight_text for s in section.statements if s.weight_text]
        value_width = max((m.width(v, value_font) for v in values), default=0.0)
        gap = m.pt(4)
        longest = max(area.width - value_width - gap, area.width * 0.2)
        items: list[_Item] = []
        bars: list[_Bar] = []
        y = area.y1
        shown = 0
        clipped = False
        total = len(section.statements)
        row_gap = m.pt(size * 0.4)
        for i, statement in enumerate(section.statements):
            reserve = more_height + row_gap if i < total - 1 else 0.0
            bar = statement.weight is not None and not statement.missing
            font = label_font if not statement.missing else _Font(size, italic=True, colour=_MUTED)
            pitch = m.pitch(font)
            trial = notes.copy()
            marker = trial.marker(statement, section.name, section.heading)
            value_height = m.pitch(value_font) if bar else 0.0
            room = int((y - area.y0 - reserve - value_height) // pitch)
            if room < 1:
                break
            lines, cut = m.wrap(
                self.statement_text(statement), font, area.width, min(room, 2), marker
            )
            block = self.lines(lines, area.x0, y, font, "statement", section.name)
            bottom = block.bottom
            row: list[_Item] = list(block.items)
            if bar:
                share = section.bar_share(statement) / 100
                length = max(longest * share, m.pt(1))
                _, height = m.size(statement.weight_text, value_font)
                centre = bottom - height / 2
                bars.append(_Bar(centre, length, height * 0.62, longest))
                row.append(
                    _Item(
                        statement.weight_text,
                        area.x0 + length + gap,
                        bottom,
                        value_font,
                        "value",
                        section.name,
                    )
                )
                bottom -= max(value_height, height)
            if bottom < area.y0 + reserve - 0.5:
                if bar:
                    bars.pop()
                break
            items.extend(row)
            notes = trial
            clipped = clipped or cut
            shown += 1
            y = bottom - row_gap
        if shown < total:
            more = translate("persona.card.more", self.c.language, count=total - shown)
            lines, _ = m.wrap(more, more_font, area.width, 1)
            if y - more_height < area.y0 - 0.5:
                return items, bars, notes, shown, True
            items.extend(self.lines(lines, area.x0, y, more_font, "more", section.name).items)
        return items, bars, notes, shown, clipped

    # -- the foot: data confidence, notes, then the evidence notes

    def footer_lines(self, width: float) -> list[tuple[str, _Font, str]]:
        c = self.c
        out: list[tuple[str, _Font, str]] = []
        font = _Font(6.5, colour=_MUTED)
        lines, _ = self.m.wrap(f"{c.quality} · {c.version}", font, width, 1)
        out.extend((line, font, "quality") for line in lines)
        if c.notes:
            note_font = _Font(6.5)
            text = f"{translate('persona.card.notes', self.c.language)}: " + " · ".join(c.notes)
            lines, _ = self.m.wrap(text, note_font, width, 2)
            out.extend((line, note_font, "note") for line in lines)
        return out

    def footer(self, box: Box, lines: Sequence[tuple[str, _Font, str]]) -> None:
        inner = self.panel("footer", box)
        y = inner.y1
        for text, font, role in lines:
            block = self.lines([text], inner.x0, y, font, role, "footer")
            self.plan.items.extend(block.items)
            y = block.bottom

    def footnotes(self, box: Box) -> bool:
        """Lay the evidence notes out in columns; false when they do not all fit."""
        m = self.m
        page = self.page
        self.plan.panels["footnotes"] = box

        def rule(figure: Figure) -> None:
            figure.add_artist(
                Rectangle(
                    (box.x0 / page.x1, (box.y1 - m.pt(0.6)) / page.y1),
                    box.width / page.x1,
                    m.pt(0.6) / page.y1,
                    transform=figure.transFigure,
                    facecolor=_RULE,
                    edgecolor="none",
                )
            )

        self.plan.shapes.append(rule)
        notes = self.notes.lines()
        if not notes:
            return True
        final = self.notes.mode == _NOTE_MODES[-1]
        size = 5.5 if self.notes.mode == "full" else 5.0
        font = _Font(size, colour=_MUTED)
        marker_font = _Font(size, bold=True, colour=_MUTED)
        columns = 4
        gap = m.px(0.15)
        top = box.y1 - m.pt(3)
        width = (box.width - gap * (columns - 1)) / columns
        indent = m.width(_superscript(len(notes)) + "  ", marker_font)
        column = 0
        y = top
        title_font = _Font(6, bold=True, colour=_MUTED)
        title = self.single(
            translate("persona.card.ev_label", self.c.language),
            box.x0,
            y,
            width,
            title_font,
            "notes_title",
            "footnotes",
        )
        items: list[_Item] = list(title.items)
        y = title.bottom
        placed: list[tuple[int, list[_Item], float]] = []  # column, items, foot of each note
        max_lines = 3 if self.notes.mode == "section" else 2
        pitch = m.pitch(font)
        for number, text in notes:
            lines, _ = m.wrap(text, font, width - indent, max_lines)
            needed = pitch * len(lines)
            while y - needed < box.y0 - 0.5:
                column += 1
                y = top
                if column >= columns:
                    break
            if column >= columns:
                if not final:
                    return False
                break
            x = box.x0 + column * (width + gap)
            note = [_Item(_superscript(number), x, y, marker_font, "note_marker", "footnotes")]
            block = self.lines(lines, x + indent, y, font, "note", "footnotes")
            note.extend(block.items)
            placed.append((column, note, block.bottom))
            y = block.bottom
        if len(placed) < len(notes):
            # Only when grouped by section and still too many: say how many are left out.
            while True:
                left = len(notes) - len(placed)
                more = translate("persona.card.footnotes_more", self.c.language, count=left)
                lines, _ = m.wrap(more, font, width, 1)
                last_column = placed[-1][0] if placed else 0
                bottom = placed[-1][2] if placed else top
                if bottom - pitch >= box.y0 - 0.5 or not placed:
                    x = box.x0 + last_column * (width + gap)
                    items.extend(self.lines(lines, x, bottom, font, "note_more", "footnotes").items)
                    break
                placed.pop()
        for _, note, _ in placed:
            items.extend(note)
        self.plan.items.extend(items)
        return True


# --------------------------------------------------------------------------- drawing


@contextmanager
def _style() -> Iterator[None]:
    """Settings every card is measured and drawn with (TrueType fonts embedded in PDFs)."""
    with rc_context(
        {
            "pdf.fonttype": 42,
            "ps.fonttype": 42,
            "svg.fonttype": "none",
            "text.hinting": "no_hinting",
            "font.family": _FAMILY,
        }
    ):
        yield


def _layout(persona: Mapping[str, Any], language: str, dpi: float) -> CardLayout:
    content = card_content(persona, language=normalise_language(language))
    figure = Figure(figsize=PAGE_SIZE, dpi=dpi, facecolor="#ffffff")
    # Measured with the Agg renderer whatever the output; the PDF uses the same font metrics.
    renderer: RendererBase = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    measure = _Measure(renderer, dpi)
    for mode in _NOTE_MODES:
        plan, notes, fits = _Planner(content, measure, mode).run()
        if fits:
            break
    page = Box(0, 0, measure.px(PAGE_SIZE[0]), measure.px(PAGE_SIZE[1]))
    for shape in plan.shapes:
        shape(figure)
    drawn = []
    for item in plan.items:
        text = figure.text(
            item.x / page.x1,
            item.top / page.y1,
            item.text,
            fontproperties=_properties(item.font.size, item.font.bold, item.font.italic),
            color=item.font.colour,
            ha="left",
            va="top",
            parse_math=False,
            zorder=3,
        )
        drawn.append((item, text))
    texts = []
    for item, text in drawn:
        extent = text.get_window_extent(renderer)
        box = Box(float(extent.x0), float(extent.y0), float(extent.x1), float(extent.y1))
        texts.append(TextItem(item.text, item.role, item.panel, box))
    return CardLayout(
        figure=figure,
        content=content,
        dpi=dpi,
        panels=dict(plan.panels),
        texts=texts,
        notes=[f"{_superscript(n)} {text}" for n, text in notes.lines()],
        note_mode=notes.mode,
        folded=dict(plan.folded),
    )


def card_layout(persona: Mapping[str, Any], *, language: str, dpi: float = 100.0) -> CardLayout:
    """Lay ``persona``'s card out on an A4 landscape figure, measured at ``dpi``.

    The renderers draw this layout; tests check its report (every text inside its panel and
    the page, no two texts overlapping).
    """
    with _style():
        return _layout(persona, language, dpi)


def render_card_png(persona: Mapping[str, Any], *, language: str, dpi: int = 150) -> bytes:
    """The card of ``persona`` as a PNG image (A4 landscape at ``dpi``)."""
    with _style():
        layout = _layout(persona, language, float(dpi))
        buffer = io.BytesIO()
        layout.figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": "chandung"})
    return buffer.getvalue()


def _pdf_metadata(title: str) -> dict[str, Any]:
    return {"Title": title, "Creator": "chandung", "Producer": "chandung"}


def render_card_pdf(persona: Mapping[str, Any], *, language: str) -> bytes:
    """The card of ``persona`` as a one-page PDF (A4 landscape, fonts embedded)."""
    language = normalise_language(language)
    with _style():
        layout = _layout(persona, language, PDF_DPI)
        title = translate("persona.card.title", language, name=layout.content.name)
        buffer = io.BytesIO()
        layout.figure.savefig(buffer, format="pdf", metadata=_pdf_metadata(title))
    return buffer.getvalue()


def render_deck_pdf(personas: Sequence[Mapping[str, Any]], *, language: str) -> bytes:
    """The cards of all ``personas`` in one PDF, one page each, in the order given.

    Raises
    ------
    ValueError
        When there is no persona: a PDF needs at least one page.
    """
    if not personas:
        raise ValueError("a deck needs at least one persona")
    language = normalise_language(language)
    title = translate("persona.card.deck_title", language, count=len(personas))
    buffer = io.BytesIO()
    with _style(), PdfPages(buffer, metadata=_pdf_metadata(title)) as pdf:
        for persona in personas:
            layout = _layout(persona, language, PDF_DPI)
            pdf.savefig(layout.figure)
    return buffer.getvalue()
