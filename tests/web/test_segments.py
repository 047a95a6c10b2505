"""The segments pages and API: saved segments, the rule builder and its live count, profiles,
comparisons, automatic segmentation, and who may do what."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from chandung.services.segments import (
    check_segment,
    compare_saved_segments,
    count_rule,
    profile_saved_segment,
    trait_labels,
)
from chandung.services.stores import Stores, open_stores
from chandung.store.app_models import Segmentation
from chandung.workspace import Workspace

from .conftest import add_users, client_as

RULE = "gender = female and age between 25 and 34"
OTHER = "orders >= 3"


def _counted(client: TestClient, rule: str) -> tuple[int, int]:
    """What the service counts for ``rule`` (through the app's own open stores)."""
    with client.app.state.holder.use() as stores:  # type: ignore[attr-defined]
        return count_rule(stores, rule)


def _job_of(response: Any) -> str:
    found = re.search(r"job=([0-9a-f]+)", response.headers["location"])
    assert found, response.headers["location"]
    return found.group(1)


def _finish(client: TestClient, response: Any) -> str:
    """Wait for the job a form started; returns the page it redirected to."""
    assert response.status_code == 303, response.text
    job = client.app.state.jobs.wait(_job_of(response), timeout=120)  # type: ignore[attr-defined]
    assert job.status == "done", job.error
    return str(response.headers["location"])


def _create(client: TestClient, csrf: str, name: str, rule: str) -> dict[str, Any]:
    r = client.post(
        "/api/v1/segments", json={"name": name, "rule": rule}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


@pytest.fixture
def marketer(analysed_demo: Workspace) -> Iterator[tuple[TestClient, str]]:
    with client_as(analysed_demo, "marketer") as signed_in:
        yield signed_in


def test_a_segment_saved_with_the_form_counts_what_the_rule_selects(
    marketer: tuple[TestClient, str],
) -> None:
    client, csrf = marketer
    form = client.get("/segments/new")
    assert form.status_code == 200
    assert 'name="rule"' in form.text and 'src="/static/segments.js"' in form.text
    assert "<code>predicted_clv_vnd</code>" in form.text  # the field catalogue
    counted = client.post(
        "/segments/new",
        data={"csrf_token": csrf, "name": "", "rule": RULE, "action": "count"},
    )
    members, everyone = _counted(client, RULE)
    assert counted.status_code == 200
    assert f"{members:,}".replace(",", ".") + " khách hàng" in counted.text  # without script
    saved = client.post(
        "/segments/new",
        data={"csrf_token": csrf, "name": "Nữ 25-34", "description": "Thử nghiệm",
              "rule": RULE, "action": "save"},
        follow_redirects=False,
    )  # fmt: skip
    page = client.get(_finish(client, saved))
    assert page.status_code == 200
    kpi = dict(re.findall(r'data-kpi="(\w+)"><span>[^<]*</span><strong>([^<]+)<', page.text))
    assert _number(kpi["members"]) == members
    listing = client.get("/segments").text
    row = re.search(r'data-segment="Nữ 25-34">(.*?)</tr>', listing, re.S)
    assert row and _number(re.search(r"data-members>([^<]+)<", row.group(1)).group(1)) == members  # type: ignore[union-attr]
    assert "Thử nghiệm" in listing
    assert everyone > members > 0


def test_the_profile_page_shows_the_profile_checks_and_non_targets(
    marketer: tuple[TestClient, str],
) -> None:
    client, csrf = marketer
    _create(client, csrf, "young women", RULE)
    url = "/segments/young%20women"
    before = client.get(url + "?lang=en").text
    assert "Build the profile" in before and "segments-lift" not in before
    started = client.post(url + "/profile", data={"csrf_token": csrf}, follow_redirects=False)
    page = client.get(_finish(client, started) + "&lang=en").text
    with client.app.state.holder.use() as stores:  # type: ignore[attr-defined]
        profile = profile_saved_segment(stores, "young women")
        check = check_segment(stores, "young women")
    assert page.count('class="segments-lift"') >= 5  # one lift chart per attribute
    assert 'role="img"' in page and "<title>" in page
    assert 'data-attribute="gender"' in page and 'data-attribute="age_band"' in page
    for text in profile.trait_texts("en", trait_labels("en"), limit=3):
        assert text in html.unescape(page)
    assert "Who is not our target" in page and "data-not-target=" in page
    assert 'data-check="substantial"' in page
    assert f"{check.members:,} customers" in page
    # The API gives the same figures.
    data = client.get("/api/v1/segments/young%20women").json()
    assert data["profile"]["size"] == profile.size == data["segment"]["members"]
    assert data["check"]["reachable_share"] == pytest.approx(check.reachable_share)


def test_a_segment_created_through_the_api_counts_what_the_rule_selects(
    marketer: tuple[TestClient, str],
) -> None:
    client, csrf = marketer
    info = _create(client, csrf, "regulars", OTHER)
    members, everyone = _counted(client, OTHER)
    assert info["members"] == members and info["share"] == pytest.approx(members / everyone)
    listed = client.get("/api/v1/segments").json()
    assert listed["base"] == everyone
    assert [s["members"] for s in listed["segments"] if s["name"] == "regulars"] == [members]
    counted = client.post(
        "/api/v1/segments/count", json={"rule": OTHER}, headers={"X-CSRF-Token": csrf}
    ).json()
    assert counted["members"] == members and counted["base"] == everyone
    assert counted["share"] == pytest.approx(members / everyone)


def test_the_live_count_is_one_query_over_the_materialised_base(
    marketer: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, csrf = marketer
    with client.app.state.holder.use() as stores:  # type: ignore[attr-defined]
        backend = stores.warehouse.backend
    queries: list[str] = []
    run = type(backend).to_pyarrow

    def spy(self: Any, expr: Any, *args: Any, **kwargs: Any) -> Any:
        queries.append(str(self.compile(expr)))
        return run(self, expr, *args, **kwargs)

    monkeypatch.setattr(type(backend), "to_pyarrow", spy)
    r = client.post(
        "/api/v1/segments/count",
        json={"rule": "province in ['Hà Nội', 'Hồ Chí Minh'] and channels_used contains shopee"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.status_code == 200, r.text
    assert len(queries) == 1
    assert '"segment_base"' in queries[0] and '"orders"' not in queries[0]


def test_a_bad_rule_is_a_translated_422_naming_the_problem(
    marketer: tuple[TestClient, str],
) -> None:
    client, csrf = marketer
    headers = {"X-CSRF-Token": csrf}
    en = client.post("/api/v1/segments/count?lang=en", json={"rule": "gendr = female"},
                     headers=headers)  # fmt: skip
    assert en.status_code == 422
    assert en.json()["error"] == "segment.rule.unknown_field"
    assert "gendr" in en.json()["message"] and "Did you mean gender" in en.json()["message"]
    assert en.json()["position"] == 0
    vi = client.post("/api/v1/segments/count?lang=vi", json={"rule": "orders >= "},
                     headers=headers)  # fmt: skip
    assert vi.status_code == 422 and "quy tắc" in vi.json()["message"]
    form = client.post(
        "/segments/new?lang=en",
        data={"csrf_token": csrf, "name": "x", "rule": "gendr = female", "action": "save"},
    )
    assert form.status_code == 422
    assert "gendr (character 1) is not a field" in form.text
    assert 'value="x"' in form.text  # what was typed is kept
    created = client.post("/api/v1/segments?lang=en", json={"name": "y", "rule": "age >> 3"},
                          headers=headers)  # fmt: skip
    assert created.status_code == 422 and created.json()["error"].startswith("segment.rule")
    for bad, code in (("new", "web_segments.reserved_name"), ("a/b", "web_segments.bad_name")):
        r = client.post("/api/v1/segments?lang=en", json={"name": bad, "rule": OTHER},
                        headers=headers)  # fmt: skip
        assert r.status_code == 422 and r.json()["error"] == code
        assert "errors." not in r.json()["message"]


def test_a_viewer_sees_segments_but_cannot_change_them(analysed_demo: Workspace) -> None:
    with client_as(analysed_demo, "marketer") as (client, csrf):
        _create(client, csrf, "regulars", OTHER)
    with client_as(analysed_demo, "viewer") as (client, csrf):
        page = client.get("/segments")
        assert page.status_code == 200 and "regulars" in page.text
        assert 'href="/segments/new"' not in page.text
        assert 'action="/segments/auto"' not in page.text
        profile = client.get("/segments/regulars").text
        assert "/delete" not in profile and "/profile" in profile  # may build, not delete
        assert client.get("/segments/new").status_code == 403
        assert client.get("/api/v1/segments").status_code == 200
        headers = {"X-CSRF-Token": csrf}
        refused = [
            client.post("/segments/new", data={"csrf_token": csrf, "name": "z", "rule": OTHER}),
            client.post("/api/v1/segments", json={"name": "z", "rule": OTHER}, headers=headers),
            client.delete("/api/v1/segments/regulars", headers=headers),
            client.post("/segments/regulars/delete", data={"csrf_token": csrf}),
            client.post("/segments/auto", data={"csrf_token": csrf}),
            client.post("/api/v1/segments/auto", json={}, headers=headers),
        ]
        assert [r.status_code for r in refused] == [403] * len(refused)
        assert client.get("/api/v1/segments/regulars").status_code == 200


def test_changes_need_the_csrf_token(marketer: tuple[TestClient, str]) -> None:
    client, csrf = marketer
    _create(client, csrf, "regulars", OTHER)
    attempts = [
        client.post("/segments/new", data={"name": "z", "rule": OTHER, "action": "save"}),
        client.post("/segments/new", data={"csrf_token": "forged", "name": "z", "rule": OTHER}),
        client.post("/api/v1/segments", json={"name": "z", "rule": OTHER}),
        client.delete("/api/v1/segments/regulars"),
        client.post("/segments/regulars/delete"),
        client.post("/segments/auto", data={"k": "3"}),
        client.post("/api/v1/segments/count", json={"rule": OTHER}),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert [s["name"] for s in client.get("/api/v1/segments").json()["segments"]] == ["regulars"]


def test_the_compare_page_shows_both_segments(marketer: tuple[TestClient, str]) -> None:
    client, csrf = marketer
    first, second = (
        _create(client, csrf, "young women", RULE),
        _create(client, csrf, "regulars", OTHER),
    )
    chooser = client.get("/segments/compare").text
    assert '<option value="young women"' in chooser and '<option value="regulars"' in chooser
    started = client.post(
        "/segments/compare",
        data={"csrf_token": csrf, "a": "young women", "b": "regulars"},
        follow_redirects=False,
    )
    page = client.get(_finish(client, started) + "&lang=en").text
    with client.app.state.holder.use() as stores:  # type: ignore[attr-defined]
        expected = compare_saved_segments(stores, "young women", "regulars")
    sides = re.findall(r'data-side="\d".*?data-members>([^<]+)<', page, re.S)
    assert [_number(s) for s in sides] == [first["members"], second["members"]]
    assert f"{expected.overlap:,} customers are in both" in page
    assert "data-differences" in page
    assert page.count("young women") >= 2 and page.count("regulars") >= 2
    same = client.post("/segments/compare?lang=en",
                       data={"csrf_token": csrf, "a": "regulars", "b": "regulars"})  # fmt: skip
    assert same.status_code == 422
    assert client.get("/segments/compare?a=nope&b=regulars").status_code == 404


def test_automatic_segmentation_runs_as_a_job_and_the_page_shows_k_and_stability(
    marketer: tuple[TestClient, str],
) -> None:
    client, csrf = marketer
    started = client.post(
        "/segments/auto",
        data={"csrf_token": csrf, "k": "auto", "kinds": ["demographic"]},
        follow_redirects=False,
    )
    assert started.status_code == 303
    # Asking again while it runs hands back the same job.
    again = client.post("/api/v1/segments/auto", json={}, headers={"X-CSRF-Token": csrf})
    assert again.status_code == 202 and again.json()["job"] == _job_of(started)
    page = client.get(_finish(client, started) + "&lang=en").text
    with client.app.state.holder.use_accounts() as stores:  # type: ignore[attr-defined]
        run = latest_run(stores)
    k = run.summary["k"]
    stability = run.summary["stability"][str(k)]
    assert run.settings["k"] == "auto" and run.settings["kinds"] == ["demographic"]
    assert run.id == started_run(client, started)
    assert re.search(rf"data-k>{k}<", page)
    assert re.search(r"data-stability>" + re.escape(f"{stability:.2f}"), page)
    assert f"Automatic segmentation finished: {k} segments" in page
    sizes = [int(s["size"]) for s in run.summary["segments"]]
    rows = re.findall(r'data-auto-segment="(\d+)">.*?class="num">([^<]+)<', page, re.S)
    assert [(int(i), _number(n)) for i, n in rows] == list(enumerate(sizes, start=1))
    bad = client.post("/api/v1/segments/auto", json={"k": 1}, headers={"X-CSRF-Token": csrf})
    assert bad.status_code == 422


def started_run(client: TestClient, response: Any) -> str:
    job = client.app.state.jobs.wait(_job_of(response))  # type: ignore[attr-defined]
    return str(job.result["segmentation_id"])


def latest_run(stores: Stores) -> Segmentation:
    from sqlalchemy import select

    with stores.app_db.session() as session:
        run = session.scalars(
            select(Segmentation).order_by(Segmentation.created_at.desc()).limit(1)
        ).one()
        session.expunge(run)
        return run


def test_a_segment_of_the_automatic_segmentation_has_its_page(
    marketer: tuple[TestClient, str],
) -> None:
    client, _ = marketer
    with client.app.state.holder.use_accounts() as stores:  # type: ignore[attr-defined]
        run = latest_run(stores)
    first = run.summary["segments"][0]
    page = client.get("/segments/auto/1?lang=en")
    assert page.status_code == 200
    kpi = dict(re.findall(r'data-kpi="(\w+)"><span>[^<]*</span><strong>([^<]+)<', page.text))
    assert _number(kpi["members"]) == first["size"]
    assert 'href="/personas/P' in page.text and 'class="segments-lift"' in page.text
    listing = client.get("/segments").text
    assert 'href="/segments/auto/1"' in listing and 'href="/personas/P' in listing
    assert client.get("/segments/auto/99").status_code == 404


def _traits_shown(page: str) -> list[str]:
    return [
        html.unescape(t)
        for t in re.findall(r"<li>([^<]+)</li>", page.split('<ul class="segments-traits"')[1])
    ]


def test_automatic_traits_are_written_in_the_language_of_the_page(
    marketer: tuple[TestClient, str],
) -> None:
    client, _ = marketer
    with client.app.state.holder.use_accounts() as stores:  # type: ignore[attr-defined]
        run = latest_run(stores)
    first = run.summary["segments"][0]
    assert run.summary["language"] == "vi" and first["traits"][0]["columns"]
    english = client.get("/segments/auto/1?lang=en").text
    vietnamese = client.get("/segments/auto/1?lang=vi").text
    assert _traits_shown(vietnamese) == first["trait_texts"]
    shown = _traits_shown(english)
    assert len(shown) == len(first["trait_texts"]) and shown != first["trait_texts"]
    assert all(" overall" in t for t in shown) and "data-trait-language" not in english
    listing = client.get("/segments?lang=en").text
    assert shown[0] in html.unescape(listing) and "so với" not in listing


def test_an_older_run_that_kept_only_words_is_read_back_or_labelled(
    marketer: tuple[TestClient, str],
) -> None:
    from chandung.services.segment_views import auto_traits

    client, _ = marketer
    with client.app.state.holder.use_accounts() as stores:  # type: ignore[attr-defined]
        run = latest_run(stores)
    segment = run.summary["segments"][0]
    # What runs kept before: the name and the figures of each trait, and sentences.
    old = {
        **segment,
        "traits": [
            {k: t[k] for k in ("trait", "segment", "base", "lift", "q_value")}
            for t in segment["traits"]
        ],
    }
    again = auto_traits(old, "en")
    assert again.language is None and again.texts == auto_traits(segment, "en").texts
    unknown = {**old, "traits": [{**t, "trait": "?" + t["trait"]} for t in old["traits"]]}
    kept = auto_traits(unknown, "en")
    assert kept.language == "vi" and kept.texts == segment["trait_texts"]
    assert auto_traits(unknown, "vi").language is None
    holder = client.app.state.holder  # type: ignore[attr-defined]
    with holder.use_accounts() as stores, stores.app_db.session() as session:
        stored = session.get(Segmentation, run.id)
        assert stored is not None
        summary = dict(stored.summary)
        summary.pop("language")
        summary["segments"] = [unknown, *summary["segments"][1:]]
        stored.summary = summary
    page = client.get("/segments/auto/1?lang=en").text
    assert 'data-trait-language="vi"' in page and "(Written in Vietnamese" in page
    assert _traits_shown(page) == segment["trait_texts"]


def test_delete_with_the_form_and_the_api(marketer: tuple[TestClient, str]) -> None:
    client, csrf = marketer
    _create(client, csrf, "one", OTHER)
    _create(client, csrf, "two", RULE)
    page = client.get("/segments/one").text
    assert 'data-confirm="' in page and 'action="/segments/one/delete"' in page
    gone = client.post("/segments/one/delete", data={"csrf_token": csrf}, follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/segments?deleted=")
    assert "Đã xoá phân khúc one" in client.get(gone.headers["location"]).text
    assert client.get("/segments/one").status_code == 404
    r = client.delete(f"/api/v1/segments/{quote('two')}", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json() == {"deleted": "two"}
    assert client.get("/api/v1/segments/two").status_code == 404
    assert client.get("/api/v1/segments").json()["segments"] == []


def test_an_empty_workspace_says_what_to_do(workspace: Workspace) -> None:
    with open_stores(workspace) as stores:
        add_users(stores)
    with client_as(workspace, "admin") as (client, csrf):
        listing = client.get("/segments?lang=en")
        assert listing.status_code == 200
        assert "No segment has been saved yet" in listing.text
        assert "No automatic segmentation has been run yet" in listing.text
        builder = client.get("/segments/new?lang=en")
        assert builder.status_code == 200 and "Load data first" in builder.text
        assert client.get("/segments/compare").status_code == 200
        assert client.get("/api/v1/segments").json() == {
            "base": None,
            "segments": [],
            "automatic": None,
        }
        assert client.get("/api/v1/segments/fields").json() == {"fields": []}
        assert client.get("/segments/auto/1").status_code == 404
        counted = client.post(
            "/api/v1/segments/count", json={"rule": OTHER}, headers={"X-CSRF-Token": csrf}
        )
        assert counted.status_code == 404 and "message" in counted.json()


def test_the_field_catalogue_has_types_and_common_values(
    marketer: tuple[TestClient, str],
) -> None:
    client, _ = marketer
    fields = {f["name"]: f for f in client.get("/api/v1/segments/fields?lang=en").json()["fields"]}
    assert fields["age"]["type"] == "number" and fields["age"]["levels"] == []
    assert fields["gender"]["type"] == "text" and "female" in fields["gender"]["levels"]
    assert fields["channels_used"]["type"] == "list" and fields["channels_used"]["levels"]
    assert fields["predicted_clv_vnd"]["label"] == "predicted CLV (VND)"
    assert "customer_id" not in fields and not any(n.endswith("__folded") for n in fields)
