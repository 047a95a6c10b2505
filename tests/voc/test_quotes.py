from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chandung.datasets.demo import _phrases as P
from chandung.datasets.demo._text import strip_diacritics
from chandung.errors import InputError
from chandung.voc import PLACEHOLDER, mask_personal_data, short_quote, topics_of

# --- Masking: examples ---------------------------------------------------------------------------

PHONES = (
    "0912345678",
    "0912 345 678",
    "0912.345.678",
    "091.234.5678",
    "091-234-5678",
    "+84912345678",
    "+84 912 345 678",
    "84 912 345 678",
    "84912345678",
    "(+84) 912-345-678",
    "+84 (0) 912 345 678",
    "01623456789",
    "028 3822 1234",
    "(028) 3822 1234",
    "+1 (415) 555-0100",
    "+44 20 7946 0958",
    "0084 912 345 678",
)


@pytest.mark.parametrize("phone", PHONES)
@pytest.mark.parametrize(
    "template",
    ["Sđt của mình: {}", "Gọi {} nhé shop", "My number: {}.", "sdt {}, cảm ơn", "({})"],
)
def test_phone_numbers_are_masked(phone: str, template: str) -> None:
    masked = mask_personal_data(template.format(phone))
    assert PLACEHOLDER in masked
    assert not re.search(r"\d", masked), masked
    assert masked == template.format(PLACEHOLDER)


@pytest.mark.parametrize(
    "email",
    ["lan.nguyen@gmail.com", "tran_b+shop@yahoo.com.vn", "a1@cty.vn", "ĐÀO.hoa@công-ty.vn"],
)
def test_email_addresses_are_masked(email: str) -> None:
    assert mask_personal_data(f"Mail mình là {email}, shop gửi hóa đơn nhé") == (
        f"Mail mình là {PLACEHOLDER}, shop gửi hóa đơn nhé"
    )


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("STK 0071000123456 Vietcombank", f"STK {PLACEHOLDER} Vietcombank"),
        ("thẻ 4111 1111 1111 1111", f"thẻ {PLACEHOLDER}"),
        ("card 4111-1111-1111-1111 expired", f"card {PLACEHOLDER} expired"),
        ("CCCD 079203001234", f"CCCD {PLACEHOLDER}"),
        ("mã KH 123456789", f"mã KH {PLACEHOLDER}"),
    ],
)
def test_long_identifying_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Giá 1.200.000đ mà chất lượng kém.",
        "Mua 2 hộp, giá 350k, giao sau 45 ngày.",
        "Giảm 50%, còn 99.000 đ.",
        "Đơn 12.500.000 VND, trả góp 6 tháng.",
        "Giá 125000000đ cho cả lô.",
        "Ngày 12/05/2024 lúc 10:30, đơn 2024-05-12.",
        "Mong được gia hạn thanh toán 45 ngày thay vì 30 ngày.",
        "Size 38 39 40 đều hết.",
        "Tổng 1,250,000 VND, 3 items.",
        "Giá 1.200.000,50 đồng.",
        "Order O0012345 arrived late.",
        "Hàng date mới, HSD 2026.",
    ],
)
def test_ordinary_numbers_stay(text: str) -> None:
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Mình tên là Lan, mua hàng lần đầu.", "Mình tên là […], mua hàng lần đầu."),
        ("Tên mình là Nguyễn Thị Lan nha shop", "Tên mình là […] nha shop"),
        ("em ten la hoa, shop tu van giup em", "em ten la […], shop tu van giup em"),
        ("minh ten la nguyen thi lan nha", "minh ten la […] nha"),
        ("My name is John Smith and I ordered twice.", "My name is […] and I ordered twice."),
        ("Hi, I'm Minh from Da Nang.", "Hi, I'm […] from Da Nang."),
        ("Họ tên: Trần Văn Bình", "Họ tên: […]"),
        ("Trân trọng,\nNguyễn Văn An", "Trân trọng,\n[…]"),
        ("Kind regards,\nJohn Smith", "Kind regards,\n[…]"),
        (
            "Địa chỉ: 12 Lê Lợi, P. Bến Nghé, Q.1\nGiao giờ hành chính",
            "Địa chỉ: […]\nGiao giờ hành chính",
        ),
        ("Address: 5 Main Street, Springfield", "Address: […]"),
    ],
)
def test_names_and_addresses_are_masked(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Mình là khách quen của shop.",
        "Tên sản phẩm in sai chính tả.",
        "Mình muốn đổi địa chỉ nhận hàng.",
        "I am very happy with it.",
        "Trân trọng cảm ơn shop.",
        "Mong quý công ty sớm phản hồi. Trân trọng,",
    ],
)
def test_no_name_is_invented(text: str) -> None:
    assert mask_personal_data(text) == text


