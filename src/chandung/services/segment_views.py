"""Segments shaped for pages: every saved segment counted in one query, the latest automatic
segmentation with its personas, and the field catalogue with the common values of each field.

Everything here reads what is stored (the app database, the materialised segment base) and
runs only bounded warehouse queries: one aggregate over the base for all the saved segments'
counts, and one grouped query over a fixed-size slice of the base for the fields' values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
from sqlalchemy import select

from ..errors import ChandungError, InputError, NotFoundError
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from ..privacy.context import require
from ..segments.profiles import (
    UNKNOWN,
    Labels,
    LevelDifference,
    LevelFigures,
    NumericDifference,
    SegmentProfile,
    Trait,
    attribute_label,
)
from ..segments.rules import compile_rule, parse_rule
from ..store.app_models import SavedSegment, Segmentation
from .personas import edits, latest_version, load_personas
from .segment_base import segment_base
from .segments import (
    FIELD_LEVELS,
    PROFILE_ATTRIBUTES,
    field_catalogue,
    level_labels,
    level_names,
    trait_labels,
)
from .stores import Stores

#: Rows of the segment base read to find the common values of the text fields.
LEVEL_SAMPLE = 50_000
#: A text field with more values than this in the sample gets no value suggestions.
MAX_LEVELS = 60


@dataclass(frozen=True)
class SegmentRow:
    """A saved segment and its members now (``members`` is None when its rule no longer
    fits the data, with the reason in ``error``)."""

    name: str
    description: str
    rule: str
    owner: str
    created_at: datetime
    members: int | None
    share: float | None
    error: ChandungError | None = None

    def as_dict(self, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "rule": self.rule,
            "owner": self.owner,
            "created_at": self.created_at.isoformat(),
            "members": self.members,
            "share": self.share,
            "error": self.error.as_dict(language) if self.error else None,
        }


def saved_names(stores: Stores) -> list[str]:
    """The names of the saved segments, in order (read from the app database only)."""
    require("segments.read")
    with stores.app_db.session() as session:
        return list(session.scalars(select(SavedSegment.name).order_by(SavedSegment.name)))


def saved_segment_rows(
    stores: Stores, names: Sequence[str] | None = None
) -> tuple[list[SegmentRow], int | None]:
    """The saved segments (all, or those named) by name with their member counts now, and
    the size of the base.

    All the counts come from one aggregate over the segment base, whatever the number of
    segments. The base size is None when there is nothing to count yet.

    Raises
    ------
    NotFoundError
        When one of ``names`` is not a saved segment.
    """
    require("segments.read")
    query = select(SavedSegment).order_by(SavedSegment.name)
    if names is not None:
        query = query.where(SavedSegment.name.in_(list(names)))
    with stores.app_db.session() as session:
        saved = list(session.scalars(query))
        for s in saved:
            session.expunge(s)
    missing = sorted(set(names or ()) - {s.name for s in saved})
    if missing:
        raise NotFoundError("segment.not_found", name=missing[0])
    if not saved:
        return [], None
    today = date.today()
    try:
        base = segment_base(stores, today=today)
    except NotFoundError as exc:
        return [_row(s, None, None, exc) for s in saved], None
    catalogue = field_catalogue(base)
    metrics: dict[str, ir.Scalar] = {"everyone": base.count()}
    problems: dict[int, ChandungError] = {}
    for i, s in enumerate(saved):
        try:
            inside = compile_rule(parse_rule(s.rule, catalogue), base, today=today)
        except InputError as exc:
            problems[i] = exc
            continue
        metrics[f"s{i}"] = inside.ifelse(1, 0).sum()
    row = base.aggregate(**metrics).to_pyarrow().to_pylist()[0]
    everyone = int(row["everyone"] or 0)
    out = []
    for i, s in enumerate(saved):
        if i in problems:
            out.append(_row(s, None, None, problems[i]))
            continue
        members = int(row[f"s{i}"] or 0)
        out.append(_row(s, members, members / everyone if everyone else 0.0, None))
    return out, everyone


def _row(
    s: SavedSegment, members: int | None, share: float | None, error: ChandungError | None
) -> SegmentRow:
    return SegmentRow(
        name=s.name, description=s.description, rule=s.rule, owner=s.owner,
        created_at=s.created_at, members=members, share=share, error=error,
    )  # fmt: skip


@dataclass(frozen=True)
class PersonaLink:
    """The persona written for one automatic segment."""

    id: str
    name: str


@dataclass(frozen=True)
class LatestSegmentation:
    """The most recent automatic segmentation as recorded, with the personas made from it."""

    id: str
    created_at: datetime
    settings: dict[str, Any]
    summary: dict[str, Any]
    personas: dict[int, PersonaLink] = field(default_factory=dict)

    @property
    def k(self) -> int:
        return int(self.summary.get("k") or 0)

    @property
    def stability(self) -> float | None:
        """Mean bootstrap agreement (adjusted Rand index) of the chosen number of segments."""
        value = (self.summary.get("stability") or {}).get(str(self.k))
        return float(value) if value is not None else None

    @property
    def segments(self) -> list[dict[str, Any]]:
        return list(self.summary.get("segments") or [])

    @property
    def language(self) -> str | None:
        """The language the run wrote its traits in (None for runs that did not say)."""
        value = self.summary.get("language")
        return str(value) if value else None

    def traits(self, segment: Mapping[str, Any], language: str) -> ShownTraits:
        """The traits of one of the run's segments, written in ``language``."""
        return auto_traits(segment, language, self.language)

    def segment(self, segment_id: int) -> dict[str, Any]:
        """The recorded figures of one segment of the run."""
        for s in self.segments:
            if int(s.get("id", 0)) == segment_id:
                return s
        raise NotFoundError("web_segments.auto_not_found", id=segment_id)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "language": self.language,
            "settings": self.settings,
            "k": self.k,
            "stability": self.stability,
            "customers": self.summary.get("customers"),
            "stability_by_k": self.summary.get("stability", {}),
            "segments": [
                {
                    **{k: v for k, v in s.items() if k != "traits"},
                    "traits": s.get("traits", []),
                    "persona": (
                        {"id": p.id, "name": p.name}
                        if (p := self.personas.get(int(s.get("id", 0))))
                        else None
                    ),
                }
                for s in self.segments
            ],
        }


