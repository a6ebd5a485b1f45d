from __future__ import annotations

import pytest
from pydantic import ValidationError

from medreward import AnswerMatcher, AnswerScores, CheckAnswer, CheckAnswerConfig, check_answer
from medreward.medical.analysis import answer_span
from medreward.samples import load_samples
from tests.conftest import formatted


def score(solution: str, reference: str) -> float | None:
    return check_answer(completions=[formatted(solution=solution)], answer=[reference])[0]


class TestShortReferences:
    @pytest.mark.parametrize(
        ("solution", "reference"),
        [
            ("Parvovirus B19 infection", "Parvovirus B19 infection"),
            ("parvovirus b19 infection.", "Parvovirus B19 infection"),
            ("Sjögren syndrome", "Sjogren syndrome"),
        ],
    )
    def test_exact_match_scores_highest(self, solution: str, reference: str) -> None:
        assert score(solution, reference) == 3.0

    @pytest.mark.parametrize(
        ("solution", "reference"),
        [
            ("Crohn's disease", "Crohn disease"),
            ("Deficiency of vitamin B12", "Vitamin B12 deficiency"),
            ("The most likely diagnosis is Graves disease", "Graves disease"),
            ("Gallstones", "Gallstone"),
        ],
    )
    def test_normalized_match_scores_highest(self, solution: str, reference: str) -> None:
        assert score(solution, reference) == 3.0

    @pytest.mark.parametrize(
        ("solution", "reference"),
        [
            ("Subarachnoid haemorrhage", "Subarachnoid hemorrhage"),
            ("Oedema", "Edema"),
            ("Iron deficiency anaemia", "Iron deficiency anemia"),
            ("Coeliac disease", "Celiac disease"),
            ("Heart attack", "Myocardial infarction"),
            ("Acute MI", "Acute myocardial infarction"),
            ("Myocardial infarction (MI)", "Myocardial infarction"),
            ("DKA", "Diabetic ketoacidosis"),
            ("Tylenol", "Acetaminophen"),
            ("Paracetamol", "Acetaminophen"),
        ],
    )
    def test_spelling_synonyms_abbreviations_and_brands_are_equivalent(
        self, solution: str, reference: str
    ) -> None:
        assert score(solution, reference) == 3.0

    @pytest.mark.parametrize(
        ("solution", "reference"),
        [
            ("Diabetes insipidus", "Diabetes mellitus"),
            ("Diabetes", "Diabetes insipidus"),
            ("Non-Hodgkin lymphoma", "Hodgkin lymphoma"),
            ("Hodgkin lymphoma", "Non-Hodgkin lymphoma"),
            ("Aortic regurgitation with mitral stenosis", "Mitral regurgitation with aortic stenosis"),
            (
                "Increased serum estradiol and decreased serum LH",
                "Decreased serum estradiol and increased serum LH",
            ),
        ],
    )
    def test_near_misses_are_mismatches(self, solution: str, reference: str) -> None:
        # A mismatch, never credited; a near miss that no guard refuses earns a little more than the
        # floor (graded mismatch), so the bound is the top of the mismatch band.
        scored = score(solution, reference)
        assert scored is not None and -0.5 <= scored < AnswerScores().mismatch_max

    @pytest.mark.parametrize(
        ("solution", "reference"),
        [
            ("Carcinoma of the gall bladder", "Gallbladder carcinoma"),
            ("Gallbladder carcinoma", "Carcinoma of the gall bladder"),
            ("Anti-LKM2 antibodies", "Anti-LKM 2 antibody"),
            ("Anti-LKM 2 antibody", "Anti-LKM2 antibodies"),
            ("Heart burn", "Heartburn"),
        ],
    )
    def test_a_word_spaced_two_ways_is_equivalent(self, solution: str, reference: str) -> None:
        assert score(solution, reference) == 3.0

    @pytest.mark.parametrize(
        ("solution", "reference"),
        [
            # Digits are never split or joined: "40" is not "4" and "0".
            ("40%", "4 of 10 at 0 hours"),
            ("4 0", "40"),
            # Only adjacent words join; a number stays a number.
            ("Bladder of the gall", "Gallbladder"),
            ("Anti-LKM 1 antibody", "Anti-LKM2 antibody"),
        ],
    )
    def test_respacing_never_makes_other_words_agree(self, solution: str, reference: str) -> None:
        # Nothing matched: the floor, or a sliver above it for words nothing reads either way.
        scored = score(solution, reference)
        table = AnswerScores()
        unread = table.mismatch + (table.mismatch_max - table.mismatch) * AnswerMatcher().unread_strength
        assert scored is not None and scored <= round(unread, 2)

    def test_compound_answer_in_another_order_is_equivalent(self) -> None:
        assert score("Rash and fever", "Fever and rash") == 3.0

    @pytest.mark.parametrize(
        ("solution", "reference"),
        [
            ("Hypothyroidism", "Hyperthyroidism"),
            ("Hypokalemia", "Hyperkalemia"),
            ("Right tension pneumothorax", "Left tension pneumothorax"),
            ("Type 2 diabetes mellitus", "Type 1 diabetes mellitus"),
            ("5 mg", "50 mg"),
            # number words are numbers: the reference states one, the solution another
            ("Three doses", "Two doses"),
            ("Eighth cranial nerve", "The seventh cranial nerve"),
            # a name that ends in digits against another of the same letters
            ("Vitamin B6 deficiency", "Vitamin B12 deficiency"),
            ("Raised T3", "Raised T4"),
            ("MEN 2A", "MEN 1"),
            ("Chronic pancreatitis", "Acute pancreatitis"),
            ("Decreased intracranial pressure", "Increased intracranial pressure"),
            ("Lower gastrointestinal bleeding", "Upper gastrointestinal bleeding"),
            # before / after, a rate that rises / falls
            ("Postrenal acute kidney injury", "Prerenal acute kidney injury"),
            ("Postganglionic fibres", "Preganglionic fibres"),
            ("Accelerations", "Early decelerations"),
            ("Improving renal function", "Worsening renal function"),
            # "hyperresonant" is "increased resonant" (LEVEL_ROOTS)
            ("Reduced resonance", "Hyperresonant percussion note"),
        ],
    )
    def test_opposites_and_other_numbers_are_mismatches(self, solution: str, reference: str) -> None:
        assert score(solution, reference) == -0.5

    def test_a_number_against_a_reference_without_numbers_is_graded_not_vetoed(self) -> None:
        # The reference states no number, so the solution's contradicts none: the answer in figures
        # is an unread paraphrase, above the opposite that the guard catches.
        figures = score("Heart rate below 60 beats per minute", "Bradycardia")
        assert figures is not None and figures > score("Tachycardia", "Bradycardia") == -0.5

    def test_a_name_with_digits_is_no_other_number_of_the_reference(self) -> None:
        # "SpO2" names the measure the reference states in words; its "2" numbers nothing of the
        # reference's. The figures themselves still have to agree.
        named = score("SpO2 88 to 92%", "Target oxygen saturation 88-92%")
        assert named is not None and named > -0.49
        assert score("SpO2 94 to 98%", "Target oxygen saturation 88-92%") == -0.5

    def test_a_chromosome_band_is_a_number_of_its_chromosome(self) -> None:
        # "7q31" is on chromosome 7, "22q11" holds "22q11.2": graded, not vetoed; a band of another
        # chromosome contradicts.
        for band, reference in (("7q31", "Chromosome 7"), ("22q11 deletion", "22q11.2 deletion syndrome")):
            scored = score(band, reference)
            assert scored is not None and scored > -0.5, band
        assert score("17q21", "Chromosome 7") == -0.5
        assert score("1p36 deletion syndrome", "22q11.2 deletion syndrome") == -0.5

    def test_a_digit_is_no_other_designating_letter(self) -> None:
        # "Hemophilia A" designates with a letter; the "8" of "Factor VIII deficiency" numbers a
        # factor, nothing of the reference: graded, not vetoed. Another letter still contradicts.
        factor = score("Factor VIII deficiency", "Haemophilia A")
        assert factor is not None and factor > -0.5
        assert score("Haemophilia B", "Haemophilia A") == -0.5

    def test_an_adjective_in_ful_affirms_its_noun(self) -> None:
        # "painless" is "without pain", so "painful" affirms what the reference denies.
        assert score("Painful jaundice", "Painless jaundice") == -0.5
        not_painful = score("Jaundice that is not painful", "Painless jaundice")
        assert not_painful is not None and not_painful > 0

    def test_a_score_out_of_its_maximum_is_the_score(self) -> None:
        # "/15" is the scale's maximum, not another number; the score itself must still agree.
        out_of = score("GCS 8/15.", "GCS 8")
        assert out_of is not None and out_of > 0
        assert score("GCS 3/15", "GCS 8") == -0.5
        assert score("1/3", "3") == -0.5

    def test_cannot_before_a_verb_denies_the_verb_as_cant_does(self) -> None:
        reference = "Glycopyrronium does not cross the blood-brain barrier."
        cannot = score("It cannot cross the blood-brain barrier", reference)
        assert cannot is not None and cannot > 0
        assert cannot == score("It can't cross the blood-brain barrier", reference)
        # "cannot be" before a noun phrase still refuses an answer
        assert score("Cannot be glycopyrronium", "Glycopyrronium") == -0.5

    @pytest.mark.parametrize(
        ("reference", "nearer", "farther"),
        [
            ("Hypertrichosis", "Anterior cervical hypertrichosis", "Generalized hirsutism"),
            ("Retinal atrophy", "Retinal pigment epithelial atrophy", "Snowflake vitreoretinal degeneration"),
        ],
    )
    def test_a_direct_child_scores_above_one_two_levels_down(
        self, reference: str, nearer: str, farther: str
    ) -> None:
        near, far = score(nearer, reference), score(farther, reference)
        assert near is not None and far is not None and near > far > 0

    def test_a_denial_contradicts_only_what_the_reference_says(self) -> None:
        # "without gallstones" denies nothing "Cholecystitis" says: a more specific answer.
        specific = score("Cholecystitis without gallstones", "Cholecystitis")
        assert specific is not None and specific > 0
        assert score("Mastitis without abscess", "Abscess of the breast") == -0.5
        assert score("No cholecystitis", "Cholecystitis") == -0.5

    def test_a_denial_said_twice_is_not_the_reference_said_once(self) -> None:
        assert score("Not cannot be commented", "Cannot be commented") == -0.5

    def test_a_shouted_negation_is_no_acronym(self) -> None:
        # "NOT" would spell "nucleotide" (n, o, t) if it were read as an acronym.
        assert score("NOT SINGLE NUCLEOTIDE POLYMORPHISMS", "Single nucleotide polymorphisms") == -0.5

    def test_a_text_with_a_salt_word_is_not_cut_down_to_one_span(self) -> None:
        # Read again without "potassium" (a salt word), the text lost its sentences and was cut
        # down to the span one of them answers with: the pasted paragraph scored as the answer.
        text = (
            "T-wave flattening on ECG. "
            + (
                "Based on the findings, this patient is likely suffering from Cushing syndrome, which can "
                "lead to hypokalemia due to excess cortisol causing increased renal excretion of "
                "potassium. An electrocardiogram (ECG) finding commonly associated with hypokalemia is "
                "flattening of the T waves. "
            )
            * 3
        )
        pasted = score(text, "T-wave flattening on ECG")
        assert pasted is not None and pasted < score("T-wave flattening on ECG", "T-wave flattening on ECG")

    @pytest.mark.parametrize("solution", ["Not asthma", "Asthma is ruled out", "Asthma is unlikely"])
    def test_negated_answer_is_a_mismatch(self, solution: str) -> None:
        assert score(solution, "Asthma") == -0.5

    def test_unrelated_answer_is_a_mismatch(self) -> None:
        # A wrong answer that names a medical concept ranks a little above boilerplate, hedges and
        # repeats of it, which stay at the floor.
        named = score("Acute appendicitis", "Graves disease")
        assert named is not None and -0.5 < named < -0.45
        assert score("Further evaluation by a specialist is recommended.", "Graves disease") == -0.5
        assert score("Acute appendicitis or cholecystitis", "Graves disease") == -0.5
        assert score("Acute appendicitis " * 5, "Graves disease") == -0.5

    def test_a_long_paraphrase_of_a_short_reference_is_unread_not_spam(self) -> None:
        # Longer than the reference is no repetition: only an answer that repeats its own words is.
        unread = score("C5-C6 brachial plexus injury", "Erb palsy")
        assert unread is not None and -0.5 < unread < -0.48
        repeated = " ".join(["Brachial plexus injury"] * 3)
        assert score(repeated, "Erb palsy") == -0.5

    def test_an_answer_nothing_reads_ranks_above_a_contradicted_and_a_wrong_named_one(self) -> None:
        # A paraphrase the vocabularies miss is neither confirmed nor refuted: it keeps a sliver above
        # a contradicted answer and above a wrong answer that names another concept, which is
        # evidence against it.
        unread = score("Autoimmune thyroid overactivity", "Graves disease")
        named = score("Acute appendicitis", "Graves disease")
        assert unread is not None and named is not None
        assert score("Not Graves disease", "Graves disease") == -0.5 < named < unread
        assert score("Blorf snargle", "Graves disease") == -0.5
        # One word that no name of the lexicon uses may be a name it lacks or a made-up one: above
        # the floor, below a wrong named concept (a GRPO policy wrote made-up words once they
        # outscored a named one).
        unknown = score("Corothyreine", "Graves disease")
        assert unknown is not None and -0.5 < unknown < named

    def test_missing_solution_scores_lowest(self) -> None:
        assert check_answer(completions=["Graves disease"], answer=["Graves disease"]) == [-1.0]
        assert score("  ", "Graves disease") == -1.0

    def test_listing_candidates_is_not_credited(self) -> None:
        scored = score("Lupus, rheumatoid arthritis or sarcoidosis", "Rheumatoid arthritis")
        assert scored is not None and scored < AnswerScores().mismatch_max

    def test_listing_candidates_scores_below_committing(self) -> None:
        committed = score("Graves disease", "Graves disease")
        hedged = score("Graves disease, Hashimoto thyroiditis, toxic multinodular goitre", "Graves disease")
        assert committed is not None and hedged is not None and hedged < committed


