"""Field handlers read repeated values once, with the same result as reading every row."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chandung.ingest import fields
from chandung.schema import TABLES_BY_NAME

CUSTOMERS = TABLES_BY_NAME["customers"]
#: What staff type in these columns: names, genders, provinces, blanks and junk.
SAMPLES = {
    "full_name": ["Nguyễn Thị Lan", "nguyen thi lan", "  TRẦN   văn  Bình ", "Lê Đức", "", "x1"],
    "gender": ["Nữ", "nam", "F", "Male", "khác", "?", "xyz", ""],
    "province_raw": ["Hà Nội", "ha noi", "TP.HCM", "Thừa Thiên Huế", "Quảng Bình", "Mars", ""],
}


@pytest.mark.parametrize("field", sorted(SAMPLES))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_reading_distinct_values_gives_the_rows_result(field: str, data: st.DataObject) -> None:
    choices = st.one_of(st.sampled_from(SAMPLES[field]), st.none(), st.text(max_size=12))
    values = data.draw(st.lists(choices, min_size=1, max_size=60))
    # Repeat the drawn values so that most rows repeat one, as in a real file.
    column = pa.array(values * 3, pa.string())
    whole = fields.REPEATING[field](column, CUSTOMERS, field)
    distinct = fields.normalise_field(CUSTOMERS, field, column)
    assert distinct.columns.keys() == whole.columns.keys()
    for name in whole.columns:
        assert distinct.columns[name].to_pylist() == whole.columns[name].to_pylist(), name
    assert distinct.reasons.to_pylist() == whole.reasons.to_pylist()
