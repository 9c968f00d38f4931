"""Speed-ups for the Rasa server process, installed before Rasa starts. The launcher runs
    python -m clinic_bot.speedups run --model ... (the same arguments as `python -m rasa run ...`)

Each was measured with py-spy and `make bench` (see bench/tuning.md):
1. Action results: Rasa checks every reply of the action server with `jsonschema.validate`, which first
   re-checks the schema itself, on every call: about a third of the Rasa server's CPU per message. Here the
   validator is built once per schema and reused; the reply is checked exactly as before.
2. Warm-up: one message through the NLU pipeline while the model loads, before the port opens, so the
   first patient does not pay for TensorFlow tracing its graph.
3. Loading a conversation: Rasa finds the class of every stored event by walking all subclasses of Event,
   for each event, on every message, so a message costs more the longer its conversation. The class of
   each event type is looked up once.
4. Action calls: Rasa sends the action server the whole conversation (every event, as JSON) with each call,
   so the call costs more the longer the conversation (13% of the Rasa server's CPU by turn 40). The
   actions here read the latest message and the slots only; they get those, and the events of the
   current turn (from the patient's latest message on). An action that needs older events reads them
   from the conversation store, not from this call.
5. Loading the model: to give DIET's weights their shapes before reading them, Rasa trains it on one example,
   and TensorFlow first compiles that training step into a graph: ~5 s of the start, for one step whose
   result is overwritten at once. Here that one step runs eagerly (no graph); the weights are then read
   from the model exactly as before, and prediction runs compiled as before.
6. The spaCy pipeline: the loaded model has two graph nodes that load it, and each loaded its own copy
   (~17 MB); here the second gets the first's (both only read it).
7. Choosing the next action: the rule policy turns the whole conversation into dialogue states before each
   prediction, then compares only as many of the latest states as its longest rule has (every rule here
   is one turn long), so each message cost more the longer the conversation. Here it gets the tail of
   the conversation that holds more than those states, cut at a patient's message; the states it
   compares are the same (tests/unit/test_speedups.py). Anything unusual (a form, slots that shape the
   dialogue, reverted or restarted turns) gets the whole conversation, as before.
8. Memory: loading the model leaves ~80 MB of freed C heap resident; after the warm-up, garbage is
   collected and glibc is asked to give free pages back (malloc_trim).
The conversation store's speed-ups are in clinic_bot/tracker_store.py (a Rasa extension point, no patch).
"""
import ctypes
import gc
import json
from itertools import islice
from typing import Any, Dict, List, Optional, Tuple

WARM_UP_TEXT = "hello, is interventional pain management covered by insurance?"

_validators: Dict[str, Any] = {}


def _validate_with_cached_validator(instance: Any, schema: Dict[str, Any], *args: Any, **kwargs: Any) -> None:
    """jsonschema.validate, with the schema checked and the validator built once per schema."""
    import jsonschema

    if args or kwargs:
        return _original_validate(instance, schema, *args, **kwargs)
    key = json.dumps(schema, sort_keys=True, default=str)
    validator = _validators.get(key)
    if validator is None:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        validator = _validators[key] = cls(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def _event_class_cache(original: Any) -> Any:
    classes: Dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = classes.get(type_name)
        if found is None:
            found = original(type_name, default)
            if found is not None and found is not default:  # unknown types are not remembered
                classes[type_name] = found
        return found
    return staticmethod(resolve_by_type)


def _current_turn_call_format(self: Any, tracker: Any, domain: Any) -> Dict[str, Any]:
    """RemoteAction._action_call_format of Rasa 3.6.21, with the events of the current turn only."""
    import rasa
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import EventVerbosity

    state = tracker.current_state(EventVerbosity.NONE)
    turn: List[Any] = []
    for event in reversed(tracker.events):
        turn.append(event)
        if isinstance(event, UserUttered):
            break
    state["events"] = [event.as_dict() for event in reversed(turn)]
    result = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state,
              "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        result["domain"] = domain.as_dict()
    return result


def _load_building_eagerly(cls: Any, model_file_name: str, model_data_example: Any,
                           predict_data_example: Any = None, finetune_mode: bool = False,
                           *args: Any, **kwargs: Any) -> Any:
    """RasaModel.load of Rasa 3.6.21, with the weight-building step run eagerly."""
    import tensorflow as tf
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator

    model = cls(*args, **kwargs)
    config = kwargs.get("config", {})
    model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)), run_eagerly=True)
    model.fit(RasaBatchDataGenerator(model_data_example, batch_size=1), verbose=False)
    model.load_weights(model_file_name)
    model.run_eagerly = bool(config.get(RUN_EAGERLY))  # prediction compiled, as Rasa would have it
    if not finetune_mode and predict_data_example:
        model.run_inference(predict_data_example)
    return model


