"""Who the customers are: demographics, contact details and psychographics of a chunk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from chandung.schema import vocab

from ._arrow import BoolArray, FloatArray, IntArray
from ._geo import Places, draw_places
from ._groups import PlantedGroup
from ._names import Names, draw_names
from ._phones import Phones, draw_phones
from ._random import categorical, flags, weight_matrix
from ._traits import INTERESTS, LIFESTYLES, MINDSETS

#: Median monthly income (VND) of each occupation.
INCOME_MEDIAN: dict[str, float] = {
    "office_worker": 12e6,
    "manager": 30e6,
    "business_owner": 32e6,
    "civil_servant": 9e6,
    "teacher": 9e6,
    "healthcare": 12e6,
    "engineer_it": 22e6,
    "skilled_worker": 9e6,
    "factory_worker": 7.5e6,
    "farmer": 5e6,
    "student": 3e6,
    "homemaker": 4e6,
    "freelancer": 10e6,
    "retired": 5e6,
    "other": 7e6,
}
ETHNICITIES: dict[str, float] = {
    "Kinh": 86.0,
    "Tày": 2.0,
    "Thái": 2.0,
    "Mường": 1.5,
    "Khmer": 1.5,
    "Hoa": 1.5,
    "Nùng": 1.2,
    "H'Mông": 1.0,
    "Dao": 0.8,
    "Ê Đê": 0.4,
    "Chăm": 0.2,
    "Gia Rai": 0.4,
}
OLD_ADDRESS_SHARE = 0.3
#: Share of records that were already customers when the history starts.
VETERAN_SHARE = 0.3


@dataclass(frozen=True)
class People:
    """The people of one chunk, as arrays (one element per customer record)."""

    group: IntArray
    female: BoolArray
    age: IntArray
    birth_days: IntArray  # days since 1970 of the true birth date
    english: BoolArray
    places: Places
    old_address: BoolArray
    occupation: IntArray
    income: IntArray
    education: IntArray
    marital: IntArray
    children: IntArray
    ethnicity: IntArray
    device: IntArray
    platform: IntArray
    mindset: IntArray
    lifestyle: IntArray
    contact: IntArray
    interests: BoolArray
    main_channel: IntArray
    names: Names
    phones: Phones
    has_email: BoolArray
    email_kind: IntArray
    unknown_gender: IntArray  # 0 stated, 1 missing, 2 "unknown", 3 "other"
    veteran: BoolArray  # a customer since before the history starts
    missing: dict[str, BoolArray]

    @property
    def size(self) -> int:
        """Number of records."""
        return len(self.group)

    def copy_rows(self, target: IntArray, source: IntArray) -> People:
        """People where each ``target`` record repeats the person of ``source``."""

        def copy(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
            out = a.copy()
            out[target] = a[source]
            return out

        names = Names(copy(self.names.first), copy(self.names.second), copy(self.names.third))
        phones = Phones(
            copy(self.phones.code), copy(self.phones.subscriber), copy(self.phones.form)
        )
        places = Places(
            copy(self.places.former),
            copy(self.places.current),
            copy(self.places.hometown),
            copy(self.places.rural),
        )
        arrays: dict[str, Any] = {
            name: copy(getattr(self, name))
            for name in (
                "group",
                "female",
                "age",
                "birth_days",
                "english",
                "old_address",
                "occupation",
                "income",
                "education",
                "marital",
                "children",
                "ethnicity",
                "device",
                "platform",
                "mindset",
                "lifestyle",
                "contact",
                "interests",
                "main_channel",
                "has_email",
                "email_kind",
                "unknown_gender",
            )
        }
        return replace(self, names=names, phones=phones, places=places, **arrays)


def _ages(rng: np.random.Generator, groups: tuple[PlantedGroup, ...], g: IntArray) -> IntArray:
    mean = np.array([x.age_mean for x in groups])[g]
    sd = np.array([x.age_sd for x in groups])[g]
    low = np.array([x.age_range[0] for x in groups])[g]
    high = np.array([x.age_range[1] for x in groups])[g]
    age = np.rint(mean + sd * rng.standard_normal(len(g)))
    return np.clip(age, low, high).astype(np.int64)


def _marital(
    rng: np.random.Generator, married_share: FloatArray, age: IntArray, children_mean: FloatArray
) -> tuple[IntArray, IntArray]:
    statuses = vocab.MARITAL_STATUSES
    n = len(age)
    married = rng.random(n) < married_share
    u = rng.random(n)
    status = np.where(married, statuses.index("married"), statuses.index("single"))
    status = np.where(married & (age > 32) & (u < 0.05), statuses.index("divorced"), status)
    status = np.where(married & (age > 58) & (u > 0.93), statuses.index("widowed"), status)
    ever_married = status != statuses.index("single")
    kids = rng.poisson(np.maximum(children_mean - 1, 0)) + 1
    kids = np.where(ever_married, kids, 0)
    # Married couples without children yet are common among the young.
    kids = np.where(
        ever_married & (age < 30) & (rng.random(n) < 0.3) & (children_mean < 1.5), 0, kids
    )
    return status.astype(np.int64), kids.astype(np.int64)


def draw_people(
    rng: np.random.Generator,
    groups: tuple[PlantedGroup, ...],
    group: IntArray,
    end: dt.date,
    first_number: int = 0,
) -> People:
    """Draw the people of a chunk, group by group (``first_number``: the chunk's first record
    number, which keeps phone numbers distinct across chunks)."""
    n = len(group)

    def probs(attr: str, values: tuple[str, ...]) -> FloatArray:
        return weight_matrix([getattr(x, attr) for x in groups], values)

    def per_group(attr: str) -> FloatArray:
        result: FloatArray = np.array([getattr(x, attr) for x in groups], dtype=float)[group]
        return result

    female = rng.random(n) < per_group("female_share")
    age = _ages(rng, groups, group)
    end_days = (end - dt.date(1970, 1, 1)).days
    birth_days = end_days - np.rint((age + rng.random(n)) * 365.25).astype(np.int64)
    english = rng.random(n) < per_group("english_share")
    places = draw_places(rng, per_group("urban_bias"), per_group("rural_share"))
    occupation = categorical(rng, probs("occupations", vocab.OCCUPATIONS), group)
    median = np.array([INCOME_MEDIAN[o] for o in vocab.OCCUPATIONS])[occupation]
    raw_income = median * per_group("income_multiplier") * np.exp(0.4 * rng.standard_normal(n))
    income = (np.round(raw_income / 100_000) * 100_000).astype(np.int64)
    education = categorical(rng, probs("education", vocab.EDUCATION_LEVELS), group)
    marital, children = _marital(rng, per_group("married_share"), age, per_group("children_mean"))
    ethnicity = rng.choice(len(ETHNICITIES), size=n, p=_normalised(ETHNICITIES))
    device = categorical(rng, probs("devices", vocab.DEVICES), group)
    ios = rng.random(n) < per_group("ios_share")
    mobile_platform = np.where(ios, vocab.PLATFORMS.index("ios"), vocab.PLATFORMS.index("android"))
    desktop_platform = np.where(
        rng.random(n) < 0.6 * per_group("ios_share"),
        vocab.PLATFORMS.index("macos"),
        vocab.PLATFORMS.index("windows"),
    )
    platform = np.where(device == vocab.DEVICES.index("desktop"), desktop_platform, mobile_platform)
    interests = flags(
        rng, np.array([[x.interests.get(i, 0.0) for i in INTERESTS] for x in groups]), group
    )
    has_email = rng.random(n) < per_group("email_share")
    office = np.isin(
        occupation,
        [vocab.OCCUPATIONS.index(o) for o in ("office_worker", "manager", "engineer_it")],
    )
    student = occupation == vocab.OCCUPATIONS.index("student")
    u = rng.random(n)
    email_kind = np.where(office & (u < 0.25), 1, np.where(student & (u < 0.4), 2, 0))
    g = rng.random(n)
    unknown_gender = np.select([g < 0.02, g < 0.03, g < 0.033], [1, 2, 3], 0)
    missing = {
        column: rng.random(n) < share
        for column, share in (
            ("marital_status", 0.1),
            ("children_count", 0.25),
            ("occupation", 0.12),
            ("monthly_income_vnd", 0.25),
            ("education", 0.35),
            ("ethnicity", 0.4),
            ("hometown_province", 0.3),
            ("birth_date", 0.35),
            ("interests", 0.2),
            ("lifestyle", 0.3),
        )
    }
    return People(
        group=group.astype(np.int64),
        female=female,
        age=age,
        birth_days=birth_days,
        english=english,
        places=places,
        old_address=rng.random(n) < OLD_ADDRESS_SHARE,
        occupation=occupation,
        income=income,
        education=education,
        marital=marital,
        children=children,
        ethnicity=ethnicity.astype(np.int64),
        device=device,
        platform=platform.astype(np.int64),
        mindset=categorical(rng, probs("mindset", MINDSETS), group),
        lifestyle=categorical(rng, probs("lifestyles", LIFESTYLES), group),
        contact=categorical(rng, probs("contact_channels", vocab.CONTACT_CHANNELS), group),
        interests=interests,
        main_channel=categorical(rng, probs("channels", vocab.SALES_CHANNELS), group),
        names=draw_names(rng, female, age, english),
        phones=draw_phones(rng, 0.22, n, np.arange(first_number, first_number + n)),
        has_email=has_email,
        email_kind=email_kind.astype(np.int64),
        unknown_gender=unknown_gender.astype(np.int64),
        veteran=rng.random(n) < VETERAN_SHARE,
        missing=missing,
    )


def _normalised(weights: dict[str, float]) -> FloatArray:
    w = np.array(list(weights.values()))
    result: FloatArray = w / w.sum()
    return result
