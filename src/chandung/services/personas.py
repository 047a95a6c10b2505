"""Persona sets: generated from a segmentation, kept as versions, edited, compared.

``generate`` gathers the facts of each segment in the warehouse
(:mod:`.persona_facts`), writes one persona per segment that is substantial enough
(:class:`~chandung.personas.build.PersonaBuilder`), scores the set
(:mod:`chandung.personas.quality`) and stores it as the next version in the app database.
Each new persona is matched to the previous version's by how alike their defining traits
are (Hungarian assignment on the Jensen-Shannon distance), so a persona keeps its id, and
the edits made to it by hand (name, nickname, notes, hidden sections, kept by id), across
versions.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
from scipy.optimize import linear_sum_assignment
from sqlalchemy import delete, select

from ..config import PersonaSettings
from ..errors import InputError, NotFoundError
from ..i18n import LANGUAGES, translate
from ..i18n.formats import format_compact_vnd, format_number, format_percent
from ..personas.build import BuildSettings, PersonaBuilder
from ..personas.facts import Facts
from ..personas.model import SECTIONS, Persona
from ..personas.quality import DEFINING, js_distance, set_quality
from ..personas.render import level_label, render_persona, summary_text
from ..privacy.context import require
from ..segments.auto import SEGMENT
from ..segments.rules import compile_rule, parse_rule
from ..store.app_models import PersonaEdit, PersonaRecord, PersonaSet, SavedSegment, Segmentation
from . import audit
from .auto_segments import ASSIGNMENTS_TABLE, auto_segment
from .persona_facts import gather_facts
from .persona_llm import rephrase
from .segment_base import segment_base
from .segments import field_catalogue
from .stores import Stores, warehouse_step

#: Largest distance between the defining traits of two personas still called the same one.
MATCH_DISTANCE = 0.35
#: Levels of each defining attribute kept in a persona's fingerprint.
FINGERPRINT_LEVELS = 12


@dataclass(frozen=True)
class PersonaSetReport:
    """A generated version: its personas, the segments left out, and its quality."""

    version: int
    source: dict[str, Any]
    quality: dict[str, Any]
    personas: list[Persona]
    skipped: list[dict[str, Any]] = field(default_factory=list)
    matches: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self, language: str, edits: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        return {
            "version": self.version,
            "source": self.source,
            "quality": self.quality,
            "skipped": self.skipped,
            "matches": self.matches,
            "seconds": self.seconds,
            "personas": [
                render_persona(p, language, edits.get(p.id), self.quality) for p in self.personas
            ],
        }


# --- where the segments come from ------------------------------------------------------------


def _latest_segmentation(stores: Stores) -> Segmentation | None:
    with stores.app_db.session() as session:
        found = session.scalars(
            select(Segmentation).order_by(Segmentation.created_at.desc()).limit(1)
        ).first()
        if found is not None:
            session.expunge(found)
        return found


def _auto_membership(
    stores: Stores, segmentation_id: str | None
) -> tuple[ir.Table, dict[int, str], dict[str, Any]]:
    if segmentation_id is None:
        latest = _latest_segmentation(stores)
        segmentation_id = latest.id if latest else auto_segment(stores).segmentation_id
    with stores.app_db.session() as session:
        run = session.get(Segmentation, segmentation_id)
        if run is None:
            raise NotFoundError("segment.segmentation_not_found", id=segmentation_id)
        summary: dict[str, Any] = dict(run.summary or {})
    table = stores.warehouse.table(ASSIGNMENTS_TABLE)
    rows = table.filter(table.segmentation_id == segmentation_id)
    membership = rows.select(customer_id=rows.customer_id, segment_id=rows[SEGMENT])
    k = int(summary.get("k", 0))
    names = {sid: str(sid) for sid in range(1, k + 1)}
    stability = summary.get("stability", {})
    meta = {
        "source": "auto",
        "segmentation_id": segmentation_id,
        "segmentation_stability": (stability or {}).get(str(k)),
    }
    return membership, names, meta


def _saved_membership(
    stores: Stores, names: Sequence[str]
) -> tuple[ir.Table, dict[int, str], dict[str, Any]]:
    today = date.today()
    base = segment_base(stores, today=today)
    catalogue = field_catalogue(base)
    parts = []
    with stores.app_db.session() as session:
        for index, name in enumerate(names, start=1):
            saved = session.scalars(select(SavedSegment).where(SavedSegment.name == name)).first()
            if saved is None:
                raise NotFoundError("segment.not_found", name=name)
            inside = compile_rule(parse_rule(saved.rule, catalogue), base, today=today)
            chosen = base.filter(inside)
            parts.append(
                chosen.select(
                    customer_id=chosen.customer_id,
                    segment_id=ibis.literal(index, type="int64"),
                )
            )
    membership = ibis.union(*parts)
    return (
        membership,
        dict(enumerate(names, start=1)),
        {"source": "segments", "segments": list(names)},
    )


# --- versions --------------------------------------------------------------------------------


def _versions(stores: Stores) -> list[int]:
    with stores.app_db.session() as session:
        return list(session.scalars(select(PersonaSet.version).order_by(PersonaSet.version)))


def latest_version(stores: Stores) -> int | None:
    versions = _versions(stores)
    return versions[-1] if versions else None


def load_personas(stores: Stores, version: int | None = None) -> list[Persona]:
    """The personas of ``version`` (default: the latest), in their order."""
    if version is None:
        version = latest_version(stores)
        if version is None:
            raise NotFoundError("persona.none")
    with stores.app_db.session() as session:
        if session.get(PersonaSet, version) is None:
            raise NotFoundError("persona.version_not_found", version=version)
        rows = session.scalars(
            select(PersonaRecord)
            .where(PersonaRecord.version == version)
            .order_by(PersonaRecord.position)
        )
        return [Persona.from_dict(dict(r.data)) for r in rows]


def persona_set(stores: Stores, version: int | None = None) -> dict[str, Any]:
    """The record of a version: source, quality, matches."""
    version = version if version is not None else latest_version(stores)
    if version is None:
        raise NotFoundError("persona.none")
    with stores.app_db.session() as session:
        found = session.get(PersonaSet, version)
        if found is None:
            raise NotFoundError("persona.version_not_found", version=version)
        return {
            "version": found.version,
            "created_at": found.created_at.isoformat(),
            "source": dict(found.source),
            "quality": dict(found.quality),
            "matches": dict(found.matches),
        }


def get_persona(stores: Stores, persona_id: str, version: int | None = None) -> Persona:
    for persona in load_personas(stores, version):
        if persona.id.lower() == persona_id.lower():
            return persona
    raise NotFoundError("persona.not_found", id=persona_id)


def edits(stores: Stores) -> dict[str, dict[str, Any]]:
    """Manual edits of every persona, by persona id."""
    with stores.app_db.session() as session:
        return {
            e.persona_id: {
                "name": e.name,
                "nickname": e.nickname,
                "notes": list(e.notes or []),
                "hidden_sections": list(e.hidden_sections or []),
            }
            for e in session.scalars(select(PersonaEdit))
        }


def edit_persona(
    stores: Stores,
    persona_id: str,
    *,
    name: str | None = None,
    nickname: str | None = None,
    note: str | None = None,
    hide: Sequence[str] = (),
    show: Sequence[str] = (),
    clear_notes: bool = False,
) -> dict[str, Any]:
    """Change a persona by hand; the change is kept for every later version of it."""
    require("personas.write")
    persona = get_persona(stores, persona_id)
    for section in (*hide, *show):
        if section not in SECTIONS:
            raise InputError(
                "persona.unknown_section", section=section, sections=", ".join(SECTIONS)
            )
    with stores.app_db.session() as session:
        edit = session.get(PersonaEdit, persona.id)
        if edit is None:
            edit = PersonaEdit(
                persona_id=persona.id, notes=[], hidden_sections=[], updated_at=datetime.now(UTC)
            )
            session.add(edit)
        if name is not None:
            edit.name = name.strip() or None
        if nickname is not None:
            edit.nickname = nickname.strip() or None
        notes = [] if clear_notes else list(edit.notes or [])
        if note:
            notes.append(note.strip())
        edit.notes = notes
        hidden = [s for s in (edit.hidden_sections or []) if s not in show]
        hidden += [s for s in hide if s not in hidden]
        edit.hidden_sections = hidden
        edit.updated_at = datetime.now(UTC)
    changed = {"name": name is not None, "nickname": nickname is not None, "note": bool(note),
               "hide": bool(hide), "show": bool(show), "clear_notes": clear_notes}  # fmt: skip
    audit.record(stores, "persona.edit", target=persona.id,
                 details={"changed": [k for k, v in changed.items() if v]})  # fmt: skip
    return edits(stores).get(persona.id, {})


# --- generation ------------------------------------------------------------------------------


def _fingerprint(facts: Facts, sid: int) -> dict[str, dict[str, float]]:
    out = {}
    for attribute in DEFINING:
        dist = facts.customers.get(attribute)
        if dist is None:
            continue
        known = [(lv, n) for lv, n in dist.levels(sid) if lv not in ("unknown", "")]
        total = sum(n for _, n in known)
        if total:
            out[attribute] = {lv: n / total for lv, n in known[:FINGERPRINT_LEVELS]}
    return out


def fingerprint_distance(
    a: Mapping[str, Mapping[str, float]], b: Mapping[str, Mapping[str, float]]
) -> float:
    """Mean Jensen-Shannon distance over the attributes both fingerprints have (1 if none)."""
    distances = []
    for attribute in set(a) & set(b):
        levels = sorted(set(a[attribute]) | set(b[attribute]))
        p = np.array([a[attribute].get(lv, 0.0) for lv in levels])
        q = np.array([b[attribute].get(lv, 0.0) for lv in levels])
        if p.sum() and q.sum():
            distances.append(js_distance(p / p.sum(), q / q.sum()))
    return float(np.mean(distances)) if distances else 1.0


def _match(
    new: Mapping[int, Mapping[str, Mapping[str, float]]], previous: Sequence[Persona]
) -> dict[int, str]:
    """Segment → id of the previous persona it continues (only close enough pairs)."""
    if not new or not previous:
        return {}
    sids = list(new)
    cost = np.array(
        [
            [fingerprint_distance(new[sid], p.quality.get("fingerprint", {})) for p in previous]
            for sid in sids
        ]
    )
    rows, cols = linear_sum_assignment(cost)
    return {
        sids[r]: previous[c].id
        for r, c in zip(rows, cols, strict=True)
        if cost[r, c] <= MATCH_DISTANCE
    }


def _next_ids(count: int, taken: set[str]) -> list[str]:
    numbers = [int(t[1:]) for t in taken if t.startswith("P") and t[1:].isdigit()]
    start = max(numbers, default=0) + 1
    return [f"P{start + i}" for i in range(count)]


@warehouse_step("personas")
def generate_personas(
    stores: Stores,
    *,
    segmentation_id: str | None = None,
    segments: Sequence[str] | None = None,
) -> PersonaSetReport:
    """Generate the next version of the personas (see the module docstring)."""
    require("personas.write")
    started = time.perf_counter()
    settings = stores.workspace.settings.personas
    if segments:
        membership, names, meta = _saved_membership(stores, segments)
    else:
        membership, names, meta = _auto_membership(stores, segmentation_id)
    facts = gather_facts(stores, membership, names)
    eligible, skipped = [], []
    for sid, info in facts.segments.items():
        share = info.size / facts.base_size if facts.base_size else 0.0
        if info.size >= settings.min_segment_size and share >= settings.min_segment_share:
            eligible.append(sid)
        else:
            skipped.append({"segment": sid, "name": info.name, "size": info.size, "share": share})
    previous_version = latest_version(stores)
    previous = load_personas(stores, previous_version) if previous_version else []
    fingerprints = {sid: _fingerprint(facts, sid) for sid in eligible}
    matched = _match(fingerprints, previous)
    every_id = {p.id for p in previous} | set(_all_ids(stores))
    fresh = iter(_next_ids(len(eligible) - len(matched), every_id))
    ids = {sid: matched.get(sid) or next(fresh) for sid in eligible}
    version = (previous_version or 0) + 1
    builder = PersonaBuilder(
        BuildSettings(
            min_share=settings.min_share,
            min_respondents=settings.min_respondents,
            min_texts=settings.min_texts,
        )
    )
    personas = builder.build(facts, eligible, ids=ids, version=version, segment_meta=meta)
    covered = sum(facts.segments[sid].size for sid in eligible)
    if meta.get("source") == "segments":
        covered = _distinct_members(membership, eligible)
    overall, per = set_quality(
        facts, eligible, covered=covered, replicates=settings.stability_replicates
    )
    overall["segmentation_stability"] = meta.get("segmentation_stability")
    out = []
    for persona, sid in zip(personas, eligible, strict=True):
        quality = {**persona.quality, **per[sid], "fingerprint": fingerprints[sid]}
        out.append(_with_quality(persona, quality, _rephrased(settings, persona)))
    matches = {
        "continued": {ids[sid]: ids[sid] for sid in matched},
        "new": [ids[sid] for sid in eligible if sid not in matched],
        "gone": [p.id for p in previous if p.id not in set(ids.values())],
        "previous_version": previous_version,
    }
    _store(stores, version, meta, settings.model_dump(), overall, matches, out)
    audit.record(stores, "persona.generate", target=f"v{version}", rows=len(out), details={
        "version": version, "source": str(meta.get("source", "")), "personas": [p.id for p in out],
    })  # fmt: skip
    return PersonaSetReport(
        version=version,
        source=meta,
        quality=overall,
        personas=out,
        skipped=skipped,
        matches=matches,
        seconds=time.perf_counter() - started,
    )


def _with_quality(persona: Persona, quality: dict[str, Any], rephrased: dict[str, str]) -> Persona:
    data = persona.as_dict()
    data["quality"] = quality
    data["rephrased"] = rephrased
    return Persona.from_dict(data)


def _rephrased(settings: PersonaSettings, persona: Persona) -> dict[str, str]:
    """Summaries rephrased by the configured language model, when one is (see
    :mod:`.persona_llm`); facts are checked, and a refused answer leaves the template's."""
    if not settings.llm_url:
        return {}
    allowed = [persona.identity.full_name, persona.identity.province or ""]
    out = {}
    for language in LANGUAGES:
        text = rephrase(settings, summary_text(persona, language), language, allowed)
        if text:
            out[language] = text
    return out


