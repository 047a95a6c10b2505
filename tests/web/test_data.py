"""The data pages: upload, mapping preview and correction, import report, quarantine,
quality report and merges, as people use them through the browser and the API."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from chandung.i18n.formats import format_number
from chandung.privacy.context import acting_as
from chandung.privacy.roles import LOCAL_OPERATOR
from chandung.services.identity import person_links
from chandung.services.imports import import_file
from chandung.services.quality import quality_report
from chandung.services.stores import open_stores
from chandung.services.uploads import uploads_dir
from chandung.services.users import change_user
from chandung.store.app_models import AnalysisRun, AuditEntry
from chandung.web import create_app
from chandung.web.routes.data import counted, size_text
from chandung.workspace import Workspace

from .conftest import add_users, client_as, sign_in

# Vietnamese headers with and without diacritics, as shop staff type them.
MESSY = (
    "Mã KH,Họ và tên,SDT,Email,Tinh/Thanh,Ngay sinh,Ghi chu\n"
    "K001,Nguyễn Thị Lan,0912345678,lan@gmail.com,Hà Nội,12/05/1990,khách quen\n"
    "K002,Tran Van Binh,+84 90 123 4567,binh@yahoo.com,TP HCM,01/01/1985,\n"
    "K003,Lê Văn Cường,01623456789,cuong@gmail,Đà Nẵng,31/12/1992,vip\n"
    ",Phạm Thị Dung,0987654321,dung@gmail.com,Huế,05/06/1995,\n"
    "K005,Hoàng Văn Em,abc,em@gmail.com,Cần Thơ,99/99/1999,\n"
).encode()


@pytest.fixture(scope="module")
def users_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty workspace with one user per role, made once and copied by :func:`ws`."""
    home = tmp_path_factory.mktemp("data-pages") / "ws"
    with open_stores(Workspace.open(home)) as stores:
        add_users(stores)
    return home


@pytest.fixture
def ws(users_template: Path, tmp_path: Path) -> Workspace:
    shutil.copytree(users_template, tmp_path / "ws")
    return Workspace.open(tmp_path / "ws")


