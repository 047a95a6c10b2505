"""The customer groups planted in the demo data, with everything that sets them apart.

Each group is a recipe: who its people are (demographics), how they buy (channels, missions,
price tiers, purchase rate and dropout), what they think (mindset, buying criteria, goals) and
what they complain about. Analysis of the generated tables should find these groups again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class PlantedGroup:
    """A customer group planted in the demo data.

    Parameters
    ----------
    group_id
        Stable code of the group (used in ``DemoChunk.truth["customer_groups"]``).
    name_vi, name_en
        Name of the group in Vietnamese and English.
    description
        Who they are, in one paragraph (English).
    share
        Share of customer records in the group.
    female_share, age_mean, age_sd, age_range
        Sex and age (normal, clipped to the range).
    occupations, education
        Weights of occupation and education levels.
    income_multiplier
        Factor on the median income of each occupation.
    married_share, children_mean
        Share married, and mean number of children of married people.
    urban_bias, rural_share
        Tilt towards big cities (positive) or the countryside (negative), and the share of
        people outside cities who live in a commune rather than a ward.
    english_share, email_share
        Share of English-speaking people, and of records with an e-mail address.
    channels, channel_loyalty
        Weights of sales channels, and the chance an order uses the person's usual channel.
    bundles, price_tiers, basket_breadth, extra_quantity
        Shopping missions (see ``_catalogue.BUNDLES``), weights of budget/mid/premium
        products, a factor on how many lines a basket holds, and the mean extra units per line.
    purchases_per_year, rate_shape, dropout
        Repeat buying: purchase rates are Gamma(rate_shape) with mean purchases_per_year;
        after each purchase a person leaves with a probability drawn from Beta(*dropout).
    never_bought_share
        Share of records that registered but never bought.
    tet_boost, promo_boost, gift_day_boost, weekend_factor
        Seasonality: extra buying before Tết, on marketplace sale days (9.9, 11.11, 12.12),
        on gift days (8/3, 20/10), and on weekends.
    devices, ios_share, payments, store_payments
        Device and phone platform, payment online and in store.
    mindset, lifestyles, interests, contact_channels
        Psychographics; ``interests`` gives each interest's own probability.
    criteria
        Weights of the buying criteria (price, quality, convenience, reputation).
    goals, info_sources
        Probability of ticking each goal and information source in the survey.
    pain_points, praises
        What their complaints and praise are about (weights).
    nps_mean, feedback_rate, survey_rate, response_multiplier, decision_days
        Mean NPS, texts written per person, survey response rate, factor on campaign
        response, and typical days from need to purchase.
    """

    group_id: str
    name_vi: str
    name_en: str
    description: str
    share: float
    female_share: float
    age_mean: float
    age_sd: float
    age_range: tuple[int, int]
    occupations: Mapping[str, float]
    income_multiplier: float
    education: Mapping[str, float]
    married_share: float
    children_mean: float
    urban_bias: float
    rural_share: float
    english_share: float
    email_share: float
    channels: Mapping[str, float]
    channel_loyalty: float
    bundles: Mapping[str, float]
    price_tiers: tuple[float, float, float]
    basket_breadth: float
    extra_quantity: float
    purchases_per_year: float
    rate_shape: float
    dropout: tuple[float, float]
    never_bought_share: float
    tet_boost: float
    promo_boost: float
    gift_day_boost: float
    weekend_factor: float
    devices: Mapping[str, float]
    ios_share: float
    payments: Mapping[str, float]
    store_payments: Mapping[str, float]
    mindset: Mapping[str, float]
    lifestyles: Mapping[str, float]
    interests: Mapping[str, float]
    contact_channels: Mapping[str, float]
    criteria: Mapping[str, float]
    goals: Mapping[str, float]
    info_sources: Mapping[str, float]
    pain_points: Mapping[str, float]
    praises: Mapping[str, float]
    nps_mean: float
    feedback_rate: float
    survey_rate: float
    response_multiplier: float
    decision_days: float

    @property
    def parameters(self) -> dict[str, object]:
        """Every generation parameter of the group, by name."""
        names = ("group_id", "name_vi", "name_en", "description")
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in names}


# fmt: off
_GROUPS = (
    PlantedGroup(
        group_id="urban_beauty", name_vi="Nàng công sở mê làm đẹp",
        name_en="Young urban beauty shoppers",
        description="Women of 22-32 working in offices in Hồ Chí Minh City and Hà Nội, on "
        "their phones, buying skincare and make-up on Shopee and TikTok Shop: frequent small "
        "baskets, driven by price and promotions, annoyed by slow delivery and fake goods.",
        share=0.26, female_share=0.92, age_mean=27, age_sd=3.5, age_range=(21, 34),
        occupations={"office_worker": 55, "freelancer": 10, "engineer_it": 8, "healthcare": 7,
                     "teacher": 5, "student": 8, "manager": 5, "other": 2},
        income_multiplier=1.0,
        education={"bachelor": 60, "college": 20, "postgraduate": 8, "high_school": 10,
                   "vocational": 2},
        married_share=0.25, children_mean=0.6, urban_bias=3.2, rural_share=0.1,
        english_share=0.015, email_share=0.95,
        channels={"shopee": 32, "tiktok_shop": 24, "lazada": 8, "app": 14, "website": 5,
                  "facebook": 5, "store_mt": 10, "tiki": 2},
        channel_loyalty=0.65,
        bundles={"skincare": 38, "makeup": 25, "hair_body": 10, "fragrance": 6,
                 "womenswear": 10, "casual": 4, "phone_kit": 3, "tet_gift": 4},
        price_tiers=(0.6, 0.37, 0.03), basket_breadth=0.8, extra_quantity=0.12,
        purchases_per_year=6.8, rate_shape=1.8, dropout=(1.2, 11.0), never_bought_share=0.04,
        tet_boost=1.1, promo_boost=2.5, gift_day_boost=1.5, weekend_factor=1.0,
        devices={"mobile": 92, "desktop": 6, "tablet": 2}, ios_share=0.6,
        payments={"e_wallet": 35, "cod": 35, "card": 15, "bank_transfer": 15},
        store_payments={"cash": 35, "card": 30, "e_wallet": 35},
        mindset={"bargain": 45, "value": 45, "premium": 10},
        lifestyles={"trend_follower": 45, "busy_professional": 40, "social_butterfly": 15},
        interests={"beauty": 0.85, "fashion": 0.6, "kpop_kdrama": 0.45, "travel": 0.4,
                   "coffee": 0.5, "fitness": 0.3, "photography": 0.2},
        contact_channels={"zalo": 25, "facebook": 20, "tiktok": 20, "instagram": 15,
                          "email": 10, "sms": 10},
        criteria={"price": 0.34, "convenience": 0.28, "quality": 0.24, "reputation": 0.14},
        goals={"look_good": 0.7, "save_money": 0.4, "convenience": 0.5, "try_new": 0.5},
        info_sources={"tiktok": 0.7, "facebook": 0.5, "instagram": 0.4, "kol": 0.5,
                      "friends": 0.3, "google": 0.3},
        pain_points={"slow_delivery": 36, "fake_goods": 24, "packaging": 14,
                     "out_of_stock": 10, "app_bugs": 10, "price_high": 6},
        praises={"many_promotions": 30, "fast_delivery": 20, "genuine": 20,
                 "nice_packaging": 20, "good_price": 10},
        nps_mean=7.3, feedback_rate=0.55, survey_rate=0.2, response_multiplier=1.2,
        decision_days=2,
    ),
    PlantedGroup(
        group_id="young_parents", name_vi="Bố mẹ bỉm sữa", name_en="Young parents",
        description="Mostly mothers of 28-38, married with young children, buying diapers, "
        "formula and baby care in big monthly baskets through the app, Zalo and "
        "supermarkets; safety and genuine goods come first, running out of stock hurts.",
        share=0.2, female_share=0.82, age_mean=32, age_sd=3.0, age_range=(25, 40),
        occupations={"office_worker": 35, "homemaker": 15, "teacher": 10, "civil_servant": 10,
                     "healthcare": 8, "business_owner": 8, "skilled_worker": 8,
                     "engineer_it": 6},
        income_multiplier=1.05,
        education={"bachelor": 50, "college": 20, "high_school": 15, "vocational": 10,
                   "postgraduate": 5},
        married_share=0.97, children_mean=1.6, urban_bias=1.5, rural_share=0.3,
        english_share=0.005, email_share=0.85,
        channels={"zalo": 18, "app": 20, "shopee": 18, "website": 8, "store_mt": 22,
                  "facebook": 8, "lazada": 4, "tiki": 2},
        channel_loyalty=0.7,
        bundles={"diaper_run": 36, "feeding": 28, "baby_gear": 10, "household": 10,
                 "hair_body": 6, "kitchen": 5, "tet_gift": 5},
        price_tiers=(0.15, 0.5, 0.35), basket_breadth=1.3, extra_quantity=0.5,
        purchases_per_year=6.2, rate_shape=4.0, dropout=(1.0, 13.0), never_bought_share=0.03,
        tet_boost=0.9, promo_boost=1.0, gift_day_boost=0.3, weekend_factor=1.15,
        devices={"mobile": 80, "desktop": 12, "tablet": 8}, ios_share=0.45,
        payments={"cod": 30, "e_wallet": 30, "bank_transfer": 25, "card": 15},
        store_payments={"cash": 50, "card": 25, "e_wallet": 25},
        mindset={"value": 60, "premium": 25, "bargain": 15},
        lifestyles={"family_first": 80, "health_conscious": 20},
        interests={"parenting": 0.9, "cooking": 0.5, "health": 0.4, "home_decor": 0.3,
                   "travel": 0.2},
        contact_channels={"zalo": 55, "facebook": 20, "phone": 10, "sms": 5, "email": 10},
        criteria={"quality": 0.42, "reputation": 0.3, "convenience": 0.16, "price": 0.12},
        goals={"child_health": 0.85, "convenience": 0.5, "save_money": 0.35,
               "healthy_living": 0.4},
        info_sources={"mom_groups": 0.7, "facebook": 0.5, "friends": 0.5, "zalo": 0.3,
                      "google": 0.3, "kol": 0.2},
        pain_points={"fake_goods": 32, "out_of_stock": 26, "slow_delivery": 16,
                     "price_high": 13, "packaging": 13},
        praises={"genuine": 35, "fast_delivery": 20, "good_service": 20, "good_price": 15,
                 "nice_packaging": 10},
        nps_mean=8.0, feedback_rate=0.45, survey_rate=0.25, response_multiplier=1.3,
        decision_days=4,
    ),
    PlantedGroup(
        group_id="affluent_premium", name_vi="Khách hàng cao cấp",
        name_en="Affluent premium buyers",
        description="Managers and business owners of 35-55 with high incomes in the big "
        "cities, on desktop, buying premium brands on the website and in supermarkets: "
        "few but large orders, driven by quality and reputation, sensitive to service.",
        share=0.1, female_share=0.55, age_mean=45, age_sd=6.0, age_range=(35, 58),
        occupations={"manager": 35, "business_owner": 35, "engineer_it": 10, "healthcare": 10,
                     "civil_servant": 5, "other": 5},
        income_multiplier=1.7,
        education={"bachelor": 45, "postgraduate": 40, "college": 10, "high_school": 5},
        married_share=0.85, children_mean=1.9, urban_bias=3.5, rural_share=0.05,
        english_share=0.08, email_share=0.97,
        channels={"website": 35, "store_mt": 42, "app": 13, "tiki": 5, "shopee": 5},
        channel_loyalty=0.75,
        bundles={"skincare": 20, "fragrance": 12, "kitchen": 18, "bedroom": 10,
                 "desk_setup": 8, "audio": 8, "office_outfit": 10, "womenswear": 6,
                 "tet_gift": 8},
        price_tiers=(0.03, 0.27, 0.7), basket_breadth=1.2, extra_quantity=0.1,
        purchases_per_year=1.9, rate_shape=2.5, dropout=(1.0, 9.0), never_bought_share=0.03,
        tet_boost=1.6, promo_boost=0.3, gift_day_boost=0.6, weekend_factor=1.3,
        devices={"desktop": 55, "mobile": 35, "tablet": 10}, ios_share=0.75,
        payments={"card": 55, "bank_transfer": 25, "e_wallet": 15, "cod": 5},
        store_payments={"card": 65, "cash": 15, "e_wallet": 20},
        mindset={"premium": 75, "value": 25},
        lifestyles={"busy_professional": 50, "comfort_seeker": 50},
        interests={"travel": 0.7, "golf": 0.25, "wine": 0.3, "reading": 0.4, "fitness": 0.4,
                   "home_decor": 0.4},
        contact_channels={"email": 45, "phone": 20, "zalo": 25, "in_store": 10},
        criteria={"quality": 0.4, "reputation": 0.4, "convenience": 0.15, "price": 0.05},
        goals={"quality_experience": 0.8, "save_time": 0.6, "status": 0.3,
               "healthy_living": 0.4},
        info_sources={"friends": 0.5, "google": 0.5, "in_store": 0.4, "email_news": 0.3,
                      "facebook": 0.2},
        pain_points={"rude_staff": 30, "customer_service": 26, "packaging": 20,
                     "fake_goods": 14, "slow_delivery": 10},
        praises={"good_quality": 35, "good_service": 30, "friendly_staff": 20,
                 "nice_packaging": 15},
        nps_mean=8.6, feedback_rate=0.35, survey_rate=0.14, response_multiplier=0.9,
        decision_days=7,
    ),
    PlantedGroup(
        group_id="bargain_provincial", name_vi="Khách tiết kiệm tỉnh lẻ",
        name_en="Bargain-hunting general trade shoppers",
        description="Provincial and rural households of 25-70 on lower incomes (farmers, "
        "factory and skilled workers, homemakers) buying household and personal care "
        "basics in traditional stores, paying cash; price comes first, returns are a pain.",
        share=0.25, female_share=0.6, age_mean=44, age_sd=11.0, age_range=(25, 70),
        occupations={"farmer": 25, "factory_worker": 20, "skilled_worker": 15,
                     "homemaker": 12, "business_owner": 8, "retired": 10, "other": 10},
        income_multiplier=0.85,
        education={"secondary": 30, "high_school": 35, "primary": 12, "vocational": 15,
                   "college": 5, "bachelor": 3},
        married_share=0.8, children_mean=2.1, urban_bias=-1.5, rural_share=0.7,
        english_share=0.0, email_share=0.5,
        channels={"store_gt": 58, "facebook": 13, "shopee": 12, "store_mt": 10, "zalo": 5,
                  "lazada": 2},
        channel_loyalty=0.75,
        bundles={"household": 35, "hair_body": 25, "diaper_run": 8, "feeding": 4,
                 "casual": 12, "kitchen": 8, "phone_kit": 4, "tet_gift": 4},
        price_tiers=(0.8, 0.19, 0.01), basket_breadth=0.85, extra_quantity=0.2,
        purchases_per_year=5.0, rate_shape=1.3, dropout=(1.5, 10.0), never_bought_share=0.05,
        tet_boost=1.3, promo_boost=0.6, gift_day_boost=0.1, weekend_factor=1.2,
        devices={"mobile": 95, "desktop": 3, "tablet": 2}, ios_share=0.12,
        payments={"cod": 75, "bank_transfer": 15, "e_wallet": 10},
        store_payments={"cash": 90, "e_wallet": 6, "card": 4},
        mindset={"bargain": 80, "value": 20},
        lifestyles={"rural_traditional": 50, "frugal_homemaker": 50},
        interests={"karaoke": 0.4, "fishing": 0.2, "gardening": 0.35, "cooking": 0.4,
                   "football": 0.3, "tv_drama": 0.35},
        contact_channels={"phone": 35, "zalo": 35, "facebook": 20, "sms": 10},
        criteria={"price": 0.58, "convenience": 0.2, "quality": 0.15, "reputation": 0.07},
        goals={"save_money": 0.9, "convenience": 0.3, "durable": 0.5},
        info_sources={"friends": 0.6, "facebook": 0.5, "in_store": 0.5, "tv": 0.3},
        pain_points={"price_high": 44, "hard_return": 24, "rude_staff": 10,
                     "slow_delivery": 12, "packaging": 10},
        praises={"good_price": 45, "friendly_staff": 25, "convenient": 20, "genuine": 10},
        nps_mean=6.2, feedback_rate=0.3, survey_rate=0.12, response_multiplier=0.8,
        decision_days=3,
    ),
    PlantedGroup(
        group_id="students_tech", name_vi="Sinh viên mê công nghệ",
        name_en="Students and young men into gadgets",
        description="Students and young workers of 18-26, mostly men, buying phone "
        "accessories, earphones and casual wear on marketplaces, on cash-on-delivery or "
        "e-wallets; price-driven, wary of fakes, and warranty is their main complaint.",
        share=0.17, female_share=0.22, age_mean=21, age_sd=2.2, age_range=(18, 27),
        occupations={"student": 70, "engineer_it": 12, "freelancer": 10, "office_worker": 8},
        income_multiplier=1.0,
        education={"high_school": 30, "college": 20, "bachelor": 50},
        married_share=0.02, children_mean=0.2, urban_bias=2.0, rural_share=0.2,
        english_share=0.01, email_share=0.9,
        channels={"shopee": 30, "tiktok_shop": 22, "lazada": 18, "tiki": 12, "website": 6,
                  "app": 4, "facebook": 4, "store_mt": 4},
        channel_loyalty=0.55,
        bundles={"phone_kit": 34, "desk_setup": 18, "audio": 20, "casual": 16,
                 "fragrance": 4, "hair_body": 4, "tet_gift": 2},
        price_tiers=(0.65, 0.33, 0.02), basket_breadth=0.95, extra_quantity=0.08,
        purchases_per_year=2.7, rate_shape=1.0, dropout=(2.0, 9.0), never_bought_share=0.06,
        tet_boost=0.5, promo_boost=2.0, gift_day_boost=2.0, weekend_factor=1.0,
        devices={"mobile": 75, "desktop": 22, "tablet": 3}, ios_share=0.3,
        payments={"cod": 45, "e_wallet": 40, "bank_transfer": 10, "card": 5},
        store_payments={"cash": 60, "e_wallet": 40},
        mindset={"bargain": 50, "value": 45, "premium": 5},
        lifestyles={"student_life": 75, "gamer": 25},
        interests={"gaming": 0.7, "tech": 0.85, "football": 0.45, "music": 0.4, "anime": 0.2,
                   "esports": 0.3},
        contact_channels={"tiktok": 30, "facebook": 35, "zalo": 20, "email": 10,
                          "instagram": 5},
        criteria={"price": 0.44, "quality": 0.26, "reputation": 0.16, "convenience": 0.14},
        goals={"good_tech_cheap": 0.8, "try_new": 0.5, "save_money": 0.5, "study_work": 0.4},
        info_sources={"tiktok": 0.6, "youtube": 0.7, "review_sites": 0.5, "friends": 0.4,
                      "facebook": 0.3},
        pain_points={"warranty": 34, "fake_goods": 26, "price_high": 20, "slow_delivery": 20},
        praises={"good_price": 35, "fast_delivery": 25, "genuine": 20, "good_quality": 20},
        nps_mean=6.8, feedback_rate=0.4, survey_rate=0.18, response_multiplier=0.6,
        decision_days=5,
    ),
    PlantedGroup(
        group_id="b2b_buyers", name_vi="Khách doanh nghiệp", name_en="Business buyers (B2B)",
        description="Owners, directors and purchasing managers of hotels, offices and "
        "companies buying amenities, office supplies and Tết gifts for staff through a "
        "sales rep on credit terms: few, very large orders; invoices and terms are the pain.",
        share=0.015, female_share=0.45, age_mean=41, age_sd=7.0, age_range=(28, 60),
        occupations={"manager": 55, "business_owner": 45},
        income_multiplier=1.3,
        education={"bachelor": 60, "postgraduate": 25, "college": 15},
        married_share=0.85, children_mean=1.8, urban_bias=2.0, rural_share=0.05,
        english_share=0.03, email_share=1.0,
        channels={"sales_rep": 1}, channel_loyalty=1.0,
        bundles={"hotel_supply": 35, "office_restock": 40, "corporate_gift": 25},
        price_tiers=(0.2, 0.5, 0.3), basket_breadth=1.3, extra_quantity=3.0,
        purchases_per_year=4.2, rate_shape=2.5, dropout=(1.0, 14.0), never_bought_share=0.02,
        tet_boost=3.0, promo_boost=0.0, gift_day_boost=0.0, weekend_factor=0.25,
        devices={"desktop": 80, "mobile": 20}, ios_share=0.3,
        payments={"credit_terms": 70, "bank_transfer": 30},
        store_payments={"bank_transfer": 100},
        mindset={"value": 70, "premium": 30},
        lifestyles={"business_focused": 100},
        interests={"golf": 0.3, "reading": 0.3, "travel": 0.4, "business_news": 0.6},
        contact_channels={"email": 50, "phone": 30, "zalo": 20},
        criteria={"reputation": 0.34, "quality": 0.3, "price": 0.22, "convenience": 0.14},
        goals={"cut_costs": 0.7, "reliable_supply": 0.8, "employee_gifts": 0.4},
        info_sources={"trade_shows": 0.4, "google": 0.4, "referrals": 0.5, "sales_reps": 0.6},
        pain_points={"invoice": 34, "payment_terms": 24, "slow_delivery": 26,
                     "customer_service": 16},
        praises={"good_service": 35, "good_price": 25, "fast_delivery": 20,
                 "good_quality": 20},
        nps_mean=7.6, feedback_rate=0.3, survey_rate=0.2, response_multiplier=1.0,
        decision_days=21,
    ),
)
# fmt: on

#: Index of the B2B group in :func:`planted_groups`.
B2B_GROUP = len(_GROUPS) - 1


def planted_groups() -> tuple[PlantedGroup, ...]:
    """The customer groups planted in the demo data, in the order of their index.

    Returns
    -------
    tuple of PlantedGroup
        Six groups: five of consumers and one of business buyers.

    Examples
    --------
    >>> [g.group_id for g in planted_groups()][:2]
    ['urban_beauty', 'young_parents']
    """
    return _GROUPS