@dataclass(frozen=True)
class ShownTraits:
    """The traits of an automatic segment as a page in some language shows them: sentences,
    and a bar (name, lift) per trait. ``language`` is the language the sentences were
    recorded in when they could not be written in the page's (a run that kept only words),
    else None."""

    texts: list[str]
    bars: list[tuple[str, float]]
    language: str | None = None


def auto_traits(
    segment: Mapping[str, Any], language: str, recorded: str | None = None
) -> ShownTraits:
    """The recorded traits of an automatic segment written in ``language``.

    A run keeps each trait's codes and figures (attribute, level, shares, lift), so its
    traits are written anew in any language. An older run kept only words in the language
    it ran in (``recorded``, or found from the words): their names are read back into codes
    where they are names this app gives; otherwise the words are shown as recorded, with
    their language.
    """
    stored = [t for t in segment.get("traits") or [] if isinstance(t, Mapping)]
    traits = [_stored_trait(t) for t in stored]
    if all(t is not None for t in traits) and (traits or not segment.get("trait_texts")):
        labels = trait_labels(language)
        known = [t for t in traits if t is not None]
        return ShownTraits(
            [t.text(language, labels) for t in known],
            [(t.label(language, labels), float(t.ratio or 0.0)) for t in known],
        )
    texts = [str(t) for t in segment.get("trait_texts") or []]
    bars = [(str(t.get("trait", "")), float(t.get("lift") or 0.0)) for t in stored]
    written = recorded or _language_of(texts)
    return ShownTraits(texts, bars, written if written and written != language else None)


