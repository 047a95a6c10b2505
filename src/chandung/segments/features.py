"""Features of every person for segmentation, built in the warehouse.

:func:`build_features` turns the derived tables of an analysis (``people``,
``customer_links``, ``customer_value``) and the canonical tables (orders and their lines,
products, web events, survey answers, companies) into one Ibis table with one row per person
(``customer_id`` is the person id) and one column per feature. Nothing that grows with the data
comes into Python: only the short lists a feature needs to be named (the product categories,
the labels of a survey question, the interests in use) are read.

Features come in kinds (:data:`KINDS`) that the caller chooses from:

``demographic``
    Age, gender, region of the province, commune or ward, occupation, income, education,
    marital status, children.
``behavioural``
    Orders, purchase rate, days since the last order, order value, basket size, mix of
    channels, product categories, price tiers and payment methods, discount, weekend and
    sale-day buying.
``psychographic``
    Buying mindset, lifestyle and interests on file, preferred contact channel, and the
    survey: numeric answers (ranks, scores) and the choices ticked in each question.
``value``
    Predicted lifetime value, probability of being alive, expected purchases, revenue.
``technology``
    Device and platform on file, devices of online orders, platforms and sessions of web and
    app events.
``b2b``
    Whether the person buys for a company, and its industry, size and staff.

A person who never bought keeps a row: ``orders`` is 0, ``has_orders`` (an indicator, see
:attr:`Feature.indicator`) is 0, and the other behavioural features are missing, as are the
value features. Missing values stay missing: the segmenter decides what they mean.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal, get_args

import ibis
import ibis.expr.types as ir

from ..errors import InputError
from ..metrics.overview import completed_orders
from ..schema import vocab

FeatureKind = Literal["demographic", "behavioural", "psychographic", "value", "technology", "b2b"]
FeatureType = Literal["numeric", "categorical"]
Transform = Literal["none", "log1p"]

#: Every kind of feature, in the order of the columns.
KINDS: tuple[str, ...] = get_args(FeatureKind)
#: The kinds :func:`build_features` builds unless told otherwise: all but ``value``. Lifetime
#: value and the chance of being alive are forecasts from how often and how recently people
#: buy; as segmentation features they make "heavy or light buyer" the main split inside every
#: group. Segments describe who people are and how they buy; their value is reported per
#: segment afterwards (or asked for with ``kinds``).
DEFAULT_KINDS: tuple[str, ...] = tuple(k for k in KINDS if k != "value")
#: The column naming the person in the feature table.
KEY = "customer_id"

#: Regions of the 34 current provincial units: the two metropolises on their own, the other
#: centrally-run cities together, then the north, the centre (with the Central Highlands) and
#: the south. Shoppers in Hà Nội and Hồ Chí Minh City buy differently from the provinces.
REGIONS: dict[str, str] = {
    "Hà Nội": "hanoi", "Thành phố Hồ Chí Minh": "ho_chi_minh_city",
    "Hải Phòng": "other_city", "Đà Nẵng": "other_city", "Cần Thơ": "other_city",
    "Huế": "other_city",
    "Lai Châu": "north", "Điện Biên": "north", "Sơn La": "north", "Lạng Sơn": "north",
    "Quảng Ninh": "north", "Cao Bằng": "north", "Tuyên Quang": "north", "Lào Cai": "north",
    "Thái Nguyên": "north", "Phú Thọ": "north", "Bắc Ninh": "north", "Hưng Yên": "north",
    "Ninh Bình": "north",
    "Thanh Hóa": "central", "Nghệ An": "central", "Hà Tĩnh": "central", "Quảng Trị": "central",
    "Quảng Ngãi": "central", "Gia Lai": "central", "Khánh Hòa": "central",
    "Lâm Đồng": "central", "Đắk Lắk": "central",
    "Đồng Nai": "south", "Tây Ninh": "south", "Vĩnh Long": "south", "Đồng Tháp": "south",
    "Cà Mau": "south", "An Giang": "south",
}  # fmt: skip

#: Price tiers of a product within its subcategory (terciles of the list price).
PRICE_TIERS = ("budget", "mid", "premium")
#: Survey labels a question must reach to become a feature: this many answers, and this share
#: of the question's respondents (free-text answers never do).
MIN_LABEL_ANSWERS = 5
MIN_LABEL_SHARE = 0.01
#: At most this many labels of one survey question (or interests on file) become features.
MAX_LABELS = 40
#: Ages outside this range are typing errors, not customers.
AGE_RANGE = (14, 100)
#: Shortest history a purchase rate is computed over, in days: a first order last week says
#: little about how often someone buys.
MIN_RATE_DAYS = 90
_DAYS_PER_YEAR = 365.25
_TECH_DEVICES = ("mobile", "desktop", "tablet")


@dataclass(frozen=True)
class Feature:
    """One column of the feature table.

    Parameters
    ----------
    name
        Column name (lower-case ASCII).
    kind
        Kind of feature (one of :data:`KINDS`).
    type
        ``numeric`` or ``categorical`` (a string column).
    block
        Features that describe one thing together: the shares of one mix (channels,
        categories), the choices of one survey question. A single feature is its own block.
        Segmenters weigh a block as a whole, so that 11 channel shares do not count 11 times.
    transform
        ``log1p`` for amounts whose distribution is skewed (money, counts), ``none`` otherwise.
    indicator
        Whether the feature only says that others are missing (``has_orders``): it describes
        the data, not the person, and segmenters leave it out of distances.
    description
        What the feature is, in one line (English).
    """

    name: str
    kind: str
    type: FeatureType
    block: str = ""
    transform: Transform = "none"
    indicator: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        if not self.block:
            object.__setattr__(self, "block", self.name)


@dataclass(frozen=True)
class FeatureSpec:
    """What :func:`build_features` built: every feature column, in order.

    Examples
    --------
    >>> spec = FeatureSpec((Feature("age", "demographic", "numeric"),
    ...                     Feature("gender", "demographic", "categorical")))
    >>> spec.names, spec.numeric, spec.categorical
    (('age', 'gender'), ('age',), ('gender',))
    >>> FeatureSpec.from_dict(spec.as_dict()) == spec
    True
    """

    features: tuple[Feature, ...]
    kinds: tuple[str, ...] = field(default=())

    @property
    def names(self) -> tuple[str, ...]:
        """Every feature column, in order."""
        return tuple(f.name for f in self.features)

    @property
    def numeric(self) -> tuple[str, ...]:
        """The numeric feature columns."""
        return tuple(f.name for f in self.features if f.type == "numeric")

    @property
    def categorical(self) -> tuple[str, ...]:
        """The categorical (string) feature columns."""
        return tuple(f.name for f in self.features if f.type == "categorical")

    def of_kind(self, kind: str) -> tuple[Feature, ...]:
        """The features of one kind."""
        return tuple(f for f in self.features if f.kind == kind)

    def __getitem__(self, name: str) -> Feature:
        for f in self.features:
            if f.name == name:
                return f
        raise KeyError(name)

    def __len__(self) -> int:
        return len(self.features)

    def as_dict(self) -> dict[str, Any]:
        """The spec as plain data (JSON-ready)."""
        return {"kinds": list(self.kinds), "features": [asdict(f) for f in self.features]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSpec:
        """The spec from :meth:`as_dict`."""
        return cls(tuple(Feature(**f) for f in data["features"]), tuple(data.get("kinds", ())))


def feature_name(*parts: str) -> str:
    """A column name from labels in any language: ASCII, lower case, words joined by ``_``.

    Examples
    --------
    >>> feature_name("category_share", "Mẹ & Bé")
    'category_share_me_be'
    >>> feature_name("survey", "goals", "Đồ bền, dùng lâu")
    'survey_goals_do_ben_dung_lau'
    """
    text = "_".join(parts).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_") or "feature"


def build_features(
    tables: Mapping[str, ir.Table],
    kinds: Sequence[str] = DEFAULT_KINDS,
    *,
    as_of: date | None = None,
) -> tuple[ir.Table, FeatureSpec]:
    """The features of every person, as an Ibis expression over the warehouse.

    Parameters
    ----------
    tables
        Tables by name: ``people`` and ``customer_links`` are required; ``orders``,
        ``order_items``, ``products``, ``customer_value``, ``customers``, ``events``,
        ``survey_responses`` and ``accounts`` feed the kinds that use them.
    kinds
        Kinds of features to build (see :data:`KINDS`).
    as_of
        Day ages, purchase rates and days since the last order are counted to; by default
        the day of the last order (or the last record seen), so that results do not depend on
        the day they are computed.

    Returns
    -------
    features : ir.Table
        One row per person of ``people``: ``customer_id`` (the person id), then the
        features in the order of the spec.
    spec : FeatureSpec
        Name, kind, type and block of each feature.

    Raises
    ------
    InputError
        For an unknown kind, or a table a chosen kind cannot do without.

    Examples
    --------
    >>> import ibis
    >>> from datetime import date
    >>> people = ibis.memtable({"person_id": ["p1", "p2"], "birth_year": [1990, None],
    ...                         "gender": ["female", None], "province": ["Hà Nội", "Huế"]})
    >>> links = ibis.memtable({"customer_id": ["c1", "c2"], "person_id": ["p1", "p2"]})
    >>> t, spec = build_features({"people": people, "customer_links": links},
    ...                          kinds=["demographic"], as_of=date(2025, 6, 30))
    >>> spec.names[:3]
    ('age', 'gender', 'region')
    >>> t.order_by("customer_id").select("customer_id", "age", "region").to_pyarrow().to_pylist()
    [{'customer_id': 'p1', 'age': 35.0, 'region': 'hanoi'}, {'customer_id': 'p2', 'age': None, 'region': 'other_city'}]
    """  # noqa: E501
    chosen = tuple(k for k in KINDS if k in set(kinds))
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown or not chosen:
        raise InputError(
            "segment.auto.unknown_kind", kind=", ".join(unknown) or "-", allowed=", ".join(KINDS)
        )
    for name in ("people", "customer_links"):
        _require(tables, name, "any")
    context = _Context(tables, as_of or _default_as_of(tables))
    builders = {
        "demographic": _demographic,
        "behavioural": _behavioural,
        "psychographic": _psychographic,
        "value": _value,
        "technology": _technology,
        "b2b": _b2b,
    }
    people = tables["people"]
    result = people.select(**{KEY: people.person_id.cast("string")})
    features: list[Feature] = []
    for kind in chosen:
        part, built = builders[kind](context)
        if not built:
            continue
        part = part.select("_key", *(f.name for f in built))
        joined = result.left_join(part, result[KEY] == part._key)
        result = joined.select(result, *(part[f.name] for f in built))
        features.extend(built)
    names = [f.name for f in features]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:  # pragma: no cover - names are built to be distinct
        raise InputError("segment.auto.duplicate_feature", names=", ".join(duplicated))
    return result, FeatureSpec(tuple(features), chosen)


class _Context:
    """The tables, the reference day, and person-keyed views shared by the builders."""

    def __init__(self, tables: Mapping[str, ir.Table], as_of: date):
        self.tables = tables
        self.as_of = as_of
        self.people = tables["people"]
        links = tables["customer_links"]
        self.links = links.select(
            _record=links.customer_id.cast("string"), _person=links.person_id.cast("string")
        )
        self._sales: ir.Table | None = None

    def has(self, name: str) -> bool:
        return name in self.tables

    def by_person(self, table: ir.Table, column: str = "customer_id") -> ir.Table:
        """``table`` with the person of its record in ``_person`` (unlinked records: own id)."""
        key = table[column].cast("string")
        joined = table.left_join(self.links, key == self.links._record)
        return joined.mutate(_person=joined._person.fill_null(joined[column].cast("string")))

    def sales(self) -> ir.Table:
        """Completed orders with the buying person in ``_person``."""
        if self._sales is None:
            orders = completed_orders(self.tables["orders"])
            self._sales = self.by_person(orders.filter(orders.customer_id.notnull()))
        return self._sales


def _require(tables: Mapping[str, ir.Table], name: str, kind: str) -> None:
    if name not in tables:
        raise InputError("segment.auto.missing_table", table=name, kind=kind)


def _default_as_of(tables: Mapping[str, ir.Table]) -> date:
    """The day of the last order, else of the last record seen, else today."""
    candidates: list[ir.Scalar] = []
    if "orders" in tables:
        candidates.append(tables["orders"].ordered_at.max())
    if "first_seen_at" in tables["people"].columns:
        candidates.append(tables["people"].first_seen_at.max())
    for scalar in candidates:
        value = scalar.to_pyarrow().as_py()
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
    return date.today()


def _days_before(context: _Context, when: ir.TimestampValue) -> ir.IntegerValue:
    """Whole days from ``when`` to the reference day."""
    result: ir.IntegerValue = ibis.literal(context.as_of).delta(when.date(), unit="day")
    return result


def _share(condition: ir.BooleanValue, where: ir.BooleanValue | None = None) -> ir.FloatingValue:
    """Share of rows (among those ``where`` holds) meeting ``condition``; missing if none."""
    flag = condition.ifelse(1.0, 0.0)
    result: ir.FloatingValue = flag.mean(where=where) if where is not None else flag.mean()
    return result


# --- demographic -----------------------------------------------------------------------------


def _demographic(context: _Context) -> tuple[ir.Table, list[Feature]]:
    p = context.people
    cols = set(p.columns)

    def col(name: str, dtype: str) -> ir.Value:
        return p[name] if name in cols else ibis.null(dtype)

    year = col("birth_year", "int64").cast("int64")
    if "birth_date" in cols:
        year = year.fill_null(p.birth_date.year().cast("int64"))
    age = (ibis.literal(context.as_of.year) - year).cast("float64")
    low, high = AGE_RANGE
    age = ((age >= low) & (age <= high)).ifelse(age, ibis.null("float64"))
    known = ("female", "male")
    gender = col("gender", "string")
    inferred = col("gender_inferred", "string")
    gender = gender.isin(known).ifelse(gender, inferred.isin(known).ifelse(inferred, None))
    province = col("province", "string")
    region = province.cases(*REGIONS.items(), else_=ibis.null("string"))
    address = col("address", "string")
    # A commune (xã) is the countryside, a ward (phường) the town: the address says which.
    commune = address.notnull().ifelse(
        (address.contains("Xã ") | address.contains("xã ")).ifelse(1.0, 0.0), None
    )

    def known_value(name: str) -> ir.StringValue:
        value = col(name, "string").cast("string")
        result: ir.StringValue = value.isin(("unknown", "")).ifelse(ibis.null("string"), value)
        return result

    income = col("monthly_income_vnd", "int64").cast("float64")
    table = p.select(
        _key=p.person_id.cast("string"),
        age=age,
        gender=gender.cast("string"),
        region=region,
        lives_in_commune=commune.cast("float64"),
        occupation=known_value("occupation"),
        monthly_income_vnd=(income >= 0).ifelse(income, None),
        education=known_value("education"),
        marital_status=known_value("marital_status"),
        children_count=col("children_count", "int64").cast("float64"),
    )
    k = "demographic"
    features = [
        Feature("age", k, "numeric", description="Age in years at the reference day."),
        Feature("gender", k, "categorical", description="Gender, stated or inferred."),
        Feature("region", k, "categorical", description="Region of the current province."),
        Feature("lives_in_commune", k, "numeric", description="1 if the address is a commune."),
        Feature("occupation", k, "categorical", description="Occupation group."),
        Feature(
            "monthly_income_vnd", k, "numeric", transform="log1p",
            description="Monthly income on file, VND.",
        ),
        Feature("education", k, "categorical", description="Highest education level."),
        Feature("marital_status", k, "categorical", description="Marital status."),
        Feature("children_count", k, "numeric", description="Number of children."),
    ]  # fmt: skip
    return table, features


# --- behavioural -----------------------------------------------------------------------------


def _behavioural(context: _Context) -> tuple[ir.Table, list[Feature]]:
    _require(context.tables, "orders", "behavioural")
    k = "behavioural"
    s = context.sales()
    cols = set(s.columns)
    channels = vocab.SALES_CHANNELS
    payments = vocab.PAYMENT_METHODS
    amount = s.total_vnd.cast("float64")
    discount = s.discount_vnd.fill_null(0) if "discount_vnd" in cols else ibis.literal(0)
    weekend = s.ordered_at.day_of_week.index() >= 5
    # Double days (9.9, 11.11, 12.12...) are the marketplaces' sale days in Vietnam.
    sale_day = s.ordered_at.month() == s.ordered_at.day()
    aggregates: dict[str, ir.Value] = {
        "_orders": s.count(),
        "_first": s.ordered_at.min(),
        "_last": s.ordered_at.max(),
        "average_order_value_vnd": amount.mean(),
        "discount_order_share": _share(discount > 0),
        "weekend_order_share": _share(weekend),
        "sale_day_order_share": _share(sale_day),
    }
    aggregates |= {feature_name("channel_share", c): _share(s.channel == c) for c in channels}
    if "payment_method" in cols:
        aggregates |= {
            feature_name("payment_share", m): _share(
                s.payment_method == m, s.payment_method.notnull()
            )
            for m in payments
        }
    orders = s.group_by(_key=s._person).aggregate(**aggregates)
    span = ibis.greatest(_days_before(context, orders._first), MIN_RATE_DAYS).cast("float64")
    orders = orders.mutate(
        orders=orders._orders.cast("float64"),
        has_orders=ibis.literal(1.0),
        orders_per_year=orders._orders.cast("float64") * _DAYS_PER_YEAR / span,
        days_since_last_order=_days_before(context, orders._last).cast("float64"),
    )
    features = [
        Feature(
            "has_orders", k, "numeric", indicator=True,
            description="1 if the person ever completed an order (0: behaviour missing).",
        ),
        Feature(
            "orders", k, "numeric", block="purchase_pattern", transform="log1p",
            description="Completed orders.",
        ),
        Feature(
            "orders_per_year", k, "numeric", block="purchase_pattern", transform="log1p",
            description="Orders per year since the first one (at least a quarter).",
        ),
        Feature(
            "days_since_last_order", k, "numeric", block="purchase_pattern", transform="log1p",
            description="Days from the last order to the reference day.",
        ),
        Feature(
            "average_order_value_vnd", k, "numeric", transform="log1p",
            description="Average amount paid per order, VND.",
        ),
        Feature(
            "discount_order_share", k, "numeric", description="Share of orders with a discount."
        ),
        Feature(
            "weekend_order_share", k, "numeric", description="Share of orders on a weekend."
        ),
        Feature(
            "sale_day_order_share", k, "numeric",
            description="Share of orders on a double-day sale (9.9, 11.11, 12.12...).",
        ),
    ]  # fmt: skip
    features += [
        Feature(
            feature_name("channel_share", c), k, "numeric", block="channel_mix",
            description=f"Share of orders placed through {c}.",
        )
        for c in channels
    ]  # fmt: skip
    if "payment_method" in cols:
        features += [
            Feature(
                feature_name("payment_share", m), k, "numeric", block="payment_mix",
                description=f"Share of orders paid by {m}.",
            )
            for m in payments
        ]  # fmt: skip
    table = orders
    if context.has("order_items"):
        lines, line_features = _basket(context)
        joined = table.left_join(lines, table._key == lines._line_key)
        table = joined.select(table, *(lines[f.name] for f in line_features))
        features += line_features
    people = context.people.select(_key=context.people.person_id.cast("string"))
    names = [f.name for f in features]
    joined = people.left_join(table, people._key == table._key)
    zero_when_none = {"orders", "has_orders"}
    result = joined.select(
        people._key,
        **{n: table[n].fill_null(0.0) if n in zero_when_none else table[n] for n in names},
    )
    return result, features


def _product_tiers(products: ir.Table) -> ir.Table:
    """Each product's category and price tier (tercile of list price in its subcategory)."""
    group = [products.category]
    if "subcategory" in products.columns:
        group.append(products.subcategory)
    window = ibis.window(group_by=group, order_by=products.unit_price_vnd)
    size = ibis.window(group_by=group)
    rank = ibis.rank().over(window)
    count = products.product_id.count().over(size)
    tier = ibis.least((rank * 3 / count).floor(), 2).cast("int64")
    return products.select(
        _product=products.product_id.cast("string"),
        _category=products.category.cast("string"),
        _tier=products.unit_price_vnd.notnull().ifelse(tier, None),
    )


