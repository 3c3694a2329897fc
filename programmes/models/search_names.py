"""Every language's name of an object in one column, with the pinyin of the Chinese one.

The public search matches a query against the names in every language ("Dalian" on the
Chinese page, 宁波 on the Dutch one) and against the toneless pinyin of the Chinese name
("ningbo" finds 宁波). Pinyin cannot be computed in SQL, so it is stored; the other
languages' names are stored with it so that one narrow column answers "is it a name of
this object?" on both databases (PostgreSQL indexes it, migration 0019).
"""

import re

from django.db import models
from modeltranslation.utils import build_localized_fieldname

from .pinyin import search_forms

SEARCH_LANGUAGES = ("nl", "en", "zh-hans")
# Anything that is not a letter, digit or Chinese character separates words.
_NON_WORD = re.compile(r"[\W_]+")


def search_text(text: str) -> str:
    """``text`` as the names column stores it and as a query word is compared with it:
    case-folded, words separated by single spaces, with a space in front (so that
    ``LIKE '% port%'`` is "a word starting with port")."""
    words = _NON_WORD.sub(" ", text.casefold()).split()
    return f" {' '.join(words)} " if words else ""


class SearchNamesField(models.TextField):
    """A derived column: the names of ``source`` in every language, and the pinyin forms of
    the Chinese one (``pinyin.search_forms``), written on every save.

    Like ``auto_now``, the value is made in ``pre_save``, which Django calls on ``save()``
    and for each object of a ``bulk_create()``: the services, the seed, a bundle import, a
    revert and the benchmark's bulk load all keep it in step without remembering to.
    """

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key) == value:
                del kwargs[key]
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = names_of(model_instance, self.source)
        setattr(model_instance, self.attname, value)
        return value


def names_of(instance: models.Model, source: str) -> str:
    """The stored value for ``instance``: its ``source`` field in each language, then the
    pinyin forms of its Chinese text."""
    names = [
        getattr(instance, build_localized_fieldname(source, language), "") or ""
        for language in SEARCH_LANGUAGES
    ]
    chinese = names[-1]
    return search_text(" ".join([*names, *search_forms(chinese)]))
