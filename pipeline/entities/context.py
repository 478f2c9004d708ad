"""Names whose type the words around them decide, not a list of names.

- **Places after an administrative noun**: ``tỉnh Quảng Nam``, ``huyện Ba Bể``, ``xã Bảo Ninh``,
  sentence-initial ``Thành phố Yên Bái``: the capitalised run after ``tỉnh``/``huyện``/``xã``/``phường``...
  is a LOC, the noun stays outside (guidelines), whatever the name would be on its own (a person's name
  in ``phường Nguyễn Thái Học``); after a plural noun, so is every name of the list
  (``gồm 4 phường: Hồng Hà, Minh Tân, Nguyễn Thái Học``).
- **People by family name**: a run of two to four capitalised syllables that starts with a Vietnamese or
  Chinese family name (``resources/surnames.tsv``: ``Nguyễn Văn Huy``, ``Trương Minh Giảng``, ``Tôn Sách``)
  is a PER, unless a place noun stands before it (``phố Lê Thánh Tông``, ``trường Nguyễn Du``) or a place
  list knows the same span (``Cao Bằng``: gazetteer matches outrank this rule at equal length).
- **Armies**: lower-case ``quân`` before a country or polity is its army (``quân Pháp``, ``quân miền Bắc``).
- **Initials**: ``George G. Meade`` is a person; so are ``ông T.V.D.`` and ``anh L.`` (initials after a title
  or a kinship word), with their dots.
"""
from __future__ import annotations

import re

from .candidates import Candidate
from .gazetteer import Syllable, Vocabulary, continues_word, joined, vietnamese_words
from .linking import fold
from .resources import countries, surnames

ADMIN_WORDS = {"tỉnh", "huyện", "xã", "phường", "quận", "thị xã", "thị trấn", "thành phố", "làng", "thôn", "xóm", "ấp",
               "châu", "phủ", "trấn", "lộ", "tổng", "kinh đô", "kinh thành", "tỉnh lỵ", "huyện lỵ", "thủ phủ",
               "thủ đô", "nước"}
ADMIN_NOUNS = Vocabulary(ADMIN_WORDS)
# Nouns before a name that make it a place or an institution, not the person it is named after.
PLACE_NOUNS = {"phố", "đường", "trường", "cầu", "chợ", "sông", "núi", "đảo", "đền", "chùa", "lăng", "quảng trường",
               "nhà", "triều", "thời", "cung", "điện", "giải", "huân chương", "giải thưởng", "khu", "vùng", "miền",
               "hồ", "đầm", "vịnh", "cảng", "sân bay", "sân vận động", "bệnh viện", "đại lộ", "bến", "ga",
               "vương quốc", "nước", "đế quốc", "cao nguyên", "dãy núi", "đồng bằng", "thung lũng", "kênh",
               "văn hóa", "văn hoá", "phái", "dòng", "họ", "tộc"}
DIRECTIONS = {"Bắc": "Northern", "Nam": "Southern", "Đông": "Eastern", "Tây": "Western", "Trung": "Central"}
INITIALS = re.compile(r"(?:[A-ZĐ]\.\s?){1,4}")
INITIALLED = re.compile(r"(?<![\w.])[A-ZÀ-Þ][a-zà-ÿ]+(?: [A-Z]\.)+ (?!The |Of |And )[A-ZÀ-Þ][a-zà-ÿ]+(?:[ -][A-ZÀ-Þ][a-zà-ÿ]+)?(?![\w])")
KINSHIP = Vocabulary("ông|bà|anh|chị|cô|chú|bác|em|cháu|cụ|ngài|thầy|bé".split("|"))


def _run(text: str, syls: list[Syllable], k: int, limit: int = 4) -> int:
    """Last syllable of the run of capitalised alphabetic syllables joined by spaces from ``k``."""
    last = k
    while last + 1 < len(syls) and last - k + 1 < limit and joined(text, syls[last], syls[last + 1]) \
            and syls[last + 1].capitalised and syls[last + 1].text[:1].isalpha() and len(syls[last + 1].text) > 1:
        last += 1
    return last


def find_admin_places(text: str, syls: list[Syllable]) -> list[Candidate]:
    """LOC candidates for the names after administrative nouns (lower case, or capitalised at a sentence start)."""
    out = []
    for i in ADMIN_NOUNS.starts(syls):
        noun = ADMIN_NOUNS.match(text, syls, i)
        if not noun:
            continue
        if syls[i].capitalised and not _starts_sentence(text, syls[i]):
            continue  # "Quân khu Yên Bái", "Châu Đăng": a capitalised noun mid-sentence is part of the name
        if i > 0 and (f"{syls[i - 1].lower} {syls[i].lower}" in vietnamese_words()
                      or syls[i - 1].capitalised and joined(text, syls[i - 1], syls[i])):
            continue  # "chính phủ", "nhà nước", "Mạc phủ": the noun ends another word or name
        k = noun[1] + 1
        plural = i > 0 and (syls[i - 1].lower in ("các", "những", "hai", "ba", "bốn", "năm", "sáu", "gồm")
                            or syls[i - 1].text.isdigit())
        if plural and k + 1 < len(syls) and syls[k].text == ":" and text[syls[k].end:syls[k + 1].start] == " ":
            k += 1  # "gồm 4 phường: Hồng Hà, Minh Tân"
        elif k >= len(syls) or not joined(text, syls[k - 1], syls[k]):
            continue
        if k >= len(syls) or not syls[k].capitalised or not syls[k].text[:1].isalpha() or len(syls[k].text) < 2:
            continue
        while True:
            last = _run(text, syls, k)
            if syls[k].text.isupper() or continues_word(text, syls, last):
                break  # "các nước BRIC", "nước Cộng| hòa": an acronym, or a name cut inside a word
            start, end = syls[k].start, syls[last].end
            name = " ".join(text[start:end].split())
            out.append(Candidate(start, end, "LOC", "ruler:admin", text[start:end], name_en=fold(name),
                                 key=f"LOC:{fold(name)}", score=0.8))
            k = _list_continues(text, syls, last + 1) if plural else None
            if k is None:
                break
    return out


