"""The personas pages and API: gallery, evidence, edits, versions, cards, roles and CSRF."""

from __future__ import annotations

import html
import re
from typing import get_args

import pytest

from chandung.i18n.formats import format_number
from chandung.services import audit
from chandung.services import personas as service
from chandung.services.stores import open_stores
from chandung.web.routes import personas as routes
from chandung.web.routes.personas import Section, _slug
from chandung.workspace import Workspace

from .conftest import add_users, client_as


def _rendered(ws: Workspace, lang: str) -> list[dict[str, object]]:
    with open_stores(ws) as stores:
        return service.rendered(stores, lang)


def test_sections_accepted_by_the_forms_are_the_persona_sections() -> None:
    assert get_args(Section) == service.SECTIONS


def test_file_names_are_plain_ascii() -> None:
    assert _slug("Phạm Thanh Quỳnh / Đức ..\\x") == "pham-thanh-quynh-duc-x"
    assert _slug("../../etc/passwd") == "etc-passwd"


def test_gallery_shows_every_persona_of_the_latest_version(analysed_demo: Workspace) -> None:
    expected = _rendered(analysed_demo, "vi")
    assert expected
    with client_as(analysed_demo, "viewer") as (client, _):
        page = client.get("/personas?lang=vi")
    assert page.status_code == 200
    text = html.unescape(page.text)
    for persona in expected:
        assert f'data-persona="{persona["id"]}"' in text
        assert str(persona["name"]) in text and str(persona["nickname"]) in text
        assert str(persona["summary"]["text"]) in text  # type: ignore[index]
    assert text.count('class="card personas-card"') == len(expected)
    assert "/personas/deck.pdf" in text and "<svg" in text
    # A viewer may look but neither generate nor edit.
    assert 'action="/personas/generate"' not in text


def test_persona_page_shows_each_statement_with_its_evidence(analysed_demo: Workspace) -> None:
    for lang, lift_word in (("vi", "Hệ số chênh lệch"), ("en", "Lift")):
        persona = _rendered(analysed_demo, lang)[0]
        gender = next(s for s in persona["demographics"] if s["key"] == "gender")  # type: ignore[attr-defined]
        evidence = gender["evidence"]
        with client_as(analysed_demo, "viewer") as (client, _):
            page = client.get(f"/personas/{persona['id']}?lang={lang}")
        assert page.status_code == 200
        text = html.unescape(page.text)
        item = text[text.index(gender["text"]) - 400 :]
        item = item[: item.index("</li>")]
        n = format_number(evidence["n"], lang)
        lift = format_number(evidence["lift"], lang, 1)
        title = re.search(r'title="([^"]*)"', item)
        assert title and n in title.group(1) and lift in title.group(1)
        assert f"×{lift}" in item and lift_word in item
        assert "<details" in item and evidence["source"] in item
        for section in service.SECTIONS:
            assert f'id="section-{section}"' in text
        missing = [s for sec in service.SECTIONS for s in persona[sec] if "missing_data" in s]  # type: ignore[attr-defined]
        for advice in missing:
            assert advice["missing_data"] in text


def test_the_share_of_repeat_buyers_is_said_once(analysed_demo: Workspace) -> None:
    persona = _rendered(analysed_demo, "en")[0]
    behaviour = {s.get("key"): s for s in persona["behaviour"]}  # type: ignore[attr-defined]
    assert behaviour["buyer_type"]["value"] == "repeat" and "repeat" in behaviour
    with client_as(analysed_demo, "viewer") as (client, _):
        text = html.unescape(client.get(f"/personas/{persona['id']}?lang=en").text)
    # Both stay in the persona's data; the page says the fact once.
    assert behaviour["repeat"]["text"] in text and behaviour["buyer_type"]["text"] not in text
    one_off = [{"key": "buyer_type", "value": "one_off"}, {"key": "repeat", "value": None}]
    assert routes._shown(one_off) == one_off
    missing = [{"key": "buyer_type", "value": "repeat"}, {"key": "repeat", "missing_data": "…"}]
    assert routes._shown(missing) == missing


