"""The Customers pages: search, the 360° profile, masking by role, the audit log, the API."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from chandung.privacy.masking import mask_name, mask_phone
from chandung.services.audit import list_entries
from chandung.services.segments import create_segment
from chandung.services.stores import open_stores
from chandung.workspace import Workspace

from .conftest import add_users, client_as


def _one(ws: Workspace, sql: str) -> dict[str, Any]:
    """The first row of a query on the warehouse (read before the app opens it)."""
    with open_stores(ws) as stores:
        cursor = stores.warehouse.backend.con.execute(sql)
        names = [d[0] for d in cursor.description]
        row = cursor.fetchone()
    assert row is not None, sql
    return dict(zip(names, row, strict=True))


def _people_shown(page: str) -> list[str]:
    return re.findall(r'<tr data-person="([^"]+)"', page)


def _national(e164: str) -> str:
    """+84912345678 as a person writes it: 0912 345 678."""
    digits = "0" + e164[3:]
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}"


@pytest.fixture
def lan(analysed_demo: Workspace) -> dict[str, Any]:
    """A person whose name has diacritics, shared by nobody else, with a mobile number."""
    return _one(
        analysed_demo,
        """
        select person_id, full_name, name_key, phone_e164 from people
        where full_name <> name_key and phone_e164 like '+849%'
          and name_key in (select name_key from people group by 1 having count(*) = 1)
        order by person_id limit 1
        """,
    )


def test_a_name_typed_without_diacritics_finds_the_person(
    analysed_demo: Workspace, lan: dict[str, Any]
) -> None:
    with client_as(analysed_demo, "admin") as (client, _):
        page = client.get("/customers", params={"q": lan["name_key"]})
    assert page.status_code == 200
    assert _people_shown(page.text)[0] == lan["person_id"]
    assert lan["full_name"] in html.unescape(page.text)


def test_the_result_table_keeps_figures_on_one_line_and_lets_e_mails_break(
    analysed_demo: Workspace,
) -> None:
    with client_as(analysed_demo, "admin") as (client, _):
        page = client.get("/customers?lang=en").text
    head = page.split("<thead>")[1].split("</thead>")[0]
    assert re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', head) == [
        "Name", "Phone, e-mail", "Gender, year of birth", "Province", "RFM segment", "Orders",
        "Revenue", "Predicted CLV",
    ]  # fmt: skip
    row = page.split('<tr data-person="')[1].split("</tr>")[0]
    assert re.search(r'class="muted customers-id customers-nowrap">C\d+<', row)
    assert 'class="muted customers-id customers-path" data-email' in row
    assert row.count('class="num customers-nowrap"') == 3


def test_a_phone_in_another_format_finds_the_person(
    analysed_demo: Workspace, lan: dict[str, Any]
) -> None:
    with client_as(analysed_demo, "analyst") as (client, _):
        for typed in (_national(lan["phone_e164"]), lan["phone_e164"]):
            page = client.get("/customers", params={"q": typed}).text
            assert _people_shown(page) == [lan["person_id"]], typed


def test_analysts_see_personal_data_masked_and_admins_in_full(
    analysed_demo: Workspace, lan: dict[str, Any]
) -> None:
    masked_name, masked_phone = mask_name(lan["full_name"]), mask_phone(lan["phone_e164"])
    assert masked_name and re.fullmatch(r"\S+( \S\.)+", masked_name)  # "Nguyễn T. L."
    profile_url = f"/customers/{lan['person_id']}"
    with client_as(analysed_demo, "analyst") as (client, _):
        for url in (f"/customers?q={lan['name_key']}", profile_url):
            page = html.unescape(client.get(url).text)
            assert masked_name in page and masked_phone in page, url
            assert lan["full_name"] not in page and lan["phone_e164"] not in page, url
        data = client.get(f"/api/v1{profile_url}").json()
        assert data["masked"] and data["person"]["full_name"] == masked_name
        assert data["person"]["phone"] == masked_phone
    with client_as(analysed_demo, "admin") as (client, _):
        page = html.unescape(client.get(profile_url).text)
        assert lan["full_name"] in page and lan["phone_e164"] in page
        assert client.get(f"/api/v1{profile_url}").json()["person"]["full_name"] == lan["full_name"]


@pytest.mark.parametrize("role", ["viewer", "marketer"])
def test_roles_without_customer_access_are_refused(analysed_demo: Workspace, role: str) -> None:
    with client_as(analysed_demo, role) as (client, _):
        for url in ("/customers", "/customers?q=lan", "/customers/C0000001",
                    "/api/v1/customers/C0000001", "/api/v1/customers"):  # fmt: skip
            assert client.get(url).status_code == 403, url


def test_the_profile_shows_the_orders_and_value_the_warehouse_holds(
    analysed_demo: Workspace,
) -> None:
    # A person of several records who bought, so that orders are gathered across records.
    person = _one(
        analysed_demo,
        """
        select l.person_id, count(*) as orders, sum(o.total_vnd) as total
        from orders o join customer_links l on l.customer_id = o.customer_id
        where o.status = 'completed'
          and l.person_id in (select person_id from people where records > 1)
        group by 1 order by 2 desc, 1 limit 1
        """,
    )
    pid = person["person_id"]
    value = _one(
        analysed_demo,
        f"select probability_alive, rfm_segment from customer_value where customer_id = '{pid}'",
    )
    with client_as(analysed_demo, "analyst") as (client, _):
        data = client.get(f"/api/v1/customers/{pid}").json()
        page = client.get(f"/customers/{pid}").text
    assert data["orders"]["orders"] == person["orders"]
    assert data["orders"]["total_vnd"] == person["total"]
    assert f'data-orders="{person["orders"]}" data-total-vnd="{person["total"]}"' in page
    assert data["record_count"] > 1 and all(r["rule"] for r in data["records"])
    assert data["value"]["probability_alive"] == pytest.approx(value["probability_alive"])
    assert data["value"]["rfm_segment"] == value["rfm_segment"]
    assert data["value"]["alive_explanation"] and "data-alive-why" in page
    # The timeline is newest first and bounded.
    times = [item["at"] for item in data["timeline"]]
    assert times == sorted(times, reverse=True) and 0 < len(times) <= 50


def test_the_profile_names_the_segments_and_persona_of_the_person(
    analysed_demo: Workspace,
) -> None:
    with open_stores(analysed_demo) as stores:
        create_segment(stores, "Mua từ hai lần", "orders >= 2")
    person = _one(
        analysed_demo,
        """
        select a.customer_id as person_id, a.segment_id, b.orders from segment_assignments a
        join segment_base b on b.customer_id = a.customer_id
        where b.orders >= 2 order by a.customer_id limit 1
        """,
    )
    with client_as(analysed_demo, "analyst") as (client, _):
        data = client.get(f"/api/v1/customers/{person['person_id']}").json()
    segments = data["segments"]
    assert segments["automatic"]["segment_id"] == person["segment_id"]
    assert [s["name"] for s in segments["saved"]] == ["Mua từ hai lần"]
    assert segments["persona"]["name"]


def test_every_unmasked_view_is_in_the_audit_log(
    analysed_demo: Workspace, lan: dict[str, Any]
) -> None:
    pid = lan["person_id"]
    with client_as(analysed_demo, "analyst") as (client, _):
        assert client.get(f"/customers/{pid}").status_code == 200
    with client_as(analysed_demo, "admin") as (client, _):
        assert client.get(f"/customers/{pid}").status_code == 200
        assert client.get(f"/api/v1/customers/{pid}").status_code == 200
    with open_stores(analysed_demo) as stores:
        views = [e for e in list_entries(stores, action="personal_data.view") if e["target"] == pid]
    # The analyst saw masked data only; the administrator's two views are both recorded.
    assert [e["actor"] for e in views] == ["admin", "admin"]


def test_an_unknown_customer_is_a_translated_404(analysed_demo: Workspace) -> None:
    with client_as(analysed_demo, "analyst") as (client, _):
        page = client.get("/customers/NO-SUCH-ID")
        api = client.get("/api/v1/customers/NO-SUCH-ID?lang=en")
    assert page.status_code == 404 and "Không có khách hàng nào mang mã NO-SUCH-ID" in page.text
    assert api.status_code == 404 and api.json()["error"] == "web_customers.not_found"
    assert "no customer with the id" in api.json()["message"]


def test_the_list_pages_through_everyone(analysed_demo: Workspace) -> None:
    with client_as(analysed_demo, "analyst") as (client, _):
        first = client.get("/customers?limit=5").text
        second = client.get("/customers?limit=5&offset=5").text
        beyond = client.get("/customers?limit=5&offset=9995")
        refused = client.get("/customers?offset=-1")
    assert len(_people_shown(first)) == 5 and 'href="/customers?limit=5&amp;offset=5"' in first
    assert set(_people_shown(first)).isdisjoint(_people_shown(second))
    assert 'rel="prev"' in second
    assert beyond.status_code == 200 and not _people_shown(beyond.text)
    assert refused.status_code == 422


def test_an_empty_workspace_says_what_to_do(workspace: Workspace) -> None:
    with open_stores(workspace) as stores:
        add_users(stores)
    with client_as(workspace, "admin") as (client, _):
        everyone = client.get("/customers")
        search = client.get("/customers?q=nguyen+van+an")
        api = client.get("/api/v1/customers/C1")
        placeholder = client.get("/customers/{person_id}")
    assert everyone.status_code == 200 and "chandung demo" in everyone.text
    assert search.status_code == 200 and "Không có khách hàng nào khớp" in search.text
    assert api.status_code == 404 and placeholder.status_code == 404
