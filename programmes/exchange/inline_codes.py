"""Rich text as inline codes: what translation tools show as protected tags, and back.

A rich text field holds HTML from the editor's allow-list (``richtext.py``): paragraphs,
headings, lists, quotes, bold, italic, links and line breaks. A translation file carries
it as *inline codes* that translation tools protect: the translator moves them around the
words but cannot change what they stand for.

* XLIFF 1.2: ``<g id="2" ctype="link">…</g>`` and ``<x id="5" ctype="lb"/>``, written and
  read through translate-toolkit's placeables;
* XLIFF 2.0: ``<pc id="2" type="link" dispStart="<a href=…>">…</pc>`` and ``<ph/>``
  (translate-toolkit 3.20 has no XLIFF 2.0 placeables: it keeps unknown inline elements as
  ``UnknownXML``, through which these are written and read);
* PO, and XLIFF made from PO by ``po2xliff``: the same codes as tags in the text,
  ``<p id="1">…</p>`` and ``<br id="5"/>``, which PO editors highlight and ``pofilter``'s
  ``xmltags`` check compares with the source.

Codes are numbered in document order of the *source* text, so the same text always gives
the same ids. A code carries only its number and its kind, never the attributes: on
import each code becomes the source's own element again (a link keeps the source's
address), so a translation can neither change nor inject an attribute, and the result is
sanitized by ``services.save_content`` like any other write.

What a translation may do with the codes (:func:`check`): paragraphs, headings, lists,
list items and quotes are the text's structure and must all be kept, each inside the
same code as in the source (their order may change); bold, italic, links and line breaks
may be moved or left out; no code may appear twice or be one the source does not have;
and text may not stand outside the blocks where the source has none.
"""

from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from django.utils.translation import gettext, gettext_noop
from lxml import etree
from translate.storage.placeables import StringElem
from translate.storage.placeables import xliff as placeables

XLIFF_20 = "urn:oasis:names:tc:xliff:document:2.0"

# The editor's elements (richtext.EXTENSIONS), by what they are to a translator.
BLOCKS = frozenset({"p", "h3", "h4", "ul", "ol", "li", "blockquote"})
INLINE = frozenset({"strong", "em", "a"})
VOID = frozenset({"br"})

# XLIFF 1.2 ctype values: the spec's own where there is one, "x-" extensions otherwise.
CTYPES_12 = {"strong": "bold", "em": "italic", "a": "link", "br": "lb"}
# XLIFF 2.0 type and subType: the spec's "xlf:" values where there is one.
TYPES_20 = {
    "strong": ("fmt", "xlf:b"),
    "em": ("fmt", "xlf:i"),
    "a": ("link", None),
    "br": ("fmt", "xlf:lb"),
}
# What each element is called in refusals.
ELEMENT_NAMES = {
    "p": gettext_noop("paragraph"),
    "h3": gettext_noop("heading"),
    "h4": gettext_noop("heading"),
    "ul": gettext_noop("list"),
    "ol": gettext_noop("numbered list"),
    "li": gettext_noop("list item"),
    "blockquote": gettext_noop("quote"),
    "strong": gettext_noop("bold text"),
    "em": gettext_noop("italic text"),
    "a": gettext_noop("link"),
    "br": gettext_noop("line break"),
}


class MarkupError(ValueError):
    """A translation's inline codes do not fit its source; the message says how."""


@dataclass
class Code:
    """An element of the text: a paired code (with content) or, for ``br``, a placeholder."""

    id: str
    tag: str
    attrs: tuple[tuple[str, str | None], ...] = ()
    children: list["Node"] = field(default_factory=list)

    @property
    def paired(self) -> bool:
        return self.tag not in VOID

    @property
    def name(self) -> str:
        """What the element is, in the active language ("paragraph", "link")."""
        return gettext(ELEMENT_NAMES[self.tag]) if self.tag in ELEMENT_NAMES else self.tag

    def start_tag(self) -> str:
        attrs = "".join(
            f" {name}" if value is None else f' {name}="{escape(value)}"'
            for name, value in self.attrs
        )
        return f"<{self.tag}{attrs}>"


Node = str | Code


# HTML (the stored text) ---------------------------------------------------------------------


class _TreeBuilder(HTMLParser):
    """Builds nodes from HTML; ``numbered``: ids in document order, else from ``id=``."""

    def __init__(self, *, numbered: bool):
        super().__init__(convert_charrefs=True)
        self.numbered = numbered
        self.root: list[Node] = []
        self.stack: list[Code] = []
        self.count = 0

    @property
    def children(self) -> list[Node]:
        return self.stack[-1].children if self.stack else self.root

    def _code(self, tag: str, attrs) -> Code:
        if self.numbered:
            self.count += 1
            return Code(str(self.count), tag, tuple(attrs))
        given = dict(attrs)
        if set(given) != {"id"} or not given["id"]:
            raise MarkupError(
                gettext(
                    "the tag <%(tag)s> must carry its code number and nothing else, "
                    'as in <%(tag)s id="1">.'
                )
                % {"tag": tag}
            )
        return Code(given["id"], tag)

    def handle_starttag(self, tag, attrs):
        code = self._code(tag, attrs)
        self.children.append(code)
        if code.paired:
            self.stack.append(code)

    def handle_startendtag(self, tag, attrs):
        code = self._code(tag, attrs)
        if code.paired:
            raise MarkupError(
                gettext("<%(tag)s/> is not closed properly: write <%(tag)s>…</%(tag)s>.")
                % {"tag": tag}
            )
        self.children.append(code)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1].tag != tag:
            raise MarkupError(gettext("</%(tag)s> closes a tag that is not open.") % {"tag": tag})
        self.stack.pop()

    def handle_data(self, data):
        if self.children and isinstance(self.children[-1], str):
            self.children[-1] += data
        else:
            self.children.append(data)

    def close(self):
        super().close()
        if self.stack:
            raise MarkupError(gettext("<%(tag)s> is not closed.") % {"tag": self.stack[-1].tag})


