"""Names of applicants, from the naming tradition of their nationality."""

from __future__ import annotations

import numpy as np

from ._reference import COUNTRIES

# fmt: off
_NAME_PARTS = {
    "malay": (
        "ABDULLAH|RAHMAN|ISMAIL|HASSAN|OMAR|YUSOF|IBRAHIM|AZIZ",
        "NUR AISYAH|SITI|FATIMAH|NURUL|AMINAH|FARAH",
        "MUHAMMAD|AHMAD|HAFIZ|AMIR|FAIZAL|RAZAK",
    ),
    "anglo": (
        "SMITH|JONES|WILLIAMS|BROWN|TAYLOR|WILSON|MARTIN|WHITE|THOMPSON|CLARKE",
        "EMMA|OLIVIA|SARAH|CHLOE|JESSICA|GRACE|RUBY|CHARLOTTE",
        "JACK|JAMES|OLIVER|THOMAS|LIAM|NOAH|WILLIAM|DANIEL",
    ),
    "chinese": (
        "WANG|LI|ZHANG|LIU|CHEN|YANG|HUANG|ZHAO|TAN|LIM|LEE|NG",
        "XIU YING|MEI LING|JING|HUI MIN|LI NA|YAN",
        "WEI|JUN|HAO|MING|JIAN HUA|ZHI WEI",
    ),
    "indian": (
        "SHARMA|PATEL|SINGH|KUMAR|GUPTA|REDDY|NAIR|IYER",
        "PRIYA|ANJALI|DEEPIKA|KAVYA|LAKSHMI|NEHA",
        "RAHUL|ARJUN|VIKRAM|SURESH|RAJESH|AMIT",
    ),
    "japanese": (
        "SATO|SUZUKI|TAKAHASHI|TANAKA|WATANABE|ITO|YAMAMOTO",
        "YUKI|HANA|AOI|SAKURA|MEI|HARUKA",
        "HIROSHI|TAKESHI|KENJI|SHO|REN|HARUTO",
    ),
    "korean": (
        "KIM|LEE|PARK|CHOI|JUNG|KANG|CHO|YOON",
        "JI WOO|SEO YEON|MIN JI|HA EUN|SU BIN",
        "MIN JUN|SEO JUN|JI HO|DONG HYUN|JAE WON",
    ),
    "german": (
        "MUELLER|SCHMIDT|SCHNEIDER|FISCHER|WEBER|MEYER|WAGNER",
        "ANNA|LENA|JULIA|LAURA|KATHARINA|SOPHIE",
        "LUKAS|JONAS|FELIX|MAXIMILIAN|PAUL|STEFAN",
    ),
    "french": (
        "MARTIN|BERNARD|DUBOIS|THOMAS|ROBERT|PETIT|DURAND",
        "CAMILLE|LEA|MANON|CHLOE|INES|CLAIRE",
        "LOUIS|HUGO|GABRIEL|ARTHUR|JULES|ANTOINE",
    ),
    "dutch": (
        "DE JONG|JANSEN|DE VRIES|VAN DEN BERG|BAKKER|VISSER",
        "EMMA|SOPHIE|JULIA|ANOUK|FLEUR",
        "DAAN|SEM|LUCAS|JESSE|BRAM",
    ),
    "russian": (
        "IVANOV|SMIRNOV|KUZNETSOV|POPOV|VASILIEV|PETROVA|SOKOLOVA",
        "ANASTASIA|MARIA|DARIA|EKATERINA|OLGA|ANNA",
        "ALEXANDER|DMITRY|SERGEY|MAXIM|IVAN|ARTEM",
    ),
    "filipino": (
        "SANTOS|REYES|CRUZ|BAUTISTA|GARCIA|MENDOZA|DELA CRUZ",
        "MARIA|ANGELICA|KRISTINE|JASMINE|MARICEL",
        "JOSE|MARK|JOHN PAUL|RODEL|JUNIOR",
    ),
    "thai": (
        "SUKSAWAT|CHAIYAPORN|SRISAI|WONGSA|RATTANA|BOONMEE",
        "SIRIPORN|NATTAYA|KANYA|PORNTIP|ARIYA",
        "SOMCHAI|ANAN|KITTI|WICHAI|PRASERT",
    ),
    "vietnamese": (
        "NGUYEN|TRAN|LE|PHAM|HOANG|PHAN|VU|DANG",
        "THI LAN|THI HOA|NGOC ANH|THU TRANG|MAI",
        "VAN NAM|MINH|DUC ANH|QUANG|HUNG",
    ),
    "arabic": (
        "ALHARBI|ALQAHTANI|ALGHAMDI|ALMANSOURI|HASSAN|ALI|MAHMOUD",
        "FATIMA|NOURA|AISHA|MARYAM|LAYLA|SARA",
        "MOHAMMED|ABDULLAH|KHALID|OMAR|YOUSEF|AHMED",
    ),
    "south_asian": (
        "KHAN|AHMED|HOSSAIN|RAHMAN|CHOWDHURY|MALIK|BUTT",
        "AYESHA|FATIMA|NUSRAT|SADIA|RUBINA",
        "MUHAMMAD|IMRAN|RAFIQ|SHAHID|TANVIR",
    ),
    "nigerian": (
        "ADEYEMI|OKAFOR|OKONKWO|BELLO|ADEBAYO|EZE|IBRAHIM",
        "CHIOMA|NGOZI|FUNMILAYO|AMINA|BLESSING",
        "CHINEDU|EMEKA|OLUWASEUN|TUNDE|IBRAHIM",
    ),
    "lusophone": (
        "DA SILVA|SANTOS|PEREIRA|FERREIRA|SOARES|XIMENES|DOS REIS",
        "MARIA|ANA|JULIANA|BEATRIZ|FERNANDA",
        "JOAO|PEDRO|LUCAS|MATEUS|JOSE",
    ),
    "italian": (
        "ROSSI|RUSSO|FERRARI|ESPOSITO|BIANCHI|ROMANO",
        "GIULIA|CHIARA|FRANCESCA|SOFIA|ALESSIA",
        "MARCO|LUCA|MATTEO|ANDREA|FRANCESCO",
    ),
    "spanish": (
        "GARCIA|FERNANDEZ|GONZALEZ|RODRIGUEZ|LOPEZ|MARTINEZ",
        "LUCIA|MARIA|PAULA|CARMEN|ELENA",
        "HUGO|PABLO|ALEJANDRO|JAVIER|DAVID",
    ),
    "burmese": (
        "AUNG|HTUN|KYAW|MYINT|WIN|OO",
        "AYE AYE|SU SU|THIDA|KHIN|MAY",
        "ZAW|MIN|THANT|KO KO|HLAING",
    ),
    "khmer": (
        "SOK|CHAN|KEO|PICH|HENG|LIM",
        "SREY|DARA|SOPHEA|CHANTHA|BOPHA",
        "VANNAK|SAMNANG|RITHY|VIBOL|SOPHAL",
    ),
    "lao": (
        "PHOMMA|SOUVANNA|VONGSA|KEOLA|SAYASANE",
        "NOY|KHAMPHONE|VANH|DALA|MALY",
        "SOMPHONE|BOUNMY|KHAMSING|SOUK|VIENG",
    ),
    "turkish": (
        "YILMAZ|KAYA|DEMIR|SAHIN|CELIK|YILDIZ",
        "ZEYNEP|ELIF|AYSE|MERVE|FATMA",
        "MEHMET|MUSTAFA|AHMET|EMRE|BURAK",
    ),
    "persian": (
        "HOSSEINI|MOHAMMADI|AHMADI|REZAEI|KARIMI|MOUSAVI",
        "ZAHRA|MARYAM|FATEMEH|NEGAR|SHIRIN",
        "ALI|REZA|HOSSEIN|MEHDI|AMIR",
    ),
    "slavic": (
        "NOWAK|KOWALSKI|SHEVCHENKO|KOVALENKO|WISNIEWSKA|BONDARENKO",
        "ANNA|KATARZYNA|OLENA|IRYNA|MAGDALENA",
        "PIOTR|TOMASZ|ANDRIY|OLEKSANDR|JAKUB",
    ),
    "nordic": (
        "ANDERSSON|JOHANSSON|KARLSSON|NILSSON|ERIKSSON|LARSSON",
        "ELSA|ALICE|MAJA|ASTRID|INGRID",
        "ERIK|LARS|OSCAR|HUGO|NILS",
    ),
}
# fmt: on
#: Name parts by naming tradition: (surnames, female given names, male given names).
NAMES: dict[str, tuple[tuple[str, ...], ...]] = {
    key: tuple(tuple(part.split("|")) for part in parts) for key, parts in _NAME_PARTS.items()
}