def _stored_trait(data: Mapping[str, Any]) -> Trait | None:
    """A recorded trait as a :class:`Trait`: from its codes, or from its name (older runs)."""
    try:
        lift = data.get("lift")
        ratio = float(lift) if lift is not None else None
        segment, base = float(data["segment"]), float(data["base"])
        if "columns" in data and "values" in data and "kind" in data:
            return Trait(
                kind=data["kind"], columns=tuple(data["columns"]), kinds=tuple(data["kinds"]),
                values=tuple(str(v) for v in data["values"]), direction=data["direction"],
                n_segment=int(data.get("n_segment") or 0), segment_value=segment,
                base_value=base, ratio=ratio, effect=float(data.get("effect") or 0.0),
                q_value=float(data.get("q_value") or 0.0), score=0.0,
            )  # fmt: skip
    except (KeyError, TypeError, ValueError):
        return None
    named = _trait_name(str(data.get("trait", "")))
    if named is None:
        return None
    kind, column, attribute_kind, values = named
    return Trait(
        kind=kind, columns=(column,), kinds=(attribute_kind,), values=values,
        direction="over" if (ratio or 0.0) >= 1.0 else "under", n_segment=0,
        segment_value=segment, base_value=base, ratio=ratio, effect=0.0,
        q_value=float(data.get("q_value") or 0.0), score=0.0,
    )  # fmt: skip


_TraitName = tuple[Any, str, Any, tuple[str, ...]]
_NAMES: dict[str, _TraitName] = {}


def _trait_names() -> dict[str, _TraitName]:
    """Every name this app gives (or gave) a single-attribute trait, in either language:
    ``name → (kind, attribute, attribute kind, level)``."""
    if _NAMES:
        return _NAMES
    names: dict[str, _TraitName] = {}
    for language in LANGUAGES:
        styles: tuple[Labels, ...] = ({}, level_labels(language), trait_labels(language))
        for attribute, kind in PROFILE_ATTRIBUTES.items():
            if kind == "numeric":
                names[attribute_label(attribute, language)] = ("numeric", attribute, kind, ())
                continue
            codes = ("true", "false") if kind == "boolean" else FIELD_LEVELS.get(attribute, ())
            for code in (*codes, UNKNOWN):
                for labels in styles:
                    trait = Trait("level", (attribute,), (kind,), (code,), "over", 0, 0, 0,
                                  None, 0, 0, 0)  # fmt: skip
                    names.setdefault(trait.label(language, labels), ("level", attribute, kind,
                                                                     (code,)))  # fmt: skip
    _NAMES.update(names)
    return _NAMES


def _trait_name(name: str) -> _TraitName | None:
    """What a trait's recorded name is about: a name of :func:`_trait_names`, or an attribute
    with free levels written as ``segment.traits.level`` ("tỉnh/thành Hà Nội")."""
    found = _trait_names().get(name)
    if found is not None:
        return found
    for language in LANGUAGES:
        unknown = translate("segment.profile.unknown", language)
        for attribute, kind in PROFILE_ATTRIBUTES.items():
            if kind != "categorical" or attribute in FIELD_LEVELS:
                continue
            head, _, tail = translate(
                "segment.traits.level", language,
                attribute=attribute_label(attribute, language), value="\0",
            ).partition("\0")  # fmt: skip
            if name.startswith(head) and name.endswith(tail) and len(name) > len(head + tail):
                value = name[len(head) : len(name) - len(tail)]
                return ("level", attribute, kind, (UNKNOWN if value == unknown else value,))
    return None


def _language_of(texts: Sequence[str]) -> str | None:
    """The language trait sentences are written in (by the fixed words of their templates)."""
    for language in LANGUAGES:
        for key in ("level_over", "level_under", "numeric_over", "numeric_under"):
            pattern = translate(
                f"segment.traits.{key}", language,
                label="\0", segment="\0", base="\0", lift="\0", ratio="\0",
            )  # fmt: skip
            words = [w.strip() for w in pattern.split("\0") if len(w.strip()) > 2]
            if texts and words and all(w in texts[0] for w in words):
                return language
    return None


def latest_segmentation(stores: Stores) -> LatestSegmentation | None:
    """The most recent automatic segmentation, or None when there has been none."""
    require("segments.read")
    with stores.app_db.session() as session:
        found = session.scalars(
            select(Segmentation).order_by(Segmentation.created_at.desc()).limit(1)
        ).first()
        if found is None:
            return None
        run = LatestSegmentation(
            id=found.id,
            created_at=found.created_at,
            settings=dict(found.settings or {}),
            summary=dict(found.summary or {}),
        )
    return LatestSegmentation(
        run.id, run.created_at, run.settings, run.summary, _personas_of(stores, run.id)
    )