class TestLongReferences:
    def test_right_answer_beats_unrelated_answer(self) -> None:
        row = load_samples()[0]
        right = score(row["answer"], row["Response"])
        unrelated = score("Acute appendicitis", row["Response"])
        assert right is not None and unrelated is not None and right > unrelated

    def test_pasting_the_reference_does_not_pay_full_credit(self) -> None:
        row = load_samples()[0]
        pasted = score(row["Response"], row["Response"])
        honest = score(row["answer"], row["Response"])
        assert pasted is not None and honest is not None and pasted < honest

    def test_an_answer_nothing_reads_ranks_above_the_hacks_at_the_floor(self) -> None:
        # The paragraph never names the picornavirus: the honest answer is unread, not refuted, so it
        # keeps a sliver above boilerplate, a negation and a restated question (the gauntlet's bar
        # is strictly below the honest answer).
        reference = (
            "A nonionic detergent dissolves lipid membranes, so enveloped viruses such as influenza, HIV "
            "and herpesviruses are inactivated by it. A virus without a lipid envelope keeps its capsid "
            "intact and stays infectious: the non-enveloped viruses resist this treatment."
        )
        question = "Which type of virus would remain unaffected by a detergent?"
        honest = score("Picornavirus", reference)
        assert honest is not None and honest > -0.5
        # The question's words are no evidence, and a list commits to no answer.
        padded = check_answer(
            prompts=[question],
            completions=[formatted(solution="Picornavirus unaffected")],
            answer=[reference],
        )[0]
        assert padded is not None and padded < honest
        assert score("Picornavirus, adenovirus", reference) == -0.5
        for hack in (
            "Further evaluation by a specialist is recommended.",
            "Not picornavirus",
            "Blorf snargle",
        ):
            assert score(hack, reference) == -0.5

    def test_negation_in_solution_is_a_mismatch(self) -> None:
        row = load_samples()[0]
        assert score("Not Graves disease", row["Response"]) == -0.5


class TestReferences:
    def test_none_reference_gives_none(self) -> None:
        assert check_answer(completions=[formatted(), formatted()], answer=[None, "x"])[0] is None

    def test_numeric_reference_is_compared_as_text(self) -> None:
        assert score("42", 42) == 3.0  # type: ignore[arg-type]

    def test_non_text_reference_is_a_clear_error(self) -> None:
        with pytest.raises(TypeError, match="reference answers must be strings"):
            check_answer(completions=[formatted()], answer=[{"a": 1}])

    def test_configurable_column(self) -> None:
        reward = CheckAnswer(CheckAnswerConfig(answer_column="Ground-True Answer"))
        assert reward(completions=[formatted(solution="Asthma")], **{"Ground-True Answer": ["asthma"]}) == [
            3.0
        ]

    def test_missing_column_is_a_clear_error(self) -> None:
        with pytest.raises(ValueError, match="needs the dataset column 'answer'"):
            check_answer(completions=[formatted()], Response=["x"])


class TestScoreTable:
    def test_custom_scores(self) -> None:
        reward = CheckAnswer(
            CheckAnswerConfig(
                scores=AnswerScores(
                    exact=1.0, equivalent=1.0, partial_max=0.5, partial_min=0.1, mismatch=0.0, missing=-1.0
                )
            )
        )
        assert reward(completions=[formatted(solution="Asthma"), "none"], answer=["asthma", "asthma"]) == [
            1.0,
            -1.0,
        ]

    def test_missing_may_not_beat_mismatch(self) -> None:
        with pytest.raises(ValidationError, match="omitting the answer"):
            AnswerScores(missing=0.0)

    def test_scores_must_be_ordered(self) -> None:
        with pytest.raises(ValidationError, match="exact >= equivalent"):
            AnswerScores(partial_max=5.0)

    def test_matcher_settings_are_validated(self) -> None:
        with pytest.raises(ValidationError):
            AnswerMatcher(min_similarity=1.5)
        # the slivers' order is the contract: a made-up word never above a wrong named concept
        with pytest.raises(ValidationError, match="unknown_words_strength <= named_concept_strength"):
            AnswerMatcher(unknown_words_strength=0.03)
        with pytest.raises(ValidationError, match="named_concept_strength <= unread_strength"):
            AnswerMatcher(named_concept_strength=0.04)


