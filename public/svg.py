"""Helpers for the SVG the server draws (charts and maps).

SVG does not wrap text or tell the server how wide a text will be, so labels are
measured with an estimate per character, on the safe (wide) side for the system
fonts the site uses: a label laid out with it fits, or wraps one word early.
"""

import unicodedata

# Widths in em (multiples of the font size), measured on DejaVu Sans, the widest of the
# system fonts the site names (Debian's default), so other fonts only leave more room.
_NARROW = set("fijlrtI.,:;'’!|()[] ")
_WIDE = set("mwMW@%")


def char_width(char: str) -> float:
    if unicodedata.east_asian_width(char) in {"W", "F"}:
        return 1.0
    if char in _NARROW:
        return 0.36
    if char in _WIDE:
        return 0.95
    if char.isupper():
        return 0.74
    return 0.64


def text_width(text: str, font_size: float, *, bold: bool = False) -> float:
    """The estimated width of ``text`` at ``font_size``, in the same units."""
    return sum(char_width(char) for char in text) * font_size * (1.1 if bold else 1.0)


def wrap_text(text: str, max_width: float, font_size: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width``.

    Latin text breaks at spaces; Chinese may break between any two characters.
    A single word wider than the line is kept whole.
    """
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        candidate = line + token
        if line and text_width(candidate.rstrip(), font_size) > max_width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line = candidate
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    """Words with their trailing space, and each wide (CJK) character on its own."""
    tokens: list[str] = []
    word = ""
    for char in text:
        if unicodedata.east_asian_width(char) in {"W", "F"}:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        else:
            word += char
            if char == " ":
                tokens.append(word)
                word = ""
    if word:
        tokens.append(word)
    return tokens


def number(value: float) -> str:
    """A coordinate or length for an SVG attribute: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
