from __future__ import annotations

import re

import ibis
import pytest

from chandung.datasets.demo import _phrases as P
from chandung.datasets.demo._text import strip_diacritics
from chandung.errors import NotFoundError
from chandung.i18n import LANGUAGES, catalogue
from chandung.segments._rule_compile import fold_column
from chandung.segments._rule_lexer import fold_text
from chandung.voc import (
    PAIN_TOPICS,
    PRAISE_TOPICS,
    TOPICS,
    sentiment_expression,
    sentiment_of,
    topic_label,
    topic_matches,
    topic_of_label,
    topics_of,
)
from chandung.voc.topics import NEGATIVE_WORDS, POSITIVE_WORDS

# --- Sentences written for these tests: each must be found to be about its topic --------------

EXAMPLES: dict[str, tuple[str, ...]] = {
    "slow_delivery": (
        "Đặt từ thứ hai mà đến chủ nhật mới nhận được, giao chậm quá.",
        "Ship lâu kinh khủng, chờ hàng mỏi mòn.",
        "Shop giao trễ hẹn tận 3 ngày.",
        "Đơn hàng đi lòng vòng, 10 ngày sau mới tới.",
        "giao hang cham qua shop oi",
        "Hàng chậm giao so với dự kiến, mình phải hủy kế hoạch.",
        "Cả tuần rồi vẫn chưa nhận được hàng.",
        "Vận chuyển quá chậm.",
        "ship cham vl",
        "Giao hàng không nhanh như quảng cáo.",
        "My order took ages to arrive.",
        "Late delivery again, third time this month.",
        "The package still hasn't arrived after ten days.",
        "Shipping was so slow.",
        "It arrived two weeks later than promised.",
        "Delivery was delayed by a week.",
        "Took three weeks to arrive, but the product is lovely.",
        "Đợi hàng lâu quá trời.",
    ),
    "fake_goods": (
        "Mua phải hàng fake, mùi nồng nặc.",
        "Hàng không chính hãng, shop lừa đảo.",
        "Nghi là hàng nhái vì logo in lệch.",
        "k chinh hang dau moi nguoi oi",
        "Không phải hàng thật, tem bị rách.",
        "Shop bán toàn hàng giả!",
        "Sản phẩm có phải chính hãng không vậy?",
        "Quét mã không ra thông tin sản phẩm.",
        "Nguồn gốc không rõ ràng, mình không dám cho bé dùng.",
        "This is a counterfeit, the logo is wrong.",
        "Pretty sure these are fakes.",
        "Not genuine at all.",
        "The serial number looks odd, feels like a knock-off.",
        "I doubt this is authentic.",
    ),
    "packaging": (
        "Hộp bị móp méo, sản phẩm bên trong trầy xước.",
        "Đóng gói quá sơ sài, chỉ bọc một lớp nilon.",
        "dong goi cau tha, chai bi ro ri het ra",
        "Không có chống sốc nên ly bị vỡ.",
        "Bao bì rách tả tơi.",
        "Thùng hàng bị ướt hết.",
        "The box arrived crushed and the bottle was leaking.",
        "Terrible packing, everything was loose.",
    ),
    "out_of_stock": (
        "Lần nào vào cũng hết hàng.",
        "Shop báo hết size sau khi mình đã chuyển khoản.",
        "Sản phẩm này không còn hàng nữa à?",
        "Hàng hot là cháy hàng liền.",
        "Đợi mãi không thấy về hàng.",
        "het hang hoai",
        "It's always sold out.",
        "The shade I want is out of stock again.",
    ),
    "app_bugs": (
        "App cứ bị đơ khi vào giỏ hàng.",
        "Không thanh toán được qua ví điện tử, báo lỗi liên tục.",
        "Website load chậm như rùa.",
        "Mã freeship không áp dụng được.",
        "ung dung hay bi loi, dang nhap mai khong duoc.",
        "Lỗi thanh toán hoài.",
        "The app freezes every time I open my cart.",
        "Checkout kept failing with an error.",
        "I couldn't log in for two days.",
        "Không thanh toán được bằng thẻ ngân hàng.",
    ),
    "price_high": (
        "Giá hơi cao so với mặt bằng chung.",
        "Đắt quá trời, không đáng.",
        "So với chỗ khác thì mắc hơn nhiều.",
        "Shop tăng giá liên tục.",
        "gia cao qua",
        "Giá chát quá.",
        "Sản phẩm ok nhưng giá không hợp lý.",
        "Dạo này không còn rẻ nữa.",
        "Khuyến mãi ảo, giá gốc bị đẩy lên rồi giảm.",
        "Mua trên Shopee rẻ hơn mua ở đây.",
        "Way too expensive for what it is.",
        "Prices have gone up again.",
        "Overpriced.",
    ),
    "rude_staff": (
        "Thái độ nhân viên rất tệ, hỏi không thèm trả lời.",
        "Bạn bán hàng cộc cằn, khó chịu ra mặt.",
        "Bị bảo vệ quát vì dắt xe sai chỗ.",
        "Nhan vien thieu nhiet tinh, hoi gi cung lo.",
        "Vào tiệm không ai tiếp.",
        "Nhân viên không niềm nở chút nào.",
        "The cashier was really rude to my mother.",
        "Staff ignored us for twenty minutes.",
    ),
    "customer_service": (
        "Inbox shop 3 ngày không ai rep.",
        "Gọi hotline mãi không ai nghe máy.",
        "Khiếu nại hoài mà chưa được giải quyết.",
        "CSKH trả lời rất chậm.",
        "cskh tra loi qua loa cho co.",
        "Trả lời tin nhắn hơi chậm nhưng tư vấn kỹ.",
        "Mình hỏi mãi mà shop không trả lời.",
        "Support never answered my emails.",
        "I was on hold for forty minutes.",
        "No response from customer service after a week.",
    ),
    "hard_return": (
        "Đổi trả lằng nhằng, mất cả tuần.",
        "Shop không cho đổi hàng dù lỗi do nhà sản xuất.",
        "Hoàn tiền mãi chưa thấy về tài khoản.",
        "Muốn trả hàng mà phải tự chịu phí ship.",
        "Chưa được hoàn tiền.",
        "Chờ hoàn tiền 2 tuần rồi.",
        "They refused to refund me.",
        "Still waiting for my refund after three weeks.",
        "Exchanging a size was a nightmare.",
    ),
    "warranty": (
        "Máy hỏng sau 3 tuần, mang đi bảo hành thì bị từ chối.",
        "Bảo hành lâu quá, hơn một tháng chưa xong.",
        "Nồi cơm bị hỏng mà trung tâm không nhận bảo hành.",
        "Quạt dùng được 2 tháng thì chết.",
        "The blender stopped working after a month.",
        "They wouldn't honour the warranty.",
    ),
    "invoice": (
        "Yêu cầu xuất hóa đơn VAT mà đợi mãi không thấy.",
        "Hóa đơn ghi sai tên công ty.",
        "Chưa nhận được hóa đơn điện tử.",
        "Shop không xuất hóa đơn cho bên mình.",
        "Still no invoice for last month's order.",
        "The receipt had the wrong tax code.",
    ),
    "payment_terms": (
        "Công nợ 15 ngày quá gấp với nhà thuốc nhỏ.",
        "Mong công ty nới công nợ lên 60 ngày.",
        "Điều khoản thanh toán bất lợi cho đại lý.",
        "Thời hạn thanh toán quá ngắn.",
        "The credit terms are too strict for a small shop.",
        "We asked for net 60 but were refused.",
    ),
    "poor_quality": (
        "Chất lượng kém, mặc một lần đã xù lông.",
        "Áo giặt lần đầu đã phai màu.",
        "Hàng kém chất lượng, không như quảng cáo.",
        "Kem dùng không thấy hiệu quả gì.",
        "Dùng xong bị kích ứng, nổi mẩn đỏ.",
        "chat luong te hai",
        "Bị dị ứng sau khi dùng, mặt nổi đỏ.",
        "Sữa rửa mặt làm da mình bị khô.",
        "Chất lượng không tương xứng với giá tiền.",
        "Poor quality, the seams came apart after one wash.",
        "The fabric faded after two washes.",
    ),
    "wrong_item": (
        "Shop giao nhầm màu, mình đặt đen mà nhận trắng.",
        "Thiếu một món trong đơn.",
        "Sản phẩm không giống hình.",
        "gui thieu qua tang",
        "Hàng về bị thiếu nắp.",
        "Sao shop giao thiếu hàng vậy?",
        "Received the wrong colour.",
        "One item was missing from the box.",
        "Not as described at all.",
    ),
    "size_fit": (
        "Áo hơi rộng so với bảng size.",
        "Giày đi chật quá.",
        "Quần mặc không vừa, phải đổi.",
        "Form nhỏ, nên tăng 1 size.",
        "Giày không đúng size như bảng.",
        "Runs small, order a size up.",
        "The shoes were too tight.",
    ),
    "shipping_fee": (
        "Phí ship cao hơn cả tiền hàng.",
        "Tiền ship đắt quá.",
        "Không còn freeship nữa nên mua ít lại.",
        "Shipping costs are ridiculous.",
        "The delivery fee was more than the item.",
    ),
    "many_promotions": (
        "Khuyến mãi nhiều, lần nào cũng có quà.",
        "Săn được deal hời quá.",
        "Freeship toàn quốc, thích ghê.",
        "Mua 1 tặng 1 nên mình chốt liền.",
        "Loads of discount codes every week.",
        "Free shipping on everything, brilliant.",
    ),
    "fast_delivery": (
        "Ship nhanh thần tốc, sáng đặt chiều có.",
        "Giao hàng siêu nhanh luôn.",
        "giao hang nhanh, dong goi ky",
        "Đặt tối qua, sáng nay đã nhận.",
        "Super fast shipping, came in two days.",
        "Arrived early, well done.",
    ),
    "genuine": (
        "Hàng chính hãng 100%, check code ok.",
        "Có tem chống giả đầy đủ.",
        "Hàng auth nha mọi người.",
        "hang chinh hang, yen tam",
        "100% authentic, verified on the brand website.",
    ),
    "nice_packaging": (
        "Đóng gói cực kỳ cẩn thận, bọc 3 lớp chống sốc.",
        "Hộp đựng sang trọng, tặng quà rất hợp.",
        "Nicely wrapped with a thank-you note.",
    ),
    "good_price": (
        "Giá rẻ mà chất lượng tốt.",
        "Giá cả phải chăng, hợp túi tiền sinh viên.",
        "Rẻ hơn ngoài chợ nhiều.",
        "Great price for the quality.",
        "Very affordable.",
    ),
    "good_service": (
        "Shop tư vấn nhiệt tình, trả lời tin nhắn nhanh.",
        "Có lỗi là shop đổi ngay cho mình, dịch vụ tuyệt vời.",
        "Đổi trả dễ dàng.",
        "Customer support sorted my issue within an hour.",
    ),
    "good_quality": (
        "Chất lượng vượt mong đợi.",
        "Vải mềm mịn, đường may chắc chắn.",
        "Kem dùng rất thích, da mịn hẳn.",
        "Không bị kích ứng, da mềm hơn.",
        "Really solid build, feels premium.",
        "Giày đi êm chân, đúng size.",
        "Son lên màu chuẩn, giữ màu lâu.",
        "Kem chống nắng thấm nhanh, không bết dính.",
        "Tai nghe bass mạnh, pin trâu.",
    ),
    "friendly_staff": (
        "Chị chủ shop dễ thương lắm.",
        "Nhân viên ở đây thân thiện, vui vẻ.",
        "Shipper gọi trước khi giao, rất lịch sự.",
        "The staff were super friendly.",
    ),
    "convenient": (
        "Đặt hàng qua Zalo rất tiện.",
        "Cửa hàng mở cửa 24/7, tiện lợi.",
        "Really convenient location near my office.",
        "Ứng dụng dễ dùng, đặt hàng nhanh gọn.",
    ),
}

