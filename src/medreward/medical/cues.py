"""The judge's cue words and patterns, in one place: opposites, qualifier families, hedges, and the
regular expressions that find clauses, sentences, conclusions, exclusions, framing and context.

Pure text: no lexicon, no judge. :mod:`medreward.medical.matching` uses them; a new cue goes here.
"""

from __future__ import annotations

import re

__all__ = [
    "BRANCHING_STRUCTURES",
    "CLAUSE_BREAK",
    "CONCLUSION_CUE",
    "CONTEXT_MARKER",
    "CONTRAST_CUE",
    "CONTRAST_OPENING",
    "DENYING_PREFIXES",
    "EPONYM_HEADS",
    "EVIDENCE_VERB",
    "EXCLUSION_CUE",
    "FAMILIES_OF",
    "FORWARD_CONCLUSION",
    "FRAMING_AFTER_COPULA",
    "FRAMING_SUBJECT",
    "HEDGE_CUES",
    "IMPERATIVE",
    "IMPLIED_HEADS",
    "LATIN_ADJECTIVE_ENDINGS",
    "LATIN_HEADS",
    "LEADING_CONTEXT",
    "LIKELIHOOD_WORDS",
    "NEXT_SENTENCE",
    "OPPOSITE_PREFIXES",
    "OUT_OF",
    "OVER",
    "PASSAGE_BREAK",
    "QUALIFIER_FAMILIES",
    "RECOMMENDATION",
    "RELATIVE_EXCLUSION",
    "RELATIVE_OPENING",
    "RESULT_WORDS",
    "SALT_WORDS",
    "SENTENCE_BREAK",
    "SPLIT_DENYING_PREFIXES",
    "SUBJECT_COPULA",
    "SUBJECT_VERB",
]

# Pairs of word beginnings that turn a term into its opposite when swapped, the rest of the word
# equal: "hyperkalemia"/"hypokalemia", "left"/"right", "increased"/"decreased". A pair with an
# empty side ("non", "") marks a negating prefix: "non hodgkin" against "hodgkin".
OPPOSITE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("hyper", "hypo"),
    ("tachy", "brady"),
    ("left", "right"),
    ("increas", "decreas"),
    ("elevat", "reduc"),
    ("high", "low"),
    ("upper", "lower"),
    ("acute", "chronic"),
    ("anterior", "posterior"),
    ("medial", "lateral"),
    ("proximal", "distal"),
    ("superior", "inferior"),
    ("benign", "malignant"),
    ("primary", "secondary"),
    ("central", "peripheral"),
    ("positive", "negative"),
    ("unilateral", "bilateral"),
    ("intra", "extra"),
    ("macro", "micro"),
    ("over", "under"),
    ("hyper", "normo"),
    ("hypo", "normo"),
    # before / after: "prerenal" / "postrenal", "preganglionic" / "postganglionic", "prenatal" / "postnatal"
    ("pre", "post"),
    # a rate that rises / falls: "accelerations" / "decelerations" of the fetal heart
    ("acceler", "deceler"),
    # a course that gets better / worse: "improved" / "worsened", "improving" / "worsening"
    ("improv", "worsen"),
)

