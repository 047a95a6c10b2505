"""Topics customers complain about and praise, found with a keyword lexicon.

Why a lexicon and not a model
-----------------------------
Every persona statement built from customer texts must show its evidence: *which* texts were
counted as complaints about slow delivery, and why. A lexicon of regular expressions is
transparent (anyone can read why a text matched), auditable (a wrong match is fixed by editing
one line) and runs where the data lives: the same patterns are evaluated by Python's ``re`` on
one text and by the warehouse (DuckDB now, PostgreSQL and Spark later) over millions of rows,
with no text leaving the warehouse and no model to host.

How it works
------------
Texts are *folded* first: lower case, Vietnamese diacritics removed, ``đ`` → ``d``
(:func:`~chandung.segments._rule_lexer.fold_text` in Python,
:func:`~chandung.segments._rule_compile.fold_column` in the warehouse), so "Giao hàng chậm" and
"giao hang cham" read alike. A :class:`Topic` matches when one of its ``patterns`` is found and
none of its ``unless`` patterns is. ``unless`` is how simple negation is handled at the pattern
level: "hàng chính hãng" is praise (``genuine``) but "không phải hàng chính hãng" cancels that
praise and is itself a pattern of the ``fake_goods`` complaint. Pain and praise of the same
aspect are written so that they do not collide ("giao hàng nhanh" is never ``slow_delivery``).

Folding makes some words ambiguous (``dat`` is both *đắt*, dear, and *đặt*, to order; ``hong``
is *hỏng*, broken, and *hồng*, pink), so such words only count in the company of words that
settle their meaning ("quá đắt", "giá đắt", "bị hỏng").

The patterns use only what RE2 (DuckDB), POSIX ARE (PostgreSQL) and Java (Spark) share:
literals, ``|``, groups, character classes, ``?``, ``*``, ``+`` and bounded repeats. Word
edges are spelled out as ``(^|[^a-z0-9])`` and ``([^a-z0-9]|$)``; there is no ``\\b``, no
lookaround and no backreference. They are ASCII only, since they run on folded text.

Limits
------
A lexicon does not understand: it misses sarcasm ("giao nhanh ghê, có 2 tuần à"), unusual
wording and misspellings it has not seen, and it judges negation only where a pattern spells it
out. An ``unless`` pattern cancels its topic for the whole text, not just for its clause: in
"Giao nhanh, nhưng lần này không đúng hẹn" the praise for fast delivery is lost too. Counts
built on the lexicon are indicators to be read with the quotes that back them, not exact
measures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import ibis
import ibis.expr.types as ir

from ..errors import NotFoundError
from ..i18n import translate
from ..segments._rule_lexer import fold_text

TopicKind = Literal["pain", "praise"]

# --- Building blocks of the patterns ------------------------------------------------------------
# Patterns are written with a few named pieces, expanded once when the module loads:
#   <        start of a word            >        end of a word
#   {NEG}    a Vietnamese "not"         {NOT}    an English "not"
#   {ADV}    intensifiers and fillers between a subject and what is said of it (complaints)
#   {PADV}   the same for praise (without "hơi", "bị", which lean negative)
#   {EADV}   English intensifiers       {PEND}   punctuation or the end of the text
#   {W1}..{W4}  up to that many words in between
#   {HOI}    "hời" (a bargain), told from "hơi" (slightly) by what follows it

_PIECES: dict[str, str] = {
    "{NEG}": "(khong|ko|k|kh|khg|hok|hem|khum|hong|chang|cha|chua|deo|dek)",
    "{NOT}": (
        "(not|never|no|isn.?t|wasn.?t|aren.?t|weren.?t|don.?t|doesn.?t|didn.?t|won.?t"
        "|wouldn.?t|hardly|barely|cannot|can.?t|couldn.?t)"
    ),
    "{ADV}": (
        "((rat|qua|wa|qa|hoi|kha|cuc|cuc ky|cuc ki|sieu|that|that su|thiet|vo cung|lam|cung"
        "|van|luon|bi|hoi bi|toan|cu|lai|thi|la|moi|hay|dang|rat la|qua la|thuong|da) )*"
    ),
    "{PADV}": (
        "((rat|qua|wa|qa|kha|cuc|cuc ky|cuc ki|sieu|that|that su|thiet|vo cung|cung|van|luon"
        "|lai|thi|la|rat la|qua la|het suc|sieu sieu|rat rat|deu) )*"
    ),
    "{EADV}": (
        "((very|really|so|too|super|quite|extremely|pretty|that|particularly|always|ever|much"
        "|a bit|a little|rather|incredibly|highly|totally|completely|truly|all that) )*"
    ),
    "{HOI}": (
        "hoi(([^a-z0-9 ]|$)| (lam|ghe|nha|luon|vay|that|thiet|nhe|a|ha|so voi|hon|vl)"
        "([^a-z0-9]|$)| qua([^a-z0-9 ]|$))"
    ),
    "{PEND}": "([^a-z0-9 ]|$)",
    "{W1}": "( [a-z0-9]+)?",
    "{W2}": "( [a-z0-9]+){0,2}",
    "{W3}": "( [a-z0-9]+){0,3}",
    "{W4}": "( [a-z0-9]+){0,4}",
    "<": "(^|[^a-z0-9])",
    ">": "([^a-z0-9]|$)",
}


def _expand(pattern: str) -> str:
    for name, text in _PIECES.items():
        pattern = pattern.replace(name, text)
    return pattern


@dataclass(frozen=True)
class Topic:
    """One topic of the lexicon.

    ``patterns`` and ``unless`` are regular expressions over folded text; the topic is found
    in a text when any pattern matches and no ``unless`` pattern does. ``aspects`` name the
    topic's subject in a bare survey choice ("Bảo hành", "Giá"), where the question already
    says it is a complaint; they are used by :func:`topic_of_label` only.
    """

    key: str
    kind: TopicKind
    patterns: tuple[str, ...]
    unless: tuple[str, ...] = ()
    aspects: tuple[str, ...] = ()

    @property
    def pattern(self) -> str:
        """All patterns as one regular expression."""
        return _combine(self.patterns)

    @property
    def unless_pattern(self) -> str | None:
        """All ``unless`` patterns as one regular expression, or None when there are none."""
        return _combine(self.unless) if self.unless else None


def _combine(patterns: Sequence[str]) -> str:
    return "|".join(f"({p})" for p in patterns)


def _p(*patterns: str) -> tuple[str, ...]:
    return tuple(_expand(p) for p in patterns)


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# --- Shared pieces: the negated form of a praise is a pattern of the matching complaint ------

_NOT_GENUINE = _p(
    "<{NEG}( phai)?( la)?( hang| sp| san pham| do| my pham)? (chinh hang|hang that|hang xin"
    "|hang chuan|hang auth|auth|authentic|hang real)>",
    "<(co|phai) (phai )?(la )?(hang |do |sp )?(chinh hang|auth|authentic)"
    " (khong|ko|k|hong|khum|hem|ta|vay)>",
    "<phai (la )?(hang|do) (that|xin|chuan|auth) (khong|ko|k|hong|khum|hem|ta|vay)>",
    "<(nguon goc|xuat xu) {NEG} (ro|ro rang|minh bach)>",
    "<{NEG} (ro|ro rang|minh bach) (nguon goc|xuat xu)>",
    "<{NOT} {EADV}(genuine|authentic|original|real|legit)( product| item| goods)?>",
    "<(not sure|unsure|doubt|doubts|doubtful|wonder|wondering|suspect|suspicious|question)"
    "{W4} (genuine|authentic|original|real|legit)>",
)
_SLOW_NOT_FAST = _p(
    "<(giao|ship|van chuyen|gui)( hang| don)? {NEG}( duoc| he)? {PADV}(nhanh|le|som|kip"
    "|dung hen|toc hanh)>",
    "<{NEG}( duoc| he)? (giao|ship) (nhanh|le|som|kip)>",
    "<{NEG} (dung|kip) (hen|gio|lich|ngay|thoi gian|tien do|cam ket)>",
    "<(it khi|hiem khi) (giao |ship )?(nhanh|dung hen|dung gio)>",
    "<{NOT} ({EADV})?(delivered |arrive |arrived |arriving )?(on time|on schedule)>",
    "<{NOT} {EADV}(fast|quick|speedy|prompt)( delivery| shipping)?>",
)
_PRICE_NOT_GOOD = _p(
    "<{NEG}( con| he| duoc| phai| co)? (re|{HOI}|dang (dong )?tien|phai chang|tuong xung)>",
    "<re hon (mua )?(o day|o shop|ben nay|o cua hang nay|cua shop|o tiem nay)>",
    "<gia( ca)? {NEG}( con| duoc| he| phai)? (re|tot|hop ly|mem|phai chang|{HOI}|binh dan"
    "|ok|on|canh tranh)>",
    "<{NOT} {EADV}(cheap|cheaper|affordable|worth|good value|reasonable|reasonably priced)>",
    "<(no longer|not as) (cheap|affordable)>",
)
_STAFF_NOT_FRIENDLY = _p(
    "<({NEG}|thieu|kem|it|chang he|khong he)( duoc)? {PADV}(nhiet tinh|than thien|niem no"
    "|vui ve|lich su|de thuong|tan tinh|chu dao|de chiu|hoa dong|lich thiep|ton trong|tan tam)>",
    "<{NOT} {EADV}(friendly|helpful|polite|welcoming|kind|attentive|nice|courteous|cheerful"
    "|warm|knowledgeable|patient)>",
)
_NOT_WELL_PACKED = _p(
    "<{NEG}( duoc| he)? (boc|co boc|co|dong goi|goi hang|goi|chen|lot){W1} {PADV}(chong soc|xop"
    "|bong bong|ky|can than|chac chan)>",
    "<(dong goi|goi hang|boc) {NEG} {PADV}(ky|can than|chac chan|dep|xinh|cham chut)>",
    "<{NOT} {EADV}(well |properly |securely |carefully |nicely )?(packed|packaged|wrapped)>",
    "<(no|without) (bubble wrap|padding|protection|protective wrapping)>",
)
_NOT_AS_DESCRIBED = _p(
    "<{NEG} (duoc |he )?(dung|giong|nhu|khop|chuan)( nhu| voi)? (mo ta|hinh|anh|quang cao"
    "|review|don|don hang|hang da dat|mau da dat|size da dat|hinh anh|video|clip|livestream)>",
    "<khac( xa| hoan toan| han| hoan)?( so voi| voi)? (hinh|anh|mo ta|quang cao|hinh anh|video"
    "|review)>",
    "<not (as|what) (described|pictured|advertised|shown|i ordered|we ordered|i paid for)>",
    "<(different|not the same) (from|than) (the )?(picture|photo|photos|description|listing"
    "|ad|advert|one i ordered|what i ordered)>",
)
_NO_PROMOTIONS = _p(
    "<{NEG}( co| con| duoc| thay| he)? (khuyen mai|km|uu dai|voucher|ma giam gia|ma giam"
    "|qua tang|freeship|free ship|sale|deal|giam gia|mien phi ship|mien phi van chuyen)>",
    "<(khuyen mai|km|uu dai|voucher|ma giam gia|qua tang) {ADV}(it|hiem|khong co|ko co|chua co)>",
    "<it (khuyen mai|km|uu dai|voucher|ma giam gia|qua tang|deal|sale)>",
    "<(no|not many|few|fewer|hardly any|rarely any|never any|not any|barely any) (more )?"
    "(deals?|discounts?|vouchers?|promotions?|promos?|offers?|coupons?|sales?|free shipping"
    "|free delivery)>",
)
_SERVICE_NOT_GOOD = _p(
    "<{NEG}( duoc| ai| co ai| he| thay)? (tu van|tra loi|phan hoi|rep|ho tro|xu ly|giai quyet"
    "|phuc vu)>",
    "<(tu van|tra loi|phan hoi|rep|ho tro|xu ly|giai quyet|phuc vu|cham soc khach hang|cskh"
    "|dich vu|doi tra|hoan tien)( khach hang)? {NEG}( duoc| he)? {PADV}(nhiet tinh|tan tinh"
    "|chu dao|ky|nhanh|chuyen nghiep|tot|kip thoi|de dang|de)>",
    "<(thieu|kem) (nhiet tinh|chuyen nghiep|chu dao|tan tinh|trach nhiem)>",
    "<{NOT} {EADV}(helpful|professional|responsive|quick|fast|good|great|prompt)>",
)
_QUALITY_NOT_GOOD = _p(
    "<do ben {ADV}(kem|thap|te|khong cao|ko cao)>",
    "<{NEG}( con)? (ben|ben bi)>",
    "<{NOT} {EADV}(as described|as pictured|as advertised|well made|sturdy|durable"
    "|(good|great|high|top|premium|decent) quality|worth)>",
)
_NOT_CONVENIENT = _p(
    "<{NEG} {PADV}(tien|tien loi|thuan tien|de dang|gan)>",
    "<{NEG} (giao |ship |mang |dem )?(tan nha|tan noi|tan tay)>",
    "<{NOT} {EADV}(convenient|handy|easy|close|near)>",
)

# --- The lexicon -------------------------------------------------------------------------------

_LEXICON: tuple[Topic, ...] = (
    # ---- Pain points ------------------------------------------------------------------------
    Topic(
        "slow_delivery",
        "pain",
        _p(
            "<(giao|ship|van chuyen|chuyen phat|gui)( hang| don)? {ADV}(cham|tre|lau|rua"
            "|nhu rua|i ach)>",
            "<(cham|tre) giao( hang)?>",
            "<(tre|lo|sai|tho) hen>",
            "<([0-9]+|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|vai|may|ca|gan|hon|mat|nua)"
            " (ngay|tuan|thang)( sau| roi| troi)? (moi|van chua thay|chua thay) (nhan|toi|den"
            "|ve|giao|co)>",
            "<([0-9]+|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|vai|may|ca|gan|hon|mat|nua)"
            " (ngay|tuan|thang)( sau| roi| troi)? (van chua|chua) (nhan duoc |nhan |thay |co )?"
            "(hang|don|kien|buu kien)>",
            "<(cho|doi) (hang|don|ship|shipper|giao hang|hang ve) {ADV}(mai|lau|moi mon|dai co"
            "|ca tuan|ca thang)>",
            "<(cho|doi) moi mon>",
            "<(hang|don|kien|buu kien) (di |bi )?(long vong|that lac|di lac|bi lac)>",
            "<(van )?chua (nhan duoc|thay|nhan) (hang|don|kien)>",
            "<(late|slow|delayed|delay in|delays in) (delivery|deliveries|shipping|shipment"
            "|dispatch|parcel|package)>",
            "<(delivery|shipping|shipment|parcel|package|order)( [a-z]+)? (took|takes|taking"
            "|was|is|were|arrived|came|got here) {EADV}(ages|forever|so long|too long|late"
            "|later|slow|delayed|over|more than|almost|nearly|weeks|a week|a month)>",
            "<took( over| more than| almost| nearly| about)? (ages|forever|so long|too long|a week"
            "|weeks|a month|months|[a-z0-9]+ (weeks|days)) to (arrive|come|be delivered|get here"
            "|reach me|reach us|be shipped)>",
            "<(later|longer) than (promised|expected|stated|advertised|estimated|quoted)>",
            "<(hasn.?t|has not|haven.?t|have not|still not|not yet|never) (arrived|been delivered"
            "|come|shown up|turned up)>",
            "<(missed|past) the (delivery )?(date|deadline|window)>",
        )
        + _SLOW_NOT_FAST,
        aspects=_p("<(giao hang|van chuyen|ship|delivery|shipping)>"),
    ),
    Topic(
        "fake_goods",
        "pain",
        _p(
            "<(hang|sp|san pham|do|my pham|sua|thuoc|mua phai) (fake|fakes|nhai|dom|rep"
            "|replica|copy|super fake|sf)>",
            "<hang gia{PEND}",
            "<hang gia (a|ha|ak|ma|roi|r|day|do|nha|nhe|vay|z|luon|lun|het|hay|va|voi"
            "|hang nhai|mao|tran lan|100%|ne|kia|nua|chu|sao)>",
            "<(mua phai|nghi|so|lo|bi|phat hien|dinh|tron|lan|gap phai|tranh|nhan phai) hang gia>",
            "<(gia mao|nhai hang|nhai thuong hieu)>",
            "(^|[^a-z0-9-])(fakes?|counterfeits?|knock-?offs?|replicas?|bootlegs?|imitations?)>",
            "<cong khai (giay to|nguon goc|chung tu|hoa don)>",
            "<({NEG} co|thieu) (giay to|chung tu|nguon goc|tem chong gia|tem chinh hang)>",
            "<(tem|ma|ma vach|qr|tem chong hang gia){W4} (bi mo|mo nhoe|bi rach|bi boc|bi sai"
            "|khong khop|ko khop|k khop)>",
            "<{NEG}( the)? (quet|check|scan|kiem tra)( duoc| dc)? (ma|tem|qr|ma vach|barcode)>",
            "<(ma|ma vach|tem|qr){W2} {NEG} (quet|check|scan|kiem tra) (duoc|dc|ra)>",
            "<(quet|check|scan|kiem tra)( ma| ma vach| tem| qr| code)? {NEG} (ra|duoc|dc|thay)>",
            "<(han su dung|hsd|date|nsx|ngay san xuat){W2} (in )?(lem nhem|bi tay|bi sua|bi xoa"
            "|dan de|dan chong|bi dan)>",
            "<(sticker|seal|label|hologram|tag|stamp)s? (was |were |is |are )?(missing|broken"
            "|torn|tampered|damaged|peeled|gone|fake)>",
            "<no (anti-?counterfeit|security|authenticity|hologram) (sticker|seal|label|tag|code)>",
            "<worried about (fakes?|counterfeits?|knock-?offs?)>",
        )
        + _NOT_GENUINE,
        aspects=_p("<(hang gia|hang nhai|nguon goc|xuat xu|fakes?|counterfeits?|authenticity)>"),
    ),
    Topic(
        "packaging",
        "pain",
        _p(
            "<(dong goi|goi hang|bao bi|dong hang|boc hang) {ADV}(so sai|cau tha|au|kem|te|xau"
            "|ban|chan|qua loa|tham|mong|yeu|khong ky|ko ky|k ky|chua ky|khong can than"
            "|ko can than|k can than|chua can than|khong chac|ko chac|bat can|nhu ha|nhu hach)>",
            "<(hop|hop qua|hop giay|thung|vo hop|bao bi|kien hang|goi hang|chai|lo|tui)"
            "( hang)? (bi |da bi |hoi )?(mop|meo|mop meo|bep|bep dum|rach|vo|thung|ban|uot|am|tray"
            "|xuoc|tray xuoc|nut|mat seal|bung|ro ri|chay)>",
            "<(ro ri|mop meo|bep dum|bep het|vo nat|nat bet)>",
            "<(bi|da bi) (vo|be|nut|mop|meo|bep|mop meo)>",
            "<(chay|tran|do) (ra ngoai|het ra|lenh lang)>",
            "<(poor|bad|terrible|awful|cheap|sloppy|careless|flimsy|damaged|inadequate|shoddy)"
            " (packaging|packing|package|wrapping|box)>",
            "<(box|package|parcel|packaging|bottle|jar|seal|carton)s?{W2} (was |were |is |got "
            "|arrived )?(crushed|damaged|dented|torn|broken|leaked|leaking|leaky|smashed|wet"
            "|opened|squashed|ripped)>",
            "<(leaked|leaking|spilled|spilt) (in transit|everywhere|all over)>",
        )
        + _NOT_WELL_PACKED,
        aspects=_p("<(dong goi|bao bi|packaging|packing)>"),
    ),
    Topic(
        "out_of_stock",
        "pain",
        _p(
            "<het (hang|size|mau|sl|so luong|hang roi|sach hang)>",
            "<(luon|hay|toan|cu|thuong|thuong xuyen|lien tuc|suot ngay|luc nao cung|lan nao cung"
            "|khi nao cung) het>",
            "<{NEG} (con|co|du|con du) (hang|size|mau|sp|san pham)((( (nua|roi|r|de|san|luon|ma"
            "|nen|a|ha|dau|trong|ban|giao|thi|vay|z|nhe|nha|ca|o|tai|cho|va|lun|ke|khi))+>)"
            "|{PEND})",
            "<(bao|ghi|hien) (con|co) hang( [a-z0-9]+){0,8} (khong co|ko co|k co|het|khong con"
            "|ko con|chua co)>",
            "<chay (hang|size|mau)>",
            "<(doi|cho) {ADV}(mai|hoai|lau){W2} (khong|ko|k|chua) (thay )?(ve|co hang|nhap"
            "|co lai)>",
            "<(out of stock|out-of-stock|sold out|unavailable|no stock|not in stock"
            "|never in stock|ran out|run out|runs out|back ?order|backordered|restock"
            "|no longer available|not available)>",
        ),
        aspects=_p("<(het hang|ton kho|con hang|stock|availability)>"),
    ),
    Topic(
        "app_bugs",
        "pain",
        _p(
            "<(app|ung dung|web|website|he thong|phan mem)( shop| cua shop| ban hang| mua sam)?"
            " ((hay|bi|toan|cu|bao|gap|dang|thuong|lien tuc|lai|rat|qua|hoi|kha|cuc|sieu"
            "|may lan) )*(loi|bug|lag|treo|vang|crash|sap|do|giat|dung hinh|tu thoat)>",
            "<(app|ung dung|web|website)( load| tai| chay)? {ADV}(cham|rua)>",
            "<(loi|bug) (app|ung dung|thanh toan|dang nhap|he thong|ket noi|web|website|server"
            "|otp|khi thanh toan|khi dat|khi dang nhap)>",
            "<(bi )?(vang|thoat|van) ra( ngoai)?>",
            "<{NEG}( the| duoc| dc)? (dang nhap|login|log in|dang ky|vao app|vao web|checkout"
            "|check out|nhan otp|nhan ma otp|cap nhat|update|mo app|tai app|load){W3} (duoc|dc"
            "|nua)>",
            "<{NEG}( the| duoc| dc)? (thanh toan|dat hang)( duoc| dc)? (qua|bang|tren|trong|voi)"
            " (app|ung dung|vi|the|momo|zalopay|vnpay|web|website|shopeepay|paypal|visa|card"
            "|ngan hang)>",
            "<(ma giam gia|ma giam|ma khuyen mai|ma km|ma freeship|ma free ship|ma voucher"
            "|voucher|code|coupon|ma uu dai){W3} {NEG}( the| duoc| dc)? (ap dung|ap|dung|su dung"
            "|xai|nhap|add|apply|an)>",
            "<(app|website|site|checkout|page|platform){W4} (crash|crashed|crashes|crashing"
            "|froze|freezes|frozen|freezing|buggy|glitch|glitchy|lag|laggy|lags|error|errors"
            "|hangs|broken|keeps crashing|kept crashing|is down|was down|slow)>",
            "<(crashed|crashes|crashing|glitch|glitches|glitchy|buggy|error message|error code)>",
            "<(voucher|code|coupon|promo code|discount code|promo)s?{W2} (didn.?t|doesn.?t"
            "|does not|did not|won.?t|wouldn.?t|would not|will not|never) (work|apply)>",
            "<(can.?t|cannot|couldn.?t|could not|unable to) (log ?in|sign ?in|login|pay"
            "|check ?out|checkout|place (an |the |my )?order|open the app)>",
        ),
        aspects=_p("<(ung dung|app|website|web|trang web|the app)>"),
    ),
    Topic(
        "price_high",
        "pain",
        _p(
            "<gia( ca| goc| ban| niem yet| san pham| sp| o day| ben nay| shop| hien tai| moi)?"
            "( (thi|la|van|lai|cung|hoi|qua|rat|kha|bi|hoi bi|that|that su|cuc|sieu|qua la|wa"
            "|qa|con))* (cao|dat|mac|cat co|tren troi|tren may)>",
            "<gia {ADV}chat( (qua|vay|ghe|the|lam|vl))?{PEND}",
            "<(qua|rat|hoi|kha|that|cuc|sieu|qua la|wa|qa|hoi bi) (dat|mac)>",
            "<bi dat>",
            "<(dat|mac) (qua|wa|qa|the|vay|ghe|lam|z|thiet|qua troi|vay troi)( (troi|ha|a|di"
            "|nha|luon|lun|vay|ghe|the|ma|roi|nhi|vl))*{PEND}",
            "<(dat|mac) (xat|vl|vcl|kinh|khung|kinh khung|cat co|hon so voi|so voi|hon cho"
            "|hon ngoai|hon tiem|hon o|hon mua|hon ben|hon han|hon nhieu|gap doi|gap ruoi|hon ca"
            "|do)>",
            "<tang gia( (lien tuc|qua|nhieu|hoai|roi|nua|chong mat|vun vut|manh|lien|suot"
            "|tum lum))*{PEND}",
            "<tang gia (lien tuc|qua|nhieu|hoai|chong mat|vun vut|manh|suot)>",
            "<len gia>",
            "<gia( ca)? (cu |lai |lien tuc |moi thang |cu the )?(tang|len) (lien tuc|qua|nhieu"
            "|hoai|roi|nua|chong mat|vun vut|mai|manh)>",
            "<(chat chem|chem gia|hut mau|co cat|gia tren troi|gia tren may)>",
            "<(khuyen mai|km|sale|giam gia) ao>",
            "<(day|nang|keo|thoi) gia( goc)? len>",
            "<gia goc (bi )?(day|nang|thoi) len>",
            "<{NEG} (tuong xung|xung dang|dang) (voi )?(gia|gia tien|so tien|dong tien|tien)>",
            "<re hon (mua )?(o day|o shop|ben nay|o cua hang nay|cua shop|o tiem nay)>",
            "<(overpriced|pricey|pricy|expensive|costly|rip-?off|ripoff|price gouging)>",
            "<(price|prices|pricing|cost|costs){W2} (too high|high|higher|rising|rose|risen"
            "|went up|gone up|going up|increase|increased|increasing|hike|hiked|doubled"
            "|jumped)>",
            "<(more expensive|pricier|costs more|charged more|paid more) than>",
        )
        + _PRICE_NOT_GOOD,
        unless=_p(
            "<{NOT} {EADV}(expensive|pricey|overpriced|costly)>",
            "<less expensive>",
        ),
        aspects=_p("<(gia|gia ca|gia ban|price|prices|pricing)>"),
    ),
    Topic(
        "rude_staff",
        "pain",
        _p(
            "<thai do{W3} {ADV}(te|kem|lo la|khinh|khinh khinh|hach dich|hach|coc|coc can"
            "|coc loc|kho chiu|chan|xau|bo lao|mat day|vo le|lac|gat|quat|chui|khong tot|ko tot"
            "|k tot|chua tot|khong nhiet tinh|ko nhiet tinh|k nhiet tinh|thieu nhiet tinh"
            "|khong than thien|thieu ton trong|kho coi|bat lich su|kho ua|kho gan)>",
            "<(nhan vien|nv|thu ngan|ban hang|tu van vien|tu van|bao ve|quan ly|chu shop"
            "|chu cua hang|shipper|nguoi ban|admin){W3} {ADV}(kho chiu|kho nghe|kho gan|kho ua"
            "|lanh nhat|kem nhiet tinh|chua nhiet tinh|kem chuyen nghiep|khinh|lam mat|tho lo"
            "|gat gong|kho tinh)>",
            "<(coc can|coc loc|hach dich|khinh khinh|khinh thuong|khinh khach|vo le|mat day"
            "|thieu chuyen nghiep|khong chuyen nghiep|ko chuyen nghiep|thieu ton trong"
            "|khong ton trong|bat lich su|cau gat|gat gong|thieu le phep|vo van hoa|bo lao"
            "|an noi kho nghe|noi chuyen kho nghe|noi chuyen kho chiu|noi chuyen coc"
            "|mat nang may nhe|nhin khinh|quat khach|chui khach|lam ngo)>",
            "<noi chuyen{W2} {ADV}(kho chiu|kho nghe|coc|coc can|coc loc|trong khong)>",
            "<bi{W2} (quat|chui|mang|xua duoi|lam mat|coi thuong|khinh|phan biet doi xu|to tieng)>",
            "<(khong|ko|k|chang|cha) (ai|co ai|nguoi nao|nhan vien nao|ai ra) (don tiep|tiep"
            "|chao|ho tro|giup|tu van|de y|quan tam|hoi han|hoi|ra don|ngo ngang|phuc vu)>",
            "<(nhan vien|nv|tu van vien|ban hang){W2} (khong|ko|k|chua) (nam|biet|hieu|ro)"
            " {ADV}(thong tin|san pham|sp|gi)>",
            "<(rude|unfriendly|impolite|unhelpful|arrogant|dismissive|condescending"
            "|disrespectful|unprofessional|snobby|snotty|grumpy|hostile|bad attitude"
            "|poor attitude|attitude problem)>",
            "<(nobody|no one|noone|none of the staff) {EADV}(helped|greeted|served|came"
            "|assisted|bothered|cared|acknowledged|paid attention|offered)>",
            "<(staff|employees|cashier|seller|assistant|assistants|salesperson|shop assistant"
            "|team){W3} (ignored|shouted|yelled|laughed|were rude|was rude|didn.?t care"
            "|did not care|couldn.?t care)>",
        )
        + _STAFF_NOT_FRIENDLY,
        aspects=_p("<(nhan vien|thai do|thai do nhan vien|staff|attitude)>"),
    ),
    Topic(
        "customer_service",
        "pain",
        _p(
            "<(cham soc khach hang|cskh|tong dai|hotline|ho tro khach hang|bo phan ho tro"
            "|bo phan cskh|tong dai vien|call center|khieu nai|fanpage){W4} {ADV}(cham|lau"
            "|kem|te|te hai|qua loa|vo trach nhiem|thieu trach nhiem|khong tra loi|ko tra loi"
            "|k tra loi|khong phan hoi|ko phan hoi|k phan hoi|chua phan hoi|chua tra loi"
            "|khong rep|ko rep|k rep|khong giai quyet|ko giai quyet|chua giai quyet"
            "|khong ho tro|ko ho tro|chua ho tro|bo mac|phot lo|seen|im lang|mat tich"
            "|kho lien lac|ban|khong nghe may|ko nghe may|khong bat may|ko bat may|mai"
            "|hoai|nhieu lan|may lan|bao lan)>",
            "<{NEG}( ai| co ai| duoc| thay| dc| he)? (tra loi|phan hoi|rep|hoi am|giai quyet"
            "|xu ly|nghe may|bat may|lien he duoc|lien lac duoc|goi lai|ho tro)>",
            "<(tra loi|phan hoi|rep|rep tin|rep inbox|hoi am|xu ly|giai quyet|ho tro|tiep nhan)"
            "( tin nhan| tin| inbox| mail| email| cuoc goi| khieu nai)? {ADV}(cham|lau|tre|rua"
            "|nhu rua|qua loa|cho co|vong vo|theo kich ban|rap khuon"
            "|may moc|kieu may|loang quang|nhat giong)>",
            "<(customer service|customer support|customer care|support team|support|helpline"
            "|hotline|call cent(er|re)|live chat|agent|agents){W4} (never|didn.?t|did not"
            "|doesn.?t|does not|won.?t|wouldn.?t|couldn.?t|could not|slow|useless|unhelpful"
            "|terrible|awful|bad|poor|horrible|ignored|ignores|ignoring|no reply|no response"
            "|no answer|kept me waiting|hung up|rude)>",
            "<(never|didn.?t|did not|haven.?t|hasn.?t|still no|no one|nobody|noone){W2}"
            " (replied|reply|responded|respond|response|answered|answer|got back|get back"
            "|called back|call back|picked up|pick up)>",
            "<no (reply|response|answer|callback|call back)>",
            "<(wait|waited|waiting|hold|held){W3} (on the |on |for the )?(hotline|helpline"
            "|phone|line|call centre|call center)>",
            "<on hold>",
            "<(slow|poor|bad|terrible|awful|useless|unhelpful) (customer )?(service|support"
            "|response|responses|reply|replies|after-sales)>",
        ),
        aspects=_p(
            "<(cham soc khach hang|cskh|tong dai|hotline|ho tro khach hang|customer service"
            "|customer support|support)>"
        ),
    ),
    Topic(
        "hard_return",
        "pain",
        _p(
            "<(doi tra|tra hang|hoan hang|hoan tien|tien hoan|tra lai hang|doi size|hoan tra"
            "|refund|return)( [a-z0-9]+){0,3} {ADV}(phuc tap|kho|kho khan|lau|rac roi"
            "|lang nhang|mat thoi gian|cham|phien|phien phuc|met|nhieu thu tuc|ruom ra|cuc"
            "|vat va|khong duoc|ko duoc|k duoc|chua duoc|bi tu choi|tu choi|mai|hoai|chua thay"
            "|chua nhan|chua nhan duoc|chua ve|nhieu buoc|lam kho|bi lam kho)>",
            "<{NEG} (cho |nhan |chiu |duoc |dc |ho tro |giai quyet |chap nhan |dong y )+(doi"
            "|tra|hoan|doi tra|hoan tien|hoan hang|tra hang|tra lai)(( (tra|hang|lai|tien|size"
            "|mau|san pham|sp|du|vi|mac du|cho|gi|nhe|a|ha|nua))+>|{PEND})",
            "<{NEG}( duoc| dc)? (hoan tien|hoan hang|doi tra|tra hang|tien hoan)>",
            "<(cho|doi) (shop )?(hoan tien|tien hoan|refund)>",
            "<tu (tra|chiu|bo tien|mat) (phi|tien) (ship|van chuyen|gui|chuyen|gui tra)>",
            "<(phi ship|ship|phi van chuyen|phi) (2|hai) chieu>",
            "<(return|returns|returning|refund|refunds|exchange|exchanges|exchanging){W4}"
            " (hassle|nightmare|difficult|hard|complicated|painful|slow|took|takes|taking"
            "|refused|rejected|denied|impossible|pain|forever|ages|still|never|not processed)>",
            "<(no|still no|never got|never received|still waiting for|waiting for)"
            " (my |a |the )?(refund|money back)>",
            "<(refused|refuse|refuses|wouldn.?t|would not|won.?t|will not|didn.?t|did not)"
            " (to )?(accept|take|allow|give|issue|process){W2} (return|returns|refund"
            "|exchange)>",
            "<(refused|refuse|refuses|wouldn.?t|would not|won.?t|will not|didn.?t|did not)"
            " (to )?(refund|exchange|take (it |them )?back)>",
            "<(can.?t|cannot|couldn.?t|could not|unable to) (return|exchange|get a refund"
            "|get my money back)>",
        ),
        aspects=_p(
            "<(doi tra|hoan tien|tra hang|doi hang|returns?|refunds?|exchanges?|return policy)>"
        ),
    ),
    Topic(
        "warranty",
        "pain",
        _p(
            "<bao hanh{W4} {ADV}(rac roi|phuc tap|kho|kho khan|lau|cham|mai|hoai|lang nhang"
            "|phien|phien phuc|te|kem|nhieu thu tuc|lam kho|khong duoc|ko duoc|k duoc|chua duoc"
            "|chua xong|chua thay|chua tra|chua nhan|bi tu choi|tu choi|khong nhan|ko nhan"
            "|khong chiu|ko chiu|vo ly)>",
            "<(tu choi|khong nhan|ko nhan|khong chiu|ko chiu|khong cho|ko cho|khong duoc"
            "|ko duoc|k duoc|khong ho tro|ko ho tro|chua duoc) bao hanh>",
            "<(gui|mang|dem|ship|chuyen|de) (di |lai |ra |toi |den )?(bao hanh|sua chua)>",
            "<(bi|da bi|lai bi|roi|thi|nhanh|de) (hong|hu|hu hong|liet|chet|ngum)>",
            "<mau (hu|hu hong|hong hoc)>",
            "<(hong|hu|hu hong|liet|chet|ngum) (sau|chi sau|ngay sau|sau co|moi|khi moi|mat)"
            "( [a-z0-9]+){0,2} (ngay|tuan|thang|hom|lan|dung|xai|mua)>",
            "<{NEG} (con )?(len nguon|hoat dong|sac vao|nhan sac|vao dien)>",
            "<(warranty|guarantee){W4} (forever|slow|refused|rejected|denied|hassle|nightmare"
            "|complicated|difficult|took|taking|takes|still|never|void|useless|not honou?red"
            "|wasn.?t honou?red|wouldn.?t|won.?t|ages|weeks|months)>",
            "<(broke|broken|died|stopped working|stop working|quit working|faulty|defective"
            "|malfunctioned|malfunctioning|doesn.?t work|does not work|won.?t turn on"
            "|won.?t charge){W2} (after|within|in less than|in under)>",
            "<(stopped working|faulty|defective|dead on arrival)>",
            "<(refused|denied|rejected|wouldn.?t honou?r|won.?t honou?r|didn.?t honou?r)"
            " (the |my )?(warranty|guarantee)>",
        ),
        aspects=_p("<(bao hanh|sua chua|warranty|guarantee|repairs?)>"),
    ),
    Topic(
        "invoice",
        "pain",
        _p(
            "<(hoa don|hoa don vat|hoa don do|hoa don gtgt|hoa don dien tu|hddt|chung tu){W4}"
            " {ADV}(cham|tre|lau|sai|nham|thieu|bi loi|bi sai|chua co|chua nhan|chua gui"
            "|chua xuat|khong co|ko co|k co|khong xuat|ko xuat|mai|hoai|khong dung|ko dung"
            "|lam lai|lam sai|sai sot|sai thong tin|chua duoc|khong duoc|ko duoc)>",
            "<(xuat|lay|gui|cap|lam|ra)( hoa don| vat| hoa don vat| hoa don do| hddt"
            "| hoa don gtgt){W3} {ADV}(cham|tre|lau|sai|nham|mai|hoai|khong duoc|ko duoc"
            "|chua duoc|kho|phuc tap|rac roi)>",
            "<{NEG}( duoc| dc| chiu| co| ho tro| nhan duoc)? (xuat|gui|cap|dua|co)( hoa don"
            "| vat| hddt)>",
            "<(ma so thue|mst|ten cong ty|dia chi cong ty|thong tin xuat){W2} (sai|nham|bi sai"
            "|khong dung|ko dung)>",
            "<(thieu|chua co|chua nhan|chua nhan duoc|van chua co) (hoa don|vat|chung tu)>",
            "<(invoice|invoices|vat invoice|e-invoice|receipt|tax invoice|billing){W3} (late"
            "|wrong|incorrect|missing|delayed|error|errors|mistake|mistakes|never|slow"
            "|not received|not sent|not issued|still not|still missing|inaccurate)>",
            "<(no|missing|without a|without an|without|never got an?|never received an?"
            "|still waiting for the|waiting for the) (vat |tax |proper |e-)?(invoice|invoices)>",
        ),
        aspects=_p("<(hoa don|hoa don vat|xuat hoa don|vat|invoices?|invoicing|billing)>"),
    ),
    Topic(
        "payment_terms",
        "pain",
        _p(
            "<(cong no|han cong no|thoi han cong no|thoi han thanh toan|han thanh toan"
            "|ky han thanh toan|dieu khoan thanh toan|dieu kien thanh toan|chinh sach cong no"
            "|han muc cong no|han muc tin dung|chinh sach thanh toan){W4} {ADV}(ngan|gap|it"
            "|cang|chat|chat che|kho|kho khan|khat khe|bat loi|thay doi|doi|khong|ko|k|chua"
            "|cung nhac|ngat|nang|thap|bat hop ly|thiet|ep)>",
            "<(gia han|keo dai|tang|noi|nang|xin|can them|them) (han |thoi han |ky han )?"
            "(thanh toan|cong no|han muc)>",
            "<[0-9]+ ngay thay vi [0-9]+>",
            "<(payment terms|credit terms|payment term|credit limit|payment deadline"
            "|payment window|credit period){W3} (short|tight|strict|harsh|changed|unfair|too"
            "|inflexible|rigid|low|not suitable|unsuitable|restrictive)>",
            "<(need|needs|want|wants|ask for|asked for|longer|extend|extended|extension|better"
            "|more flexible|flexible)( [a-z0-9-]+){0,2} (payment terms|credit terms"
            "|payment term|credit limit)>",
            "<net ?(30|45|60|90)>",
        ),
        aspects=_p(
            "<(cong no|dieu khoan thanh toan|thoi han thanh toan|han thanh toan|payment terms"
            "|credit terms)>"
        ),
    ),
    Topic(
        "poor_quality",
        "pain",
        _p(
            "<kem chat luong>",
            "<(chat luong|cl|chat lieu){W1} {ADV}(kem|te|toi|thap|do|xau|chan|khong tot|ko tot"
            "|k tot|chua tot|khong on|ko on|khong nhu|ko nhu|khong giong|giam|di xuong|tut"
            "|te hai|bet)>",
            "<(san pham|sp|hang|do|mon nay|cai nay) {ADV}(kem chat luong|te|dom|xau|chan"
            "|re tien|lom|do te|khong ra gi|ko ra gi)>",
            "<vai {ADV}(mong|xau|nong|bai|thu|te|kem|nhu giay|xo)>",
            "<(phai mau|ra mau|bay mau|bong troc|troc son|xu long|bung chi|tuot chi|soc chi"
            "|bi moc|nam moc|bi thiu|bi chua|ri set|bi ri|gian no|co rut|bi co|bi rach)>",
            "<(het han su dung|qua han su dung|hang het han|sp het han|san pham het han"
            "|bi het han|can date|qua date|date cu|hsd (gan|ngan|sap het|con it))>",
            "<{NEG}( thay| co)? (hieu qua|tac dung|an thua)>",
            "<(da|dung|xai|boi|thoa|roi|thi|lai|nen|ma|cung|moi|lam|gay|hay|minh|em|be|con|xong"
            "|mat|tay|mieng|no|sp) (bi )?(kich ung|di ung|noi mun|noi man)>",
            "(^|[.,!?;:] ?)(bi |da bi )(kich ung|di ung|noi mun|noi man)>",
            "<(lam|khien) (da|mat|toc|moi|tay)( minh| em| toi| be| con)? ((bi|hoi|rat|qua) )*(kho"
            "|kich ung|noi mun|ngua|bong troc|chay xe|rung|xot)>",
            "<chat luong {NEG} (tuong xung|xung dang|dang)>",
            "<do ben {ADV}(kem|thap|te|khong cao|ko cao)>",
            "<(poor|bad|low|cheap|terrible|awful|horrible|shoddy|inferior|questionable"
            "|disappointing) (quality|build|material|materials|fabric|craftsmanship"
            "|workmanship)>",
            "<(cheaply made|badly made|poorly made|flimsy|fell apart|falls apart|falling apart"
            "|came apart|ripped|tore|faded|fading|peeling|peeled|expired|out of date|rusty"
            "|rusted|moldy|mouldy|stale|shrank|shrunk|pilling|smells bad|bad smell|rash"
            "|broke out|does nothing|did nothing|no effect|rubbish|junk|garbage"
            "|waste of money)>",
            "<quality{W2} (is|was|has) {EADV}(poor|bad|low|terrible|awful|disappointing|worse"
            "|declined|gone down|dropped)>",
        ),
        aspects=_p("<(chat luong|chat luong san pham|chat lieu|quality|product quality)>"),
    ),
    Topic(
        "wrong_item",
        "pain",
        _p(
            "<(giao|gui|ship|dong goi|dua|lay|soan)( hang)? {ADV}(nham|sai|thieu|lon|nham lan)>",
            "<(nham|sai|thieu|lon|khac) (hang|mau|size|san pham|sp|mau ma|mau sac|so luong|don"
            "|phan loai|loai|model|kich thuoc|item)>",
            "<(thieu|mat|giao thieu|gui thieu) (mat )?(mot |1 |2 |hai |vai |may )?(mon"
            "|mon hang|san pham|sp|phu kien|qua tang|linh kien|chiec|hop|goi)>",
            "<(hang|don|hop|kien|goi|thung)( [a-z]+){0,2} bi thieu>",
            "<(wrong|incorrect|different) (item|items|size|colou?r|product|order|model|variant"
            "|parcel|package|one|thing|version)>",
            "<(missing|forgot|forgotten|left out){W1} (item|items|part|parts|piece|pieces"
            "|accessory|accessories|gift)>",
            "<(sent|shipped|delivered|gave) (me |us )?(the )?wrong>",
            "<(item|items|part|parts|piece|pieces|accessory|accessories|gift)( was| were| is"
            "| are)? missing>",
        )
        + _NOT_AS_DESCRIBED,
        aspects=_p("<(giao sai|giao nham|giao thieu|wrong items?|missing items?)>"),
    ),
    Topic(
        "size_fit",
        "pain",
        _p(
            "<(mac|deo|di|xo|thu|mang|khoac)( vao)? {ADV}(chat|rong|bo sat|chat cung|chat ninh"
            "|lung thung|rong thung|thung thinh|ngan|cut|com|kich|kho chiu|khong vua|ko vua"
            "|k vua|chua vua|khong lot|ko lot|k lot|bi vuong)>",
            "<(form|size|kich co|kich thuoc) ((hoi|qua|rat|kha|bi|hoi bi|wa|qa|cuc|sieu|that) )+"
            "(nho|lon|to|rong|chat|ngan|dai|be)>",
            "<form (nho|rong|to|chat|be)>",
            "<(form|size|kich co) (lech|sai|khong chuan|ko chuan|k chuan|khong dung|ko dung"
            "|bi lech|nho hon|lon hon|to hon|rong hon|chat hon|be hon)>",
            "<(ao|giay|quan ao|dep le|giay dep|that lung|mu|vong|nhan) ((hoi|qua|rat|kha|bi"
            "|hoi bi|wa|qa|cuc|sieu|that) )+(nho|rong|chat|ngan|dai|to|be|lon|cut|com)>",
            "<{NEG} (mac |di |deo |cai )?vua( van| size| chan| nguoi| voi)?{PEND}",
            "<{NEG} (mac |di |deo |cai )?vua (size|chan|nguoi|voi|lam|nen|ma|phai|nhung|luon|nua)>",
            "<{NEG} (dung|chuan|vua) (size|form|co)>",
            "<(chat|rong|nho|to|ngan|dai|lon|be) (hon|qua|wa) (so voi |voi )?(size|bang size"
            "|form|mo ta|binh thuong|thuong le|size chuan|size thuong)>",
            "<(too|a bit|bit|slightly|way too|very|really|rather|quite|a little) (small|big"
            "|tight|loose|large|narrow|wide|baggy|snug)>",
            "<({NOT}|doesn.?t|didn.?t|won.?t) (fit|fits)>",
            "<(runs|run|ran|fits|fit|sizing) {EADV}(small|large|big|tight|loose|off)>",
            "<sizing {EADV}(is |was )?{EADV}(off|wrong|weird|inconsistent|strange|inaccurate)>",
            "<(size chart|size guide){W2} (wrong|inaccurate|off|misleading|useless)>",
        ),
        aspects=_p("<(size|kich co|kich thuoc|form|fit|sizing)>"),
    ),
    Topic(
        "shipping_fee",
        "pain",
        _p(
            "<(phi|tien|gia|cuoc) (ship|van chuyen|giao hang|giao|vc|sip|chuyen phat){W3}"
            " {ADV}(cao|chat|vo ly|nang|tren troi|gap doi|hon ca|bang ca|hon tien hang"
            "|hon gia|qua troi)>",
            "<(phi|tien|gia|cuoc) (ship|van chuyen|giao hang|giao|vc|sip|chuyen phat){W3}"
            " ((qua|rat|hoi|kha|that|cuc|sieu|wa|qa|thi|la|lai|bi|hoi bi) )+(dat|mac)>",
            "<(phi|tien|gia|cuoc) (ship|van chuyen|giao hang|giao) (dat|mac) (qua|the|vay|ghe"
            "|lam|vl|xat|hon)>",
            "<(phi|tien|gia|cuoc) (ship|van chuyen|giao hang) tang (lien tuc|qua|nhieu|manh|gap)>",
            "<(khong|ko|k|chua|het|bo|cat) (con )?(free ?ship|freeship|mien phi (ship"
            "|van chuyen|giao hang)|ho tro (phi )?ship)>",
            "<(ship|van chuyen) ((qua|rat|hoi|kha|that|cuc|sieu|wa|qa|hoi bi|bi) )+(dat|mac)>",
            "<(shipping|delivery|postage|freight)( fee| fees| cost| costs| charge| charges"
            "| price)?{W2} {EADV}(expensive|high|steep|ridiculous|crazy|outrageous|insane"
            "|more than the|pricey|overpriced|a rip-?off|too much)>",
            "<(expensive|high|steep|ridiculous|crazy|outrageous|insane|hefty) (shipping"
            "|delivery|postage)( fee| fees| cost| costs| charge| charges)?>",
            "<(no (more )?free shipping|free shipping (is )?(gone|removed|ended))>",
        ),
        aspects=_p(
            "<(phi ship|phi van chuyen|phi giao hang|tien ship|shipping fees?|shipping costs?"
            "|delivery fees?|delivery charges?)>"
        ),
    ),
    # ---- Praise -----------------------------------------------------------------------------
    Topic(
        "many_promotions",
        "praise",
        _p(
            "<nhieu (ma giam gia|ma giam|voucher|vouchers|khuyen mai|km|uu dai|qua tang|deal"
            "|sale|chuong trinh|ma freeship|freeship|coupon|flash sale|combo|ma khuyen mai)>",
            "<(khuyen mai|km|uu dai|sale|giam gia|deal|voucher) {PADV}(lien tuc|nhieu|khung"
            "|ngap|ngap tran|suot|thuong xuyen|hoai|quanh nam|deu|deu deu|hap dan|lon|to|soc"
            "|manh|sau|ngon|xin|tot|da|thich|vui|sap san|{HOI})>",
            "<(sale|flash sale|deal|dot sale|khuyen mai|km) gia {PADV}(tot|re|soc|sap san"
            "|yeu thuong|mem|hat de|dep|{HOI})>",
            "<gia {PADV}{HOI}",
            "<(co|kem|duoc|nhan duoc|them|nhieu) (qua|qua tang|qua xin|qua dep)>",
            "<(tang kem|qua kem|tang them)>",
            "<(free ?ship|freeship|mien phi (van chuyen|ship|giao hang)|mien ship|bao ship)>",
            "<(san|hunt) (sale|deal|ma|voucher) {PADV}(da|vui|thich|ngon|sap san|duoc nhieu"
            "|thanh cong)>",
            "<(giam gia|sale|khuyen mai|giam) (den |toi |len den |tan |sap )?([0-9]+ ?%|nua gia"
            "|mot nua|[0-9]+k)>",
            "<(dong gia|mua 1 tang 1|mua mot tang mot|buy 1 get 1|combo (tiet kiem|re|uu dai)"
            "|flash sale|mega sale|sieu sale|sale khung|sale to|sale lon)>",
            "<(great|good|amazing|lots of|loads of|many|nice|best|awesome|fantastic|generous"
            "|plenty of|frequent|regular|big|huge|excellent) (deals?|discounts?|vouchers?"
            "|promotions?|promos?|offers?|coupons?|sales|bargains?|freebies?)>",
            "<(free shipping|free delivery|free gift|freebie|freebies|buy one get one|bogo"
            "|[0-9]+% off|half price|half-price|great bargain|flash sale)>",
        ),
        unless=_NO_PROMOTIONS,
    ),
    Topic(
        "fast_delivery",
        "praise",
        _p(
            "<(giao|ship|van chuyen|gui|chuyen phat|nhan)( hang| don)? {PADV}(nhanh|le"
            "|toc hanh|som|than toc|sieu toc|hoa toc|tia chop|nhanh gon|nhanh chong|cap toc"
            "|kip)>",
            "<(giao |ship |den |toi )?(hang )?(dung|kip) (hen|gio hen|lich hen|tien do|lich"
            "|gio|ngay hen)>",
            "<(nhan|co|toi|ve|den)( duoc)?( hang| don| kien)? (chi |ngay |chua toi |chua den "
            "|chi trong |trong |trong vong |sau )+(co |vai |mot |1 |2 |hai |nua |24 |48 |12 )"
            "(ngay|hom|tieng|gio|buoi|h)>",
            "<(hom|toi|sang|chieu) (truoc|qua)( dat| order| mua| chot)?( don| hang)?,?"
            " (hom sau|ngay hom sau|sang hom sau|hom nay|sang nay|chieu nay|toi nay)( la| da)?"
            " (nhan|co hang|co|toi|den|giao|ve|nhan duoc)>",
            "<(giao|ship|nhan|co hang) (trong|ngay trong) (ngay|buoi|2h|1h|2 gio|vai gio)>",
            "<(fast|quick|speedy|rapid|prompt|super fast|lightning|express|swift|next-day"
            "|next day|same-day|same day) (delivery|shipping|dispatch|shipment|courier"
            "|postage)>",
            "<(arrived|delivered|came|got here|got it|received it|shipped) (the next day"
            "|next day|the following day|the same day|same day|in a day|within a day"
            "|in two days|within [0-9]+ (hours|days)|overnight|early|quickly|fast|promptly"
            "|on time|ahead of schedule|sooner than|earlier than)>",
            "<(always|was|were|arrived|delivered|came|right) on (time|schedule)>",
        ),
        unless=_SLOW_NOT_FAST,
    ),
    Topic(
        "genuine",
        "praise",
        _p(
            "<chinh hang>",
            "<hang (auth|xin|that|chuan auth|real)( 100%)?({PEND}| (nha|nhe|luon|lun|roi|a|ha"
            "|ne|chu|ma|va|nen|co)>| 100%)",
            "<(co|kem|day du|dan) (tem|tem chong gia|tem chinh hang|tem bao hanh|tem nhap khau"
            "|ma vach|hoa don|giay to|chung tu|nguon goc|giay bao hanh|phieu bao hanh"
            "|hoa don do|hoa don vat|co cq)>",
            "<(check|kiem tra|quet|scan)( ma| ma vach| barcode| qr| code| tem| ma qr| seri"
            "| serial| imei)? {PADV}(chuan|ok|dung|ra dung|chinh hang|hop le|thanh cong"
            "|ra hang that|ra chinh hang)>",
            "<(nguon goc|xuat xu) {PADV}(ro rang|minh bach|ro|day du|chuan|uy tin)>",
            "<ro (rang )?(nguon goc|xuat xu)>",
            "<(date|hsd|han su dung|han dung|nsx|ngay san xuat) {PADV}(moi|xa|dai|con dai"
            "|con xa|con lau|tuoi|moi tinh)>",
            "(^|[^a-z0-9-])(genuine|authentic|original product|legit|the real deal"
            "|real product|official product|officially licensed)>",
            "<(with|has|had|came with|comes with|includes) (an |a |the |proper |original "
            "|official )*(invoice|receipt|certificate|hologram|serial number|warranty card"
            "|labels?|seals?)>",
            "<(serial|barcode|qr code|code) (checked out|verified|checks out|was valid|is valid)>",
        ),
        unless=_NOT_GENUINE
        + _p(
            "<{NEG} (co |kem |day du )?(tem|hoa don|giay to|chung tu|ma vach)>",
            "<co (tem|ma vach|hoa don|giay to|co cq|nguon goc){W3} (khong|ko|k|hong|khum|hem)"
            "( (a|vay|shop|ad|ha|nhi))*{PEND}",
        ),
    ),
    Topic(
        "nice_packaging",
        "praise",
        _p(
            "<(dong goi|goi hang|dong hang|boc hang) {PADV}(ky|can than|chac chan|chac|dep|xinh"
            "|xinh xan|cham chut|chu dao|tinh te|cung cap|sang|xin|gon gang|tot|ok|on"
            "|chuyen nghiep|ky cang|ky luong|de thuong|cute)>",
            "<boc {PADV}(chong soc|xop|bong bong|nhieu lop|[0-9]+ lop|ba lop|hai lop|may lop|ky)>",
            "<(hop|hop qua|hop dung|bao bi|vo hop|thiet ke hop|tui qua|giay goi) {PADV}(dep|xinh"
            "|xinh xan|sang trong|xin|cute|de thuong|tinh te|cung cap|chac chan)>",
            "<(thiep|thiep cam on|loi cam on|loi nhan) (tang kem|viet tay|xinh|de thuong"
            "|dang yeu)>",
            "<(co|kem|tang) (ca )?(thiep|thiep cam on|loi nhan viet tay)>",
            "<(beautifully|nicely|well|carefully|securely|neatly|lovingly|perfectly|properly)"
            " (packed|packaged|wrapped|boxed)>",
            "<(lovely|beautiful|nice|cute|pretty|great|gorgeous|elegant|premium|sturdy|careful"
            "|secure) (gift )?(box|boxes|packaging|package|wrapping)>",
            "<(packaging|packing)( is| was)? {EADV}(great|lovely|beautiful|nice|excellent"
            "|perfect|careful|secure)>",
        ),
        unless=_NOT_WELL_PACKED,
    ),
    Topic(
        "good_price",
        "praise",
        _p(
            "<gia( ca)? {PADV}(re|tot|hop ly|mem|ok|on|phai chang|hat de|yeu thuong|binh dan"
            "|sinh vien|canh tranh|dep|ngon|uu dai|si|{HOI})>",
            "<re {PADV}(hon|qua|lam|ghe|bat ngo|vo dich|nhat|nhu cho|that|thiet|vl)>",
            "<(qua|rat|kha|sieu|cuc|that|vo cung) re>",
            "<dang (dong )?tien( bat gao)?>",
            "<tiet kiem (duoc|dc|kha|rat|nhieu|hon|tien|chi phi)>",
            "<(vua|hop) tui tien>",
            "<(good|great|excellent|amazing|fair|reasonable|fantastic|best|unbeatable"
            "|competitive|decent|low|nice) (value|price|prices|pricing)>",
            "<(value for money|worth the money|worth every penny|worth the price|worth it"
            "|bang for (the|your) buck|cheaper than|affordable|inexpensive|reasonably priced"
            "|well priced|budget-friendly|budget friendly|bargain)>",
            "<(cheap|cheaper) (price|prices|than|compared)>",
            "<(so|very|really|quite|pretty|super|nice and|fairly) cheap>",
        ),
        unless=_PRICE_NOT_GOOD,
    ),
    Topic(
        "good_service",
        "praise",
        _p(
            "<(tu van|tra loi|phan hoi|rep|rep tin|rep inbox|ho tro|xu ly|giai quyet|phuc vu"
            "|cham soc|cham soc khach hang|cskh|dich vu|tong dai|support|sau ban|hau mai"
            "|bao hanh)( khach| khach hang| sau ban hang)? {PADV}(nhiet tinh|tan tinh|chu dao"
            "|ky|nhanh|de hieu|chuyen nghiep|tot|tuyet voi|tan tam|xuat sac|ok|nhanh chong"
            "|kip thoi|ngay|lien|triet de|gon|gon gang|tan noi|5 sao|dinh|chuan|nhanh gon"
            "|chinh xac|uy tin)>",
            "<(doi tra|hoan tien|doi size|tra hang) {PADV}(de dang|nhanh|nhanh gon|de|gon|tien"
            "|thoai mai|linh hoat)>",
            "<(helpful|great|excellent|good|fast|quick|friendly|amazing|professional|responsive"
            "|outstanding|fantastic|wonderful|brilliant|prompt|superb|attentive|top-notch"
            "|5-star|five-star) (customer )?(service|support|care|after-sales|aftersales"
            "|response|reply|replies)>",
            "<(replied|responded|answered|resolved|sorted|fixed|handled|dealt with)( it"
            "| my issue| the problem| everything)? {EADV}(quickly|fast|promptly|immediately"
            "|right away|straight away|within minutes|within an hour|same day|in minutes)>",
            "<(easy|hassle-free|hassle free|smooth|quick) (returns?|refunds?|exchanges?)>",
            "<(service|support)( is| was| were)? {EADV}(excellent|great|amazing|fantastic"
            "|outstanding|superb|helpful|professional|responsive|top notch|top-notch"
            "|second to none)>",
        ),
        unless=_SERVICE_NOT_GOOD,
    ),
    Topic(
        "good_quality",
        "praise",
        _p(
            "<(chat luong|cl|chat lieu|san pham|sp|vai|form|duong may|thiet ke|mui|mui huong)"
            " {PADV}(tot|tuyet voi|xin|xin xo|dinh|dinh cao|on|ok|oke|chuan|dep|cao"
            "|vuot mong doi|vuot troi|hoan hao|em|mem|min|chac chan|ben|ben dep|ngon|cao cap"
            "|xuat sac|hang dau|khong che|ko che|mien che|dang tien|chat)>",
            "<hang {PADV}(tot|tuyet voi|xin|xin xo|dinh|dep|ngon|cao cap|xuat sac|chat luong)>",
            "<do (xin|dep|tot|ngon|chat luong)>",
            "<(dung|xai|mac|deo|an|uong|boi|thoa) {PADV}(thich|tot|on ap|ok|em|suong|muot|ngon"
            "|phe|hieu qua|thom|mat|de chiu|vua van|hop)>",
            "<(dung|giong|chuan|y|y het)( nhu| voi)? (mo ta|hinh|anh|quang cao|review)>",
            "<(van|rat|qua|sieu|cuc|kha|that|cung) ben( (bi|dep|lau|lam|ghe|that|vl|luon|lun"
            "|qua|nha|nhe))*({PEND}| (va|ma|nhung)>)",
            "<ben (bi|dep|lau)>",
            "<(hoan thien|duong may|duong chi) {PADV}(ti mi|ky|chin chu|sac sao|dep|chac"
            "|can than|deu|tot|chuan)>",
            "<{NEG}( bi| he| co| gay)? (kich ung|di ung|noi mun|bet rit|bet dinh|nhon rit)>",
            "<(em chan|dung size|vua size|vua khit|vua van|vua in)>",
            "<(tham|len mau|giu mau|bam mau|bam) {PADV}(nhanh|lau|tot|chuan|deu|dep|ca ngay)>",
            "<pin {PADV}(trau|khoe|lau|ben|tot)>",
            "<(thom|mui thom|mui de chiu) (lam|qua|ghe|lau|nhe nhang|diu)>",
            "<(great|good|excellent|amazing|high|top|superb|fantastic|nice|solid|premium"
            "|outstanding|wonderful|brilliant|impressive|perfect|decent|awesome|superior|best)"
            " (quality|build|material|materials|fabric|craftsmanship|workmanship|product)>",
            "<(well made|well-made|well built|sturdy|durable|long-lasting|long lasting"
            "|works (great|perfectly|well|like a charm)|as described|as pictured|as advertised"
            "|exactly as (described|pictured|advertised|shown)|high-quality|top-notch"
            "|top notch)>",
            "<(quality|material|fabric|build)( is| was| feels| seems)? {EADV}(great|good"
            "|excellent|amazing|superb|fantastic|solid|premium|outstanding|perfect|impressive"
            "|top)>",
        ),
        unless=_QUALITY_NOT_GOOD
        + _NOT_AS_DESCRIBED
        + _p("<{NEG} (dung|chuan|vua) (size|form|co)>"),
    ),
    Topic(
        "friendly_staff",
        "praise",
        _p(
            "<(nhan vien|nv|cac ban|ban nhan vien|cac em|em nhan vien|chi nhan vien"
            "|anh nhan vien|thu ngan|ban thu ngan|tu van vien|shipper|anh shipper|chu shop"
            "|chu cua hang|chi chu|co chu|ban ban hang|nguoi ban|ad|admin|quan ly|bao ve|staff)"
            "( (o|tai|cua|ben|trong|cua hang|shop|store|chi nhanh|quan|nay|do|ay|tiem))*"
            " {PADV}(de thuong|than thien|nhiet tinh|vui ve|niem no|lich su|de chiu|tan tinh"
            "|chu dao|dang yeu|xinh|xinh xan|dep trai|hoa dong|nhe nhang|lich thiep|ton trong"
            "|tan tam|cute|de men|hien|hien lanh|nhanh nhen|kien nhan|tot bung|hieu khach"
            "|de gan|vui tinh|nho nhe|tu te|ok|tot)>",
            "<(niem no|hieu khach|chu dao|tan tinh|tan tam|de thuong|than thien|vui ve|de men"
            "|nhe nhang|hoa dong|nhiet tinh)>",
            "<{NEG}( bi| he)? (ep|chao keo|nai|ep buoc|thuc ep|lam phien)( mua| khach)?>",
            "<(rat|qua|kha|sieu|that|cuc ky) (lich su|lich thiep|de chiu)>",
            "<tu van {PADV}(ky|ky cang|ky luong|can than|chi tiet|tan tinh|nhiet tinh|de hieu"
            "|tan tam)>",
            "<(friendly|lovely|helpful|polite|welcoming|kind|attentive|nice|courteous|cheerful"
            "|warm|knowledgeable|patient|sweet|caring|respectful)( and (friendly|lovely"
            "|helpful|polite|welcoming|kind|attentive|nice|courteous|cheerful|warm"
            "|knowledgeable|patient))? (staff|team|employees|employee|assistant|assistants"
            "|seller|sellers|cashier|cashiers|people|salesperson|saleswoman|salesman"
            "|shop assistant|owner|courier|driver|delivery guy|shipper)>",
            "<(staff|team|employees|seller|cashier|assistant|assistants|owner|courier|driver"
            "|shipper|people)( were| was| are| is)? {EADV}(friendly|lovely|helpful|polite"
            "|welcoming|kind|attentive|nice|courteous|cheerful|warm|knowledgeable|patient"
            "|sweet|great|amazing|fantastic|wonderful)>",
            "<(no pressure|never pushy|not pushy|didn.?t pressure|did not pressure|no hard sell)>",
        ),
        unless=_STAFF_NOT_FRIENDLY,
    ),
    Topic(
        "convenient",
        "praise",
        _p(
            "<(tien loi|tien dung|thuan tien)>",
            "<(mua|di|ghe|dat hang|thanh toan|giao dich|su dung|order|lay hang|nhan hang|do xe"
            "|gui xe) {PADV}(tien|de dang|nhanh gon)( (lam|ghe|qua|that|nha|ma|vo cung|luon"
            "|lun|cuc|vl))*({PEND}| (va|nen|ma|hon|nhung)>)",
            "<(rat|qua|kha|sieu|cuc|that|vo cung|rat la|thiet) tien({PEND}| (lam|ghe|qua|that"
            "|nha|ma|vo cung|luon|lun|cuc|vl|loi|va|nen|hon)>)",
            "<(ung dung|app|web|website|trang web) {PADV}de (dung|su dung|thao tac|tim)>",
            "<(dat hang|thanh toan|mua hang|order) {PADV}(nhanh gon|de dang|nhanh chong)>",
            "<gan (nha|cho|cong ty|co quan|truong|van phong|cho lam)>",
            "<(tan nha|tan noi|tan cua|tan tay|ve tan|toi tan|den tan)>",
            "<(mo cua (24|ca ngay|ca dem|suot|tu sang som|khuya)|24/7|goi (dien )?la (co|giao)"
            "|nhan tin la (co|giao)|mot cham|1 cham|nhieu chi nhanh|nhieu cua hang"
            "|co cho do xe|thanh toan (de dang|nhanh gon|da dang|nhieu hinh thuc))>",
            "<(convenient|conveniently|handy|hassle-free|so easy|very easy|really easy"
            "|super easy|easy to (shop|order|buy|use|find|pay|reach|get to|park)"
            "|close to (home|my|our|work|the office)|near (my|our) (home|house|place|office"
            "|work)|around the corner|open (late|24|all day|every day|early)|one-click"
            "|one click)>",
        ),
        unless=_NOT_CONVENIENT
        + _p(
            "<(hon|bang|nhu|voi|so voi) (mua|di) (o |ngoai )?(tiem|cho|cua hang|sieu thi|tap hoa)>"
        ),
    ),
)

#: The lexicon, by key: pain topics first, then praise, in the order they are reported.
TOPICS: dict[str, Topic] = {t.key: t for t in _LEXICON}
PAIN_TOPICS: tuple[str, ...] = tuple(k for k, t in TOPICS.items() if t.kind == "pain")
PRAISE_TOPICS: tuple[str, ...] = tuple(k for k, t in TOPICS.items() if t.kind == "praise")

# --- Sentiment words ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    """Words of one polarity: found when a pattern matches and no ``unless`` pattern does."""

    patterns: tuple[str, ...]
    unless: tuple[str, ...]


POSITIVE_WORDS = _Words(
    _p(
        "<(hai long|ung y|tuyet voi|tuyet|xuat sac|hoan hao|dinh cao|qua dinh|recommend"
        "|nen mua|dang mua|se mua lai|mua lai lan|se quay lai|quay lai ung ho|se ung ho"
        "|ung ho (shop|dai dai|tiep|lan sau|nhieu)|gioi thieu cho|5 ?sao|nam sao|10 diem"
        "|10/10|cam on (shop |ban |em )?nhieu|yeu (shop|lam|qua|ghe)|me (lam|qua|tit|ghe)"
        "|rat thich|qua thich|that thich"
        "|thich (lam|qua|ghe|me|cuc|that|nhat)|on ap|qua ok|ok (lam|qua|ghe|phet)"
        "|dung mong doi|nhu mong doi|vuot mong doi|mua lan thu (ba|3|hai|2|n|may|bon|4))>",
        "<(ung (lam|qua|ghe|that|cuc|bung)|(rat|qua|sieu|kha|that) ung)>",
        "<(rat|qua|that|kha|hoan toan|thay|rat la) yen tam>",
        "<(tot (qua|lam|ghe|that|vl|nhe)|(rat|qua|sieu|cuc|kha|that|cuc ky) (tot|ok|on|dep"
        "|xin|ngon|thich))>",
        "<(thich|tot|ok)[.!]",
        "<(happy|love|loved|loving|great|excellent|amazing|awesome|perfect|fantastic"
        "|recommend|recommended|satisfied|wonderful|lovely|brilliant|superb|delighted"
        "|pleased|impressed|will buy again|will order again|would buy again|five stars"
        "|5 stars|good|nice|best)>",
    ),
    _p(
        "<{NEG}( he| duoc| lam| that)? {PADV}(hai long|ung|ung y|thich|tot|ok|on|vui"
        "|recommend|nen mua|dang mua|dep|xin|ngon|tuyet|mua lai|quay lai|ung ho)>",
        "<(chac|se) {NEG} (mua lai|quay lai|ung ho)>",
        "<{NOT} {EADV}(happy|love|great|excellent|good|satisfied|recommend|nice|pleased"
        "|impressed|buy again|worth|perfect|amazing)>",
        "<(won.?t|will not|wouldn.?t|would not|never) (buy|order|shop|come back|return|recommend)>",
    ),
)
NEGATIVE_WORDS = _Words(
    _p(
        "<(that vong|buc minh|buc (ca minh|qua|ghe|that)|chan (qua|ghe|that su|lam|vl|doi"
        "|ngan)|(qua|rat|hoi|kha|that) chan|te (qua|that|hai|lam|ghe|vl|nhat|hon)"
        "|(qua|rat|hoi|kha|that|cuc|that su|qua la) te|toi te|kinh khung|(qua|rat|hoi|kha) kem"
        "|lua dao|tham hoa|1 sao|mot sao|nen tranh|dung mua|boc phot|phot|canh bao|cai thien"
        "|shop xem lai|xem lai giup|xem lai dum|ghet|uc che|that bai)>",
        "<te[.!?]",
        "<{NEG}( he| duoc| lam| that)? {PADV}(hai long|ung|ung y|thich|vui|on|ok|tot|nen mua"
        "|recommend|mua lai|mua nua|quay lai|ung ho|dang tien|dang mua|yen tam)>",
        "<(disappointed|disappointing|disappointment|unhappy|terrible|awful|horrible|worst"
        "|bad|poor|never again|not recommend|waste|angry|annoyed|annoying|frustrated"
        "|frustrating|useless|rubbish|scam|ripped off|unacceptable|heads up|fed up|regret"
        "|please fix|fix this)>",
        "<{NOT} {EADV}(happy|satisfied|recommend|good|great|pleased|impressed)>",
        "<(won.?t|will not|wouldn.?t|would not|never) (buy|order|shop|come back|recommend)>",
    ),
    _p(
        "<not {EADV}(bad|terrible|awful|poor)>",
        "<{NEG}( he| bi| lam)? (te|chan|kem|that vong|buc)>",
    ),
)


# --- Python side -------------------------------------------------------------------------------


def _found(folded: str, patterns: Sequence[str], unless: Sequence[str]) -> bool:
    if not _regex(_combine(patterns)).search(folded):
        return False
    return not (unless and _regex(_combine(unless)).search(folded))


def _topic(key: str) -> Topic:
    topic = TOPICS.get(key)
    if topic is None:
        raise NotFoundError("voc.unknown_topic", value=key, names=", ".join(TOPICS))
    return topic


def folded_has_topic(folded: str, key: str) -> bool:
    """Whether already-folded text is about topic ``key``."""
    topic = _topic(key)
    return _found(folded, topic.patterns, topic.unless)


def topics_of(text: str) -> list[str]:
    """The topics ``text`` is about, in lexicon order (pain points first).

    Examples
    --------
    >>> topics_of("Giao hàng quá chậm, hàng không chính hãng!")
    ['slow_delivery', 'fake_goods']
    >>> topics_of("giao hang nhanh, hang chinh hang")
    ['fast_delivery', 'genuine']
    """
    folded = fold_text(text)
    return [k for k, t in TOPICS.items() if _found(folded, t.patterns, t.unless)]


def _longest(folded: str, patterns: Iterable[str]) -> int:
    best = 0
    for pattern in patterns:
        for match in _regex(pattern).finditer(folded):
            best = max(best, len(match.group(0).strip(" ,.!?;:()")))
    return best


def topic_of_label(label: str) -> str | None:
    """The one topic a short survey choice names ("Giao hàng chậm" → ``slow_delivery``).

    The choice's words are matched against each topic's patterns; when none matches, against
    the bare aspects a pain-point question implies ("Bảo hành" → ``warranty``). Pain topics
    win over praise, then the longest match (the most specific wording), then lexicon order.
    None when no topic is named.

    Examples
    --------
    >>> topic_of_label("Lo hàng giả, hàng nhái"), topic_of_label("Slow delivery")
    ('fake_goods', 'slow_delivery')
    >>> topic_of_label("Màu sắc") is None
    True
    """
    folded = fold_text(label).strip()
    if not folded:
        return None
    order = {k: i for i, k in enumerate(TOPICS)}
    for field in ("patterns", "aspects"):
        scored: list[tuple[int, int, int, str]] = []
        for key, topic in TOPICS.items():
            patterns: tuple[str, ...] = getattr(topic, field)
            if not patterns or (topic.unless and _regex(topic.unless_pattern or "").search(folded)):
                continue
            length = _longest(folded, patterns)
            if length:
                scored.append((0 if topic.kind == "pain" else 1, -length, order[key], key))
        if scored:
            return min(scored)[3]
    return None


def sentiment_of(text: str, rating: int | None = None) -> int:
    """-1, 0 or 1: what the customer feels.

    A star rating decides when there is one (1–2 → -1, 3 → 0, 4–5 → 1; other values are
    ignored). Otherwise the text does: it is positive when it has positive words or praises
    something, negative when it has negative words or complains about something, and 0 when
    it is both (a mixed text) or neither. So any complaint makes a text negative unless the
    customer also says something clearly positive.

    Examples
    --------
    >>> sentiment_of("Giao hàng chậm quá"), sentiment_of("Rất hài lòng, giao nhanh")
    (-1, 1)
    >>> sentiment_of("Giao hàng chậm quá", rating=5)
    1
    """
    if rating is not None and 1 <= rating <= 5:
        return -1 if rating <= 2 else 0 if rating == 3 else 1
    folded = fold_text(text)
    found = topics_of(text)
    positive = any(TOPICS[k].kind == "praise" for k in found) or _found(
        folded, POSITIVE_WORDS.patterns, POSITIVE_WORDS.unless
    )
    negative = any(TOPICS[k].kind == "pain" for k in found) or _found(
        folded, NEGATIVE_WORDS.patterns, NEGATIVE_WORDS.unless
    )
    return int(positive) - int(negative)


def topic_label(key: str, language: str) -> str:
    """The short name of topic ``key`` in ``language`` (the key itself when unknown)."""
    return translate(f"voc.topics.{key}", language, default=key)


# --- Warehouse side ----------------------------------------------------------------------------


def _search(folded: ir.StringValue, patterns: Sequence[str], unless: Sequence[str]) -> Any:
    hit = folded.re_search(_combine(patterns))
    if unless:
        hit = hit & ~folded.re_search(_combine(unless))
    return hit.fill_null(False)


def topic_matches(folded: ir.StringValue, key: str) -> ir.BooleanValue:
    """Whether each folded text is about topic ``key``, as an Ibis expression.

    ``folded`` is text folded in the warehouse (``fold_column``). A missing text is about
    no topic (False, never null).
    """
    topic = _topic(key)
    result: ir.BooleanValue = _search(folded, topic.patterns, topic.unless)
    return result


def _any(items: Sequence[ir.BooleanValue]) -> Any:
    if len(items) == 1:
        return items[0]
    middle = len(items) // 2
    return _any(items[:middle]) | _any(items[middle:])


def sentiment_expression(
    folded: ir.StringValue,
    rating: ir.IntegerValue | None = None,
    matches: Mapping[str, ir.BooleanValue] | None = None,
) -> ir.IntegerValue:
    """:func:`sentiment_of` in the warehouse: -1, 0 or 1 for each folded text and rating.

    ``matches`` may give :func:`topic_matches` of some topics already computed (columns of
    a table holding them), so that their patterns are not searched again.
    """
    known = matches or {}

    def about(key: str) -> ir.BooleanValue:
        return known[key] if key in known else topic_matches(folded, key)

    positive = _any(
        [about(k) for k in PRAISE_TOPICS]
        + [_search(folded, POSITIVE_WORDS.patterns, POSITIVE_WORDS.unless)]
    )
    negative = _any(
        [about(k) for k in PAIN_TOPICS]
        + [_search(folded, NEGATIVE_WORDS.patterns, NEGATIVE_WORDS.unless)]
    )
    text = (positive.cast("int8") - negative.cast("int8")).cast("int8")
    if rating is None:
        result: ir.IntegerValue = text
        return result
    by_rating = ibis.cases(
        (rating.isin([1, 2]), -1), (rating == 3, 0), (rating.isin([4, 5]), 1), else_=text
    ).cast("int8")
    return by_rating