def from_html(html: str) -> list[Node]:
    """The stored (sanitized) HTML as nodes, its elements numbered in document order."""
    builder = _TreeBuilder(numbered=True)
    builder.feed(html)
    builder.close()
    return builder.root


def codes_of(nodes: list[Node]) -> dict[str, Code]:
    """Every code in ``nodes``, by id (the first, if one occurs twice)."""
    found: dict[str, Code] = {}
    for node in nodes:
        if isinstance(node, Code):
            found.setdefault(node.id, node)
            for key, value in codes_of(node.children).items():
                found.setdefault(key, value)
    return found


def to_html(nodes: list[Node], source: dict[str, Code]) -> str:
    """A translation's nodes as HTML, each code written as the source's element."""
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(escape(node, quote=False))
            continue
        original = source[node.id]
        parts.append(original.start_tag())
        if original.paired:
            parts.append(to_html(node.children, source))
            parts.append(f"</{original.tag}>")
    return "".join(parts)


def plain_text(nodes: list[Node]) -> str:
    """The words alone (for previews and conflicts)."""
    return "".join(node if isinstance(node, str) else plain_text(node.children) for node in nodes)


# Tags in the text (PO) ----------------------------------------------------------------------


def to_tagged_text(nodes: list[Node]) -> str:
    """``<p id="1">Tekst <a id="2">link</a></p>``: the codes as tags, the text escaped."""
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(escape(node, quote=False))
        elif node.paired:
            parts.append(f'<{node.tag} id="{node.id}">{to_tagged_text(node.children)}</{node.tag}>')
        else:
            parts.append(f'<{node.tag} id="{node.id}"/>')
    return "".join(parts)


def from_tagged_text(text: str) -> list[Node]:
    builder = _TreeBuilder(numbered=False)
    builder.feed(text)
    builder.close()
    return builder.root


# XLIFF (translate-toolkit placeables) -------------------------------------------------------


def to_placeables_12(nodes: list[Node]) -> StringElem:
    """Nodes as XLIFF 1.2 ``<g>``/``<x>`` placeables, for ``unit.rich_source``."""
    sub = []
    for node in nodes:
        if isinstance(node, str):
            sub.append(StringElem(node))
            continue
        ctype = CTYPES_12.get(node.tag, f"x-html-{node.tag}")
        if node.paired:
            children = to_placeables_12(node.children).sub
            sub.append(placeables.G(id=node.id, sub=children, xml_attrib={"ctype": ctype}))
        else:
            sub.append(placeables.X(id=node.id, xml_attrib={"ctype": ctype}))
    return StringElem(sub)


def _disp(code: Code) -> dict[str, str]:
    """What XLIFF 2.0 tools show for a code: the source's own tag (a link's address)."""
    if not code.paired:
        return {"disp": code.start_tag(), "equiv": "\n"}
    return {"dispStart": code.start_tag(), "dispEnd": f"</{code.tag}>"}


def to_placeables_20(nodes: list[Node]) -> StringElem:
    """Nodes as XLIFF 2.0 ``<pc>``/``<ph>`` elements (translate-toolkit's ``UnknownXML``).

    Blocks may not be deleted (``canDelete="no"``, which XLIFF 2.0 tools enforce), as
    :func:`check` requires them.
    """
    sub = []
    for node in nodes:
        if isinstance(node, str):
            sub.append(StringElem(node))
            continue
        kind, subtype = TYPES_20.get(node.tag, ("other", f"html:{node.tag}"))
        element = etree.Element(f"{{{XLIFF_20}}}{'pc' if node.paired else 'ph'}")
        element.set("id", node.id)
        if node.tag in BLOCKS:
            element.set("canDelete", "no")
        element.set("type", kind)
        if subtype:
            element.set("subType", subtype)
        for name, value in _disp(node).items():
            element.set(name, value)
        children = to_placeables_20(node.children).sub if node.paired else []
        sub.append(placeables.UnknownXML(sub=children, id=node.id, xml_node=element))
    return StringElem(sub)


