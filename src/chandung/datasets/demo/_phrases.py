"""Sentences customers write: complaints and praise by topic, openers and closers, in vi and en.

Texts are assembled from these pieces, so the same pain point comes back in many wordings.
"""

from __future__ import annotations

# fmt: off
PAIN_VI: dict[str, tuple[str, ...]] = {
    "slow_delivery": (
        "Giao hàng quá chậm, đặt cả tuần mới nhận được.",
        "Đơn báo giao 2 ngày mà 6 ngày sau mới tới.",
        "Shipper giao trễ hẹn, gọi mãi không ai nghe máy.",
        "Hàng đi lòng vòng mấy kho, chờ mỏi mòn luôn.",
        "Mua để kịp dùng mà giao chậm quá, lỡ hết việc.",
        "Thời gian giao hàng lâu hơn nhiều so với cam kết.",
        "Lịch giao hàng không đúng hẹn, bên mình phải dời cả kế hoạch.",
    ),
    "fake_goods": (
        "Mình nghi hàng không chính hãng, mùi và màu khác hẳn hàng mua ở hãng.",
        "Tem chống hàng giả bị mờ, không quét được mã.",
        "Sợ nhất là mua phải hàng fake, lần này bao bì nhìn rất đáng ngờ.",
        "Dùng thấy khác lần trước, không biết có phải hàng thật không.",
        "Shop nên công khai giấy tờ nhập khẩu, mua đồ cho con mà không yên tâm.",
        "Hạn sử dụng in lem nhem, nhìn như hàng nhái.",
    ),
    "packaging": (
        "Đóng gói sơ sài, hộp bị móp méo hết.",
        "Chai bị rò rỉ vì không bọc chống sốc.",
        "Hộp quà bị trầy xước, không dám đem tặng.",
        "Đóng gói cẩu thả, sản phẩm bị vỡ một góc.",
        "Bao bì bẩn, nhìn như hàng bị trả lại.",
    ),
    "out_of_stock": (
        "Sản phẩm hay hết hàng, đợi mãi không thấy về.",
        "Đặt xong shop mới báo hết hàng rồi hủy đơn của mình.",
        "Loại sữa con mình uống hết hàng cả tháng nay.",
        "Size mình cần lúc nào cũng hết.",
        "App báo còn hàng nhưng ra cửa hàng thì không có.",
    ),
    "app_bugs": (
        "Ứng dụng hay bị lỗi khi thanh toán, phải đặt lại mấy lần.",
        "Mã giảm giá không áp dụng được dù đủ điều kiện.",
        "App load chậm, đang săn sale thì bị văng ra.",
        "Không đăng nhập được bằng số điện thoại.",
    ),
    "price_high": (
        "Giá cao hơn chỗ khác khá nhiều.",
        "Giá tăng liên tục, không còn rẻ như trước.",
        "So với ngoài chợ thì đắt quá.",
        "Cộng phí ship vào thì mắc hơn mua ở tiệm gần nhà.",
        "Khuyến mãi ít mà giá gốc thì cao.",
    ),
    "rude_staff": (
        "Nhân viên cửa hàng thái độ không nhiệt tình, hỏi gì cũng trả lời cộc lốc.",
        "Bạn thu ngân nói chuyện khó chịu.",
        "Nhân viên tư vấn thiếu chuyên nghiệp, không nắm thông tin sản phẩm.",
        "Vào cửa hàng mà không ai đón tiếp.",
    ),
    "customer_service": (
        "Nhắn tin cho chăm sóc khách hàng cả ngày không ai trả lời.",
        "Gọi tổng đài chờ rất lâu mới gặp được nhân viên.",
        "Khiếu nại mấy lần mà chưa được giải quyết.",
        "CSKH trả lời theo kịch bản, không giải quyết được vấn đề.",
    ),
    "hard_return": (
        "Đổi trả rất phức tạp, bắt gửi đủ thứ giấy tờ.",
        "Muốn đổi size mà phải tự trả phí ship hai chiều.",
        "Cửa hàng không nhận đổi dù mới mua hôm qua.",
        "Hoàn tiền chậm, gần một tháng chưa nhận được.",
    ),
    "warranty": (
        "Tai nghe hỏng sau hai tuần mà bảo hành rắc rối quá.",
        "Gửi bảo hành cả tháng chưa thấy trả.",
        "Shop từ chối bảo hành vì lý do không rõ ràng.",
        "Sạc dùng được vài hôm đã nóng rồi hỏng.",
    ),
    "invoice": (
        "Xuất hóa đơn VAT chậm, kế toán bên mình phải nhắc nhiều lần.",
        "Hóa đơn sai mã số thuế, phải làm lại.",
        "Hóa đơn điện tử gửi trễ so với ngày giao hàng.",
    ),
    "payment_terms": (
        "Thời hạn công nợ ngắn, doanh nghiệp nhỏ như bên mình khó xoay.",
        "Mong được gia hạn thanh toán 45 ngày thay vì 30 ngày.",
        "Điều khoản thanh toán thay đổi mà không báo trước.",
    ),
}
PRAISE_VI: dict[str, tuple[str, ...]] = {
    "many_promotions": (
        "Nhiều mã giảm giá, săn sale rất đã.", "Đợt sale này giá quá hời, mua được cả combo.",
        "Khuyến mãi liên tục, lần nào mua cũng có quà tặng kèm.", "Flash sale giá tốt, chốt liền.",
    ),
    "fast_delivery": (
        "Giao hàng nhanh, đặt hôm trước hôm sau đã nhận.", "Ship siêu tốc, đóng gói cẩn thận.",
        "Giao đúng hẹn, shipper thân thiện.", "Nhận hàng chỉ sau một ngày.",
    ),
    "genuine": (
        "Hàng chính hãng, có tem và hóa đơn đầy đủ.", "Check mã vạch chuẩn, rất yên tâm.",
        "Mua nhiều lần rồi, lúc nào cũng hàng thật.", "Hàng date mới, nguồn gốc rõ ràng.",
    ),
    "nice_packaging": (
        "Đóng gói xinh xắn, có cả thiệp cảm ơn.", "Hộp quà đẹp, tặng ai cũng thích.",
        "Gói hàng kỹ, bọc chống sốc ba lớp.",
    ),
    "good_price": (
        "Giá rẻ hơn ngoài tiệm, chất lượng ổn.", "Giá hợp lý, đáng đồng tiền.",
        "Mua combo tiết kiệm được khá nhiều.", "Giá mềm mà dùng tốt.",
    ),
    "good_service": (
        "Tư vấn nhiệt tình, trả lời nhanh.",
        "Chăm sóc khách hàng chu đáo, có vấn đề là xử lý ngay.",
        "Dịch vụ chuyên nghiệp, giao đúng lịch.",
    ),
    "good_quality": (
        "Chất lượng tuyệt vời, đúng như mô tả.", "Sản phẩm dùng rất thích, sẽ mua lại.",
        "Chất liệu tốt, hoàn thiện tỉ mỉ.", "Dùng lâu rồi vẫn bền.",
    ),
    "friendly_staff": (
        "Nhân viên dễ thương, hỗ trợ tận tình.", "Các bạn ở cửa hàng rất niềm nở.",
        "Được tư vấn kỹ, không bị ép mua.",
    ),
    "convenient": (
        "Cửa hàng gần nhà, mua tiện lắm.", "Đi chợ ghé mua luôn, rất tiện.",
        "Gọi điện là có người mang tới tận nhà.",
    ),
}
PAIN_EN: dict[str, tuple[str, ...]] = {
    "slow_delivery": ("Delivery took over a week.", "The parcel arrived much later than promised."),
    "fake_goods": ("I'm not sure this is genuine, the smell is different.",
                   "The anti-counterfeit sticker was missing."),
    "packaging": ("Poor packaging, the box was crushed.", "The bottle leaked in transit."),
    "out_of_stock": ("Always out of stock when I need it.",
                     "They cancelled my order because it was out of stock."),
    "app_bugs": ("The app kept crashing at checkout.", "The voucher code didn't work."),
    "price_high": ("Too expensive compared with other shops.", "Prices keep going up."),
    "rude_staff": ("Store staff were unfriendly.", "Nobody helped me in the store."),
    "customer_service": ("Customer service never replied.", "Waited ages on the hotline."),
    "hard_return": ("Returning an item is a hassle.", "The refund took almost a month."),
    "warranty": ("The warranty claim is taking forever.", "It broke after two weeks."),
    "invoice": ("The VAT invoice was late again.", "The invoice details were wrong."),
    "payment_terms": ("Payment terms are too short for us.", "We need 45-day payment terms."),
}
PRAISE_EN: dict[str, tuple[str, ...]] = {
    "many_promotions": ("Great deals during the sale.", "Lots of vouchers, love it."),
    "fast_delivery": ("Fast delivery, arrived the next day.", "Delivered on time."),
    "genuine": ("Genuine product with proper labels.", "Authentic, with an invoice."),
    "nice_packaging": ("Beautifully packed.", "Lovely gift box."),
    "good_price": ("Good value for money.", "Cheaper than elsewhere."),
    "good_service": ("Helpful customer service.", "Very professional service."),
    "good_quality": ("Excellent quality, as described.", "Great quality, will buy again."),
    "friendly_staff": ("Friendly and helpful staff.", "The staff were lovely."),
    "convenient": ("The store is very convenient.", "So easy to shop here."),
}
OPENERS: dict[str, tuple[str, ...]] = {
    "vi_pos": ("Rất hài lòng!", "Tuyệt vời.", "Mình rất thích.", "Ưng lắm nha.", "Quá ok.",
               "5 sao cho shop.", "Hàng về đúng mong đợi.", "Mua lần thứ ba rồi."),
    "vi_neg": ("Thất vọng.", "Không hài lòng lắm.", "Lần này tệ quá.", "Bực mình ghê.",
               "Chán thật sự.", "Mình không vui với đơn này.", "Thật sự thất vọng với shop."),
    "vi_neu": ("Tạm ổn.", "Cũng được.", "Bình thường.", "Không có gì đặc biệt."),
    "en_pos": ("Very happy!", "Love it.", "Great experience."),
    "en_neg": ("Disappointed.", "Not happy.", "Bad experience this time."),
    "en_neu": ("It's okay.", "Average.", "Fine overall."),
}
CLOSERS: dict[str, tuple[str, ...]] = {
    "vi_pos": ("Sẽ ủng hộ shop dài dài.", "Sẽ giới thiệu cho bạn bè.", "Cảm ơn shop nhiều!",
               "Lần sau sẽ quay lại.", "Recommend mọi người nha.", ""),
    "vi_neg": ("Chắc không mua lại nữa.", "Mong shop cải thiện.", "Không recommend.",
               "Shop xem lại giúp mình.", ""),
    "vi_neu": ("Sẽ cân nhắc lần sau.", "Mong shop làm tốt hơn.", ""),
    "en_pos": ("Will buy again.", "Highly recommend.", ""),
    "en_neg": ("Won't buy again.", "Please fix this.", ""),
    "en_neu": ("Might buy again.", ""),
}
#: Joins praise and a complaint in a mixed (3-star) text.
BUT: dict[str, tuple[str, ...]] = {
    "vi": ("Tuy nhiên", "Nhưng mà", "Có điều"), "en": ("However,", "But"),
}
CHAT_OPEN: dict[str, tuple[str, ...]] = {
    "vi": ("Shop ơi,", "Ad ơi cho mình hỏi,", "Chào shop,", "Alo shop,", "Em chào shop ạ,"),
    "en": ("Hi,", "Hello there,"),
}
CHAT_QUESTION: dict[str, tuple[str, ...]] = {
    "vi": ("đơn của mình bao giờ giao vậy ạ?", "sản phẩm này còn hàng không ạ?",
           "có mã giảm giá nào không shop?", "mình muốn đổi địa chỉ nhận hàng.",
           "sản phẩm này dùng cho da dầu được không?", "có xuất hóa đơn công ty được không ạ?"),
    "en": ("when will my order arrive?", "is this item in stock?", "do you ship to Da Nang?"),
}
CHAT_CLOSE: dict[str, tuple[str, ...]] = {
    "vi": ("Cảm ơn shop!", "Mong shop phản hồi sớm.", "Shop check giúp mình nhé.", ""),
    "en": ("Thanks!", "Please get back to me.", ""),
}
EMAIL_OPEN = {"vi": "Kính gửi bộ phận chăm sóc khách hàng,", "en": "Dear customer service,"}
EMAIL_ORDER = {"vi": "Về đơn hàng", "en": "Regarding order"}
EMAIL_CLOSE = {"vi": "Mong quý công ty sớm phản hồi. Trân trọng,", "en": "Kind regards,"}
PHONE_NOTE = {"vi": "Sđt của mình:", "en": "My number:"}
SOCIAL_OPEN: dict[str, tuple[str, ...]] = {
    "vi_pos": ("Review thật lòng:", "Góc chia sẻ:", "Mê shop này luôn:"),
    "vi_neg": ("Cảnh báo mọi người:", "Bóc phốt nhẹ:", "Review thật lòng:"),
    "en_pos": ("Honest review:", "Sharing a find:"),
    "en_neg": ("Heads up:", "Honest review:"),
}
HASHTAGS = ("#review #lamdep", "#mebimsua #review", "#congnghe #unbox", "#giadung #review",
            "#thoitrang #ootd", "#quatet", "#sansale #shopee", "")
INTERVIEW_OPEN = {"vi": "Ghi chú phỏng vấn: khách hàng cho biết", "en": "Interview note:"}
# fmt: on


def lower_first(sentence: str) -> str:
    """The sentence with its first letter in lower case, to follow a connector."""
    return sentence[:1].lower() + sentence[1:]
