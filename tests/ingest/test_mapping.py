from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chandung.errors import InputError
from chandung.ingest._synonyms import SYNONYMS
from chandung.ingest.mapping import header_key, load_mapping_file, map_columns
from chandung.schema import table

CUSTOMERS = table("customers")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Họ và tên", "full_name"), ("ho ten", "full_name"), ("Full name", "full_name"),
        ("HỌ TÊN", "full_name"), ("SĐT", "phone"), ("sdt", "phone"),
        ("Số điện thoại", "phone"), ("so_dien_thoai", "phone"), ("Phone", "phone"),
        ("Ngày sinh", "birth_date"), ("DOB", "birth_date"), ("Giới tính", "gender"),
        ("gioi tinh", "gender"), ("Tỉnh/Thành", "province_raw"), ("E-mail", "email"),
        ("Mã KH", "source_customer_ref"), ("phone_e164", "phone_e164"),
    ],
)  # fmt: skip
def test_customer_headers_map_to_fields(header: str, field: str) -> None:
    assert map_columns([header], CUSTOMERS).fields == {header: field}


def test_order_export_headers() -> None:
    columns = ["Mã đơn hàng", "Ngày đặt hàng", "Tổng tiền", "Kênh bán", "Trạng thái", "Ghi chú"]
    m = map_columns(columns, table("orders"))
    assert m.fields == {
        "Mã đơn hàng": "order_id", "Ngày đặt hàng": "ordered_at", "Tổng tiền": "total_vnd",
        "Kênh bán": "channel", "Trạng thái": "status",
    }  # fmt: skip
    assert m.unmapped == ["Ghi chú"]
    assert m.missing_required == ["customer_id", "currency"]


@given(
    st.sampled_from(sorted({s for f in SYNONYMS["customers"].values() for s in f})),
    st.sampled_from(["upper", "lower", "nfd", "plain", "spaces"]),
)
def test_case_diacritics_and_spacing_do_not_matter(synonym: str, variant: str) -> None:
    changed = {
        "upper": synonym.upper(),
        "lower": synonym.lower(),
        "nfd": unicodedata.normalize("NFD", synonym),
        "plain": "".join(
            c for c in unicodedata.normalize("NFD", synonym) if not unicodedata.combining(c)
        )
        .replace("đ", "d")
        .replace("Đ", "D"),
        "spaces": f"  {synonym.replace(' ', '_')} ",
    }[variant]
    assert header_key(changed) == header_key(synonym)
    expected = list(map_columns([synonym], CUSTOMERS).fields.values())
    assert list(map_columns([changed], CUSTOMERS).fields.values()) == expected


@pytest.mark.parametrize("name", sorted(SYNONYMS))
def test_no_header_means_two_fields(name: str) -> None:
    seen: dict[str, str] = {}
    for field, synonyms in SYNONYMS[name].items():
        assert field in table(name).column_names, field
        for synonym in synonyms:
            key = header_key(synonym)
            assert seen.setdefault(key, field) == field, (synonym, seen[key], field)


def test_each_field_is_taken_once_and_the_rest_is_kept() -> None:
    m = map_columns(["Họ tên", "Tên khách hàng", "Sở thích 2", "Ghi chú"], CUSTOMERS)
    assert m.fields == {"Họ tên": "full_name"}
    assert m.unmapped == ["Tên khách hàng", "Sở thích 2", "Ghi chú"]


def test_mapping_file_overrides(tmp_path: Path) -> None:
    path = tmp_path / "map.toml"
    path.write_text('"Tên KH" = "full_name"\n"SĐT" = ""\n"Máy" = "phone"\n', encoding="utf-8")
    overrides = load_mapping_file(path)
    m = map_columns(["Tên KH", "SĐT", "Máy"], CUSTOMERS, overrides)
    assert m.fields == {"Tên KH": "full_name", "Máy": "phone"}
    assert m.unmapped == ["SĐT"]


def test_mapping_to_an_unknown_field_names_it() -> None:
    with pytest.raises(InputError) as err:
        map_columns(["Tên KH"], CUSTOMERS, {"Tên KH": "fullname"})
    assert "fullname" in str(err.value) and "full_name" in str(err.value)


def test_mapping_a_column_the_file_lacks() -> None:
    with pytest.raises(InputError, match="Họ tên"):
        map_columns(["Họ tên"], CUSTOMERS, {"Tên KH": "full_name"})


def test_unreadable_mapping_file(tmp_path: Path) -> None:
    path = tmp_path / "map.json"
    path.write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_mapping_file(path)
    assert err.value.code == "input.mapping.shape"