def test_matcher_reports_guard_and_terms() -> None:
    matcher = AnswerMatcher()
    match = matcher.compare("Hypokalemia", matcher.analyze("Hyperkalemia"))
    assert match.verdict == "mismatch"
    # Blood levels read as low and high levels; the message quotes both answers as written.
    assert match.guard == "opposite: decreased / increased (Hypokalemia / Hyperkalemia)"


class TestRelatedForms:
    """A short answer whose whole phrase the lexicon only relates to the other's concept (HPO's
    RELATED synonym "Abnormally small head" of Microcephaly) is partly right, never equivalent."""

    @pytest.mark.parametrize(("solution", "reference"), [
        ("Abnormally small head", "Microcephaly"),
        ("microcephaly", "abnormally small head"),
    ])  # fmt: skip
    def test_a_related_phrase_earns_partial_credit(self, solution: str, reference: str) -> None:
        matcher = AnswerMatcher()
        match = matcher.compare(solution, matcher.analyze(reference))
        assert match.verdict == "partial"
        assert match.similarity == pytest.approx(matcher.related_similarity)
        score = check_answer(completions=[formatted(solution=solution)], answer=[reference])[0]
        assert AnswerScores().partial_min < score < AnswerScores().equivalent

    @pytest.mark.parametrize(("solution", "reference"), [
        ("Low cholesterol", "Hypercholesterolemia"),
        ("High cholesterol", "Hypocholesterolemia"),
        # Both only related to one concept: neither is the other's concept.
        ("Aarskog syndrome", "Cockayne syndrome"),
    ])  # fmt: skip
    def test_unrelated_or_opposite_phrases_stay_mismatches(self, solution: str, reference: str) -> None:
        matcher = AnswerMatcher()
        assert matcher.compare(solution, matcher.analyze(reference)).verdict == "mismatch"

    def test_below_min_similarity_a_related_phrase_earns_nothing(self) -> None:
        matcher = AnswerMatcher(related_similarity=0.5)
        match = matcher.compare("Abnormally small head", matcher.analyze("Microcephaly"))
        assert match.verdict == "mismatch"

    def test_a_blood_level_and_its_lay_phrase_are_equivalent(self) -> None:
        # hyper-/hypo- + a substance + -emia reads as a high or low level of it (spell_out_blood_levels).
        matcher = AnswerMatcher()
        assert matcher.compare("High cholesterol", matcher.analyze("Hypercholesterolemia")).verdict == "exact"
        assert matcher.compare("low serum potassium", matcher.analyze("Hypokalaemia")).verdict == "partial"

    @pytest.mark.parametrize(("term", "lay"), [
        ("Hypochloraemic metabolic alkalosis", "Metabolic alkalosis with low chloride"),
        ("Hypokalaemic periodic paralysis", "Periodic paralysis with low potassium"),
    ])  # fmt: skip
    def test_a_blood_level_as_an_adjective_is_said_in_words(self, term: str, lay: str) -> None:
        # "-aemic" as "-aemia": the adjective names the same low or high level
        matcher = AnswerMatcher()
        assert matcher.compare(lay, matcher.analyze(term)).verdict == "equivalent"

    @pytest.mark.parametrize(("lay", "term", "opposite"), [
        ("Low albumin", "Hypoalbuminaemia", "High albumin"),
        ("High bilirubin", "Hyperbilirubinemia", "Low bilirubin"),
        ("High ammonia", "Hyperammonaemia", "Low ammonia"),
        ("High prolactin", "Hyperprolactinaemia", "Low prolactin"),
        ("High carbon dioxide", "Hypercarbia", "Low carbon dioxide"),
    ])  # fmt: skip
    def test_more_levels_said_in_words(self, lay: str, term: str, opposite: str) -> None:
        matcher = AnswerMatcher()
        assert matcher.compare(lay, matcher.analyze(term)).verdict == "exact"
        assert matcher.compare(opposite, matcher.analyze(term)).verdict == "mismatch"

    @pytest.mark.parametrize(("reference", "accepted", "rejected"), [
        ("Troponin is not raised in stable angina.", "Stable angina does not cause a troponin rise",
         "Stable angina causes a troponin rise"),
        ("Troponin is not raised in stable angina.", "It does not elevate troponin", "It elevates troponin"),
        ("Raised intracranial pressure", "The intracranial pressure rises",
         "Decreased intracranial pressure"),
    ])  # fmt: skip
    def test_a_level_that_rises_said_as_a_verb_is_raised(
        self, reference: str, accepted: str, rejected: str
    ) -> None:
        # "rise", "elevate" and "raise" in every form say what "raised" says, so the polarity of the
        # sentence that uses them is read: the verb against its denial, never a near miss.
        matcher = AnswerMatcher()
        analysed = matcher.analyze(reference)
        assert matcher.compare(accepted, analysed).guard is None
        assert score(accepted, reference) > score(rejected, reference) == -0.5  # type: ignore[operator]


class TestSecondNames:
    """ICD-10-CM titles that give a condition a second name in brackets ("Varicella [chickenpox]")
    make the two names one concept; other conditions of the same family stay apart."""

    @pytest.mark.parametrize(("solution", "reference"), [
        ("Chickenpox", "Varicella"),
        ("German measles", "Rubella"),
        ("Hansen's disease", "Leprosy"),
        ("Common cold", "Acute nasopharyngitis"),
        ("Pellagra", "Niacin deficiency"),
        ("Decompression sickness", "Caisson disease"),
        # The second name is an HPO term: the ICD-10-CM code joins that concept.
        ("Somnambulism", "Sleepwalking"),
        ("Hyperthyroidism", "Thyrotoxicosis"),
    ])  # fmt: skip
    def test_a_second_name_is_equivalent(self, solution: str, reference: str) -> None:
        matcher = AnswerMatcher()
        assert matcher.compare(solution, matcher.analyze(reference)).verdict == "equivalent"
        assert matcher.compare(reference, matcher.analyze(solution)).verdict == "equivalent"

    @pytest.mark.parametrize(("solution", "reference"), [
        ("Measles", "German measles"),
        ("Varicella", "Herpes zoster"),
        ("Hypothyroidism", "Thyrotoxicosis"),
        ("Fifth disease", "Sixth disease"),
    ])  # fmt: skip
    def test_neighbouring_conditions_stay_apart(self, solution: str, reference: str) -> None:
        matcher = AnswerMatcher()
        assert matcher.compare(solution, matcher.analyze(reference)).verdict == "mismatch"


class TestWordNetSynonyms:
    """Lay and older names from WordNet's medical synsets are the same concept; where the clinical
    sources tell two names apart, or WordNet lumps conditions a clinician separates, they stay apart."""

    @pytest.mark.parametrize(("solution", "reference"), [
        ("Whooping cough", "Pertussis"),
        ("Shingles", "Herpes zoster"),
        ("Lockjaw", "Tetanus"),
        ("Pink eye", "Conjunctivitis"),
        ("High blood pressure", "Hypertension"),
        ("Painkiller", "Analgesic"),
    ])  # fmt: skip
    def test_a_wordnet_synonym_is_equivalent(self, solution: str, reference: str) -> None:
        matcher = AnswerMatcher()
        assert matcher.compare(solution, matcher.analyze(reference)).verdict == "equivalent"
        assert matcher.compare(reference, matcher.analyze(solution)).verdict == "equivalent"

    @pytest.mark.parametrize(("solution", "reference"), [
        # One WordNet synset, two HPO concepts: the clinical source wins.
        ("Adenomyosis", "Endometriosis"),
        # Lumped by WordNet, left out of the lexicon (WORDNET_LUMPS in scripts/build_lexicon.py).
        # ("Colitis", "Inflammatory bowel disease") is no longer a mismatch: MONDO (lexicon 2.3) puts
        # IBD under colitis, so Colitis is a less specific answer ("partial").
        ("Lightheadedness", "Vertigo"),
        ("Hysteria", "Delirium"),
        # Body parts are not taken: WordNet's "stomach" is also the belly.
        ("Stomach", "Abdomen"),
        # A combination product is not its main drug.
        ("Augmentin", "Amoxicillin"),
    ])  # fmt: skip
    def test_names_the_clinical_sources_or_a_reading_tell_apart_stay_apart(
        self, solution: str, reference: str
    ) -> None:
        matcher = AnswerMatcher()
        assert matcher.compare(solution, matcher.analyze(reference)).verdict == "mismatch"


