"""The scored rule finds exactly the pairs its documented weights say, at any threshold."""

from __future__ import annotations

import itertools
import random
import re
from datetime import date

import pytest

from chandung.identity import MatchSettings, match_pairs
from chandung.services.stores import Stores
from tests.conftest import rows

_VALID_EMAIL = re.compile(r"^[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)*\.[a-z]{2,}$")


def _records(seed: int, n: int) -> list[dict[str, object]]:
    """Records drawn from small pools, so that many pairs share a name key and birth year and
    every kind of evidence (and its absence) occurs."""
    rng = random.Random(seed)
    births = [date(1990, 3, 5), date(1990, 7, 9), date(1991, 3, 5), None, None]
    phones = ["+84911112345", "+84321112345", "+84988887777", "+84912340000", None, None]
    emails = ["lan@gmail.com", " LAN@gmail.com", "lan@yahoo.com", "n/a", "mai@gmail.com", None]
    records = []
    for i in range(n):
        birth = rng.choice(births)
        records.append({
            "customer_id": f"C{i:04d}",
            "name_key": rng.choice(["nguyen thi lan", "tran van duc", None]),
            "birth_date": birth, "birth_year": birth.year if birth else rng.choice([1990, None]),
            "province": rng.choice(["Hà Nội", "Cà Mau", None]),
            "phone_e164": rng.choice(phones), "email": rng.choice(emails),
        })  # fmt: skip
    return records


def _expected(records: list[dict[str, object]], threshold: float) -> set[tuple[str, str]]:
    """Every pair scored one by one with the weights of docs/identity.md."""

    def email(r: dict[str, object]) -> str | None:
        value = str(r["email"]).strip().lower() if r["email"] is not None else None
        return value if value and _VALID_EMAIL.search(value) else None

    def tail(r: dict[str, object]) -> str | None:
        return str(r["phone_e164"])[-6:] if r["phone_e164"] else None

    def compare(a: object, b: object) -> tuple[int, int]:
        both = a is not None and b is not None
        return int(both and a == b), int(both and a != b)

    pairs = set()
    for a, b in itertools.combinations(records, 2):
        if a["name_key"] is None or a["birth_year"] is None:
            continue
        if (a["name_key"], a["birth_year"]) != (b["name_key"], b["birth_year"]):
            continue
        same_date, other_date = compare(a["birth_date"], b["birth_date"])
        same_place, other_place = compare(a["province"], b["province"])
        same_tail, _ = compare(tail(a), tail(b))
        _, other_phone = compare(a["phone_e164"], b["phone_e164"])
        same_mail, other_mail = compare(email(a), email(b))
        score = (
            0.45 + 0.25 * same_date - 0.25 * other_date + 0.15 * same_place - 0.10 * other_place
            + 0.30 * same_tail - 0.20 * other_phone + 0.30 * same_mail - 0.10 * other_mail
        )  # fmt: skip
        if score >= threshold:
            left, right = sorted((str(a["customer_id"]), str(b["customer_id"])))
            pairs.add((left, right))
    return pairs


# Scores are multiples of 0.05; thresholds between them keep rounding out of the comparison.
# Up to 0.60 every pair of a block may qualify; above it the rule narrows its block to pairs
# that share a birth date, a phone tail or an e-mail, which must give the same pairs.
@pytest.mark.parametrize("threshold", [0.42, 0.57, 0.62, 0.77, 0.93])
@pytest.mark.parametrize("seed", [1, 2])
def test_scored_pairs_are_those_the_weights_give(
    stores: Stores, threshold: float, seed: int
) -> None:
    records = _records(seed, 140)
    stores.warehouse.replace_tables([{"customers": rows("customers", records)}])
    pairs = match_pairs(stores.warehouse.table("customers"), MatchSettings(threshold=threshold))
    scored = pairs.filter(pairs.rule == "name_birth").to_pyarrow().to_pylist()
    found = [(p["left_id"], p["right_id"]) for p in scored]
    assert len(found) == len(set(found)), "a pair is listed once"
    expected = _expected(records, threshold)
    assert expected, "the records give pairs to find"
    assert set(found) == expected
