"""The rule policy config.yml names: Rasa's RulePolicy, predicting from the recent turns only.

Before each prediction RulePolicy turns the whole conversation into dialogue states, then compares only as
many of the latest states as its longest rule has (every rule here is one turn long), so each message cost
more the longer the conversation. This policy hands it the tail of the conversation that holds more than
those states, cut at a patient's message; the states it compares are the same
(tests/unit/test_rasa_patches.py). Anything unusual (a form, slots that shape the dialogue, reverted or
restarted turns) gets the whole conversation, as before.

Rasa's recipe validator compares policies by exact class, so training warns that "RulePolicy is not
included"; the default intents it means (restart, back) are not used here.
"""
import json
from itertools import islice
from typing import Any, Dict, List, Optional, Tuple

from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, BotUttered, DefinePrevUserUtteredFeaturization, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

# Events whose effect on the dialogue states stays within the turn they belong to.
LOCAL_EVENTS: Tuple[type, ...] = (ActionExecuted, BotUttered, DefinePrevUserUtteredFeaturization, SlotSet,
                                  UserUttered)


def rule_window(tracker: DialogueStateTracker, domain: Domain, longest_rule: int) -> Optional[DialogueStateTracker]:
    """The tail of `tracker` whose last `longest_rule + 1` dialogue states are the whole tracker's,
    or None when the whole tracker is needed (or is short anyway)."""
    if tracker.active_loop_name or any(slot.influence_conversation for slot in domain.slots):
        return None
    events = tracker.events
    actions_after = 0
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if not isinstance(event, LOCAL_EVENTS):
            return None
        if isinstance(event, ActionExecuted):
            actions_after += 1  # one dialogue state per action
        elif isinstance(event, UserUttered) and actions_after > longest_rule + 1:
            start = index - 1 if index and isinstance(events[index - 1], ActionExecuted) else index
            return DialogueStateTracker.from_events(tracker.sender_id, list(islice(events, start, None)),
                                                    domain.slots, domain=domain)
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class RecentTurnsRulePolicy(RulePolicy):
    """RulePolicy, given only the turns its rules can see."""

    _longest_rule: Optional[int] = None

    def longest_rule(self) -> int:
        if self._longest_rule is None:
            keys = list(self.lookup.get(RULES, {})) + list(self.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {}))
            self._longest_rule = max((len(json.loads(key)) for key in keys), default=0)
        return self._longest_rule

    def _prediction_states(self, tracker: DialogueStateTracker, domain: Domain,
                           use_text_for_last_user_input: bool = False,
                           rule_only_data: Optional[Dict[str, Any]] = None) -> List[State]:
        window = rule_window(tracker, domain, self.longest_rule())
        return super()._prediction_states(tracker if window is None else window, domain,
                                          use_text_for_last_user_input, rule_only_data)