def _basket(context: _Context) -> tuple[ir.Table, list[Feature]]:
    """Per-person features of the order lines: size, categories and price tiers."""
    k = "behavioural"
    items = context.tables["order_items"]
    sales = context.sales().select(_order=context.sales().order_id, _buyer=context.sales()._person)
    lines = items.inner_join(sales, items.order_id == sales._order)
    has_products = context.has("products")
    if has_products:
        tiers = _product_tiers(context.tables["products"])
        lines = lines.left_join(tiers, lines.product_id.cast("string") == tiers._product)
        category = (
            tiers._category.fill_null(lines.category)
            if "category" in items.columns
            else (tiers._category)
        )
        lines = lines.mutate(_cat=category, _tier_of=tiers._tier)
        names = context.tables["products"].category
    else:
        lines = lines.mutate(_cat=lines.category, _tier_of=ibis.null("int64"))
        names = items.category
    categories = sorted(c for c in names.cast("string").to_pyarrow().unique().to_pylist() if c)[
        : MAX_LABELS * 2
    ]
    spend = lines.line_total_vnd.cast("float64")
    positive = ibis.greatest(spend, 0.0)
    aggregates: dict[str, ir.Value] = {
        "_lines": lines.count(),
        "_units": lines.quantity.sum(),
        "_orders_with_lines": lines.order_id.nunique(),
        "_spend": positive.sum(),
        "average_unit_price_vnd": lines.unit_price_vnd.cast("float64").mean(),
    }
    category_names = {c: _unique(feature_name("category_share", c), aggregates) for c in categories}
    for c, name in category_names.items():
        aggregates[name] = (lines._cat == c).ifelse(positive, 0.0).sum()
    if has_products:
        for t, tier in enumerate(PRICE_TIERS):
            aggregates[f"price_tier_share_{tier}"] = _share(
                lines._tier_of == t, lines._tier_of.notnull()
            )
    per = lines.group_by(_line_key=lines._buyer).aggregate(**aggregates)
    total = per._spend
    per = per.mutate(
        lines_per_order=per._lines.cast("float64") / per._orders_with_lines,
        units_per_line=per._units.cast("float64") / per._lines,
        **{
            name: (total > 0).ifelse(per[name] / total, ibis.null("float64"))
            for name in category_names.values()
        },
    )
    features = [
        Feature(
            "lines_per_order", k, "numeric", transform="log1p",
            description="Products (lines) per order.",
        ),
        Feature(
            "units_per_line", k, "numeric", transform="log1p",
            description="Units bought per order line.",
        ),
        Feature(
            "average_unit_price_vnd", k, "numeric", transform="log1p",
            description="Average price of a unit bought, VND.",
        ),
    ]  # fmt: skip
    features += [
        Feature(
            name, k, "numeric", block="category_mix",
            description=f"Share of spending on {c}.",
        )
        for c, name in category_names.items()
    ]  # fmt: skip
    if has_products:
        features += [
            Feature(
                f"price_tier_share_{tier}", k, "numeric", block="price_tier_mix",
                description=f"Share of lines in the {tier} third of prices of their subcategory.",
            )
            for tier in PRICE_TIERS
        ]  # fmt: skip
    return per, features


