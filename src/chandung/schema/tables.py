"""The canonical tables of the customer file, defined once.

Every source (customer lists, POS and shop exports, GA4 exports, survey tools, support inboxes)
is loaded into these tables. Each row keeps where it came from (``source``) and the import batch
that loaded it (``import_batch``). ``docs/data-model.md`` documents them column by column, and a
test keeps that page and this module in step.
"""

from __future__ import annotations

from . import vocab as v
from ._model import Column, Table

C = Column

#: Columns every canonical table ends with: the lineage of the row.
LINEAGE = (
    C(
        "source",
        "string",
        "Source system or file the row came from (e.g. `pos_export`, `ga4`, `demo`).",
        required=True,
    ),
    C("import_batch", "string", "Id of the import batch that loaded the row.", required=True),
)


#: Column every canonical table has before its lineage: what the source had beyond the model.
EXTRA_ATTRIBUTES = C(
    "extra_attributes",
    "string",
    "Source columns with no canonical field, as a JSON object of column name to value: kept, "
    "never dropped.",
)


def _table(
    name: str,
    description: str,
    key: tuple[str, ...],
    *columns: Column,
    references: dict[str, str] | None = None,
) -> Table:
    return Table(name, description, (*columns, EXTRA_ATTRIBUTES, *LINEAGE), key, references or {})


CUSTOMERS = _table(
    "customers",
    "People who bought, or are known to the business: one row per source record. Identity "
    "resolution links records of the same person.",
    ("customer_id",),
    C("customer_id", "string", "Id of the record, unique in the workspace.", required=True),
    C("source_customer_ref", "string", "The customer's id in the source system."),
    C("full_name", "string", "Name as written in the source, family name first.", personal=True),
    C("name_key", "string", "Name without diacritics, lower case, đ→d: the matching key."),
    C("gender", "string", "Gender as stated by the customer or the source.", values=v.GENDERS),
    C(
        "gender_inferred",
        "string",
        "Gender inferred from a Vietnamese middle name (Thị, Văn); "
        "an inference, never a fact. Empty when `gender` is known.",
        values=v.GENDERS,
    ),
    C("birth_date", "date", "Exact date of birth.", personal=True),
    C("birth_year", "int64", "Year of birth (kept when only the year is known)."),
    C("marital_status", "string", "Marital status.", values=v.MARITAL_STATUSES),
    C("children_count", "int64", "Number of children."),
    C("occupation", "string", "Occupation group.", values=v.OCCUPATIONS),
    C(
        "monthly_income_vnd",
        "int64",
        "Monthly personal income in VND, as known from the source "
        "(self-reported income is biased upward; analysis adjusts it).",
    ),
    C("education", "string", "Highest education level.", values=v.EDUCATION_LEVELS),
    C("ethnicity", "string", "Ethnic group, when the customer gave it."),
    C("hometown_province", "string", "Province where the customer grew up (current unit)."),
    C("address", "string", "Street address as written.", personal=True),
    C(
        "province_raw",
        "string",
        "Province as written in the source (a former or current name, any spelling).",
    ),
    C(
        "province",
        "string",
        "Current province or centrally-run city (one of the 34 units since 2025-07-01).",
    ),
    C(
        "province_former",
        "string",
        "Former province (one of the 63 units before 2025-07-01), when the source used it.",
    ),
    C("phone", "string", "Phone number as written in the source.", personal=True),
    C(
        "phone_e164",
        "string",
        "Phone number in E.164 form (+84...), old 11-digit mobile prefixes converted.",
        personal=True,
    ),
    C(
        "email",
        "string",
        "E-mail address, trimmed and lower-cased when valid; as written when not.",
        personal=True,
    ),
    C("interests", "string", "Hobbies and interests, `;`-separated."),
    C("lifestyle", "string", "Lifestyle label (e.g. `busy_professional`, `family_first`)."),
    C("mindset", "string", "Buying mindset: `bargain`, `value` or `premium`."),
    C(
        "preferred_contact_channel",
        "string",
        "How the customer prefers to be contacted.",
        values=v.CONTACT_CHANNELS,
    ),
    C("primary_device", "string", "Device the customer mostly uses.", values=v.DEVICES),
    C("platform", "string", "Operating system of that device.", values=v.PLATFORMS),
    C("account_id", "string", "Company the person belongs to (B2B contacts)."),
    C("job_title", "string", "Job title (B2B contacts)."),
    C("is_decision_maker", "boolean", "Whether the person decides purchases for the company."),
    C(
        "acquisition_channel",
        "string",
        "Sales channel of the first contact.",
        values=v.SALES_CHANNELS,
    ),
    C("first_seen_at", "timestamp", "When the source first recorded the customer."),
    references={"account_id": "accounts.account_id"},
)