def _personas_of(stores: Stores, segmentation_id: str) -> dict[int, PersonaLink]:
    """The personas of the latest version made from the segments of ``segmentation_id``."""
    version = latest_version(stores)
    if version is None:
        return {}
    renamed = edits(stores)
    out = {}
    for persona in load_personas(stores, version):
        segment = persona.segment
        if segment.get("source") != "auto" or segment.get("segmentation_id") != segmentation_id:
            continue
        name = (renamed.get(persona.id) or {}).get("name") or persona.identity.full_name
        out[int(segment.get("id", 0))] = PersonaLink(persona.id, str(name))
    return out


@dataclass(frozen=True)
class FieldView:
    """A field a rule may use: its type, its name for people, its common values and, for a
    field with a fixed vocabulary, the name of each of its levels (by code)."""

    name: str
    type: str
    label: str
    levels: list[str] = field(default_factory=list)
    level_labels: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "type": self.type, "label": self.label, "levels": self.levels,
            "level_labels": self.level_labels,
        }  # fmt: skip


def field_label(name: str, language: str) -> str:
    """What people call the field ``name`` (the column name when the catalogue has none)."""
    return translate(
        f"web_segments.field.{name}", language, default=attribute_label(name, language)
    )


def field_views(stores: Stores, language: str, *, with_levels: bool = True) -> list[FieldView]:
    """The field catalogue, each text and list field with its common values (most frequent
    first, from the first :data:`LEVEL_SAMPLE` people of the base by id); empty before any
    data."""
    require("segments.read")
    try:
        base = segment_base(stores)
    except NotFoundError:
        return []
    catalogue = field_catalogue(base)
    levels = _cached_levels(stores, base, catalogue) if with_levels else {}
    return [
        FieldView(
            name, info.type, field_label(name, language), levels.get(name, []),
            _named_levels(name, info.levels, language),
        )
        for name, info in catalogue.items()
    ]  # fmt: skip


def _named_levels(name: str, codes: Sequence[str], language: str) -> dict[str, str]:
    """Each code of a fixed vocabulary with its name in ``language``."""
    names = level_names(name, language)
    return {code: names.get(code, code) for code in codes}


#: Common values of the fields, by workspace and version of the segment base: the rule
#: builder asks for them at every visit, and they change only when the base is rebuilt.
_LEVELS: dict[tuple[str, object, int], dict[str, list[str]]] = {}


def _cached_levels(
    stores: Stores, base: ir.Table, catalogue: dict[str, Any]
) -> dict[str, list[str]]:
    from .analysis import last_run

    run = last_run(stores)
    key = (
        str(stores.workspace.home),
        run.id if run is not None else None,
        int(base.count().to_pyarrow().as_py()),
    )
    if key not in _LEVELS:
        if len(_LEVELS) > 16:
            _LEVELS.clear()
        _LEVELS[key] = _levels(base, catalogue)
    return _LEVELS[key]


def _levels(base: ir.Table, catalogue: dict[str, Any]) -> dict[str, list[str]]:
    # The first people by id, so that every engine suggests the same levels.
    sample = base.order_by("customer_id").limit(LEVEL_SAMPLE)
    parts = []
    for name, info in catalogue.items():
        if info.type == "text":
            values = sample.select(value=sample[name].cast("string"))
        elif info.type == "list":
            # Unnested first, then cast: Spark allows no expression around an unnest.
            items = sample.select(value=sample[name].unnest())
            values = items.select(value=items.value.cast("string"))
        else:
            continue
        values = values.filter(values.value.notnull() & (values.value.strip() != ""))
        grouped = values.group_by("value").aggregate(n=values.count())
        parts.append(grouped.mutate(field=ibis.literal(name)).select("field", "value", "n"))
    if not parts:
        return {}
    union = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    found: dict[str, list[tuple[int, str]]] = {}
    for r in union.to_pyarrow().to_pylist():
        found.setdefault(r["field"], []).append((-int(r["n"]), str(r["value"])))
    return {
        name: [value for _, value in sorted(pairs)]
        for name, pairs in found.items()
        if len(pairs) <= MAX_LEVELS
    }


