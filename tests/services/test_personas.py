"""Personas of the demo business: one per planted group, matching what was planted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from chandung.datasets.demo._groups import planted_groups
from chandung.services.analysis import run_analysis
from chandung.services.auto_segments import ASSIGNMENTS_TABLE
from chandung.services.demo import generate_demo
from chandung.services.imports import import_file
from chandung.services.personas import (
    diff_versions,
    edit_persona,
    generate_personas,
    rendered,
)
from chandung.services.stores import Stores, open_stores
from chandung.workspace import Workspace

GROUPS = planted_groups()
PSYCHOGRAPHIC_FROM_WORDS = ("goals", "pain_points", "objections", "buying_criteria", "quotes")


@dataclass
class Demo:
    home: Path
    personas: dict[str, list[dict[str, Any]]]  # by language
    group_of_persona: dict[str, str]
    truth: pd.DataFrame  # one row per person: group and the traits to compare
    assigned: pd.Series  # segment of every person
    person_of: pd.Series  # person of every customer record


def _truth(stores: Stores) -> pd.DataFrame:
    wh = stores.warehouse
    groups = pq.read_table(stores.workspace.demo_dir / "truth" / "customer_groups.parquet")
    links = wh.table("customer_links").select("customer_id", "person_id").to_pandas()
    per_record = groups.to_pandas().merge(links, on="customer_id")
    agree = per_record.groupby("person_id").group_id.nunique() == 1
    truth = per_record.groupby("person_id").group_id.first()[agree].rename("group")
    base = wh.table("segment_base").select("customer_id", "gender", "age_band", "province")
    frame = base.to_pandas().set_index("customer_id")
    orders = wh.table("orders").filter(lambda t: t.status == "completed")
    o = orders.select("customer_id", "channel").to_pandas().merge(links, on="customer_id")
    main = (
        o.groupby(["person_id", "channel"]).size().rename("n").reset_index()
        .sort_values(["person_id", "n", "channel"], ascending=[True, False, True])
        .drop_duplicates("person_id").set_index("person_id").channel
    )  # fmt: skip
    return frame.join(truth, how="inner").join(main.rename("main_channel"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    home = Path(tmp_path_factory.mktemp("personas")) / "ws"
    with open_stores(Workspace.open(home)) as stores:
        generate_demo(stores, customers=6_000, seed=5)
        run_analysis(stores)
        report = generate_personas(stores)
        personas = {lang: rendered(stores, lang) for lang in ("vi", "en")}
        truth = _truth(stores)
        table = stores.warehouse.table(ASSIGNMENTS_TABLE)
        run = report.source["segmentation_id"]
        assigned = table.filter(table.segmentation_id == run).to_pandas()
        assigned = assigned.set_index("customer_id").segment_id
        joined = truth.join(assigned, how="inner")
        group_of_persona = {}
        for p in personas["en"]:
            members = joined[joined.segment_id == p["segment"]["id"]]
            group_of_persona[p["id"]] = members.group.mode().iloc[0]
        links = stores.warehouse.table("customer_links").to_pandas()
        person_of = links.set_index("customer_id").person_id
    yield Demo(home, personas, group_of_persona, truth, assigned, person_of)


def _statement(persona: dict[str, Any], section: str, key: str) -> dict[str, Any]:
    return next(s for s in persona[section] if s["key"] == key or s["key"].startswith(key + ":"))


def test_each_planted_group_yields_exactly_one_persona(demo: Demo) -> None:
    found = sorted(demo.group_of_persona.values())
    assert found == sorted(g.group_id for g in GROUPS)


@pytest.mark.parametrize("group", [g.group_id for g in GROUPS])
def test_persona_matches_its_planted_group(demo: Demo, group: str) -> None:
    persona = next(p for p in demo.personas["en"] if demo.group_of_persona[p["id"]] == group)
    members = demo.truth[demo.truth.group == group]
    for key in ("gender", "age_band", "province"):
        expected = members[key].dropna().mode().iloc[0]
        assert _statement(persona, "demographics", key)["value"] == expected, key
    expected_channel = members.main_channel.dropna().mode().iloc[0]
    assert _statement(persona, "channels", "channel")["value"] == expected_channel
    planted = next(g for g in GROUPS if g.group_id == group)
    top_pain = max(planted.pain_points, key=lambda k: planted.pain_points[k])
    assert _statement(persona, "pain_points", "pain")["value"] == top_pain
    # The planted sex is reflected in the name: a women's group gets a woman's name.
    assert persona["identity"]["gender"] == ("female" if planted.female_share > 0.5 else "male")


def _walk_statements(persona: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "summary", persona["summary"]
    for section in (
        "demographics", "behaviour", "goals", "motivations", "pain_points", "objections",
        "buying_criteria", "channels", "mindset", "quotes", "recommendations",
    ):  # fmt: skip
        assert isinstance(persona[section], list), section
        for item in persona[section]:
            yield section, item


@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_statement_lacks_evidence(demo: Demo, language: str) -> None:
    required = {
        "id", "version", "name", "nickname", "segment", "size", "share_of_customers",
        "share_of_revenue", "demographics", "behaviour", "goals", "motivations", "pain_points",
        "objections", "buying_criteria", "channels", "mindset", "quotes", "recommendations",
        "quality",
    }  # fmt: skip
    for persona in demo.personas[language]:
        assert required <= set(persona)
        for section, item in _walk_statements(persona):
            if "missing_data" in item:
                assert "text" not in item and item["missing_data"].strip(), (section, item)
                continue
            assert item["text"].strip(), (section, item)
            evidence = item["evidence"]
            assert evidence["source"] and evidence["n"] >= 1, (section, item)
            assert evidence["segment_size"] >= evidence["n"] or section == "quotes"
            if evidence.get("share_in_segment") is not None and evidence.get("share_in_base"):
                assert evidence["lift"] == pytest.approx(
                    evidence["share_in_segment"] / evidence["share_in_base"]
                )
        quality = persona["quality"]
        assert 0 <= quality["confidence"] <= 1 and 0 <= quality["stability"] <= 1
        assert 0 < quality["distinctiveness"] <= 1 and quality["coverage"] > 0.95


def test_texts_are_in_the_requested_language(demo: Demo) -> None:
    vi, en = demo.personas["vi"][0], demo.personas["en"][0]
    assert vi["id"] == en["id"] and vi["name"] == en["name"]
    assert vi["nickname"] != en["nickname"]
    assert "toàn bộ" in _statement(vi, "demographics", "gender")["text"]
    assert "of all customers" in _statement(en, "demographics", "gender")["text"]


def test_quotes_are_masked_and_come_from_members(demo: Demo) -> None:
    with open_stores(Workspace.open(demo.home)) as stores:
        feedback = stores.warehouse.table("feedback").select("feedback_id", "customer_id")
        authors = feedback.to_pandas().set_index("feedback_id").customer_id
    quotes = [q for p in demo.personas["vi"] for q in p["quotes"] if "text" in q]
    assert quotes
    for persona in demo.personas["vi"]:
        for quote in (q for q in persona["quotes"] if "text" in q):
            (text_id,) = quote["evidence"]["ids"]
            person = demo.person_of[authors[text_id]]
            assert demo.assigned[person] == persona["segment"]["id"]
            compact = re.sub(r"[ .\-]", "", quote["text"])
            assert not re.search(r"(\+?84|0)\d{9}", compact), quote["text"]
            assert "@" not in quote["text"]


@pytest.fixture
def thin_demo(tmp_path: Path) -> Iterator[Stores]:
    with open_stores(Workspace.open(tmp_path / "ws")) as stores:
        generate_demo(stores, customers=3_000, seed=7)
        run_analysis(stores)
        for name in ("survey_responses", "feedback"):
            empty = stores.warehouse.table(name).limit(0).to_pyarrow()
            stores.warehouse.replace_tables([{name: empty}])
        yield stores


def test_without_surveys_and_feedback_psychographics_say_what_is_missing(
    thin_demo: Stores,
) -> None:
    report = generate_personas(thin_demo)
    assert report.personas
    for persona in rendered(thin_demo, "en"):
        for section in PSYCHOGRAPHIC_FROM_WORDS:
            items = persona[section]
            assert items and all("missing_data" in i and "text" not in i for i in items), section
        motivations = persona["motivations"]
        assert not any(i["key"].startswith(("praise:", "interest:")) for i in motivations)
        assert any("survey" in i["missing_data"] for i in persona["goals"])


def _more_orders(stores: Stores, path: Path) -> None:
    """A file of new orders: a copy of a third of the orders, 20 days later, new ids."""
    orders = stores.warehouse.table("orders")
    sample = orders.filter(orders.order_id.hash() % 3 == 0).to_pyarrow()
    frame = sample.to_pandas()
    frame["order_id"] = "NEW-" + frame["order_id"].astype(str)
    frame["ordered_at"] = frame["ordered_at"] + timedelta(days=20)
    keep = ["order_id", "customer_id", "ordered_at", "channel", "status", "total_vnd"]
    pacsv.write_csv(pa.Table.from_pandas(frame[keep], preserve_index=False), path)


def test_regenerating_after_more_orders_makes_version_2_and_keeps_a_rename(
    demo: Demo, tmp_path: Path
) -> None:
    with open_stores(Workspace.open(demo.home)) as stores:
        first = demo.personas["en"][0]
        edit_persona(stores, first["id"], name="Chị Lan của chúng ta", note="Phone her first")
        path = tmp_path / "more_orders.csv"
        _more_orders(stores, path)
        report = import_file(stores, "orders", path)
        assert report.rows_loaded > 0
        run_analysis(stores)
        second = generate_personas(stores)
        assert second.version == 2
        assert set(second.matches["continued"]) == {p["id"] for p in demo.personas["en"]}
        again = {p["id"]: p for p in rendered(stores, "en")}
        assert again[first["id"]]["name"] == "Chị Lan của chúng ta"
        assert again[first["id"]]["notes"] == ["Phone her first"]
        diff = diff_versions(stores, 1, 2, "en")
    changed = [p for p in diff["personas"] if p["status"] == "changed"]
    assert changed, diff
    sizes = [c for p in changed for c in p["changes"] if c["what"] in ("size", "predicted_clv_vnd")]
    assert sizes
    assert all(line.endswith(".") and "→" in line for p in changed for line in p["text"])


@pytest.mark.parametrize("language", ["vi", "en"])
def test_cards_of_the_demo_personas_fit_their_panels(demo: Demo, language: str) -> None:
    from chandung.personas.card_image import card_layout, render_card_pdf
    from chandung.personas.cards import render_card_html

    for persona in demo.personas[language]:
        layout = card_layout(persona, language=language)
        assert persona["name"] in layout.text()
        for i, item in enumerate(layout.texts):
            assert layout.page.contains(item.box, tolerance=0), item
            assert layout.panels[item.panel].contains(item.box), item
            assert not any(item.box.overlaps(other.box) for other in layout.texts[i + 1 :])
        pdf = render_card_pdf(persona, language=language)
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
        html = render_card_html(persona, language=language)
        assert persona["summary"]["text"].split(";")[0].replace("&", "&amp;") in html