# Families of whole-word qualifiers of which an answer names one: any other member says something
# else ("anterior" against "inferior" wall, "mild" against "severe", "systolic" against "diastolic").
# Applied to short references only: a paragraph names several members in different places.
QUALIFIER_FAMILIES: tuple[frozenset[str], ...] = tuple(
    frozenset(family.split())
    for family in (
        "anterior middle posterior inferior superior lateral medial septal apical",
        "acute subacute chronic hyperacute",
        "mild moderate severe",
        # a level or a finding normal, or raised or lowered ("Normal anion gap" / "Raised anion gap";
        # raised and lowered are also opposites)
        "normal increased decreased",
        # the percussion note ("hyperresonant" is read as "increased resonant")
        "dull resonant tympanic",
        "dullness resonance",
        "systolic diastolic",
        "inspiratory expiratory",
        "obstructive restrictive",
        "exudative transudative",
        "nephritic nephrotic",
        "dilation hypertrophic restrictive",  # "dilated" is read as its noun (PARTICIPLE_NOUNS)
        "metabolic respiratory",
        "acidosis alkalosis",
        "conductive sensorineural",
        "ischemic hemorrhagic",
        # the shape of a bacterium (a diplococcus is a coccus: only the rod differs from it)
        "coccus bacillus",
        "diplococcus bacillus",
        "direct indirect",
        "conjugated unconjugated",
        "complete incomplete partial",
        "early late",
        # a segment or a level raised or lowered ("ST elevation" / "ST depression"; "elevated" is
        # read as "increased")
        "elevation depression",
        "increased depression",
        # the decelerations of a fetal heart rate trace
        "early late variable prolonged",
        # where the cause of an acute kidney injury lies ("intrinsic renal")
        "prerenal intrinsic postrenal",
        "ipsilateral contralateral",
        "sensory motor",
        "upper middle lower",
        "toward away",
        # a number compared (medreward.medical.quantities.comparisons: "38 °C or higher", "< 0.7")
        "above below",
        "start stop continue",
        "present absent",
        # what kind of organism causes it
        "bacterial viral fungal parasitic protozoal",
        # course, form and inheritance
        "stable unstable",
        "active latent passive",
        "wet dry",
        "open closed",
        "open closure",  # "angle-closure glaucoma" / "open-angle glaucoma"
        # which halves of the two visual fields a lesion takes
        "homonymous bitemporal binasal",
        "focal generalized",
        "simple complex",
        "congenital acquired",
        "dominant recessive",
        "maternal paternal",
        "intrinsic extrinsic",
        "internal external",
        "afferent efferent",
        "aerobic anaerobic",
        "artery vein",  # "arterial" and "venous" are read as the nouns (ORGAN_ADJECTIVES)
        # a limb's deformity bowed out or in ("genu varum" / "genu valgum", "cubitus valgus")
        "varus valgus",
        "varum valgum",
        # movements of a joint
        "abduction adduction",
        "abductor adductor",
        "flexion extension",
        "flexor extensor",
        "pronation supination",
        "inversion eversion",
        "dorsiflexion plantarflexion",
        "coronary lung brain carotid kidney mesenteric femur iliac vertebra liver spleen",
        # organs named as nouns: "Paget disease of bone" is not of the breast
        "bone breast skin lung liver kidney brain heart colon rectum stomach bladder prostate ovary "
        "testis thyroid pancreas uterus cervix esophagus spleen",
    )
)
FAMILIES_OF: dict[str, tuple[frozenset[str], ...]] = {}
for _family in QUALIFIER_FAMILIES:
    for _member in _family:
        FAMILIES_OF[_member] = (*FAMILIES_OF.get(_member, ()), _family)

# The salt or hydrate a drug is formulated as: "pethidine hydrochloride" is pethidine, unless the other
# answer names a salt too ("hyoscine butylbromide" is not "hyoscine hydrobromide").
SALT_WORDS = frozenset(
    """
    hydrochloride hcl hydrobromide butylbromide methylbromide bromide sodium potassium sulfate sulphate
    phosphate citrate maleate mesylate besylate tartrate succinate acetate fumarate hyclate monohydrate
    dihydrate trihydrate
    """.split()
)

# Prefixes that make a word deny its stem ("undisplaced", "inactive", "atypical"): a word of the
# solution that is a reference word with one of these in front says the reference's word, denied.
DENYING_PREFIXES = ("un", "in", "im", "ir", "il", "non", "dis", "a", "an")
# Those of them read as a denial of the word they are joined to, where the other answer says that
# word ("undisplaced" / "displaced"); not "in", "dis" or "a": "infertility" is fertility decreased,
# "discoloured" no colour denied.
SPLIT_DENYING_PREFIXES = ("un", "im", "ir", "il", "non")

# The head nouns that anatomy leaves unsaid ("the lunate" is the lunate bone, "the deltoid" the
# deltoid muscle): a one-word answer the lexicon does not know is looked up with each, and is what
# exactly one of them names.
IMPLIED_HEADS = ("bone", "muscle", "gland", "nerve")

