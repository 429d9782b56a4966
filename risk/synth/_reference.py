"""Reference data of the synthetic world: nationalities, posts, cities, languages, names.

Shares are rough orders of magnitude of foreign applications to Indonesia; they only need to
be believable.  Every column here is a *proxy* the world uses deliberately: posts, cities,
languages and agents follow nationality, so a model can learn nationality without seeing it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Country:
    """One nationality (and country of residence) of the world."""

    code: str
    share: float
    names: str
    languages: tuple[tuple[str, float], ...]
    cities: tuple[str, ...]
    posts: tuple[str, ...]
    income: float  # typical declared funds per day of stay, USD
    validity: int  # passport validity in years
    epassport: int  # year chips were introduced
    national_id: str | None = None  # MRZ format of a national id accepted for travel
    muslim: bool = False
    diaspora: tuple[tuple[str, float], ...] = ()


def _c(code, share, names, langs, cities, posts, income, validity=10, epass=2008, **kw):
    return Country(
        code, share, names, tuple(langs), tuple(cities), tuple(posts), income, validity, epass, **kw
    )


_GULF = (("ARE", 0.08), ("SAU", 0.06), ("SGP", 0.02), ("MYS", 0.03))

# fmt: off
COUNTRIES: tuple[Country, ...] = (
    _c("MYS", 13.0, "malay", [("ms", 1.0)],
       ["Kuala Lumpur", "Johor Bahru", "Penang", "Kuching"],
       [
        "Embassy Kuala Lumpur", "Consulate-General Johor Bahru", "Consulate-General Penang",
        "Consulate Kuching"],
       140, 5, 1998, national_id="TD1", muslim=True),
    _c("AUS", 11.0, "anglo", [("en", 1.0)],
       ["Perth", "Sydney", "Melbourne", "Brisbane", "Darwin"],
       [
        "Embassy Canberra", "Consulate-General Perth", "Consulate-General Sydney",
        "Consulate-General Melbourne", "Consulate Darwin"],
       260, 10, 2005),
    _c("SGP", 9.0, "chinese", [("en", 1.0)],
       ["Singapore"],
       ["Embassy Singapore"],
       300, 10, 2006, national_id="TD1"),
    _c("CHN", 8.0, "chinese", [("zh", 1.0)],
       ["Shanghai", "Beijing", "Guangzhou", "Shenzhen", "Chengdu"],
       ["Embassy Beijing", "Consulate-General Shanghai", "Consulate-General Guangzhou"],
       180, 10, 2012),
    _c("IND", 5.0, "indian", [("en", 0.6), ("hi", 0.4)],
       ["Mumbai", "New Delhi", "Bengaluru", "Chennai", "Kolkata"],
       ["Embassy New Delhi", "Consulate-General Mumbai"],
       110, 10, 2024, diaspora=_GULF),
    _c("USA", 4.0, "anglo", [("en", 1.0)],
       ["New York", "Los Angeles", "San Francisco", "Houston", "Chicago"],
       [
        "Embassy Washington", "Consulate-General Los Angeles", "Consulate-General New York",
        "Consulate-General San Francisco"],
       280, 10, 2007),
    _c("JPN", 3.5, "japanese", [("ja", 1.0)],
       ["Tokyo", "Osaka", "Nagoya", "Fukuoka"],
       ["Embassy Tokyo", "Consulate-General Osaka"],
       240, 10, 2006),
    _c("KOR", 3.0, "korean", [("ko", 1.0)],
       ["Seoul", "Busan", "Incheon"],
       ["Embassy Seoul"],
       230, 10, 2008),
    _c("GBR", 3.0, "anglo", [("en", 1.0)],
       ["London", "Manchester", "Birmingham", "Edinburgh"],
       ["Embassy London"],
       260, 10, 2006),
    _c("DEU", 2.5, "german", [("de", 1.0)],
       ["Berlin", "Munich", "Hamburg", "Frankfurt"],
       ["Embassy Berlin", "Consulate-General Frankfurt", "Consulate-General Hamburg"],
       250, 10, 2005),
    _c("FRA", 2.3, "french", [("fr", 1.0)],
       ["Paris", "Lyon", "Marseille", "Toulouse"],
       ["Embassy Paris", "Consulate Marseille"],
       240, 10, 2006),
    _c("NLD", 1.5, "dutch", [("nl", 1.0)],
       ["Amsterdam", "Rotterdam", "The Hague", "Utrecht"],
       ["Embassy The Hague"],
       250, 10, 2006),
    _c("RUS", 2.5, "russian", [("ru", 1.0)],
       ["Moscow", "Saint Petersburg", "Vladivostok", "Novosibirsk"],
       ["Embassy Moscow", "Consulate-General Vladivostok"],
       170, 10, 2010),
    _c("PHL", 2.0, "filipino", [("en", 0.8), ("tl", 0.2)],
       ["Manila", "Davao", "Cebu"],
       ["Embassy Manila", "Consulate-General Davao"],
       80, 10, 2009, national_id="TD2", diaspora=_GULF),
    _c("TWN", 2.0, "chinese", [("zh", 1.0)],
       ["Taipei", "Kaohsiung", "Taichung"],
       ["Indonesian Economic and Trade Office Taipei"],
       220, 10, 2008),
    _c("THA", 1.5, "thai", [("th", 1.0)],
       ["Bangkok", "Chiang Mai", "Songkhla"],
       ["Embassy Bangkok", "Consulate Songkhla"],
       110, 5, 2005, national_id="TD1"),
    _c("VNM", 1.3, "vietnamese", [("vi", 1.0)],
       ["Hanoi", "Ho Chi Minh City", "Da Nang"],
       ["Embassy Hanoi", "Consulate-General Ho Chi Minh City"],
       90, 10, 2023, national_id="TD2"),
    _c("SAU", 1.3, "arabic", [("ar", 1.0)],
       ["Riyadh", "Jeddah", "Dammam"],
       ["Embassy Riyadh", "Consulate-General Jeddah"],
       300, 5, 2011, muslim=True),
    _c("ARE", 0.5, "arabic", [("ar", 1.0)],
       ["Dubai", "Abu Dhabi", "Sharjah"],
       ["Embassy Abu Dhabi", "Consulate-General Dubai"],
       320, 5, 2011, muslim=True),
    _c("PAK", 0.6, "south_asian", [("ur", 0.5), ("en", 0.5)],
       ["Karachi", "Lahore", "Islamabad"],
       ["Embassy Islamabad", "Consulate-General Karachi"],
       70, 10, 2022, muslim=True, diaspora=_GULF),
    _c("BGD", 0.6, "south_asian", [("bn", 0.5), ("en", 0.5)],
       ["Dhaka", "Chittagong"],
       ["Embassy Dhaka"],
       60, 10, 2021, muslim=True, diaspora=_GULF),
    _c("NGA", 0.4, "nigerian", [("en", 1.0)],
       ["Lagos", "Abuja", "Port Harcourt"],
       ["Embassy Abuja"],
       90, 5, 2007, diaspora=(("GBR", 0.06), ("ARE", 0.04))),
    _c("TLS", 1.2, "lusophone", [("pt", 1.0)],
       ["Dili", "Baucau"],
       ["Embassy Dili", "Consulate Suai"],
       50, 5, 2017),
    _c("CAN", 1.0, "anglo", [("en", 0.8), ("fr", 0.2)],
       ["Toronto", "Vancouver", "Montreal"],
       ["Embassy Ottawa", "Consulate-General Vancouver", "Consulate-General Toronto"],
       260, 10, 2013),
    _c("NZL", 1.0, "anglo", [("en", 1.0)],
       ["Auckland", "Wellington", "Christchurch"],
       ["Embassy Wellington"],
       250, 10, 2005),
    _c("ITA", 1.0, "italian", [("it", 1.0)],
       ["Rome", "Milan", "Naples", "Turin"],
       ["Embassy Rome"],
       230, 10, 2006),
    _c("ESP", 0.8, "spanish", [("es", 1.0)],
       ["Madrid", "Barcelona", "Valencia"],
       ["Embassy Madrid"],
       220, 10, 2006),
    _c("CHE", 0.7, "german", [("de", 0.6), ("fr", 0.3), ("it", 0.1)],
       ["Zurich", "Geneva", "Basel"],
       ["Embassy Bern"],
       350, 10, 2006),
    _c("BRA", 0.5, "lusophone", [("pt", 1.0)],
       ["Sao Paulo", "Rio de Janeiro", "Brasilia"],
       ["Embassy Brasilia"],
       150, 10, 2010),
    _c("HKG", 0.8, "chinese", [("zh", 0.5), ("en", 0.5)],
       ["Hong Kong"],
       ["Consulate-General Hong Kong"],
       260, 10, 2007),
    _c("MMR", 0.4, "burmese", [("my", 1.0)],
       ["Yangon", "Mandalay"],
       ["Embassy Yangon"],
       50, 5, 2023),
    _c("KHM", 0.3, "khmer", [("km", 1.0)],
       ["Phnom Penh", "Siem Reap"],
       ["Embassy Phnom Penh"],
       60, 10, 2017),
    _c("LAO", 0.2, "lao", [("lo", 1.0)],
       ["Vientiane"],
       ["Embassy Vientiane"],
       55, 5, 2016),
    _c("BRN", 0.5, "malay", [("ms", 1.0)],
       ["Bandar Seri Begawan"],
       ["Embassy Bandar Seri Begawan"],
       260, 5, 2007, national_id="TD1", muslim=True),
    _c("TUR", 0.5, "turkish", [("tr", 1.0)],
       ["Istanbul", "Ankara", "Izmir"],
       ["Embassy Ankara", "Consulate-General Istanbul"],
       140, 10, 2010, muslim=True),
    _c("EGY", 0.3, "arabic", [("ar", 1.0)],
       ["Cairo", "Alexandria"],
       ["Embassy Cairo"],
       70, 7, 2025, muslim=True, diaspora=(("SAU", 0.1), ("ARE", 0.06))),
    _c("IRN", 0.3, "persian", [("fa", 1.0)],
       ["Tehran", "Mashhad", "Isfahan"],
       ["Embassy Tehran"],
       80, 5, 2011, muslim=True),
    _c("POL", 0.5, "slavic", [("pl", 1.0)],
       ["Warsaw", "Krakow", "Wroclaw"],
       ["Embassy Warsaw"],
       190, 10, 2006),
    _c("SWE", 0.5, "nordic", [("sv", 1.0)],
       ["Stockholm", "Gothenburg", "Malmo"],
       ["Embassy Stockholm"],
       260, 5, 2005),
    _c("ZAF", 0.3, "anglo", [("en", 1.0)],
       ["Johannesburg", "Cape Town", "Durban"],
       ["Embassy Pretoria"],
       150, 10, 2009),
    _c("UKR", 0.5, "slavic", [("uk", 1.0)],
       ["Kyiv", "Lviv", "Odesa"],
       ["Embassy Kyiv"],
       110, 10, 2015),
    _c("KAZ", 0.3, "russian", [("kk", 0.5), ("ru", 0.5)],
       ["Almaty", "Astana"],
       ["Embassy Astana"],
       120, 10, 2009, muslim=True),
)
# fmt: on

CODES = np.array([c.code for c in COUNTRIES])
INDEX = {c.code: i for i, c in enumerate(COUNTRIES)}
SHARES = np.array([c.share for c in COUNTRIES]) / sum(c.share for c in COUNTRIES)
ASEAN = frozenset({"MYS", "SGP", "PHL", "THA", "VNM", "MMR", "KHM", "LAO", "BRN"})

#: Nationalities not eligible for a visa on arrival (they apply online or at a post).
VOA_INELIGIBLE = frozenset({"NGA", "PAK", "BGD", "IRN"})

#: Remote channels: e-visa online, visa on arrival at the main ports.
EVISA = "e-Visa (online)"
VOA_POSTS = (
    ("Visa on Arrival Ngurah Rai Bali", 0.55),
    ("Visa on Arrival Soekarno-Hatta Jakarta", 0.25),
    ("Visa on Arrival Batam Centre Ferry", 0.12),
    ("Visa on Arrival Kualanamu Medan", 0.08),
)
PORTS = (
    ("Ngurah Rai Bali (DPS)", 0.45),
    ("Soekarno-Hatta Jakarta (CGK)", 0.30),
    ("Batam Centre Ferry (BTH)", 0.08),
    ("Kualanamu Medan (KNO)", 0.06),
    ("Juanda Surabaya (SUB)", 0.05),
    ("Sam Ratulangi Manado (MDC)", 0.03),
    ("Mota'ain Land Border (NTT)", 0.03),
)

#: Occupations by kind: (name, is_employed).
OCCUPATIONS = {
    "employed": (
        "engineer",
        "teacher",
        "manager",
        "software developer",
        "nurse",
        "accountant",
        "sales representative",
        "civil servant",
        "technician",
        "chef",
        "consultant",
        "doctor",
        "driver",
        "construction worker",
        "designer",
    ),
    "self": ("self-employed", "business owner", "farmer", "trader", "artist"),
    "none": ("unemployed", "homemaker"),
}

REFUSAL_REASONS = (
    "insufficient_funds",
    "document_irregularity",
    "prior_overstay",
    "purpose_not_credible",
    "incomplete_application",
    "sponsor_not_eligible",
    "misrepresentation",
)

#: Flat lists, so tables can carry small integer codes instead of Python strings.
CITIES = tuple(city for c in COUNTRIES for city in c.cities)
CITY_OFFSET = np.cumsum([0, *(len(c.cities) for c in COUNTRIES)])[:-1]
PLACES = (EVISA, *(v[0] for v in VOA_POSTS), *(post for c in COUNTRIES for post in c.posts))
POST_OFFSET = 1 + len(VOA_POSTS) + np.cumsum([0, *(len(c.posts) for c in COUNTRIES)])[:-1]
LANGUAGES = tuple(sorted({lang for c in COUNTRIES for lang, _ in c.languages} | {"id"}))
OCCUPATION_NAMES = (
    *OCCUPATIONS["employed"],
    *OCCUPATIONS["self"],
    *OCCUPATIONS["none"],
    "student",
    "retired",
)
