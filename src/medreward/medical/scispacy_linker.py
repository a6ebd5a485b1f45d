"""A :class:`~medreward.medical.linking.ConceptLinker` backed by scispacy's entity linker (optional).

Install with ``pip install 'medreward[scispacy]'``. Nothing else in medreward imports this module, so
``import medreward`` never imports scispacy or spaCy; importing it without scispacy installed raises
an :class:`ImportError` that says how to install it.

:class:`ScispacyLinker` links an answer to the concepts of a knowledge base with scispacy's tf-idf
candidate generator (character 3-grams, cosine similarity, an nmslib approximate nearest neighbours
index over the aliases), after resolving the abbreviations the answer defines itself with scispacy's
:class:`~scispacy.abbreviation.AbbreviationDetector` ("Diabetes insipidus (DI)" is linked as
"Diabetes insipidus"). The knowledge base is either

- one of scispacy's own linkers by name (``"umls"``, ``"mesh"``, ``"rxnorm"``, ``"go"``, ``"hpo"``):
  scispacy loads its files from its cache (``SCISPACY_CACHE``, default ``~/.scispacy``) or downloads
  them (the UMLS one is several GB and needs a UMLS licence to use); ``index_dir`` may point to a
  local copy of the index files instead; or
- a custom one: a JSON Lines file of ``{"concept_id", "canonical_name", "aliases", "types"}``
  records (``"definition"`` optional; scispacy's ``KnowledgeBase`` format) with its index directory,
  which :func:`build_tfidf_ann_index` writes.

Linking, decided for short answers: the whole answer (abbreviations resolved) is one mention. A
blank pipeline has no NER, and linking parts of an answer would let a part stand for the whole
("vitamin B12 deficiency" would share "vitamin B12" with "vitamin B12 toxicity"), so noun chunks
and entities are not used even when the pipeline has them. The linker returns the candidates whose
best alias similarity is the highest one found and at least ``threshold`` (ties: an alias that
several concepts share), and nothing for a text longer than ``max_chars``: a paragraph is not one
mention (the matcher judges long references on terms anyway).

The tf-idf vectorizer knows only the 3-grams of the knowledge base's aliases and ignores the others:
against a small knowledge base, "acute myocardial infarction" would score 1.0 against "myocardial
infarction" because no alias has "acute". So an answer is linked only when at least
``min_coverage`` of its 3-grams are known; with UMLS nearly all are. Usage::

    from medreward.medical import AnswerMatcher
    from medreward.medical.scispacy_linker import ScispacyLinker, build_tfidf_ann_index

    build_tfidf_ann_index("my_kb.jsonl", "my_kb_index")
    linker = ScispacyLinker(knowledge_base="my_kb.jsonl", index_dir="my_kb_index", id_prefix="MY")
    matcher = AnswerMatcher(linker=linker)

    umls = ScispacyLinker(knowledge_base="umls")  # ids "UMLS:C0027051", ...
"""

from __future__ import annotations

import json
import os
import re
import threading
import warnings
from pathlib import Path
from typing import Any

try:
    import scispacy  # noqa: F401
    import spacy
except ImportError as error:  # pragma: no cover - exercised in the main suite, where scispacy is absent
    raise ImportError(
        "medreward.medical.scispacy_linker needs scispacy and spaCy: pip install 'medreward[scispacy]'"
    ) from error

__all__ = ["SCISPACY_KNOWLEDGE_BASES", "ScispacyLinker", "build_tfidf_ann_index"]

# scispacy's own linkers, by name, and the prefix their ids get by default.
SCISPACY_KNOWLEDGE_BASES: dict[str, str] = {
    "umls": "UMLS",
    "mesh": "MESH",
    "rxnorm": "RXNORM",
    "go": "GO",
    "hpo": "HPO",
}
# The files of an index directory, as scispacy's LinkerPaths.from_directory names them.
_INDEX_FILES = (
    "nmslib_index.bin",
    "tfidf_vectorizer.joblib",
    "tfidf_vectors_sparse.npz",
    "concept_aliases.json",
)
# scispacy's abbreviation detector runs an empty matcher on a text whose parentheses define nothing.
warnings.filterwarnings(
    "ignore", message=r".*\[W036\]", category=UserWarning, module=r"scispacy\.abbreviation"
)
_OPEN_PAREN = re.compile(r"\s*\(\s*")
_SPACES = re.compile(r"\s+")


