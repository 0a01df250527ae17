"""What a query word expands to beyond its own terms, decided once per plan from the generation's
lexicon tables and loanword evidence: learned aliases (in each spelling the corpus uses, and
through a Korean compound to its other English alias, the acronym's expansion), the English word
a Hangul loanword spells (in both views), and the Korean forms that complete an English head
word's coverage, and the spellings and word orders of an author's name. :class:`Expansions` is a part of the plan builder (:mod:`search.plan`), whose
state it adds to: ``scored`` and ``pairs`` through ``_add_terms``, ``literal``, ``highlight``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from . import analysis, lexicon, views
from .analysis import Term
from .plan_parts import Bool, Clause, Near
from .syntax import Item

#: A noun made a verb (제어하는, 개선된, 학습시킨) keeps its meaning, unlike one with a
#: derivational suffix (최적화, 조건부).
_LIGHT_VERB = re.compile(r"^(?:하|해|했|되|돼|됐|된|될|시키|시켜|받|당하)")


def _written_forms(words: list[str]) -> list[str]:
    """``words`` and their plurals, the forms that :func:`analysis.normalize_english` reads as
    them (``autoencoder`` → ``autoencoders``, ``study`` → ``studies``, ``patch`` → ``patches``)."""
    forms = []
    for w in words:
        plurals = [w + "s", w + "es"] + ([w[:-1] + "ies"] if w.endswith("y") else [])
        forms += [w] + [f for f in plurals if f != w and analysis.normalize_english(f) == w]
    return list(dict.fromkeys(forms))


#: At most this many spellings and word orders of one author's name are tried.
MAX_NAME_FORMS = 24


def name_match(words: tuple[str, ...], names: Callable):
    """An author's name in any word order and spelling: ``Zhang Yifan``, ``Yifan Zhang`` and
    ``Yi-Fan Zhang`` are one person."""
    spellings = [list(dict.fromkeys([w, *names(w)])) for w in words]
    orders = itertools.permutations(range(len(words))) if len(words) <= 3 else [tuple(range(len(words)))]
    forms = []
    for order in orders:
        for combo in itertools.product(*(spellings[i] for i in order)):
            forms.append(Clause("phrase" if len(combo) > 1 else "all", (("authors", 1.0),), combo, 1))
    forms = list(dict.fromkeys(forms))[:MAX_NAME_FORMS]
    return forms[0] if len(forms) == 1 else Bool(should=tuple(forms))


class Expansions:
    """The expansion steps of the plan builder."""

    def _korean_forms(self, word: str) -> tuple[str, ...]:
        """The Korean words of which the English ``word`` is one of the aliases a query uses
        (``Params.max_aliases``): a paper saying 모델 in its Korean summary has the concept
        *model*, as a paper saying *model* has the concept 모델 of a Korean query.

        Only for the head of an English phrase, its last word (``model`` of ``vision language
        action model``): technical compounds are head-final in both languages, the head is the
        generic category word the summaries translate (모델, 학습, 생성), while the words before
        it name the topic and keep their English form; a modifier's translation is also a
        common word of other phrases (the 머신 of 머신러닝 for *machine* of ``machine
        unlearning``), so it would complete papers about something else."""
        if not lexicon.is_latin(word):
            return ()
        return tuple(k for k in self.tables.ko_forms.get(word, [])
                     if any(a.text == word for a in self.tables.ko_to_en.get(k, [])[: self.p.max_aliases]))

    def _aliases(self, text: str, primary: list[Term], seen: set[str]) -> None:
        """Add learned Korean ↔ English aliases of the query's words as weighted expansions."""
        words = [t.text for t in primary]
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + lexicon.MAX_ENGLISH_TERMS) + 1):
                span = words[i:j]
                if all(lexicon.is_hangul(w) for w in span) and j - i <= lexicon.MAX_KOREAN_TERMS:
                    found = self._korean_aliases("".join(span), text, primary[j - 1], primary)
                elif all(lexicon.is_latin(w) for w in span):
                    found = self.tables.en_to_ko.get(" ".join(span), [])
                else:
                    continue
                concepts = tuple(self.concept_ids[w] for w in span if w in self.concept_ids)
                for alias in found[: self.p.max_aliases]:
                    boost = self.p.alias_boost * alias.confidence
                    # One alias, however the corpus spells it (position encoding, positional
                    # encoding): each spelling is its own index term.
                    for written in alias.spellings():
                        self._alias(written.split(), boost, concepts, seen)
                if all(lexicon.is_latin(w) for w in span) and self.p.pivot_boost:
                    # Two hops weigh less than one: both confidences (lexicon.Tables.pivots).
                    for other in self.tables.pivots(" ".join(span), found[: self.p.max_aliases], self.p.max_aliases):
                        for written in other.spellings():
                            self._alias(written.split(), self.p.alias_boost * self.p.pivot_boost * other.confidence,
                                        concepts, seen)

    def _alias(self, parts: list[str], boost: float, concepts: tuple, seen: set[str]) -> None:
        key = " ".join(parts)
        if key in seen:
            return
        seen.add(key)
        self.highlight.update(parts)
        fields = self.p.expansion_fields
        if len(parts) == 1:
            self._add_terms(parts[0], fields, boost, concepts)
            return
        # A multi-word alias counts where its words stand together, pair by pair.
        share = boost / (len(parts) - 1)
        for a, b in zip(parts, parts[1:]):
            for field, field_boost in fields:
                self.pairs.append(Near(field, a, b, field_boost * share, concepts))

    def _korean_aliases(self, key: str, text: str, last: Term, primary: list[Term]) -> list:
        """The aliases of Korean query words ``key`` ending with ``last``. When the written word
        goes on after ``last`` with a suffix the analysis dropped (최적 of 최적화, 조건 of
        조건부), the word with its suffix is another word (optimization, not optimal): its own
        aliases are looked up, the longest first, and the stem's are not used."""
        end = last.end
        stop = end
        while stop < len(text) and lexicon.is_hangul(text[stop]) and not any(t.start == stop for t in primary):
            stop += 1
        rest = text[end:stop]
        if not rest or analysis._PARTICLES.match(rest) or _LIGHT_VERB.match(rest):
            return self.tables.ko_to_en.get(key, [])
        for cut in range(len(rest), 0, -1):
            found = self.tables.ko_to_en.get(key + rest[:cut])
            if found:
                return found
        return []

    def _loanwords(self, item: Item, primary: list[Term], seen: set[str]) -> None:
        """Add the English words that the query's Hangul loanwords transliterate.

        A loanword is a written word (its particles left out), never a piece Kiwi cut from one:
        ``벤치마크`` may be ``benchmark``, but its ``벤치`` is not ``bench``. The English word counts
        in both views: a paper that writes only ``Chatbot Arena`` must also rank in the literal
        view, or the fusion keeps preferring papers that share a syllable pair with the query.
        """
        text = views.clean(item.text)
        nouns = [t for t in primary if t.kind == "noun"]
        words = [text[a:b] for a, b in views.content_spans(text, nouns)]
        # "멀티 모달" is also 멀티모달 when the corpus writes it as one word, as in _weights.
        words += [a + b for a, b in zip(words, words[1:]) if a + b in self.tables.splits]
        for word in words:
            if len(word) < 2:
                continue
            match = self.loanword(word)
            if match is None:
                continue
            english = analysis.normalize_english(match.english)
            if english not in seen:
                seen.add(english)
                self.highlight.add(english)
                concepts = tuple(i for w, i in self.concept_ids.items() if w in word)
                self._add_terms(english, self.p.expansion_fields, self.p.loanword_boost * match.similarity,
                                concepts)
            # In the literal view the English spelling weighs what the Hangul one does there,
            # one per syllable pair (오토인코더: four), and counts in every written form of the
            # sound table's word, which is a lemma (autoencoder, autoencoders): a paper that
            # writes the word only in English must rank as one that writes it in Hangul.
            weight = self.p.loanword_literal * match.similarity * max(1, len(views.hangul_bigrams(word)))
            for literal in _written_forms(views.literal_terms(match.english)):
                if literal not in self.literal:
                    self.literal.append(literal)
                    self.literal_weights[literal] = weight