@pytest.mark.parametrize(
    ("reference", "accepted", "rejected"),
    [
        ("Nikolsky sign negative", "no Nikolsky sign", "Positive Nikolsky sign"),
        ("Absent dorsalis pedis pulse", "no palpable dorsalis pedis pulse", "Palpable dorsalis pedis pulse"),
        ("Gram-negative bacilli", "gram negative rods", "Not gram-negative bacilli"),
        ("Nondisplaced fracture", "non-displaced fracture", "Displaced fracture"),
    ],
)
def test_polarity_is_the_parity_of_negation_cues(reference: str, accepted: str, rejected: str) -> None:
    matcher = AnswerMatcher()
    analysed = matcher.analyze(reference)
    assert matcher.compare(accepted, analysed).verdict != "mismatch"
    denied = matcher.compare(rejected, analysed)
    assert denied.verdict == "mismatch" and denied.guard is not None


def test_a_denying_reference_is_contradicted_only_by_an_answer_that_affirms_all_of_it() -> None:
    matcher = AnswerMatcher()
    # "Epigastric hernia" is a kind of ventral hernia; it says nothing of obstruction or gangrene.
    match = matcher.compare(
        "Epigastric hernia", matcher.analyze("Ventral hernia without obstruction or gangrene")
    )
    assert match.guard is None or not match.guard.startswith("negation")


@pytest.mark.parametrize("solution", ["No", "absent", "not", "no no", "Not absent"])
def test_polarity_words_alone_score_without_error(solution: str) -> None:
    matcher = AnswerMatcher()
    for reference in ("Not present", "no", "Absent reflexes"):
        match = matcher.compare(solution, matcher.analyze(reference))
        assert 0.0 <= match.similarity <= 1.0


@pytest.mark.parametrize(
    ("reference", "span"),
    [
        ("The ECG shows atrial fibrillation.", "atrial fibrillation."),
        ("He has a black eye.", "black eye."),
        ("The patient has developed AKI.", "AKI."),
        ("She has been diagnosed with lupus.", "lupus."),
        ("Her painful, stiff shoulder is due to adhesive capsulitis.", "adhesive capsulitis."),
        ("First-line therapy is metformin.", "metformin."),
        ("Give naloxone.", "naloxone."),
        ("This presentation is typical of Guillain-Barre syndrome.", "Guillain-Barre syndrome."),
        # a statement about the answer itself stays whole
        ("Osteomyelitis is caused by S. aureus", "Osteomyelitis is caused by S. aureus"),
        ("No treatment is required", "No treatment is required"),
        # a result and nothing else says how its subject stands: the subject is the answer
        ("Their HIV test was negative", "Their HIV test was negative"),
        ("The troponin is not raised.", "The troponin is not raised."),
        # an opening clause of condition or time is the case, not the answer
        (
            "When the left pupil is fixed, the left oculomotor nerve is compressed.",
            " the left oculomotor nerve is compressed.",
        ),
        ("If the INR is above 8, give vitamin K", " give vitamin K"),
        (
            "In a patient with right-sided chest pain, a left pneumothorax is the cause.",
            " a left pneumothorax is the cause.",
        ),
    ],
)
def test_a_sentence_answers_with_what_it_reports(reference: str, span: str) -> None:
    assert answer_span(reference)[0] == span


def test_a_test_reported_by_its_result_is_judged_with_its_test() -> None:
    reference = "The patient tested HIV negative."
    assert score("Their HIV test was negative", reference) == 3.0
    assert score("The HIV test was reactive", reference) == -0.5


def test_the_side_of_an_opening_clause_does_not_decide_the_answer() -> None:
    matcher = AnswerMatcher()
    reference = matcher.analyze("In a patient with right-sided chest pain, a left pneumothorax is the cause.")
    assert matcher.compare("Left pneumothorax", reference).verdict == "equivalent"
    assert matcher.compare("Right pneumothorax", reference).verdict == "mismatch"


@pytest.mark.parametrize(
    ("reference", "accepted", "rejected"),
    [
        ("Legg-Calvé-Perthes disease", "Perthes disease", "Osgood-Schlatter disease"),
        ("Creutzfeldt-Jakob disease", "Jakob disease", "Alzheimer disease"),
        # only the names may differ: another disease of one of the names is another answer
        ("Wolff-Parkinson-White syndrome", "Wolff-Parkinson-White", "Parkinson disease"),
    ],
)
def test_one_name_of_a_hyphenated_eponym_names_it(reference: str, accepted: str, rejected: str) -> None:
    matcher = AnswerMatcher()
    for one, other in ((accepted, reference), (reference, accepted)):
        assert matcher.compare(one, matcher.analyze(other)).verdict != "mismatch"
    assert matcher.compare(rejected, matcher.analyze(reference)).verdict == "mismatch"


def test_respacing_keeps_the_answers_polarity() -> None:
    matcher = AnswerMatcher()
    match = matcher.compare("not gall bladder carcinoma", matcher.analyze("Gallbladder carcinoma"))
    assert match.verdict == "mismatch" and match.guard is not None and match.guard.startswith("negation")


def test_small_words_that_are_words_are_not_read_as_abbreviations() -> None:
    # "all" is also ALL (acute lymphoblastic leukaemia), "not" a negation: neither is expanded.
    matcher = AnswerMatcher()
    assert (
        matcher.compare("all of the above", matcher.analyze("Acute lymphoblastic leukemia")).verdict
        == "mismatch"
    )
    assert matcher.compare("not pe", matcher.analyze("Pulmonary embolism")).verdict == "mismatch"


def test_a_designator_in_a_name_is_not_read_as_an_abbreviation() -> None:
    # "A2" is also the aortic component of the second heart sound; in "haemoglobin A2" it designates.
    assert score("Increased haemoglobin A2", "Increased HbA2 hemoglobin") == 3.0


def test_a_refusal_never_agrees_with_a_negative_finding() -> None:
    # One negation word on each side, but "excluded" refuses the answer and "negative" states a
    # finding: the counts agree, the meanings do not.
    matcher = AnswerMatcher()
    analysed = matcher.analyze("Culture-negative endocarditis")
    refused = matcher.compare("Endocarditis is excluded", analysed)
    assert refused.verdict == "mismatch" and refused.guard is not None
    assert matcher.compare("Culture negative endocarditis", analysed).verdict in ("exact", "equivalent")


@pytest.mark.parametrize(("reference", "other"), [("Dysphagia", "Dysphasia"), ("Ileum", "Ilium")])
def test_two_medical_words_one_letter_apart_are_two_words(reference: str, other: str) -> None:
    matcher = AnswerMatcher()
    assert matcher.compare(other, matcher.analyze(reference)).verdict == "mismatch"
    # a misspelling that names nothing is still read as the word
    assert matcher.compare("hemorrage", matcher.analyze("Haemorrhage")).verdict != "mismatch"