def _missing_index_files(index_dir: Path) -> list[str]:
    return [name for name in _INDEX_FILES if not (index_dir / name).is_file()]


class ScispacyLinker:
    """Links an answer to knowledge-base concepts with scispacy (abbreviation detector + tf-idf linker).

    :param knowledge_base: a scispacy linker name (``"umls"``, ``"mesh"``, ``"rxnorm"``, ``"go"``,
        ``"hpo"``) or the path of a custom knowledge base (JSON Lines or JSON, scispacy's format)
    :param index_dir: the tf-idf / nmslib index directory of the knowledge base (scispacy's format,
        see :func:`build_tfidf_ann_index`); required for a custom knowledge base, optional for a
        named one (scispacy's cached or downloaded files otherwise)
    :param id_prefix: written before every concept id with a colon; ``""`` leaves the ids as they
        are. Default: ``"UMLS"`` for UMLS (``UMLS:C0027051``, as the bundled lexicon writes CUIs),
        the name in capitals for scispacy's other linkers, ``"KB"`` for a custom knowledge base
    :param threshold: the least cosine similarity (0 to 1) between the answer and a concept's alias
        for the concept to be linked
    :param spacy_model: the spaCy pipeline that tokenizes the answer for the abbreviation detector:
        ``"blank:en"`` (no download) or an installed model name (``"en_core_sci_sm"``); only its
        tokenizer is used
    :param k: how many nearest aliases the index returns per answer
    :param max_chars: longer texts are not linked (a paragraph is not one mention)
    :param min_coverage: the least share (0 to 1) of the answer's character 3-grams that the index
        knows for the answer to be linked at all (unknown 3-grams do not lower the similarity)

    The pipeline and the index are loaded on the first :meth:`link`, once per process and object;
    calls are serialized by a lock (scispacy's abbreviation detector is not reentrant). A pickled
    linker carries its configuration only and loads again where it is unpickled.
    """

    def __init__(
        self,
        knowledge_base: str | os.PathLike[str] = "umls",
        *,
        index_dir: str | os.PathLike[str] | None = None,
        id_prefix: str | None = None,
        threshold: float = 0.85,
        spacy_model: str = "blank:en",
        k: int = 30,
        max_chars: int = 200,
        min_coverage: float = 0.9,
    ) -> None:
        kb = os.fspath(knowledge_base)
        named = kb in SCISPACY_KNOWLEDGE_BASES
        if not named:
            if not Path(kb).is_file():
                raise ValueError(
                    f"knowledge_base must be one of {sorted(SCISPACY_KNOWLEDGE_BASES)} or an existing "
                    f"JSON Lines file, got {kb!r}"
                )
            if index_dir is None:
                raise ValueError(
                    "a custom knowledge base needs index_dir, its tf-idf index (build_tfidf_ann_index)"
                )
        index = None if index_dir is None else os.fspath(index_dir)
        if index is not None:
            missing = _missing_index_files(Path(index))
            if missing:
                raise ValueError(f"index_dir {index!r} lacks {', '.join(missing)} (build_tfidf_ann_index)")
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        if max_chars < 1:
            raise ValueError(f"max_chars must be at least 1, got {max_chars}")
        if not 0.0 <= min_coverage <= 1.0:
            raise ValueError(f"min_coverage must be in [0, 1], got {min_coverage}")
        if id_prefix is None:
            id_prefix = SCISPACY_KNOWLEDGE_BASES[kb] if named else "KB"
        self.knowledge_base = kb
        self.index_dir = index
        self.id_prefix = id_prefix
        self.threshold = float(threshold)
        self.spacy_model = spacy_model
        self.k = k
        self.max_chars = max_chars
        self.min_coverage = float(min_coverage)
        self._lock = threading.Lock()
        self._nlp: Any = None
        self._detector: Any = None
        self._candidates: Any = None
        self._analyzer: Any = None
        self._vocabulary: Any = None

    # Configuration: equality, hashing, repr and pickling see these and nothing loaded.
    def _config(self) -> tuple[str, str | None, str, float, str, int, int, float]:
        return (
            self.knowledge_base,
            self.index_dir,
            self.id_prefix,
            self.threshold,
            self.spacy_model,
            self.k,
            self.max_chars,
            self.min_coverage,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ScispacyLinker) and self._config() == other._config()

    def __hash__(self) -> int:
        return hash((ScispacyLinker, self._config()))

    def __repr__(self) -> str:
        return (
            f"ScispacyLinker({self.knowledge_base!r}, index_dir={self.index_dir!r}, "
            f"id_prefix={self.id_prefix!r}, threshold={self.threshold}, spacy_model={self.spacy_model!r}, "
            f"k={self.k}, max_chars={self.max_chars}, min_coverage={self.min_coverage})"
        )

    def __getstate__(self) -> dict[str, Any]:
        return {
            "knowledge_base": self.knowledge_base,
            "index_dir": self.index_dir,
            "id_prefix": self.id_prefix,
            "threshold": self.threshold,
            "spacy_model": self.spacy_model,
            "k": self.k,
            "max_chars": self.max_chars,
            "min_coverage": self.min_coverage,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._nlp = None
        self._detector = None
        self._candidates = None
        self._analyzer = None
        self._vocabulary = None

    @property
    def loaded(self) -> bool:
        """Whether the pipeline and the index are loaded (after the first :meth:`link`)."""
        return self._candidates is not None

    def _load(self) -> None:
        """Builds the pipeline and the candidate generator; called with the lock held."""
        # Imported here: these pull in scikit-learn, scipy and nmslib.
        from scispacy.abbreviation import AbbreviationDetector  # noqa: F401  (registers the factory)
        from scispacy.candidate_generation import (
            DEFAULT_KNOWLEDGE_BASES,
            CandidateGenerator,
            LinkerPaths,
        )
        from scispacy.linking_utils import KnowledgeBase

        nlp = spacy.load(self.spacy_model)
        detector = nlp.add_pipe("abbreviation_detector")
        if self.index_dir is None:
            candidates = CandidateGenerator(name=self.knowledge_base)
        else:
            aliases, vectorizer, ann_index = LinkerPaths.from_directory(self.index_dir).load()
            if self.knowledge_base in SCISPACY_KNOWLEDGE_BASES:
                kb = DEFAULT_KNOWLEDGE_BASES[self.knowledge_base]()
            else:
                kb = KnowledgeBase(self.knowledge_base)
            candidates = CandidateGenerator(ann_index, vectorizer, aliases, kb)
        self._analyzer = candidates.vectorizer.build_analyzer()
        self._vocabulary = candidates.vectorizer.vocabulary_
        self._nlp, self._detector, self._candidates = nlp, detector, candidates

    def mention(self, text: str) -> str:
        """The text that is linked: ``text`` with the abbreviations it defines resolved.

        "Diabetes insipidus (DI)" gives "Diabetes insipidus"; a later "DI" in the same text is
        replaced by "Diabetes insipidus".
        """
        with self._lock:
            if self._nlp is None:
                self._load()
            return self._mention(text)

    def _mention(self, text: str) -> str:
        if "(" not in text:
            # The detector finds definitions by their parentheses only: nothing to resolve.
            return _SPACES.sub(" ", text).strip()
        doc = self._detector(self._nlp.make_doc(text))
        edits: list[tuple[int, int, str]] = []
        for short in doc._.abbreviations:
            long = short._.long_form
            if long is None:
                continue
            first, second = (long, short) if long.start < short.start else (short, long)
            between = doc.text[first.end_char : second.start_char]
            after = doc.text[second.end_char :].lstrip()
            if _OPEN_PAREN.fullmatch(between) and after.startswith(")"):
                # The definition itself, "long (short)": the long form alone.
                end = doc.text.index(")", second.end_char) + 1
                edits.append((first.start_char, end, long.text))
            else:
                edits.append((short.start_char, short.end_char, long.text))
        resolved = text
        last_start = len(text) + 1
        for start, end, replacement in sorted(edits, reverse=True):
            if end > last_start:
                continue  # overlaps a wider or later edit already made
            resolved = resolved[:start] + replacement + resolved[end:]
            last_start = start
        return _SPACES.sub(" ", resolved).strip()

    def link(self, text: str, folded: str, terms: tuple[str, ...]) -> frozenset[str]:
        """The concepts of the whole answer: the best candidates at or above ``threshold``."""
        if not text.strip() or len(text) > self.max_chars:
            return frozenset()
        with self._lock:
            if self._candidates is None:
                self._load()
            mention = self._mention(text)
            grams = self._analyzer(mention)
            if not grams or sum(g in self._vocabulary for g in grams) < self.min_coverage * len(grams):
                return frozenset()
            (candidates,) = self._candidates([mention], self.k)
        scored = [(max(c.similarities), c.concept_id) for c in candidates if c.similarities]
        if not scored:
            return frozenset()
        best = max(score for score, _ in scored)
        if best < self.threshold:
            return frozenset()
        prefix = f"{self.id_prefix}:" if self.id_prefix else ""
        # Float noise aside, ties are aliases shared by several concepts.
        return frozenset(f"{prefix}{cid}" for score, cid in scored if score >= best - 1e-6)


def build_tfidf_ann_index(
    knowledge_base: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    min_df: int = 1,
    threads: int | None = None,
) -> Path:
    """Writes the tf-idf vectorizer and nmslib index of a knowledge base, in scispacy's format.

    The same steps as scispacy's ``create_tfidf_ann_index`` (character 3-grams within words, HNSW
    over cosine similarity, the same index parameters), with two changes: the vectors are saved as
    float32, not float16, so that it runs with any scipy (scispacy's refuses scipy >= 1.11), and
    ``min_df`` defaults to 1, not 10 (a 3-gram must occur in ``min_df`` aliases to count: 10 suits
    UMLS's millions of aliases and erases most 3-grams of a small knowledge base). scispacy's
    ``LinkerPaths.from_directory(out_dir).load()`` reads the result.

    :param knowledge_base: a JSON Lines (or JSON) file of scispacy ``Entity`` records
    :param out_dir: the directory to write; created if needed
    :param min_df: the least number of aliases a 3-gram must occur in
    :param threads: index-building threads (default: all CPUs)
    :returns: ``out_dir``
    """
    import joblib
    import nmslib
    import numpy
    import scipy.sparse
    from scispacy.linking_utils import KnowledgeBase
    from sklearn.feature_extraction.text import TfidfVectorizer

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    kb = KnowledgeBase(os.fspath(knowledge_base))
    aliases = list(kb.alias_to_cuis)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), min_df=min_df, dtype=numpy.float32)
    vectors = vectorizer.fit_transform(aliases)
    # nmslib crashes on all-zero vectors: aliases with no 3-gram left are dropped, as scispacy does.
    keep = numpy.asarray(vectors.sum(axis=1) != 0).reshape(-1)
    aliases = [alias for alias, kept in zip(aliases, keep) if kept]
    vectors = vectors[keep]
    joblib.dump(vectorizer, out / "tfidf_vectorizer.joblib")
    (out / "concept_aliases.json").write_text(json.dumps(aliases), encoding="utf-8")
    scipy.sparse.save_npz(out / "tfidf_vectors_sparse.npz", vectors.astype(numpy.float32))
    index = nmslib.init(method="hnsw", space="cosinesimil_sparse", data_type=nmslib.DataType.SPARSE_VECTOR)
    index.addDataPointBatch(vectors)
    index.createIndex(
        {"M": 100, "indexThreadQty": threads or os.cpu_count() or 1, "efConstruction": 2000, "post": 0},
        print_progress=False,
    )
    index.saveIndex(str(out / "nmslib_index.bin"))
    return out
