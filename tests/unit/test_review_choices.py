"""The choices a patient took (the related topic button after an answer, a "did you mean" topic) read back from the
stored events onto the message before them, and the review lists built from it: the CSV of `make review` and the
staff console's review page, where they come first with the chosen topic as the suggested label."""
import re
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from clinic_bot.content.choices import DID_YOU_MEAN_MARKER, RELATED_MARKER, SOMETHING_ELSE_INTENT
from clinic_bot.staff.review_queue import ReviewQueue
from clinic_bot.store.events import EventsTable, row_of
from clinic_bot.store.turns import DID_YOU_MEAN, RELATED, Turn, turns_of
from clinic_bot.tools import import_review
from clinic_bot.tools.review import CHOICE_REASONS, REVIEW_COLUMNS, messages_to_review, review_rows, write_csv
from tests.unit.test_staff_console import Setup, logged_in, setup  # noqa: F401  (the console fixture)
from tests.unit.test_staff_review import T0, bot, user

FALLBACK_RANKING = [{"name": "nlu_fallback", "confidence": 0.41}, {"name": "ask_cost", "confidence": 0.3},
                    {"name": "ask_insurance", "confidence": 0.28}]
WITH_PROCEDURE = '/ask_cost{"procedure": "radiofrequency_ablation"}'


def offer(marker: str, payloads: List[str], timestamp: float = T0, **custom: Any) -> Dict[str, Any]:
    """A bot message with buttons, as Rasa stores it: the buttons beside the marker in the event's data."""
    event = bot(marker, timestamp, **custom)
    event["data"]["buttons"] = [{"title": payload, "payload": payload} for payload in payloads]
    return event


def related(intent: str, payload: Optional[str] = None, timestamp: float = T0) -> Dict[str, Any]:
    return offer(RELATED_MARKER, [payload or f"/{intent}"], timestamp, related=intent, language="en")


def did_you_mean(first: str, second: str, timestamp: float = T0) -> Dict[str, Any]:
    return offer(DID_YOU_MEAN_MARKER, [f"/{first}", f"/{second}", f"/{SOMETHING_ELSE_INTENT}"], timestamp,
                 suggestions=[first, second])


def answered(text: str, intent: str, confidence: float = 0.93, offered: Optional[Dict[str, Any]] = None,
             timestamp: float = T0) -> List[Dict[str, Any]]:
    """A message answered with a curated answer, then "Was this helpful?" and what was offered besides."""
    return [user(text, intent, confidence, timestamp=timestamp), bot(intent, timestamp, sources=["x"]),
            bot("helpful_question", timestamp), *([offered] if offered else [])]


def not_understood(text: str, timestamp: float = T0) -> List[Dict[str, Any]]:
    return [user(text, "nlu_fallback", 0.41, FALLBACK_RANKING, timestamp=timestamp),
            did_you_mean("ask_cost", "ask_insurance", timestamp)]


def pressed(payload: str, intent: str, timestamp: float = T0 + 1) -> List[Dict[str, Any]]:
    return [user(payload, intent, 1.0, timestamp=timestamp), bot(intent, timestamp, sources=["x"])]


def choices(events: List[Dict[str, Any]]) -> List[tuple]:
    return [(turn.text, turn.chosen, turn.chosen_from) for turn in turns_of(events)]


# --- reading the choices from the events -------------------------------------------------------------------------

@pytest.mark.parametrize("payload, parsed, chosen", [
    ("/ask_side_effects", "ask_side_effects", "ask_side_effects"),
    (WITH_PROCEDURE, "ask_cost", "ask_cost"),
    (WITH_PROCEDURE, "", "ask_cost"),  # no parsed intent: the one the payload names
])
def test_a_related_press_marks_the_message_before_it(payload, parsed, chosen):
    events = [*answered("is it safe for me", "ask_safety", offered=related(chosen, payload)),
              *pressed(payload, parsed)]
    turns = turns_of(events)
    assert choices(events) == [("is it safe for me", chosen, RELATED), (payload, "", "")]
    assert turns[1].is_button
    assert turns[0].answers == ["ask_safety"]  # the offer is no answer of its own


def test_a_did_you_mean_press_marks_the_message_before_it():
    events = [*not_understood("how much do i owe"), *pressed("/ask_insurance", "ask_insurance")]
    assert choices(events) == [("how much do i owe", "ask_insurance", DID_YOU_MEAN), ("/ask_insurance", "", "")]


def test_something_else_is_no_choice():
    events = [*not_understood("blorp"), *pressed(f"/{SOMETHING_ELSE_INTENT}", SOMETHING_ELSE_INTENT)]
    assert [turn.chosen_from for turn in turns_of(events)] == ["", ""]


@pytest.mark.parametrize("text, intent", [
    ("ask_cost", "ask_cost"),  # the topic's name typed, not its payload
    ("how much is it", "ask_cost"),
    ("/ask_hours", "ask_hours"),  # a payload, but not one that was offered
])
def test_a_message_that_is_not_an_offered_payload_marks_nothing(text, intent):
    events = [*not_understood("blorp"), user(text, intent, 0.9, timestamp=T0 + 1), bot(intent, T0 + 1)]
    assert [turn.chosen_from for turn in turns_of(events)] == ["", ""]


def test_an_offer_lasts_until_the_next_message_only():
    events = [*not_understood("blorp"),
              *answered("what are your hours", "ask_hours", timestamp=T0 + 1),  # no choice offered here
              *pressed("/ask_cost", "ask_cost", timestamp=T0 + 2)]  # offered two messages back
    assert [turn.chosen_from for turn in turns_of(events)] == ["", "", ""]


