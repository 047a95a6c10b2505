"""Identity resolution: the right records become one person, and no others."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from chandung.services.demo import generate_demo
from chandung.services.identity import resolve_identities
from chandung.services.stores import Stores, open_stores
from chandung.workspace import Workspace
from tests.conftest import rows


def person(
    cid: str,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    birth: date | None = None,
    province: str | None = None,
    seen: str = "2024-01-01",
    ref: str | None = None,
) -> dict[str, object]:
    from chandung.ingest.normalize.name_vn import name_key

    return {
        "customer_id": cid, "full_name": name,
        "name_key": name_key([name]).to_pylist()[0] if name else None,
        "phone_e164": phone, "email": email, "birth_date": birth,
        "birth_year": birth.year if birth else None, "province": province,
        "first_seen_at": datetime.fromisoformat(seen), "source_customer_ref": ref,
    }  # fmt: skip


def resolve(stores: Stores, records: list[dict[str, object]]) -> dict[str, str]:
    stores.warehouse.replace_tables([{"customers": rows("customers", records)}])
    resolve_identities(stores)
    links = stores.warehouse.table("customer_links").to_pyarrow().to_pylist()
    return {r["customer_id"]: r["person_id"] for r in links}


def groups(links: dict[str, str]) -> set[frozenset[str]]:
    by_person: dict[str, set[str]] = defaultdict(set)
    for cid, pid in links.items():
        by_person[pid].add(cid)
    return {frozenset(g) for g in by_person.values() if len(g) > 1}


def test_same_phone_same_email_and_chains_make_one_person(stores: Stores) -> None:
    links = resolve(stores, [
        person("C1", "Nguyễn Thị Lan", phone="+84323456789"),
        person("C2", "Nguyen Thi Lan", phone="+84323456789", email="lan@gmail.com"),
        person("C3", "Lan Nguyễn", email="LAN@gmail.com "),
        person("C4", "Trần Văn Đức", phone="+84912345678"),
    ])  # fmt: skip
    assert groups(links) == {frozenset({"C1", "C2", "C3"})}
    assert links["C2"] == links["C3"] == "C1"


def test_shared_switchboard_numbers_link_nobody(stores: Stores) -> None:
    records = [person(f"C{i}", f"Khách {i}", phone="+84280000000") for i in range(8)]
    assert groups(resolve(stores, records)) == set()


def test_invalid_emails_link_nobody(stores: Stores) -> None:
    links = resolve(stores, [person("C1", "An", email="n/a"), person("C2", "Bình", email="n/a")])
    assert groups(links) == set()


@pytest.mark.parametrize(
    ("second", "linked"),
    [
        ({"birth": date(1990, 3, 5), "province": "Hà Nội"}, True),
        ({"birth": date(1990, 3, 5), "province": "Hà Nội", "phone": "+84321112345"}, True),
        ({"birth": date(1990, 3, 5), "province": "Hà Nội", "phone": "+84988887777"}, False),
        ({"birth": date(1990, 7, 9), "province": "Hà Nội"}, False),
        ({"birth": date(1990, 3, 5), "province": "Cà Mau"}, False),
    ],
)
def test_name_and_birth_need_a_second_agreeing_fact(
    stores: Stores, second: dict[str, object], linked: bool
) -> None:
    first = person(
        "C1", "Nguyễn Thị Lan", birth=date(1990, 3, 5), province="Hà Nội", phone="+84911112345"
    )
    other = person("C2", "Nguyen thi Lan", **second)  # type: ignore[arg-type]
    assert bool(groups(resolve(stores, [first, other]))) is linked


def test_same_id_in_the_same_source_is_one_person(stores: Stores) -> None:
    a = {**person("C1", "A", ref="KH001"), "source": "pos"}
    b = {**person("C2", "B", ref="KH001"), "source": "pos"}
    c = {**person("C3", "C", ref="KH001"), "source": "shop"}
    assert groups(resolve(stores, [a, b, c])) == {frozenset({"C1", "C2"})}


def test_golden_record_takes_each_field_from_the_latest_record_that_has_it(
    stores: Stores,
) -> None:
    resolve(stores, [
        person("C1", "Nguyễn Thị Lan", phone="+84323456789", email="old@x.vn",
               province="Bình Dương", seen="2023-01-01"),
        person("C2", "Nguyen Thi Lan", phone="+84323456789", province=None, seen="2025-06-01"),
    ])  # fmt: skip
    people = stores.warehouse.table("people").to_pyarrow().to_pylist()
    assert len(people) == 1
    golden = people[0]
    assert golden["records"] == 2 and golden["person_id"] == "C1"
    assert golden["full_name"] == "Nguyen Thi Lan"  # the latest
    assert golden["province"] == "Bình Dương"  # the latest that has one
    assert golden["email"] == "old@x.vn"
    assert golden["first_seen_at"] == datetime(2023, 1, 1)


def test_resolving_twice_gives_the_same_result(stores: Stores) -> None:
    records = [person("C1", phone="+84323456789"), person("C2", phone="+84323456789")]
    first = resolve(stores, records)
    resolve_identities(stores)
    again = stores.warehouse.table("customer_links").to_pyarrow().to_pylist()
    assert {r["customer_id"]: r["person_id"] for r in again} == first
    assert not [t for t in stores.warehouse.backend.list_tables() if t.startswith("_identity")]


@pytest.mark.slow
def test_planted_duplicates_of_the_demo_are_found_and_nobody_else_is_merged(
    tmp_path: Path,
) -> None:
    with open_stores(Workspace.open(tmp_path / "demo")) as stores:
        generate_demo(stores, 30_000, seed=11)
        resolve_identities(stores)
        links = stores.warehouse.table("customer_links").to_pyarrow().to_pylist()
        truth_dir = stores.workspace.demo_dir / "truth"
    dirty = pq.read_table(truth_dir / "dirty_records.parquet").to_pylist()
    true_person = {r["customer_id"]: r["customer_id"] for r in links}
    for r in dirty:
        if r["kind"] == "duplicate_person":
            true_person[r["customer_id"]] = r["duplicate_of_customer_id"]

    def pairs(assign: dict[str, str]) -> set[tuple[str, str]]:
        by: dict[str, list[str]] = defaultdict(list)
        for cid, pid in assign.items():
            by[pid].append(cid)
        return {p for g in by.values() for p in itertools.combinations(sorted(g), 2)}

    predicted = pairs({r["customer_id"]: r["person_id"] for r in links})
    truth = pairs(true_person)
    assert len(truth) > 300
    hits = len(predicted & truth)
    assert hits / len(predicted) >= 0.99, predicted - truth
    assert hits / len(truth) >= 0.95, truth - predicted
    # No two planted distinct people are merged: every predicted pair is a planted one.
    assert predicted <= truth


def test_a_merge_can_be_made_and_undone(stores: Stores) -> None:
    from chandung.errors import NotFoundError
    from chandung.services.identity import merge_records, split_record

    records = [
        person("C1", "Nguyễn Thị Lan", phone="+84323456789"),
        person("C2", "Nguyen Thi Lan", phone="+84323456789"),
        person("C3", "Lan N.", email="lan.n@x.vn"),
    ]
    assert groups(resolve(stores, records)) == {frozenset({"C1", "C2"})}

    def current() -> set[frozenset[str]]:
        links = stores.warehouse.table("customer_links").to_pyarrow().to_pylist()
        return groups({r["customer_id"]: r["person_id"] for r in links})

    merge_records(stores, "C3", "C1")
    assert current() == {frozenset({"C1", "C2", "C3"})}
    split_record(stores, "C3")
    assert current() == {frozenset({"C1", "C2"})}
    split_record(stores, "C2")  # undo an automatic link too
    assert current() == set()
    merge_records(stores, "C2", "C1")  # a manual merge holds over the split
    assert current() == {frozenset({"C1", "C2"})}
    with pytest.raises(NotFoundError, match="C9"):
        merge_records(stores, "C1", "C9")
