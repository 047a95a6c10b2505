"""Companies of the B2B line: each groups one to three contacts, the first of whom decides."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from chandung.schema import vocab

from . import _arrow as A
from ._arrow import BoolArray, IntArray
from ._geo import current_names
from ._random import choice
from ._text import name_key

INDUSTRY_WEIGHTS: dict[str, float] = {
    "hospitality": 30,
    "professional_services": 15,
    "technology": 14,
    "retail": 10,
    "manufacturing": 10,
    "education": 8,
    "healthcare": 6,
    "logistics": 4,
    "construction": 2,
    "agriculture": 1,
}
_PREFIX: dict[str, tuple[str, ...]] = {
    "hospitality": ("Khách sạn", "Resort", "Nhà hàng", "Homestay"),
    "professional_services": ("Công ty TNHH Tư vấn", "Công ty Luật", "Công ty Kiểm toán"),
    "technology": ("Công ty Cổ phần Công nghệ", "Công ty TNHH Phần mềm"),
    "retail": ("Công ty TNHH Thương mại", "Hệ thống cửa hàng"),
    "manufacturing": ("Công ty Cổ phần Sản xuất", "Công ty TNHH May mặc"),
    "education": ("Trường Mầm non", "Trung tâm Anh ngữ", "Trường Quốc tế"),
    "healthcare": ("Phòng khám Đa khoa", "Nha khoa", "Bệnh viện Quốc tế"),
    "logistics": ("Công ty Cổ phần Logistics", "Công ty TNHH Vận tải"),
    "construction": ("Công ty TNHH Xây dựng",),
    "agriculture": ("Hợp tác xã Nông nghiệp",),
}
_BRANDS = (
    "An Phát",
    "Minh Long",
    "Hoàng Gia",
    "Thiên Phú",
    "Sao Việt",
    "Tân Tiến",
    "Phương Đông",
    "Đại Dương",
    "Kim Cương",
    "Bình Minh",
    "Việt Hưng",
    "Hòa Bình",
    "Thành Công",
    "Nam Sơn",
    "Trường Thịnh",
    "Phúc Lộc",
    "Hải Âu",
    "Mặt Trời",
    "Sen Vàng",
    "Ánh Dương",
    "Hưng Thịnh",
    "Lam Sơn",
    "Tâm Đức",
    "Quốc Bảo",
    "Gia Khang",
    "Vạn Xuân",
    "Cát Tường",
    "Đông Á",
)
DECIDER_TITLES = (
    "Giám đốc",
    "Tổng Giám đốc",
    "Chủ doanh nghiệp",
    "Trưởng phòng Mua hàng",
    "Giám đốc Vận hành",
)
STAFF_TITLES = (
    "Nhân viên Mua hàng",
    "Kế toán",
    "Chuyên viên Hành chính",
    "Trợ lý Giám đốc",
    "Quản lý Buồng phòng",
)


@dataclass(frozen=True)
class Accounts:
    """The companies of a chunk and which customer records belong to them."""

    of_row: IntArray  # account (within the chunk) of each customer record, -1 for none
    decides: BoolArray  # per record: whether the person decides purchases
    title: IntArray  # per record: index into DECIDER_TITLES or STAFF_TITLES, -1 for none
    industry: IntArray  # per account
    decider: IntArray  # per account: the decision maker's record
    names: pa.Array
    domains: pa.Array
    first_number: int

    @property
    def size(self) -> int:
        """Number of companies."""
        return len(self.industry)

    def company_of_rows(self) -> pa.Array:
        """Name of each record's company (null for consumers)."""
        rows = len(self.of_row)
        if not self.size:
            return pa.nulls(rows, pa.string())
        return self.names.take(pa.array(np.maximum(self.of_row, 0), mask=self.of_row < 0))

    def hospitality_rows(self) -> BoolArray:
        """Records of people working for hotels and restaurants."""
        if not self.size:
            return np.zeros(len(self.of_row), dtype=bool)
        hotel = vocab.INDUSTRIES.index("hospitality")
        industry = self.industry[np.maximum(self.of_row, 0)]
        result: BoolArray = (self.of_row >= 0) & (industry == hotel)
        return result