# One class of answers per block: the reference, an answer a clinician accepts, and a near miss.
# ``True``: the accepted answer is the same answer (exact or equivalent); ``False``: it is related
# (a more specific or partly written form) and only must not be a mismatch.
ACCEPTED_AND_REJECTED: list[tuple[str, str, str, bool]] = [
    # hypo-/hyper- findings and abbreviations read in the other answer
    ("Hypothermia", "low body temperature", "Hyperthermia", True),
    ("Hyperreflexia", "brisk reflexes", "reduced reflexes", True),
    ("GERD", "Gastroesophageal reflux disease", "Peptic ulcer disease", True),
    ("Hypertension", "High BP", "Low BP", True),
    ("MS", "Multiple sclerosis", "Myasthenia gravis", True),
    # abbreviations written small in a short answer
    ("Right upper quadrant ultrasound", "ruq us", "CT abdomen", True),
    ("Lumbar puncture", "lp", "Thoracentesis", True),
    # management verbs in every form
    ("Metformin should be stopped.", "Discontinue metformin", "Continue metformin", True),
    ("Thrombolysis should not be given.", "Do not give thrombolysis", "Give thrombolysis", True),
    ("Avoid NSAIDs", "NSAIDs should be avoided", "NSAIDs", True),
    # organisms cut short, and infestations named by their organism
    ("Clostridioides difficile", "C. diff", "Clostridium perfringens", False),
    ("Staphylococcus aureus", "Staph aureus", "Staph epidermidis", False),
    ("Streptococcus pyogenes", "Strep pyogenes", "Strep agalactiae", False),
    ("Trichomoniasis", "Trichomonas vaginalis infection", "Bacterial vaginosis", False),
    ("Giardiasis", "Giardia lamblia infection", "Cryptosporidium infection", False),
    ("Candida albicans infection", "candidiasis", "Aspergillus infection", False),
    # another organ is another answer
    ("Paget disease of bone", "Paget's disease of bone", "Paget disease of the breast", True),
    # a phrase of the answer that names the concept a phrase of the reference names, in other words
    ("Left vestibular schwannoma", "Left acoustic neuroma", "Right acoustic neuroma", True),
    ("Herpes zoster in a dermatomal distribution", "Shingles", "Chickenpox", False),
    # a number that qualifies every word of a reference without numbers names a subtype
    ("Diabetes mellitus", "Type 2 diabetes mellitus", "Diabetes insipidus", False),
    ("Type 1 diabetes mellitus", "T1DM", "Type 2 diabetes mellitus", True),
    ("Viral hepatitis", "Hepatitis C infection", "Autoimmune hepatitis", False),
    # below a concept whose name holds every word of the reference
    # an organ's adjective is its noun
    ("Renal failure", "Kidney failure", "Liver failure", True),
    ("Fracture of the radius", "Radial head fracture", "Ulnar shaft fracture", False),
    ("Carcinoma of the pancreas", "Pancreatic carcinoma", "Ampullary carcinoma", True),
    # an acronym the lexicon does not list, for words of the reference that name a thing of their own
    ("Behavioural variant frontotemporal dementia", "FTD", "Alzheimer disease", False),
    ("Immune thrombocytopenic purpura", "ITP", "TTP", True),
    # a small abbreviation that is also a word of names, read as one when the other answer says it
    ("Atrioventricular node", "av node", "SA node", True),
    ("Percutaneous endoscopic gastrostomy", "peg tube", "Nasogastric tube", False),
    # a dotted acronym spells what it spells undotted; nested senses are written as the general one
    ("Necrotizing enterocolitis", "N.E.C.", "Hirschsprung-associated enterocolitis", True),
    ("ST-elevation myocardial infarction", "S.T.E.M.I.", "NSTEMI", True),
    # a designator with a full stop is no anatomical abbreviation ("a." is an artery)
    ("Haemophilia A", "Hemophilia A.", "Haemophilia B", True),
    # spacing is no difference where the lexicon names the one word
    ("Varicella", "chicken pox", "Smallpox", True),
    # ... but not two words of a longer name ("herpes simplex virus" is no "herpes simplexvirus"):
    # the subtype number of a more specific answer stays a subtype
    ("Herpes simplex encephalitis", "HSV-1 encephalitis", "Varicella zoster encephalitis", False),
    # a technique is the image it makes; a procedure by its other names; an infinitive is no verb
    ("CT angiogram", "CT angiography", "CT venography", True),
    ("Hartmann procedure", "Hartmann's operation", "Whipple procedure", True),
    (
        "The test to confirm vesicoureteric reflux is a micturating cystourethrogram.",
        "Voiding cystourethrogram",
        "DMSA scan",
        True,
    ),
    # a word that denies a noun is the phrase that says so; compliance is adherence
    ("Asymptomatic bacteriuria", "bacteriuria without symptoms", "Symptomatic urinary tract infection", True),
    ("Non-adherence to medication", "non-compliance with medication", "Good adherence to medication", True),
    # two levels of a vocabulary's hierarchy separate a more specific answer at most
    ("Encephalitis", "Herpes simplex encephalitis", "Meningitis", False),
    # a drug named with its salt is the drug, unless the other answer names a salt too
    ("Pethidine", "pethidine hydrochloride", "Methadone", True),
    ("Hyoscine butylbromide", "hyoscine butylbromide", "Hyoscine hydrobromide", True),
    # a misspelt word: one edit, two for a long word, a swap of neighbours one
    ("Acute cholecystitis", "acute cholecystits", "Choledocholithiasis", False),
    ("Pneumonia", "pnuemonia", "Pulmonary embolism", False),
    ("Diabetes mellitus", "diabetis mellitus", "Diabetes insipidus", False),
    # a name one word longer than a concept below the reference ("hepatitis A" under "Viral
    # hepatitis"); an ancestor's name across vocabularies (ICD-10-CM's Colles' fracture under
    # "Fracture of lower end of radius", against MONDO's radius fracture)
    ("Viral hepatitis", "Acute hepatitis A", "Autoimmune hepatitis", False),
    ("Fracture of the radius", "Colles fracture", "Scaphoid fracture", False),
    # ... even where WordNet, whose lay taxonomy is not consulted, knows both answers too
    ("Anemia", "Pernicious anemia", "Leukopenia", False),
    # a side, a position or a grade is no qualifier to count against a more specific answer
    ("Pneumonia", "Right lower lobe pneumonia", "Right lower lobe collapse", False),
    # a structure named without its head noun; an X-ray is a radiograph
    ("Lunate bone", "Lunate", "Scaphoid", True),
    ("Chest X-ray", "chest radiograph", "CT chest", True),
    ("Chest X-ray", "Plain film of the chest", "Abdominal X-ray", True),
    # a finding lost or lacking is absent; "given" after "be" is a passive, not the evidence cited
    ("Absent red reflex", "Loss of the red reflex", "Red reflex present", True),
    (
        "MMR vaccine is contraindicated in pregnancy.",
        "MMR should not be given during pregnancy",
        "Give MMR",
        False,
    ),
    # a state and its adjective are one stem ("pregnancy" / "pregnant")
    ("Rubella non-immune", "Not immune to rubella", "Rubella immune", True),
    (
        "Avoid NSAIDs in pregnancy",
        "NSAIDs should be avoided when pregnant",
        "NSAIDs are safe in pregnancy",
        False,
    ),
    # a rate named with brady-/tachy- is the rate in words, slow and fast its opposites
    ("Bradycardia", "Slow heart rate", "Fast heart rate", True),
    ("Tachypnoea", "fast breathing", "Bradypnoea", True),
    # blood gases by their symbols; "-sided" says only the side
    ("Hypercapnia", "Raised PaCO2", "Low PaCO2", True),
    ("Left-sided heart failure", "Left heart failure", "Right heart failure", True),
    # another spelling of a drug between two short answers, either side the unknown one
    ("Chlorphenamine", "Chlorpheniramine", "Chlorpromazine", False),
    # a drug under the class ChEBI gives it (lexicon 2.4); ChEBI's INN name for DrugBank's drug
    ("Opioid analgesic", "Morphine", "Cocaine", False),
    ("Chlorpheniramine", "Chlorphenamine", "Chlorpromazine", True),
    # the opposite polarity said with a derivation of the reference's word is still the opposite;
    # a word with a denying prefix does not say the reference's word
    ("Non-adherence to medication", "Medication non-adherence", "Adherent to medication", True),
    ("Nondisplaced fracture", "non-displaced fracture", "Displaced fracture", True),
    # a coordination that leaves its head unsaid
    ("HPV 16 and 18", "HPV-16 and HPV-18", "HPV 6 and 11", True),
    # evidence, a verb that concludes, and the answer; a renamed nerve
    (
        "Loss of sensation in the first web space indicates injury to the deep peroneal nerve.",
        "Deep fibular nerve",
        "Superficial peroneal nerve",
        False,
    ),
]


def test_saying_more_of_the_reference_never_scores_less() -> None:
    matcher = AnswerMatcher()
    reference = matcher.analyze(
        "Meralgia paresthetica is compression of the lateral femoral cutaneous nerve."
    )
    fuller = matcher.compare("Lateral femoral cutaneous nerve", reference)
    shorter = matcher.compare("Femoral nerve", reference)
    assert fuller.verdict == "partial"
    assert fuller.similarity > shorter.similarity


@pytest.mark.parametrize(("reference", "accepted", "rejected", "same"), ACCEPTED_AND_REJECTED)
def test_accepted_answers_rank_above_near_misses(
    reference: str, accepted: str, rejected: str, same: bool
) -> None:
    matcher = AnswerMatcher()
    analysed = matcher.analyze(reference)
    verdict = matcher.compare(accepted, analysed).verdict
    assert verdict in ("exact", "equivalent") if same else verdict != "mismatch"
    assert matcher.compare(rejected, analysed).verdict == "mismatch"


@pytest.mark.parametrize("template", [
    "I would diagnose {x}.",
    "This presentation is most consistent with {x}.",
    "The best next step is to order {x}.",
    "The child is suffering from {x}.",
    "This is a classic presentation of {x}.",
    "The causative agent is most likely {x}.",
    "An {x} should be performed.",
])  # fmt: skip
def test_a_sentence_that_frames_the_answer_scores_as_the_answer(template: str) -> None:
    matcher = AnswerMatcher()
    for answer in ("Osteomyelitis", "Lumbar puncture", "Staphylococcus aureus"):
        verdict = matcher.compare(template.format(x=answer), matcher.analyze(answer)).verdict
        assert verdict in ("exact", "equivalent"), (template, answer, verdict)


def test_framing_words_after_a_copula_leave_the_subject_as_the_answer() -> None:
    matcher = AnswerMatcher()
    reference = matcher.analyze("Osteomyelitis")
    assert matcher.compare("Osteomyelitis is the most likely diagnosis.", reference).verdict == "equivalent"
    assert matcher.compare("Septic arthritis is the most likely diagnosis.", reference).verdict == "mismatch"


