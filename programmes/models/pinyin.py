"""Chinese names as toneless pinyin: for searching them with Latin letters and sorting them.

Chinese partners type "Ningbo" and Dutch staff paste 宁波; a Chinese reader expects a list
of cities in pinyin order (杭州 before 宁波 before 义乌), not in the order of their code
points. pypinyin knows the reading of a character in its phrase (重庆 is "chong qing").
"""

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Runs of Chinese characters (CJK ideographs, their extensions and compatibility forms).
_HAN_RUN = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
# A pinyin query of more syllables than this is rare ("ningbogang" has three); longer
# names are still found by their first syllables, as "dalian" finds 大连博物馆.
MAX_SEARCH_SYLLABLES = 4


def is_han(text: str) -> bool:
    """Whether ``text`` is Chinese characters only (宁波, not "NBSO大连")."""
    return bool(_HAN_RUN.fullmatch(text))


@lru_cache(maxsize=4096)
def syllables(text: str) -> tuple[str, ...]:
    """The toneless pinyin of the Chinese characters of ``text``: 宁波港 → ning, bo, gang.

    ü is written "v" (吕 → "lv"), as on Chinese keyboards and in most romanised names.
    """
    return tuple(
        syllable
        for run in _HAN_RUN.findall(text)
        for syllable in lazy_pinyin(run, style=Style.NORMAL)
    )


def search_forms(text: str) -> list[str]:
    """What a visitor may type in Latin letters to find ``text``: from each syllable on,
    up to ``MAX_SEARCH_SYLLABLES`` joined, for each run of Chinese characters.

    宁波港 → "ningbogang", "bogang", "gang": a query word matches the start of one of them
    ("ningbo", "NingBo"), so a name is found by its syllables in order, from wherever a
    syllable begins, without segmenting the Chinese into words (which pypinyin's
    segmenter does unreliably for place names: 宁|波).
    """
    forms = []
    for run in _HAN_RUN.findall(text):
        run_syllables = syllables(run)
        for start in range(len(run_syllables)):
            forms.append("".join(run_syllables[start : start + MAX_SEARCH_SYLLABLES]))
    return forms


def words_spelt(text: str, spelling: str) -> list[str]:
    """The runs of Chinese characters in ``text`` whose toneless pinyin, joined, is
    ``spelling``: ``words_spelt("恩斯赫德与大连", "dalian")`` → ["大连"]."""
    found = []
    for run in _HAN_RUN.findall(text):
        run_syllables = syllables(run)
        for start in range(len(run_syllables)):
            joined = ""
            for end in range(start, len(run_syllables)):
                joined += run_syllables[end]
                if not spelling.startswith(joined):
                    break
                if joined == spelling:
                    found.append(run[start : end + 1])
                    break
    return found


def sort_key(text: str) -> tuple:
    """A key that sorts Chinese names by pinyin (then by tone-less ties in code-point order),
    and Latin names by their letters without accents, case-insensitively.

    Each character becomes its syllable (a Latin character itself, lowercased), so 杭州
    (hang zhou) sorts before 宁波 (ning bo) before 义乌 (yi wu), and a name that mixes
    scripts ("NBSO 大连") sorts by what a reader says.
    """
    parts = []
    position = 0
    for match in _HAN_RUN.finditer(text):
        parts.append(_latin_key(text[position : match.start()]))
        parts.append(" ".join(syllables(match.group())))
        position = match.end()
    parts.append(_latin_key(text[position:]))
    return ("".join(parts).strip(), text)


def _latin_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))
