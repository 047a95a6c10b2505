"""Helpers of the browser flows: a watch on the page's console, a look at each step, a messy
customer file, and Vietnamese text without its diacritics."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

from .layout import layout_problems, screenshot

#: What Chromium says in the console when a page answers with an error status: expected when
#: a person is refused a page, and nothing else.
_REFUSED = re.compile(r"^Failed to load resource: the server responded with a status of 403")


class Console:
    """The errors written to the browser's console while a flow runs."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.refusals = 0
        page.on("console", self._seen)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _seen(self, message: Any) -> None:
        if message.type != "error":
            return
        if _REFUSED.match(message.text):
            self.refusals += 1
        else:
            self.errors.append(message.text)


def look(page: Any, name: str) -> None:
    """Take the screenshot of a step and check that the page shown lays out well."""
    screenshot(page, f"flow-{name}")
    assert layout_problems(page) == [], (name, page.url)


def plain(text: str) -> str:
    """``text`` as it is typed without Vietnamese diacritics (``Đặng`` → ``Dang``)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def digits(text: str) -> int:
    """The whole number written in ``text`` (``1.234`` → 1234)."""
    return int(re.sub(r"\D", "", text))


#: A customer file as a shop keeps it: headers with and without diacritics, phone numbers and
#: dates written in several ways, a wrong phone number, an impossible date, and a line with
#: more cells than the header (a comma typed in a note).
MESSY_CSV = """\
Họ và tên,SDT,Email,Ngay sinh,Tinh/Thanh,Nơi ở,Ghi chú
Nguyễn Thị Lan,0912 345 678,lan.nguyen@gmail.com,17/05/1990,Hà Nội,12 Lý Thường Kiệt,khách quen
Trần Văn Minh,0987654321,minh.tran@yahoo.com,1985-03-02,TP HCM,45 Lê Lợi,
Lê Thị Hoa,+84 903 111 222,hoa.le@gmail.com,02/11/1995,Đà Nẵng,,thích giảm giá
Pham Van Tuan,0935222333,tuan.pham@outlook.com,21/07/1988,Hai Phong,8 Trần Phú,
Hoàng Thị Mai,0977 888 999,mai.hoang@gmail.com,30/01/1992,Cần Thơ,,
Vũ Đức Anh,0911 000 111,anh.vu@gmail.com,12/12/1980,Huế,3 Lê Duẩn,VIP
Đặng Thị Thu,0945 123 456,thu.dang@gmail.com,05/06/1999,Nghệ An,,
Bùi Quang Huy,0868 555 777,huy.bui@gmail.com,09/09/1991,Bình Dương,,
Đỗ Thị Ngọc,0399 246 810,ngoc.do@gmail.com,14/02/1994,Khánh Hòa,,
Phan Thị Yến,12ab,yen.phan@gmail.com,03/03/1993,Hà Nội,,số điện thoại sai
Trịnh Văn Long,0916 222 444,long.trinh@gmail.com,31/02/1990,Hà Nội,,ngày sinh sai
Mai Văn Tú,0916 999 444,tu.mai@gmail.com,01/01/1990,Hà Nội,,ghi chú có dấu phẩy, nên thừa ô
"""


def write_messy_csv(folder: Path) -> Path:
    """:data:`MESSY_CSV` saved as ``khach-hang.csv`` in ``folder``."""
    path = folder / "khach-hang.csv"
    path.write_text(MESSY_CSV, encoding="utf-8")
    return path
