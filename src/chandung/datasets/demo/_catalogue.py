"""What the demo retailer sells, and which products go together in a basket.

The retailer is a lifestyle chain: beauty and personal care, mother & baby, fashion, home,
electronics accessories, Tết gifts, and a wholesale line for companies (hotel amenities, office
supplies, corporate gifts). Each subcategory spans three price tiers (budget, mid, premium),
so that a premium buyer and a bargain hunter fill the same basket with different products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from . import _arrow as A
from ._arrow import BoolArray, FloatArray, IntArray
from ._text import slug

# fmt: off
BEAUTY, BABY, FASHION, HOME, TECH, GIFT, B2B = (
    "Làm đẹp", "Mẹ & Bé", "Thời trang", "Nhà cửa & Đời sống", "Phụ kiện điện tử", "Quà tặng",
    "Doanh nghiệp (sỉ)",
)
# fmt: on

#: subcategory key → (category, subcategory name, ((brand, product, price VND), ...)).
# fmt: off
SUBCATEGORIES: dict[str, tuple[str, str, tuple[tuple[str, str, int], ...]]] = {
    "cleanser": (BEAUTY, "Sữa rửa mặt", (
        ("Senka", "Sữa rửa mặt Senka Perfect Whip 120g", 95000),
        ("Cocoon", "Gel rửa mặt bí đao Cocoon 140ml", 195000),
        ("CeraVe", "Sữa rửa mặt CeraVe Foaming 236ml", 345000),
        ("Cetaphil", "Sữa rửa mặt Cetaphil Gentle 500ml", 415000),
        ("La Roche-Posay", "Gel rửa mặt La Roche-Posay Effaclar 400ml", 545000))),
    "toner": (BEAUTY, "Toner", (
        ("Cocoon", "Nước bí đao cân bằng da Cocoon 140ml", 175000),
        ("Hada Labo", "Lotion Hada Labo Gokujyun 170ml", 225000),
        ("Klairs", "Toner Klairs Supple Preparation 180ml", 315000),
        ("Kiehl's", "Toner hoa cúc Kiehl's Calendula 250ml", 1250000))),
    "serum": (BEAUTY, "Serum", (
        ("Cocoon", "Serum bí đao Cocoon 70ml", 295000),
        ("The Ordinary", "Serum The Ordinary Niacinamide 10% 30ml", 320000),
        ("Klairs", "Serum Klairs Vitamin C 35ml", 385000),
        ("La Roche-Posay", "Serum La Roche-Posay B5 30ml", 850000),
        ("Estée Lauder", "Serum Estée Lauder Advanced Night Repair 50ml", 3200000))),
    "moisturiser": (BEAUTY, "Kem dưỡng", (
        ("Hada Labo", "Kem dưỡng Hada Labo Gokujyun 50g", 215000),
        ("Neutrogena", "Kem dưỡng Neutrogena Hydro Boost 50g", 395000),
        ("Cetaphil", "Kem dưỡng ẩm Cetaphil 453g", 445000),
        ("Laneige", "Mặt nạ ngủ Laneige Water Sleeping 70ml", 650000),
        ("Clinique", "Kem dưỡng Clinique Moisture Surge 50ml", 1050000))),
    "sunscreen": (BEAUTY, "Kem chống nắng", (
        ("Bioré", "Kem chống nắng Bioré UV Aqua Rich 50g", 155000),
        ("Sunplay", "Kem chống nắng Skin Aqua Tone Up 80g", 165000),
        ("La Roche-Posay", "Kem chống nắng La Roche-Posay Anthelios 50ml", 495000),
        ("Anessa", "Sữa chống nắng Anessa Perfect UV 60ml", 525000),
        ("Shiseido", "Kem chống nắng Shiseido Urban Environment 50ml", 1100000))),
    "micellar": (BEAUTY, "Tẩy trang", (
        ("Garnier", "Nước tẩy trang Garnier Micellar 400ml", 169000),
        ("L'Oréal", "Nước tẩy trang L'Oréal Paris 400ml", 179000),
        ("Bioderma", "Nước tẩy trang Bioderma Sensibio H2O 500ml", 455000),
        ("Shu Uemura", "Dầu tẩy trang Shu Uemura 150ml", 1150000))),
    "mask": (BEAUTY, "Mặt nạ", (
        ("Cocoon", "Mặt nạ nghệ Hưng Yên Cocoon 100ml", 145000),
        ("Mediheal", "Mặt nạ giấy Mediheal (hộp 10 miếng)", 290000),
        ("Laneige", "Mặt nạ ngủ môi Laneige 20g", 350000),
        ("SK-II", "Mặt nạ SK-II Facial Treatment (hộp 6)", 1890000))),
    "lipstick": (BEAUTY, "Son môi", (
        ("Black Rouge", "Son kem Black Rouge Air Fit Velvet", 165000),
        ("Romand", "Son tint Romand Juicy Lasting", 175000),
        ("3CE", "Son kem 3CE Velvet Lip Tint", 330000),
        ("MAC", "Son thỏi MAC Matte Lipstick", 550000),
        ("Dior", "Son Dior Rouge 999", 1050000))),
    "foundation": (BEAUTY, "Kem nền & cushion", (
        ("Maybelline", "Kem nền Maybelline Fit Me 30ml", 199000),
        ("Clio", "Phấn nước Clio Kill Cover", 490000),
        ("Laneige", "Phấn nước Laneige Neo Cushion", 790000),
        ("Estée Lauder", "Kem nền Estée Lauder Double Wear 30ml", 1450000))),
    "mascara": (BEAUTY, "Mắt", (
        ("Maybelline", "Mascara Maybelline Hypercurl", 169000),
        ("Kiss Me", "Mascara Kiss Me Heroine Make", 340000),
        ("Lancôme", "Mascara Lancôme Lash Idôle", 850000))),
    "shampoo": (BEAUTY, "Dầu gội", (
        ("Sunsilk", "Dầu gội Sunsilk mềm mượt 650g", 115000),
        ("Dove", "Dầu gội Dove phục hồi hư tổn 640g", 145000),
        ("TRESemmé", "Dầu gội TRESemmé Keratin 640g", 165000),
        ("L'Oréal", "Dầu gội L'Oréal Elseve 650ml", 189000),
        ("Kérastase", "Dầu gội Kérastase Bain Satin 250ml", 950000))),
    "conditioner": (BEAUTY, "Dầu xả", (
        ("Sunsilk", "Dầu xả Sunsilk 320g", 85000),
        ("Dove", "Dầu xả Dove phục hồi 620g", 155000),
        ("Pantene", "Dầu xả Pantene 3 phút diệu kỳ 300ml", 135000),
        ("Kérastase", "Dầu xả Kérastase Fondant 200ml", 990000))),
    "bodywash": (BEAUTY, "Sữa tắm", (
        ("Lifebuoy", "Sữa tắm Lifebuoy 850g", 145000),
        ("Hatomugi", "Sữa tắm Hatomugi 800ml", 165000),
        ("Dove", "Sữa tắm Dove dưỡng ẩm 900g", 199000),
        ("Bath & Body Works", "Sữa tắm Bath & Body Works 295ml", 450000))),
    "perfume": (BEAUTY, "Nước hoa", (
        ("Bath & Body Works", "Xịt thơm Bath & Body Works 236ml", 350000),
        ("Charme", "Nước hoa Charme Good Girl 100ml", 650000),
        ("Calvin Klein", "Nước hoa Calvin Klein CK One 100ml", 1250000),
        ("Chanel", "Nước hoa Chanel Coco Mademoiselle 50ml", 3600000))),
    "diapers": (BABY, "Tã bỉm", (
        ("Bobby", "Tã quần Bobby size L 54 miếng", 295000),
        ("Huggies", "Tã quần Huggies Dry size L 68 miếng", 385000),
        ("Merries", "Tã quần Merries size L 44 miếng", 435000),
        ("Moony", "Tã quần Moony Natural size L 36 miếng", 479000))),
    "wipes": (BABY, "Khăn ướt", (
        ("Bobby", "Khăn ướt Bobby không mùi (gói 100 tờ)", 39000),
        ("Mamamy", "Khăn ướt Mamamy (gói 100 tờ)", 45000),
        ("Huggies", "Khăn ướt Huggies (gói 64 tờ)", 55000),
        ("Moony", "Khăn ướt Moony (gói 80 tờ)", 89000))),
    "formula": (BABY, "Sữa bột", (
        ("Vinamilk", "Sữa bột Vinamilk Dielac Grow Plus 900g", 285000),
        ("Nutifood", "Sữa bột Nutifood GrowPLUS+ 850g", 310000),
        ("Abbott", "Sữa bột Abbott Grow 900g", 485000),
        ("Meiji", "Sữa bột Meiji Step 800g", 560000),
        ("Similac", "Sữa bột Similac IQ 900g", 615000),
        ("Aptamil", "Sữa bột Aptamil Profutura 800g", 1050000))),
    "bottles": (BABY, "Bình sữa", (
        ("Upass", "Bình sữa Upass 250ml", 150000),
        ("Pigeon", "Bình sữa Pigeon cổ rộng 240ml", 215000),
        ("Comotomo", "Bình sữa Comotomo 250ml", 540000))),
    "weaning": (BABY, "Ăn dặm", (
        ("Vinamilk", "Bột ăn dặm Ridielac 200g", 65000),
        ("Nestlé", "Bột ăn dặm Nestlé Cerelac 200g", 79000),
        ("Mamamy", "Bánh gạo ăn dặm Mamamy", 45000),
        ("HiPP", "Bột ăn dặm HiPP Organic 200g", 195000))),
    "babycare": (BABY, "Chăm sóc bé", (
        ("Cung Đình", "Dầu tràm Cung Đình 50ml", 95000),
        ("Johnson's", "Sữa tắm gội Johnson's Baby 500ml", 135000),
        ("Bepanthen", "Kem chống hăm Bepanthen 30g", 145000),
        ("Cetaphil", "Sữa tắm gội Cetaphil Baby 400ml", 285000),
        ("Mustela", "Kem dưỡng Mustela Hydra Bébé 300ml", 390000))),
    "toys": (BABY, "Đồ chơi", (
        ("Etic", "Bộ xếp hình gỗ Etic", 159000),
        ("Fisher-Price", "Đồ chơi Fisher-Price cho bé", 450000),
        ("LEGO", "LEGO Duplo xe cứu hỏa", 890000))),
    "gear": (BABY, "Xe đẩy & ghế ăn", (
        ("Aixintu", "Địu em bé Aixintu", 350000),
        ("Mastela", "Ghế ăn dặm Mastela", 990000),
        ("Joie", "Xe đẩy Joie Mirus", 4500000))),
    "kidswear": (BABY, "Quần áo trẻ em", (
        ("Bu Baby", "Bộ quần áo cotton Bu Baby", 129000),
        ("Nous", "Bộ body Nous cho bé", 245000),
        ("Canifa", "Bộ đồ Canifa Kids", 299000))),
    "tshirt": (FASHION, "Áo thun", (
        ("Coolmate", "Áo thun Coolmate Cotton Compact", 169000),
        ("Yody", "Áo polo Yody", 199000),
        ("Uniqlo", "Áo thun Uniqlo AIRism", 293000),
        ("Routine", "Áo thun Routine Regular", 299000),
        ("Lacoste", "Áo polo Lacoste", 2200000))),
    "shirt": (FASHION, "Áo sơ mi", (
        ("Yody", "Áo sơ mi Yody công sở", 299000),
        ("Việt Tiến", "Áo sơ mi Việt Tiến", 395000),
        ("Owen", "Áo sơ mi Owen", 450000),
        ("An Phước", "Áo sơ mi An Phước", 750000))),
    "trousers": (FASHION, "Quần", (
        ("Coolmate", "Quần kaki Coolmate", 299000),
        ("Routine", "Quần jean Routine", 499000),
        ("Owen", "Quần tây Owen", 550000),
        ("Levi's", "Quần jean Levi's 511", 1700000))),
    "dress": (FASHION, "Váy đầm", (
        ("Yody", "Chân váy Yody", 199000),
        ("Canifa", "Váy liền Canifa", 399000),
        ("Elise", "Đầm công sở Elise", 890000),
        ("IVY moda", "Đầm IVY moda", 1290000))),
    "shoes": (FASHION, "Giày dép", (
        ("Biti's", "Dép Biti's", 120000),
        ("Vascara", "Giày búp bê Vascara", 450000),
        ("Biti's", "Giày Biti's Hunter", 799000),
        ("Adidas", "Giày Adidas Ultraboost", 3500000))),
    "bags": (FASHION, "Túi xách", (
        ("Local brand", "Túi tote canvas", 149000),
        ("Vascara", "Túi xách Vascara", 590000),
        ("Charles & Keith", "Túi Charles & Keith", 1390000))),
    "accessories": (FASHION, "Phụ kiện thời trang", (
        ("Coolmate", "Combo 5 đôi tất Coolmate", 99000),
        ("Nón Sơn", "Mũ bảo hiểm Nón Sơn", 550000),
        ("Casio", "Đồng hồ Casio", 1200000))),
    "underwear": (FASHION, "Đồ lót & đồ ngủ", (
        ("Coolmate", "Combo 3 quần lót Coolmate", 199000),
        ("Canifa", "Bộ đồ ngủ Canifa", 259000),
        ("Triumph", "Áo lót Triumph", 550000))),
    "cookware": (HOME, "Nồi chảo", (
        ("Sunhouse", "Chảo chống dính Sunhouse 28cm", 259000),
        ("Tefal", "Chảo Tefal 28cm", 590000),
        ("Elmich", "Bộ nồi inox Elmich 3 món", 1100000),
        ("Lock&Lock", "Bộ nồi Lock&Lock 5 món", 2400000))),
    "storage": (HOME, "Hộp đựng thực phẩm", (
        ("Duy Tân", "Bộ 5 hộp nhựa Duy Tân", 129000),
        ("Lock&Lock", "Bộ 10 hộp Lock&Lock", 450000),
        ("Lock&Lock", "Bộ hộp thủy tinh Lock&Lock", 650000))),
    "appliances": (HOME, "Đồ điện gia dụng", (
        ("Sunhouse", "Ấm siêu tốc Sunhouse 1.8L", 219000),
        ("Sharp", "Nồi cơm điện Sharp 1.8L", 890000),
        ("Lock&Lock", "Nồi chiên không dầu Lock&Lock 5.2L", 1790000),
        ("Xiaomi", "Máy lọc không khí Xiaomi 4", 3490000))),
    "cleaning": (HOME, "Giặt giũ & vệ sinh", (
        ("Sunlight", "Nước lau sàn Sunlight 3.8kg", 95000),
        ("Sunlight", "Nước rửa chén Sunlight 3.6kg", 115000),
        ("OMO", "Nước giặt OMO Matic 3.6kg", 189000),
        ("Ariel", "Nước giặt Ariel 3.5kg", 229000),
        ("Persil", "Viên giặt Persil (hộp 50)", 329000))),
    "bedding": (HOME, "Chăn ga gối", (
        ("Mollis", "Khăn tắm cotton Mollis", 99000),
        ("Vạn Thành", "Gối cao su Vạn Thành", 450000),
        ("Everon", "Bộ chăn ga Everon", 1900000))),
    "drinkware": (HOME, "Bình & cốc", (
        ("Luminarc", "Bộ 6 cốc thủy tinh Luminarc", 159000),
        ("Lock&Lock", "Bình giữ nhiệt Lock&Lock 500ml", 329000),
        ("Stanley", "Ly giữ nhiệt Stanley 1.18L", 1100000))),
    "chargers": (TECH, "Sạc & cáp", (
        ("Baseus", "Cáp sạc Baseus USB-C 1m", 89000),
        ("Ugreen", "Cáp Ugreen Lightning 1m", 119000),
        ("Anker", "Củ sạc Anker 20W", 290000),
        ("Apple", "Củ sạc Apple 20W chính hãng", 490000))),
    "powerbanks": (TECH, "Pin sạc dự phòng", (
        ("Energizer", "Pin dự phòng Energizer 5000mAh", 299000),
        ("Xiaomi", "Pin dự phòng Xiaomi 10000mAh", 349000),
        ("Anker", "Pin dự phòng Anker PowerCore 10000", 590000),
        ("Baseus", "Pin dự phòng Baseus 20000mAh", 690000),
        ("Anker", "Pin dự phòng Anker 737 24000mAh", 2290000))),
    "earphones": (TECH, "Tai nghe", (
        ("Xiaomi", "Tai nghe Redmi Buds 4 Lite", 399000),
        ("SoundPEATS", "Tai nghe SoundPEATS Air3", 690000),
        ("Sony", "Tai nghe Sony WH-CH520", 1290000),
        ("Apple", "Tai nghe AirPods 3", 4290000))),
    "cases": (TECH, "Ốp lưng & cường lực", (
        ("KingKong", "Kính cường lực KingKong", 59000),
        ("Local brand", "Ốp lưng silicon iPhone", 79000),
        ("Spigen", "Ốp lưng Spigen", 390000),
        ("Apple", "Ốp lưng MagSafe Apple", 1390000))),
    "peripherals": (TECH, "Chuột & bàn phím", (
        ("Xiaomi", "Chuột không dây Xiaomi", 190000),
        ("Logitech", "Chuột Logitech M331 Silent", 345000),
        ("Akko", "Bàn phím cơ Akko 3068", 1390000),
        ("Logitech", "Chuột Logitech MX Master 3S", 2490000))),
    "speakers": (TECH, "Loa & thiết bị đeo", (
        ("Local brand", "Loa bluetooth mini", 199000),
        ("Xiaomi", "Vòng đeo tay Xiaomi Smart Band 8", 790000),
        ("JBL", "Loa JBL Go 3", 890000),
        ("Apple", "Đồng hồ Apple Watch SE", 6490000))),
    "storage_media": (TECH, "Thẻ nhớ & USB", (
        ("Kingston", "USB Kingston 64GB", 129000),
        ("SanDisk", "Thẻ nhớ SanDisk 64GB", 159000),
        ("Samsung", "Thẻ nhớ Samsung EVO 128GB", 299000),
        ("Samsung", "Ổ SSD di động Samsung T7 500GB", 2190000))),
    "tet_gifts": (GIFT, "Quà Tết", (
        ("Sen Việt", "Set quà Tết Sum Vầy", 350000),
        ("Sen Việt", "Hộp quà Tết Phúc Lộc", 650000),
        ("Sen Việt", "Giỏ quà Tết An Khang", 1250000),
        ("Sen Việt", "Hộp quà Tết Thịnh Vượng cao cấp", 2500000))),
    "amenities": (B2B, "Đồ dùng khách sạn", (
        ("Sen Việt Pro", "Xà phòng khách sạn 30g (thùng 1000)", 1200000),
        ("Sen Việt Pro", "Dầu gội khách sạn 30ml (thùng 500)", 1100000),
        ("Sen Việt Pro", "Bộ amenities khách sạn 6 món (thùng 500)", 1750000),
        ("Mollis", "Khăn tắm khách sạn (lốc 12)", 890000))),
    "office_supplies": (B2B, "Vật tư văn phòng", (
        ("Lifebuoy", "Nước rửa tay Lifebuoy can 5L", 289000),
        ("Sunlight", "Nước lau sàn Sunlight can 5L", 189000),
        ("Pulppy", "Giấy vệ sinh cuộn lớn (thùng 12)", 450000),
        ("Trung Nguyên", "Cà phê G7 hòa tan (thùng 24 hộp)", 1350000))),
    "corporate_gifts": (B2B, "Quà tặng doanh nghiệp", (
        ("Sen Việt Pro", "Bình giữ nhiệt in logo (thùng 20)", 3900000),
        ("Sen Việt Pro", "Sạc dự phòng in logo (thùng 20)", 5500000),
        ("Sen Việt Pro", "Hộp quà Tết doanh nghiệp (thùng 10)", 6500000),
        ("Sen Việt Pro", "Giỏ quà Tết Phú Quý doanh nghiệp (thùng 5)", 9500000))),
}

#: Shopping missions: bundle → ((subcategory, chance the basket holds it), ...). The first
#: slot is the anchor that every basket of the mission holds when nothing else was drawn.
BUNDLES: dict[str, tuple[tuple[str, float], ...]] = {
    "skincare": (
        ("cleanser", 0.7), ("toner", 0.5), ("serum", 0.5), ("moisturiser", 0.45),
        ("sunscreen", 0.45), ("micellar", 0.35),
    ),
    "makeup": (
        ("lipstick", 0.8), ("foundation", 0.45), ("mascara", 0.35), ("micellar", 0.3),
        ("mask", 0.25),
    ),
    "hair_body": (("shampoo", 0.75), ("conditioner", 0.5), ("bodywash", 0.5), ("perfume", 0.1)),
    "fragrance": (("perfume", 0.85), ("lipstick", 0.3), ("bodywash", 0.2)),
    "diaper_run": (("diapers", 0.9), ("wipes", 0.75), ("babycare", 0.3), ("formula", 0.3)),
    "feeding": (("formula", 0.9), ("weaning", 0.45), ("bottles", 0.25), ("wipes", 0.3)),
    "baby_gear": (("kidswear", 0.6), ("toys", 0.5), ("gear", 0.3), ("babycare", 0.25)),
    "office_outfit": (("shirt", 0.75), ("trousers", 0.6), ("shoes", 0.3), ("accessories", 0.2)),
    "casual": (("tshirt", 0.8), ("trousers", 0.5), ("shoes", 0.25), ("underwear", 0.3)),
    "womenswear": (("dress", 0.75), ("bags", 0.4), ("shoes", 0.3), ("accessories", 0.25)),
    "kitchen": (("cookware", 0.6), ("storage", 0.5), ("appliances", 0.35), ("drinkware", 0.35)),
    "household": (("cleaning", 0.95), ("bedding", 0.2), ("storage", 0.2)),
    "bedroom": (("bedding", 0.85), ("cleaning", 0.3), ("drinkware", 0.2)),
    "phone_kit": (
        ("cases", 0.6), ("chargers", 0.6), ("powerbanks", 0.35), ("earphones", 0.3),
        ("storage_media", 0.15),
    ),
    "desk_setup": (
        ("peripherals", 0.8), ("storage_media", 0.3), ("chargers", 0.3), ("speakers", 0.25),
    ),
    "audio": (("earphones", 0.7), ("speakers", 0.5), ("cases", 0.2)),
    "tet_gift": (("tet_gifts", 0.95), ("perfume", 0.1), ("drinkware", 0.2)),
    "hotel_supply": (("amenities", 0.95), ("office_supplies", 0.4), ("bedding", 0.3)),
    "office_restock": (("office_supplies", 0.95), ("cleaning", 0.4), ("chargers", 0.2)),
    "corporate_gift": (("corporate_gifts", 0.9), ("tet_gifts", 0.5)),
}
# fmt: on
#: Missions whose share of baskets jumps in the weeks before Tết.
TET_BUNDLES = ("tet_gift", "corporate_gift")
MAX_SLOTS = max(len(slots) for slots in BUNDLES.values())


@dataclass(frozen=True)
class Catalogue:
    """The product list as arrays (products sorted by subcategory, then price)."""

    product_ids: pa.Array
    names: tuple[str, ...]
    brands: tuple[str, ...]
    category: tuple[str, ...]
    subcategory: tuple[str, ...]
    price: IntArray
    tier: IntArray
    subcat_of: IntArray
    is_b2b: BoolArray
    slugs: tuple[str, ...]
    subcat_keys: tuple[str, ...]
    # (subcategory, tier) → first product and number of products
    tier_start: IntArray
    tier_count: IntArray
    bundle_names: tuple[str, ...]
    bundle_subcats: IntArray
    bundle_chance: FloatArray

    def pick(self, rng: np.random.Generator, subcat: IntArray, tier: IntArray) -> IntArray:
        """One product per (subcategory, price tier)."""
        start = self.tier_start[subcat, tier]
        count = self.tier_count[subcat, tier]
        result: IntArray = start + (rng.random(len(subcat)) * count).astype(np.int64)
        return result

    def table(self, import_batch: str) -> pa.Table:
        """The canonical ``products`` table."""
        n = len(self.names)
        sku = [f"SKU-{slug(c)[:4].upper()}-{i + 1:04d}" for i, c in enumerate(self.category)]
        return A.canonical_table(
            "products",
            {
                "product_id": self.product_ids,
                "sku": pa.array(sku, pa.string()),
                "name": pa.array(self.names, pa.string()),
                "category": pa.array(self.category, pa.string()),
                "subcategory": pa.array(self.subcategory, pa.string()),
                "brand": pa.array(self.brands, pa.string()),
                "unit_price_vnd": A.ints(self.price),
                "is_b2b": A.bools(self.is_b2b),
            },
            n,
            import_batch,
        )


def build_catalogue() -> Catalogue:
    """Assemble the product list, price tiers and basket missions."""
    keys = list(SUBCATEGORIES)
    rows: list[tuple[int, str, str, str, str, int, int]] = []
    tier_start = np.zeros((len(keys), 3), dtype=np.int64)
    tier_count = np.zeros((len(keys), 3), dtype=np.int64)
    for s, key in enumerate(keys):
        category, subname, items = SUBCATEGORIES[key]
        ranked = sorted(items, key=lambda item: item[2])
        k = len(ranked)
        # Price terciles within the subcategory; the middle tier is never empty.
        tiers = [min(2, (3 * i) // k) if k > 3 else i for i in range(k)]
        if k == 3:
            tiers = [0, 1, 2]
        for tier, (brand, name, price) in zip(tiers, ranked, strict=True):
            if tier_count[s, tier] == 0:
                tier_start[s, tier] = len(rows)
            tier_count[s, tier] += 1
            rows.append((s, category, subname, brand, name, price, tier))
    bundle_names = tuple(BUNDLES)
    subcats = np.zeros((len(bundle_names), MAX_SLOTS), dtype=np.int64)
    chance = np.zeros((len(bundle_names), MAX_SLOTS))
    for b, name in enumerate(bundle_names):
        for j, (key, p) in enumerate(BUNDLES[name]):
            subcats[b, j] = keys.index(key)
            chance[b, j] = p
    return Catalogue(
        product_ids=A.ids("P", 1, len(rows), 4),
        names=tuple(r[4] for r in rows),
        brands=tuple(r[3] for r in rows),
        category=tuple(r[1] for r in rows),
        subcategory=tuple(r[2] for r in rows),
        price=np.array([r[5] for r in rows], dtype=np.int64),
        tier=np.array([r[6] for r in rows], dtype=np.int64),
        subcat_of=np.array([r[0] for r in rows], dtype=np.int64),
        is_b2b=np.array([r[1] == B2B for r in rows]),
        slugs=tuple(slug(r[4]) for r in rows),
        subcat_keys=tuple(keys),
        tier_start=tier_start,
        tier_count=tier_count,
        bundle_names=bundle_names,
        bundle_subcats=subcats,
        bundle_chance=chance,
    )