def test_support_weights_are_validated_and_used() -> None:
    from medreward.medical.passages import SupportWeights

    with pytest.raises(ValidationError):
        SupportWeights(conclusion=1.5)
    paragraph = (
        "The patient has fever, a new murmur and positive blood cultures. "
        "The most likely diagnosis is infective endocarditis."
    )
    default = AnswerMatcher()
    muted = AnswerMatcher(support=SupportWeights(conclusion=0.1))
    answer = "Infective endocarditis"
    assert muted.compare(answer, muted.analyze(paragraph)).similarity < (
        default.compare(answer, default.analyze(paragraph)).similarity
    )


@pytest.mark.parametrize(
    ("reference", "sibling"),
    [
        # an ancestor named "X and Y" groups its children; it is above neither X's nor Y's siblings
        ("Perianal venous thrombosis", "First degree hemorrhoids"),
        ("Pilonidal cyst with abscess", "Pilonidal sinus with abscess"),
        # where one vocabulary (HPO) places both answers, its hierarchy has the last word
        ("Hyporeflexia", "Hemiareflexia"),
    ],
)
def test_a_name_found_above_an_answer_relates_it_only_as_a_genus(reference: str, sibling: str) -> None:
    matcher = AnswerMatcher()
    assert matcher.compare(sibling, matcher.analyze(reference)).verdict == "mismatch"


def test_a_questions_own_not_never_makes_a_negated_answer_equivalent() -> None:
    # The guard lets the words of a question that asks what is NOT so pass; the answer that denies
    # the reference still disagrees with it.
    matcher = AnswerMatcher()
    question = "Which of the following is NOT a complication of strep throat?"
    reference = matcher.analyze("Rheumatic fever", question)
    assert matcher.compare("Not rheumatic fever", reference).verdict not in ("exact", "equivalent")
    assert matcher.compare("Rheumatic fever", reference).verdict == "exact"


# Polarity has a scope: the subject of a negated sentence left out, or a denial of a word the other
# answer affirms beside its own denial. Each rejected answer scored partial credit when polarity was
# only the parity of the negation cues.
@pytest.mark.parametrize(("reference", "accepted", "rejected"), [
    ("Metformin does not cause hypoglycaemia.", "Metformin alone does not cause hypoglycemia",
     "It causes hypoglycaemia"),
    ("Digoxin is not removed by haemodialysis.", "It is not removed by haemodialysis",
     "It is removed by hemodialysis"),
    ("Painless jaundice", "Jaundice without pain", "No jaundice"),
    ("Afebrile with a productive cough", "Productive cough, no fever", "No cough"),
    # the head a cue denies, affirmed without the rest of its scope: the verb after "not", the
    # word joined to "non", the last word of a noun phrase
    ("The pupils do not react to light.", "Pupils that do not react", "Reactive pupils"),
    ("Non-lactose fermenter", "Does not ferment lactose", "Lactose fermenter"),
    ("Acalculous cholecystitis", "Cholecystitis without gallstones", "Calculous cholecystitis"),
    # "not" before a participle of a finding looked for denies the finding before it
    ("Tinel's sign was not elicited", "No Tinel sign", "Positive Tinel sign"),
])  # fmt: skip
def test_what_one_answer_denies_the_other_may_not_affirm(
    reference: str, accepted: str, rejected: str
) -> None:
    matcher = AnswerMatcher()
    analysed = matcher.analyze(reference)
    assert matcher.compare(accepted, analysed).verdict != "mismatch"
    match = matcher.compare(rejected, analysed)
    assert match.verdict == "mismatch" and match.similarity == 0.0
    assert match.guard is not None and match.guard.startswith("negation:")


@pytest.mark.parametrize(("reference", "accepted", "substituted"), [
    ("Ceftriaxone is not active against enterococci.", "It is not active against enterococci",
     "Amoxicillin is not active against enterococci"),
    ("Glycopyrronium does not cross the blood-brain barrier.", "It does not cross the blood-brain barrier",
     "Atropine does not cross the blood-brain barrier"),
    # the words that differ name their concepts with a word both answers say
    ("In placenta praevia the uterus is soft and non-tender.",
     "In placenta previa, the uterus is soft and non-tender",
     "In placental abruption the uterus is soft and non-tender"),
])  # fmt: skip
def test_a_sibling_concept_in_the_place_of_the_references_is_a_mismatch(
    reference: str, accepted: str, substituted: str
) -> None:
    matcher = AnswerMatcher()
    analysed = matcher.analyze(reference)
    assert matcher.compare(accepted, analysed).verdict != "mismatch"
    match = matcher.compare(substituted, analysed)
    assert match.verdict == "mismatch" and match.guard is not None
    assert match.guard.startswith("different concepts:")
    # Symmetric: the reference against the substituted answer as the reference.
    assert matcher.compare(reference, matcher.analyze(substituted)).verdict == "mismatch"


@pytest.mark.parametrize(("reference", "accepted", "substituted"), [
    ("Coxiella burnetii endocarditis is typically blood culture-negative.", "It is usually culture-negative",
     "Staphylococcus aureus endocarditis is typically culture-negative"),
    ("Bell's palsy causes facial weakness with no forehead sparing.",
     "Facial weakness including the forehead",
     "A cortical stroke causes facial weakness with no forehead sparing"),
    ("In early papilloedema, visual acuity is usually not affected.",
     "Early papilloedema does not impair acuity", "In optic neuritis visual acuity is usually not affected"),
])  # fmt: skip
def test_a_concept_named_in_the_place_of_the_references_is_a_mismatch(
    reference: str, accepted: str, substituted: str
) -> None:
    # The words that differ are more than two sibling names ("blood", "cortical"): the named phrases
    # that fill one slot of the sentence are compared, alternatives of one kind (two bacteria, two
    # optic neuropathies) meeting a few levels up.
    matcher = AnswerMatcher()
    analysed = matcher.analyze(reference)
    assert matcher.compare(accepted, analysed).guard is None
    match = matcher.compare(substituted, analysed)
    assert match.verdict == "mismatch" and match.guard is not None
    assert match.guard.startswith("different concepts:")


@pytest.mark.parametrize(("reference", "answer"), [
    # the reference's cause is left out, not replaced: the answer's phrase stands where its finding is
    ("Persistent vomiting has caused a hypochloraemic metabolic alkalosis.",
     "metabolic alkalosis with low chloride"),
    # the reference names three findings in three clauses: no one slot
    ("Fever, jaundice and right upper quadrant pain form Charcot's triad.", "Charcot's triad of cholangitis"),
])  # fmt: skip
def test_a_concept_named_elsewhere_than_the_references_is_no_substitution(
    reference: str, answer: str
) -> None:
    matcher = AnswerMatcher()
    assert matcher.compare(answer, matcher.analyze(reference)).guard is None


def test_words_that_name_unrelated_concepts_are_no_substitution() -> None:
    # "tendon" and "tear" each name a concept, but not alternatives of one kind.
    matcher = AnswerMatcher()
    analysed = matcher.analyze("A positive lift-off test indicates a tear of subscapularis.")
    assert matcher.compare("Subscapularis tendon", analysed).guard is None


@pytest.mark.parametrize(("reference", "finding", "other"), [
    ("Splenomegaly", "Splenic enlargement", "Hepatic enlargement"),
    ("Hepatomegaly", "Enlargement of the liver", "Enlargement of the spleen"),
    ("Mydriasis", "Pupillary dilation", "Pupillary constriction"),
    ("ST-segment depression", "Depressed ST segments", "Elevated ST segments"),
])  # fmt: skip
def test_a_finding_as_a_noun_names_the_concept_its_participle_names(
    reference: str, finding: str, other: str
) -> None:
    # The lexicon says "enlarged spleen" and "dilated pupils"; the noun says the same.
    matcher = AnswerMatcher()
    analysed = matcher.analyze(reference)
    assert matcher.compare(finding, analysed).verdict == "equivalent"
    assert matcher.compare(other, analysed).verdict == "mismatch"


@pytest.mark.parametrize(("reference", "organism", "other"), [
    ("Enterobiasis", "Pinworms", "Ascariasis"),
    ("Cytomegalovirus infection", "CMV", "EBV"),
    ("Giardiasis", "Giardia", "Cryptosporidium"),
])  # fmt: skip
def test_an_organism_answers_for_the_infection_it_causes(reference: str, organism: str, other: str) -> None:
    # The lexicon names the disease as the organism's infection ("pinworm infection" is
    # enterobiasis): the organism and its disease answer one question, another organism does not.
    matcher = AnswerMatcher()
    analysed = matcher.analyze(reference)
    assert matcher.compare(organism, analysed).verdict == "equivalent"
    assert matcher.compare(reference, matcher.analyze(organism)).verdict == "equivalent"
    assert matcher.compare(other, analysed).verdict == "mismatch"


