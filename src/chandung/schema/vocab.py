"""Fixed vocabularies of the canonical model.

Imports map whatever a source says ("Nữ", "F", "female") onto these values, so that every
analysis counts the same thing the same way.
"""

from __future__ import annotations

GENDERS = ("female", "male", "other", "unknown")
MARITAL_STATUSES = ("single", "married", "divorced", "widowed", "unknown")
EDUCATION_LEVELS = (
    "primary",
    "secondary",
    "high_school",
    "vocational",
    "college",
    "bachelor",
    "postgraduate",
    "unknown",
)
OCCUPATIONS = (
    "office_worker",
    "manager",
    "business_owner",
    "civil_servant",
    "teacher",
    "healthcare",
    "engineer_it",
    "skilled_worker",
    "factory_worker",
    "farmer",
    "student",
    "homemaker",
    "freelancer",
    "retired",
    "other",
)
DEVICES = ("mobile", "desktop", "tablet", "unknown")
PLATFORMS = ("android", "ios", "windows", "macos", "linux", "other")
CONTACT_CHANNELS = ("zalo", "facebook", "phone", "sms", "email", "instagram", "tiktok", "in_store")

#: Where an order was placed.
SALES_CHANNELS = (
    "website",
    "app",
    "shopee",
    "lazada",
    "tiki",
    "tiktok_shop",
    "zalo",
    "facebook",
    "store_mt",
    "store_gt",
    "sales_rep",
)
#: The family a sales channel belongs to: own online shop, marketplace, social commerce,
#: modern trade (supermarkets, chains), general trade (traditional stores) or B2B sales.
CHANNEL_GROUPS = {
    "website": "own_online",
    "app": "own_online",
    "shopee": "marketplace",
    "lazada": "marketplace",
    "tiki": "marketplace",
    "tiktok_shop": "marketplace",
    "zalo": "social",
    "facebook": "social",
    "store_mt": "modern_trade",
    "store_gt": "general_trade",
    "sales_rep": "b2b",
}
CHANNEL_GROUP_NAMES = (
    "own_online",
    "marketplace",
    "social",
    "modern_trade",
    "general_trade",
    "b2b",
)
ORDER_STATUSES = ("completed", "cancelled", "returned")
PAYMENT_METHODS = ("cod", "bank_transfer", "card", "e_wallet", "cash", "credit_terms")

#: GA4 event names the model keeps (an export may carry more; they keep their own name).
EVENT_NAMES = (
    "session_start",
    "page_view",
    "view_item",
    "add_to_cart",
    "begin_checkout",
    "purchase",
)
EVENT_PLATFORMS = ("web", "android", "ios")

FEEDBACK_KINDS = ("review", "chat", "support_email", "social_post", "interview_note")
LANGUAGES = ("vi", "en")

CONSENT_PURPOSES = ("marketing", "analytics", "profiling", "third_party_sharing")
CONSENT_STATUSES = ("given", "withdrawn")

LEAD_SOURCES = (
    "offline_event",
    "zalo_oa",
    "facebook_lead_ad",
    "website_form",
    "referral",
    "trade_show",
)
LEAD_STATUSES = ("new", "contacted", "qualified", "converted", "lost")

CAMPAIGN_CHANNELS = ("email", "sms", "zalo", "facebook_ads", "tiktok_ads", "google_ads", "in_store")

COMPANY_SIZES = ("micro", "small", "medium", "large")
INDUSTRIES = (
    "retail",
    "hospitality",
    "manufacturing",
    "technology",
    "education",
    "healthcare",
    "construction",
    "logistics",
    "professional_services",
    "agriculture",
    "other",
)