def _unique(name: str, taken: Iterable[str]) -> str:
    """``name``, or ``name_2``, ``name_3``... when two labels read the same in ASCII."""
    used = set(taken)
    candidate, n = name, 1
    while candidate in used:
        n += 1
        candidate = f"{name}_{n}"
    return candidate


# --- psychographic ---------------------------------------------------------------------------


def _psychographic(context: _Context) -> tuple[ir.Table, list[Feature]]:
    if not (context.has("customers") or context.has("survey_responses")):
        _require(context.tables, "customers", "psychographic")
    k = "psychographic"
    people = context.people
    table = people.select(
        _key=people.person_id.cast("string"),
        preferred_contact_channel=(
            people.preferred_contact_channel.cast("string")
            if "preferred_contact_channel" in people.columns
            else ibis.null("string")
        ),
    )
    features = [
        Feature(
            "preferred_contact_channel", k, "categorical",
            description="How the person prefers to be contacted.",
        )
    ]  # fmt: skip
    parts: list[tuple[ir.Table, list[Feature]]] = []
    if context.has("customers"):
        parts.append(_profile(context))
    if context.has("survey_responses"):
        parts.append(_survey(context))
    for part, built in parts:
        if not built:
            continue
        joined = table.left_join(part, table._key == part._part_key)
        table = joined.select(table, *(part[f.name] for f in built))
        features += built
    return table, features