def test_demo_texts_keep_their_words() -> None:
    for book in (P.PAIN_VI, P.PAIN_EN, P.PRAISE_VI, P.PRAISE_EN):
        for texts in book.values():
            for text in texts:
                assert mask_personal_data(text) == text
                assert mask_personal_data(strip_diacritics(text)) == strip_diacritics(text)


# --- Masking: properties -------------------------------------------------------------------------

_MOBILE_CODES = ("32", "38", "86", "90", "91", "93", "96", "97", "98", "70", "79", "81", "56")


@st.composite
def vietnamese_phones(draw: st.DrawFn) -> tuple[str, str]:
    """A mobile number in one of the ways people write it, and its 9 national digits."""
    code = draw(st.sampled_from(_MOBILE_CODES))
    rest = draw(st.text("0123456789", min_size=7, max_size=7))
    d = code + rest
    forms = [
        f"0{d}", f"+84{d}", f"84{d}", f"84 {d[:3]} {d[3:6]} {d[6:]}",
        f"0{d[:2]}.{d[2:5]}.{d[5:]}", f"0{d[:3]} {d[3:6]} {d[6:]}", f"+84 {d[:3]} {d[3:6]} {d[6:]}",
        f"0{d[:2]}-{d[2:5]}-{d[5:]}", f"(+84) {d}",
    ]  # fmt: skip
    return draw(st.sampled_from(forms)), d


_WORDS = st.text(st.sampled_from("abcdeghiklmnoqrstuvxyàáảãạăâđêôơư .,!?:;-()\n"), max_size=30)


@given(vietnamese_phones(), _WORDS, _WORDS)
def test_a_phone_never_survives(phone: tuple[str, str], before: str, after: str) -> None:
    written, digits = phone
    masked = mask_personal_data(f"{before} {written} {after}")
    assert digits not in re.sub(r"\D", "", masked)
    assert not re.search(r"\d", masked), masked


@given(vietnamese_phones(), st.sampled_from(["1.00", "3", "45", "2024", "1.200.000", "12/5"]))
def test_a_number_before_a_phone_does_not_hide_it(phone: tuple[str, str], number: str) -> None:
    masked = mask_personal_data(f"Giá {number} {phone[0]}")
    assert masked == f"Giá {number} {PLACEHOLDER}"


# Letters that cannot spell an introduction, a sign-off or an address marker.
_PLAIN = st.text(st.sampled_from("abcxyzăđơư0123456789 .,-+()@_:\n"), max_size=80)


@given(_PLAIN)
def test_masking_never_lengthens_a_text(text: str) -> None:
    assert len(mask_personal_data(text)) <= len(text)


@given(st.text(st.sampled_from("abcxyzăđơư .,!?-\n"), max_size=80))
def test_a_text_without_personal_data_is_unchanged(text: str) -> None:
    assert mask_personal_data(text) == text


_MIXED = st.lists(
    st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            [
                "0912 345 678", "+84912345678", "lan@gmail.com", "tên mình là Lan",
                "My name is John", "Trân trọng,\nNguyễn An", "Địa chỉ: 12 Lê Lợi", "1.200.000đ",
                "45 ngày", "4111 1111 1111 1111", PLACEHOLDER, " ", "\n", "(", ")", "+", ".",
            ]
        ),
        vietnamese_phones().map(lambda p: p[0]),
    ),
    max_size=8,
).map("".join)  # fmt: skip