# --- profiles as charts and tables -----------------------------------------------------------

#: Levels shown per attribute in a lift chart (the largest in the base).
MAX_BARS = 12
#: The right end of a lift chart's scale is at least this, and at most :data:`MAX_LIFT`.
MIN_LIFT_SCALE = 2.0
MAX_LIFT = 5.0


@dataclass(frozen=True)
class LiftBar:
    """One level of an attribute: its share in the segment and in the whole base, and the
    lift (the ratio of the two); ``direction`` is ``over``/``under`` when the difference is
    significant, else ``flat``."""

    label: str
    share_segment: float
    share_base: float
    lift: float
    n_segment: int
    direction: str


@dataclass(frozen=True)
class LiftChart:
    """The levels of one attribute, on a lift scale from 0 to ``top``."""

    attribute: str
    label: str
    bars: list[LiftBar]
    top: float


def level_label(
    columns: Sequence[str],
    kinds: Sequence[str],
    values: Sequence[str],
    language: str,
    labels: Mapping[str, Mapping[str, str]],
) -> str:
    """What people call a level (levels of a combination joined by " · ")."""
    parts = []
    for column, kind, value in zip(columns, kinds, values, strict=True):
        given = labels.get(column, {}).get(value)
        if given:
            parts.append(given)
        elif value == UNKNOWN:
            parts.append(translate("segment.profile.unknown", language))
        elif kind == "boolean" and value in ("true", "false"):
            parts.append(translate(f"web_segments.{'yes' if value == 'true' else 'no'}", language))
        else:
            parts.append(value)
    return " · ".join(parts)


def attribute_title(columns: Sequence[str], language: str) -> str:
    """What people call an attribute (a combination joined by " × ")."""
    return " × ".join(attribute_label(c, language) for c in columns)


def lift_charts(
    profile: SegmentProfile, language: str, labels: Mapping[str, Mapping[str, str]]
) -> list[LiftChart]:
    """One lift chart per categorical, boolean or combined attribute of ``profile``."""
    by_attribute: dict[tuple[str, ...], list[LevelFigures]] = {}
    for level in profile.levels:
        by_attribute.setdefault(level.columns, []).append(level)
    charts = []
    for columns, levels in by_attribute.items():
        bars = [
            LiftBar(
                label=level_label(lv.columns, lv.kinds, lv.values, language, labels),
                share_segment=lv.share_segment or 0.0,
                share_base=lv.share_base or 0.0,
                lift=lv.lift or 0.0,
                n_segment=lv.n_segment,
                direction=(
                    ("over" if (lv.lift or 0.0) >= 1.0 else "under") if lv.significant else "flat"
                ),
            )
            for lv in levels
            if lv.n_base > 0 and lv.lift is not None
        ][:MAX_BARS]
        if not bars:
            continue
        highest = max(bar.lift for bar in bars)
        top = min(MAX_LIFT, max(MIN_LIFT_SCALE, math.ceil(highest * 2) / 2))
        charts.append(LiftChart("×".join(columns), attribute_title(columns, language), bars, top))
    return charts


def difference_rows(
    items: Sequence[LevelDifference | NumericDifference | Mapping[str, Any]],
    language: str,
    labels: Mapping[str, Mapping[str, str]],
) -> list[dict[str, Any]]:
    """Differences between two groups as table rows: attribute, level (or "mean"), the
    figure of each group and whether it is a share or a mean."""
    rows = []
    for item in items:
        d = item if isinstance(item, Mapping) else item.as_dict()
        if "share_a" in d:
            rows.append({
                "attribute": attribute_title(d["columns"], language),
                "level": level_label(d["columns"], d["kinds"], d["values"], language, labels),
                "a": d["share_a"], "b": d["share_b"], "kind": "share",
            })  # fmt: skip
        else:
            rows.append({
                "attribute": attribute_label(d["attribute"], language),
                "level": translate("web_segments.mean", language),
                "a": d["mean_a"], "b": d["mean_b"], "kind": "mean",
            })  # fmt: skip
    return rows


def finite(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every NaN or infinite number replaced by None (JSON has neither)."""
    out: dict[str, Any] = _finite(data)
    return out


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