def _latest(t: ir.Table, column: str) -> ir.Value:
    """The value of the most recently seen record of the person that has one."""
    value = t[column]
    order = t.first_seen_at if "first_seen_at" in t.columns else t._record
    return value.argmax(order, where=value.notnull())


def _delimited(text: ir.StringValue) -> ir.StringValue:
    """A ``;``-separated list with its spaces removed and ``;`` at both ends, for matching."""
    normal = text.replace("; ", ";").replace(" ;", ";")
    return ibis.literal(";").concat(normal, ";")


def _profile(context: _Context) -> tuple[ir.Table, list[Feature]]:
    """Mindset, lifestyle and interests from the customer records of each person."""
    k = "psychographic"
    customers = context.tables["customers"]
    cols = [c for c in ("mindset", "lifestyle", "interests") if c in customers.columns]
    if not cols:
        return customers.select(_part_key=customers.customer_id), []
    c = context.by_person(customers)
    per = c.group_by(_part_key=c._person).aggregate(
        **{name: _latest(c, name).cast("string") for name in cols}
    )
    features = [
        Feature(name, k, "categorical", description=f"{name.capitalize()} on file.")
        for name in cols
        if name != "interests"
    ]
    if "interests" not in cols:
        return per, features
    labels = _labels(
        customers.filter(customers.interests.notnull()).select(text=customers.interests)
    )
    names: dict[str, str] = {}
    for label in labels:
        names[label] = _unique(feature_name("interest", label), names.values())
    listed = _delimited(per.interests)
    per = per.mutate(
        **{
            name: per.interests.notnull().ifelse(
                listed.contains(f";{label};").ifelse(1.0, 0.0), None
            )
            for label, name in names.items()
        }
    ).drop("interests")
    features += [
        Feature(name, k, "numeric", block="interests", description=f"Interested in {label}.")
        for label, name in names.items()
    ]
    return per, features