ACCOUNTS = _table(
    "accounts",
    "Companies the business sells to (B2B).",
    ("account_id",),
    C("account_id", "string", "Id of the company.", required=True),
    C("name", "string", "Company name.", required=True),
    C("tax_code", "string", "Tax code (mã số thuế)."),
    C("industry", "string", "Industry.", values=v.INDUSTRIES),
    C("staff_count", "int64", "Number of staff."),
    C("annual_revenue_vnd", "int64", "Annual revenue in VND."),
    C("company_size", "string", "Size band by staff and revenue.", values=v.COMPANY_SIZES),
    C("decision_maker_customer_id", "string", "The contact who decides purchases."),
    C(
        "decision_maker_title",
        "string",
        "Title of the person who decides (e.g. CEO, purchasing manager).",
    ),
    C("province", "string", "Current province of the head office."),
    C("created_at", "timestamp", "When the company became a customer or prospect."),
    references={"decision_maker_customer_id": "customers.customer_id"},
)

PRODUCTS = _table(
    "products",
    "What the business sells.",
    ("product_id",),
    C("product_id", "string", "Id of the product.", required=True),
    C("sku", "string", "Stock-keeping unit code."),
    C("name", "string", "Product name.", required=True),
    C("category", "string", "Category.", required=True),
    C("subcategory", "string", "Subcategory."),
    C("brand", "string", "Brand."),
    C("unit_price_vnd", "int64", "List price in VND."),
    C("is_b2b", "boolean", "Whether the product is sold to companies."),
)

ORDERS = _table(
    "orders",
    "Purchases: one row per order.",
    ("order_id",),
    C("order_id", "string", "Id of the order.", required=True),
    C("customer_id", "string", "Who bought.", required=True),
    C("account_id", "string", "Company that bought (B2B orders)."),
    C(
        "ordered_at",
        "timestamp",
        "When the order was placed (local time, Asia/Ho_Chi_Minh).",
        required=True,
    ),
    C("channel", "string", "Where the order was placed.", values=v.SALES_CHANNELS, required=True),
    C("channel_group", "string", "Family of the channel.", values=v.CHANNEL_GROUP_NAMES),
    C("store_id", "string", "Store of an in-store order."),
    C("device", "string", "Device of an online order.", values=v.DEVICES),
    C("payment_method", "string", "How the order was paid.", values=v.PAYMENT_METHODS),
    C("status", "string", "Order status.", values=v.ORDER_STATUSES, required=True),
    C("currency", "string", "Currency of the amounts as sold (ISO 4217).", required=True),
    C("items_amount_vnd", "int64", "Sum of the order lines in VND."),
    C("discount_vnd", "int64", "Discount granted, in VND."),
    C("shipping_vnd", "int64", "Shipping charged, in VND."),
    C("total_vnd", "int64", "Amount paid, in VND.", required=True),
    C("delivery_province", "string", "Current province of delivery."),
    C("campaign_id", "string", "Campaign the order is attributed to."),
    references={
        "customer_id": "customers.customer_id",
        "account_id": "accounts.account_id",
        "campaign_id": "campaigns.campaign_id",
    },
)

