"""PER and ORG mentions from patterns, and the clean-up of the CRF's proposals.

- A title or rank before capitalised syllables names a person; the title stays outside the span
  (``trung úy Viktor Belenko``), and a force or a country between them is skipped
  (``trung úy không quân Liên Xô Viktor Belenko``).
- Organisation heads (``Cục Thiết kế``, ``hãng``, ``Trung tâm``...) followed by capitalised syllables.
- The CRF's spans are cut down to their capitalised syllables (it pulls in preceding common nouns:
  ``phi công Mig-25 Liên Xô``) and lose any part that a rule already explains.
"""
from __future__ import annotations

import bisect

from .candidates import Candidate
from .gazetteer import Syllable, Vocabulary, continues_word, joined, vietnamese_words
from .resources import first_names, institution_words

_TITLE_WORDS = """ông|bà|ngài|tướng|đại tướng|thượng tướng|trung tướng|thiếu tướng|chuẩn tướng|đại tá|thượng tá|trung tá|
thiếu tá|đại úy|thượng úy|trung úy|thiếu úy|đại uý|thượng uý|trung uý|thiếu uý|binh nhất|binh nhì|hạ sĩ|trung sĩ|
thượng sĩ|phi công|phi công thử nghiệm|tổng thống|phó tổng thống|thủ tướng|chủ tịch|bộ trưởng|thứ trưởng|ngoại trưởng|
đô đốc|phó đô đốc|chuẩn đô đốc|nguyên soái|thống chế|giám đốc|tổng giám đốc|kỹ sư|kĩ sư|tiến sĩ|giáo sư|nhà thiết kế|
tổng công trình sư|nhà báo|phóng viên|phát ngôn viên|người phát ngôn|hoàng đế|vua|nữ hoàng|thái tử|hoàng tử|công chúa|
đại sứ|tư lệnh|chỉ huy trưởng|tham mưu trưởng|tổng tham mưu trưởng|tổng bí thư|thượng nghị sĩ|nghị sĩ|hạ nghị sĩ|
phi hành gia|nhà du hành vũ trụ|chuyên gia|nhà sử học|nhà văn|tác giả|thuyền trưởng|cơ trưởng|phi đội trưởng|
trung đoàn trưởng|sư đoàn trưởng|chính ủy|tổng tư lệnh|người sáng lập|nhà sáng lập|viên phi công|anh|chị|em|cô|chú|
bác|cụ|cháu|thầy|bé|cầu thủ|ca sĩ|nghệ sĩ|nhạc sĩ|diễn viên|huấn luyện viên|HLV|thủ môn|tiền đạo|hậu vệ|tiền vệ|nhà thơ|
luật sư|bác sĩ|thượng tọa|hòa thượng|linh mục|giám mục|đồng chí|bị can|bị cáo|nghi phạm|nạn nhân"""
TITLES = Vocabulary(w.strip() for w in _TITLE_WORDS.replace("\n", "").split("|"))

ORG_HEADS = {"cục thiết kế": "{name} Design Bureau", "phòng thiết kế": "{name} Design Bureau",
             "văn phòng thiết kế": "{name} Design Bureau", "hãng": "{name}", "công ty": "{name}",
             "tập đoàn": "{name}", "nhà máy": "{name} plant", "hãng hàng không": "{name}", "báo": "{name}",
             "tạp chí": "{name}", "hãng thông tấn": "{name}"}
ORG_VOCAB = Vocabulary(ORG_HEADS)
# Institution heads: capitalised, followed by capitalised words (``và`` may join two of them) and
# perhaps a place. English: the place, then the modifiers in reverse order, then the head
# (``Cơ quan phòng vệ Nhật Bản`` -> "Japan Defense Agency", ``Tổ chức Y tế Thế giới`` -> "World
# Health Organization"). Words outside the glossary leave the Vietnamese name, without diacritics.
INSTITUTIONS, GLOSSARY = institution_words()  # resources/institutions.tsv
INSTITUTION_VOCAB = Vocabulary(INSTITUTIONS)
GLOSSARY_VOCAB = Vocabulary(GLOSSARY)


