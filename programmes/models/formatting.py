"""Key figures as people read them: "54 miljoen", "54 million", "5400万".

Django's number formatting knows separators but not the big-number words of
each language, nor that Chinese groups by 万 (10⁴) and 亿 (10⁸), so the rules
live here, one small table per language.
"""

from decimal import Decimal

from django.utils.translation import get_language

# (threshold, nl word, en word); Chinese is handled by _zh_scaled.
_SCALES = [
    (Decimal(10) ** 9, "miljard", "billion"),
    (Decimal(10) ** 6, "miljoen", "million"),
]


def _plain(value: Decimal, language: str) -> str:
    """A number with the language's separators and no trailing zeros."""
    value = value.normalize()
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    sign, digits_part, frac = "-" if value < 0 else "", *f"{abs(value):f}".partition(".")[::2]
    groups = []
    while len(digits_part) > 3:
        groups.insert(0, digits_part[-3:])
        digits_part = digits_part[:-3]
    groups.insert(0, digits_part)
    thousands, decimal = (".", ",") if language == "nl" else (",", ".")
    text = thousands.join(groups)
    if frac:
        text += decimal + frac
    return sign + text


def _scaled(value: Decimal, language: str) -> tuple[Decimal, str]:
    """Split ``value`` into a mantissa and a big-number word for nl and en."""
    for threshold, nl_word, en_word in _SCALES:
        if abs(value) >= threshold:
            return value / threshold, nl_word if language == "nl" else en_word
    return value, ""


def _zh_scaled(value: Decimal) -> tuple[Decimal, str]:
    if abs(value) >= Decimal(10) ** 8:
        return value / Decimal(10) ** 8, "亿"
    if abs(value) >= Decimal(10) ** 4:
        return value / Decimal(10) ** 4, "万"
    return value, ""


def _zh_plain(value: Decimal) -> str:
    """Chinese writes 7690 and 5400万 without thousands separators."""
    return _plain(value, "zh-hans").replace(",", "")


def format_number(value: Decimal, value_max: Decimal | None = None, language: str = "nl") -> str:
    """``54000000`` → "54 miljoen"; with ``value_max`` a range: "5–6 miljoen"."""
    if language == "zh-hans":
        low, word = _zh_scaled(value)
        if value_max is not None:
            high, high_word = _zh_scaled(value_max)
            if high_word == word:
                return f"{_zh_plain(low)}–{_zh_plain(high)}{word}"
            return f"{_zh_plain(low)}{word}–{_zh_plain(high)}{high_word}"
        return f"{_zh_plain(low)}{word}"
    low, word = _scaled(value, language)
    if value_max is not None:
        high, high_word = _scaled(value_max, language)
        if high_word == word:
            text = f"{_plain(low, language)}–{_plain(high, language)}"
        else:
            text = f"{_plain(low, language)} {word}–{_plain(high, language)}".strip()
            word = high_word
    else:
        text = _plain(low, language)
    return f"{text} {word}".strip()


_ORDINAL_EN = {1: "st", 2: "nd", 3: "rd"}


def _ordinal(value: Decimal, language: str) -> str:
    number = int(value)
    if language == "nl":
        return f"{number}e"
    if language == "zh-hans":
        return f"第{number}"
    suffix = "th" if 10 <= number % 100 <= 20 else _ORDINAL_EN.get(number % 10, "th")
    return f"{number}{suffix}"


_APPROXIMATE = {"nl": "ca. {}", "en": "about {}", "zh-hans": "约{}"}


def format_figure(figure, language: str | None = None) -> str:
    """A key figure's value with its unit, in ``language`` (default: the active one)."""
    language = language or get_language() or "nl"
    if language not in _APPROXIMATE:
        language = (
            "en" if language.startswith("en") else "zh-hans" if language.startswith("zh") else "nl"
        )
    unit = figure.unit
    if unit == "rank":
        text = _ordinal(figure.value, language)
    elif unit == "percent":
        number = format_number(figure.value, figure.value_max, language)
        text = f"{number} %" if language == "nl" else f"{number}%"
    else:
        number = format_number(figure.value, figure.value_max, language)
        text = _with_unit(number, unit, language)
    if figure.approximate:
        text = _APPROXIMATE[language].format(text)
    return text


_UNITS = {
    # unit: (nl, en, zh-hans); "{}" is the number.
    "count": ("{}", "{}", "{}"),
    "usd": ("{} USD", "USD {}", "{}美元"),
    "tonnes": ("{} ton", "{} tonnes", "{}吨"),
    "km": ("{} km", "{} km", "{}公里"),
}


def _with_unit(number: str, unit: str, language: str) -> str:
    nl, en, zh = _UNITS.get(unit, _UNITS["count"])
    template = {"nl": nl, "en": en, "zh-hans": zh}[language]
    return template.format(number)
