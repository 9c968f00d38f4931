"""The project's spaCy pipeline: lemmas and the canonical entities patients' words map to."""
import pytest

CASES = [
    ("is an epidural safe", "procedure", "epidural_steroid_injection"),
    ("they want to give me a steroid shot in my back", "procedure", "epidural_steroid_injection"),
    ("what is RFA?", "procedure", "radiofrequency_ablation"),
    ("does the nerve burning hurt", "procedure", "radiofrequency_ablation"),
    ("how long does a spinal cord stimulator last", "procedure", "spinal_cord_stimulation"),
    ("my dr mentioned a stimulator", "procedure", "spinal_cord_stimulation"),
    ("side effects of a nerve block", "procedure", "nerve_block"),
    ("facet injections for arthritis", "procedure", "facet_joint_injection"),
    ("what's a pain pump", "procedure", "intrathecal_pump"),
    ("kyphoplasty recovery", "procedure", "vertebroplasty_kyphoplasty"),
    ("can you help my sciatica", "condition", "sciatica"),
    ("I have a herniated disk", "condition", "herniated_disc"),
    ("lower back pain for years", "condition", "back_pain"),
    ("migraines every week", "condition", "migraine"),
]


@pytest.mark.parametrize("text,label,value", CASES)
def test_patient_words_map_to_canonical_values(nlp, text, label, value):
    assert (label, value) in [(e.label_, e.ent_id_) for e in nlp(text).ents]


def test_no_entity_in_a_plain_question(nlp):
    assert list(nlp("how much does it cost and will insurance pay").ents) == []


def test_lookup_lemmas(nlp):
    assert [t.lemma_ for t in nlp("injections hurting legs")] == ["injection", "hurt", "leg"]