@settings(max_examples=300)
@given(_MIXED)
def test_masking_is_idempotent(text: str) -> None:
    once = mask_personal_data(text)
    assert mask_personal_data(once) == once


@given(st.text(max_size=60))
def test_masking_any_text_is_idempotent(text: str) -> None:
    once = mask_personal_data(text)
    assert mask_personal_data(once) == once


# --- Quotes --------------------------------------------------------------------------------------


def test_a_short_text_is_quoted_whole_and_masked() -> None:
    text = "Giao hàng quá chậm! Gọi 0912345678 không ai nghe."
    assert short_quote(text) == "Giao hàng quá chậm! Gọi […] không ai nghe."


def test_the_quote_starts_at_the_sentence_about_the_topic() -> None:
    text = (
        "Mình mua ở shop lâu rồi. Hàng đẹp, đóng gói kỹ. Nhưng lần này giao hàng quá chậm, "
        "đặt cả tuần mới nhận được. Mong shop cải thiện."
    )
    quote = short_quote(text, must_contain="slow_delivery", max_chars=80)
    assert quote == "… Nhưng lần này giao hàng quá chậm, đặt cả tuần mới nhận được. …"
    assert quote is not None and "slow_delivery" in topics_of(quote)


def test_without_the_topic_the_quote_starts_at_the_beginning() -> None:
    text = "Hàng đẹp. Đóng gói kỹ. Giao nhanh."
    assert short_quote(text, must_contain="warranty") == text


def test_a_phrase_can_be_asked_for_instead_of_a_topic() -> None:
    text = "Hàng đẹp. Nhân viên dễ thương. Giao nhanh."
    assert short_quote(text, must_contain="nhan vien") == "… Nhân viên dễ thương. Giao nhanh."


def test_lines_of_an_email_are_sentences_and_the_signature_goes() -> None:
    text = (
        "Kính gửi bộ phận chăm sóc khách hàng,\nVề đơn hàng O0001234: Hóa đơn sai mã số "
        "thuế, phải làm lại.\nMong quý công ty sớm phản hồi. Trân trọng,\nNguyễn Văn An"
    )
    quote = short_quote(text, must_contain="invoice", max_chars=70)
    assert quote == "… Về đơn hàng O0001234: Hóa đơn sai mã số thuế, phải làm lại. …"
    assert "Nguyễn" not in (short_quote(text, max_chars=500) or "")


def test_a_long_sentence_is_cut_at_a_word() -> None:
    text = "Shop giao hàng chậm " + "ơi là chậm " * 30
    quote = short_quote(text, max_chars=50)
    assert quote is not None and quote.endswith("…") and len(quote) <= 50
    assert quote[:-1] == quote[:-1].rstrip() and text.startswith(quote[:-1])


@given(st.text(max_size=400), st.integers(min_value=10, max_value=300))
def test_a_quote_is_never_longer_than_asked(text: str, max_chars: int) -> None:
    quote = short_quote(text, max_chars=max_chars)
    assert quote is None or 0 < len(quote) <= max_chars


@given(st.text(max_size=200))
def test_a_quote_shows_no_personal_data(text: str) -> None:
    quote = short_quote(f"Gọi {text} 0912 345 678 hoặc lan@gmail.com", max_chars=500)
    assert quote is not None
    assert "0912" not in quote and "@gmail" not in quote


@pytest.mark.parametrize("text", ["", "   ", "?!...", "\n\n", "0912345678", "— … —"])
def test_nothing_usable_gives_no_quote(text: str) -> None:
    assert short_quote(text) is None


def test_a_too_small_limit_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        short_quote("Giao chậm.", max_chars=3)
    assert caught.value.code == "voc.quote_too_short"