def _distinct_members(membership: ir.Table, eligible: Sequence[int]) -> int:
    chosen = membership.filter(membership.segment_id.isin(list(eligible)))
    return int(chosen.customer_id.nunique().to_pyarrow().as_py())


def _all_ids(stores: Stores) -> list[str]:
    with stores.app_db.session() as session:
        return list(session.scalars(select(PersonaRecord.persona_id).distinct()))


def _store(
    stores: Stores,
    version: int,
    source: dict[str, Any],
    settings: dict[str, Any],
    quality: dict[str, Any],
    matches: dict[str, Any],
    personas: Sequence[Persona],
) -> None:
    with stores.app_db.session() as session:
        session.execute(delete(PersonaRecord).where(PersonaRecord.version == version))
        session.add(
            PersonaSet(
                version=version,
                created_at=datetime.now(UTC),
                source=source,
                settings=settings,
                quality=quality,
                matches=matches,
            )
        )
        session.flush()
        for position, persona in enumerate(personas):
            session.add(
                PersonaRecord(
                    version=version,
                    persona_id=persona.id,
                    position=position,
                    data=persona.as_dict(),
                )
            )


def versions(stores: Stores) -> list[dict[str, Any]]:
    """Every version with its date, source, quality and number of personas."""
    require("personas.read")
    out = []
    with stores.app_db.session() as session:
        for s in session.scalars(select(PersonaSet).order_by(PersonaSet.version)):
            count = len(
                list(
                    session.scalars(
                        select(PersonaRecord.persona_id).where(PersonaRecord.version == s.version)
                    )
                )
            )
            out.append(
                {
                    "version": s.version,
                    "created_at": s.created_at.isoformat(),
                    "source": dict(s.source),
                    "quality": dict(s.quality),
                    "personas": count,
                }
            )
    return out


