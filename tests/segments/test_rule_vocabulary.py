"""Rules over the real field catalogue: fields named by their labels in either language,
coded values written as people write them, and values that name no level refused."""

from __future__ import annotations

import ibis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chandung.i18n import LANGUAGES
from chandung.ingest.normalize.vocabulary import text_key
from chandung.segments.rules import FieldInfo, RuleError, fold_text, parse_rule, rule_to_text
from chandung.services.segment_base import PEOPLE_COLUMNS, VALUE_COLUMNS
from chandung.services.segments import (
    FIELD_LEVELS,
    PROFILE_ATTRIBUTES,
    field_catalogue,
    level_labels,
    level_names,
    trait_labels,
)

_NUMBERS = {"birth_year", "children_count", "monthly_income_vnd", "records", "age"}


def _base() -> ibis.Table:
    """An unbound table with the columns of the segment base (no data is needed to parse)."""
    schema: dict[str, str] = {"customer_id": "string"}
    for name in PEOPLE_COLUMNS:
        schema[name] = "int64" if name in _NUMBERS else "string"
    schema.update(birth_date="date", first_seen_at="timestamp")
    for name in VALUE_COLUMNS:
        schema[name] = "float64"
    schema.update(
        main_channel_group="string", rfm_segment="string", records="int64", age="int64",
        age_band="string", has_phone="boolean", has_email="boolean", bought="boolean",
        churn_risk="float64", last_order_date="date", first_order_date="date",
        channels_used="array<string>", consent_marketing="boolean",
    )  # fmt: skip
    return ibis.table(schema, name="segment_base")


FIELDS: dict[str, FieldInfo] = field_catalogue(_base())


def _text(rule: str) -> str:
    return rule_to_text(parse_rule(rule, FIELDS))


def test_the_vietnamese_example_of_the_guide_reads() -> None:
    assert _text('tỉnh thành = "Đà Nẵng" và đơn hàng >= 2') == (
        'province = "Đà Nẵng" and orders >= 2'
    )
    assert _text('tinh thanh = "Da Nang" và don hang >= 2') == (
        'province = "Da Nang" and orders >= 2'
    )


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("giới tính = nữ", 'gender = "female"'),
        ("gender = nữ", 'gender = "female"'),
        ("gender = nu", 'gender = "female"'),
        ("gender = Female", 'gender = "female"'),
        ("gender != nam", 'gender != "male"'),
        ("gender = male", 'gender = "male"'),
        ("nghề nghiệp = giáo viên", 'occupation = "teacher"'),
        ('occupation in ["Kỹ sư", sinh vien, office_worker]',
         'occupation in ["engineer_it", "student", "office_worker"]'),
        ("học vấn = đại học hoặc education = postgraduate",
         'education = "bachelor" or education = "postgraduate"'),
        ("kênh đầu tiên = tạp hóa", 'acquisition_channel = "store_gt"'),
        ("channels_used contains Shopee Mall", 'channels_used contains "shopee"'),
        ("nhóm RFM = 'Nhà vô địch'", 'rfm_segment = "champions"'),
        ("marital status = married", 'marital_status = "married"'),
        ("doanh thu > 1tr", "total_revenue > 1000000"),
        ("predicted CLV >= 2tr", "predicted_clv_vnd >= 2000000"),
        ('province contains "giao"', 'province contains "giao"'),
    ],
)  # fmt: skip
def test_fields_and_values_in_words(rule: str, expected: str) -> None:
    assert _text(rule) == expected


@pytest.mark.parametrize(
    ("rule", "code", "named"),
    [
        ("gender = xyz", "segment.rule.unknown_level", "female, male, other, unknown"),
        ("occupation = doctorr", "segment.rule.unknown_level_close", "healthcare"),
        ("channels_used contains ebay", "segment.rule.unknown_level", "shopee"),
        ("platform in [android, symbian]", "segment.rule.unknown_level", "ios"),
    ],
)
def test_a_value_that_names_no_level_is_refused_with_the_levels(
    rule: str, code: str, named: str
) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rule(rule, FIELDS)
    assert caught.value.code == code
    for language in LANGUAGES:
        assert named in caught.value.render(language)


def test_free_text_fields_keep_any_value() -> None:
    assert _text('province = "Nowhere"') == 'province = "Nowhere"'
    assert _text('age_band = "25-34"') == 'age_band = "25-34"'


def _level_words() -> list[tuple[str, str, str]]:
    """``(field, word, code)``: each level by its code and by its name in each language."""
    out = []
    for name, codes in FIELD_LEVELS.items():
        for language in LANGUAGES:
            for code, label in level_names(name, language).items():
                if code in codes:
                    out.append((name, label, code))
        out.extend((name, code, code) for code in codes)
    return out


@settings(max_examples=60, deadline=None)
@given(
    item=st.sampled_from(_level_words()),
    style=st.sampled_from([str, str.upper, str.title, fold_text, text_key]),
)
def test_every_level_reads_by_its_code_or_its_name_in_any_case(
    item: tuple[str, str, str], style: object
) -> None:
    name, word, code = item
    written = style(word)  # type: ignore[operator]
    op = "contains" if FIELDS[name].type == "list" else "="
    rule = f"{name} {op} {_quoted(written)}"
    assert _text(rule) == f'{name} {op} "{code}"'


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_every_level_of_the_profiles_has_a_name_in_both_languages() -> None:
    for language in LANGUAGES:
        labels = level_labels(language)
        for name, kind in PROFILE_ATTRIBUTES.items():
            if kind != "categorical" or name not in FIELD_LEVELS:
                continue
            missing = [c for c in FIELD_LEVELS[name] if c != "unknown" and c not in labels[name]]
            assert not missing, (language, name, missing)
    coded = {n for n in PROFILE_ATTRIBUTES if n in FIELD_LEVELS}
    assert {"occupation", "education", "marital_status", "acquisition_channel"} <= coded


def test_traits_name_the_attribute_where_a_level_alone_would_not_say_it() -> None:
    labels = trait_labels("en")
    assert callable(labels)
    assert labels("occupation", "engineer_it") == "engineer, IT"
    assert (
        labels("acquisition_channel", "store_gt") == "first channel local shops, general trade (GT)"
    )
    assert labels("gender", None) is None
    vi = trait_labels("vi")
    assert callable(vi)
    assert vi("education", "high_school") == "trung học phổ thông"
