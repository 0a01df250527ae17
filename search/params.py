"""The ranking parameters: one frozen set, read by the query plan and the ranking stages.

Every number here was set with ``benchmarks/relevance`` (see its README for the sweeps).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Params:
    # BM25 (Whoosh's and Lucene's defaults).
    k1: float = 1.2
    b: float = 0.75
    # Fields of the analyzed view: a query word's BM25 per field, times these.
    title_boost: float = 2.0
    authors_boost: float = 1.0
    #: The Hangul bigram view of the query's content words.
    bigram_boost: float = 2.0
    #: A query word's own syllable pair also counts in the bigram view, times this, in the papers
    #: that write it where the analysis did not read it as content (their literal view holds it):
    #: the bigram view indexes Kiwi's content words, and Kiwi reads some words differently from
    #: paper to paper (스스로 is content in 5 of the 42 papers writing it, 단안 in 24 of 38,
    #: 깊이 in 118 of 190), so without this the few it read so outscore the rest on an inflated
    #: idf. Measured 0.75 / 1 / 1.25 / 1.5 → ALL 0.8870 / 0.8869 / 0.8864 / 0.8867 (0: 0.8851).
    bigram_written: float = 1.0
    #: A query compound the corpus writes as one word counts fully, each of its parts less.
    join_weight: float = 1.0
    part_weight: float = 0.3
    #: Other derived terms: joined model names, sub-parts of Latin runs.
    derived_boost: float = 0.3
    #: An English word's title boost, times this, in a query that also has Korean words
    #: (``plan._mixed_titles``): the Korean words reach the English titles only through aliases.
    mixed_title: float = 0.7
    #: Learned Korean ↔ English aliases, times their confidence; at most this many per word.
    alias_boost: float = 0.5
    max_aliases: int = 2
    #: An English query term's pivot through its Korean compound alias (``state space model``
    #: → 상태 공간 모델 → *ssm*), times ``alias_boost`` and both aliases' confidences.
    #: Measured (benchmarks/relevance): 0.5 / 1 / 2 → ALL 0.8852 for all (two queries +0.002).
    pivot_boost: float = 1.0
    #: The English word a Hangul loanword transliterates, times its similarity, in the analyzed
    #: view; and its weight in the literal view per syllable pair of the Hangul word (each of
    #: which counts 1 there), so that both spellings of the word weigh the same.
    loanword_boost: float = 0.5
    loanword_literal: float = 1.0
    #: Neighbouring query words found within ``near_slop`` positions of each other ...
    proximity_boost: float = 0.3
    near_slop: int = 3
    #: ... and neighbouring Latin query words found as one author's name.
    name_boost: float = 2.0
    #: The literal view: its fields and their boosts (inside the term frequency, as Whoosh's
    #: field boosts work), and its weight in the fusion.
    literal_fields: tuple[tuple[str, float], ...] = (("lit_title", 2.0), ("lit_summary", 1.0))
    literal_weight: float = 1.0
    #: Reciprocal-rank fusion: a paper scores sum(weight / (rrf_k + rank)) over the two views,
    #: plus its analyzed score scaled far below one rank step, to break ties.
    rrf_k: int = 40
    tie_break: float = 1e-7
    #: score × (1 + vote_weight × ln(1 + votes)).
    vote_weight: float = 0.02
    #: The syllable pair across a space between two Hangul query words (성합 of 음성 합성), or
    #: across the seam of two words inside one written word (성합 of 음성합성), in the literal
    #: view, against 1 for a typed pair.
    joined_literal: float = 0.25
    #: A Hangul query word the analysis read as no content (an adverb reading: 깊이, 스스로)
    #: still counts, as a term and through its bigrams, at this weight.
    unread_weight: float = 1.0
    #: Coordination (Lucene's coord factor): a paper's share of the query's concepts, weighted
    #: by each concept's idf when ``coord_idf``, multiplies both views' scores (** coord_power)
    #: and, after fusion, the fused score (** coord_fused), so that a rank-based fusion and the
    #: vote blend cannot lift a paper sharing one common word over one matching every word.
    #: A paper must match at least ``coord_min`` of that weight (0: any one concept) to count
    #: at all, Elasticsearch's ``minimum_should_match``; measured, any hard minimum above 0.25
    #: loses known-item queries (long descriptions), so none is set.
    coord_power: float = 1.0
    coord_idf: bool = True
    coord_min: float = 0.0
    coord_fused: float = 0.5
    #: A missed concept that a matched, narrower one implies counts by P(missed | matched) over
    #: the live papers, times ``coord_implied`` (0: none), the estimate pulled towards the
    #: missed concept's base rate by ``coord_prior`` papers; only where the two go together more
    #: often than chance, in at least ``coord_shared`` papers (see :mod:`search.coordination`).
    #: Measured (benchmarks/relevance): the dev set is flat for a prior of 0–80 papers and for
    #: 2–10 shared papers; the weight 0.5 / 0.75 / 1 / 1.25 → ALL 0.882 / 0.882 / 0.884 / 0.883
    #: (below 1, one paper of `한국어 LLM` stays out of its top 10).
    coord_implied: float = 1.0
    coord_prior: float = 20.0
    coord_shared: int = 3
    #: Phase 2 (proximity, fusion, votes) re-ranks this many of the best phase-1 candidates of
    #: each view; benchmarks/perf shows the top 10 equal to re-ranking everything.
    window: int = 400

    @property
    def expansion_fields(self) -> tuple[tuple[str, float], ...]:
        """Where aliases and loanwords count."""
        return (("title", self.title_boost), ("summary", 1.0))


DEFAULT = Params()