def rendered(stores: Stores, language: str, version: int | None = None) -> list[dict[str, Any]]:
    """The personas of a version as shown, with their manual edits."""
    require("personas.read")
    changes = edits(stores)
    quality = persona_set(stores, version)["quality"]
    return [
        render_persona(p, language, changes.get(p.id), quality)
        for p in load_personas(stores, version)
    ]


def render_one(
    stores: Stores, persona_id: str, language: str, version: int | None = None
) -> dict[str, Any]:
    require("personas.read")
    persona = get_persona(stores, persona_id, version)
    quality = persona_set(stores, persona.version)["quality"]
    return render_persona(persona, language, edits(stores).get(persona.id), quality)


# --- differences between versions ------------------------------------------------------------


def _dominant(persona: Persona, section: str, key: str) -> str | None:
    for s in persona.sections.get(section, []):
        if s.evidence is not None and (s.key == key or s.key.startswith(f"{key}:")):
            value = s.params.get("topic") or s.params.get("level")
            return None if value is None else str(value)
    return None


def _number(persona: Persona, key: str) -> float | None:
    for s in persona.sections.get("behaviour", []):
        if s.key == key and s.evidence is not None:
            return s.evidence.segment_value
    return None


#: Traits compared between versions: (section, key, attribute for labels).
_DIFF_TRAITS = (
    ("demographics", "gender", "gender"), ("demographics", "age_band", "age_band"),
    ("demographics", "province", "province"), ("demographics", "occupation", "occupation"),
    ("demographics", "income_band", "income_band"), ("channels", "channel", "channel"),
    ("pain_points", "pain", "pain"), ("goals", "goal", "goal"),
    ("buying_criteria", "criterion", "criterion"), ("behaviour", "rfm_segment", "rfm_segment"),
)  # fmt: skip


