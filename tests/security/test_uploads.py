"""Attacks through the upload of files: hostile names and ids, oversized and malformed files,
and callers who may not upload. Each is refused with a clear answer, never a server error,
and leaves nothing behind and nothing disclosed."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from chandung.services import uploads
from chandung.services.stores import open_stores
from chandung.services.users import create_user
from chandung.web import create_app
from chandung.workspace import Workspace
from tests.web.conftest import add_users, sign_in

from .conftest import Served, serving

CSV = "Họ và tên,SDT\nNguyễn Thị Bí Mật,0912345678\n".encode()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("uploads") / "ws"
    with open_stores(Workspace.open(home)) as stores:
        add_users(stores)
    return home


@pytest.fixture
def ws(template: Path, tmp_path: Path) -> Workspace:
    shutil.copytree(template, tmp_path / "ws")
    return Workspace.open(tmp_path / "ws")


@pytest.fixture
def app_of(ws: Workspace) -> Iterator[Served]:
    app = create_app(ws)
    with serving(app) as served:
        yield served
    app.state.jobs.close()
    app.state.holder.close()


def signed_in(app: Served, role: str) -> tuple[httpx2.Client, str]:
    client = app.client()
    return client, sign_in(client, role)  # type: ignore[arg-type]


def kept(ws: Workspace) -> list[str]:
    folder = uploads.uploads_dir(ws)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def post(
    client: httpx2.Client, csrf: str, name: str, content: bytes, *, script: bool = False
) -> object:
    headers = {"X-CSRF-Token": csrf, "Accept": "application/json"} if script else {}
    data = {"kind": "customers"} if script else {"kind": "customers", "csrf_token": csrf}
    return client.post(
        "/data/uploads",
        data=data,
        files={"file": (name, content, "application/octet-stream")},
        headers=headers,
        follow_redirects=False,
    )


def assert_nothing_disclosed(ws: Workspace, text: str) -> None:
    assert "Traceback" not in text and str(ws.home) not in text
    assert "Bí Mật" not in text and "0912345678" not in text


@pytest.mark.parametrize(
    "name",
    ["../../x.csv", "/etc/cron.d/x.csv", "..\\..\\x.csv", "C:\\Windows\\x.csv", "....//x.csv",
     "x.csv\x00.txt", "\u202ex.csv", "%2e%2e%2fx.csv"],
)  # fmt: skip
def test_a_hostile_file_name_is_only_a_name(ws: Workspace, app_of: Served, name: str) -> None:
    client, csrf = signed_in(app_of, "analyst")
    r = post(client, csrf, name, CSV)
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    upload_id = r.headers["location"].rsplit("/", 1)[1]  # type: ignore[attr-defined]
    assert kept(ws) == [f"{upload_id}.enc", f"{upload_id}.json"]
    assert not (ws.home.parent / "x.csv").exists() and not (ws.home / "x.csv").exists()
    page = client.get(f"/data/uploads/{upload_id}").text
    assert "x.csv" in page and "../" not in page and "\\" not in page


@pytest.mark.parametrize(
    "path",
    ["/data/uploads/..%2F..%2Fetc", "/data/uploads/..%2F..%2Fconfig.toml", "/data/uploads/%2e%2e",
     "/data/uploads/" + "0" * 32, "/data/uploads/ABCDEF",
     "/data/imports/..%2F..%2Fapp.db", "/data/imports/" + "a" * 64,
     "/api/v1/imports/..%2F..%2Fkeys", "/data/quarantine?batch=..%2F..%2Fapp"],
)  # fmt: skip
def test_hostile_ids_find_nothing(ws: Workspace, app_of: Served, path: str) -> None:
    client, _ = signed_in(app_of, "admin")
    r = client.get(path, follow_redirects=False)
    assert r.status_code in (404, 422), (path, r.status_code)
    assert "[workspace]" not in r.text and "SQLite format" not in r.text
    assert_nothing_disclosed(ws, r.text)


def test_someone_elses_upload_is_not_found(ws: Workspace, app_of: Served) -> None:
    analyst, csrf = signed_in(app_of, "analyst")
    preview = post(analyst, csrf, "k.csv", CSV).headers["location"]  # type: ignore[attr-defined]
    with app_of.app.state.holder.use_accounts() as stores:
        create_user(stores, "analyst2", "analyst", "correct horse battery", check_permission=False)
    other, other_csrf = signed_in(app_of, "analyst2")
    assert other.get(preview).status_code == 404
    r = other.post(preview, data={"csrf_token": other_csrf, "action": "import"})
    assert r.status_code == 404 and len(kept(ws)) == 2


def test_an_oversized_upload_is_refused_while_it_arrives(
    ws: Workspace, app_of: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)
    client, csrf = signed_in(app_of, "analyst")
    big = CSV + b"Tran Van A,0912000000\n" * 100
    for script in (False, True):
        r = post(client, csrf, "big.csv", big, script=script)
        assert r.status_code == 413, r.text  # type: ignore[attr-defined]
        assert "1000" in r.text or "0,00095" in r.text or "MB" in r.text  # type: ignore[attr-defined]
        assert_nothing_disclosed(ws, r.text)  # type: ignore[attr-defined]
        assert kept(ws) == []
    api = client.post("/api/v1/imports", data={"kind": "customers"}, headers={"X-CSRF-Token": csrf},
                      files={"file": ("big.csv", big, "text/csv")})  # fmt: skip
    assert api.status_code == 413 and api.json()["error"] == "web_data.too_large"
    assert kept(ws) == []


def test_a_request_too_large_is_refused_before_it_is_read(
    ws: Workspace, app_of: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 1000)
    client, csrf = signed_in(app_of, "analyst")
    body = b"x" * (1000 + 1024 * 1024 + 10)
    r = client.post("/data/uploads", content=body, headers={
        "content-type": "multipart/form-data; boundary=b", "X-CSRF-Token": csrf,
        "Accept": "application/json"})  # fmt: skip
    assert r.status_code == 413 and r.json()["error"] == "web_data.too_large"
    anonymous = app_of.client()
    r = anonymous.post("/api/v1/imports", content=body, headers={
        "content-type": "multipart/form-data; boundary=b"})  # fmt: skip
    assert r.status_code == 401  # who is asking comes first
    chunked = client.post("/api/v1/imports", content=iter([b"--b\r\n"]), headers={
        "content-type": "multipart/form-data; boundary=b", "X-CSRF-Token": csrf})  # fmt: skip
    assert chunked.status_code == 411
    assert kept(ws) == []


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    return out.getvalue()


def _not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.csv", b"", "empty"),
        ("junk.csv", bytes(range(256)) * 40, "binary"),
        ("fake.xlsx", b"Ho ten,SDT\nLan,0912\n", "xlsx"),
        ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "xls"),
        ("archive.csv", b"PK\x03\x04" + b"\x00" * 100, "zip"),
        ("program.exe", b"MZ\x90\x00", "exe"),
    ],
)  # fmt: skip
def test_a_malformed_file_gets_one_clear_error(
    ws: Workspace, app_of: Served, name: str, content: bytes, code: str
) -> None:
    client, csrf = signed_in(app_of, "analyst")
    page = post(client, csrf, name, content)
    assert page.status_code in (400, 422), page.status_code  # type: ignore[attr-defined]
    html = page.text  # type: ignore[attr-defined]
    assert html.count('role="alert"') >= 1 and 'class="error"' in html
    assert_nothing_disclosed(ws, html)
    api = post(client, csrf, name, content, script=True)
    assert api.status_code in (400, 422) and api.json()["message"]  # type: ignore[attr-defined]
    assert kept(ws) == []


@pytest.mark.parametrize(("name", "content"), [("bomb.xlsx", _zip_bomb()),
                                               ("odd.xlsx", _not_a_workbook())])  # fmt: skip
def test_a_hostile_workbook_is_refused_at_preview(
    ws: Workspace, app_of: Served, name: str, content: bytes
) -> None:
    client, csrf = signed_in(app_of, "analyst")
    preview = post(client, csrf, name, content).headers["location"]  # type: ignore[attr-defined]
    r = client.get(preview)
    assert r.status_code == 422 and 'role="alert"' in r.text
    assert name in r.text and "Traceback" not in r.text and str(ws.home) not in r.text
    assert kept(ws) == []  # an unreadable upload is deleted


@pytest.mark.parametrize(
    "body",
    [b"garbage", b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n",
     b'--b\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncustomers\r\n--b--\r\n',
     b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nHo ten\n'],
)  # fmt: skip
def test_a_broken_form_is_refused(ws: Workspace, app_of: Served, body: bytes) -> None:
    client, csrf = signed_in(app_of, "analyst")
    for path in ("/data/uploads", "/api/v1/imports"):
        r = client.post(path, content=body, headers={
            "content-type": "multipart/form-data; boundary=b", "X-CSRF-Token": csrf,
            "Accept": "application/json"})  # fmt: skip
        assert 400 <= r.status_code < 500, (path, r.status_code, r.text)
        assert r.json()["message"]
    r = client.post("/api/v1/imports", json={"kind": "customers"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422
    assert kept(ws) == []


def test_anonymous_and_viewer_uploads_are_refused(ws: Workspace, app_of: Served) -> None:
    anonymous = app_of.client()
    files = {"file": ("k.csv", CSV, "text/csv")}
    r = anonymous.post(
        "/data/uploads", data={"kind": "customers"}, files=files, follow_redirects=False
    )
    assert r.status_code in (303, 401)
    r = anonymous.post("/api/v1/imports", data={"kind": "customers"},
                       files={"file": ("k.csv", CSV, "text/csv")})  # fmt: skip
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/json")
    viewer, csrf = signed_in(app_of, "viewer")
    assert post(viewer, csrf, "k.csv", CSV).status_code == 403  # type: ignore[attr-defined]
    assert post(viewer, csrf, "k.csv", CSV, script=True).status_code == 403  # type: ignore[attr-defined]
    r = viewer.post("/api/v1/imports", data={"kind": "customers"}, headers={"X-CSRF-Token": csrf},
                    files={"file": ("k.csv", CSV, "text/csv")})  # fmt: skip
    assert r.status_code == 403 and "Bí Mật" not in r.text
    assert kept(ws) == []


def test_uploads_left_behind_are_swept(ws: Workspace, app_of: Served) -> None:
    client, csrf = signed_in(app_of, "analyst")
    post(client, csrf, "k.csv", CSV)
    assert len(kept(ws)) == 2
    from datetime import UTC, datetime

    later = datetime.now(UTC) + uploads.KEEP * 2
    assert uploads.purge_expired(ws, now=later) >= 1
    assert kept(ws) == []
