"""Sales channel, device, platform, contact channel, occupation, education and marital status
onto the fixed vocabularies."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chandung.ingest.fields import handler_for
from chandung.ingest.normalize import vocabulary as v
from chandung.ingest.normalize._result import Normalized
from chandung.schema import table
from chandung.schema.vocab import (
    CONTACT_CHANNELS,
    DEVICES,
    EDUCATION_LEVELS,
    MARITAL_STATUSES,
    OCCUPATIONS,
    PLATFORMS,
    SALES_CHANNELS,
)

CASES: list[tuple[Callable[..., Normalized], tuple[str, ...], dict[str, tuple[str, ...]], str]] = [
    (v.normalize_channel, SALES_CHANNELS, v.CHANNEL_SYNONYMS, "channel"),
    (v.normalize_device, DEVICES, v.DEVICE_SYNONYMS, "device"),
    (v.normalize_platform, PLATFORMS, v.PLATFORM_SYNONYMS, "platform"),
    (v.normalize_contact_channel, CONTACT_CHANNELS, v.CONTACT_SYNONYMS, "contact_channel"),
    (v.normalize_occupation, OCCUPATIONS, v.OCCUPATION_SYNONYMS, "occupation"),
    (v.normalize_education, EDUCATION_LEVELS, v.EDUCATION_SYNONYMS, "education"),
    (v.normalize_marital_status, MARITAL_STATUSES, v.MARITAL_SYNONYMS, "marital_status"),
]


def _pairs(canonical: tuple[str, ...], synonyms: dict[str, tuple[str, ...]]) -> list[tuple]:
    return [(c, c) for c in canonical] + [(w, c) for c, ws in synonyms.items() for w in ws]


@pytest.mark.parametrize(("normalize", "canonical", "synonyms", "field"), CASES)
def test_synonym_tables_are_consistent(normalize, canonical, synonyms, field) -> None:
    assert set(synonyms) <= set(canonical)
    keys: dict[str, str] = {}
    for word, code in _pairs(canonical, synonyms):
        assert keys.setdefault(v.text_key(word), code) == code, f"{word} means two {field}s"


@settings(max_examples=25, deadline=None)
@given(data=st.data())
@pytest.mark.parametrize(("normalize", "canonical", "synonyms", "field"), CASES)
def test_every_word_in_any_case_and_spacing(normalize, canonical, synonyms, field, data) -> None:
    pairs = data.draw(st.lists(st.sampled_from(_pairs(canonical, synonyms)), min_size=1))
    styles = data.draw(st.lists(st.integers(0, 3), min_size=len(pairs), max_size=len(pairs)))
    raw = [
        (w, w.upper(), f"  {w.title()} ", v.text_key(w))[s]
        for (w, _), s in zip(pairs, styles, strict=True)
    ]
    result = normalize(raw)
    assert result.values.to_pylist() == [code for _, code in pairs]
    assert result.invalid_count == 0


@pytest.mark.parametrize(
    ("normalize", "raw", "expected"),
    [
        (v.normalize_channel, "Shopee Mall", "shopee"),
        (v.normalize_channel, "TikTok Shop", "tiktok_shop"),
        (v.normalize_channel, "tiktokshop", "tiktok_shop"),
        (v.normalize_channel, "Web", "website"),
        (v.normalize_channel, "Zalo OA", "zalo"),
        (v.normalize_channel, "FB", "facebook"),
        (v.normalize_channel, "Cửa hàng", "store_mt"),
        (v.normalize_channel, "sieu thi", "store_mt"),
        (v.normalize_channel, "Tạp Hóa", "store_gt"),
        (v.normalize_channel, "Sales Rep", "sales_rep"),
        (v.normalize_channel, "sales_rep", "sales_rep"),
        (v.normalize_device, "Điện thoại", "mobile"),
        (v.normalize_device, "Smartphone", "mobile"),
        (v.normalize_device, "May tinh", "desktop"),
        (v.normalize_device, "máy tính bảng", "tablet"),
        (v.normalize_platform, "iPhone", "ios"),
        (v.normalize_platform, "Mac OS X", "macos"),
        (v.normalize_platform, "Windows 10", "windows"),
        (v.normalize_contact_channel, "Tin nhắn", "sms"),
        (v.normalize_contact_channel, "e-mail", "email"),
        (v.normalize_contact_channel, "Tại cửa hàng", "in_store"),
        (v.normalize_occupation, "Giáo viên", "teacher"),
        (v.normalize_occupation, "giao vien", "teacher"),
        (v.normalize_occupation, "Kỹ sư", "engineer_it"),
        (v.normalize_occupation, "KĨ SƯ", "engineer_it"),
        (v.normalize_occupation, "Sinh viên", "student"),
        (v.normalize_occupation, "Học sinh", "student"),
        (v.normalize_occupation, "Nhân viên văn phòng", "office_worker"),
        (v.normalize_occupation, "Bác sĩ", "healthcare"),
        (v.normalize_occupation, "Công nhân", "factory_worker"),
        (v.normalize_occupation, "Nội trợ", "homemaker"),
        (v.normalize_occupation, "Hưu trí", "retired"),
        (v.normalize_occupation, "Office worker", "office_worker"),
        (v.normalize_occupation, "engineer/IT", "engineer_it"),
        (v.normalize_education, "Đại học", "bachelor"),
        (v.normalize_education, "Cấp 3", "high_school"),
        (v.normalize_education, "THPT", "high_school"),
        (v.normalize_education, "Thạc sĩ", "postgraduate"),
        (v.normalize_education, "Cao đẳng", "college"),
        (v.normalize_education, "Trung cấp", "vocational"),
        (v.normalize_education, "Bachelor's degree", "bachelor"),
        (v.normalize_marital_status, "Độc thân", "single"),
        (v.normalize_marital_status, "Đã có gia đình", "married"),
        (v.normalize_marital_status, "Đã kết hôn", "married"),
        (v.normalize_marital_status, "Ly hôn", "divorced"),
        (v.normalize_marital_status, "Goá", "widowed"),
        (v.normalize_marital_status, "Married", "married"),
    ],
)
def test_messy_examples(normalize, raw: str, expected: str) -> None:
    assert normalize([raw]).values.to_pylist() == [expected]


@pytest.mark.parametrize(("normalize", "canonical", "synonyms", "field"), CASES)
def test_unknown_blank_and_null(normalize, canonical, synonyms, field) -> None:
    result = normalize(pa.chunked_array([["bồ câu đưa thư", ""], [None, "   "]]))
    assert result.values.to_pylist() == [None] * 4
    assert result.reasons.to_pylist() == [f"{field}.unknown", None, None, None]


@pytest.mark.parametrize(("normalize", "canonical", "synonyms", "field"), CASES)
def test_idempotent_on_canonical_codes(normalize, canonical, synonyms, field) -> None:
    result = normalize(list(canonical))
    assert result.values.to_pylist() == list(canonical)
    assert normalize(result.values).values.equals(result.values)


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("occupation", "Giáo viên", "teacher"),
        ("occupation", "Kỹ sư", "engineer_it"),
        ("occupation", "Sinh viên", "student"),
        ("education", "Đại học", "bachelor"),
        ("marital_status", "Có gia đình", "married"),
    ],
)
def test_a_customer_file_reads_these_fields_through_their_synonyms(
    field: str, raw: str, expected: str
) -> None:
    result = handler_for(table("customers"), field)(
        pa.array([raw, "xyz"]), table("customers"), field
    )
    assert result.columns[field].to_pylist() == [expected, None]
    assert result.reasons.to_pylist() == [None, f"{field}.unknown"]


@pytest.mark.parametrize(
    ("labels", "canonical", "normalize"),
    [
        ("occupation", OCCUPATIONS, v.normalize_occupation),
        ("education", EDUCATION_LEVELS, v.normalize_education),
        ("marital_status", MARITAL_STATUSES, v.normalize_marital_status),
    ],
)
def test_the_names_the_app_shows_read_back_as_their_code(labels, canonical, normalize) -> None:
    from chandung.i18n import catalogue

    for language in ("vi", "en"):
        names = {
            k.rpartition(".")[2]: text
            for k, text in catalogue(language).items()
            if k.startswith(f"level.{labels}.")
        }
        assert set(names) <= set(canonical)
        assert normalize(list(names.values())).values.to_pylist() == list(names), language
