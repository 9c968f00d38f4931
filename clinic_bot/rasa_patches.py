"""The project's only changes to Rasa's own code: what Rasa 3.6.21 offers no extension point for.

Everything else that changes Rasa's behaviour is a component, policy, channel or store named in the
project's YAML (clinic_bot/nlu, clinic_bot/dialogue, clinic_bot/server). These three replace private
methods of `RemoteAction` and `EndpointConfig` (Rasa has no setting or hook for them), so they are written
for one Rasa version and `install` refuses any other: a Rasa upgrade must re-read them first.

Installed by importing `clinic_bot.nlu`, `clinic_bot.dialogue` or `clinic_bot.server`: Rasa imports those
packages whenever it loads this assistant (config.yml names the components and the policy, endpoints.yml
the conversation store, credentials.yml the channel), so `make run`, `make shell`, `rasa test`, the tests
and the benchmark all run the same Rasa.

1. Action timeout: Rasa 3.6 ignores a `timeout` under `action_endpoint` (RemoteAction.run uses
   DEFAULT_REQUEST_TIMEOUT, 300 s), so a hung action server held a patient's request for five minutes.
   Each request of an endpoint that has a `timeout` now uses it; on timeout Rasa logs the failed action,
   goes on without its events, and the channel sends the apology.
2. Checking the action server's reply: Rasa calls `jsonschema.validate`, which first re-checks the schema
   itself, on every call: about a third of the Rasa server's CPU per message (bench/tuning.md). The
   validator is built once per schema and reused; the reply is checked exactly as before.
3. What an action call sends: Rasa sends the whole conversation (every event as JSON) with each call, so a
   call cost more the longer the conversation (13% of the Rasa server's CPU by turn 40; measured again in 10
   alternating pairs of 40-turn conversations: at turns 31-40 a message cost 1.38x its turn 1-8 CPU with the
   whole conversation, 1.15x with the current turn, more in every pair). The actions here read the latest
   message and the slots only; they get those and the events of the current turn (from the patient's latest
   message on). The trap, an action looking back through `tracker.events` and silently finding nothing, is
   closed on the action side: every action is an actions/turn.py ClinicAction, whose tracker raises on any
   read of `events` and offers `turn_events` instead; what a later turn needs goes into a slot. (A mark in
   the payload would not reach the action: rasa_sdk's Tracker.from_dict keeps only the fields it knows.)
"""
from typing import Any, Dict, List, Optional, Text

RASA_VERSION = "3.6.21"  # the version these replacements were written against (requirements/rasa.txt)


class UnsupportedRasaVersion(RuntimeError):
    pass


def _endpoint_timeout_request(original: Any) -> Any:
    async def request(self: Any, method: Text = "post", subpath: Optional[Text] = None,
                      content_type: Optional[Text] = "application/json", compress: bool = False,
                      **kwargs: Any) -> Optional[Any]:
        import aiohttp

        seconds = self.kwargs.get("timeout")
        if seconds is not None:
            kwargs["timeout"] = aiohttp.ClientTimeout(total=float(seconds))
        return await original(self, method, subpath, content_type, compress, **kwargs)
    return request


_validator: Any = None


def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result of Rasa 3.6.21, with the validator built once: in 3.6.21
    `action_response_format_spec` is a static method returning the same schema every time."""
    global _validator
    import jsonschema

    if _validator is None:
        schema = self.action_response_format_spec()
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    error = jsonschema.exceptions.best_match(_validator.iter_errors(result))
    if error is not None:
        error.message += (". Failed to validate Action server response from API, make sure your response "
                          "from the Action endpoint is valid.")
        raise error
    return True


def current_turn_call_format(self: Any, tracker: Any, domain: Any) -> Dict[str, Any]:
    """RemoteAction._action_call_format of Rasa 3.6.21, with the events of the current turn only (the actions'
    side: actions/turn.py, which cuts the same way, so an action reads the same whichever format it got)."""
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


_installed = False
ORIGINALS: Dict[str, Any] = {}  # Rasa's own methods, kept for the tests that compare outcomes


def install() -> None:
    """Applies the replacements once per process; refuses a Rasa version they were not written for."""
    global _installed
    if _installed:
        return
    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.utils.endpoints import EndpointConfig

    if rasa.__version__ != RASA_VERSION:
        raise UnsupportedRasaVersion(
            f"clinic_bot/rasa_patches.py replaces private code of Rasa {RASA_VERSION}, but Rasa {rasa.__version__} "
            f"is installed. Install the pinned version (make setup) or re-check each replacement against it.")
    ORIGINALS.update(request=EndpointConfig.request,
                     _validate_action_result=RemoteAction._validate_action_result,
                     _action_call_format=RemoteAction._action_call_format)
    EndpointConfig.request = _endpoint_timeout_request(EndpointConfig.request)
    RemoteAction._validate_action_result = validate_action_result
    RemoteAction._action_call_format = current_turn_call_format
    _installed = True
