"""Simple Whoosh rankers to compare the engine against, each behind the same small adapter.

All three index title (boost 2), summary and authors with Whoosh's default BM25F and answer a
query with an OR of its analyzed terms over the three fields; only the analysis differs:

* ``whitespace``: Whoosh ``RegexTokenizer`` + ``LowercaseFilter``, i.e. words as written.
* ``bigram``: Hangul runs as overlapping syllable bigrams (a one-syllable run as itself), other
  word runs lower-cased, in the spirit of Lucene's ``CJKAnalyzer``.
* ``kiwi-naive``: Kiwi nouns (NNG, NNP) and foreign words (SL, lower-cased), nothing else.

Each adapter turns text into terms in Python and indexes them space-separated, so the index
schema holds only stock Whoosh classes and can be reopened without this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import LowercaseFilter, RegexTokenizer, SpaceSeparatedTokenizer
from whoosh.fields import ID, TEXT, Schema
from whoosh.query import Or, Term
from whoosh.scoring import BM25F

__all__ = ["Baseline", "Whitespace", "Bigram", "KiwiNaive", "BASELINES", "FIELDS"]

#: Field -> Whoosh ``field_boost``; every query term is searched in every field. The boost is
#: Whoosh's own, applied to term weights at index time, so it goes through BM25's saturation.
FIELDS = {"title": 2.0, "summary": 1.0, "authors": 1.0}
AUTHOR_SEPARATOR = " ; "


class Baseline:
    """A BM25F ranker over title, summary and authors; subclasses define :meth:`analyze`."""

    name = "baseline"
    #: Bump when the terms or the index layout change, so cached indexes are rebuilt.
    version = 2

    def analyze(self, text: str) -> list[str]:
        raise NotImplementedError

    def build(self, papers: Iterable, index_dir: str | Path) -> None:
        """Index ``papers`` (``search.parse.Paper`` values) into an empty ``index_dir``."""
        fields = {
            name: TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=False, field_boost=boost)
            for name, boost in FIELDS.items()
        }
        schema = Schema(arxiv_id=ID(stored=True, unique=True), **fields)
        Path(index_dir).mkdir(parents=True, exist_ok=True)
        writer = whoosh_index.create_in(str(index_dir), schema).writer(limitmb=256)
        for paper in papers:
            writer.add_document(
                arxiv_id=paper.arxiv_id,
                title=self._terms(paper.title),
                summary=self._terms(paper.summary),
                authors=self._terms(AUTHOR_SEPARATOR.join(paper.authors)),
            )
        writer.commit()
        self.open(index_dir)

    def open(self, index_dir: str | Path) -> None:
        """Use the index already built in ``index_dir``."""
        self._index = whoosh_index.open_dir(str(index_dir))
        self._searcher = self._index.searcher(weighting=BM25F())

    def search(self, query: str, k: int = 10) -> list[str]:
        """The arXiv ids of the ``k`` best papers for ``query``, best first."""
        terms = list(dict.fromkeys(self.analyze(query)))
        if not terms:
            return []
        tree = Or([Term(field, term) for term in terms for field in FIELDS])
        return [hit["arxiv_id"] for hit in self._searcher.search(tree, limit=k)]

    def close(self) -> None:
        if getattr(self, "_searcher", None) is not None:
            self._searcher.close()
            self._searcher = None

    def _terms(self, text: str) -> str:
        return " ".join(self.analyze(text))


class Whitespace(Baseline):
    """Words as Whoosh's default regex tokenizer finds them, lower-cased."""

    name = "whitespace"

    def __init__(self) -> None:
        self._analyzer = RegexTokenizer() | LowercaseFilter()

    def analyze(self, text: str) -> list[str]:
        return [token.text for token in self._analyzer(text)]


class Bigram(Baseline):
    """Overlapping Hangul syllable bigrams; other word runs as lower-cased words."""

    name = "bigram"
    _RUN = re.compile(r"(?P<hangul>[\uac00-\ud7a3]+)|(?P<word>[^\W\uac00-\ud7a3]+)")

    def analyze(self, text: str) -> list[str]:
        terms = []
        for run in self._RUN.finditer(text):
            if run.group("word"):
                terms.append(run.group("word").lower())
                continue
            hangul = run.group("hangul")
            if len(hangul) == 1:
                terms.append(hangul)
            else:
                terms.extend(hangul[i : i + 2] for i in range(len(hangul) - 1))
        return terms


class KiwiNaive(Baseline):
    """Kiwi's nouns and foreign words, one text at a time; no compounds, no stems."""

    name = "kiwi-naive"
    TAGS = frozenset({"NNG", "NNP", "SL"})

    def __init__(self) -> None:
        self._kiwi = None

    def analyze(self, text: str) -> list[str]:
        if self._kiwi is None:
            from kiwipiepy import Kiwi

            self._kiwi = Kiwi()
        return [
            token.form.lower() if token.tag == "SL" else token.form
            for token in self._kiwi.tokenize(text)
            if token.tag in self.TAGS
        ]


BASELINES = {cls.name: cls for cls in (Whitespace, Bigram, KiwiNaive)}
