"""The language detector (clinic_bot/nlu/language.py): what decides a conversation's language, and the component
trained and run through Rasa's own objects, with the slot as Rasa hands it over."""
from typing import Dict, List, Optional

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_bot.languages import ENGLISH, LANGUAGE_SLOT, SPANISH
from clinic_bot.nlu.language import LANGUAGE, LanguageDetector, decide, example_language

SURE, MIN_WORDS = 0.7, 2


@pytest.mark.parametrize("p, words, previous, chosen, payload, expected", [
    (0.95, 6, ENGLISH, None, False, SPANISH),  # a Spanish sentence switches an English conversation
    (0.05, 6, SPANISH, None, False, ENGLISH),  # and an English one back
    (0.95, 1, ENGLISH, None, False, ENGLISH),  # "gracias" alone does not switch it
    (0.05, 1, SPANISH, None, False, SPANISH),  # nor does "ok"
    (0.55, 6, SPANISH, None, False, SPANISH),  # unsure: the conversation keeps its language
    (0.95, 1, None, None, False, SPANISH),  # a sure "hola" starts a conversation in Spanish
    (0.55, 1, None, SPANISH, False, SPANISH),  # an unsure first message: the widget's choice
    (0.55, 1, None, None, False, ENGLISH),  # nothing sure, no choice: English
    (0.05, 3, None, SPANISH, False, ENGLISH),  # a sure English first message beats the page's language
    (0.50, 1, ENGLISH, SPANISH, True, SPANISH),  # a button's payload: the widget's choice (its language switch)
    (0.50, 1, SPANISH, None, True, SPANISH),  # a button without a choice keeps the conversation's
])
def test_what_decides_the_conversations_language(p, words, previous, chosen, payload, expected):
    assert decide(p, words, previous, chosen, payload, SURE, MIN_WORDS) == expected


def example(text: str, language: Optional[str]) -> Message:
    metadata = {"language": language} if language else None
    return Message.build(text=text, intent="anything", intent_metadata=metadata)


def test_an_examples_language_is_its_blocks_metadata_else_english():
    assert [example_language(example("hola", SPANISH)), example_language(example("hi", None)),
            example_language(example("hi", "fr"))] == [SPANISH, ENGLISH, ENGLISH]


ENGLISH_EXAMPLES = ["what are your hours", "is there parking", "how much does an epidural cost", "thank you so much",
                    "do you take medicare", "where is the clinic", "i need a refill", "can i talk to a person",
                    "what is a nerve block", "is the procedure safe", "how long is recovery", "hello there"]
SPANISH_EXAMPLES = ["cual es su horario", "hay estacionamiento", "cuanto cuesta la inyeccion epidural",
                    "muchas gracias", "aceptan medicare", "donde queda la clinica", "necesito un refill de mi receta",
                    "quiero hablar con una persona", "que es un bloqueo de nervio", "es seguro el procedimiento",
                    "cuanto tarda la recuperacion", "hola buenas tardes"]


@pytest.fixture(scope="module")
def detector(tmp_path_factory) -> LanguageDetector:
    component = LanguageDetector.create({}, LocalModelStorage(tmp_path_factory.mktemp("model")),
                                        Resource("language"), ExecutionContext(GraphSchema({}), "test"))
    component.train(TrainingData([example(t, None) for t in ENGLISH_EXAMPLES]
                                 + [example(t, SPANISH) for t in SPANISH_EXAMPLES]))
    return component


class Conversation:
    """What the component reads of a tracker: the slot."""

    def __init__(self, language: Optional[str]) -> None:
        self.slots: Dict[str, Optional[str]] = {LANGUAGE_SLOT: language}

    def get_slot(self, name: str) -> Optional[str]:
        return self.slots.get(name)


def parsed(detector: LanguageDetector, text: str, slot: Optional[str], chosen: Optional[str] = None) -> Message:
    message = Message(data={TEXT: text, METADATA: {"language": chosen} if chosen else {}})
    return detector.process([message], Conversation(slot))[0]  # type: ignore[arg-type]


def language_entities(message: Message) -> List[str]:
    return [e["value"] for e in message.get(ENTITIES) or [] if e["entity"] == LANGUAGE_SLOT]


def test_a_spanish_sentence_switches_the_conversation_and_fills_the_slot(detector):
    message = parsed(detector, "cuanto cuesta una inyeccion para el dolor de espalda", ENGLISH)
    assert message.get(LANGUAGE)["conversation"] == SPANISH and message.get(LANGUAGE)["p_spanish"] > 0.5
    assert message.get(LANGUAGE)["message"] == SPANISH
    assert language_entities(message) == [SPANISH]


def test_a_message_that_keeps_the_language_sets_no_entity(detector):
    message = parsed(detector, "what are your hours on saturday", ENGLISH)
    assert message.get(LANGUAGE)["conversation"] == ENGLISH and language_entities(message) == []


def test_the_widgets_choice_decides_a_button(detector):
    message = parsed(detector, "/greet", ENGLISH, chosen=SPANISH)
    assert message.get(LANGUAGE) == {"conversation": SPANISH, "message": None, "p_spanish": None}
    assert language_entities(message) == [SPANISH]


def test_an_unknown_choice_or_slot_value_is_ignored(detector):
    message = parsed(detector, "/greet", "fr", chosen="de")
    assert message.get(LANGUAGE)["conversation"] == ENGLISH and language_entities(message) == [ENGLISH]


def test_training_without_spanish_examples_is_refused_clearly(tmp_path):
    component = LanguageDetector.create({}, LocalModelStorage(tmp_path), Resource("language"),
                                        ExecutionContext(GraphSchema({}), "test"))
    with pytest.raises(ValueError, match="language: es"):
        component.train(TrainingData([example(t, None) for t in ENGLISH_EXAMPLES]))


def test_the_trained_detector_is_stored_and_loaded(detector, tmp_path):
    storage = detector._storage
    loaded = LanguageDetector.load({}, storage, detector._resource, ExecutionContext(GraphSchema({}), "test"))
    texts = ["hola como esta", "hi how are you"]
    assert loaded.p_spanish(texts) == pytest.approx(detector.p_spanish(texts))
