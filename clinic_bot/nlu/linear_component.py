"""What the NLU components built on the linear text classifier (clinic_bot/nlu/linear_text.py) share as Rasa graph
components: their config, the classifier trained on Rasa's training data, stored in the model and loaded from it.
A component supplies its views, labels and feature blocks (``fit``) and what it does with a message (``process``).
"""
from typing import Any, ClassVar, Dict, List, Mapping, Optional, Sequence, TypeVar

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_bot.nlu.linear_text import Block, LinearTextClassifier

Self = TypeVar("Self", bound="LinearTextComponent")


class LinearTextComponent(GraphComponent):
    stem: ClassVar[str]  # the classifier's file names in the model

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 classifier: Optional[LinearTextClassifier] = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.classifier = classifier

    @classmethod
    def create(cls: type, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> Any:
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls: type, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> Any:
        with model_storage.read_from(resource) as directory:
            classifier = LinearTextClassifier.load(directory, cls.stem)  # type: ignore[attr-defined]
        return cls(config, model_storage, resource, classifier)

    def fit(self, views: Sequence[Mapping[str, str]], labels: Sequence[str], blocks: Sequence[Block]) -> Resource:
        """Trains the classifier with the component's `c` and `class_weight`, and stores it in the model."""
        self.classifier = LinearTextClassifier.train(views, labels, blocks, float(self._config["c"]),
                                                     self._config["class_weight"])
        with self._storage.write_to(self._resource) as directory:
            self.classifier.save(directory, self.stem)
        return self._resource

    def trained(self) -> LinearTextClassifier:
        if self.classifier is None:
            raise RuntimeError(f"{type(self).__name__} has not been trained: run `make train`")
        return self.classifier

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def probabilities(self, views: List[Mapping[str, str]]) -> List[Dict[str, float]]:
        return self.trained().probabilities(views)