def capitalised_run(text: str, syls: list[Syllable], k: int, limit: int = 5, hyphens: bool = True,
                    complete_words: bool = False) -> int | None:
    """Index of the last syllable of the run of capitalised words starting at ``k`` (``Mikoyan-Gurevich``,
    ``Heavy Industries``), or None if syllable ``k`` is not capitalised. With ``complete_words``, lower-case
    syllables that finish a word are taken in (``Sân bay Quốc tế Nội Bài``); without, a run that would
    end inside a word is refused (``Chính`` of ``Chính phủ`` is not a name)."""
    if k >= len(syls) or not (syls[k].capitalised and syls[k].text[:1].isalpha()):
        return None
    last, words = k, 1
    while True:
        rest = continues_word(text, syls, last)
        if rest:
            if not complete_words:
                return None
            last += rest
        if not (last + 1 < len(syls) and joined(text, syls[last], syls[last + 1]) and words < limit):
            break
        nxt = syls[last + 1]
        if hyphens and nxt.text in "-&" and last + 2 < len(syls) and syls[last + 2].capitalised \
                and syls[last + 2].start == nxt.end:
            last += 2
            continue
        if not (nxt.capitalised and nxt.text[:1].isalpha()):
            break
        last, words = last + 1, words + 1
    return last


def find_people(text: str, syls: list[Syllable], covered: dict[int, Candidate]) -> list[Candidate]:
    """PER candidates after titles. ``covered`` maps a syllable index to a rule mention starting there
    (a UNIT or LOC between the title and the name is skipped; a name must not start inside one)."""
    out = []
    for i in TITLES.starts(syls):
        title = TITLES.match(text, syls, i)
        if not title:
            continue
        k = title[1] + 1
        for _ in range(3):  # "Bộ trưởng Quốc phòng Nga Sergei Shoigu": skip a portfolio and a country
            if k < len(syls) and k in covered and covered[k].label in ("UNIT", "LOC", "ORG"):
                end = covered[k].end
                while k < len(syls) and syls[k].start < end:
                    k += 1
            elif k < len(syls) and syls[k].capitalised and continues_word(text, syls, k):
                k += 1 + continues_word(text, syls, k)
            else:
                break
        if k >= len(syls) or not joined(text, syls[k - 1], syls[k]) or k in covered:
            continue
        last = capitalised_run(text, syls, k, limit=4)
        if last is None:
            continue
        while last >= k and (last in covered or syls[last].text.isupper() and len(syls[last].text) > 1):
            last -= 1
        if last < k or (last == k and len(syls[k].text) == 1):
            continue
        start, end = syls[k].start, syls[last].end
        out.append(Candidate(start, end, "PER", "ruler:title", text[start:end], key=f"PER:{text[start:end]}"))
    return out


def find_organisations(text: str, syls: list[Syllable]) -> list[Candidate]:
    """ORG candidates after organisation heads (``Cục Thiết kế Mikoyan-Gurevich``, ``hãng Fiat Aviazione``)."""
    out = []
    for i in ORG_VOCAB.starts(syls):
        head = ORG_VOCAB.match(text, syls, i)
        if not head:
            continue
        k = head[1] + 1
        if k >= len(syls) or not joined(text, syls[k - 1], syls[k]):
            continue
        last = capitalised_run(text, syls, k, limit=4)
        if last is None:
            last = capitalised_run(text, syls, k, limit=5, complete_words=True)
            if last is None or not any(_brand(s) for s in syls[k:last + 1]):
                continue  # "công ty Cổ phần", "báo Người Lao động": not a name after the head
        name = text[syls[k].start:syls[last].end]
        template = ORG_HEADS[head[0]]
        # a design bureau's head noun is part of its name; so is a capitalised head ("Công ty Mô tô Suzuki")
        include_head = "{name} " in template or syls[i].capitalised
        start = syls[i].start if include_head else syls[k].start
        name_en = template.format(name=name)
        out.append(Candidate(start, syls[last].end, "ORG", "ruler:org", text[start:syls[last].end],
                             name_en=name_en, key=f"ORG:{name_en}", score=0.8))
    return out


OF_COUNTRY = {"đảng", "ngân hàng"}  # English names these "X of <country>", not "<country> X"


def _brand(syl: Syllable) -> bool:
    """A capitalised Latin-script word that is no Vietnamese word: ``Suzuki``, ``Vinamilk``."""
    return syl.capitalised and syl.text.isascii() and syl.text.isalpha() and syl.lower not in vietnamese_words()


