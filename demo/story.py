"""The story the demo's values tell, as named constants: the source article's figures.

Hà Giang's breakthrough plan for applying science and technology, 2016–2020: by the second
quarter of 2017, 7 of the 12 departments had deployed their breakthrough task group, and 4 of
the 4 district task groups were deployed, with 11 specific tasks; the 2017 targets of IT in
management (schools, hospitals, restaurants, hotels) were met. This module says which codes
carry those figures, which units play which part, and what the clerks write in their notes.
The catalog itself (names, forms, disaggregations, years, targets) is read, never copied here.

Then the continuing plan (2021–2030) and the 2025 reform: departments merge in March 2025, Hà
Giang joins Tuyên Quang and the districts end on 30 June 2025; from 1 July 2025 the communes
send the districts' forms (`COMMUNE_FORM`, `COMMUNE_SURVEY`), each a share of its district's
figures (the catalog's succession weights), so the series go on across the break. The story
ends on `DEMO_TODAY`: every period due before it is owed, none after.
"""

from __future__ import annotations

from datetime import date

from core.catalog import Catalog

# ---------------------------------------------------------------- the forms of the story
DEPARTMENT_FORM = "DP-SN"  # the departments' quarterly report on breakthrough tasks
DISTRICT_FORM = "DP-HUYEN"  # the districts' quarterly report on breakthrough tasks
IT_SURVEY = "CNTT-NAM"  # the districts' yearly survey of IT in management
COMMUNE_FORM = "DP-XA"  # from 2025Q3: the communes' quarterly report, the districts' form's lines
COMMUNE_SURVEY = "CNTT-XA"  # from 2025: the communes' yearly IT survey, the districts' survey's lines
SUCCEEDING_FORMS = {DISTRICT_FORM: COMMUNE_FORM, IT_SURVEY: COMMUNE_SURVEY}

# ---------------------------------------------------------------- the story's last day
# The demo's "today": the inbox holds every period due before it (communes up to 2026Q2, due
# 2026-07-10), and its files are all received by then.
DEMO_TODAY = date(2026, 7, 25)

# ---------------------------------------------------------------- the article's figures
STORY_QUARTER = "2017Q2"
STORY_YEAR = 2017
DEPARTMENTS_DEPLOYED_BY_STORY_QUARTER = 7  # of the 12 department task groups
DISTRICTS_WITH_TASKS_BY_STORY_QUARTER = 4  # each with its one task group, all deployed
DISTRICT_TASKS_IN_STORY_QUARTER = 11  # specific tasks of those 4 district task groups

# ---------------------------------------------------------------- the indicators that carry them
TASK_GROUPS_ASSIGNED = "NV_GIAO"
TASK_GROUPS_DEPLOYED = "NV_TRIENKHAI"
SPECIFIC_TASKS = "NV_CUTHE"
TASKS_COMPLETED = "NV_HOANTHANH"
FUNDING_ALLOCATED = "KP_BOTRI"
FUNDING_DISBURSED = "KP_GIAINGAN"
PROJECTS_UNDER_WAY = "DTDA_SOLUONG"
SCIENCE_ENTERPRISES = "DN_KHCN"
ONLINE_PROCEDURES_SHARE = "DVC_TRUCTUYEN_TYLE"
MODELS_REPLICATED = "MH_NHANRONG"
SPECIALTY_PRODUCTS = "SP_DACTRUNG"
NEWS_ITEMS = "TT_TIN"
ESTABLISHMENTS = "CNTT_TONG"
ESTABLISHMENTS_WITH_IT = "CNTT_UNGDUNG"
IT_SHARE = "CNTT_TYLE"  # derived: 100 × ESTABLISHMENTS_WITH_IT / ESTABLISHMENTS, with the story's targets

SCHOOLS, HOSPITALS, RESTAURANTS, HOTELS = "TRUONGHOC", "BENHVIEN", "NHAHANG", "KHACHSAN"

# ---------------------------------------------------------------- the units that play a part
SCIENCE_DEPARTMENT = "SKHCN"  # the largest budget, most projects and news
IT_DEPARTMENT = "STTTT"  # online procedures, news
AGRICULTURE_DEPARTMENT = "SNNPTNT"
HEALTH_DEPARTMENT = "SYT"
TRADE_DEPARTMENT = "SCT"  # supports enterprises with the science department
PROVINCIAL_CITY = "024"  # more restaurants and hotels, fewer schools
TOURIST_DISTRICTS = ("026", "027")  # the Đồng Văn karst plateau: restaurants and hotels
MISSPELT_UNIT = ("SKHCN", "SKHCN2")  # a unit and the code its clerk once typed
MISTYPED_DISTRICT = ("029", "099")