def draw_accounts(
    rng: np.random.Generator, b2b_rows: IntArray, size: int, first_number: int
) -> Accounts:
    """Group the B2B records of a chunk into companies of one to three contacts."""
    k = len(b2b_rows)
    contacts = rng.choice([1, 2, 3], size=max(k, 1), p=[0.6, 0.3, 0.1])
    ends = np.cumsum(contacts)
    account = np.searchsorted(ends, np.arange(k), side="right")
    count = int(account[-1]) + 1 if k else 0
    of_row = np.full(size, -1, dtype=np.int64)
    of_row[b2b_rows] = account
    first_of_account = np.ones(k, dtype=bool)
    first_of_account[1:] = account[1:] != account[:-1]
    decides = np.zeros(size, dtype=bool)
    decides[b2b_rows[first_of_account]] = True
    title = np.full(size, -1, dtype=np.int64)
    title[b2b_rows] = np.where(
        first_of_account,
        rng.integers(0, len(DECIDER_TITLES), k),
        rng.integers(0, len(STAFF_TITLES), k),
    )
    industry = choice(rng, list(INDUSTRY_WEIGHTS.values()), count)
    industry_names = [list(INDUSTRY_WEIGHTS)[i] for i in industry]
    prefixes = [_PREFIX[name] for name in industry_names]
    picks = rng.integers(0, 1 << 20, (count, 2))
    names = [
        f"{p[a % len(p)]} {_BRANDS[b % len(_BRANDS)]}"
        for p, (a, b) in zip(prefixes, picks.tolist(), strict=True)
    ]
    domains = [
        name_key(_BRANDS[b % len(_BRANDS)]).replace(" ", "") + (".vn" if a % 3 else ".com.vn")
        for a, b in picks.tolist()
    ]
    return Accounts(
        of_row=of_row,
        decides=decides,
        title=title,
        industry=np.array([vocab.INDUSTRIES.index(n) for n in industry_names], dtype=np.int64),
        decider=b2b_rows[first_of_account],
        names=pa.array(names, pa.string()),
        domains=pa.array(domains, pa.string()),
        first_number=first_number,
    )


def account_ids(accounts: Accounts) -> pa.Array:
    """Ids of the companies of a chunk."""
    return A.ids("A", accounts.first_number, accounts.size, 6)


def accounts_table(
    rng: np.random.Generator,
    accounts: Accounts,
    customer_ids: pa.Array,
    province: IntArray,
    first_seen: IntArray,
    import_batch: str,
) -> pa.Table:
    """The canonical ``accounts`` table of a chunk."""
    n = accounts.size
    staff = np.clip(np.rint(np.exp(np.log(40) + 1.1 * rng.standard_normal(n))), 3, 5000)
    per_head = np.exp(np.log(1.2e9) + 0.6 * rng.standard_normal(n))
    revenue = (np.round(staff * per_head / 1e6) * 1e6).astype(np.int64)
    size = np.searchsorted([10, 50, 200], staff, side="right")
    decider = accounts.decider
    # Tax codes open with the code of the province that issued them (01 Hà Nội, 03 HCMC).
    home = province[decider]
    issuer = np.where(home == 0, 1, np.where(home == 1, 3, 4 + home))
    digits = np.hstack([A.digit_matrix(issuer, 2), A.digit_matrix(rng.integers(0, 10**8, n), 8)])
    tax = A.fixed_strings(digits)
    title = accounts.title[decider]
    return A.canonical_table(
        "accounts",
        {
            "account_id": account_ids(accounts),
            "name": accounts.names,
            "tax_code": tax,
            "industry": A.take(vocab.INDUSTRIES, accounts.industry),
            "staff_count": A.ints(staff),
            "annual_revenue_vnd": A.ints(revenue),
            "company_size": A.take(vocab.COMPANY_SIZES, size),
            "decision_maker_customer_id": customer_ids.take(pa.array(decider)),
            "decision_maker_title": A.take(DECIDER_TITLES, title),
            "province": current_names(province[decider]),
            "created_at": A.timestamps(first_seen[decider]),
        },
        n,
        import_batch,
    )