def find_institutions(text: str, syls: list[Syllable], places: dict) -> list[Candidate]:
    """``Trung tâm Tình báo Không quân và Không gian Quốc gia Mỹ``, ``Diễn đàn Mỹ-Nhật`` (head capitalised)."""
    from .linking import fold
    out = []
    for i in INSTITUTION_VOCAB.starts(syls):
        if not syls[i].capitalised:
            continue
        head = INSTITUTION_VOCAB.match(text, syls, i)
        if not head or (head[0] == "hội" and not (head[1] + 1 < len(syls) and syls[head[1] + 1].capitalised)):
            continue  # "Hội Nhà văn", not "Hội nghị", "Hội chợ"
        if i > 0 and syls[i - 1].lower in ("phố", "đường", "xã", "phường", "làng", "thôn", "ấp"):
            continue  # "phố Hội Bình": a street or a village named so
        k = head[1] + 1
        groups: list[list[str]] = []
        country = None
        last = head[1]
        while k < len(syls) and joined(text, syls[k - 1], syls[k]):
            if k in places:  # a country, or another place: "Đảng Cộng sản Đông Dương"
                country, last = places[k], places[k].last
                k = last + 1
                if k + 1 < len(syls) and syls[k].text in "-–" and k + 1 in places:
                    country, last = None, places[k + 1].last  # "Mỹ-Nhật": a pair, not one country
                    k = last + 1
                    groups.append(["?"])
                break
            word = GLOSSARY_VOCAB.match(text, syls, k)
            if word and (syls[k].capitalised or groups):
                if groups and syls[k - 1].lower == "và":
                    groups[-1].append(GLOSSARY[word[0]])
                else:
                    groups.append([GLOSSARY[word[0]]])
                last = k = word[1]
                k += 1
                continue
            if (syls[k].lower == "và" or syls[k].text in "-–") and groups and k + 1 < len(syls) \
                    and syls[k + 1].capitalised and not INSTITUTION_VOCAB.match(text, syls, k + 1) \
                    and not ORG_VOCAB.match(text, syls, k + 1):
                k += 1  # "Không quân và Không gian", "Phòng không - Không quân"
                continue
            if syls[k].capitalised and syls[k].text[:1].isalpha():
                groups.append(["?"])
                last = k + continues_word(text, syls, k)
                k = last + 1
                continue
            tail = lowercase_tail(text, syls, k, places)
            if tail is not None:  # "Bệnh viện Bệnh nhiệt đới Trung ương", "Trung tâm kiểm soát ... tỉnh X"
                groups.append(["?"])
                last = tail
            break
        if not groups and not (country and " " in head[0] and country.entry.kind == "country"):
            continue  # a head of two words or more with its country is a name: "Đài Truyền hình Việt Nam"
        if not any(syls[n].capitalised for n in range(head[1] + 1, last + 1)):
            continue
        start, end = syls[i].start, syls[last].end
        surface = text[start:end]
        if any("?" in g for g in groups):  # a word outside the glossary: "Bộ Kế hoạch và ..."
            name_en = fold(" ".join(surface.split()))
        else:
            words = [" and ".join(g) for g in reversed(groups)]
            prefix = []
            # "Quốc gia Mỹ": a country's "national" is the country; a region's is not (Scotland)
            if country and ("National" not in words or country.entry.kind != "country"):
                prefix = [country.entry.name_en]
            name_en = " ".join(prefix + words + [INSTITUTIONS[head[0]]])
            if prefix and head[0] in OF_COUNTRY:  # "Communist Party of Vietnam", "State Bank of Vietnam"
                name_en = " ".join(words + [INSTITUTIONS[head[0]], "of", prefix[0]])
        out.append(Candidate(start, end, "ORG", "ruler:institution", surface, name_en=name_en,
                             key=f"ORG:{name_en}", score=0.7))
    return out


CLAUSE_WORDS = {"là", "của", "và", "được", "có", "đã", "đang", "sẽ", "ở", "tại", "với", "cho", "trong", "theo", "từ",
                "năm", "ngày", "tháng", "khi", "này", "đó", "các", "những", "một", "vào", "ra", "về", "đến", "để", "do",
                "bị", "như", "thì", "mà", "nhưng", "sau", "trước", "cũng", "không", "rằng", "biết", "nơi", "ông", "bà",
                "trưởng", "phó", "miền", "lại", "khỏi", "vừa", "mới"}


def lowercase_tail(text: str, syls: list[Syllable], k: int, places: dict, limit: int = 6) -> int | None:
    """An institution's name may go on through lower-case words to a place or a capitalised end
    (``Bệnh viện Bệnh nhiệt đới Trung ương``, ``Trung tâm kiểm soát bệnh tật tỉnh Thừa Thiên Huế``): a place, an
    administrative noun with its name, or a capitalised institution word (``Trung ương``). The index of that end, or None when a word that carries the clause on (``là``, ``của``...) or punctuation comes first."""
    from .context import ADMIN_NOUNS

    j = k
    while j < len(syls) and j - k <= limit and joined(text, syls[j - 1], syls[j]):
        s = syls[j]
        if j in places:
            return places[j].last
        if s.capitalised and s.text[:1].isalpha():
            word = GLOSSARY_VOCAB.match(text, syls, j)
            return word[1] if word and j > k else None
        admin = ADMIN_NOUNS.match(text, syls, j)
        if admin and admin[1] + 1 < len(syls) and syls[admin[1] + 1].capitalised and j > k:
            end = admin[1] + 1
            while end + 1 < len(syls) and joined(text, syls[end], syls[end + 1]) and syls[end + 1].capitalised:
                end += 1
            return end
        if not s.text.isalpha() or s.lower in CLAUSE_WORDS:
            return None
        j += 1
    return None


