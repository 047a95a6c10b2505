"""The customer profile survey: buying criteria, loyalty scores, goals, pain points, income.

One survey, answered by a share of each group's customers; one row per answer. Buying criteria
are ranked by a Plackett-Luce draw from the group's weights; self-reported income is biased
upward (×1.1 to ×1.4) against the income on file, as it is in real surveys.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chandung.schema import vocab

from . import _arrow as A
from ._arrow import DAY_US, BoolArray, FloatArray, IntArray
from ._calendar import at_usual_hour
from ._context import Chunk
from ._groups import B2B_GROUP
from ._random import flags, joined_labels, weight_matrix
from ._traits import CRITERIA, GOALS, INFO_SOURCES, INTERESTS, PAIN_POINTS

SURVEY_ID = "profile_survey"
_RANK_TEXT = "Xếp hạng mức độ quan trọng khi mua hàng (1 = quan trọng nhất): "
# fmt: off
QUESTIONS: dict[str, str] = {
    "criteria_rank_price": _RANK_TEXT + "Giá cả",
    "criteria_rank_quality": _RANK_TEXT + "Chất lượng",
    "criteria_rank_convenience": _RANK_TEXT + "Sự tiện lợi",
    "criteria_rank_reputation": _RANK_TEXT + "Uy tín thương hiệu",
    "nps": "Bạn có sẵn lòng giới thiệu cửa hàng cho bạn bè, người thân không? (0-10)",
    "recommend": "Bạn có muốn giới thiệu sản phẩm đã mua cho người khác không? (0-10)",
    "repurchase_intent": "Bạn có dự định tiếp tục mua hàng của chúng tôi không? (0-10)",
    "buy_more_intent": "Bạn có muốn mua thêm các nhóm sản phẩm khác không? (0-10)",
    "goals": "Điều bạn mong muốn nhất khi mua sắm là gì? (chọn nhiều)",
    "pain_points": "Điều gì khiến bạn chưa hài lòng khi mua sắm? (chọn nhiều)",
    "preferred_channels": "Bạn thường mua sắm qua kênh nào? (chọn nhiều)",
    "info_sources": "Bạn tìm hiểu thông tin sản phẩm ở đâu? (chọn nhiều)",
    "self_reported_income_vnd": "Thu nhập hàng tháng của bạn (VNĐ)",
    "hobbies": "Sở thích của bạn",
    "decision_days": "Từ lúc có nhu cầu đến khi quyết định mua thường mất bao nhiêu ngày?",
    "b2b_top_criterion": "Tiêu chí quan trọng nhất khi chọn nhà cung cấp (doanh nghiệp)",
}
GOAL_LABELS = {
    "look_good": "Trông xinh đẹp, tự tin", "save_money": "Tiết kiệm chi phí",
    "convenience": "Tiện lợi, nhanh gọn", "try_new": "Thử sản phẩm mới, xu hướng",
    "child_health": "Con khỏe mạnh, an toàn", "healthy_living": "Sống khỏe, lành mạnh",
    "quality_experience": "Trải nghiệm cao cấp", "save_time": "Tiết kiệm thời gian",
    "status": "Thể hiện đẳng cấp", "durable": "Đồ bền, dùng lâu",
    "good_tech_cheap": "Đồ công nghệ tốt, giá hợp lý", "study_work": "Phục vụ học tập, làm việc",
    "cut_costs": "Tối ưu chi phí vận hành", "reliable_supply": "Nguồn hàng ổn định",
    "employee_gifts": "Quà tặng nhân viên, đối tác",
}
PAIN_LABELS = {
    "slow_delivery": "Giao hàng chậm", "fake_goods": "Lo hàng giả, hàng nhái",
    "packaging": "Đóng gói kém", "out_of_stock": "Hay hết hàng", "app_bugs": "Ứng dụng hay lỗi",
    "price_high": "Giá cao", "rude_staff": "Nhân viên thiếu nhiệt tình",
    "customer_service": "Chăm sóc khách hàng chậm", "hard_return": "Đổi trả khó khăn",
    "warranty": "Bảo hành phức tạp", "invoice": "Xuất hóa đơn chậm",
    "payment_terms": "Điều khoản thanh toán chưa phù hợp",
}
CHANNEL_LABELS = {
    "website": "Website", "app": "Ứng dụng", "shopee": "Shopee", "lazada": "Lazada",
    "tiki": "Tiki", "tiktok_shop": "TikTok Shop", "zalo": "Zalo", "facebook": "Facebook",
    "store_mt": "Siêu thị, cửa hàng chuỗi", "store_gt": "Tạp hóa, cửa hàng gần nhà",
    "sales_rep": "Nhân viên kinh doanh",
}
SOURCE_LABELS = {
    "tiktok": "TikTok", "facebook": "Facebook", "instagram": "Instagram", "kol": "KOL/KOC",
    "friends": "Bạn bè, người thân", "google": "Google", "mom_groups": "Hội nhóm mẹ bỉm",
    "zalo": "Zalo", "in_store": "Tại cửa hàng", "email_news": "Bản tin e-mail",
    "tv": "Truyền hình", "youtube": "YouTube", "review_sites": "Trang đánh giá",
    "trade_shows": "Hội chợ, triển lãm", "referrals": "Đối tác giới thiệu",
    "sales_reps": "Nhân viên kinh doanh",
}
HOBBY_LABELS = {
    "beauty": "Làm đẹp", "fashion": "Thời trang", "kpop_kdrama": "K-pop, phim Hàn",
    "travel": "Du lịch", "coffee": "Cà phê", "fitness": "Tập gym, yoga",
    "photography": "Chụp ảnh", "parenting": "Nuôi dạy con", "cooking": "Nấu ăn",
    "health": "Sức khỏe", "home_decor": "Trang trí nhà cửa", "golf": "Golf",
    "wine": "Rượu vang", "reading": "Đọc sách", "karaoke": "Hát karaoke", "fishing": "Câu cá",
    "gardening": "Làm vườn", "football": "Bóng đá", "tv_drama": "Xem phim truyền hình",
    "gaming": "Chơi game", "tech": "Công nghệ", "music": "Âm nhạc", "anime": "Anime",
    "esports": "Thể thao điện tử", "business_news": "Tin tức kinh doanh",
}
B2B_CRITERIA = ("Độ tin cậy của nhà cung cấp", "Điều khoản thanh toán", "Lịch giao hàng", "Giá")
# fmt: on


def _score(rng: np.random.Generator, mean: FloatArray, sd: float) -> FloatArray:
    result: FloatArray = np.clip(np.rint(mean + sd * rng.standard_normal(len(mean))), 0, 10)
    return result


def _respondents(chunk: Chunk) -> tuple[IntArray, IntArray]:
    """Customers who answered (a share of each group's buyers) and when, in the last year."""
    rng, people, end_us = chunk.rng, chunk.people, chunk.calendar.end_us
    bought = np.bincount(chunk.orders.customer, minlength=people.size) > 0
    rate = np.array([x.survey_rate for x in chunk.groups])[people.group]
    who = np.flatnonzero(bought & (rng.random(people.size) < rate))
    earliest = np.maximum(chunk.seen[who], end_us - 365 * DAY_US)
    answered = earliest + (rng.random(len(who)) * (end_us - earliest)).astype(np.int64)
    answered = np.clip(at_usual_hour(rng, answered), earliest, end_us - DAY_US // 24)
    return who, answered


def _numbers(chunk: Chunk, who: IntArray) -> dict[str, FloatArray]:
    """Numeric answers: criteria ranks, loyalty scores, income, days to decide."""
    rng, groups = chunk.rng, chunk.groups
    g = chunk.people.group[who]
    r = len(who)
    orders = np.bincount(chunk.orders.customer, minlength=chunk.people.size)[who].astype(float)
    weights = weight_matrix([x.criteria for x in groups], CRITERIA)[g]
    # Plackett-Luce: sort the criteria by log-weight plus Gumbel noise.
    utility = np.log(weights + 1e-9) + rng.gumbel(size=weights.shape)
    ranks = np.argsort(np.argsort(-utility, axis=1), axis=1) + 1
    nps_mean = np.array([x.nps_mean for x in groups])[g] + 0.15 * (np.minimum(orders, 10) - 3)
    nps = _score(rng, nps_mean, 1.6)
    decision = np.array([x.decision_days for x in groups])[g]
    income = chunk.people.income[who] * rng.uniform(1.1, 1.4, r)
    return {
        **{f"criteria_rank_{c}": ranks[:, i].astype(float) for i, c in enumerate(CRITERIA)},
        "nps": nps,
        "recommend": _score(rng, nps, 1.0),
        "repurchase_intent": _score(rng, nps_mean - 0.5 + 0.25 * np.minimum(orders, 8), 1.5),
        "buy_more_intent": _score(rng, 5.5 + 0.2 * np.minimum(orders, 8), 1.8),
        "self_reported_income_vnd": np.round(income / 500_000) * 500_000,
        "decision_days": np.maximum(1, np.rint(decision * rng.lognormal(0, 0.5, r))),
    }


def _choices(chunk: Chunk, who: IntArray) -> dict[str, pa.Array]:
    """Multiple-choice answers, labels joined with "; "."""
    rng, groups, people = chunk.rng, chunk.groups, chunk.people
    g = people.group[who]
    r = len(who)
    pains = weight_matrix([x.pain_points for x in groups], PAIN_POINTS)
    channel_weights = weight_matrix([x.channels for x in groups], vocab.SALES_CHANNELS)
    channels = flags(rng, np.minimum(2.0 * channel_weights, 0.9), g)
    channels[np.arange(r), people.main_channel[who]] = True
    goals = np.array([[x.goals.get(k, 0.03) for k in GOALS] for x in groups])
    sources = np.array([[x.info_sources.get(k, 0.03) for k in INFO_SOURCES] for x in groups])
    b2b_pick = rng.choice(len(B2B_CRITERIA), size=r, p=[0.35, 0.3, 0.2, 0.15])
    return {
        "goals": joined_labels(flags(rng, goals, g), [GOAL_LABELS[k] for k in GOALS], "; "),
        "pain_points": joined_labels(
            flags(rng, np.minimum(2.2 * pains, 0.9), g), [PAIN_LABELS[k] for k in PAIN_POINTS], "; "
        ),
        "preferred_channels": joined_labels(
            channels, [CHANNEL_LABELS[c] for c in vocab.SALES_CHANNELS], "; "
        ),
        "info_sources": joined_labels(
            flags(rng, sources, g), [SOURCE_LABELS[k] for k in INFO_SOURCES], "; "
        ),
        "hobbies": joined_labels(people.interests[who], [HOBBY_LABELS[k] for k in INTERESTS], "; "),
        "b2b_top_criterion": A.take(B2B_CRITERIA, b2b_pick),
    }


def draw_survey(chunk: Chunk, first_number: int) -> tuple[pa.Table, int]:
    """Answers of the customers who took the profile survey, and the number of responses."""
    rng = chunk.rng
    who, answered = _respondents(chunk)
    r = len(who)
    numbers = _numbers(chunk, who)
    texts = _choices(chunk, who)
    skipped: dict[str, BoolArray] = {
        "self_reported_income_vnd": rng.random(r) < 0.2,
        "hobbies": rng.random(r) < 0.15,
        "pain_points": rng.random(r) < 0.1,
        "b2b_top_criterion": chunk.people.group[who] != B2B_GROUP,
    }
    # One row per answer, in the order of the questionnaire within each response.
    answer_rows, question_of_row = [], []
    for q, question_id in enumerate(QUESTIONS):
        keep = ~skipped.get(question_id, np.zeros(r, dtype=bool))
        if question_id in texts:
            keep &= ~pc.is_null(texts[question_id]).to_numpy(zero_copy_only=False)
        answer_rows.append(np.flatnonzero(keep))
        question_of_row.append(np.full(int(keep.sum()), q))
    respondent = np.concatenate(answer_rows)
    question = np.concatenate(question_of_row)
    order = np.lexsort((question, respondent))
    respondent, question = respondent[order], question[order]
    at = pa.array(respondent)
    text = {q: pa.nulls(r, pa.string()) for q in QUESTIONS} | texts
    number = {q: np.full(r, np.nan) for q in QUESTIONS} | numbers
    ids = list(QUESTIONS)
    text_column = pa.concat_arrays([text[q] for q in ids])
    number_column = np.concatenate([number[q] for q in ids])
    flat = question * r + respondent
    columns = {
        "response_id": A.ids("R", first_number, r, 8).take(at),
        "survey_id": pa.repeat(pa.scalar(SURVEY_ID), len(respondent)),
        "question_id": A.take(ids, question),
        "question_text": A.take(list(QUESTIONS.values()), question),
        "customer_id": chunk.customer_ids.take(pa.array(who[respondent])),
        "answer_text": text_column.take(pa.array(flat)),
        "answer_number": A.floats(number_column[flat], np.isnan(number_column[flat])),
        "answered_at": A.timestamps(answered[respondent] + question * 20_000_000),
    }
    table = A.canonical_table("survey_responses", columns, len(respondent), chunk.import_batch)
    return table, r