#: Texts and exactly the topics they are about: the lexicon must not see what is not there.
EXACT: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Giao hàng nhanh, giá rẻ, hàng chính hãng.", ("fast_delivery", "genuine", "good_price")),
    ("Hàng không chính hãng.", ("fake_goods",)),
    ("Không phải hàng chính hãng đâu mọi người.", ("fake_goods",)),
    ("Giá hơi cao nhưng chất lượng tốt.", ("price_high", "good_quality")),
    ("Giá rẻ hơn chỗ khác.", ("good_price",)),
    ("Giá không rẻ như quảng cáo.", ("price_high",)),
    ("Giao hàng không nhanh lắm.", ("slow_delivery",)),
    ("Lịch giao hàng không đúng hẹn.", ("slow_delivery",)),
    ("Nhân viên không nhiệt tình.", ("rude_staff",)),
    ("Không bị kích ứng, da mềm hơn.", ("good_quality",)),
    ("Không còn freeship nữa.", ("shipping_fee",)),
    ("Mặc quá đẹp, form chuẩn.", ("good_quality",)),
    ("hang dep, gia hop ly, giao nhanh", ("fast_delivery", "good_price", "good_quality")),
    ("I'm not sure this is genuine.", ("fake_goods",)),
    ("The delivery was not on time.", ("slow_delivery",)),
    ("Delivered on time and well packed.", ("fast_delivery", "nice_packaging")),
    ("Shop ơi sản phẩm này còn hàng không ạ?", ()),
    ("Đơn của mình bao giờ giao vậy ạ?", ()),
    ("Mình đặt qua app lúc 9h tối.", ()),
    ("Mua để tặng gia đình nhân dịp Tết.", ()),
    ("Hóa đơn giá trị gia tăng đã nhận đủ.", ()),
    ("Da hồng hào hơn sau một tuần dùng.", ()),
    ("Hỏi shop có xuất hóa đơn công ty được không ạ?", ()),
    ("Tuần sau mình đặt thêm 2 thùng.", ()),
    ("Đặt quà tặng cho mẹ.", ()),
    ("Sản phẩm dùng để rửa mặt hằng ngày.", ()),
    ("Mình cần hàng gấp trong tuần này.", ()),
    ("Chuyển khoản trước 50% nhé.", ()),
    ("Thanh toán tiền mặt khi nhận hàng.", ()),
    ("Mua hàng ở đây được 3 năm rồi.", ()),
    ("Hàng giá rẻ, chất lượng ổn.", ("good_price", "good_quality")),
    ("Mặc quá chật.", ("size_fit",)),
    ("Đặt qua web rồi ra lấy.", ()),
    ("Nhắn qua app mà không ai trả lời.", ("customer_service",)),
    ("Dùng lâu rồi vẫn bền.", ("good_quality",)),
    ("Không có hóa đơn đỏ nên công ty không thanh toán được.", ("invoice",)),
    ("Customer service was helpful but the refund took forever.", ("hard_return", "good_service")),
    ("Mua để dùng dần, để tủ lạnh.", ()),
    ("Giá rẻ hơn ngoài tiệm.", ("good_price",)),
    ("", ()),
)