ORDER_ITEMS = _table(
    "order_items",
    "Order lines: one row per product in an order.",
    ("order_id", "line_number"),
    C("order_id", "string", "The order.", required=True),
    C("line_number", "int64", "Position of the line in the order, from 1.", required=True),
    C("product_id", "string", "The product.", required=True),
    C("category", "string", "Category of the product at the time of sale."),
    C("quantity", "int64", "Units sold.", required=True),
    C("unit_price_vnd", "int64", "Price per unit in VND.", required=True),
    C(
        "line_total_vnd",
        "int64",
        "Quantity times unit price, less line discounts, in VND.",
        required=True,
    ),
    references={"order_id": "orders.order_id", "product_id": "products.product_id"},
)

EVENTS = _table(
    "events",
    "Web and app events, compatible with a Google Analytics 4 export: one row per event.",
    ("event_id",),
    C("event_id", "string", "Id of the event.", required=True),
    C(
        "event_name",
        "string",
        "GA4 event name (`page_view`, `view_item`, `add_to_cart`, "
        "`begin_checkout`, `purchase`, ...).",
        required=True,
    ),
    C("event_timestamp", "timestamp", "When the event happened.", required=True),
    C("session_id", "string", "Session (GA4 `ga_session_id` with the pseudo id).", required=True),
    C("user_pseudo_id", "string", "GA4 device/browser id.", required=True),
    C("customer_id", "string", "Known customer (GA4 `user_id`), when logged in."),
    C("page_location", "string", "URL path of the page."),
    C("item_id", "string", "Product of an item event."),
    C("value_vnd", "int64", "Value of a cart, checkout or purchase event, in VND."),
    C("order_id", "string", "Order of a purchase event (GA4 `transaction_id`)."),
    C("platform", "string", "GA4 platform.", values=v.EVENT_PLATFORMS),
    C("device_category", "string", "GA4 device category.", values=v.DEVICES),
    C("operating_system", "string", "Operating system.", values=v.PLATFORMS),
    C("browser", "string", "Browser name."),
    C("traffic_source", "string", "GA4 `traffic_source.source` (e.g. `google`, `facebook`)."),
    C("traffic_medium", "string", "GA4 `traffic_source.medium` (e.g. `organic`, `cpc`)."),
    C("campaign_name", "string", "GA4 `traffic_source.name`."),
    C("region", "string", "GA4 `geo.region`."),
    references={
        "customer_id": "customers.customer_id",
        "order_id": "orders.order_id",
        "item_id": "products.product_id",
    },
)

FEEDBACK = _table(
    "feedback",
    "Voice of the customer: reviews, chats, support e-mails, social posts, interview notes.",
    ("feedback_id",),
    C("feedback_id", "string", "Id of the text.", required=True),
    C("customer_id", "string", "Who wrote it, when known."),
    C("kind", "string", "Kind of text.", values=v.FEEDBACK_KINDS, required=True),
    C("channel", "string", "Where it was written (e.g. `shopee`, `facebook`, `zalo`, `email`)."),
    C("created_at", "timestamp", "When it was written.", required=True),
    C("language", "string", "Language of the text.", values=v.LANGUAGES),
    C("rating", "int64", "Star rating, 1 to 5, for reviews."),
    C(
        "text",
        "string",
        "The text itself; may contain personal data.",
        required=True,
        personal=True,
    ),
    C("product_id", "string", "Product it is about."),
    C("order_id", "string", "Order it is about."),
    references={
        "customer_id": "customers.customer_id",
        "product_id": "products.product_id",
        "order_id": "orders.order_id",
    },
)

SURVEY_RESPONSES = _table(
    "survey_responses",
    "Survey answers: one row per answer to one question.",
    ("response_id", "question_id"),
    C("response_id", "string", "One person's submission of a survey.", required=True),
    C("survey_id", "string", "The survey.", required=True),
    C(
        "question_id",
        "string",
        "The question (stable code, e.g. `nps`, `criteria_rank_price`).",
        required=True,
    ),
    C("question_text", "string", "The question as asked."),
    C("customer_id", "string", "Respondent, when known."),
    C("answer_text", "string", "Answer as text (choice label or free text)."),
    C("answer_number", "float64", "Answer as a number (scores, ranks, amounts)."),
    C("answered_at", "timestamp", "When the answer was given.", required=True),
    references={"customer_id": "customers.customer_id"},
)

