"""The demo business generator: schemas, determinism, planted structure, dirt and realism."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tracemalloc

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from chandung.datasets.demo import (
    DIRTY_KINDS,
    TRUTH_SCHEMAS,
    DemoChunk,
    DemoSettings,
    generate,
    name_key,
    planted_groups,
    strip_diacritics,
)
from chandung.schema import TABLES, vocab
from chandung.schema import table as schema_table
from chandung.schema.provinces_vn import CURRENT_PROVINCES, FORMER_TO_CURRENT

SETTINGS = DemoSettings(customers=20_000, chunk_size=8_000, seed=7)
OLD_TO_NEW = {
    "162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37",
    "168": "38", "169": "39", "120": "70", "121": "79", "122": "77", "126": "76",
    "128": "78", "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
    "186": "56", "188": "58", "199": "59",
}  # fmt: skip
#: A well-formed address with a real top-level domain (so "gmial.con" is not one).
EMAIL = re.compile(r"^[a-z0-9._]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|vn|net|org)$")
DOMAIN_TYPOS = ("gmial.con", "gmail.con", "gmai.com", "yahoo.con")
KEYS = {t.name: t.primary_key for t in TABLES}


@pytest.fixture(scope="module")
def chunks() -> list[DemoChunk]:
    return list(generate(SETTINGS))


@pytest.fixture(scope="module")
def data(chunks: list[DemoChunk]) -> dict[str, pa.Table]:
    """Every canonical and truth table, all chunks together."""
    names = list(chunks[0].tables) + list(chunks[0].truth)
    return {
        name: pa.concat_tables([{**c.tables, **c.truth}[name] for c in chunks]).combine_chunks()
        for name in names
    }


def np_col(t: pa.Table, name: str) -> np.ndarray:
    return t.column(name).to_numpy(zero_copy_only=False)


def z(a: float, b: float, se_a: float, se_b: float) -> float:
    return abs(a - b) / np.sqrt(se_a**2 + se_b**2)


# --- shape -----------------------------------------------------------------------------


def test_every_chunk_has_every_table_with_the_exact_schema(chunks: list[DemoChunk]) -> None:
    assert len(chunks) == 3
    for chunk in chunks:
        assert list(chunk.tables) == [t.name for t in TABLES]
        for name, t in chunk.tables.items():
            assert t.schema.equals(schema_table(name).arrow_schema()), name
        for name, t in chunk.truth.items():
            assert t.schema.equals(TRUTH_SCHEMAS[name]), name


def test_every_table_has_rows_and_required_columns_are_filled(data: dict[str, pa.Table]) -> None:
    for t in TABLES:
        table = data[t.name]
        assert table.num_rows > 0, t.name
        for column in t.columns:
            values = table.column(column.name)
            if column.required:
                assert values.null_count == 0, (t.name, column.name)
            if column.values is not None:
                seen = set(pc.unique(values.drop_null()).to_pylist())
                assert seen <= set(column.values), (t.name, column.name, seen)
        assert set(pc.unique(table.column("source")).to_pylist()) == {"demo"}
        assert set(pc.unique(table.column("import_batch")).to_pylist()) == {"demo"}


def test_ground_truth_stays_out_of_the_canonical_tables(data: dict[str, pa.Table]) -> None:
    assert data["customer_groups"].num_rows == data["customers"].num_rows
    assert (
        np_col(data["customer_groups"], "customer_id").tolist()
        == np_col(data["customers"], "customer_id").tolist()
    )
    for t in TABLES:
        assert "group_id" not in data[t.name].column_names


def test_same_settings_give_the_same_data_and_another_seed_does_not() -> None:
    settings = DemoSettings(customers=1_500, chunk_size=600, seed=3)
    first = list(generate(settings))
    again = list(generate(settings))
    other = list(generate(DemoSettings(customers=1_500, chunk_size=600, seed=4)))
    for a, b in zip(first, again, strict=True):
        for name in a.tables:
            assert a.tables[name].equals(b.tables[name]), name
        for name in a.truth:
            assert a.truth[name].equals(b.truth[name]), name
    assert not first[0].tables["orders"].equals(other[0].tables["orders"])


def test_ids_are_unique_across_chunks_and_references_resolve(data: dict[str, pa.Table]) -> None:
    for name, key in KEYS.items():
        t = data[name]
        distinct = t.group_by(list(key)).aggregate([]).num_rows
        assert distinct == t.num_rows, name
    assert re.fullmatch(r"C\d{7}", data["customers"]["customer_id"][0].as_py())

    def ids(name: str, column: str) -> set[object]:
        return set(data[name].column(column).drop_null().to_pylist())

    for table_name, refs in ((t.name, t.references) for t in TABLES):
        for column, target in refs.items():
            target_table, target_column = target.split(".")
            missing = ids(table_name, column) - ids(target_table, target_column)
            assert not missing, (table_name, column, list(missing)[:3])


# --- planted groups ----------------------------------------------------------------------


def test_planted_groups_are_defined() -> None:
    groups = planted_groups()
    assert 4 <= len(groups) <= 6
    assert len({g.group_id for g in groups}) == len(groups)
    assert sum(g.share for g in groups) == pytest.approx(1.0, abs=0.01)
    for g in groups:
        assert g.name_vi and g.name_en and len(g.description) > 40
        assert "share" in g.parameters and "group_id" not in g.parameters


def test_groups_have_their_stated_sizes(data: dict[str, pa.Table]) -> None:
    groups = planted_groups()
    labels = np_col(data["customer_groups"], "group_id")
    n = len(labels)
    total = sum(g.share for g in groups)
    for g in groups:
        p = g.share / total
        count = int((labels == g.group_id).sum())
        assert abs(count - n * p) < 5 * np.sqrt(n * p * (1 - p)), g.group_id


def _group_metrics(data: dict[str, pa.Table]) -> dict[str, dict[str, tuple[float, float]]]:
    """Mean and standard error of a few traits per group, on clean records only."""
    customers = data["customers"]
    group = dict(
        zip(
            np_col(data["customer_groups"], "customer_id"),
            np_col(data["customer_groups"], "group_id"),
            strict=True,
        )
    )
    dirty = set(np_col(data["dirty_records"], "customer_id"))
    ids = np_col(customers, "customer_id")
    clean = np.array([i not in dirty for i in ids])
    labels = np.array([group[i] for i in ids])
    age = 2026 - np_col(customers, "birth_year").astype(float)
    female = (np_col(customers, "gender") == "female").astype(float)
    orders = data["orders"]
    owner = np.array([group[i] for i in np_col(orders, "customer_id")])
    total = np_col(orders, "total_vnd").astype(float)
    channel = np_col(orders, "channel")
    per_customer = {g: 0 for g in set(labels)}
    for g, k in zip(*np.unique(owner, return_counts=True), strict=True):
        per_customer[g] = k
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for g in sorted(set(labels)):
        rows = clean & (labels == g)
        mine = owner == g
        counts = np.bincount(np.unique(np_col(orders, "customer_id")[mine], return_inverse=True)[1])
        metrics = {
            "age": age[rows],
            "female": female[rows],
            "log_aov": np.log(total[mine]),
            "orders": np.concatenate([counts, np.zeros((labels == g).sum() - len(counts))]),
            "marketplace": np.isin(channel[mine], ["shopee", "lazada", "tiki", "tiktok_shop"]),
            "store": np.isin(channel[mine], ["store_mt", "store_gt"]),
        }
        out[g] = {
            k: (float(np.mean(v)), float(np.std(v) / np.sqrt(len(v)))) for k, v in metrics.items()
        }
    return out


def test_groups_are_statistically_distinct(data: dict[str, pa.Table]) -> None:
    m = _group_metrics(data)
    for a, b in itertools.combinations(sorted(m), 2):
        scores = sorted(
            (z(m[a][k][0], m[b][k][0], m[a][k][1], m[b][k][1]) for k in m[a]), reverse=True
        )
        # Every pair differs by many standard errors on at least two traits.
        assert scores[1] > 8, (a, b, scores)
    assert (
        m["students_tech"]["age"][0]
        < m["urban_beauty"]["age"][0]
        < m["young_parents"]["age"][0]
        < m["affluent_premium"]["age"][0]
    )
    assert m["urban_beauty"]["female"][0] > 0.8 > 0.4 > m["students_tech"]["female"][0]
    assert (
        m["affluent_premium"]["log_aov"][0]
        > m["young_parents"]["log_aov"][0]
        > m["bargain_provincial"]["log_aov"][0]
    )
    assert m["b2b_buyers"]["log_aov"][0] > m["affluent_premium"]["log_aov"][0]
    assert m["young_parents"]["orders"][0] > 2 * m["affluent_premium"]["orders"][0]


def test_channel_mix_depends_on_the_group(data: dict[str, pa.Table]) -> None:
    labels = dict(
        zip(
            np_col(data["customer_groups"], "customer_id"),
            np_col(data["customer_groups"], "group_id"),
            strict=True,
        )
    )
    group = np.array([labels[i] for i in np_col(data["orders"], "customer_id")])
    channel = np_col(data["orders"], "channel")
    g_values, g_idx = np.unique(group, return_inverse=True)
    c_values, c_idx = np.unique(channel, return_inverse=True)
    observed = np.zeros((len(g_values), len(c_values)))
    np.add.at(observed, (g_idx, c_idx), 1)
    expected = observed.sum(1, keepdims=True) * observed.sum(0, keepdims=True) / observed.sum()
    chi2 = float((((observed - expected) ** 2) / np.where(expected > 0, expected, 1)).sum())
    df = (len(g_values) - 1) * (len(c_values) - 1)
    assert chi2 > df + 50 * np.sqrt(2 * df)
    share = observed / observed.sum(1, keepdims=True)
    row = {g: i for i, g in enumerate(g_values)}
    col = {c: i for i, c in enumerate(c_values)}
    assert share[row["bargain_provincial"], col["store_gt"]] > 0.4
    assert share[row["b2b_buyers"], col["sales_rep"]] == 1.0
    assert (
        share[row["urban_beauty"], col["tiktok_shop"]]
        > share[row["affluent_premium"], col["tiktok_shop"]]
    )


# --- planted dirt ------------------------------------------------------------------------


def test_dirt_is_planted_at_the_stated_rate(data: dict[str, pa.Table]) -> None:
    n = data["customers"].num_rows
    kinds = np_col(data["dirty_records"], "kind")
    rate = SETTINGS.dirty_rate
    assert abs(len(kinds) - n * rate) < 4 * np.sqrt(n * rate * (1 - rate))
    for kind in DIRTY_KINDS:
        p = rate / len(DIRTY_KINDS)
        count = int((kinds == kind).sum())
        assert abs(count - n * p) < 4 * np.sqrt(n * p * (1 - p)), kind


def test_planted_dirt_is_really_there(data: dict[str, pa.Table]) -> None:
    customers = data["customers"].to_pandas().set_index("customer_id")
    dirty = data["dirty_records"].to_pandas()
    by_kind = {k: dirty[dirty.kind == k] for k in DIRTY_KINDS}
    plain = customers.loc[by_kind["name_without_diacritics"].customer_id, "full_name"]
    assert (plain == plain.map(strip_diacritics)).all()
    emails = customers.loc[by_kind["bad_email"].customer_id, "email"]
    typo = emails.str.split("@").str[-1].isin(DOMAIN_TYPOS)
    assert emails.notna().all() and (~emails.str.match(EMAIL.pattern) | typo).all()
    ages = customers.loc[by_kind["impossible_age"].customer_id]
    assert ((ages.birth_year > 2026) | (ages.birth_year < 2026 - 110)).all()
    dated = ages.birth_date.dropna()
    assert (dated.map(lambda d: d.year) == ages.loc[dated.index, "birth_year"]).all()
    copies = by_kind["duplicate_person"]
    copy = customers.loc[copies.customer_id]
    original = customers.loc[copies.duplicate_of_customer_id]
    assert (copies.customer_id.values != copies.duplicate_of_customer_id.values).all()
    assert (copy.phone_e164.values == original.phone_e164.values).all()
    assert (copy.name_key.values == original.name_key.values).all()
    assert (copy.phone.values != original.phone.values).mean() > 0.95
    # Clean records have well-formed e-mails and plausible ages.
    clean = customers.drop(index=dirty.customer_id)
    assert clean.email.dropna().str.match(EMAIL.pattern).all()
    assert clean.birth_year.between(2026 - 75, 2026 - 17).all()


def test_phones_are_written_many_ways_and_normalised_right(data: dict[str, pa.Table]) -> None:
    phone = np_col(data["customers"], "phone")
    e164 = np_col(data["customers"], "phone_e164")
    assert all(re.fullmatch(r"\+84\d{9}", p) for p in e164)
    old = np.array([bool(re.fullmatch(r"01\d{9}", p)) for p in phone])
    assert 0.03 < old.mean() < 0.25
    for p, e in zip(phone[old], e164[old], strict=True):
        assert e == "+84" + OLD_TO_NEW[p[1:4]] + p[4:]
    for p, e in zip(phone[~old], e164[~old], strict=True):
        digits = re.sub(r"\D", "", p)
        digits = digits[2:] if digits.startswith("84") and len(digits) == 11 else digits[1:]
        assert "+84" + digits == e, p
    assert any(p.startswith("+84") for p in phone) and any("." in p for p in phone)
    assert any(" " in p for p in phone)


def test_names_and_provinces_look_vietnamese(data: dict[str, pa.Table]) -> None:
    customers = data["customers"].to_pandas()
    family = customers.full_name.str.split().str[0]
    assert 0.3 < (family == "Nguyễn").mean() < 0.45
    vn = customers[customers.gender == "female"].full_name.str.split()
    assert (vn.str[1] == "Thị").mean() > 0.35
    assert (customers.name_key == customers.full_name.map(name_key)).mean() > 0.99
    assert set(customers.province) <= set(CURRENT_PROVINCES)
    former = customers.province_former.dropna()
    assert 0.25 < len(former) / len(customers) < 0.35
    assert (former.map(FORMER_TO_CURRENT) == customers.loc[former.index, "province"]).all()
    big = customers.province.isin(["Hà Nội", "Thành phố Hồ Chí Minh"]).mean()
    assert 0.3 < big < 0.7
    assert (customers.province_raw != customers.province).mean() > 0.15


# --- behaviour ---------------------------------------------------------------------------


def test_order_amounts_add_up(data: dict[str, pa.Table]) -> None:
    orders, items = data["orders"], data["order_items"]
    total = pc.add(
        pc.subtract(orders["items_amount_vnd"], orders["discount_vnd"]), orders["shipping_vnd"]
    )
    assert pc.all(pc.equal(total, orders["total_vnd"])).as_py()
    assert pc.all(
        pc.equal(pc.multiply(items["quantity"], items["unit_price_vnd"]), items["line_total_vnd"])
    ).as_py()
    sums = items.group_by("order_id").aggregate(
        [("line_total_vnd", "sum"), ("line_number", "max"), ("line_number", "count")]
    )
    joined = orders.join(sums, "order_id")
    assert joined.num_rows == orders.num_rows
    assert pc.all(pc.equal(joined["items_amount_vnd"], joined["line_total_vnd_sum"])).as_py()
    assert pc.all(pc.equal(joined["line_number_max"], joined["line_number_count"])).as_py()
    assert pc.max(joined["line_number_max"]).as_py() <= 6
    groups = [vocab.CHANNEL_GROUPS[c] for c in np_col(orders, "channel")]
    assert groups == np_col(orders, "channel_group").tolist()
    store = np.isin(np_col(orders, "channel"), ["store_mt", "store_gt"])
    assert (pd_notna(np_col(orders, "store_id")) == store).all()
    b2b = np_col(orders, "channel") == "sales_rep"
    assert (pd_notna(np_col(orders, "account_id")) == b2b).all()


def pd_notna(values: np.ndarray) -> np.ndarray:
    return np.array([v is not None for v in values])


def test_tet_drives_revenue(data: dict[str, pa.Table]) -> None:
    orders = data["orders"]
    when = np_col(orders, "ordered_at").astype("datetime64[D]")
    total = np_col(orders, "total_vnd").astype(float)

    def revenue(first: dt.date, days: int) -> float:
        start = np.datetime64(first)
        return float(total[(when >= start) & (when < start + days)].sum())

    for tet in (dt.date(2025, 1, 29), dt.date(2026, 2, 17)):
        before = revenue(tet - dt.timedelta(days=28), 28)
        normal = revenue(tet + dt.timedelta(days=70), 28)
        assert before >= 1.5 * normal, (tet, before / normal)


def test_about_ten_order_lines_per_customer(data: dict[str, pa.Table]) -> None:
    per_customer = data["order_items"].num_rows / data["customers"].num_rows
    assert 7 <= per_customer <= 14


def test_events_follow_the_funnel(data: dict[str, pa.Table]) -> None:
    events, orders = data["events"], data["orders"]
    names = np_col(events, "event_name")
    counts = {n: int((names == n).sum()) for n in vocab.EVENT_NAMES}
    funnel = [counts[n] for n in ("session_start", "add_to_cart", "begin_checkout", "purchase")]
    assert funnel == sorted(funnel, reverse=True)
    assert counts["begin_checkout"] > 1.05 * counts["purchase"]  # abandoned checkouts
    own = pc.is_in(orders["channel"], pa.array(["website", "app"]))
    own_orders = set(orders.filter(own)["order_id"].to_pylist())
    purchases = events.filter(pc.equal(events["event_name"], "purchase"))
    assert set(purchases["order_id"].to_pylist()) == own_orders
    assert purchases.num_rows == len(own_orders)
    value = purchases.join(orders.select(["order_id", "total_vnd", "ordered_at"]), "order_id")
    assert pc.all(pc.equal(value["value_vnd"], value["total_vnd"])).as_py()
    assert pc.all(pc.equal(value["event_timestamp"], value["ordered_at"])).as_py()
    spans = events.group_by("session_id").aggregate(
        [("event_timestamp", "min"), ("event_timestamp", "max")]
    )
    minutes = pc.divide(
        pc.cast(
            pc.subtract(spans["event_timestamp_max"], spans["event_timestamp_min"]), pa.int64()
        ),
        60_000_000,
    )
    assert pc.max(minutes).as_py() < 120
    assert pc.min(events["event_timestamp"]).as_py() >= dt.datetime(2023, 7, 1)
    assert 12 <= events.num_rows / data["customers"].num_rows <= 35


def test_feedback_fits_the_group(data: dict[str, pa.Table]) -> None:
    feedback = data["feedback"].join(data["customer_groups"], "customer_id")
    reviews = feedback.filter(pc.equal(feedback["kind"], "review"))
    assert pc.min(reviews["rating"]).as_py() >= 1 and pc.max(reviews["rating"]).as_py() <= 5
    assert feedback.filter(pc.not_equal(feedback["kind"], "review"))["rating"].null_count == (
        feedback.num_rows - reviews.num_rows
    )
    mean = {
        r["group_id"]: r["rating_mean"]
        for r in reviews.group_by("group_id").aggregate([("rating", "mean")]).to_pylist()
    }
    assert mean["affluent_premium"] > mean["bargain_provincial"] + 0.4
    texts = np_col(feedback, "text")
    ascii_share = np.mean([t == strip_diacritics(t) for t in texts])
    assert 0.05 < ascii_share < 0.4
    assert 0.3 <= feedback.num_rows / data["customers"].num_rows <= 0.6
    assert {"vi", "en"} == set(pc.unique(feedback["language"]).to_pylist())


def test_survey_answers_are_consistent(data: dict[str, pa.Table]) -> None:
    survey = data["survey_responses"].to_pandas()
    share = survey.response_id.nunique() / data["customers"].num_rows
    assert 0.15 <= share <= 0.25
    ranks = survey[survey.question_id.str.startswith("criteria_rank_")]
    per_response = ranks.groupby("response_id").answer_number.apply(sorted)
    assert (per_response.map(tuple) == (1.0, 2.0, 3.0, 4.0)).all()
    scores = survey[survey.question_id.isin(["nps", "recommend", "repurchase_intent"])]
    assert scores.answer_number.between(0, 10).all()
    income = (
        survey[survey.question_id == "self_reported_income_vnd"]
        .merge(
            data["customers"].select(["customer_id", "monthly_income_vnd"]).to_pandas(),
            on="customer_id",
        )
        .dropna(subset=["answer_number", "monthly_income_vnd"])
    )
    ratio = (income.answer_number / income.monthly_income_vnd).median()
    assert 1.1 <= ratio <= 1.4
    # What matters differs by group: price for bargain hunters, not for premium buyers.
    answers = survey.merge(data["customer_groups"].to_pandas(), on="customer_id")
    price = answers[answers.question_id == "criteria_rank_price"]
    rank = price.groupby("group_id").answer_number.mean()
    assert rank["bargain_provincial"] + 1.5 < rank["affluent_premium"]
    pains = answers[answers.question_id == "pain_points"]
    says = pains.answer_text.str.contains("Giá cao").groupby(pains.group_id).mean()
    assert says["bargain_provincial"] > 2 * says["affluent_premium"]


def test_consents_and_contacts_are_coherent(data: dict[str, pa.Table]) -> None:
    consents = data["consents"].to_pandas()
    given = consents[consents.status == "given"].groupby(["customer_id", "purpose"]).recorded_at
    withdrawn = consents[consents.status == "withdrawn"].set_index(["customer_id", "purpose"])
    assert (withdrawn.recorded_at > given.min().loc[withdrawn.index]).all()
    contacts = data["campaign_contacts"].to_pandas()
    for earlier, later in (
        ("sent_at", "opened_at"),
        ("opened_at", "clicked_at"),
        ("sent_at", "converted_at"),
    ):
        both = contacts[[earlier, later]].dropna()
        assert (both[later] >= both[earlier]).all()
    assert contacts.converted_at.notna().sum() == contacts.order_id.notna().sum() > 0
    leads = data["leads"].to_pandas()
    converted = leads.status == "converted"
    assert (leads.converted_customer_id.notna() == converted).all()
    assert 0.2 < converted.mean() < 0.7


def test_memory_stays_bounded_by_the_chunk() -> None:
    settings = DemoSettings(customers=100_000, chunk_size=10_000, seed=1)
    tracemalloc.start()
    try:
        lines = 0
        for chunk in generate(settings):
            lines += chunk.tables["order_items"].num_rows
            del chunk
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines > 700_000
    assert peak < 300 * 2**20