def _load_spacy_once(original: Any) -> Any:
    loaded: Dict[str, Any] = {}

    def load_model(spacy_model_name: str) -> Any:
        if spacy_model_name not in loaded:
            loaded[spacy_model_name] = original(spacy_model_name)
        return loaded[spacy_model_name]
    return staticmethod(load_model)


# Events whose effect on the dialogue states stays within the turn they belong to.
def _local_event_types() -> Tuple[type, ...]:
    from rasa.shared.core.events import (ActionExecuted, BotUttered, DefinePrevUserUtteredFeaturization,
                                         SlotSet, UserUttered)
    return ActionExecuted, BotUttered, DefinePrevUserUtteredFeaturization, SlotSet, UserUttered


def rule_window(tracker: Any, domain: Any, longest_rule: int) -> Optional[Any]:
    """The tail of `tracker` whose last `longest_rule + 1` dialogue states are the whole tracker's,
    or None when the whole tracker is needed (or is short anyway)."""
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    if tracker.active_loop_name or any(slot.influence_conversation for slot in domain.slots):
        return None
    local = _local_event_types()
    events = tracker.events
    actions_after = 0
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if not isinstance(event, local):
            return None
        if isinstance(event, ActionExecuted):
            actions_after += 1  # one dialogue state per action
        elif isinstance(event, UserUttered) and actions_after > longest_rule + 1:
            start = index - 1 if index and isinstance(events[index - 1], ActionExecuted) else index
            return DialogueStateTracker.from_events(tracker.sender_id, list(islice(events, start, None)),
                                                    domain.slots, domain=domain)
    return None


def _longest_rule(policy: Any) -> int:
    from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH

    keys = list(policy.lookup.get(RULES, {})) + list(policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH, {}))
    return max((len(json.loads(key)) for key in keys), default=0)


def _rule_states_from_tail(original: Any) -> Any:
    def prediction_states(self: Any, tracker: Any, domain: Any, use_text_for_last_user_input: bool = False,
                          rule_only_data: Optional[Dict[str, Any]] = None) -> Any:
        longest = self.__dict__.get("_clinic_longest_rule")
        if longest is None:
            longest = self.__dict__["_clinic_longest_rule"] = _longest_rule(self)
        window = rule_window(tracker, domain, longest)
        return original(self, tracker if window is None else window, domain, use_text_for_last_user_input,
                        rule_only_data)
    return prediction_states


def release_freed_memory() -> None:
    """Collects garbage and hands the C heap's free pages back to the system (glibc's malloc_trim):
    loading the model frees a lot that would otherwise stay resident."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _warm_up_after_loading(original: Any) -> Any:
    async def load_and_warm_up(*args: Any, **kwargs: Any) -> Any:
        agent = await original(*args, **kwargs)
        if agent is not None and agent.is_ready():
            await agent.parse_message(WARM_UP_TEXT)  # NLU only: nothing is stored
        release_freed_memory()
        return agent
    return load_and_warm_up


def install() -> None:
    """Applies every speed-up; once per process (the launcher's entry point below)."""
    global _original_validate
    import jsonschema
    import rasa.core.run
    from rasa.core.actions.action import RemoteAction
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.shared.core.events import Event
    from rasa.utils.tensorflow.models import RasaModel

    if _original_validate is not None:
        return
    _original_validate = jsonschema.validate
    jsonschema.validate = _validate_with_cached_validator
    Event.resolve_by_type = _event_class_cache(Event.resolve_by_type)
    RemoteAction._action_call_format = _current_turn_call_format
    RasaModel.load = classmethod(_load_building_eagerly)
    RulePolicy._prediction_states = _rule_states_from_tail(RulePolicy._prediction_states)
    SpacyNLP.load_model = _load_spacy_once(SpacyNLP.load_model)
    rasa.core.run.load_agent_on_start = _warm_up_after_loading(rasa.core.run.load_agent_on_start)


_original_validate: Any = None


if __name__ == "__main__":
    install()
    from rasa.__main__ import main

    main()