def upload(
    client: TestClient,
    csrf: str,
    content: bytes,
    name: str = "khach_hang.csv",
    kind: str = "customers",
) -> str:
    """Upload through the plain form (no script); returns the preview's address."""
    r = client.post(
        "/data/uploads",
        data={"csrf_token": csrf, "kind": kind},
        files={"file": (name, content, "text/csv")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


def chosen_fields(html: str) -> dict[str, str]:
    """Column → selected field of the mapping form."""
    out = {}
    for index, column in re.findall(r'<label for="data-map-(\d+)">([^<]+)</label>', html):
        block = html.split(f'name="field_{index}"')[1].split("</select>")[0]
        found = re.search(r'<option value="([a-z_0-9]*)" selected', block)
        out[column] = found.group(1) if found else ""
    return out


def mapping_form(html: str, csrf: str, action: str, **changes: str) -> dict[str, str]:
    fields = chosen_fields(html)
    fields.update(changes)
    form = {"csrf_token": csrf, "action": action, "sheet": ""}
    for index, column in enumerate(fields):
        form[f"field_{index}"] = fields[column]
    return form


def counts(html: str) -> dict[str, int]:
    found = re.findall(r'data-count="(\w+)"><span>[^<]*</span><strong>([^<]+)<', html)
    return {k: int(v.replace(".", "").replace(",", "")) for k, v in found}


def import_with(client: TestClient, csrf: str, preview: str, **changes: str) -> str:
    """Post the mapping with ``changes`` and import; returns the finished job's id."""
    html = client.get(preview).text
    r = client.post(preview, data=mapping_form(html, csrf, "import", **changes),
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    job = str(r.headers["location"]).rsplit("/", 1)[1]
    assert client.app.state.jobs.wait(job).status == "done"  # type: ignore[attr-defined]
    return job


def test_messy_file_is_previewed_corrected_and_imported(ws: Workspace) -> None:
    with client_as(ws, "analyst") as (client, csrf):
        preview = upload(client, csrf, MESSY)
        html = client.get(preview).text
        fields = chosen_fields(html)
        # Headers with and without diacritics are recognised.
        assert fields["Họ và tên"] == "full_name" and fields["SDT"] == "phone"
        assert fields["Tinh/Thanh"] == "province_raw" and fields["Ngay sinh"] == "birth_date"
        assert fields["Mã KH"] == "source_customer_ref" and fields["Ghi chu"] == ""
        # Fields are named in the page's language, with their code beside the name.
        assert "Tỉnh/thành (như đã ghi) · province_raw" in html
        assert "Mã khách hàng trong hệ thống nguồn · source_customer_ref" in html
        # A small file's size is in bytes, not "0,0 MB".
        size = re.search(r"<dt>Dung lượng</dt><dd>([^<]+)</dd>", html)
        assert size and size[1] == f"{len(MESSY)} byte"
        assert counts(html) == {"read": 5, "loaded": 5, "quarantined": 0, "issues": 3}
        # Sample rows are normalised and masked for a role without personal data.
        assert "Nguyễn T. L." in html and "Nguyễn Thị Lan" not in html
        assert "Thành phố Hồ Chí Minh" in html and "+84 90 123 4567" not in html

        # "Preview again" with a corrected field shows what the import would then do.
        corrected = mapping_form(html, csrf, "preview", **{"Mã KH": "customer_id"})
        r = client.post(preview, data=corrected, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == preview
        again = client.get(preview).text
        assert chosen_fields(again)["Mã KH"] == "customer_id"
        assert counts(again) == {"read": 5, "loaded": 4, "quarantined": 1, "issues": 3}

        job = import_with(client, csrf, preview)
        report = client.get(f"/data/imports/{job}").text
        figures = counts(report)
        assert figures["read"] == figures["loaded"] + figures["quarantined"]
        assert figures == {"read": 5, "loaded": 4, "quarantined": 1, "issues": 3,
                           "customers_created": 4, "customers_matched": 0}  # fmt: skip
        assert "khach_hang.csv" in report and "required" not in report  # reasons in words

        api = client.get(f"/api/v1/imports/{job}").json()
        assert api["status"] == "done" and api["report"]["rows_loaded"] == 4
        recent = client.get("/api/v1/imports").json()["imports"][0]
        assert recent["file"] == "khach_hang.csv" and recent["rows_quarantined"] == 1

        quarantine = client.get("/data/quarantine").text
        assert 'data-total="1"' in quarantine and "Mã KH" in quarantine
        assert ">1 row</p>" in client.get("/data/quarantine?lang=en").text
        issues = client.get("/data/quarantine?kind=issue").text
        assert 'data-total="3"' in issues and "c***@g***" in issues and "cuong@gmail" not in issues
    with open_stores(ws) as stores:
        customers = stores.warehouse.table("customers")
        assert set(customers.customer_id.to_pyarrow().to_pylist()) == {"K001", "K002", "K003",
                                                                       "K005"}  # fmt: skip
        assert customers.count().to_pyarrow().as_py() == 4
    with client_as(ws, "admin") as (client, _):
        issues = client.get("/data/quarantine?kind=issue").text
        assert "cuong@gmail" in issues  # an administrator sees values unmasked


def test_the_upload_is_encrypted_kept_privately_and_gone_after_import(ws: Workspace) -> None:
    with client_as(ws, "analyst") as (client, csrf):
        preview = upload(client, csrf, MESSY, name="../Khách hàng tháng 5.csv")
        upload_id = preview.rsplit("/", 1)[1]
        assert re.fullmatch(r"[0-9a-f]{32}", upload_id)
        stored = list(uploads_dir(ws).iterdir())
        assert {p.name for p in stored} == {f"{upload_id}.enc", f"{upload_id}.json"}
        secret = next(p for p in stored if p.suffix == ".enc").read_bytes()
        assert "Nguyễn".encode() not in secret and b"0912345678" not in secret
        assert "Khách hàng tháng 5.csv" in client.get("/data").text
        import_with(client, csrf, preview)
        assert list(uploads_dir(ws).iterdir()) == []
    with open_stores(ws) as stores:
        sources = stores.warehouse.table("customers").source.to_pyarrow().to_pylist()
    assert set(sources) == {"Khach_hang_thang_5.csv"}


def test_a_quarantined_value_is_corrected_and_imported_again(ws: Workspace) -> None:
    with client_as(ws, "analyst") as (client, csrf):
        import_with(client, csrf, upload(client, csrf, MESSY), **{"Mã KH": "customer_id"})
        page = client.get("/data/quarantine").text
        batch = re.search(r'name="batch" value="([^"]+)"', page)
        assert batch
        r = client.post(
            "/data/quarantine/correct",
            data={"csrf_token": csrf, "batch": batch.group(1), "row": "5", "column": "Mã KH",
                  "value": "K004"},
            follow_redirects=False,
        )  # fmt: skip
        assert r.status_code == 303
        job = str(r.headers["location"]).rsplit("/", 1)[1]
        done = client.app.state.jobs.wait(job)  # type: ignore[attr-defined]
        assert done.status == "done" and done.result["report"]["rows_loaded"] == 1
        assert "data-total" not in client.get("/data/quarantine").text  # nothing left
    with open_stores(ws) as stores:
        customers = stores.warehouse.table("customers")
        found = customers.filter(customers.customer_id == "K004").to_pyarrow().to_pylist()
    assert found and found[0]["full_name"] == "Phạm Thị Dung" and found[0]["province"] == "Huế"


def test_the_quarantine_download_is_safe_to_open_and_recorded(ws: Workspace) -> None:
    orders = (
        "Mã đơn,Mã KH,Ngày đặt,Kênh,Tổng tiền\n"
        "D1,K001,05/01/2025,Shopee,100000\n"
        'D2,K001,"=HYPERLINK(""http://evil"",""x"")",Shopee,200000\n'
    ).encode()
    with client_as(ws, "admin") as (client, csrf):
        job = import_with(client, csrf, upload(client, csrf, orders, "don.csv", "orders"))
        report = client.get(f"/api/v1/imports/{job}").json()["report"]
        assert (report["rows_read"], report["rows_loaded"], report["rows_quarantined"]) == (2, 1, 1)
        r = client.get("/data/quarantine.csv")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert len(rows) == 1 and rows[0]["value"].startswith("'=HYPERLINK")
        assert rows[0]["column"] == "Ngày đặt" and rows[0]["reason"] == "date.unreadable"
    with open_stores(ws) as stores, stores.app_db.session() as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "export")))
    assert entries and entries[-1].target == "quarantine:all" and entries[-1].rows == 1


def test_mapping_mistakes_get_a_clear_answer(ws: Workspace) -> None:
    with client_as(ws, "analyst") as (client, csrf):
        preview = upload(client, csrf, MESSY)
        html = client.get(preview).text
        twice = client.post(preview, data=mapping_form(html, csrf, "import", SDT="full_name"))
        assert twice.status_code == 422 and "full_name" in twice.text
        unknown = client.post(preview, data=mapping_form(html, csrf, "import", SDT="no_such"))
        assert unknown.status_code == 422
        # Keeping a recognised column as an extra attribute is a choice, not an error.
        job = import_with(client, csrf, preview, Email="")
        report = client.get(f"/api/v1/imports/{job}").json()["report"]
        assert "Email" in report["unmapped_columns"] and report["rows_loaded"] == 5
        gone = client.post(preview, data=mapping_form(html, csrf, "import"))
        assert gone.status_code == 404  # imported uploads are deleted


def test_the_api_uploads_and_imports(ws: Workspace) -> None:
    with client_as(ws, "analyst") as (client, csrf):
        r = client.post(
            "/api/v1/imports",
            data={"kind": "customers", "mapping": '{"Mã KH": "customer_id", "Ghi chu": ""}'},
            files={"file": ("k.csv", MESSY, "text/csv")},
            headers={"X-CSRF-Token": csrf},
        )
        assert r.status_code == 202, r.text
        job = r.json()["job_id"]
        client.app.state.jobs.wait(job)  # type: ignore[attr-defined]
        report = client.get(r.json()["url"]).json()
        assert report["status"] == "done"
        assert report["report"]["rows_loaded"] == 4 and report["report"]["rows_quarantined"] == 1
        bad = client.post(
            "/api/v1/imports",
            data={"kind": "customers", "mapping": "[1, 2]"},
            files={"file": ("k.csv", MESSY, "text/csv")},
            headers={"X-CSRF-Token": csrf},
        )
        assert bad.status_code == 422 and bad.json()["error"] == "web_data.mapping_json"
        assert client.get("/api/v1/imports/no-such-import").status_code == 404


def test_roles_and_csrf(ws: Workspace) -> None:
    app = create_app(ws)
    viewer, marketer, analyst = TestClient(app), TestClient(app), TestClient(app)
    try:
        sign_in(viewer, "viewer")
        for path in ("/data", "/data/quarantine", "/data/merges", "/api/v1/imports"):
            assert viewer.get(path).status_code == 403, path
        assert viewer.get("/data/quality").status_code == 200  # aggregates only
        csrf = sign_in(marketer, "marketer")
        assert marketer.get("/data/merges").status_code == 403
        r = marketer.post("/data/merges", data={"csrf_token": csrf, "customer_id": "a",
                                                "other_id": "b"})  # fmt: skip
        assert r.status_code == 403
        sign_in(analyst, "analyst")
        r = analyst.post("/data/uploads", data={"kind": "customers"},
                         files={"file": ("k.csv", MESSY, "text/csv")})  # fmt: skip
        assert r.status_code == 403  # no CSRF token
        assert not uploads_dir(ws).exists() or list(uploads_dir(ws).iterdir()) == []
    finally:
        app.state.jobs.close()
        app.state.holder.close()


def test_every_data_page_renders_on_an_empty_workspace(ws: Workspace) -> None:
    with client_as(ws, "admin") as (client, _):
        assert "chandung demo" in client.get("/data").text
        assert client.get("/data/quarantine").status_code == 200
        assert "chandung demo" in client.get("/data/quality").text
        merges = client.get("/data/merges")
        assert merges.status_code == 200 and 'name="other_id"' in merges.text
        assert client.get("/api/v1/quality").json()["records"] == 0


def test_quality_page_shows_the_service_figures(analysed_demo: Workspace) -> None:
    with open_stores(analysed_demo) as stores:
        expected = quality_report(stores)
    with client_as(analysed_demo, "viewer") as (client, _):
        html = client.get("/data/quality").text
        api = client.get("/api/v1/quality").json()
    kpi = dict(re.findall(r'data-kpi="(\w+)"><span>[^<]*</span><strong>([^<]+)<', html))
    assert int(kpi["records"].replace(".", "")) == expected.records
    assert int(kpi["people"].replace(".", "")) == expected.people
    assert int(kpi["merged"].replace(".", "")) == expected.duplicate_records_merged
    assert int(kpi["stale"].replace(".", "")) == expected.stale_people
    assert {k: api[k] for k in expected.as_dict()} == expected.as_dict()
    assert 'data-field="email"' in html and "<svg" in html
    # The page reads the report the analysis stored rather than scanning every record.
    assert api["measured_at"] is not None and api["stale"] is False
    assert 'data-quality="stored"' in html


def test_quality_page_says_when_the_stored_report_is_out_of_date(
    analysed_demo: Workspace, tmp_path: Path
) -> None:
    source = tmp_path / "more.csv"
    source.write_text("Họ và tên,SĐT\nLê Văn Mới,0912000111\n", encoding="utf-8")
    with open_stores(analysed_demo) as stores, acting_as(LOCAL_OPERATOR):
        import_file(stores, "customers", source)
    with client_as(analysed_demo, "viewer") as (client, _):
        html = client.get("/data/quality").text
        assert client.get("/api/v1/quality").json()["stale"] is True
    assert 'data-quality="stale"' in html


def test_merge_then_undo(analysed_demo: Workspace, tmp_path: Path) -> None:
    with open_stores(analysed_demo) as stores:
        links = person_links(stores)
        alone = links.group_by("person_id").aggregate(n=links.count()).filter(lambda t: t.n == 1)
        a, b = sorted(alone.limit(2).person_id.to_pyarrow().to_pylist())
        before = quality_report(stores).people
    with client_as(analysed_demo, "analyst") as (client, csrf):
        r = client.post("/data/merges", data={"csrf_token": csrf, "customer_id": a, "other_id": b},
                        follow_redirects=False)  # fmt: skip
        assert r.status_code == 303
        job = str(r.headers["location"]).split("job=")[1]
        assert client.app.state.jobs.wait(job).status == "done"  # type: ignore[attr-defined]
        page = client.get(f"/data/merges?job={job}").text
        assert f"{a} + {b}" in page and 'role="status"' in page
        with client.app.state.holder.use() as stores:  # type: ignore[attr-defined]
            assert quality_report(stores).people == before - 1
        r = client.post("/data/merges/split", data={"csrf_token": csrf, "customer_id": b},
                        follow_redirects=False)  # fmt: skip
        job = str(r.headers["location"]).split("job=")[1]
        assert client.app.state.jobs.wait(job).status == "done"  # type: ignore[attr-defined]
        with client.app.state.holder.use() as stores:  # type: ignore[attr-defined]
            assert quality_report(stores).people == before
        same = client.post("/data/merges", data={"csrf_token": csrf, "customer_id": a,
                                                 "other_id": a})  # fmt: skip
        assert same.status_code == 422
    with open_stores(analysed_demo) as stores, stores.app_db.session() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry))]
    assert "merge" in actions and "unmerge" in actions