def from_placeables(elem: StringElem) -> list[Node]:
    """A unit's rich source or target (XLIFF 1.2 or 2.0) as nodes.

    Annotation markers (``<mrk>``, which tools add for terms and comments) are unwrapped;
    any other inline element than the ones we write is refused.
    """
    nodes: list[Node] = []

    def add_text(text: str) -> None:
        if nodes and isinstance(nodes[-1], str):
            nodes[-1] += text
        elif text:
            nodes.append(text)

    for part in elem.sub if isinstance(elem, StringElem) else [elem]:
        if isinstance(part, str):
            add_text(part)
        elif isinstance(part, placeables.G):
            nodes.append(Code(str(part.id), "", children=from_placeables(part)))
        elif isinstance(part, placeables.X):
            nodes.append(Code(str(part.id), "br"))
        elif isinstance(part, placeables.UnknownXML):
            name = etree.QName(part.xml_node)
            if name.localname == "mrk":
                for child in from_placeables(part):
                    if isinstance(child, str):
                        add_text(child)
                    else:
                        nodes.append(child)
            elif name.namespace == XLIFF_20 and name.localname == "pc":
                nodes.append(Code(str(part.id), "", children=from_placeables(part)))
            elif name.namespace == XLIFF_20 and name.localname == "ph":
                nodes.append(Code(str(part.id), "br"))
            else:
                raise MarkupError(
                    gettext("the inline element <%(element)s> is not one this file had.")
                    % {"element": name.localname}
                )
        elif type(part) is StringElem:
            for child in from_placeables(part):
                if isinstance(child, str):
                    add_text(child)
                else:
                    nodes.append(child)
        else:
            raise MarkupError(
                gettext("the inline element <%(element)s> is not one this file had.")
                % {"element": type(part).__name__.lower()}
            )
    return nodes


# Checking a translation against its source --------------------------------------------------


def _block_parents(nodes: list[Node], parent: str, into: dict[str, str]) -> None:
    """For each block code: the id of the block it stands in ("" at the top)."""
    for node in nodes:
        if isinstance(node, Code):
            if node.tag in BLOCKS:
                into[node.id] = parent
                _block_parents(node.children, node.id, into)
            else:
                _block_parents(node.children, parent, into)


def _has_loose_content(nodes: list[Node], tags: dict[str, str]) -> bool:
    """Text or inline codes directly here, not inside a block."""
    return any(
        (isinstance(node, str) and node.strip())
        or (isinstance(node, Code) and tags.get(node.id, node.tag) not in BLOCKS)
        for node in nodes
    )


def check(translation: list[Node], source_nodes: list[Node]) -> None:
    """Raise :class:`MarkupError` unless ``translation``'s codes fit ``source_nodes``.

    Codes read from XLIFF know only their id and whether they are paired; they take the
    source's element here (``Code.tag`` is set). Codes read from tags in the text also name
    their element, which must be the source's.
    """
    source = codes_of(source_nodes)
    tags = {code_id: code.tag for code_id, code in source.items()}
    seen: set[str] = set()

    def walk(nodes: list[Node], block: str) -> None:
        source_here = source[block].children if block else source_nodes
        if _has_loose_content(nodes, tags) and not _has_loose_content(source_here, tags):
            if block:
                message = gettext(
                    "text stands directly inside code %(code)s (%(element)s), where the source "
                    "has none; keep every word inside the codes where it stands in the source."
                ) % {"code": block, "element": source[block].name}
            else:
                message = gettext(
                    "text stands outside the paragraphs, where the source has none; keep every "
                    "word inside the codes where it stands in the source."
                )
            raise MarkupError(message)
        for node in nodes:
            if isinstance(node, str):
                continue
            original = source.get(node.id)
            if original is None:
                raise MarkupError(
                    gettext("code %(code)s is not in the source text.") % {"code": node.id}
                )
            if node.id in seen:
                raise MarkupError(
                    gettext("code %(code)s (%(element)s) occurs twice.")
                    % {"code": node.id, "element": original.name}
                )
            seen.add(node.id)
            if node.tag and node.tag != original.tag:
                raise MarkupError(
                    gettext(
                        "code %(code)s is a %(element)s (<%(tag)s>) in the source, not <%(other)s>."
                    )
                    % {
                        "code": node.id,
                        "element": original.name,
                        "tag": original.tag,
                        "other": node.tag,
                    }
                )
            if node.paired != original.paired or (node.children and not original.paired):
                raise MarkupError(
                    gettext("code %(code)s (%(element)s) has the wrong form.")
                    % {"code": node.id, "element": original.name}
                )
            node.tag = original.tag
            walk(node.children, node.id if original.tag in BLOCKS else block)

    walk(translation, "")
    source_parents: dict[str, str] = {}
    _block_parents(source_nodes, "", source_parents)
    translation_parents: dict[str, str] = {}
    _block_parents(translation, "", translation_parents)
    for code_id, parent in source_parents.items():
        if code_id not in translation_parents:
            raise MarkupError(
                gettext("code %(code)s (%(element)s) is missing.")
                % {"code": code_id, "element": source[code_id].name}
            )
        if translation_parents[code_id] != parent:
            raise MarkupError(
                gettext("code %(code)s (%(element)s) has moved elsewhere.")
                % {"code": code_id, "element": source[code_id].name}
            )
