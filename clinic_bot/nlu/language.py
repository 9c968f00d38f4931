"""The patient's language: each message's, and the conversation's (English or Spanish).

A linear classifier (clinic_bot/nlu/linear_text.py) over the folded message, its character 2-5 grams and words,
trained on the training examples themselves: each Spanish block of data/nlu says `language: es` in its metadata
(the `*_es.yml` files), every other example is English. Trained in seconds, it travels inside the model.

A message decides the conversation's language only when it says enough: at least `min_words` words and a
probability of Spanish at least `sure` or at most 1 - `sure`. "ok", "gracias", "medicaid?" alone never switch a
conversation: they keep the language it has (the slot `language`, which Rasa hands over with the conversation).
The first message of a conversation needs no second word: a sure one-word "hola" starts it in Spanish. A button's
payload ("/greet") has no words of its own: the widget's choice (the webhook's `language`, carried in the message's
metadata by clinic_bot/server/channel.py) decides it, and also starts a conversation that has said nothing sure.

The decision is set on the message (`language`: the conversation's; the message's own language when the detector is
sure of it, whatever its length, which the urgent message uses; and P(Spanish)) and,
when it changes the conversation's language, as an entity `language` that fills the slot (domain.yml). It runs
last in the pipeline, after the triage, so no other component sees that entity.
"""
from typing import Any, Dict, List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, METADATA, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_bot.languages import ENGLISH, LANGUAGE_SLOT, LANGUAGES, SPANISH
from clinic_bot.nlu.linear_component import LinearTextComponent
from clinic_bot.nlu.linear_text import Block
from clinic_bot.nlu.triage.text import fold

STEM = "language"
FOLDED = "folded"
BLOCKS = (Block("words", FOLDED, "word"), Block("characters", FOLDED, "char_wb"))
LANGUAGE = "language"  # the parsed message's entry: {"conversation", "message", "p_spanish"}
WIDGET_CHOICE = "language"  # the key of the message's metadata the webhook fills from the widget's choice


def example_language(message: Message) -> str:
    """A training example's language: its block's metadata, English when it says none."""
    intent_metadata = ((message.get(METADATA) or {}).get(METADATA_INTENT)) or {}
    language = intent_metadata.get(LANGUAGE) if isinstance(intent_metadata, dict) else None
    return str(language) if language in LANGUAGES else ENGLISH


def words_in(text: str) -> int:
    return len(fold(text).split())


def sure_reading(p_spanish: float, sure: float) -> Optional[str]:
    """The message's own language when the detector is sure of it, else None."""
    return SPANISH if p_spanish >= sure else ENGLISH if p_spanish <= 1.0 - sure else None


def decide(p_spanish: float, words: int, previous: Optional[str], chosen: Optional[str], payload: bool,
           sure: float, min_words: int) -> str:
    """The conversation's language after this message (see the module's docstring)."""
    if payload:
        return chosen or previous or ENGLISH
    reading = sure_reading(p_spanish, sure)
    if reading is not None and (words >= min_words or previous is None):
        return reading
    return previous or chosen or ENGLISH


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class LanguageDetector(LinearTextComponent):
    stem = STEM

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "sure": 0.7,  # P(language) a message needs to decide it (tests/nlu/dev_es.yml and the English dev sets)
            "min_words": 2,  # fewer words never switch a conversation's language
            "c": 16.0,  # the logistic regression's inverse regularisation
            # English examples outnumber the Spanish ones four to one: unweighted, a short Spanish message ("grax",
            # "telefono?") leaned English.
            "class_weight": "balanced",
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return repr((BLOCKS, LANGUAGES))

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        labels = [example_language(m) for m in examples]
        if set(labels) != set(LANGUAGES):
            raise ValueError(f"LanguageDetector needs examples in each of {', '.join(LANGUAGES)}; the Spanish blocks "
                             "of data/nlu say `language: es` in their metadata")
        return self.fit([{FOLDED: fold(m.get(TEXT))} for m in examples], labels, BLOCKS)

    def p_spanish(self, texts: List[str]) -> List[float]:
        return [p[SPANISH] for p in self.probabilities([{FOLDED: fold(text)} for text in texts])]

    def process(self, messages: List[Message], tracker: Optional[DialogueStateTracker] = None) -> List[Message]:
        previous = tracker.get_slot(LANGUAGE_SLOT) if tracker is not None else None
        previous = previous if previous in LANGUAGES else None
        texts = [message.get(TEXT) or "" for message in messages]
        for message, text, p in zip(messages, texts, self.p_spanish(texts)):
            chosen = (message.get(METADATA) or {}).get(WIDGET_CHOICE)
            payload = text.startswith("/")
            language = decide(p, words_in(text), previous, chosen if chosen in LANGUAGES else None, payload,
                              float(self._config["sure"]), int(self._config["min_words"]))
            own = None if payload else sure_reading(p, float(self._config["sure"]))
            message.set(LANGUAGE, {"conversation": language, "message": own,
                                   "p_spanish": None if payload else round(p, 4)}, add_to_output=True)
            if language != previous:
                entity = {"entity": LANGUAGE_SLOT, "value": language, "start": 0, "end": len(text),
                          "extractor": self.__class__.__name__}
                message.set(ENTITIES, [*(message.get(ENTITIES) or []), entity], add_to_output=True)
        return messages