# Heads that an eponym names one of ("Murphy sign", "Beck triad", "Epley manoeuvre"; the anatomical
# "Morison's pouch", "Hunter's canal"): two names with the same head and different names before it
# are two findings or two spaces, and the head they share is no evidence that one answers for the
# other. Heads that synonyms share with other words ("foramen", "space", "node") are not here.
EPONYM_HEADS = frozenset({"sign", "triad", "phenomenon", "maneuver", "law", "pouch", "canal"})

# Latin anatomical nouns (and their abbreviations) and the English noun each names: "ductus
# thoracicus" is the thoracic duct, "N. musculocutaneus" the musculocutaneous nerve.
LATIN_HEADS: dict[str, str] = {
    "ductus": "duct",
    "nervus": "nerve",
    "n.": "nerve",
    "arteria": "artery",
    "vena": "vein",
    "musculus": "muscle",
    "m.": "muscle",
    "ligamentum": "ligament",
}
# The regular endings of a Latin adjective after its noun and the English ending of the same word
# ("thoracicus" -> "thoracic", "femoralis" -> "femoral", "musculocutaneus" -> "musculocutaneous").
LATIN_ADJECTIVE_ENDINGS: tuple[tuple[str, str], ...] = (
    ("icus", "ic"),
    ("ica", "ic"),
    ("alis", "al"),
    ("aris", "ar"),
    ("aneus", "aneous"),
    ("anea", "aneous"),
)

# Structures that branch: a branch of one is another of its kind, with a name of its own ("sural
# nerve", a branch of the tibial nerve; "ophthalmic artery", of the internal carotid), never a more
# specific name of the trunk, though an anatomy partonomy (MeSH's) files it below.
BRANCHING_STRUCTURES = frozenset({"nerve", "artery", "vein", "duct"})

# A number over another (searched in the text as written): a score out of its scale's maximum
# ("GCS 8/15"), or a fraction.
OUT_OF = re.compile(r"(?<![\d.])(\d+)\s*/\s*(\d+)(?!\.?\d)")