CONSENTS = _table(
    "consents",
    "The consent ledger: one row per consent given or withdrawn.",
    ("consent_id",),
    C("consent_id", "string", "Id of the ledger entry.", required=True),
    C("customer_id", "string", "Whose consent.", required=True),
    C(
        "purpose",
        "string",
        "What the data may be used for.",
        values=v.CONSENT_PURPOSES,
        required=True,
    ),
    C(
        "channel",
        "string",
        "Contact channel the consent covers (empty: all).",
        values=v.CONTACT_CHANNELS,
    ),
    C("status", "string", "Given or withdrawn.", values=v.CONSENT_STATUSES, required=True),
    C("recorded_at", "timestamp", "When it was given or withdrawn.", required=True),
    C("method", "string", "How it was collected (e.g. `web_form`, `in_store`, `zalo_oa`)."),
    references={"customer_id": "customers.customer_id"},
)

LEADS = _table(
    "leads",
    "Prospects who are not (yet) customers: event sign-ups, Zalo OA followers, lead forms.",
    ("lead_id",),
    C("lead_id", "string", "Id of the lead.", required=True),
    C("full_name", "string", "Name as written.", personal=True),
    C("phone", "string", "Phone as written.", personal=True),
    C("email", "string", "E-mail as written.", personal=True),
    C("company_name", "string", "Company of a B2B lead."),
    C("source_channel", "string", "Where the lead came from.", values=v.LEAD_SOURCES),
    C("province", "string", "Current province."),
    C("interest", "string", "Product category of interest."),
    C("created_at", "timestamp", "When the lead was captured.", required=True),
    C("status", "string", "Stage of the lead.", values=v.LEAD_STATUSES),
    C("converted_customer_id", "string", "The customer the lead became."),
    references={"converted_customer_id": "customers.customer_id"},
)

CAMPAIGNS = _table(
    "campaigns",
    "Marketing campaigns.",
    ("campaign_id",),
    C("campaign_id", "string", "Id of the campaign.", required=True),
    C("name", "string", "Campaign name.", required=True),
    C("channel", "string", "Channel used.", values=v.CAMPAIGN_CHANNELS),
    C("objective", "string", "Goal (e.g. `reactivation`, `tet_promotion`, `acquisition`)."),
    C("started_at", "timestamp", "Start."),
    C("ended_at", "timestamp", "End."),
    C("budget_vnd", "int64", "Budget in VND."),
)

CAMPAIGN_CONTACTS = _table(
    "campaign_contacts",
    "Who a campaign reached and what they did: a step has a time when it happened, none when not.",
    ("campaign_id", "contact_id"),
    C("campaign_id", "string", "The campaign.", required=True),
    C("contact_id", "string", "Id of the contact within the campaign.", required=True),
    C("customer_id", "string", "Customer contacted."),
    C("lead_id", "string", "Lead contacted."),
    C("sent_at", "timestamp", "When the message was sent.", required=True),
    C("opened_at", "timestamp", "When it was opened."),
    C("clicked_at", "timestamp", "When it was clicked."),
    C("responded_at", "timestamp", "When the contact replied or answered."),
    C("converted_at", "timestamp", "When the contact bought because of it."),
    C("order_id", "string", "The order of the conversion."),
    references={
        "campaign_id": "campaigns.campaign_id",
        "customer_id": "customers.customer_id",
        "lead_id": "leads.lead_id",
        "order_id": "orders.order_id",
    },
)

#: Every canonical table, in load order (a table comes after those it refers to, except for
#: the optional account/decision-maker cycle).
TABLES: tuple[Table, ...] = (
    ACCOUNTS,
    CUSTOMERS,
    PRODUCTS,
    CAMPAIGNS,
    ORDERS,
    ORDER_ITEMS,
    EVENTS,
    FEEDBACK,
    SURVEY_RESPONSES,
    CONSENTS,
    LEADS,
    CAMPAIGN_CONTACTS,
)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    """Return the canonical table called ``name``."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        known = ", ".join(TABLES_BY_NAME)
        raise KeyError(f"no canonical table {name!r}; the tables are: {known}") from None
