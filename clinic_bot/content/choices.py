"""The choices the assistant offers when the intent classifier is not sure, read from the NLU's ranking:

- the related topic: after an answer, one button for the second likeliest topic when it came close to the first
  (within RELATED_MARGIN of its confidence). Patients' misses are mostly between neighbouring topics (safety and side
  effects, cost and insurance plans, recovery and results time): the button puts the other answer one click away;
- "did you mean": when the classifier is unsure of everything (the fallback), the two likeliest topics and
  "something else", which leads to the topic list and the clinic's phone.

One decision for everyone who shows or measures it: the answer actions (actions/), the hold-out figures
(clinic_bot/holdout.py, `make test` and `make bench`). No Rasa imports. The buttons' wording lives with the answers
(knowledge/answers.yml and practical_answers.yml: `ask`, `ask_about`).
"""
from typing import Any, Callable, List, Mapping, Optional, Sequence

from clinic_bot.intents import FALLBACK_INTENT, OUT_OF_SCOPE_INTENT

# Chosen on the development sets (tests/nlu/dev_*.yml; `make bench` prints the curve, docs/understanding.md): at 0.8 the
# button reached every development set's best "first choice or its button right" but one (0.4 point short), shown
# after 13-21% of answers; at 0.9 one set passed a third of its answers, and below 0.7 most of the gain was lost.
RELATED_MARGIN = 0.8
DID_YOU_MEAN_TOPICS = 2  # "Did you mean: A / B / something else?"
RELATED_MARKER = "related_topic"  # the marker (and message key) of the message that carries the related button
DID_YOU_MEAN_MARKER = "fallback"  # the marker (and message key) of "did you mean"
# "Something else": the topic list and the phone, as the reply to "what can you help with?" gives them.
SOMETHING_ELSE_INTENT = "ask_capabilities"
SOMETHING_ELSE_BUTTON = "something_else_button"  # its button's title, a message key
HANDOFF_BUTTON = "handoff_button"  # "Talk to our staff", a message key
MESSAGE_KEYS = (RELATED_MARKER, DID_YOU_MEAN_MARKER, SOMETHING_ELSE_BUTTON, HANDOFF_BUTTON)
# The topic list under the reply to "what can you help with?" (and so after "something else"): what patients ask
# most, the medical topics first; each button shows the answer's title.
TOPIC_LIST = ("ask_what_is_interventional", "ask_procedures", "ask_safety", "ask_side_effects", "ask_recovery",
              "ask_cost", "ask_insurance", "ask_hours", "ask_location")
# Besides the topics, what may come first and still have a related topic: an out-of-scope reply whose runner-up is a
# topic ("sideeffects?": a typo the classifier reads as off-topic). Off-topic messages rank every topic low, so a
# margin as wide as the topics' would offer one after most of them ("blorp" -> "Which languages do you speak?"):
# this one keeps the button to a topic that came near (tests/nlu/off_topic.yml, `make bench`).
ANSWERED_BESIDES_TOPICS = frozenset({OUT_OF_SCOPE_INTENT})
OUT_OF_SCOPE_MARGIN = 0.3

IsTopic = Callable[[str], bool]


def _ranked(parse: Mapping[str, Any]) -> List[Mapping[str, Any]]:
    """The classifier's ranking without the fallback's entry (which only says how unsure it was)."""
    ranking = parse.get("intent_ranking") or []
    return [entry for entry in ranking if isinstance(entry, Mapping) and entry.get("name") != FALLBACK_INTENT]


def related_topic(parse: Mapping[str, Any], answered: str, is_topic: IsTopic, margin: Optional[float] = None,
                  exclude: Sequence[str] = ()) -> Optional[str]:
    """The topic to offer after the answer to ``answered``: the likeliest topic after it, when ``answered`` is the
    classifier's own first choice among the topics (so not a button's, a check-in's or the triage's) and the other
    came within ``margin`` of it (default: RELATED_MARGIN after a topic, OUT_OF_SCOPE_MARGIN after an out-of-scope
    reply); never one of ``exclude`` (the topic the patient just had)."""
    if is_topic(answered):
        margin = RELATED_MARGIN if margin is None else margin
    elif answered in ANSWERED_BESIDES_TOPICS:
        margin = OUT_OF_SCOPE_MARGIN if margin is None else margin
    else:
        return None
    candidates = [entry for entry in _ranked(parse)
                  if is_topic(str(entry.get("name"))) or entry.get("name") == answered]
    if len(candidates) < 2 or candidates[0].get("name") != answered:
        return None
    first, second = (float(entry.get("confidence") or 0.0) for entry in candidates[:2])
    name = str(candidates[1].get("name"))
    if first - second > margin or name in exclude or name == answered:
        return None
    return name


def did_you_mean(parse: Mapping[str, Any], is_topic: IsTopic, count: int = DID_YOU_MEAN_TOPICS) -> List[str]:
    """The ``count`` likeliest topics of the classifier's ranking, likeliest first."""
    return [str(entry.get("name")) for entry in _ranked(parse) if is_topic(str(entry.get("name")))][:count]
