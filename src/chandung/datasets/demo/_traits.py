"""Vocabularies of the traits that describe a planted group: the keys its parameters use."""

from __future__ import annotations

# fmt: off
CRITERIA = (
    "price", "quality", "convenience", "reputation",
)
LIFESTYLES = (
    "trend_follower", "busy_professional", "social_butterfly", "family_first", "health_conscious",
    "comfort_seeker", "rural_traditional", "frugal_homemaker", "student_life", "gamer",
    "business_focused",
)
INTERESTS = (
    "beauty", "fashion", "kpop_kdrama", "travel", "coffee", "fitness", "photography", "parenting",
    "cooking", "health", "home_decor", "golf", "wine", "reading", "karaoke", "fishing", "gardening",
    "football", "tv_drama", "gaming", "tech", "music", "anime", "esports", "business_news",
)
MINDSETS = (
    "bargain", "value", "premium",
)
PAIN_POINTS = (
    "slow_delivery", "fake_goods", "packaging", "out_of_stock", "app_bugs", "price_high",
    "rude_staff", "customer_service", "hard_return", "warranty", "invoice", "payment_terms",
)
PRAISES = (
    "many_promotions", "fast_delivery", "genuine", "nice_packaging", "good_price", "good_service",
    "good_quality", "friendly_staff", "convenient",
)
GOALS = (
    "look_good", "save_money", "convenience", "try_new", "child_health", "healthy_living",
    "quality_experience", "save_time", "status", "durable", "good_tech_cheap", "study_work",
    "cut_costs", "reliable_supply", "employee_gifts",
)
INFO_SOURCES = (
    "tiktok", "facebook", "instagram", "kol", "friends", "google", "mom_groups", "zalo", "in_store",
    "email_news", "tv", "youtube", "review_sites", "trade_shows", "referrals", "sales_reps",
)
# fmt: on
