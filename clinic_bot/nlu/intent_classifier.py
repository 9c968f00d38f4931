"""The intent classifier: a linear model over the masked view of the message (clinic_bot/nlu/linear_text.py).

- words (1-2 grams) of the *masked* view: spaCy's lemmas, with every procedure or condition the entity ruler
  finds replaced by one token (``entityprocedure``, ``entitycondition``). "explain kyphoplasty", "explain
  the pain pump" and "explain rfa" then share the features that say what is asked, whichever procedure is
  named, and the answer is tailored by the entity (actions/answer_faq.py). This is where it beats a plain
  TF-IDF model on messages nobody on the team wrote (bench/tuning.md).
- characters (2-5 grams within words) of the masked view too: typos and word endings of the other words. On
  the raw text, the letters of a rare abbreviation ("walk me through fji") pulled it out of scope; masked,
  cross-validation gained 0.4 points and the development set stayed the same (bench/tuning.md).

It needs SpacyNLP (and the entity ruler of the project's spaCy pipeline) before it in config.yml. The DIET +
linear ensemble that `make bench` compares with it (not adopted: bench/tuning.md) is a subclass in
bench/ensemble.py.
"""
from typing import Any, Dict, List, Optional, Type

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_bot.nlu.entities import ENTITY_LABELS, SPACY_DOC
from clinic_bot.nlu.linear_component import LinearTextComponent
from clinic_bot.nlu.linear_text import Block

STEM = "intents"
MASKED = "masked"
BLOCKS = (Block("words", MASKED, "word"), Block("characters", MASKED, "char_wb"))


def mask_token(label: str) -> str:
    """One word for any named procedure or condition (no underscore: the word tokens are [a-z0-9]+)."""
    return f"entity{label}"


def views(message: Message) -> Dict[str, str]:
    """The masked view of a message, from the spaCy doc SpacyNLP left on it."""
    doc = message.get(SPACY_DOC)
    if doc is None:
        raise RuntimeError("ClinicIntentClassifier needs SpacyNLP before it in config.yml's pipeline")
    named = {ent.start: ent for ent in doc.ents if ent.label_ in ENTITY_LABELS}
    words: List[str] = []
    i = 0
    while i < len(doc):
        if i in named:
            words.append(mask_token(named[i].label_))
            i = named[i].end
        else:
            words.append((doc[i].lemma_ or doc[i].text).lower())
            i += 1
    return {MASKED: " ".join(words)}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class ClinicIntentClassifier(LinearTextComponent):
    stem = STEM

    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "c": 30.0,  # the logistic regression's inverse regularisation (bench/tuning.md)
            "class_weight": None,  # or "balanced"
            "ranking_length": 10,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The feature blocks and the view are code, not config: a change to them must retrain, not reuse
        Rasa's cached component."""
        return repr((BLOCKS, mask_token("x"), ENTITY_LABELS))

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        if len({m.get(INTENT) for m in examples}) < 3:
            raise ValueError("ClinicIntentClassifier needs examples of at least three intents in data/nlu")
        return self.fit([views(m) for m in examples], [m.get(INTENT) for m in examples], BLOCKS)

    def process(self, messages: List[Message]) -> List[Message]:
        for message, probabilities in zip(messages, self.intent_probabilities(messages)):
            self.set_ranking(message, probabilities)
        return messages

    def intent_probabilities(self, messages: List[Message]) -> List[Dict[str, float]]:
        """Per message, every intent's probability."""
        return self.probabilities([views(m) for m in messages])

    def set_ranking(self, message: Message, probabilities: Dict[str, float]) -> None:
        """The message's intent and ranking (best first, `ranking_length` of them) from these probabilities."""
        ranking = [{"name": name, "confidence": p} for name, p in sorted(probabilities.items(), key=lambda kv: -kv[1])]
        message.set(INTENT, ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking[:int(self._config["ranking_length"])], add_to_output=True)