# ---------------------------------------------------------------- IT in management, year by year
# Share of each kind of establishment applying IT, province-wide, before the story's adjustments.
IT_SHARE_LEVELS = {
    2016: {SCHOOLS: 0.80, HOSPITALS: 0.86, RESTAURANTS: 0.45, HOTELS: 0.55},
    2017: {SCHOOLS: 0.93, HOSPITALS: 0.97, RESTAURANTS: 0.65, HOTELS: 0.74},
    2018: {SCHOOLS: 0.95, HOSPITALS: 1.00, RESTAURANTS: 0.72, HOTELS: 0.80},
    2019: {SCHOOLS: 0.97, HOSPITALS: 1.00, RESTAURANTS: 0.80, HOTELS: 0.86},
    2020: {SCHOOLS: 0.99, HOSPITALS: 1.00, RESTAURANTS: 0.87, HOTELS: 0.92},
    2021: {SCHOOLS: 0.99, HOSPITALS: 1.00, RESTAURANTS: 0.88, HOTELS: 0.93},
    2022: {SCHOOLS: 0.99, HOSPITALS: 1.00, RESTAURANTS: 0.90, HOTELS: 0.94},
    2023: {SCHOOLS: 1.00, HOSPITALS: 1.00, RESTAURANTS: 0.91, HOTELS: 0.95},
    2024: {SCHOOLS: 1.00, HOSPITALS: 1.00, RESTAURANTS: 0.92, HOTELS: 0.96},
}
# Territory the catalog does not hold (old Tuyên Quang, merged in on 1 July 2025): its figures are
# drawn like those of so many Hà Giang districts, each shared among about this many new communes.
COMMUNES_PER_OLD_DISTRICT = 7
MINIMUM_HOSPITALS = 20  # so that one hospital without IT still leaves the share at 95 % or more


def it_share_targets(catalog: Catalog, year: int = STORY_YEAR) -> dict[str, float]:
    """The province's IT-share targets of a year by disaggregation, in %, from the catalog's targets."""
    return {
        row["disaggregation"]: float(row["target"])
        for row in catalog.table("targets")
        if row["indicator_code"] == IT_SHARE and row["scope"] == "province" and int(row["year"]) == year
    }


# ---------------------------------------------------------------- what the clerks write
NOTES = {
    TASK_GROUPS_ASSIGNED: [
        "Theo Kế hoạch đột phá của UBND tỉnh",
        "Nhóm nhiệm vụ ứng dụng CNTT trong quản lý",
        "Giao bổ sung trong năm",
    ],
    TASK_GROUPS_DEPLOYED: [
        "Đang triển khai",
        "Chưa triển khai do chưa bố trí kinh phí",
        "Đã phê duyệt đề cương",
    ],
    SPECIFIC_TASKS: [
        "Nhiệm vụ nhỏ lẻ, phân tán",
        "Một số nhiệm vụ chưa khả thi, đề nghị điều chỉnh",
    ],
    TASKS_COMPLETED: ["Còn nhiệm vụ chuyển sang năm sau", "Đã nghiệm thu cấp cơ sở"],
    FUNDING_ALLOCATED: ["Theo Quyết định giao dự toán đầu năm", "Nguồn sự nghiệp KHCN"],
    FUNDING_DISBURSED: ["Số liệu đến hết quý", "Giải ngân chậm do thủ tục thanh toán"],
    PROJECTS_UNDER_WAY: ["Gồm cả đề tài cấp tỉnh và cấp cơ sở"],
    SCIENCE_ENTERPRISES: ["Chưa có doanh nghiệp đủ điều kiện", "Đang hướng dẫn hồ sơ"],
    ONLINE_PROCEDURES_SHARE: ["Mức độ 3, 4", "Trên Cổng dịch vụ công của tỉnh"],
    MODELS_REPLICATED: [
        "Mô hình trồng chè Shan tuyết",
        "Mô hình nuôi ong lấy mật",
        "Mô hình cam sành",
    ],
    SPECIALTY_PRODUCTS: ["Mật ong bạc hà", "Chè Shan tuyết", "Cam sành", "Hồng không hạt", "Bò vàng"],
    NEWS_ITEMS: ["Đăng trên Báo Hà Giang, Cổng TTĐT tỉnh", "Tin, bài trên đài truyền thanh huyện"],
    ESTABLISHMENTS: ["Theo số liệu thống kê tháng 12", "Gồm cả cơ sở tư nhân"],
    ESTABLISHMENTS_WITH_IT: ["Có phần mềm quản lý", "Sử dụng phần mềm kế toán, quản lý hồ sơ"],
}
# Notes that start like a spreadsheet formula: kept as text, flagged as a warning.
FORMULA_NOTES = [
    (SPECIFIC_TASKS, "=Quý trước + 1 nhiệm vụ"),
    (TASKS_COMPLETED, "+1 nhiệm vụ so với quý trước"),
    (NEWS_ITEMS, "+ tin trên Cổng TTĐT"),
    (FUNDING_DISBURSED, "=Tổng các đợt giải ngân"),
    (TASK_GROUPS_ASSIGNED, "+0 so với kỳ trước"),
    (FUNDING_ALLOCATED, "=Dự toán đầu năm"),
    (ESTABLISHMENTS, "+2 trường mới thành lập"),
    (ESTABLISHMENTS_WITH_IT, "=Số trường có phần mềm"),
]
CLERKS = [
    "Nguyễn Thị Hoa",
    "Lò Văn Sùng",
    "Hoàng Văn Thắng",
    "Vàng Thị Mai",
    "Lý Seo Chứ",
    "Đặng Thị Thu",
    "Giàng A Páo",
    "Trần Minh Đức",
    "Phạm Thị Hằng",
    "Nông Văn Dũng",
    "Lê Thị Ngọc Ánh",
    "Vũ Quốc Khánh",
]