def _labels(texts: ir.Table, minimum: int = MIN_LABEL_ANSWERS) -> list[str]:
    """The labels of ``;``-separated answers common enough to become features."""
    # Unnested first, then stripped: Spark allows no expression around an unnest.
    items = texts.select(label=texts.text.split(";").unnest())
    split = items.select(label=items.label.strip())
    split = split.filter(split.label != "")
    answers = texts.count().to_pyarrow().as_py()
    floor = max(minimum, MIN_LABEL_SHARE * (answers or 0))
    counts = split.group_by("label").aggregate(n=split.count())
    counts = counts.filter(counts.n >= floor).order_by([ibis.desc("n"), "label"]).limit(MAX_LABELS)
    return sorted(str(r["label"]) for r in counts.to_pyarrow().to_pylist())


def _survey(context: _Context) -> tuple[ir.Table, list[Feature]]:
    """Survey answers of each person: numeric answers averaged, choices ticked ever."""
    k = "psychographic"
    survey = context.tables["survey_responses"]
    answered = survey.filter(survey.customer_id.notnull())
    numeric_ids = sorted(
        str(q)
        for q in answered.filter(answered.answer_number.notnull())
        .question_id.cast("string")
        .to_pyarrow()
        .unique()
        .to_pylist()
    )
    texts = answered.filter(answered.answer_text.notnull() & answered.answer_number.isnull())
    text_ids = sorted(
        str(q) for q in texts.question_id.cast("string").to_pyarrow().unique().to_pylist()
    )
    r = context.by_person(answered)
    aggregates: dict[str, ir.Value] = {}
    features: list[Feature] = []
    for q in numeric_ids:
        name = _unique(feature_name("survey", q), aggregates)
        aggregates[name] = r.answer_number.mean(where=r.question_id == q)
        money = q.endswith("_vnd") or "income" in q
        features.append(
            Feature(
                name, k, "numeric", transform="log1p" if money else "none",
                description=f"Survey answer to {q} (mean of the person's answers).",
            )
        )  # fmt: skip
    listed = _delimited(r.answer_text)
    for q in text_ids:
        question = texts.filter(texts.question_id == q)
        labels = _labels(question.select(text=question.answer_text))
        asked = r.question_id == q
        for label in labels:
            name = _unique(feature_name("survey", q, label), aggregates)
            aggregates[name] = listed.contains(f";{label};").ifelse(1.0, 0.0).max(where=asked)
            features.append(
                Feature(
                    name, k, "numeric", block=feature_name("survey", q),
                    description=f"Ticked “{label}” in survey question {q}.",
                )
            )  # fmt: skip
    if not aggregates:
        return answered.select(_part_key=answered.customer_id), []
    per = r.group_by(_part_key=r._person).aggregate(**aggregates)
    return per, features


