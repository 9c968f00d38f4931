"""The DIET + linear ensemble that `make bench` compares with config.yml's classifier (bench/candidates.yml).

config.yml's intent classifier with one more setting, ``previous_weight``: the share of the ranking of an intent
classifier named before it (DIET there) in the result. Only the benchmark's comparison uses it (the ensemble
was not adopted: bench/tuning.md), so it lives here and the production component has no such switch. Named in
bench/candidates.yml as ``bench.ensemble.EnsembleIntentClassifier``: Rasa imports this module from that name,
and importing it registers the component.
"""
from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from clinic_bot.nlu.intent_classifier import ClinicIntentClassifier


def mixed(own: Dict[str, float], previous: List[Dict[str, Any]], weight: float) -> Dict[str, float]:
    """(1 - weight) * own + weight * previous; intents outside the previous ranking count as 0 there."""
    before = {r["name"]: float(r.get("confidence") or 0.0) for r in previous if r.get("name") in own}
    total = sum(before.values())
    if weight <= 0 or total <= 0:
        return own
    return {name: (1 - weight) * p + weight * before.get(name, 0.0) / total for name, p in own.items()}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class EnsembleIntentClassifier(ClinicIntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**ClinicIntentClassifier.get_default_config(),
                "previous_weight": 0.0}  # share of an earlier intent classifier's ranking in the result

    def process(self, messages: List[Message]) -> List[Message]:
        weight = float(self._config["previous_weight"])
        for message, probabilities in zip(messages, self.intent_probabilities(messages)):
            # The earlier classifier's ranking is still on the message: set_ranking replaces it.
            self.set_ranking(message, mixed(probabilities, message.get(INTENT_RANKING_KEY) or [], weight))
        return messages