def _list_continues(text: str, syls: list[Syllable], j: int) -> int | None:
    """``các xã Yên Hoà, Yên Thái và Yên Thịnh``: the next name of a list after a plural administrative noun."""
    if j + 1 < len(syls) and syls[j].text in (",", ";") or (j < len(syls) and syls[j].lower == "và"):
        k = j + 1
        if k < len(syls) and syls[k].capitalised and syls[k].text[:1].isalpha() and len(syls[k].text) > 1 \
                and not ADMIN_NOUNS.match(text, syls, k) and text[syls[j].end:syls[k].start] == " ":
            return k
    return None


def find_family_names(text: str, syls: list[Syllable]) -> list[Candidate]:
    """PER candidates for capitalised runs that start with a family name (see the module docstring)."""
    families, out = surnames(), []
    for k, syl in enumerate(syls):
        if syl.text not in families or (k > 0 and joined(text, syls[k - 1], syl) and syls[k - 1].capitalised
                                        and syls[k - 1].text[:1].isalpha()):
            continue
        last = _run(text, syls, k)
        if last == k or _after_place_noun(text, syl):
            continue
        start, end = syl.start, syls[last].end
        out.append(Candidate(start, end, "PER", "ruler:family-name", text[start:end], key=f"PER:{text[start:end]}",
                             score=0.7))
    return out


def find_armies(text: str, syls: list[Syllable], places: dict) -> list[Candidate]:
    """``quân Pháp``, ``quân Xiêm La``, ``quân miền Bắc``: lower-case ``quân`` before a place or a polity's
    name is that polity's army, one UNIT (guidelines); ``places`` maps a syllable index to a LOC gazetteer
    match starting there."""
    out = []
    for k, syl in enumerate(syls[:-1]):
        if syl.lower != "quân" or not joined(text, syl, syls[k + 1]):
            continue
        n = k + 1
        if syls[n].lower == "đội" and n + 1 < len(syls) and joined(text, syls[n], syls[n + 1]) \
                and (syls[n + 1].lower == "miền" or syls[n + 1].capitalised):
            n += 1  # "quân đội miền Bắc", "quân đội Liên Xô" (bare "quân đội" is no unit)
        elif syl.capitalised and not syls[n].capitalised:
            continue  # "Quân đội", "Quân sự" at a sentence start
        if n in places and places[n].entry.label == "LOC":
            last, entry = places[n].last, places[n].entry
            country = countries().get(entry.key.split(":", 1)[1])
            name = country.adjective_en if country else entry.name_en
        elif syls[n].lower == "miền" and n + 1 < len(syls) and syls[n + 1].capitalised:
            last, name = n + 1, DIRECTIONS.get(syls[n + 1].text, fold(syls[n + 1].text))
        elif syls[n].capitalised and syls[n].text[:1].isalpha() and len(syls[n].text) > 1:
            last = _run(text, syls, n, limit=3)
            last += continues_word(text, syls, last)  # "quân Liên bang", "quân Liên minh"
            if last + 2 < len(syls) and syls[last + 1].lower == "miền" and syls[last + 2].capitalised \
                    and joined(text, syls[last], syls[last + 1]):
                last += 2  # "quân Liên bang miền Bắc"
            name = fold(" ".join(s.text for s in syls[n:last + 1]))
        else:
            continue
        start, end = syl.start, syls[last].end
        out.append(Candidate(start, end, "UNIT", "ruler:army", text[start:end], name_en=f"{name} forces",
                             key=f"UNIT:{name} forces", score=0.7))
    return out


REGION = re.compile(r"(?<!\w)[Mm]iền (?P<dir>(?:[ĐđTt]ây|[ĐđNn]am|[ĐđBb]ắc|[Đđ]ông|[Tt]rung)(?: (?:[Bb]ắc|[Nn]am))?)(?!\w)"
                    r"(?! (?:tỉnh|huyện|thành phố|nước|của|[A-ZĐ]))")


