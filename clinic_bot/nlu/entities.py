"""Custom Rasa NLU component: canonical entities from the spaCy entity ruler (the triage is clinic_bot.nlu.triage)."""
from typing import Any, Dict, List, Text, Type

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_bot.content.entity_values import ENTITY_KINDS

SPACY_DOC = "text_spacy_doc"  # where SpacyNLP leaves the parsed text on a message
ENTITY_LABELS = ENTITY_KINDS


class _RuleBasedSpacyComponent(GraphComponent):
    """Shared by the rule-based components: they read the SpacyNLP model and learn nothing in training."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [SpacyNLP]

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext
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
