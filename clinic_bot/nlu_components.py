"""Custom Rasa NLU components: canonical entities from the spaCy entity ruler, and the red-flag override."""
from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_bot.safety import RedFlagMatcher

SPACY_DOC = "text_spacy_doc"  # where SpacyNLP leaves the parsed text on a message
EMERGENCY_INTENT = "emergency"
FALLBACK_INTENT = "nlu_fallback"
ENTITY_LABELS = ("procedure", "condition")


class _RuleBasedSpacyComponent(GraphComponent):
    """Shared by the rule-based components: they read the SpacyNLP model and learn nothing in training."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP]

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> GraphComponent:
        return cls()

    def process_training_data(self, training_data: TrainingData, model: SpacyModel) -> TrainingData:
        return training_data


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False, model_from="SpacyNLP"
)
class CanonicalEntityExtractor(_RuleBasedSpacyComponent):
    """Turns the entity ruler's matches into entities whose value is the canonical id
    ("RFA" -> procedure=radiofrequency_ablation). Rasa's SpacyEntityExtractor would keep the raw text."""

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            doc = message.get(SPACY_DOC) or model.model(message.get(TEXT) or "")
            found = [
                {
                    "entity": ent.label_,
                    "value": ent.ent_id_ or ent.text.lower(),
                    "start": ent.start_char,
                    "end": ent.end_char,
                    "confidence": 1.0,
                    "extractor": self.__class__.__name__,
                }
                for ent in doc.ents
                if ent.label_ in ENTITY_LABELS
            ]
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False, model_from="SpacyNLP"
)
class RedFlagOverride(_RuleBasedSpacyComponent):
    """Forces the ``emergency`` intent when a red-flag phrase matches, whatever the classifier said.
    Runs last, after the FallbackClassifier, so neither low confidence nor ambiguity can undo it."""

    def __init__(self) -> None:
        self._matcher: Optional[RedFlagMatcher] = None

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        if self._matcher is None:
            self._matcher = RedFlagMatcher.from_file(model.model)
        for message in messages:
            flag = self._matcher.find(message.get(TEXT) or "")
            if flag is None:
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or []
                       if r.get("name") not in (EMERGENCY_INTENT, FALLBACK_INTENT)]
            forced = {"name": EMERGENCY_INTENT, "confidence": 1.0}
            message.set(INTENT, forced, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [forced] + ranking, add_to_output=True)
            message.set("red_flag", flag.category, add_to_output=True)
        return messages
