"""Query syntax: the user's string → items (text runs, phrases, fielded words) with operators.

* words are analyzed together (Kiwi needs context) and ranked; papers matching more of them
  rank higher;
* ``"quoted phrase"`` must occur as a phrase (an unclosed quote runs to the end);
* ``title:WORD`` / ``title:"a phrase"`` and ``author:NAME`` / ``author:"Yifan Zhang"``
  restrict a word or phrase to a field and require it;
* ``AND`` between two words requires both, ``NOT WORD`` excludes, ``OR`` is the default.

Any string parses; nothing here looks at the index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'(?P<field>(?:title|author|authors):)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
_OPERATORS = ("AND", "OR", "NOT")


@dataclass(frozen=True)
class Item:
    """One part of a query: a run of words, or a phrase, optionally restricted to a field."""

    kind: str            # "text", "phrase"
    text: str
    field: str | None = None
    mode: str = "should"  # "should", "must", "not"


def parse_query(text: str) -> list[Item]:
    """Split a user string into text runs, phrases and fielded items with their operators."""
    raw = [(m.group("field"), m.group("phrase"), m.group("word")) for m in _TOKEN.finditer(text)]
    items: list[Item] = []
    pending: str | None = None  # operator waiting for its right-hand item
    run: list[str] = []

    def flush_run():
        if run:
            items.append(Item("text", " ".join(run)))
            run.clear()

    for i, (field, phrase, word) in enumerate(raw):
        has_next = i + 1 < len(raw)
        if field is None and phrase is None and word in _OPERATORS and has_next and (word == "NOT" or items or run):
            if word == "AND" and run:
                # AND binds the word right before it, not the whole run.
                last = run.pop()
                flush_run()
                items.append(Item("text", last, mode="must"))
            elif word == "AND" and items and items[-1].mode == "should":
                items[-1] = Item(items[-1].kind, items[-1].text, items[-1].field, "must")
            flush_run()
            pending = word
            continue
        if field is not None or phrase is not None or pending is not None:
            flush_run()
            name = None if field is None else ("author" if field.startswith("author") else "title")
            value = phrase if phrase is not None else word
            mode = {"AND": "must", "NOT": "not", "OR": "should"}.get(pending, "should")
            if name is not None and mode == "should":
                mode = "must"
            if phrase is None and name is None:
                items.append(Item("text", value, mode=mode))
            else:
                items.append(Item("phrase" if phrase is not None else "text", value, name, mode))
            pending = None
        else:
            run.append(word)
    flush_run()
    return [item for item in items if item.text.strip()]