LABELS: tuple[tuple[str, str | None], ...] = (
    ("Giao hàng chậm", "slow_delivery"),
    ("Lo hàng giả, hàng nhái", "fake_goods"),
    ("Đóng gói kém", "packaging"),
    ("Hay hết hàng", "out_of_stock"),
    ("Ứng dụng hay lỗi", "app_bugs"),
    ("Giá cao", "price_high"),
    ("Nhân viên thiếu nhiệt tình", "rude_staff"),
    ("Chăm sóc khách hàng chậm", "customer_service"),
    ("Đổi trả khó khăn", "hard_return"),
    ("Bảo hành phức tạp", "warranty"),
    ("Xuất hóa đơn chậm", "invoice"),
    ("Điều khoản thanh toán chưa phù hợp", "payment_terms"),
    ("Slow delivery", "slow_delivery"),
    ("Worried about fakes", "fake_goods"),
    ("Hàng giả", "fake_goods"),
    ("Phí ship cao", "shipping_fee"),
    ("Phí giao hàng", "shipping_fee"),
    ("Bảo hành", "warranty"),
    ("Chất lượng sản phẩm", "poor_quality"),
    ("Thái độ nhân viên", "rude_staff"),
    ("Giao hàng nhanh", "fast_delivery"),
    ("Hàng chính hãng", "genuine"),
    ("Màu sắc", None),
    ("Khác", None),
    ("", None),
)