SURNAMES = tuple(sorted({s for parts in NAMES.values() for s in parts[0]}))
GIVEN_NAMES = tuple(sorted({g for parts in NAMES.values() for g in (*parts[1], *parts[2])}))

_S = {name: i for i, name in enumerate(SURNAMES)}
_G = {name: i for i, name in enumerate(GIVEN_NAMES)}


def names(rng: np.random.Generator, nat: np.ndarray, sex: np.ndarray):
    """Surname, given name and second given name (-1: none) of each person, as codes.

    Codes index :data:`SURNAMES` and :data:`GIVEN_NAMES` (upper-case ASCII).
    """
    k = len(nat)
    surname = np.zeros(k, dtype=np.int64)
    given = np.zeros(k, dtype=np.int64)
    given2 = np.full(k, -1, dtype=np.int64)
    region = np.array([c.names for c in COUNTRIES], dtype=object)[nat]
    second = rng.random(k) < 0.3
    for key, (surnames, female, male) in NAMES.items():
        hit = np.flatnonzero(region == key)
        if not len(hit):
            continue
        s = np.array([_S[x] for x in surnames])
        surname[hit] = s[rng.integers(0, len(s), len(hit))]
        pool_f, pool_m = np.array([_G[x] for x in female]), np.array([_G[x] for x in male])
        is_f = (sex[hit] == 0) | ((sex[hit] == 2) & (rng.random(len(hit)) < 0.5))
        first = np.where(
            is_f,
            pool_f[rng.integers(0, len(pool_f), len(hit))],
            pool_m[rng.integers(0, len(pool_m), len(hit))],
        )
        extra = np.where(
            is_f,
            pool_f[rng.integers(0, len(pool_f), len(hit))],
            pool_m[rng.integers(0, len(pool_m), len(hit))],
        )
        both = second[hit] & (first != extra)
        given[hit] = first
        given2[hit] = np.where(both, extra, -1)
    return surname, given, given2
