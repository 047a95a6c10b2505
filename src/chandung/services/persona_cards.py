"""Persona cards as files: HTML, PDF and PNG of one persona, and the deck of a version."""

from __future__ import annotations

from ..errors import InputError
from ..personas.card_image import render_card_pdf, render_card_png, render_deck_pdf
from ..personas.cards import render_card_html
from .personas import render_one, rendered
from .stores import Stores

CARD_FORMATS = ("html", "pdf", "png")


def card_bytes(
    stores: Stores, persona_id: str, card_format: str, language: str, version: int | None = None
) -> bytes:
    """The card of one persona in ``card_format`` (html, pdf or png)."""
    if card_format not in CARD_FORMATS:
        raise InputError("persona.card_format", format=card_format)
    persona = render_one(stores, persona_id, language, version)
    if card_format == "html":
        return render_card_html(persona, language=language).encode("utf-8")
    if card_format == "pdf":
        return render_card_pdf(persona, language=language)
    return render_card_png(persona, language=language)


def deck_bytes(stores: Stores, language: str, version: int | None = None) -> bytes:
    """Every persona of a version, one page each, in one PDF."""
    return render_deck_pdf(rendered(stores, language, version), language=language)