def test_edit_renames_hides_and_keeps_the_change(analysed_demo: Workspace) -> None:
    pid = str(_rendered(analysed_demo, "vi")[0]["id"])
    with client_as(analysed_demo, "marketer") as (client, csrf):
        page = client.get(f"/personas/{pid}").text
        assert f'action="/personas/{pid}/edit"' in page
        assert 'action="/personas/generate"' in client.get("/personas").text
        r = client.post(
            f"/personas/{pid}/edit",
            data={"csrf_token": csrf, "name": "Chị Lan Đẹp", "nickname": "",
                  "note": "Gọi trước Tết", "hidden": ["objections", "quotes"]},
            follow_redirects=False,
        )  # fmt: skip
        assert r.status_code == 303 and r.headers["location"] == f"/personas/{pid}?saved=1"
        gallery = html.unescape(client.get("/personas").text)
        detail = html.unescape(client.get(f"/personas/{pid}").text)
    assert "Chị Lan Đẹp" in gallery
    assert "Gọi trước Tết" in detail and 'id="section-objections"' not in detail
    assert 'id="section-goals"' in detail
    with open_stores(analysed_demo) as stores:
        edit = service.edits(stores)[pid]
    assert edit["name"] == "Chị Lan Đẹp" and edit["nickname"] is None
    assert sorted(edit["hidden_sections"]) == ["objections", "quotes"]
    # Saving the form again unchanged shows the sections again and freezes nothing.
    nickname = _rendered(analysed_demo, "vi")[0]["nickname"]
    with client_as(analysed_demo, "marketer") as (client, csrf):
        client.post(f"/personas/{pid}/edit", data={"csrf_token": csrf, "name": "Chị Lan Đẹp",
                    "nickname": nickname})  # fmt: skip
    with open_stores(analysed_demo) as stores:
        edit = service.edits(stores)[pid]
    assert edit["hidden_sections"] == [] and edit["nickname"] is None


def test_viewer_cannot_generate_or_edit(analysed_demo: Workspace) -> None:
    pid = str(_rendered(analysed_demo, "vi")[0]["id"])
    with client_as(analysed_demo, "viewer") as (client, csrf):
        page = client.get(f"/personas/{pid}").text
        assert "/edit" not in page and 'name="hidden"' not in page
        assert client.post("/personas/generate", data={"csrf_token": csrf}).status_code == 403
        r = client.post(f"/personas/{pid}/edit", data={"csrf_token": csrf, "name": "X"})
        assert r.status_code == 403
        headers = {"X-CSRF-Token": csrf}
        assert client.patch(f"/api/v1/personas/{pid}", json={"name": "X"},
                            headers=headers).status_code == 403  # fmt: skip
        assert client.post("/api/v1/personas/generate", headers=headers).status_code == 403
    assert _rendered(analysed_demo, "vi")[0]["name"] != "X"


def test_edit_needs_the_csrf_token(analysed_demo: Workspace) -> None:
    pid = str(_rendered(analysed_demo, "vi")[0]["id"])
    with client_as(analysed_demo, "analyst") as (client, _):
        r = client.post(f"/personas/{pid}/edit", data={"name": "Kẻ Giả Mạo"})
        assert r.status_code == 403
        r = client.post(f"/personas/{pid}/edit", data={"name": "Kẻ Giả Mạo", "csrf_token": "x"})
        assert r.status_code == 403
        assert client.patch(f"/api/v1/personas/{pid}", json={"name": "Y"}).status_code == 403
        assert client.post("/personas/generate").status_code == 403
    assert _rendered(analysed_demo, "vi")[0]["name"] not in ("Kẻ Giả Mạo", "Y")


def test_cards_download_as_files_with_safe_names(analysed_demo: Workspace) -> None:
    pid = str(_rendered(analysed_demo, "vi")[0]["id"])
    with client_as(analysed_demo, "viewer") as (client, _):
        pdf = client.get(f"/personas/{pid}/card.pdf?lang=vi")
        png = client.get(f"/personas/{pid}/card.png?lang=en")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    for response, ext in ((pdf, "pdf"), (png, "png")):
        disposition = response.headers["content-disposition"]
        found = re.fullmatch(r'attachment; filename="([a-z0-9-]+\.' + ext + ')"', disposition)
        assert found, disposition
        assert found.group(1).startswith(f"persona-{pid.lower()}-")
    with open_stores(analysed_demo) as stores:
        exports = audit.list_entries(stores, action="export")
    assert {e["target"] for e in exports} == {f"persona:{pid}"}
    assert {e["details"]["format"] for e in exports} == {"pdf", "png"}
    assert {e["actor"] for e in exports} == {"viewer"}


