"""Spanish-speaking patients through the real servers (REST webhook -> Rasa -> action server -> knowledge): every
reply in Spanish, the curated answers with the English answer's sources, the conversation's language kept by short
replies and switched by a sentence in the other language, and the widget's choice for its buttons. Asserts markers
and texts read from the knowledge files, never copied prose."""
from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.languages import ENGLISH, SPANISH
from tests.e2e.conftest import Patient, answers, replies


def languages(messages):
    return [m["custom"].get("language") for m in messages]


def test_a_spanish_faq_question_gets_the_spanish_answer_with_the_english_sources(patient: Patient):
    messages = patient.say("oiga, la aseguranza cubre el manejo intervencionista del dolor?")
    assert answers(messages) == ["ask_insurance"]
    # The session's disclaimer comes before the message is read, in the widget's language (the last test); the
    # switch to Spanish brings it again in Spanish, before the answer and "Was this helpful?".
    assert [(m["custom"]["answer"], m["custom"]["language"]) for m in messages[:2]] == [
        ("disclaimer", ENGLISH), ("disclaimer", SPANISH)]
    assert set(languages(messages[1:])) == {SPANISH}
    answer = replies(messages)[-1]
    knowledge = default_knowledge()
    assert answer["text"] == knowledge.faq("ask_insurance", {}, language=SPANISH).text
    assert answer["custom"]["sources"] == knowledge.faq("ask_insurance", {}).marker["sources"]
    assert answer["text"] != knowledge.faq("ask_insurance", {}).text


def test_a_procedure_named_in_spanish_gets_its_variant(patient: Patient):
    answer = replies(patient.say("que tan seguro es el bloqueo de nervio?"))[-1]
    assert answer["custom"]["answer"] == "ask_safety" and answer["custom"]["language"] == SPANISH
    assert answer["custom"]["about"] == "procedure:nerve_block"


def test_a_practical_question_in_spanish(patient: Patient):
    messages = patient.say("a que hora abren los sabados?")
    assert answers(messages) == ["ask_hours"]
    answer = replies(messages)[-1]
    assert answer["custom"]["language"] == SPANISH
    assert answer["text"] == default_knowledge().practical("ask_hours", language=SPANISH).text


def test_a_short_reply_keeps_the_language_and_a_sentence_switches_it(patient: Patient):
    assert set(languages(patient.say("cuanto cuesta una inyeccion epidural sin seguro?")[1:])) == {SPANISH}
    assert languages(patient.say("ok")) == [SPANISH]  # one word never switches the conversation
    switched = patient.say("do you take medicare advantage plans?")
    assert answers(switched) == ["ask_insurance_plans"] and set(languages(switched)) == {ENGLISH}
    assert set(languages(patient.say("gracias"))) == {ENGLISH}


def test_a_personal_question_is_refused_in_spanish(patient: Patient):
    messages = patient.say("tomo eliquis, lo dejo de tomar antes de mi inyeccion del jueves?")
    assert answers(messages)[0] == "ask_personal_advice"
    assert set(languages(replies(messages))) == {SPANISH}


def test_an_emergency_in_spanish_gets_the_spanish_urgent_message(patient: Patient):
    messages = patient.say("me duele mucho el pecho y no puedo respirar bien")
    assert answers(messages) == ["emergency"]
    urgent = replies(messages)[0]
    assert urgent["custom"]["language"] == SPANISH
    assert "911" in urgent["text"]


def test_the_widgets_choice_greets_in_spanish_from_the_first_message(servers):
    patient = Patient(servers.webhook_url)
    messages = patient.say("/greet", language=SPANISH)
    assert [m["custom"]["answer"] for m in messages] == ["disclaimer", "greet"]
    assert languages(messages) == [SPANISH, SPANISH]
    knowledge = default_knowledge()
    assert [m["text"] for m in messages] == [knowledge.message("disclaimer", language=SPANISH).text,
                                            knowledge.message("greet", language=SPANISH).text]
    # The switch in the widget: English from here on (the disclaimer again, in English), until the patient writes a
    # Spanish sentence.
    switched = patient.say("/greet", language=ENGLISH)
    assert [m["custom"]["answer"] for m in switched] == ["disclaimer", "greet"]
    assert languages(switched) == [ENGLISH, ENGLISH]
    assert set(languages(patient.say("y aceptan pacientes nuevos sin referido?"))) == {SPANISH}
