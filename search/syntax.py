"""Query syntax: the user's string → a tree of items, groups and filters, and notes on what was
not understood. One grammar for the library, the CLI and any other client; the README's *Query
syntax* section is its reference.

* words are analyzed together (Kiwi needs context) and ranked; any of them may match (OR);
* ``"a phrase"`` must occur as a phrase (an unclosed quote runs to the end);
* ``+word`` or ``A AND B`` require, ``-word`` or ``NOT word`` exclude, ``OR`` is the default;
  ``AND`` binds the items on both sides (``a b AND c`` requires b and c, as in Lucene);
* ``( … )`` groups: ``(LoRA OR DoRA) AND 양자화``; a group matches as a whole;
* ``lo*`` is a prefix;
* ``title:…`` and ``author:…`` restrict a word or phrase to a field; ``votes:>10``,
  ``votes:10..50``, ``date:2025-05``, ``date:2024-06..2024-08``, ``date:>=2024-06``,
  ``year:2024`` filter. Fields and filters are required unless joined by an explicit ``OR``;
* an arXiv ID or link (``2501.12948``, ``arXiv:2501.12948v2``, ``https://arxiv.org/abs/…``,
  ``https://huggingface.co/papers/…``) looks that paper up.

Any string parses: what the grammar does not know is searched as text, and a note says so.
Nothing here looks at the index.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date as Date

OPERATORS = ("AND", "OR", "NOT")
TEXT_FIELDS = {"title": "title", "author": "author", "authors": "author"}
FILTER_FIELDS = ("votes", "date", "year")

_ARXIV = r"(\d{4}\.\d{4,5})(?:v\d+)?"
_ID = re.compile(
    rf"(?:arxiv:|(?:https?://)?(?:www\.)?(?:arxiv\.org/(?:abs|pdf)/|huggingface\.co/papers/)){_ARXIV}(?:\.pdf)?/?"
    rf"|{_ARXIV}",
    re.IGNORECASE,
)
_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<open>\()
      | (?P<close>\))
      | (?P<sign>[+-](?=[^\s+-]))?
        (?:(?P<field>[A-Za-z]+):(?=\S))?
        (?: "(?P<phrase>[^"]*)(?P<closed>"?)
          | (?P<word>[^\s"()]+) )
      | (?P<stray>["()])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Item:
    """A run of words, a phrase, a prefix or an arXiv ID, optionally restricted to a field."""

    kind: str            # "text", "phrase", "prefix", "id"
    text: str
    field: str | None = None   # "title", "author"
    mode: str = "should"       # "should", "must", "not"


@dataclass(frozen=True)
class Filter:
    """``votes`` or ``date`` between ``low`` and ``high`` inclusive (dates as 20240701);
    ``text`` as written."""

    field: str
    low: int | None
    high: int | None
    text: str
    mode: str = "must"


@dataclass(frozen=True)
class Group:
    """Parenthesized parts that match as one: all of its required parts, else any of its
    others, and none of its excluded ones."""

    parts: tuple
    mode: str = "should"


@dataclass(frozen=True)
class Query:
    """A parsed query: its top-level parts and notes on what was read differently."""

    parts: tuple
    notes: tuple[str, ...] = ()
    #: The query held operators and nothing they apply to (``AND OR``, ``NOT``).
    only_operators: bool = False
    #: An explicit ``OR`` joined two of its parts: it asks for either, not for every word.
    alternatives: bool = False


def arxiv_id(text: str) -> str | None:
    """The arXiv ID (without version) that ``text`` is or links to, else None."""
    m = _ID.fullmatch(text.strip())
    if m is None:
        return None
    found = m.group(1) or m.group(2)
    yymm, number = found.split(".")
    # Months 01-12; four digits after the dot until 2014, five since 2015 (arXiv's scheme).
    if not 1 <= int(yymm[2:]) <= 12 or (len(number) == 5) != (yymm >= "1501"):
        return None
    return found


def parse_query(text: str) -> list:
    """The top-level parts of ``text`` (see :func:`parse`)."""
    return list(parse(text).parts)


def parse(text: str) -> Query:
    """Parse a user string; never raises."""
    return _Parser(text).parse()


@dataclass
class _Unit:
    node: object
    sign: str | None = None        # "+" or "-" (NOT gives "-")
    joined_or: bool = False        # an explicit OR touches it
    joined_and: bool = False
    plain: bool = False            # a plain word, to be merged with its plain neighbours


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = list(self._tokenize(text))
        self.at = 0
        self.notes: list[str] = []
        self.alternatives = False
        self.operators = 0

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def _tokenize(self, text: str):
        for m in _TOKEN.finditer(text):
            if m.group("space"):
                continue
            if m.group("open"):
                yield ("open", "(")
            elif m.group("close"):
                yield ("close", ")")
            elif m.group("stray"):
                yield ("word", m.group("stray"))
            else:
                yield ("term", m)

    def parse(self) -> Query:
        parts = self._level(top=True)
        only_ops = not parts and self.operators == len(self.tokens)
        return Query(tuple(parts), tuple(self.notes), only_ops, self.alternatives)

    # -- one level of a query: the top, or the inside of parentheses --------------------------------

    def _level(self, top: bool) -> list:
        units: list[_Unit] = []
        pending: str | None = None       # an operator waiting for its right-hand side
        closed = top
        while self.at < len(self.tokens):
            kind, value = self.tokens[self.at]
            self.at += 1
            if kind == "close":
                if top:
                    self.note("a ')' without its '(' was ignored")
                    continue
                closed = True
                break
            if kind == "open":
                inner = self._level(top=False)
                unit = _Unit(Group(tuple(inner))) if inner else None
            elif kind == "word":
                unit = _Unit(Item("text", value), plain=True)
                self.note(f"{value!r} is searched as text")
            else:
                m = value
                word = m.group("word")
                if m.group("sign") is None and m.group("field") is None and word in OPERATORS:
                    self.operators += 1
                    if word == "NOT":
                        if pending == "AND":  # a AND NOT b: a is required, b excluded
                            units[-1].joined_and = True
                        pending = "NOT" if pending != "NOT" else None
                    elif units and pending is None:
                        pending = word
                    else:
                        self.note(f"{word} needs something on each side; it was ignored")
                    continue
                unit = self._term(m)
            if unit is None:
                continue
            if pending == "NOT":
                unit.sign = "-" if unit.sign != "-" else None
                pending = None
            elif pending in ("AND", "OR"):
                if pending == "AND":
                    units[-1].joined_and = unit.joined_and = True
                else:
                    units[-1].joined_or = unit.joined_or = True
                    self.alternatives = True
                pending = None
            units.append(unit)
        if pending is not None:
            self.note(f"{pending} needs something after it; it was ignored")
        if not closed:
            self.note("a '(' without its ')' runs to the end of the query")
        return self._combine(units)

    def _term(self, m) -> _Unit | None:
        sign, name, phrase, word = m.group("sign"), m.group("field"), m.group("phrase"), m.group("word")
        if phrase is not None and not m.group("closed"):
            self.note("an unclosed quote runs to the end of the query")
        whole = m.group(0)[len(sign or ""):]
        found_id = arxiv_id(whole)
        if found_id is not None:
            return _Unit(Item("id", found_id), sign)
        if name is not None and word is not None and word.startswith("//"):
            name = None  # a link: searched as text
            word = whole
        if name is not None:
            key = name.lower()
            value = phrase if phrase is not None else word
            if key in TEXT_FIELDS:
                if not value.strip():
                    return None
                kind = "phrase" if phrase is not None else ("prefix" if _is_prefix(value) else "text")
                text = value[:-1] if kind == "prefix" else value
                return _Unit(Item(kind, text, TEXT_FIELDS[key]), sign)
            if key in FILTER_FIELDS:
                found = _filter(key, value or "")
                if found is not None:
                    return _Unit(found, sign)
                self.note(f"{name}:{value} is not a {_FILTER_HELP[key]}; searched as text")
            elif key != "arxiv":
                self.note(f"{name}: is not a field ({', '.join(['title', 'author', *FILTER_FIELDS])}); "
                          f"{name}:{value} was searched as text")
        if phrase is not None and name is None:
            return _Unit(Item("phrase", phrase), sign) if phrase.strip() else None
        if name is None and _is_prefix(word):
            return _Unit(Item("prefix", word[:-1]), sign)
        if name is None and word.endswith("*") and word.strip("*"):
            self.note(f"{word!r}: a prefix needs two letters before '*'; searched as text")
        return _Unit(Item("text", whole if name is not None else word), sign, plain=sign is None)

    # -- from units to parts with their modes -------------------------------------------------------

    def _combine(self, units: list[_Unit]) -> list:
        parts: list = []
        run: list[str] = []

        def flush() -> None:
            if run:
                parts.append(Item("text", " ".join(run)))
                run.clear()

        for unit in units:
            mode = self._mode(unit)
            if unit.plain and mode == "should" and not unit.joined_or:
                run.append(unit.node.text)
                continue
            flush()
            node = unit.node
            if isinstance(node, Group) and len(node.parts) == 1 and node.parts[0].mode in ("should", mode):
                node = node.parts[0]  # (x) is x
            parts.append(_with_mode(node, mode))
        flush()
        return parts

    @staticmethod
    def _mode(unit: _Unit) -> str:
        if unit.sign == "-":
            return "not"
        if unit.sign == "+" or unit.joined_and:
            return "must"
        return "must" if restricts(unit.node) and not unit.joined_or else "should"


def restricts(part) -> bool:
    """Phrases, fields, filters and groups of them restrict what the words find: they are
    required unless joined by an explicit ``OR``, and the words still have to match."""
    if isinstance(part, Filter):
        return True
    if isinstance(part, Group):
        return bool(part.parts) and all(restricts(p) for p in part.parts)
    return part.kind == "phrase" or part.field is not None


def _with_mode(node, mode: str):
    if isinstance(node, Item):
        return Item(node.kind, node.text, node.field, mode)
    if isinstance(node, Filter):
        return Filter(node.field, node.low, node.high, node.text, mode)
    return Group(node.parts, mode)


def _is_prefix(word: str) -> bool:
    return word.endswith("*") and len(word.rstrip("*")) >= 2 and word.count("*") == 1


# -- filters ------------------------------------------------------------------------------------

_FILTER_HELP = {
    "votes": "vote count like votes:>10, votes:>=10, votes:<5, votes:10..50 or votes:10",
    "date": "date like date:2025-05, date:2024-06-15, date:2024-06..2024-08 or date:>=2024-06",
    "year": "year like year:2024 or year:2023..2024",
}
_COMPARE = re.compile(r"(>=|<=|>|<|=)?(.*)")


def _filter(key: str, value: str) -> Filter | None:
    """A filter from ``votes:>10``, ``date:2024-06..2024-08``, ``year:2024``…; None if the value
    is not understood."""
    text = f"{key}:{value}"
    parse = _votes if key == "votes" else _day
    if key == "year" and not re.fullmatch(r"[<>]?=?\d{4}(?:\.\.\d{4})?", value):
        return None
    if ".." in value:
        a, _, b = value.partition("..")
        low = parse(a, end=False) if a else None
        high = parse(b, end=True) if b else None
        if (a and low is None) or (b and high is None) or (not a and not b):
            return None
        return Filter("votes" if key == "votes" else "date", low, high, text)
    op, rest = _COMPARE.fullmatch(value).groups()
    op = op or "="
    low, high = parse(rest, end=False), parse(rest, end=True)
    if low is None:
        return None
    field = "votes" if key == "votes" else "date"
    if op == "=":
        return Filter(field, low, high, text)
    if op == ">=":
        return Filter(field, low, None, text)
    if op == "<=":
        return Filter(field, None, high, text)
    if op == ">":
        return Filter(field, high + 1 if field == "votes" else _next_day(high), None, text)
    return Filter(field, None, low - 1 if field == "votes" else _previous_day(low), text)


def _votes(text: str, end: bool) -> int | None:
    return int(text) if re.fullmatch(r"\d{1,9}", text) else None


def calendar_day(text: str, end: bool = False) -> Date | None:
    """``2024``, ``2024-06`` or ``2024-06-15`` as a day (the first day of a month or year, or
    with ``end`` its last), or None when it is no such date."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text)
    if m is None:
        return None
    year, month, day = int(m[1]), m[2], m[3]
    try:
        if day is not None:
            return Date(year, int(month), int(day))
        if month is not None:
            last = calendar.monthrange(year, int(month))[1] if 1 <= int(month) <= 12 else 0
            return Date(year, int(month), last if end else 1)
        return Date(year, 12, 31) if end else Date(year, 1, 1)
    except ValueError:
        return None


