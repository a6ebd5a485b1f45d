"""check_answer against paragraph references: passages, exclusions, specificity, abbreviations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medreward.medical import AnswerMatcher
from medreward.medical.analysis import analyze_text
from medreward.medical.lexicon import load_lexicon
from medreward.medical.passages import SupportWeights

MATCHER = AnswerMatcher()


def similarity(solution: str, reference: str) -> float:
    match = MATCHER.compare(solution, MATCHER.analyze(reference))
    return match.similarity if match.verdict != "mismatch" else -1.0 + match.similarity


def ranked(reference: str, *solutions: str) -> list[str]:
    analysed = MATCHER.analyze(reference)
    scores = {s: MATCHER.compare(s, analysed) for s in solutions}
    return sorted(
        solutions, key=lambda s: (scores[s].verdict != "mismatch", scores[s].similarity), reverse=True
    )


CONJUGATE = (
    "The pelvic diameter from the lower margin of the symphysis pubis to the sacral promontory is called the "
    '"diagonal conjugate." This measurement is important in obstetrics for estimating the size of the birth '
    "canal and is often used to calculate the obstetric conjugate, which determines the adequacy of the "
    "pelvis."
)


def test_the_stated_answer_beats_an_option_mentioned_later() -> None:
    # The closing quote after the full stop still ends the sentence, so the two mentions are in
    # different sentences with different weights.
    assert ranked(CONJUGATE, "Obstetric conjugate", "Diagonal conjugate")[0] == "Diagonal conjugate"


def test_an_option_set_aside_scores_below_the_conclusion() -> None:
    reference = (
        "The presentation of fever, a new murmur and splinter haemorrhages in an intravenous drug user "
        "points to infective endocarditis rather than rheumatic fever. Blood cultures confirm it, and "
        "echocardiography shows tricuspid vegetations."
    )
    right = MATCHER.compare("Infective endocarditis", MATCHER.analyze(reference))
    wrong = MATCHER.compare("Rheumatic fever", MATCHER.analyze(reference))
    assert right.verdict == "partial"
    assert right.similarity > 0.9
    # "fever" alone is asserted ("the presentation of fever"), so the excluded option keeps a little.
    assert wrong.similarity < 0.25
    only_excluded = MATCHER.compare("Rheumatic heart disease", MATCHER.analyze(reference))
    assert only_excluded.verdict == "mismatch"


@pytest.mark.parametrize(
    "wording", ["are ineffective against it", "are contraindicated", "should be avoided"]
)
def test_a_treatment_set_aside_is_no_answer(wording: str) -> None:
    reference = (
        f"Legionella is an intracellular organism, so beta-lactams such as amoxicillin {wording}. "
        "The treatment of choice for Legionnaires' disease is therefore a macrolide such as clarithromycin."
    )
    analysed = MATCHER.analyze(reference)
    assert MATCHER.compare("Amoxicillin", analysed).verdict == "mismatch"
    assert MATCHER.compare("Clarithromycin", analysed).verdict == "partial"
    # Asked what to avoid, the paragraph states its answer with those words.
    asked = MATCHER.analyze(reference, "Which antibiotic class is ineffective here?")
    assert MATCHER.compare("Amoxicillin", asked).verdict == "partial"


def test_a_vignette_that_opens_a_paragraph_weighs_as_evidence() -> None:
    # The opening sentence of a Response usually states its answer; one that introduces a case
    # ("A patient has ...") states the findings, which are no answer.
    reference = (
        "A patient has wasting, fasciculations, hypotonia and absent reflexes in the right leg, with a "
        "flexor plantar response. These signs indicate a lower motor neuron lesion."
    )
    analysed = MATCHER.analyze(reference)
    answer = MATCHER.compare("Lower motor neuron lesion", analysed)
    findings = MATCHER.compare("Fasciculations and wasting", analysed)
    assert answer.verdict == "partial" and findings.similarity < answer.similarity / 2


def test_what_plays_a_crucial_role_is_the_answer() -> None:
    # The option named in the opening sentence is the setting; the one the paragraph says plays a
    # crucial role is the answer.
    reference = (
        "In a patient with a thrombosis of the femoral vein, venous drainage is preserved. The "
        "communicating veins play a crucial role here, linking the superficial and deep systems. "
        "Valves keep the flow one way."
    )
    assert ranked(reference, "Femoral vein", "Communicating veins")[0] == "Communicating veins"


def test_over_sets_its_object_aside() -> None:
    reference = (
        "The delayed swelling after a twisting injury, with the ability to keep playing, suggests a "
        "meniscal tear over an ACL tear, which typically causes immediate instability and haemarthrosis."
    )
    assert ranked(reference, "Anterior cruciate ligament tear", "Meniscal tear")[0] == "Meniscal tear"


def test_an_opening_concession_sets_its_subject_aside() -> None:
    reference = (
        "Oral ulcers, a malar rash and arthritis in a young woman suggest a connective tissue disease. "
        "While rheumatoid arthritis can cause joint pain, systemic lupus erythematosus explains the "
        "rash and the ulcers as well."
    )
    assert ranked(reference, "Rheumatoid arthritis", "Systemic lupus erythematosus")[0] == (
        "Systemic lupus erythematosus"
    )
    assert MATCHER.compare("Rheumatoid arthritis", MATCHER.analyze(reference)).verdict == "mismatch"
    # A main clause that takes the conceded subject up again concedes nothing.
    resumed = (
        "Joint pain and a malar rash suggest a connective tissue disease. While systemic lupus "
        "erythematosus is rarer in men, it explains the rash and the ulcers."
    )
    assert MATCHER.compare("Systemic lupus erythematosus", MATCHER.analyze(resumed)).verdict == "partial"
    # ... unless it takes the subject up only to deny it.
    denied = (
        "A midshaft fracture of the humerus damages the radial nerve in the spiral groove. While the "
        "axillary nerve is at risk with fractures of the surgical neck, it is not the nerve injured here."
    )
    assert MATCHER.compare("Axillary nerve", MATCHER.analyze(denied)).verdict == "mismatch"
    assert MATCHER.compare("Radial nerve", MATCHER.analyze(denied)).verdict == "partial"
    # Asked for the exception, the denial states the answer.
    asked = MATCHER.analyze(denied, "Which nerve is NOT injured here?")
    assert MATCHER.compare("Axillary nerve", asked).verdict == "partial"


def test_a_negation_inside_a_relative_clause_describes_the_subject() -> None:
    reference = (
        "The anticoagulant that is not safe in pregnancy, because it crosses the placenta and causes "
        "embryopathy, is warfarin. Heparins do not cross the placenta and are preferred for treatment."
    )
    assert ranked(reference, "Heparin", "Warfarin")[0] == "Warfarin"
    assert MATCHER.compare("Warfarin", MATCHER.analyze(reference)).verdict == "partial"


def test_committing_beats_hedging_across_options() -> None:
    reference = (
        "The most likely diagnosis is primary hyperparathyroidism, given hypercalcaemia with a raised "
        "parathyroid hormone. Malignancy and sarcoidosis would suppress parathyroid hormone."
    )
    committed = similarity("Primary hyperparathyroidism", reference)
    hedged = similarity("Primary hyperparathyroidism or malignancy or sarcoidosis", reference)
    assert committed > hedged


def test_specific_terms_weigh_more_than_common_ones() -> None:
    lexicon = load_lexicon()
    assert lexicon.specificity("disease") < lexicon.specificity("estradiol")
    assert lexicon.specificity("increased") < lexicon.specificity("conjugate")
    reference = (
        "Based on the raised serum FSH, the findings most consistent with menopause are a decreased "
        "estradiol level and an increased LH level, reflecting reduced ovarian function."
    )
    # Sharing only the common words of the conclusion pays less than naming its specific ones.
    assert similarity("Decreased estradiol", reference) > similarity("Increased serum calcium", reference)


@pytest.mark.parametrize(
    ("solution", "reference", "verdict"),
    [
        ("MS", "Multiple sclerosis", {"exact", "equivalent"}),
        ("MS", "Mitral stenosis", {"exact", "equivalent"}),
        ("PE", "Pulmonary embolism", {"exact", "equivalent"}),
        ("ALL", "Acute lymphoblastic leukemia", {"exact", "equivalent"}),
        ("MS", "Myasthenia gravis", {"mismatch"}),
        ("PE", "Pleural effusion", {"mismatch"}),
        ("Mitral stenosis (MS)", "Multiple sclerosis", {"mismatch"}),
        ("Multiple sclerosis (MS)", "Multiple sclerosis", {"equivalent"}),
        # the only sense that shares a word with the other answer
        ("MR cholangiopancreatography", "MRCP", {"exact", "equivalent"}),
        ("MR angiography", "MRCP", {"mismatch"}),
    ],
)
def test_ambiguous_abbreviations_are_resolved_from_context_or_not_trusted(
    solution: str, reference: str, verdict: set[str]
) -> None:
    assert MATCHER.compare(solution, MATCHER.analyze(reference)).verdict in verdict


def test_an_unresolved_ambiguous_abbreviation_stays_as_written() -> None:
    assert load_lexicon().is_ambiguous("MS")
    assert "ms" in analyze_text("MS").terms
    assert analyze_text("MS", context=frozenset({"mitral", "stenosis"})).terms == ("mitral", "stenosis")


def test_several_short_sentences_are_a_paragraph() -> None:
    reference = "Primary hyperparathyroidism is the diagnosis. Malignancy would suppress the hormone."
    assert MATCHER.analyze(reference).is_long
    assert not MATCHER.analyze("Primary hyperparathyroidism.").is_long


def test_a_long_reference_is_analysed_into_weighted_passages() -> None:
    analysis = MATCHER.analyze(CONJUGATE)
    assert analysis.is_long
    assert len({p.sentence for p in analysis.passages}) == 2
    first = [p for p in analysis.passages if p.sentence == 0]
    assert all(0.0 < p.weight <= 1.0 for p in analysis.passages)
    assert [p.weight for p in first] == sorted((p.weight for p in first), reverse=True)
    assert not MATCHER.analyze("Myocardial infarction").passages


HORMONES = (
    "These findings point to primary ovarian insufficiency. Expect increased LH levels, because the "
    "pituitary responds to ovarian failure. Decreased estradiol levels follow from the loss of follicles."
)


def test_each_clause_of_a_compound_answer_needs_its_own_support() -> None:
    # Both options have the same terms; only clause by clause does the reference tell them apart.
    right, swapped = "Decreased estradiol and increased LH", "Increased estradiol and decreased LH"
    assert analyze_text(right).term_set == analyze_text(swapped).term_set
    assert ranked(HORMONES, swapped, right)[0] == right
    assert similarity(right, HORMONES) > similarity(swapped, HORMONES) + 0.1


PSEUDOMONAS = (
    "The culture grew Gram-negative bacilli that produce a green pigment, consistent with Pseudomonas "
    "aeruginosa. Gram-positive cocci such as Staphylococcus aureus are less likely given the pigment."
)


def test_negative_as_a_finding_is_not_a_denial_when_the_reference_uses_it() -> None:
    match = MATCHER.compare("Gram-negative bacilli", MATCHER.analyze(PSEUDOMONAS))
    assert match.verdict == "partial" and match.guard is None
    # A denial the reference does not make still fails.
    assert MATCHER.compare("Not Pseudomonas", MATCHER.analyze(PSEUDOMONAS)).verdict == "mismatch"


def test_reference_opposites_are_the_variants_it_does_not_itself_use() -> None:
    analysed = MATCHER.analyze("Hyperkalemia with left ventricular hypertrophy")
    assert {"decreased", "right"} <= analysed.opposites
    assert not analysed.opposites & analysed.term_set
    guard = MATCHER.compare("Hypokalemia with left ventricular hypertrophy", analysed).guard
    assert guard is not None and guard.startswith("opposite: decreased / increased (Hypokalemia with left")


def test_whole_word_sides_are_opposites_in_short_answers_only() -> None:
    short = MATCHER.compare("Right ovarian torsion", MATCHER.analyze("Left ovarian torsion"))
    assert (
        short.verdict == "mismatch"
        and short.guard == "opposite: right / left (Right ovarian torsion / Left ovarian torsion)"
    )
    # A paragraph names both sides in different places; passage support decides there.
    murmur = (
        "The finding is a continuous murmur heard at the right supraclavicular region, a venous hum. "
        "Murmurs along the left lower sternal border are less likely given the history."
    )
    assert (
        MATCHER.compare(
            "Continuous murmur at the right supraclavicular region", MATCHER.analyze(murmur)
        ).guard
        is None
    )


LISTED = (
    "Given the raised serum TSH in this patient, the laboratory findings that fit her presentation "
    "would include: 1. **Low free T4:** reflecting reduced output of the gland. 2. **Positive anti-TPO "
    "antibodies:** pointing to an autoimmune cause. Taken together, this picture is typical of "
    "Hashimoto thyroiditis in a middle-aged woman."
)


def test_numbered_list_items_weigh_as_much_as_the_sentence_that_opens_the_list() -> None:
    # The items are the answer; the opening sentence only restates the question's raised TSH.
    listed = MATCHER.compare("Low free T4 and positive anti-TPO antibodies", MATCHER.analyze(LISTED))
    restated = MATCHER.compare("Raised serum TSH and raised serum cortisol", MATCHER.analyze(LISTED))
    assert listed.similarity > restated.similarity


def test_item_numbers_are_not_terms_of_the_reference() -> None:
    analysed = MATCHER.analyze(LISTED)
    assert "1" not in analysed.term_set and "2" not in analysed.term_set
    assert MATCHER.compare("1 and 2", analysed).verdict == "mismatch"
    # A sentence that merely ends in a number opens no list, and keeps it.
    plain = MATCHER.analyze("The usual dose is 5. It is given daily for a week in adults with the infection.")
    assert "5" in plain.term_set


@given(
    st.lists(
        st.sampled_from(
            [": 1.", " 1.", " 2.", " 12.", " include", " low free T4.", " fever", ":", "\n", " "]
        ),
        max_size=40,
    )
)
def test_any_list_shape_gives_weights_in_range(parts: list[str]) -> None:
    analysed = MATCHER.analyze("".join(parts))
    assert all(0.0 < p.weight <= 1.0 for p in analysed.passages)
    assert all(0.0 < weight <= 1.0 for _, weight in analysed.sentences)


VEINS = (
    "With the femoral vein obstructed, the perforating veins carry blood from the superficial system to "
    "the deep system and keep venous pressure in check. The great saphenous vein is spared here."
)


def test_another_derivation_of_a_term_is_supported() -> None:
    # "perforator" and "perforating" share the stem "perforat"; the reference never says "perforator".
    perforator = MATCHER.compare("Perforator veins", MATCHER.analyze(VEINS))
    assert perforator.verdict == "partial"
    assert "perforator" in perforator.matched_terms
    assert ranked(VEINS, "Perforator veins", "Giacomini vein")[0] == "Perforator veins"


@pytest.mark.parametrize(
    ("solution", "reference_word"),
    [
        ("Position", "positive"),  # "posit" is too short a stem to conflate
        ("Relation", "relative"),
        ("Organ", "organism"),
    ],
)
def test_short_stems_and_other_words_are_not_derivations(solution: str, reference_word: str) -> None:
    reference = MATCHER.analyze(
        f"The finding is {reference_word} in most adults with the disease. It is reported in every series "
        "of patients."
    )
    assert MATCHER.compare(solution, reference).matched_terms == ()


INFERIOR_MI = (
    "The ECG shows ST elevation in leads II, III and aVF, which indicates an inferior wall myocardial "
    "infarction. The right coronary artery is the most likely culprit vessel. Reciprocal changes are "
    "seen in lead aVL."
)


@pytest.mark.parametrize(("reference", "stated", "contradicted"), [
    (INFERIOR_MI, "Inferior wall myocardial infarction", "Anterior wall myocardial infarction"),
    (INFERIOR_MI, "Right coronary artery occlusion", "Left coronary artery occlusion"),
    ("An FEV1/FVC ratio below 0.7 confirms airflow obstruction in COPD.", "FEV1/FVC below 0.7",
     "FEV1/FVC greater than 0.7"),
])  # fmt: skip
def test_another_qualifier_in_the_passage_that_says_the_rest_contradicts(
    reference: str, stated: str, contradicted: str
) -> None:
    # The passage that holds the solution's other terms says another member of the qualifier's
    # family (or its opposite), and the paragraph never says the solution's: a contradiction.
    analysed = MATCHER.analyze(reference)
    assert MATCHER.compare(stated, analysed).verdict == "partial"
    match = MATCHER.compare(contradicted, analysed)
    assert match.verdict == "mismatch" and match.similarity == 0.0 and match.guard is not None


def test_a_qualifier_said_elsewhere_does_not_rescue_the_passage_that_says_the_rest() -> None:
    # The vignette's "right" qualifies the hand, not the lesion; the diagnosis passage's
    # "posterior" holds, whatever another sentence says of the anterior leaflet.
    capsule = MATCHER.analyze(
        "She has numbness of the right hand and weakness of the right leg. The lesion lies in the "
        "left internal capsule, supplied by the lenticulostriate arteries."
    )
    assert MATCHER.compare("Left internal capsule", capsule).verdict == "partial"
    assert MATCHER.compare("Right internal capsule", capsule).guard == (
        "opposite: right / left (in the passage that says the rest)"
    )
    leaflet = MATCHER.analyze(
        "The anterior leaflet is thickened. The most likely diagnosis is posterior mitral leaflet "
        "prolapse, with an anterior jet of regurgitation."
    )
    assert MATCHER.compare("Posterior mitral leaflet prolapse", leaflet).verdict == "partial"
    assert MATCHER.compare("Anterior mitral leaflet prolapse", leaflet).verdict == "mismatch"


def test_each_clause_finds_its_own_passage_for_its_qualifiers() -> None:
    # "increased" of the second clause is not contradicted by the passage of the first.
    reference = MATCHER.analyze(
        "Raised serum FSH points to the menopause. The laboratory findings would include: 1. Increased "
        "LH levels. 2. Decreased estradiol levels."
    )
    match = MATCHER.compare("Decreased serum estradiol and increased serum LH", reference)
    assert match.guard is None and match.verdict == "partial"
    assert MATCHER.compare("Increased serum estradiol and decreased serum LH", reference).guard is not None


ANTERIOR_MI = (
    "Crushing chest pain with ST elevation in leads V1 to V4 and a raised troponin indicates an acute "
    "anterior myocardial infarction. Urgent angiography is needed."
)


def test_what_a_sentence_says_before_a_forward_conclusion_cue_is_its_evidence() -> None:
    analysed = MATCHER.analyze(ANTERIOR_MI)
    weights = SupportWeights()
    by_term = {term: p.weight for p in analysed.passages for term in p.terms}
    assert by_term["troponin"] <= weights.other_sentence
    assert by_term["infarction"] > weights.first_sentence
    answer = MATCHER.compare("Anterior myocardial infarction", analysed)
    evidence = MATCHER.compare("ST elevation", analysed)
    assert answer.verdict == "partial" and evidence.similarity < answer.similarity / 2


@pytest.mark.parametrize(("reference", "asserted", "alternative"), [
    ("Cough with haemoptysis in a smoker warrants a chest X-ray. Central tumours with hypercalcaemia "
     "suggest squamous cell carcinoma, whereas small cell carcinoma causes SIADH.",
     "Squamous cell carcinoma", "Small cell carcinoma"),
    ("The first-line treatment is amoxicillin. By contrast, penicillin-allergic patients receive "
     "clarithromycin.", "Amoxicillin", "Clarithromycin"),
    ("Shoulder abduction is weak after the dislocation. This points to the axillary nerve rather than "
     "Erb's palsy, which affects the upper roots and the suprascapular nerve.", "Axillary nerve",
     "Suprascapular nerve"),
])  # fmt: skip
def test_a_contrast_sets_aside_what_it_names_and_its_relative_clause(
    reference: str, asserted: str, alternative: str
) -> None:
    # "whereas X ...", a sentence that opens "By contrast, ...", and a relative clause that
    # describes an excluded option ("rather than X, which ...") assert nothing: what support the
    # alternative keeps comes from the words it shares with the answer.
    analysed = MATCHER.analyze(reference)
    answer = MATCHER.compare(asserted, analysed)
    assert answer.verdict == "partial"
    assert MATCHER.compare(alternative, analysed).similarity < answer.similarity / 2


def test_a_word_of_the_question_beside_a_number_is_no_evidence() -> None:
    # "approximate" is the question's word; beside the number it was once completed to the
    # paragraph's "approximately" as if it were a genus cut short, and paid.
    reference = (
        "Salt is about 40% sodium, so 25 grams of salt a day carries some 10 grams of sodium, about 8 "
        "grams more than the body needs. The kidneys excrete that excess: her kidneys would excrete "
        "approximately 20 to 23 grams of salt each day."
    )
    question = (
        "A woman eats 25 g of salt each day. What is the approximate amount of salt her kidneys excrete?"
    )
    analysed = MATCHER.analyze(reference, question)
    alone = MATCHER.compare("23", analysed)
    padded = MATCHER.compare("23 approximate", analysed)
    assert alone.verdict == "partial"
    assert padded.similarity < alone.similarity


def test_a_comparison_binds_its_number_in_a_paragraph() -> None:
    # The paragraph holds "above" too (the temperature), but binds "below" to the count.
    reference = (
        "Neutropenic sepsis is diagnosed in a patient having anticancer treatment whose neutrophil count "
        "is 0.5 \u00d7 10^9/L or lower and who has a temperature above 38\u00b0C. Empirical intravenous "
        "piperacillin with tazobactam should be started within one hour."
    )
    analysed = MATCHER.analyze(reference)
    assert MATCHER.compare("Neutrophil count \u2264 0.5 \u00d7 10^9/L", analysed).verdict == "partial"
    wrong = MATCHER.compare("Neutrophil count above 0.5 \u00d7 10^9/L", analysed)
    assert wrong.verdict == "mismatch" and wrong.guard is not None and wrong.guard.startswith("comparison")
    assert MATCHER.compare("Temperature below 38\u00b0C", analysed).verdict == "mismatch"


PULMONARY_EMBOLISM = (
    "A 25-year-old woman taking the combined oral contraceptive pill develops sudden pleuritic chest pain "
    "and breathlessness after a long-haul flight. Her ECG shows sinus tachycardia and her chest X-ray is "
    "clear. The most likely diagnosis is pulmonary embolism."
)


@pytest.mark.parametrize("synonym", ["Pulmonary embolus", "Pulmonary thromboembolism"])
def test_a_synonym_of_the_concept_a_paragraph_concludes_is_the_concept(synonym: str) -> None:
    # One path for references of any length: the solution's phrase is read in the paragraph's words
    # for the same concept, as against a short reference.
    concluded = similarity("Pulmonary embolism", PULMONARY_EMBOLISM)
    assert similarity(synonym, PULMONARY_EMBOLISM) == concluded > 0.9
    assert similarity("Deep vein thrombosis", PULMONARY_EMBOLISM) < 0


def test_a_paragraph_names_no_concept_in_the_question_words_or_a_repeated_word() -> None:
    analysed = MATCHER.analyze(PULMONARY_EMBOLISM, question="What explains her pulmonary embolism risk?")
    assert not any("embolism" in words for words in analysed.named_phrases.values())
    # A word said twice names nothing: the repetition stays a repetition, judged as one.
    reference = "The drug of choice is pyrimethamine. It blocks folate synthesis in the parasite."
    once = similarity("Pyrimethamine", reference)
    assert similarity(" ".join(["Pyrimethamine"] * 5), reference) < once


def test_a_concept_directly_below_one_a_paragraph_states_is_a_more_specific_answer() -> None:
    reference = (
        "The patient is most likely withdrawing from opioids. Yawning, lacrimation, tachycardia and "
        "dilated pupils are typical of opioid withdrawal."
    )
    morphine = similarity("Morphine", reference)
    # below the class the paragraph names, above what it does not name or only names in a word
    # ("Naloxone" is an opioid antagonist, not an opioid)
    assert 0 < morphine < similarity("Opioids", reference)
    assert similarity("Naloxone", reference) < 0
    assert similarity("Cocaine", reference) < 0
    assert similarity("Morphine or cocaine", reference) < morphine


@pytest.mark.parametrize(
    ("aside", "phrase"),
    [("(de Quervain's)", "Subacute thyroiditis"), ("(Wallenberg)", "Lateral medullary syndrome")],
)
def test_a_parenthesis_inside_a_phrase_leaves_the_phrase_whole(aside: str, phrase: str) -> None:
    # "subacute (de Quervain's) thyroiditis" names subacute thyroiditis, and the aside another name
    # of it; the phrase is not cut into "subacute" and "thyroiditis".
    first, last = phrase.lower().split(" ", 1)[0], phrase.lower().split(" ", 1)[1]
    reference = (
        f"A tender goitre after a viral illness indicates {first} {aside} {last}. It is self-limiting."
    )
    plain = reference.replace(f" {aside}", "")
    words = set(MATCHER.analyze(reference).named_phrases.values())
    assert tuple(phrase.lower().split()) in words
    assert similarity(phrase, reference) == pytest.approx(similarity(phrase, plain))


@pytest.mark.parametrize("sibling", ["Ulnar nerve", "Median nerve"])
def test_a_sibling_of_the_concept_a_paragraph_names_is_another_concept(sibling: str) -> None:
    # The words the paragraph says ("nerve") lie in the one phrase it names ("radial nerve"); the
    # solution's own words name a concept of the same kind in its place: a substitution, as
    # against the short reference "Radial nerve".
    reference = (
        "A midshaft fracture of the humerus most likely injures the radial nerve in the spiral groove. "
        "Wrist drop follows."
    )
    match = MATCHER.compare(sibling, MATCHER.analyze(reference))
    assert match.verdict == "mismatch"
    assert match.guard is not None and match.guard.startswith("different concepts")
    assert similarity("Radial nerve", reference) > 0.5
    assert similarity("Radial nerve palsy", reference) > 0.3


UVEITIS = (
    "In anterior uveitis, swelling of the macula in the posterior segment is what lowers vision. Leaky "
    "retinal capillaries let fluid collect around the fovea, and this macular oedema blurs central vision."
)


@pytest.mark.parametrize(
    "spread",
    [
        "CME or visual floaters or optic disc oedema or retinal detachment",
        "CME, visual floaters, optic disc oedema, retinal detachment",
        f"CME. {UVEITIS} {UVEITIS}",
    ],
)
def test_a_spread_below_the_bar_earns_no_near_miss_credit_against_a_paragraph(spread: str) -> None:
    # A hedge over the options, a list of them or the answer padded with the paragraph gathers the
    # paragraph's words by spreading over them: below min_support it is the floor, under an honest
    # answer the judge cannot read ("CME", an abbreviation the lexicon lacks).
    analysed = MATCHER.analyze(UVEITIS)
    match = MATCHER.compare(spread, analysed)
    assert match.verdict == "mismatch" and match.strength == 0.0
    assert MATCHER.compare("CME", analysed).strength > 0.0


@pytest.mark.parametrize("cue", ["exemplifies", "is an example of", "is known as"])
def test_a_naming_cue_states_the_answer(cue: str) -> None:
    # "this exemplifies X" / "is known as X" names the answer as "the diagnosis is X" does: the
    # sentence weighs as a conclusion and its phrase is what a solution is aligned to.
    reference = (
        "The child was run over by a cart wheel and the tread left its marks on the thigh. "
        f"This injury {cue} a patterned contusion. It fades over two weeks."
    )
    analysed = MATCHER.analyze(reference)
    assert ("contusion",) in set(analysed.named_phrases.values())
    assert max(p.weight for p in analysed.passages if "contusion" in p.terms) == pytest.approx(1.0)


def test_a_passage_says_a_solution_word_in_another_derivation() -> None:
    # "Pattern bruise" is said by the conclusion "patterned contusion" (a derivation and a synonym),
    # not only by the later "a distinct pattern": a more specific answer beats the bare "Contusion".
    reference = (
        "When a cart wheel runs over a child and leaves a distinct marking, this exemplifies a "
        "patterned contusion. It combines a contusion with a distinct pattern matching the object."
    )
    assert similarity("Pattern bruise", reference) > similarity("Contusion", reference) > 0