def diff_versions(stores: Stores, first: int, second: int, language: str) -> dict[str, Any]:
    """What changed from version ``first`` to ``second``, persona by persona, in words."""
    require("personas.read")
    before = {p.id: p for p in load_personas(stores, first)}
    after = {p.id: p for p in load_personas(stores, second)}
    names = edits(stores)
    out: list[dict[str, Any]] = []
    for pid in [*after, *(p for p in before if p not in after)]:
        a, b = before.get(pid), after.get(pid)
        shown = b or a
        assert shown is not None
        name = (names.get(pid) or {}).get("name") or shown.identity.full_name
        if a is None or b is None:
            status = "new" if a is None else "gone"
            text = translate(f"persona.diff.{status}", language, name=name, id=pid)
            out.append({"id": pid, "name": name, "status": status, "changes": [], "text": [text]})
            continue
        changes = _changes(a, b, language)
        status = "changed" if changes else "same"
        lines = [c["text"] for c in changes] or [
            translate("persona.diff.same", language, name=name, id=pid)
        ]
        out.append({"id": pid, "name": name, "status": status, "changes": changes, "text": lines})
    return {"from": first, "to": second, "personas": out}


def _changes(a: Persona, b: Persona, language: str) -> list[dict[str, Any]]:
    changes: list[dict[str, Any]] = []
    if a.size != b.size:
        changes.append(
            {
                "what": "size",
                "from": a.size,
                "to": b.size,
                "text": translate(
                    "persona.diff.size",
                    language,
                    before=format_number(a.size, language),
                    after=format_number(b.size, language),
                    change=format_percent((b.size - a.size) / a.size if a.size else 0, language, 0),
                ),
            }
        )
    if (
        a.share_of_revenue is not None
        and b.share_of_revenue is not None
        and abs(a.share_of_revenue - b.share_of_revenue) >= 0.005
    ):
        changes.append(
            {
                "what": "share_of_revenue",
                "from": a.share_of_revenue,
                "to": b.share_of_revenue,
                "text": translate(
                    "persona.diff.revenue",
                    language,
                    before=format_percent(a.share_of_revenue, language, 1),
                    after=format_percent(b.share_of_revenue, language, 1),
                ),
            }
        )
    for section, key, attribute in _DIFF_TRAITS:
        old, new = _dominant(a, section, key), _dominant(b, section, key)
        if old != new:
            label = translate(f"persona.attribute.{attribute}", language, default=attribute)
            changes.append(
                {
                    "what": key,
                    "from": old,
                    "to": new,
                    "text": translate(
                        "persona.diff.trait",
                        language,
                        attribute=label,
                        before=level_label(attribute, old, language) if old else "—",
                        after=level_label(attribute, new, language) if new else "—",
                    ),
                }
            )
    old_clv, new_clv = _number(a, "predicted_clv_vnd"), _number(b, "predicted_clv_vnd")
    if old_clv and new_clv and abs(new_clv - old_clv) / old_clv >= 0.02:
        changes.append(
            {
                "what": "predicted_clv_vnd",
                "from": old_clv,
                "to": new_clv,
                "text": translate(
                    "persona.diff.clv",
                    language,
                    before=format_compact_vnd(old_clv, language),
                    after=format_compact_vnd(new_clv, language),
                    change=format_percent((new_clv - old_clv) / old_clv, language, 0),
                ),
            }
        )
    return changes


def report_dict(report: PersonaSetReport, stores: Stores, language: str) -> dict[str, Any]:
    return report.as_dict(language, edits(stores))


__all__ = [
    "SECTIONS",
    "PersonaSetReport",
    "diff_versions",
    "edit_persona",
    "edits",
    "generate_personas",
    "get_persona",
    "latest_version",
    "load_personas",
    "persona_set",
    "render_one",
    "rendered",
    "report_dict",
    "versions",
]