def test_a_granted_analyst_sees_values_unmasked(ws: Workspace) -> None:
    with open_stores(ws) as stores:
        change_user(stores, "analyst", grants=["personal_data.read"])
    with client_as(ws, "analyst") as (client, csrf):
        html = client.get(upload(client, csrf, MESSY)).text
        assert "Nguyễn Thị Lan" in html and "cuong@gmail" in html


def test_sizes_and_counts_read_naturally() -> None:
    assert size_text(1, "en") == "1 byte" and size_text(640, "en") == "640 bytes"
    assert (
        size_text(5 * 1024 + 512, "vi") == "5,5 KB" and size_text(5 * 1024 + 512, "en") == "5.5 KB"
    )
    assert size_text(300 * 1024, "en") == "300 KB"
    assert size_text(3 * 1024**2, "vi") == "3,0 MB"
    assert counted("web_data.quarantine.total", 1, "en") == "1 row"
    assert counted("web_data.quarantine.total", 1234, "en") == "1,234 rows"
    assert counted("web_data.quarantine.total", 2, "vi") == "2 dòng"


def _runs(ws: Workspace) -> int:
    with open_stores(ws) as stores, stores.app_db.session() as session:
        return len(session.scalars(select(AnalysisRun)).all())


def test_the_analysis_runs_from_the_data_page(analysed_demo: Workspace) -> None:
    before = _runs(analysed_demo)
    with client_as(analysed_demo, "analyst") as (client, csrf):
        page = client.get("/data").text
        assert 'action="/data/analyze"' in page and "data-analysis-card" in page
        r = client.post("/data/analyze", data={"csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 303
        follow = str(r.headers["location"])
        job = follow.split("analysis=")[1]
        running = client.get(follow).text
        assert f'data-job="{job}"' in running or "data-analysis-done" in running
        assert client.app.state.jobs.wait(job, 300).status == "done"  # type: ignore[attr-defined]
        done = client.get(follow).text
        result = client.get(f"/api/v1/jobs/{job}").json()["result"]
    assert result["people"] > 0 and result["orders"] > 0 and result["customers_valued"] > 0
    assert "data-analysis-done" in done and 'href="/value"' in done
    assert format_number(result["customers_valued"], "vi") in done
    assert _runs(analysed_demo) == before + 1


def test_one_analysis_at_a_time_through_the_api(analysed_demo: Workspace) -> None:
    before = _runs(analysed_demo)
    with client_as(analysed_demo, "admin") as (client, csrf):
        holder = client.app.state.holder  # type: ignore[attr-defined]
        headers = {"X-CSRF-Token": csrf}
        with holder.lock:  # the warehouse is busy: the analysis waits for it
            first = client.post("/api/v1/analysis", headers=headers)
            second = client.post("/api/v1/analysis", headers=headers)
            page = client.get("/data").text
        assert first.status_code == second.status_code == 202
        job = first.json()["job"]
        assert second.json()["job"] == job
        assert f'data-job="{job}"' in page  # the data page follows the running analysis
        assert client.app.state.jobs.wait(job, 300).status == "done"  # type: ignore[attr-defined]
    assert _runs(analysed_demo) == before + 1


def test_only_who_may_run_the_analysis_can_start_it(ws: Workspace) -> None:
    app = create_app(ws)
    try:
        for role in ("viewer", "marketer"):
            client = TestClient(app)
            csrf = sign_in(client, role)
            assert client.post("/data/analyze", data={"csrf_token": csrf}).status_code == 403
            r = client.post("/api/v1/analysis", headers={"X-CSRF-Token": csrf})
            assert r.status_code == 403, role
            assert "/data/analyze" not in client.get("/").text
        analyst = TestClient(app)
        sign_in(analyst, "analyst")
        assert analyst.post("/data/analyze", data={}).status_code == 403  # no CSRF token
        assert analyst.post("/api/v1/analysis").status_code == 403
        assert getattr(app.state, "analysis_job", None) is None
    finally:
        app.state.jobs.close()
        app.state.holder.close()
