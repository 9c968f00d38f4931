"""The policy config.yml names for a reply to "which location?": the dialogue, not the actions, decides that
"downtown please" answers the practical question waiting for a location.

A bare location name is no topic of its own: the intent classifier reads it as out of scope, a greeting, the
fallback or anything else, and the rules would send it to that intent's action. While a practical question waits
(slot `pending_location_topic`, set by the practical answer's "which location?"), a message that names one of the
clinic's locations and little else (ClinicDetails.location_reply) goes to the practical answer's action instead,
which answers the waiting question for that location. The triage keeps the last word: an urgent message or a
personal question is never taken for the reply, whatever location it names.

Nothing is learnt: the locations are read from clinic.yml at each message (through the reloading knowledge the
servers share), so a location added by the clinic is understood without training.
"""
from typing import Any, Dict, List, Optional, Text

from rasa.core.constants import POLICY_PRIORITY, RULE_POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.intents import EMERGENCY_INTENT, PENDING_LOCATION_SLOT, PERSONAL_INTENT, PRACTICAL_ACTION

# The triage's verdicts: their replies come first, whatever else the message says.
NEVER_A_LOCATION_REPLY = frozenset({EMERGENCY_INTENT, PERSONAL_INTENT})


def answers_waiting_question(tracker: DialogueStateTracker) -> bool:
    """True when the patient's latest message is the reply naming a location to the waiting question."""
    topic = tracker.get_slot(PENDING_LOCATION_SLOT)
    if not topic or tracker.latest_message is None:
        return False  # nothing waits: the usual case, no need to read the text
    if tracker.latest_message.intent.get("name") in NEVER_A_LOCATION_REPLY:
        return False
    knowledge = default_knowledge()
    return topic in knowledge.practical_answers and knowledge.clinic.location_reply(
        tracker.latest_message.text or "") is not None


def next_action(tracker: DialogueStateTracker) -> Optional[str]:
    """The practical answer for a location reply, then listening; None to leave the turn to the rules."""
    if tracker.latest_action_name == PRACTICAL_ACTION:
        return ACTION_LISTEN_NAME  # a practical answer ends the turn, as its rules say
    if tracker.latest_action_name == ACTION_LISTEN_NAME and answers_waiting_question(tracker):
        return PRACTICAL_ACTION
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class LocationReplyPolicy(Policy):
    """Sends a reply to "which location?" to the practical answer; above the rules when it speaks."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {POLICY_PRIORITY: RULE_POLICY_PRIORITY + 1}

    def train(self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        with self._model_storage.write_to(self._resource):
            pass  # nothing to learn; the empty resource is what Rasa loads the policy from
        return self._resource

    def predict_action_probabilities(self, tracker: DialogueStateTracker, domain: Domain,
                                     rule_only_data: Optional[Dict[Text, Any]] = None,
                                     **kwargs: Any) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        action = next_action(tracker)
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities)