# --- value -----------------------------------------------------------------------------------


def _value(context: _Context) -> tuple[ir.Table, list[Feature]]:
    _require(context.tables, "customer_value", "value")
    k = "value"
    v = context.tables["customer_value"]
    wanted = {
        "predicted_clv_vnd": ("log1p", "Predicted lifetime value, VND."),
        "probability_alive": ("none", "Probability the customer is still active."),
        "expected_purchases_90d": ("log1p", "Expected purchases in the next 90 days."),
        "total_revenue": ("log1p", "Revenue of completed orders to date, VND."),
    }
    present = [name for name in wanted if name in v.columns]
    table = v.select(
        _key=v.customer_id.cast("string"),
        **{
            # GREATEST skips nulls: a missing value must stay missing, not become 0.
            name: v[name].isnull().ifelse(None, ibis.greatest(v[name].cast("float64"), 0.0))
            if wanted[name][0] == "log1p" else v[name].cast("float64")
            for name in present
        },
    )  # fmt: skip
    features = [
        Feature(name, k, "numeric", transform=wanted[name][0], description=wanted[name][1])  # type: ignore[arg-type]
        for name in present
    ]
    return table, features


# --- technology ------------------------------------------------------------------------------


def _technology(context: _Context) -> tuple[ir.Table, list[Feature]]:
    k = "technology"
    p = context.people
    table = p.select(
        _key=p.person_id.cast("string"),
        **{
            name: p[name].cast("string") if name in p.columns else ibis.null("string")
            for name in ("primary_device", "platform")
        },
    )
    features = [
        Feature("primary_device", k, "categorical", description="Device mostly used."),
        Feature("platform", k, "categorical", description="Operating system of that device."),
    ]
    if context.has("orders") and "device" in context.tables["orders"].columns:
        s = context.sales()
        known = s.device.isin(_TECH_DEVICES)
        per = s.group_by(_part_key=s._person).aggregate(
            **{feature_name("order_device_share", d): _share(s.device == d, known)
               for d in _TECH_DEVICES}
        )  # fmt: skip
        built = [
            Feature(
                feature_name("order_device_share", d), k, "numeric", block="order_device_mix",
                description=f"Share of online orders placed on a {d}.",
            )
            for d in _TECH_DEVICES
        ]  # fmt: skip
        joined = table.left_join(per, table._key == per._part_key)
        table = joined.select(table, *(per[f.name] for f in built))
        features += built
    if context.has("events"):
        events = context.tables["events"]
        e = context.by_person(events.filter(events.customer_id.notnull()))
        platforms = vocab.EVENT_PLATFORMS
        known = e.platform.notnull()
        per = e.group_by(_part_key=e._person).aggregate(
            web_sessions=e.session_id.nunique().cast("float64"),
            **{feature_name("event_platform_share", x): _share(e.platform == x, known)
               for x in platforms},
        )  # fmt: skip
        built = [
            Feature(
                "web_sessions", k, "numeric", transform="log1p",
                description="Web and app sessions while logged in.",
            ),
            *(
                Feature(
                    feature_name("event_platform_share", x), k, "numeric",
                    block="event_platform_mix",
                    description=f"Share of logged-in web and app events on {x}.",
                )
                for x in platforms
            ),
        ]  # fmt: skip
        joined = table.left_join(per, table._key == per._part_key)
        table = joined.select(
            table,
            web_sessions=per.web_sessions.fill_null(0.0),
            **{f.name: per[f.name] for f in built[1:]},
        )
        features += built
    return table, features