@pytest.mark.parametrize(("reference", "less_specific", "affirming"), [
    ("Acalculous cholecystitis", "Cholecystitis", "Gallstone ileus"),
    ("Acalculous cholecystitis", "Cholecystitis", "Calculous cholecystitis"),
    ("Asymptomatic bacteriuria", "Bacteriuria", "Symptomatic bacteriuria"),
    ("Afebrile seizure", "Seizure", "Febrile seizure"),
])  # fmt: skip
def test_a_word_that_denies_a_noun_denies_that_noun_and_its_adjective_affirms_it(
    reference: str, less_specific: str, affirming: str
) -> None:
    # "acalculous" is "without gallstones": it denies the (plural) noun only, so the head it
    # qualifies is not denied, and "calculous" (gallstones) or "gallstone ..." affirms what it denies.
    matcher = AnswerMatcher()
    analysed = matcher.analyze(reference)
    assert matcher.compare(less_specific, analysed).verdict == "partial"
    match = matcher.compare(affirming, analysed)
    assert match.verdict == "mismatch" and match.similarity == 0.0
    assert match.guard is not None and match.guard.startswith("negation:")


@pytest.mark.parametrize(("reference", "withheld", "given"), [
    ("Thrombolysis should not be given.", "Withhold thrombolysis", "Give thrombolysis"),
    ("Metformin should be stopped.", "Do not give metformin", "Start metformin"),
    ("Do not give aspirin", "Discontinue aspirin", "Continue aspirin"),
    ("Metformin should be stopped.", "Hold metformin", "Continue metformin"),
])  # fmt: skip
def test_withholding_a_treatment_is_saying_not_to_give_it(reference: str, withheld: str, given: str) -> None:
    # "withhold", "stop" and "discontinue" (read as "stop") and a denial of giving ("give" is a
    # stop word) are one instruction; giving or starting it stays the floor.
    assert score(withheld, reference) == 3.0
    assert score(given, reference) == -0.5


@pytest.mark.parametrize(("reference", "agreeing", "contradicting"), [
    ("Undisplaced fracture", "Fracture not displaced", "Displaced fracture"),
    ("Irreducible inguinal hernia", "Inguinal hernia that is not reducible", "Reducible inguinal hernia"),
    ("The pupils are unreactive", "Pupils not reactive", "Reactive pupils"),
    ("Unconscious", "Not conscious", "Conscious"),
    # "unstable" against "stable" (once the qualifier family's pair) is a denial too
    ("Unstable angina", "Angina that is not stable", "Stable angina"),
])  # fmt: skip
def test_a_word_denied_by_its_prefix_is_read_as_that_word_denied(
    reference: str, agreeing: str, contradicting: str
) -> None:
    # "undisplaced" against "displaced" is "non displaced": the other answer's plain word
    # contradicts it (it once matched it as a derivation: 2.0), and its denial agrees with it.
    assert score(agreeing, reference) > 0  # type: ignore[operator]
    assert score(contradicting, reference) == -0.5
    assert score(reference, contradicting) == -0.5


def test_a_state_in_ness_has_the_polarity_of_its_adjective() -> None:
    assert score("Abdominal tenderness", "Non-tender abdomen") == -0.5
    assert score("Neck is not stiff", "Neck stiffness") == -0.5


def test_a_denied_answer_is_no_kind_of_what_it_denies() -> None:
    # its terms less one word once named the genus of a denied answer: "blood pressure (not) low"
    assert score("Blood pressure is not low", "Hypotension") == -0.5
    assert score("Low blood pressure", "Hypotension") == 3.0


def test_a_denial_is_no_genus_cut_short() -> None:
    # "not weak" once read as a genus and a species cut short, "weak" completed to the reference's
    # "weakness" outside the denial's scope: the opposite claim scored 2.0
    assert score("Left arm not weak", "Weakness of the left arm") < 0  # type: ignore[operator]


def test_a_denial_after_its_subject_leaves_the_subject_unaffirmed() -> None:
    # "not detected" denies the antibodies before it: the answer affirms nothing the reference
    # denies, so no guard fires (the order of words does not say which side a cue denies).
    matcher = AnswerMatcher()
    match = matcher.compare("HIV antibodies not detected", matcher.analyze("HIV negative"))
    assert match.guard is None


@pytest.mark.parametrize(("reference", "answer"), [
    ("Gram-negative sepsis", "Sepsis"),
    ("Culture-negative endocarditis", "Endocarditis"),
    ("ANCA-negative vasculitis", "Vasculitis"),
])  # fmt: skip
def test_a_postposed_cue_denies_what_comes_before_it(reference: str, answer: str) -> None:
    # "culture-negative endocarditis" denies a culture finding, not endocarditis: the less
    # specific answer is related, not contradicted.
    matcher = AnswerMatcher()
    match = matcher.compare(answer, matcher.analyze(reference))
    assert match.verdict == "partial" and match.guard is None


@pytest.mark.parametrize(("reference", "answer"), [
    ("Upper GI bleed", "Upper gastrointestinal bleeding"),
    ("Upper gastrointestinal bleeding", "Upper GI bleed"),
    # an agent noun in "-er" and the verb's other forms
    ("Non-lactose fermenter", "Lactose non-fermenting"),
    # a state in "-ness" and its adjective
    ("Non-tender abdomen", "No abdominal tenderness"),
])  # fmt: skip
def test_a_word_and_its_derivation_are_one_term(reference: str, answer: str) -> None:
    matcher = AnswerMatcher()
    assert matcher.compare(answer, matcher.analyze(reference)).verdict != "mismatch"


@pytest.mark.parametrize(("reference", "same_side", "other_side"), [
    ("Trachea deviated away from the affected side", "Tracheal deviation to the contralateral side",
     "Ipsilateral tracheal deviation"),
    ("The patient falls towards the side of the lesion", "Falls to the ipsilateral side",
     "Falls to the contralateral side"),
])  # fmt: skip
def test_a_side_named_by_the_lesion_is_ipsilateral_or_contralateral(
    reference: str, same_side: str, other_side: str
) -> None:
    # "away from the affected side" is the contralateral side, "towards the lesion" the ipsilateral one
    matcher = AnswerMatcher()
    analysed = matcher.analyze(reference)
    assert matcher.compare(same_side, analysed).verdict != "mismatch"
    match = matcher.compare(other_side, analysed)
    assert match.verdict == "mismatch" and match.guard is not None and match.guard.startswith("qualifier:")


def test_a_qualifier_the_reference_denies_is_not_one_it_says() -> None:
    # "not raised" says no "raised": "normal" is what it means, not another member of the family
    matcher = AnswerMatcher()
    analysed = matcher.analyze("Troponin is not raised in stable angina.")
    match = matcher.compare("Troponin is normal in stable angina", analysed)
    assert match.guard is None and match.verdict == "partial"


@pytest.mark.parametrize(("reference", "sibling"), [
    ("Right middle cerebral artery ischaemic stroke", "Right anterior cerebral artery stroke"),
    ("Right middle lobe pneumonia", "Right lower lobe pneumonia"),
    ("Trachea deviated away from the affected side", "Trachea deviated towards the affected side"),
])  # fmt: skip
def test_a_middle_position_or_a_direction_is_a_qualifier(reference: str, sibling: str) -> None:
    # "middle" is one of three positions (anterior / middle / posterior, upper / middle / lower),
    # "toward" and "away" two directions: another member says something else.
    matcher = AnswerMatcher()
    match = matcher.compare(sibling, matcher.analyze(reference))
    assert match.verdict == "mismatch" and match.guard is not None and match.guard.startswith("qualifier:")


@pytest.mark.parametrize(("reference", "sibling", "same"), [
    ("Viral pericarditis", "Bacterial pericarditis", "Acute viral pericarditis"),
    ("Wet macular degeneration", "Dry macular degeneration", "Wet age-related macular degeneration"),
    ("Latent tuberculosis", "Active tuberculosis", "Latent tuberculosis infection"),
    ("Abduction of the shoulder", "Adduction of the shoulder", "Shoulder abduction"),
    ("External rotation", "Internal rotation", "External rotation of the hip"),
    ("Autosomal dominant inheritance", "Autosomal recessive inheritance", "Autosomal dominant"),
    ("Early decelerations", "Variable decelerations", "Early decelerations on the CTG"),
    ("Prerenal acute kidney injury", "Intrinsic renal acute kidney injury", "Prerenal AKI"),
    # "arterial" and "venous" are read as their nouns, and the family is of the nouns
    ("Arterial bleeding from the wound", "Venous bleeding from the wound",
     "Bleeding from an artery in the wound"),
    ("Superior mesenteric artery", "Superior mesenteric vein", "The superior mesenteric artery"),
    # a segment raised or lowered ("elevated" is read as "increased", "depressed" as "depression")
    ("ST-segment depression", "Elevated ST segments", "Depressed ST segments"),
    ("ST elevation", "Depressed ST segments", "ST-segment elevation"),
    # a level normal, raised or lowered
    ("Raised anion gap metabolic acidosis", "Normal anion gap metabolic acidosis",
     "High anion gap metabolic acidosis"),
    ("Hypoalbuminaemia", "Normal serum albumin", "Low serum albumin"),
    # the percussion note; "hyperresonant" is "increased resonant", as "increased resonance" is
    ("Hyperresonant percussion note", "Dull percussion note", "Increased resonance to percussion"),
    # the angle of glaucoma, the halves of the visual fields
    ("Open-angle glaucoma", "Acute angle-closure glaucoma", "Primary open-angle glaucoma"),
    ("Left homonymous hemianopia", "Bitemporal hemianopia", "Homonymous hemianopia"),
    # a limb bowed out or in: the lexicon places "genu valgum" under "genu varum"
    ("Genu varum", "Genu valgum", "Bilateral genu varum"),
    ("Cubitus valgus", "Cubitus varus", "Cubitus valgus deformity"),
    # a bacterium's shape: a rod is no coccus, a diplococcus is one
    ("Gram-negative cocci", "Gram-negative bacilli", "Gram-negative coccus"),
    ("Gram-negative diplococcus", "Gram-negative rods", "Gram-negative diplococci"),
])  # fmt: skip
def test_another_member_of_a_qualifier_family_says_something_else(
    reference: str, sibling: str, same: str
) -> None:
    # The kind of organism, the course, the inheritance, a joint's movement: one member of a family
    # of whole-word qualifiers against another is another answer, however close the spelling
    # ("adduction" is one letter from "abduction"); the same member with more words still agrees.
    matcher = AnswerMatcher()
    analysed = matcher.analyze(reference)
    match = matcher.compare(sibling, analysed)
    assert match.verdict == "mismatch" and match.guard is not None and match.guard.startswith("qualifier:")
    assert matcher.compare(same, analysed).verdict != "mismatch"