def find_regions(text: str) -> list[Candidate]:
    """``miền Bắc``, ``miền Đông Bắc``: a region named by its direction is a LOC, noun included (guidelines);
    ``miền Bắc tỉnh Miyagi`` and ``miền Bắc Việt Nam``, the north of a named place, are not."""
    out = []
    for m in REGION.finditer(text):
        words = m["dir"].split()
        name_en = " ".join(DIRECTIONS.get(w.capitalize(), w) for w in words).replace("Northern Eastern", "Northeastern")
        out.append(Candidate(m.start(), m.end(), "LOC", "ruler:region", m.group(), name_en=f"{name_en} region",
                             key=f"LOC:{name_en} region", score=0.7))
    return out


NATIONAL_BODIES = {"Chính phủ": "Government of Vietnam", "Quốc hội": "National Assembly of Vietnam",
                   "Bộ Chính trị": "Politburo of the Communist Party of Vietnam"}
NATIONAL_BODY = re.compile(r"(?<=[\w,;)] )(?P<body>Chính phủ|Quốc hội|Bộ Chính trị)(?![\w])(?! (?:[A-ZĐ]|của|nước))")


def find_national_bodies(text: str) -> list[Candidate]:
    """``Chính phủ``, ``Quốc hội`` written with a capital inside a sentence, with no country after them:
    Vietnam's own (guidelines); ``chính phủ Mỹ`` and a sentence-initial ``Chính phủ Nhật Bản`` are not."""
    return [Candidate(m.start(), m.end(), "ORG", "ruler:national-body", m.group(), name_en=NATIONAL_BODIES[m["body"]],
                      key=f"ORG:{NATIONAL_BODIES[m['body']]}", score=0.7) for m in NATIONAL_BODY.finditer(text)]


TEAM = Vocabulary(["đội tuyển", "đội tuyển bóng đá", "đội tuyển quốc gia", "đội tuyển bóng đá quốc gia",
                   "đội tuyển nữ", "đội tuyển bóng đá nữ", "tuyển"])
AGE_GROUP = re.compile(r"U\d{2}")


def find_national_teams(text: str, syls: list[Syllable], places: dict) -> list[Candidate]:
    """``đội tuyển Việt Nam``, ``U23 Thái Lan``: a national team, one ORG with its noun (guidelines: teams
    and clubs are ORG); ``places`` maps a syllable index to the gazetteer match starting there."""
    out = []
    for i, syl in enumerate(syls):
        team = TEAM.match(text, syls, i) if syl.lower in TEAM.trie else None
        k = team[1] + 1 if team else i + 1 if AGE_GROUP.fullmatch(syl.text) else None
        if k is not None and k < len(syls) and AGE_GROUP.fullmatch(syls[k].text) and team:
            k += 1  # "đội tuyển U23 Việt Nam"
        if k is None or k >= len(syls) or k not in places or places[k].entry.kind != "country" \
                or not joined(text, syls[k - 1], syls[k]) or (team and team[0] == "tuyển" and i > 0
                                                                and syls[i - 1].lower != "đội"):
            continue
        if team and team[0] == "tuyển" and syls[i - 1].lower == "đội":
            continue  # the longer "đội tuyển" match starts one syllable earlier
        end = syls[places[k].last].end
        age = " ".join(s.text for s in syls[i:k] if AGE_GROUP.fullmatch(s.text))
        name_en = " ".join(f"{places[k].entry.name_en} national {age} team".split())
        out.append(Candidate(syl.start, end, "ORG", "ruler:team", text[syl.start:end], name_en=name_en,
                             key=f"ORG:{name_en}", score=0.7))
    return out


def find_initialled_names(text: str) -> list[Candidate]:
    """PER candidates for Western names with middle initials (``George G. Meade``, ``William H. H. Southerland``)."""
    return [Candidate(m.start(), m.end(), "PER", "ruler:initials", m.group(), key=f"PER:{m.group()}", score=0.8)
            for m in INITIALLED.finditer(text)]


def find_initials_after_titles(text: str, syls: list[Syllable]) -> list[Candidate]:
    """``ông T.V.D.``, ``anh L.``: a person named by initials after a title or a kinship word."""
    out = []
    for i in KINSHIP.starts(syls):
        title = KINSHIP.match(text, syls, i)
        if not title or title[1] + 1 >= len(syls):
            continue
        pos = syls[title[1]].end
        m = INITIALS.match(text, pos + 1) if text[pos:pos + 1] == " " else None
        if m:
            end = m.end() - (1 if text[m.end() - 1] == " " else 0)
            out.append(Candidate(pos + 1, end, "PER", "ruler:initials", text[pos + 1:end],
                                 key=f"PER:{text[pos + 1:end]}", score=0.7))
    return out


def _starts_sentence(text: str, syl: Syllable) -> bool:
    before = text[max(0, syl.start - 3):syl.start].rstrip(" \t\"'“(")
    return not before or before[-1] in ".!?:\n\r=*-•;"


def _after_place_noun(text: str, syl: Syllable) -> bool:
    before = text[max(0, syl.start - 24):syl.start].lower().split()
    return any(" ".join(before[-n:]) in PLACE_NOUNS or " ".join(before[-n:]) in ADMIN_WORDS
               for n in (1, 2) if len(before) >= n)
