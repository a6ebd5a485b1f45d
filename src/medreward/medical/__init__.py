"""Medical text processing: normalization and answer matching. Knows nothing of TRL."""

from medreward.medical.extraction import ExtractedAnswer, extract_answer
from medreward.medical.matching import AnswerMatch, AnswerMatcher, ReferenceAnalysis
from medreward.medical.normalize import fold_text, normalize_terms

__all__ = [
    "AnswerMatch",
    "AnswerMatcher",
    "ExtractedAnswer",
    "ReferenceAnalysis",
    "extract_answer",
    "fold_text",
    "normalize_terms",
]