@pytest.mark.parametrize(("reference", "branch", "kind"), [
    ("Tibial nerve", "Sural nerve", "Posterior tibial nerve"),
    ("Internal carotid artery", "Ophthalmic artery", "Internal carotid artery aneurysm"),
    ("Tibial arteries", "Anterior tibial artery", None),
])  # fmt: skip
def test_a_branch_of_a_nerve_or_vessel_is_another_structure(
    reference: str, branch: str, kind: str | None
) -> None:
    # MeSH's anatomy is a partonomy: it files the sural nerve below the tibial nerve, of which it is
    # a branch, another nerve with a name of its own, not a more specific name of the trunk. A name
    # that keeps the trunk's words ("Anterior tibial artery" below "Tibial arteries") is a kind of it.
    matcher = AnswerMatcher()
    analysed = matcher.analyze(reference)
    match = matcher.compare(branch, analysed)
    if kind is None:
        assert match.verdict == "partial"
        return
    assert match.verdict == "mismatch"
    assert matcher.compare(reference, matcher.analyze(branch)).verdict == "mismatch"
    assert matcher.compare(kind, analysed).verdict == "partial"


@pytest.mark.parametrize(("reference", "sibling"), [
    ("Genu varum", "Genu valgum"),
    ("Hordeolum", "Chalazion"),
    ("Urticaria", "Angioedema"),
    ("Testicular torsion", "Torsion of the appendix testis"),
])  # fmt: skip
def test_a_vocabulary_that_places_two_answers_side_by_side_outweighs_another_that_nests_them(
    reference: str, sibling: str
) -> None:
    # One vocabulary files the one below the other (MONDO's chalazion under hordeolum); another
    # places them side by side, a parent in common (WordNet's eyelid disorders): two alternatives,
    # not a more specific answer. A nesting no vocabulary contradicts still counts.
    matcher = AnswerMatcher()
    assert matcher.compare(sibling, matcher.analyze(reference)).verdict == "mismatch"
    assert matcher.compare(reference, matcher.analyze(sibling)).verdict == "mismatch"
    assert matcher.compare("Acute pancreatitis", matcher.analyze("Pancreatitis")).verdict == "partial"


@pytest.mark.parametrize(("reference", "abbreviated", "expected"), [
    ("Streptococcus pyogenes", "S. pyogenes", 3.0),
    ("Cryptococcus neoformans", "C. neoformans", 3.0),
    # MeSH's Shiga-toxigenic E. coli, above enterohaemorrhagic E. coli: a less specific answer
    ("Enterohemorrhagic Escherichia coli", "Shiga toxin-producing E. coli", 1.0),
])  # fmt: skip
def test_a_genus_written_as_its_initial_is_the_other_answers_genus(
    reference: str, abbreviated: str, expected: float
) -> None:
    # As an acronym is read in the other answer's words, "S." beside "Streptococcus pyogenes" is
    # Streptococcus; another epithet is still another species.
    assert score(abbreviated, reference) == pytest.approx(expected)
    assert score("S. agalactiae", "Streptococcus pyogenes") < 0


@pytest.mark.parametrize(("reference", "acronym"), [
    ("The test to confirm vesicoureteric reflux is a micturating cystourethrogram.", "MCUG"),
    ("The definitive treatment is primary percutaneous coronary intervention.", "PPCI"),
])  # fmt: skip
def test_an_acronym_spells_the_part_of_a_sentence_that_answers(reference: str, acronym: str) -> None:
    # The sentence's frame ("The test to confirm ... is a") is not what the acronym must also say.
    assert score(acronym, reference) == 3.0


@pytest.mark.parametrize(("reference", "sibling", "paraphrase"), [
    ("Legg-Calvé-Perthes disease", "Osgood-Schlatter disease",
     "idiopathic avascular necrosis of the femoral head in childhood"),
    ("Atrioventricular node", "SA node", "node of Tawara"),
])  # fmt: skip
def test_a_concept_placed_beside_the_references_is_no_near_miss(
    reference: str, sibling: str, paraphrase: str
) -> None:
    # Two osteochondroses of two vocabularies (HPO's and MONDO's ids, so no different-concepts
    # guard): the word they share ("disease", "node") is no evidence for the sibling, which ranks
    # as a wrong named concept, below a paraphrase nothing reads or one that shares a word.
    matcher = AnswerMatcher()
    analysed = matcher.analyze(reference)
    match = matcher.compare(sibling, analysed)
    assert match.verdict == "mismatch" and match.strength == matcher.named_concept_strength
    assert score(sibling, reference) < score(paraphrase, reference)  # type: ignore[operator]


def test_an_abbreviation_wrong_in_every_sense_ranks_as_a_wrong_named_concept() -> None:
    # "CVS" is cyclic vomiting syndrome, the cardiovascular system or chorionic villus sampling:
    # none of them amniocentesis, so it ranks with a wrong named concept, below a paraphrase that
    # nothing reads; an abbreviation with a sense the lexicon does not place keeps the unread sliver.
    matcher = AnswerMatcher()
    analysed = matcher.analyze("Amniocentesis")
    assert matcher.compare("CVS", analysed).strength == matcher.named_concept_strength
    assert score("CVS", "Amniocentesis") < score("amniotic fluid sampling", "Amniocentesis")  # type: ignore[operator]
    # CMV's other sense (continuous mandatory ventilation) names no concept: nothing is read
    assert matcher.compare("CMV", matcher.analyze("Epstein-Barr virus")).strength == matcher.unread_strength


def test_an_acronym_spells_the_other_answers_words_in_their_same_meaning_form() -> None:
    # "micturating" is read "voiding" (SAME_MEANING): "VCUG" spells "micturating cystourethrogram".
    assert score("VCUG", "Micturating cystourethrogram") == 3.0
    assert (
        score("VCUG", "The test to confirm vesicoureteric reflux is a micturating cystourethrogram.") == 3.0
    )


@pytest.mark.parametrize(("reference", "latin"), [
    ("Thoracic duct", "ductus thoracicus"),
    ("Musculocutaneous nerve", "N. musculocutaneus"),
    ("Femoral artery", "arteria femoralis"),
])  # fmt: skip
def test_a_latin_anatomical_name_is_its_english_name(reference: str, latin: str) -> None:
    # A Latin noun and the adjective after it, in English words and order; another structure's
    # Latin name is still another structure.
    assert score(latin, reference) == 3.0
    assert score("nervus femoralis", "Musculocutaneous nerve") == -0.5


@pytest.mark.parametrize(("reference", "other", "paraphrase"), [
    ("Battle sign", "Cullen sign", "Mastoid ecchymosis"),
    ("Murphy's sign is positive, suggesting acute cholecystitis.", "Rovsing sign",
     "Inspiratory arrest on palpation of the right upper quadrant"),
    ("Beck's triad", "Virchow triad", None),
    ("Rectouterine pouch", "Morison's pouch", "Posterior cul-de-sac"),
    ("Femoral canal", "Adductor canal", None),
])  # fmt: skip
def test_another_eponym_before_the_same_head_is_another_finding(
    reference: str, other: str, paraphrase: str | None
) -> None:
    # The shared "sign" or "triad" is no evidence: the other eponym ranks as a wrong named concept,
    # below a paraphrase that nothing reads.
    matcher = AnswerMatcher()
    assert matcher.compare(other, matcher.analyze(reference)).strength == matcher.named_concept_strength
    if paraphrase is not None:
        assert score(other, reference) < score(paraphrase, reference)  # type: ignore[operator]
    # The same eponym with more words still shares more than the head.
    assert score("Battle's sign", "Battle sign") == 3.0
