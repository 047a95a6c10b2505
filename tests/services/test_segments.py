"""Saved segments over the demo business: live counts, members, checks, snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest

from chandung.errors import InputError, NotFoundError
from chandung.segments.rules import RuleError
from chandung.services.analysis import run_analysis
from chandung.services.demo import generate_demo
from chandung.services.segment_base import segment_base
from chandung.services.segments import (
    SNAPSHOT_TABLE,
    check_segment,
    count_rule,
    create_segment,
    delete_segment,
    field_catalogue,
    list_segments,
    segment_members,
    show_segment,
    snapshot_segment,
)
from chandung.services.stores import Stores, open_stores
from chandung.workspace import Workspace

TODAY = date(2026, 7, 1)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stores]:
    workspace = Workspace.open(tmp_path_factory.mktemp("segments") / "shop")
    with open_stores(workspace) as stores:
        generate_demo(stores, customers=2000, seed=21)
        run_analysis(stores)
        yield stores


@pytest.fixture(scope="module")
def base(shop: Stores) -> pd.DataFrame:
    return segment_base(shop, today=TODAY).to_pandas()


def test_the_base_has_one_row_per_person_and_no_contact_details(
    shop: Stores, base: pd.DataFrame
) -> None:
    people = shop.warehouse.table("people").count().to_pyarrow().as_py()
    assert len(base) == people == base.customer_id.nunique()
    assert not {"full_name", "phone_e164", "email", "address"} & set(base.columns)
    catalogue = field_catalogue(segment_base(shop))
    assert catalogue["gender"].type == "text"
    assert catalogue["predicted_clv_vnd"].type == "number"
    assert catalogue["channels_used"].type == "list"
    assert catalogue["consent_marketing"].type == "boolean"
    assert catalogue["last_order_date"].type == "date"


@pytest.mark.parametrize(
    ("rule", "oracle"),
    [
        ("gender = female", lambda b: b.gender == "female"),
        ('province = "Ha Noi"', lambda b: b.province == "Hà Nội"),
        ("age between 25 and 34", lambda b: b.age.between(25, 34)),
        (
            "rfm_segment in [champions, loyal] and predicted_clv_vnd > 5tr",
            lambda b: b.rfm_segment.isin(["champions", "loyal"]) & (b.predicted_clv_vnd > 5e6),
        ),
        (
            "channels_used contains shopee or not bought",
            lambda b: (
                b.channels_used.map(lambda c: c is not None and "shopee" in list(c))
                | ~b.bought.fillna(False).astype(bool)
            ),
        ),
        ("occupation is missing", lambda b: b.occupation.isna()),
    ],
)
def test_live_counts_match_the_base(
    shop: Stores, base: pd.DataFrame, rule: str, oracle: object
) -> None:
    members, everyone = count_rule(shop, rule, today=TODAY)
    expected = int(oracle(base).fillna(False).sum())  # type: ignore[operator]
    assert (members, everyone) == (expected, len(base))
    assert 0 < members < everyone


def test_a_segment_is_saved_listed_checked_snapshotted_and_deleted(shop: Stores) -> None:
    info = create_segment(shop, "Women 25-34", "gender = female and age between 25 and 34")
    assert info.rule == 'gender = "female" and age between 25 and 34'
    assert info.members == show_segment(shop, "Women 25-34").members > 0
    assert [s.name for s in list_segments(shop)] == ["Women 25-34"]
    members = segment_members(shop, "Women 25-34").to_pandas()
    assert len(members) == info.members and (members.gender == "female").all()

    check = check_segment(shop, "Women 25-34")
    assert check.members == info.members
    assert set(check.field_completeness) == {"gender", "age"}
    assert check.field_completeness["gender"] == 1.0
    assert 0 <= check.reachable_share <= 1
    assert check.reachable_share == pytest.approx(members.consent_marketing.mean())

    snapshot_id = snapshot_segment(shop, "Women 25-34")
    kept = shop.warehouse.table(SNAPSHOT_TABLE).to_pandas()
    assert (kept.snapshot_id == snapshot_id).sum() == info.members
    with pytest.raises(InputError, match="already exists"):
        create_segment(shop, "Women 25-34", "gender = male")
    delete_segment(shop, "Women 25-34")
    with pytest.raises(NotFoundError):
        show_segment(shop, "Women 25-34")
    kept = shop.warehouse.table(SNAPSHOT_TABLE).to_pandas()
    assert not (kept.snapshot_id == snapshot_id).any()


def test_a_bad_rule_is_refused_before_saving(shop: Stores) -> None:
    with pytest.raises(RuleError) as error:
        create_segment(shop, "typo", 'provnce = "Ha Noi"')
    assert "province" in error.value.render("en")
    assert list_segments(shop) == []


def test_a_profile_names_what_sets_the_segment_apart(shop: Stores) -> None:
    from chandung.services.segments import (
        compare_saved_segments,
        level_labels,
        profile_saved_segment,
    )

    create_segment(shop, "HCMC women", 'gender = female and province contains "Ho Chi Minh"')
    create_segment(shop, "Men", "gender = male")
    profile = profile_saved_segment(shop, "HCMC women")
    assert profile.size == show_segment(shop, "HCMC women").members
    first = profile.traits[0]
    assert first.direction == "over" and first.ratio is not None and first.ratio > 1
    texts = profile.trait_texts("vi", level_labels("vi"))
    assert any("nữ" in t for t in texts) and any("Hồ Chí Minh" in t for t in texts)
    comparison = compare_saved_segments(shop, "HCMC women", "Men")
    gender = [d for d in comparison.levels if d.columns == ("gender",) and d.values == ("male",)]
    assert gender[0].share_a == 0 and gender[0].share_b == 1


def test_not_target_finds_non_buyers_like_the_members(shop: Stores) -> None:
    from chandung.services.not_target import not_target

    create_segment(shop, "Hanoi women", 'gender = female and province = "Ha Noi"')
    report = not_target(shop, "Hanoi women")
    base = segment_base(shop).to_pandas()
    never = base[~base.bought.fillna(False).astype(bool)]
    assert report.non_buyers == len(never) > 0
    assert 0 < report.lookalikes < report.non_buyers
    # Look-alikes are chosen on who they are: mostly women, mostly from Hà Nội.
    assert report.members == int(
        ((base.gender == "female") & (base.province == "Hà Nội") & base.bought.fillna(False))
        .astype(bool)
        .sum()
    )
    levels = {
        (tuple(d["columns"]), tuple(d["values"])): d for d in report.differences if "columns" in d
    }
    if (("province",), ("Hà Nội",)) in levels:
        assert levels[(("province",), ("Hà Nội",))]["share_b"] == 1.0


@pytest.mark.parametrize("name", ["rfm", "value", "buying_power"])
def test_ready_made_segmentations_cover_every_buyer(shop: Stores, name: str) -> None:
    from chandung.services.ready_segments import ready_segmentation

    report = ready_segmentation(shop, name)
    base = segment_base(shop).to_pandas()
    buyers = base[base.bought.fillna(False).astype(bool)]
    assert sum(s["size"] for s in report["segments"]) == len(buyers)
    assert sum(s["revenue_share"] for s in report["segments"]) == pytest.approx(1.0)
    if name == "value":
        top = next(s for s in report["segments"] if s["id"] == "top_20")
        assert top["share"] == pytest.approx(0.2, abs=0.01)
        assert top["value_share"] > 0.2  # the top fifth holds more than a fifth of the value
    if name == "rfm":
        counts = buyers.rfm_segment.value_counts()
        assert {s["id"]: s["size"] for s in report["segments"]} == counts.to_dict()


def test_ready_made_by_one_kind_of_data(shop: Stores) -> None:
    from chandung.services.ready_segments import ready_segmentation

    report = ready_segmentation(shop, "technology")
    assert report["kinds"] == ["technology"] and report["k"] == len(report["segments"]) >= 2
    with pytest.raises(InputError, match="buying_power"):
        ready_segmentation(shop, "astrology")