# --- b2b -------------------------------------------------------------------------------------


def _b2b(context: _Context) -> tuple[ir.Table, list[Feature]]:
    _require(context.tables, "accounts", "b2b")
    k = "b2b"
    p = context.people
    a = context.tables["accounts"]
    account = p.account_id.cast("string") if "account_id" in p.columns else ibis.null("string")
    base = p.select(_key=p.person_id.cast("string"), _account=account)
    companies = a.select(
        _id=a.account_id.cast("string"),
        industry=a.industry.cast("string"),
        company_size=a.company_size.cast("string"),
        staff_count=a.staff_count.cast("float64"),
    )
    joined = base.left_join(companies, base._account == companies._id)
    table = joined.select(
        _key=base._key,
        buys_for_company=base._account.notnull().ifelse(1.0, 0.0),
        industry=companies.industry,
        company_size=companies.company_size,
        staff_count=companies.staff_count,
    )
    features = [
        Feature(
            "buys_for_company", k, "numeric",
            description="1 if the person is the contact of a company.",
        ),
        Feature("industry", k, "categorical", description="Industry of the company."),
        Feature("company_size", k, "categorical", description="Size band of the company."),
        Feature(
            "staff_count", k, "numeric", transform="log1p",
            description="Staff of the company.",
        ),
    ]  # fmt: skip
    return table, features