UNNAMED_KINDS = ("tên lửa", "bom", "pháo", "súng", "radar", "ra đa", "động cơ", "tàu", "tàu ngầm", "khu trục hạm",
                 "tuần dương hạm", "chiến dịch", "chương trình", "dự án", "tên lửa đạn đạo", "hệ thống")
ABBREVIATIONS = {"St", "Mt", "Ft", "Pt", "Ste", "Dr", "Gen", "Col"}


def _sentence_initial(text: str, syl: Syllable) -> bool:
    before = text[max(0, syl.start - 40):syl.start].rstrip(" \t\"'“(")
    if before.endswith(tuple(f" {a}." for a in ABBREVIATIONS)):
        return False
    return not before or before[-1] in ".!?:\n=*-•"


def clean_crf_spans(text: str, syls: list[Syllable], spans: list[tuple[int, int, str]]) -> list[Candidate]:
    """The CRF's ``(start, end, label)`` spans cut to runs of capitalised syllables."""
    out = []
    starts = [s.start for s in syls]
    for start, end, label in spans:
        i = bisect.bisect_left(starts, start)
        run: list[Syllable] = []
        while i < len(syls) and syls[i].start < end:
            s = syls[i]
            if s.capitalised and s.text[:1].isalpha() and (not run or joined(text, run[-1], s)):
                run.append(s)
            elif run:
                break
            i += 1
        if run:  # a foreign name the CRF cut short: "Toyotomi" before "Hideyoshi" at a sentence start
            n = bisect.bisect_left(starts, run[0].start)
            while n > 0 and _brand(syls[n - 1]) and joined(text, syls[n - 1], syls[n]) and len(run) < 4:
                n -= 1
                run.insert(0, syls[n])
        if not run or label not in ("PER", "LOC", "ORG"):
            continue
        if run[0].start > 0 and text[:run[0].start].rstrip().endswith("("):
            continue  # a gloss or expansion in brackets: "(Foreign Military Sales - ...)"
        if any(any(ch.isdigit() for ch in s.text) or len(s.text) == 1 for s in run):
            continue  # codes and single letters: KAL007, "T rong"
        if any(s.text.isupper() for s in run) and not (label == "ORG" and len(run) == 1):
            continue  # acronyms, except an organisation's alone (FMS, STOL are terms; VNA is an agency)
        if len(run) == 1 and label != "ORG" and any(ch.isupper() for ch in run[0].text[1:]):
            continue  # one camel-case word is a product more often than a place: YouTube, FaceTime
        if text[max(0, run[0].start - 12):run[0].start].lower().rstrip().endswith(UNNAMED_KINDS):
            continue  # "tên lửa Kinzhal", "radar Irbis": weapons, engines and ships are not annotated
        if run[0].text in ("The", "A", "An", "Of"):
            continue  # English titles of works: "The World"
        if " ".join(s.lower for s in run) in vietnamese_words():
            continue  # a capitalised common word or phrase: "Khối", "Đồng Minh"
        if len(run) == 1 and _sentence_initial(text, run[0]) and run[0].text not in ABBREVIATIONS:
            continue  # a capitalised common word at the start of a sentence or a line: "Lực", "Biến"
        if label != "PER" and len(run) > 1 and run[0].text in first_names() and all(_brand(s) for s in run[1:]):
            label = "PER"  # "Alfred Riedl", "Anne Frank": a given name begins a person's name, not a place's
        a, b = run[0].start, run[-1].end
        prev = out[-1] if out else None
        if prev and prev.label == label and text[prev.end:a].strip() == "." and prev.text in ABBREVIATIONS:
            out[-1] = Candidate(prev.start, b, label, "crf", text[prev.start:b], key=f"{label}:{text[prev.start:b]}",
                                score=0.6)  # "St. Louis": underthesea splits the abbreviation's dot off
            continue
        out.append(Candidate(a, b, label, "crf", text[a:b], key=f"{label}:{text[a:b]}", score=0.6))
    return out