def _cases() -> list[tuple[str, str]]:
    return [(key, text) for key, texts in EXAMPLES.items() for text in texts]


def _demo(book: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """Every demo sentence, as written and typed without diacritics."""
    out = []
    for key, texts in book.items():
        for text in texts:
            out += [(key, text), (key, strip_diacritics(text)), (key, P.lower_first(text))]
    return out


def _every_text() -> list[str]:
    texts = [t for _, t in _cases()] + [t for t, _ in EXACT] + [t for t, _ in LABELS]
    for book in (P.PAIN_VI, P.PAIN_EN, P.PRAISE_VI, P.PRAISE_EN, P.OPENERS, P.CLOSERS):
        texts += [t for ts in book.values() for t in ts]
    return texts


# --- The lexicon itself ------------------------------------------------------------------------


def test_the_lexicon_has_the_planted_topics_and_general_ones() -> None:
    pains = {
        "slow_delivery", "fake_goods", "packaging", "out_of_stock", "app_bugs", "price_high",
        "rude_staff", "customer_service", "hard_return", "warranty", "invoice",
        "payment_terms", "poor_quality", "wrong_item", "size_fit", "shipping_fee",
    }  # fmt: skip
    praises = {
        "many_promotions", "fast_delivery", "genuine", "nice_packaging", "good_price",
        "good_service", "good_quality", "friendly_staff", "convenient",
    }  # fmt: skip
    assert set(PAIN_TOPICS) == pains
    assert set(PRAISE_TOPICS) == praises
    assert list(TOPICS) == [*PAIN_TOPICS, *PRAISE_TOPICS]
    assert all(TOPICS[k].key == k for k in TOPICS)
    # Demo data plants exactly these keys, so every one must be in the lexicon.
    assert set(P.PAIN_VI) <= pains and set(P.PRAISE_VI) <= praises


_FORBIDDEN = re.compile(r"\\[bBwWsSdD0-9]|\(\?|\\[pPkK]|[^\x20-\x7e]")


def _all_patterns() -> list[str]:
    out: list[str] = []
    for topic in TOPICS.values():
        out += [*topic.patterns, *topic.unless, *topic.aspects]
    for words in (POSITIVE_WORDS, NEGATIVE_WORDS):
        out += [*words.patterns, *words.unless]
    return out


@pytest.mark.parametrize("pattern", _all_patterns())
def test_patterns_use_only_portable_regex_syntax(pattern: str) -> None:
    # RE2, POSIX ARE and Java share literals, |, groups, classes, ?, *, + and {m,n}; no \b,
    # \w, \s, \d, lookaround, non-capturing groups or backreferences; ASCII only.
    assert not _FORBIDDEN.search(pattern), pattern
    assert "\\" not in pattern, pattern
    re.compile(pattern)


def test_patterns_are_ascii_and_lower_case() -> None:
    for pattern in _all_patterns():
        assert pattern == pattern.lower()
        assert pattern.isascii()


# --- Python classification ---------------------------------------------------------------------


@pytest.mark.parametrize(("key", "text"), _cases())
def test_examples_are_found_with_and_without_diacritics(key: str, text: str) -> None:
    assert key in topics_of(text), (text, topics_of(text))
    assert key in topics_of(strip_diacritics(text)), text
    assert key in topics_of(text.upper()), text


@pytest.mark.parametrize(("key", "text"), [(k, t) for k, t in _cases() if k in PRAISE_TOPICS])
def test_praise_examples_carry_no_pain(key: str, text: str) -> None:
    assert not set(topics_of(text)) & set(PAIN_TOPICS), (text, topics_of(text))


@pytest.mark.parametrize(("text", "expected"), EXACT)
def test_exactly_what_is_there(text: str, expected: tuple[str, ...]) -> None:
    assert topics_of(text) == list(expected)
    assert topics_of(strip_diacritics(text)) == list(expected)


@pytest.mark.parametrize(("key", "text"), _demo(P.PAIN_VI) + _demo(P.PAIN_EN))
def test_every_demo_complaint_is_found(key: str, text: str) -> None:
    assert key in topics_of(text), (text, topics_of(text))


@pytest.mark.parametrize(("key", "text"), _demo(P.PRAISE_VI) + _demo(P.PRAISE_EN))
def test_every_demo_praise_is_found_and_is_no_complaint(key: str, text: str) -> None:
    found = topics_of(text)
    assert key in found, (text, found)
    assert not set(found) & set(PAIN_TOPICS), (text, found)


@pytest.mark.parametrize(
    "text",
    sorted(
        {t for book in (P.OPENERS, P.CLOSERS, P.CHAT_OPEN, P.CHAT_QUESTION) for ts in
         book.values() for t in ts if t}
        | {*P.EMAIL_OPEN.values(), *P.EMAIL_CLOSE.values(), *P.INTERVIEW_OPEN.values()}
    ),
)  # fmt: skip
def test_demo_small_talk_is_about_no_topic(text: str) -> None:
    assert topics_of(text) == []


@pytest.mark.parametrize(("label", "expected"), LABELS)
def test_survey_labels_name_one_topic(label: str, expected: str | None) -> None:
    assert topic_of_label(label) == expected
    assert topic_of_label(strip_diacritics(label)) == expected


def test_demo_survey_pain_labels_name_their_topic() -> None:
    from chandung.datasets.demo._survey import PAIN_LABELS

    for key, label in PAIN_LABELS.items():
        assert topic_of_label(label) == key, label


def test_pain_wins_over_praise_in_a_label() -> None:
    assert topic_of_label("Giá rẻ nhưng chất lượng kém") == "poor_quality"


def test_unknown_topic_is_refused() -> None:
    with pytest.raises(NotFoundError) as caught:
        topic_matches(ibis.literal("x"), "no_such_topic")
    assert caught.value.code == "voc.unknown_topic"


# --- Sentiment ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("rating", "expected"), [(1, -1), (2, -1), (3, 0), (4, 1), (5, 1)])
def test_a_rating_decides(rating: int, expected: int) -> None:
    assert sentiment_of("Rất hài lòng, giao nhanh!", rating) == expected
    assert sentiment_of("Thất vọng, giao chậm.", rating) == expected


@pytest.mark.parametrize("tone", ["pos", "neg", "neu"])
@pytest.mark.parametrize("language", ["vi", "en"])
def test_demo_openers_and_closers_carry_their_tone(tone: str, language: str) -> None:
    expected = {"pos": 1, "neg": -1, "neu": 0}[tone]
    for book in (P.OPENERS, P.CLOSERS):
        for text in book[f"{language}_{tone}"]:
            if text:
                assert sentiment_of(text) == expected, text
                assert sentiment_of(strip_diacritics(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Giao hàng chậm, đóng gói sơ sài.", -1),
        ("Hàng chính hãng, giao nhanh.", 1),
        ("Hàng đẹp nhưng giao chậm.", 0),
        ("Rất hài lòng, chỉ có điều giao hơi chậm, nhưng hàng chính hãng.", 0),
        ("Check mã vạch chuẩn, rất yên tâm.", 1),
        ("Mua đồ cho con mà không yên tâm.", -1),
        ("Không hài lòng lắm.", -1),
        ("Not bad at all.", 0),
        ("Shop ơi đơn của mình bao giờ giao vậy ạ?", 0),
        ("", 0),
    ],
)
def test_sentiment_without_a_rating(text: str, expected: int) -> None:
    assert sentiment_of(text) == expected
    assert sentiment_of(text, None) == expected


def test_a_rating_outside_one_to_five_is_ignored() -> None:
    assert sentiment_of("Thất vọng.", 0) == -1
    assert sentiment_of("Tuyệt vời.", 10) == 1


# --- The warehouse agrees with Python ----------------------------------------------------------


@pytest.fixture(scope="module")
def warehouse_results() -> tuple[list[str], list[int | None], dict[str, list[object]]]:
    texts = _every_text()
    texts += [strip_diacritics(t) for t in texts]
    ratings: list[int | None] = [None if i % 3 else (i % 7) for i in range(len(texts))]
    table = ibis.memtable(
        {"text": [*texts, None], "rating": [*ratings, 4]},
        schema={"text": "string", "rating": "int64"},
    )
    folded = fold_column(table.text)
    query = table.select(
        sentiment=sentiment_expression(folded, table.rating),
        text_sentiment=sentiment_expression(folded),
        **{key: topic_matches(folded, key) for key in TOPICS},
    )
    result = ibis.duckdb.connect().execute(query)
    columns = {c: result[c].tolist() for c in result.columns}
    return [*texts, None], [*ratings, 4], columns  # type: ignore[list-item]


def test_warehouse_topics_agree_with_python(
    warehouse_results: tuple[list[str], list[int | None], dict[str, list[object]]],
) -> None:
    texts, _, columns = warehouse_results
    for i, text in enumerate(texts):
        found = topics_of(text) if text is not None else []
        in_warehouse = [key for key in TOPICS if columns[key][i]]
        assert in_warehouse == found, text
    assert all(isinstance(columns[k][-1], bool) and not columns[k][-1] for k in TOPICS)


def test_warehouse_sentiment_agrees_with_python(
    warehouse_results: tuple[list[str], list[int | None], dict[str, list[object]]],
) -> None:
    texts, ratings, columns = warehouse_results
    for i, (text, rating) in enumerate(zip(texts, ratings, strict=True)):
        if text is None:
            assert columns["sentiment"][i] == 1  # rating 4, no text
            assert columns["text_sentiment"][i] == 0
            continue
        assert columns["sentiment"][i] == sentiment_of(text, rating), (text, rating)
        assert columns["text_sentiment"][i] == sentiment_of(text), text


def test_folding_in_python_and_the_warehouse_agree() -> None:
    texts = _every_text()
    table = ibis.memtable({"text": texts})
    result = ibis.duckdb.connect().execute(table.select(f=fold_column(table.text)))
    assert result["f"].tolist() == [fold_text(t) for t in texts]


# --- Names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_topic_has_a_name_in_every_language(language: str) -> None:
    names = catalogue(language)
    for key in TOPICS:
        assert f"voc.topics.{key}" in names
        label = topic_label(key, language)
        assert label and label != key and label == names[f"voc.topics.{key}"]


def test_topic_names_differ_by_language() -> None:
    assert topic_label("slow_delivery", "vi") == "giao hàng chậm"
    assert topic_label("slow_delivery", "en") == "slow delivery"


def test_an_unknown_topic_is_named_by_its_key() -> None:
    assert topic_label("Màu sắc", "vi") == "Màu sắc"