def _day(text: str, end: bool) -> int | None:
    """:func:`calendar_day` as a day number (20240615)."""
    found = calendar_day(text, end)
    return None if found is None else found.year * 10000 + found.month * 100 + found.day


def _next_day(number: int) -> int:
    d = Date.fromordinal(_ordinal(number) + 1)
    return d.year * 10000 + d.month * 100 + d.day


def _previous_day(number: int) -> int:
    d = Date.fromordinal(_ordinal(number) - 1)
    return d.year * 10000 + d.month * 100 + d.day


def _ordinal(number: int) -> int:
    return Date(number // 10000, number // 100 % 100, number % 100).toordinal()


def describe(parts) -> str:
    """A parsed query written out in one line, as the grammar table test and ``--explain`` show
    it: ``+`` required, ``-`` excluded, ``'…'`` a run of words analyzed together, ``"…"`` a
    phrase, ``( … )`` a group, filters as ``votes:11..`` and ``date:20240601..20240831``."""
    out = []
    for part in parts:
        sign = {"must": "+", "not": "-"}.get(part.mode, "")
        if isinstance(part, Group):
            body = "(" + describe(part.parts) + ")"
        elif isinstance(part, Filter):
            body = f"{part.field}:{'' if part.low is None else part.low}..{'' if part.high is None else part.high}"
        else:
            field = f"{part.field}:" if part.field else ""
            body = {"phrase": f'"{part.text}"', "prefix": f"{part.text}*", "id": f"arxiv:{part.text}"}.get(
                part.kind, f"'{part.text}'" if " " in part.text else part.text)
            body = field + body
        out.append(sign + body)
    return " ".join(out)
