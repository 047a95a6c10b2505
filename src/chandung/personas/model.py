"""What a persona is made of: statements, each with the evidence behind it.

A persona is stored without language: every statement is a template key with its parameters
(codes such as ``"female"`` or ``"shopee"``, numbers) and the figures that back it. Text in
Vietnamese or English is written only when the persona is shown (:mod:`.render`), so one
persona set serves both languages and a translation can never change a fact.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

#: The sections of a persona, in the order they are shown.
SECTIONS = (
    "demographics", "behaviour", "goals", "motivations", "pain_points", "objections",
    "buying_criteria", "channels", "mindset", "quotes", "recommendations",
)  # fmt: skip

#: Sections drawn from what customers say (surveys, interview notes, feedback).
PSYCHOGRAPHIC_SECTIONS = (
    "goals", "motivations", "pain_points", "objections", "buying_criteria", "mindset", "quotes",
)  # fmt: skip


@dataclass(frozen=True)
class Evidence:
    """The figures behind one statement.

    Parameters
    ----------
    source
        Where the figures come from: a table and column (``"people.gender"``), a survey
        question (``"survey_responses:pain_points"``) or texts (``"feedback"``).
    n
        Customers (or texts, or answers) in the segment that show the trait.
    segment_size
        Customers (or respondents, or texts) of the segment the share is taken over.
    share_in_segment, share_in_base, lift
        Share of the trait in the segment and in the whole base, and their ratio.
    segment_value, base_value
        For numbers: the segment's value and the whole base's (mean or median).
    ids
        Ids of the texts or records quoted, when the statement rests on them.
    """

    source: str
    n: int
    segment_size: int
    share_in_segment: float | None = None
    share_in_base: float | None = None
    lift: float | None = None
    segment_value: float | None = None
    base_value: float | None = None
    ids: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ids"] = list(self.ids)
        return {k: v for k, v in out.items() if v is not None and v != []}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        return cls(**{**data, "ids": tuple(data.get("ids", ()))})


@dataclass(frozen=True)
class Statement:
    """One line of a persona: a template with parameters and its evidence.

    ``key`` names what the statement is about (``"gender"``, ``"pain:slow_delivery"``), so
    that versions can be compared line by line. A statement without evidence has ``missing``:
    the code of the advice on what data to collect (``"survey"``, ``"feedback"``...).
    """

    key: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)
    evidence: Evidence | None = None
    missing: str | None = None
    weight: float | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "template": self.template, "params": self.params}
        if self.evidence is not None:
            out["evidence"] = self.evidence.as_dict()
        if self.missing is not None:
            out["missing"] = self.missing
        if self.weight is not None:
            out["weight"] = self.weight
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Statement:
        evidence = data.get("evidence")
        return cls(
            key=data["key"],
            template=data["template"],
            params=dict(data.get("params", {})),
            evidence=Evidence.from_dict(evidence) if evidence else None,
            missing=data.get("missing"),
            weight=data.get("weight"),
        )


@dataclass(frozen=True)
class PersonaIdentity:
    """The fictional person who stands for the segment."""

    given_name: str
    full_name: str
    gender: str | None
    age: int | None
    province: str | None
    nickname_key: str
    avatar_svg: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Persona:
    """A persona of one segment, without language (see :mod:`.render` for its text)."""

    id: str
    version: int
    segment: dict[str, Any]
    size: int
    share_of_customers: float
    share_of_revenue: float | None
    identity: PersonaIdentity
    summary: Statement
    sections: dict[str, list[Statement]]
    quality: dict[str, Any]
    data_language: str = "vi"
    rephrased: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "segment": self.segment,
            "size": self.size,
            "share_of_customers": self.share_of_customers,
            "share_of_revenue": self.share_of_revenue,
            "identity": self.identity.as_dict(),
            "summary": self.summary.as_dict(),
            "sections": {k: [s.as_dict() for s in v] for k, v in self.sections.items()},
            "quality": self.quality,
            "data_language": self.data_language,
            "rephrased": dict(self.rephrased),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Persona:
        return cls(
            id=data["id"],
            version=int(data["version"]),
            segment=dict(data["segment"]),
            size=int(data["size"]),
            share_of_customers=float(data["share_of_customers"]),
            share_of_revenue=data.get("share_of_revenue"),
            identity=PersonaIdentity(**data["identity"]),
            summary=Statement.from_dict(data["summary"]),
            sections={k: [Statement.from_dict(s) for s in v] for k, v in data["sections"].items()},
            quality=dict(data.get("quality", {})),
            data_language=data.get("data_language", "vi"),
            rephrased=dict(data.get("rephrased", {})),
        )