def test_the_handoff_of_the_older_topic_suggestions_is_no_choice():
    events = [user("blorp", "nlu_fallback", 0.41, FALLBACK_RANKING),
              offer(DID_YOU_MEAN_MARKER, ["/ask_cost", "/ask_hours", "/handoff"],
                    suggestions=["ask_cost", "ask_hours"]),
              *pressed("/handoff", "handoff")]
    assert [turn.chosen_from for turn in turns_of(events)] == ["", ""]


# --- the review lists ---------------------------------------------------------------------------------------------

def conversations() -> List[List[Turn]]:
    return [turns_of(events) for events in (
        [*not_understood("something about money", timestamp=T0)],  # listed, no choice: oldest
        [*answered("is it safe", "ask_safety", 0.97, related("ask_side_effects"), timestamp=T0 + 10),
         *pressed("/ask_side_effects", "ask_side_effects", timestamp=T0 + 11)],
        [*not_understood("how much do i owe", timestamp=T0 + 5),
         *pressed("/ask_insurance", "ask_insurance", timestamp=T0 + 6)],
    )]


def test_messages_with_a_choice_come_first_with_their_reason_whatever_the_confidence():
    to_label, _ = messages_to_review(conversations(), 0.7)
    assert [(turn.text, why) for turn, why in to_label] == [
        ("how much do i owe", [CHOICE_REASONS[DID_YOU_MEAN], "fell to fallback"]),
        ("is it safe", [CHOICE_REASONS[RELATED]]),  # 0.97 sure: listed only for the choice
        ("something about money", ["fell to fallback"]),
    ]


def test_the_review_file_suggests_the_chosen_topic_and_leaves_the_label_to_staff(tmp_path: Path):
    rows, _ = review_rows(conversations(), 0.7)
    by_message = {row["message"]: row for row in (dict(zip(REVIEW_COLUMNS, r, strict=True)) for r in rows)}
    assert {m: (r["patient_chose"], r["correct_intent"]) for m, r in by_message.items()} == {
        "how much do i owe": ("ask_insurance", ""), "is it safe": ("ask_side_effects", ""),
        "something about money": ("", "")}
    # The importer reads columns by name: an untouched suggestion is not imported, a confirmed one is.
    rows[0][REVIEW_COLUMNS.index("correct_intent")] = rows[0][REVIEW_COLUMNS.index("patient_chose")]
    write_csv(tmp_path / "review.csv", REVIEW_COLUMNS, rows)
    labelled, blank = import_review.read_labelled(tmp_path / "review.csv")
    assert ([(message, intent) for _, message, intent in labelled], blank) == (
        [("how much do i owe", "ask_insurance")], 2)


def test_a_button_press_is_not_listed_for_the_choice_after_it():
    """A press has no words of its own to label: the related topic pressed after its answer lists nothing more."""
    events = [*not_understood("blorp"), *answered("/ask_cost", "ask_cost", 1.0, related("ask_insurance_plans"), T0 + 1),
              *pressed("/ask_insurance_plans", "ask_insurance_plans", timestamp=T0 + 2)]
    to_label, _ = messages_to_review([turns_of(events)], 0.7)
    assert [turn.text for turn, _ in to_label] == ["blorp"]
    assert review_rows([turns_of(events)], 0.7)[0][0][REVIEW_COLUMNS.index("patient_chose")] == "ask_cost"


# --- the staff console ------------------------------------------------------------------------------------------

def store(db: Path, conversations: Dict[str, List[Dict[str, Any]]]) -> None:
    table = EventsTable.for_server(db)
    table.append([row_of(sender, event) for sender, events in conversations.items() for event in events])
    table.close()


def chosen_conversations(now: float) -> Dict[str, List[Dict[str, Any]]]:
    return {"a": not_understood("message without a choice", timestamp=now - 60),
            "b": [*answered("message with a choice", "ask_safety", 0.95,
                            related("ask_side_effects", timestamp=now - 30), timestamp=now - 30),
                  *pressed("/ask_side_effects", "ask_side_effects", timestamp=now - 20)]}


def test_the_queue_carries_the_chosen_topic(tmp_path: Path):
    store(tmp_path / "t.db", chosen_conversations(time.time()))
    to_label, _ = ReviewQueue(db=tmp_path / "t.db", done_file=tmp_path / "done.json").lists()
    assert [(item.text, item.suggested, item.chosen_from) for item in to_label] == [
        ("message with a choice", "ask_side_effects", RELATED), ("message without a choice", "", "")]


def selected_options(item_html: str) -> List[str]:
    return re.findall(r'<option value="([^"]*)" selected>', item_html)


def test_the_review_page_lists_the_choice_first_with_its_topic_picked(setup: Setup):  # noqa: F811
    store(setup.db, chosen_conversations(time.time()))
    page = logged_in(setup).get("/review").body
    items = re.findall(r'<li class="item".*?</li>', page, flags=re.S)
    assert [re.search(r'class="patient-text"[^>]*>([^<]*)<', item).group(1) for item in items] == [
        "message with a choice", "message without a choice"]
    assert 'data-chosen="ask_side_effects"' in items[0] and f'data-chosen-from="{RELATED}"' in items[0]
    assert selected_options(items[0]) == ["ask_side_effects"]  # picked once, staff still press the button
    assert "data-chosen=" not in items[1] and selected_options(items[1]) == []