def test_deck_downloads_every_persona(
    analysed_demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _rendered(analysed_demo, "en")
    count = len(expected)
    drawn: list[object] = []

    def draw(personas: list[dict[str, object]], *, language: str) -> bytes:
        # The drawing itself is tested with the cards; a deck of every persona takes long.
        drawn.append((personas, language))
        return b"%PDF-1.4 deck"

    monkeypatch.setattr(routes, "render_deck_pdf", draw)
    with client_as(analysed_demo, "viewer") as (client, _):
        deck = client.get("/personas/deck.pdf?lang=en")
    assert deck.status_code == 200 and deck.content == b"%PDF-1.4 deck"
    assert drawn == [(expected, "en")]
    assert deck.headers["content-disposition"] == 'attachment; filename="personas-v1-en.pdf"'
    with open_stores(analysed_demo) as stores:
        (entry,) = audit.list_entries(stores, action="export")
    assert entry["target"] == "personas:v1" and entry["rows"] == count


def test_generation_job_makes_version_two_and_keeps_edits(analysed_demo: Workspace) -> None:
    pid = str(_rendered(analysed_demo, "vi")[0]["id"])
    with client_as(analysed_demo, "analyst") as (client, csrf):
        client.post(f"/personas/{pid}/edit", data={"csrf_token": csrf, "name": "Chị Tết"})
        r = client.post("/personas/generate", data={"csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 303
        job_id = r.headers["location"].split("job=")[1]
        # A second click follows the same job instead of starting another.
        again = client.post("/api/v1/personas/generate", headers={"X-CSRF-Token": csrf})
        assert again.status_code == 202 and again.json()["job"] == job_id
        page = client.get(f"/personas?job={job_id}").text
        assert f'data-job="{job_id}"' in page or "2" in page
        job = client.app.state.jobs.wait(job_id, timeout=120)  # type: ignore[attr-defined]
        assert job.status == "done", job.error
        assert job.result["version"] == 2
        done = html.unescape(client.get(f"/personas?job={job_id}&lang=en").text)
        assert "Version 2 is ready" in done and "Chị Tết" in done
        versions = client.get("/api/v1/personas/versions").json()["versions"]
        assert [v["version"] for v in versions] == [1, 2]
        page = html.unescape(client.get("/personas/versions?a=1&b=2&lang=en").text)
        assert "What changed from version 1 to version 2" in page
        api_diff = client.get("/api/v1/personas/diff?lang=en").json()
        assert api_diff["from"] == 1 and api_diff["to"] == 2
    with open_stores(analysed_demo) as stores:
        assert api_diff == service.diff_versions(stores, 1, 2, "en")
        for persona in api_diff["personas"]:
            for line in persona["text"]:
                assert line in page
        assert service.latest_version(stores) == 2
        assert service.render_one(stores, pid, "vi")["name"] == "Chị Tết"


def test_api_lists_shows_and_edits(analysed_demo: Workspace) -> None:
    expected = _rendered(analysed_demo, "en")
    pid = str(expected[0]["id"])
    with client_as(analysed_demo, "marketer") as (client, csrf):
        data = client.get("/api/v1/personas?lang=en").json()
        assert data["version"] == 1 and data["personas"] == expected
        one = client.get(f"/api/v1/personas/{pid.lower()}?lang=vi").json()
        assert one["id"] == pid and one["language"] == "vi"
        r = client.patch(
            f"/api/v1/personas/{pid}?lang=en",
            json={"nickname": "Lan Săn Sale", "note": "VIP", "hide": ["mindset"]},
            headers={"X-CSRF-Token": csrf},
        )
        assert r.status_code == 200, r.text
        assert r.json()["nickname"] == "Lan Săn Sale" and r.json()["notes"] == ["VIP"]
        assert r.json()["hidden_sections"] == ["mindset"]
        bad = client.patch(f"/api/v1/personas/{pid}", json={"hide": ["nope"]},
                           headers={"X-CSRF-Token": csrf})  # fmt: skip
        assert bad.status_code == 422
        assert client.get("/api/v1/personas?lang=fr").status_code == 422


def test_unknown_persona_is_404(analysed_demo: Workspace) -> None:
    with client_as(analysed_demo, "viewer") as (client, _):
        for path in ("/personas/P999", "/personas/P999/card.pdf", "/api/v1/personas/P999",
                     "/personas?version=99", "/api/v1/personas?version=99"):  # fmt: skip
            assert client.get(path).status_code == 404, path
        assert client.get("/personas/..%2Fetc").status_code in (404, 422)
        assert client.get("/personas/versions?a=1&b=7").status_code == 200


def test_empty_workspace_says_what_to_do(workspace: Workspace) -> None:
    with open_stores(workspace) as stores:
        add_users(stores)
    for role in ("viewer", "analyst"):
        with client_as(workspace, role) as (client, _):
            for path in ("/personas", "/personas/versions", "/personas/deck.pdf",
                         "/api/v1/personas", "/api/v1/personas/versions",
                         "/api/v1/personas/diff"):  # fmt: skip
                assert client.get(path, follow_redirects=False).status_code == 200, path
            page = client.get("/personas?lang=en").text
            assert "No personas yet" in page
            assert ('action="/personas/generate"' in page) == (role == "analyst")
            assert client.get("/api/v1/personas").json()["personas"] == []