# Words that separate the clauses of a compound answer; word order inside a clause is free.
# No surrounding \s*: on a long run of spaces that retries at every position (quadratic time).
# The "and" of a number in words ("one hundred and twenty") joins the number.
# A comma that groups thousands ("1,000") breaks nothing.
CLAUSE_BREAK = re.compile(
    r"[,;/](?:(?<=[;/])|(?<!\d,)|(?!\d{3}(?!\d)))|\b(?:(?<!hundred )and|with|plus|but|or|versus|vs)\b",
    re.IGNORECASE,
)
# Consumes the end mark itself. The pattern starts with one character class (each alternative is
# then told apart by a lookbehind), which lets the engine skip to the next candidate in C.
SENTENCE_BREAK = re.compile(r"[.!?\n](?:(?<=[.!?])[\"'\u201d\u2019)\]]*\s+|(?<=\n)\n*)")
# The cue patterns below are lowercase and case-sensitive: _passages lowercases the reference
# once, which makes each search about three times faster than re.IGNORECASE. Each starts with the
# characters that can end the word before a cue (a word boundary that the engine can skip to, unlike
# \b), and is searched in the text with a space in front: three times faster again.
_CUE_START = "[ (\\[/\"'\u201c\u2018\u2013\u2014-]"
# Sentence openings and phrases that state the answer in a free-text reference.
CONCLUSION_CUE = re.compile(
    _CUE_START + r"(most likely|diagnosis is|answer is|is consistent with|indicat(?:es?|ive of)|"
    r"points? (?:to|towards)|therefore|thus|hence|in summary|in conclusion|overall|"
    r"best (?:explained|treatment|next)|"
    r"is caused by|caused by|is likely|suggests?|is the|most probable|probable diagnosis|"
    r"best (?:explains|fits)|most fitting|most appropriate|"
    r"plays? a (?:crucial|critical|key|central|pivotal) role|"
    # naming: "this exemplifies a patterned contusion", "is known as X"
    r"exemplif(?:y|ies)|is an example of|is (?:known|referred to) as|is (?:called|termed))\b",
)
# Conclusion cues that name the answer after them: what a sentence says before one is the evidence
# for the answer ("ST elevation in II, III and aVF indicates an inferior infarction"; "The antidote
# is therefore acetylcysteine").
FORWARD_CONCLUSION = re.compile(
    _CUE_START + r"(indicat(?:es?|ing|ive of)|suggest(?:s|ing|ive of)?|points? (?:to|towards)|"
    r"consistent with|diagnostic of|therefore|thus|hence|(?:diagnosis|answer) is|"
    r"exemplif(?:y|ies)|is an example of|is (?:known|referred to) as|is (?:called|termed))\b"
)
# Phrases after which the reference names an option only to set it aside: contrasts with another
# option, and negations. In the answer to an exception question ("which condition does NOT ..."), a
# negation states the answer ("gallbladder carcinoma does not have an increased risk"), and only
# the contrasts set an option aside (CONTRAST_CUE).
_CONTRASTS = (
    r"rather than|instead of|would give|would instead|can mimic|mimics?|unlike|as opposed to|whereas|"
    r"by contrast|in contrast"
)
_NEGATIONS = (
    r"less likely|unlikely|not|ruled? out|excluded?|excluding|doesn't|less common|less typical|"
    # a treatment set aside: "beta-lactams such as amoxicillin are ineffective against it"
    r"ineffective|contraindicated|inappropriate|avoid(?:ed)?|of no (?:benefit|use|value)"
)
EXCLUSION_CUE = re.compile(_CUE_START + rf"({_NEGATIONS}|{_CONTRASTS})\b")
CONTRAST_CUE = re.compile(_CUE_START + rf"({_CONTRASTS})\b")
# Where a passage of a long reference ends: punctuation, brackets, or the space before a word that
# turns to a contrast (the word starts the next passage). One leading character class lets the
# engine skip between candidates; no \s*: linear time on any input.
PASSAGE_BREAK = re.compile(
    # (a comma that groups thousands, "1,000", is no break)
    r"[ ,;:()\[\]](?:(?<! )(?:(?<!\d,)|(?!\d{3}(?!\d)))|"
    r"(?=(?:rather than|instead of|but|while|whereas|although|however|unlike|"
    r"as opposed to|except|compared (?:to|with)|over (?:a|an|the|other)|"
    # a conclusion cue opens the passage that names the answer: "... drug user points to X"
    r"points? (?:to|towards)|consistent with|indicat(?:es?|ing|ive of)|suggest(?:s|ing|ive of)?|"
    r"diagnostic of|therefore|thus|hence|is most likely)\b))",
)
# A parenthesis between two words of one phrase: "subacute (de quervain's) thyroiditis", "lateral
# medullary (wallenberg) syndrome". Lowercase text; the aside is a name or a gloss, not a clause.
ASIDE = re.compile(r"(?<=[a-z0-9]) \(([^()]{1,60})\)(?= [a-z0-9])")
# A sentence that opens with a concession names what it concedes before what it asserts: "While
# cardiotoxicity is a known late effect, neutropenia is the most immediate risk" sets cardiotoxicity
# aside, unless the main clause takes the conceded subject up again ("While commotio retinae rarely
# does this, it ...": RESUMING_SUBJECT).
# A sentence that opens with a contrast is about the alternative: "By contrast, Mobitz type II shows
# ...".
CONTRAST_OPENING = re.compile(r"\s*(?:by|in) contrast\b")
# A passage that opens with a relative pronoun describes the passage before it ("rather than Erb's
# palsy, which affects C5-C6"): it is set aside with it.
RELATIVE_OPENING = re.compile(r"\s*(?:which|who|whose|that)\b")
# A sentence that introduces a case ("A 25-year-old woman taking the pill develops ...", "A patient
# has wasting and fasciculations ..."): a vignette, the findings the answer explains, not the answer.
# Searched in lowercased text.
VIGNETTE_OPENING = re.compile(
    r"\s*an? (?:\d+[- ](?:year|month|week|day)s?[- ]old\b|(?:(?:young|elderly|previously healthy|"
    r"pregnant) )?(?:patient|man|woman|boy|girl|baby|infant|child|neonate|newborn|toddler|adolescent)\b)"
)
CONCESSION = re.compile(r"\s*(?:while|although|though|whereas|even though|despite)\b")
RESUMING_SUBJECT = re.compile(r"\s*(?:it|its|this|they|these|that)\b")
# A main clause that takes the conceded subject up only to deny it: "While the axillary nerve is at
# risk with fractures of the surgical neck, it is not the nerve injured here."
RESUMED_DENIAL = re.compile(
    r"\s*(?:it|this|they|these|that)\s+(?:is|are|was|were|does|do|did)(?:\s+not\b|n't)"
)
# A passage that opens with "over" sets its object aside ("suggests this diagnosis over an ACL tear").
OVER = re.compile(r"\s*over\b")
# An exclusion cue inside a relative clause describes the subject, not the answer: "the antibody
# that is not associated with the condition is anti-LKM2" asserts anti-LKM2.
RELATIVE_EXCLUSION = re.compile(
    _CUE_START + r"(?:that|which|who)\s+(?:is|are|was|were|would|does|do|could|can)\s+not\b"
)
# Where the evidence that a one-sentence answer cites begins: "osteomyelitis, supported by a raised
# ESR" answers "osteomyelitis"; the rest is context, neither required nor counted against an answer.
CONTEXT_MARKER = re.compile(
    # "given" after a form of "be" is a passive ("should not be given during pregnancy"), no evidence
    r"(?<!\bbe)(?<!\bis)(?<!\bare)(?<!\bwas)(?<!\bwere)(?<!\bbeen)(?<!\bbeing),?\s+given\b"
    r"|,?\s+(?:supported by|(?:as )?(?:evidenced|shown|indicated|suggested|demonstrated) by|based on|"
    r"because(?: of)?|in view of|considering|in light of|as (?:the|a|an))\b"
    # an apposition or a relative clause describes the answer: "sildenafil, a PDE5 inhibitor"
    r"|,\s+(?:a|an|which|who)\s",
    re.IGNORECASE,
)
# A copular sentence that names its subject first: "The occluded vessel is the LAD" answers "the LAD".
SUBJECT_COPULA = re.compile(
    r"^\s*(?:the|this|that|these|his|her|its|their)\s[^,;:]{0,60}?\s(?:is|are|was|were|would be|will be)\s+",
    re.IGNORECASE,
)
# ... unless what follows the copula is the framing ("X is the most likely diagnosis").
FRAMING_AFTER_COPULA = re.compile(
    r"(?:the\s+)?(?:most|more|best|likely|probably|probable|correct|final|answer|diagnosis|consistent|"
    r"suggestive|indicative|due|caused|secondary|seen|found|present|absent|not|no)\b",
    re.IGNORECASE,
)
# The words of FRAMING_AFTER_COPULA that say how likely the subject is: framing only when the predicate
# names nothing else ("X is the most likely diagnosis"; "The causative agent is most likely X").
LIKELIHOOD_WORDS = frozenset("most more best likely probably probable correct final".split())
# The result of a test or a level, as normalized terms: a predicate of these alone says how its subject
# stands, so the subject is the answer ("Their HIV test was negative", "The troponin is raised").
RESULT_WORDS = frozenset(
    "positive negative normal abnormal reactive non increased decreased detected undetectable".split()
)
# A sentence whose subject is what was examined or who is ill, and whose verb reports a finding:
# "The ECG shows atrial fibrillation", "He has a black eye", "Her stiff shoulder is due to adhesive
# capsulitis" answer with what follows the verb. The subject opens with a determiner or a pronoun, so
# that "Osteomyelitis is caused by S. aureus" (a statement about the answer) is left whole, and an
# infinitive is no verb ("The test to confirm X is Y" answers Y).
SUBJECT_VERB = re.compile(
    r"^\s*(?:the|this|that|these|those|his|her|its|their|he|she|it|they)\b[^;:]{0,60}?\s(?<!\bto\s)"
    r"(?:shows?|showed|indicates?|indicated|suggests?|suggested|reveals?|revealed|demonstrates?|"
    r"demonstrated|confirms?|confirmed|"
    # the longer verb first: "The patient has developed AKI" answers "AKI", not "developed AKI"
    r"(?:has|have|had)\s+(?:developed|been diagnosed with|presented with)|has|have|had|"
    r"represents?|results? from|points? to|suffers? from|(?:is|are|was|were)\s+suffering from|developed|"
    r"(?:is|are|was|were)\s+(?:experiencing|presenting with)|"
    r"(?:is|are|was|were)\s+(?:most\s+|highly\s+|very\s+|strongly\s+)?(?:due to|caused by|typical of|"
    r"diagnostic of|consistent with|compatible with|characteristic of|suggestive of|indicative of|"
    r"secondary to))\s+(?:an?\s+|the\s+)?",
    re.IGNORECASE,
)
# A subject of evidence without a determiner, and a verb that draws the conclusion from it: "Loss of
# sensation in the first web space indicates injury to the deep peroneal nerve" answers with what
# follows the verb. Causal verbs are left out ("Osteomyelitis is caused by S. aureus" states both), and
# so is a conclusion that only points back ("X is consistent with the findings").
EVIDENCE_VERB = re.compile(
    r"^\s*[^;:,]{3,80}?\s(?<!\bto\s)(?:indicates?|suggests?|points? to|(?:is|are)\s+"
    r"(?:most\s+|highly\s+|very\s+|strongly\s+)?(?:consistent with|compatible with|suggestive of|"
    r"indicative of|diagnostic of|typical of|characteristic of|pathognomonic (?:of|for)))"
    r"\s+(?!(?:the|these|this|his|her|their)\s+(?:findings|presentation|picture|history|symptoms|features)\b)"
    r"(?:an?\s+|the\s+)?",
    re.IGNORECASE,
)
# A subject that names what the question asks for, without a determiner: "First-line therapy is
# metformin", "Treatment of choice is surgery".
FRAMING_SUBJECT = re.compile(
    r"^(?!\s*(?:no|not|never|none)\b)\s*(?:[\w-]+\s+){0,4}?(?:therapy|treatment|diagnosis|management|drug|"
    r"cause|organism|agent|pathogen|mechanism|medication|procedure|intervention|"
    r"investigation|test|step|choice|answer)\s+(?:is|are|was|were|would be)\s+(?:an?\s+|the\s+)?",
    re.IGNORECASE,
)
# A first-person recommendation names its object: "I would diagnose X", "We should give X". A verb that
# starts or stops a treatment stays, with its object ("We should start insulin" answers "start insulin").
RECOMMENDATION = re.compile(
    r"^\s*(?:i|we)\s+(?:would|should|will|must|can|could|'d)?\s*(?:(?:diagnose|suspect|recommend|give|"
    r"prescribe|order|perform|choose|administer|use|treat (?:him |her |them |the patient )?with)\s+"
    r"(?:an?\s+|the\s+)?)?(?=\w)",
    re.IGNORECASE,
)
# An instruction names its object: "Give naloxone", "Perform a lumbar puncture". Verbs that start or
# stop a treatment stay: they are the answer's polarity ("start insulin" / "withhold insulin").
IMPERATIVE = re.compile(
    r"^\s*(?:give|administer|prescribe|use|perform|order|arrange|recommend|offer|treat with)\s+"
    r"(?:an?\s+|the\s+)?",
    re.IGNORECASE,
)
# Where a second sentence starts: an end mark, space, a capital ("S. aureus" goes on).
NEXT_SENTENCE = re.compile(r"[.!?]\s+(?=[A-Z])")
# The same evidence leading the sentence ("Given the raised ESR, osteomyelitis"), and an opening
# clause of condition or time ("When the right side of the pelvis drops, the left gluteus medius is
# weak"; "In a patient with X, Y"): the answer follows its comma.
LEADING_CONTEXT = re.compile(
    r"^\s*(?:given|based on|considering|in view of|in light of|when|whenever|if|after|following|once|"
    r"in (?:an? )?(?:patients?|someone|people|individuals?|child(?:ren)?|adults?|infants?) (?:with|who))\b"
    r"[^,]*,",
    re.IGNORECASE,
)
# Words that hedge an answer ("possibly X", "X?", "X or Y"): answers are named, not committed to. "Most
# likely" is how clinicians state an answer, and is no hedge.
HEDGE_CUES = frozenset(
    "possibly probably maybe perhaps might could may suspected questionable presumably "
    "or either versus vs".split()
)
