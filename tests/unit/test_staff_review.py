"""clinic_bot.tools.review's selection logic on events in Rasa's tracker-store JSON format, and the staff
console's Urgent page built from it. (The whole loop on a real tracker store written by the servers is
tests/e2e/test_review_loop.py.)"""
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from jinja2 import Environment, FileSystemLoader, select_autoescape

from clinic_bot.staff.review_queue import ReviewItem, ReviewQueue, page_number, page_of
from clinic_bot.store.events import EventsTable, row_of
from clinic_bot.store.turns import turns_of
from clinic_bot.tools.review import (
    EMERGENCY_COLUMNS,
    RAISED_BY_CLASSIFIER,
    RAISED_BY_YES,
    UrgentCounts,
    count_dispositions,
    from_spreadsheet,
    messages_to_review,
    review_rows,
    spreadsheet_safe,
)

T0 = 1_700_000_000.0
TEMPLATES = Path(__file__).resolve().parents[2] / "clinic_bot" / "staff" / "templates"


def user(text: str, intent: str, confidence: float = 0.95, ranking: Optional[List[Dict[str, Any]]] = None,
         red_flag: Optional[str] = None, triage: Optional[Dict[str, Any]] = None,
         timestamp: float = T0) -> Dict[str, Any]:
    parse: Dict[str, Any] = {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text,
                             "intent_ranking": ranking or [{"name": intent, "confidence": confidence}]}
    if red_flag:
        parse["red_flag"] = red_flag
    if triage is not None:
        parse["triage"] = triage
    return {"event": "user", "timestamp": timestamp, "text": text, "parse_data": parse}


def bot(marker: str, timestamp: float = T0, **custom: Any) -> Dict[str, Any]:
    return {"event": "bot", "timestamp": timestamp, "text": "...", "data": {"custom": {"answer": marker, **custom}}}


def faq(text: str, intent: str, confidence: float = 0.95) -> List[Dict[str, Any]]:
    return [user(text, intent, confidence), bot(intent), bot("helpful_question")]


def rows_for(*conversations: List[Dict[str, Any]], threshold: float = 0.7):
    to_label, emergencies = review_rows([turns_of(events) for events in conversations], threshold)
    return [(r[0], r[1], r[2], r[3], r[4]) for r in to_label], emergencies


def test_answer_marked_not_helpful_is_listed_with_the_answer_given():
    rows, _ = rows_for([bot("disclaimer"), *faq("can i pay in instalments", "ask_cost"), user("/deny", "deny", 1.0),
                        bot("deny")])
    assert rows == [("not helpful", "can i pay in instalments", "ask_cost", "0.95", "ask_cost")]


def test_helpful_answers_and_a_plain_no_are_not_listed():
    rows, _ = rows_for(
        [*faq("is it safe", "ask_safety"), user("/affirm", "affirm", 1.0), bot("affirm")],
        [user("hello", "greet"), bot("greet"), user("no", "deny"), bot("deny")],  # no question was asked
    )
    assert rows == []


def test_fallback_shows_the_models_best_guess_behind_it():
    ranking = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "ask_cost", "confidence": 0.31}]
    rows, _ = rows_for([user("blorp money?", "nlu_fallback", 0.45, ranking), bot("fallback")])
    assert rows == [("fell to fallback", "blorp money?", "ask_cost", "0.31", "fallback")]


def test_low_confidence_follows_the_threshold():
    conversation = faq("how soon does it work", "ask_results_time", 0.62)
    assert rows_for(conversation, threshold=0.7)[0] == [
        ("low confidence", "how soon does it work", "ask_results_time", "0.62", "ask_results_time")]
    assert rows_for(conversation, threshold=0.6)[0] == []


def test_out_of_scope_is_listed():
    rows, _ = rows_for([user("who won the game", "out_of_scope", 0.9), bot("out_of_scope")])
    assert rows == [("out of scope", "who won the game", "out_of_scope", "0.90", "out_of_scope")]


def test_emergencies_go_to_their_own_list_only():
    rows, emergencies = rows_for([user("i cant feel my legs", "emergency", 1.0, red_flag="leg_weakness_numbness"),
                                  bot("emergency"), user("/deny", "deny", 1.0), bot("deny")])
    assert rows == []
    assert [e[:4] for e in emergencies] == [["i cant feel my legs", "leg_weakness_numbness", "1.00", "emergency"]]


def test_button_clicks_are_listed_only_for_their_feedback():
    ranking = [{"name": "nlu_fallback", "confidence": 1.0}]
    rows, _ = rows_for([user("/ask_cost", "ask_cost", 0.3, ranking), bot("ask_cost"), bot("helpful_question"),
                        user("/deny", "deny", 1.0), bot("deny")])
    assert [r[:2] for r in rows] == [("not helpful", "/ask_cost")]


def test_patient_text_cannot_become_a_spreadsheet_formula():
    rows, _ = rows_for([user("=HYPERLINK(\"http://x\")", "out_of_scope"), bot("out_of_scope")])
    assert rows[0][1] == "'=HYPERLINK(\"http://x\")"
    assert from_spreadsheet(rows[0][1]) == "=HYPERLINK(\"http://x\")"
    assert spreadsheet_safe("'quoted'") == "'quoted'" == from_spreadsheet("'quoted'")


# --- urgent messages: the emergency message or the check-in ---

def triage(level: str = "urgent", disposition: Optional[str] = "check_in", raised_by: Optional[List[str]] = None,
           concept: Optional[str] = None, emergency: float = 0.41, crisis: float = 0.2,
           **extra: Any) -> Dict[str, Any]:
    """The triage record the TriageGate puts into parse_data (only the keys the review reads matter)."""
    return {"level": level, "disposition": disposition, "kind": "medical", "concept": concept,
            "raised_by": ["classifier"] if raised_by is None else raised_by, "language": "en",
            "probabilities": {"emergency": emergency, "crisis": crisis, "personal": 0.1, "general": 0.2,
                              "off_topic": 0.09}, **extra}


def check_in(text: str = "my chest feels tight", timestamp: float = T0) -> List[Dict[str, Any]]:
    """A message the classifier found moderately urgent, and the check-in the assistant sent for it."""
    return [user(text, "emergency", 1.0, red_flag="(classifier)", triage=triage(otherwise="ask_cost"),
                 timestamp=timestamp),
            bot("check_in", timestamp, variant="medical", language="en", concept=None, raised_by=["classifier"],
                p_urgent=0.61, otherwise="ask_cost")]


def said_yes(timestamp: float = T0 + 1) -> List[Dict[str, Any]]:
    return [user("Yes, it's happening now", "emergency", 1.0, red_flag="(classifier)", timestamp=timestamp,
                 triage=triage(disposition="emergency", raised_by=["check_in"], emergency=0.02, crisis=0.01)),
            bot("emergency", timestamp, variant="medical", language="en", concept=None)]


def said_no(otherwise: str = "ask_cost", timestamp: float = T0 + 1) -> List[Dict[str, Any]]:
    return [user("No", otherwise, 1.0, timestamp=timestamp,
                 triage=triage(level="general", disposition=None, raised_by=[], emergency=0.01, crisis=0.0,
                               check_in_answer="no")),
            bot(otherwise, timestamp)]


def urgent_rows(*conversations: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    _, emergencies = review_rows([turns_of(events) for events in conversations], 0.7)
    return [dict(zip(EMERGENCY_COLUMNS, row)) for row in emergencies]


def disposition(row: Dict[str, str]) -> Tuple[str, str, str, str]:
    return row["disposition"], row["raised_by"], row["p_urgent"], row["check_in_answer"]


def counts(*conversations: List[Dict[str, Any]]) -> UrgentCounts:
    _, urgent = messages_to_review([turns_of(events) for events in conversations], 0.7)
    return count_dispositions(how for _, how in urgent)


def test_a_check_in_answered_yes_lists_the_check_in_and_the_emergency_the_yes_got():
    rows = urgent_rows([*check_in(), *said_yes()])
    assert [disposition(row) for row in rows] == [
        ("check_in", RAISED_BY_CLASSIFIER, "0.61", "yes"),
        ("emergency", RAISED_BY_YES, "0.03", ""),
    ]
    assert [row["answer_given"] for row in rows] == ["check_in", "emergency"]
    assert rows_for([*check_in(), *said_yes()])[0] == []  # neither is a message to label
    assert counts([*check_in(), *said_yes()]) == UrgentCounts(emergency=1, check_in=1, yes=1)


def test_a_check_in_answered_no_and_the_no_itself_is_not_for_labelling():
    conversation = [*check_in(), *said_no(otherwise="out_of_scope")]
    assert [disposition(row) for row in urgent_rows(conversation)] == [
        ("check_in", RAISED_BY_CLASSIFIER, "0.61", "no")]
    # The reply carries the first message's intent: "No" says nothing about being out of scope.
    assert rows_for(conversation)[0] == []
    assert counts(conversation) == UrgentCounts(check_in=1, no=1)


def test_a_check_in_the_patient_did_not_answer():
    wrote_else = [*check_in(), user("what are your hours", "ask_hours", 0.9, timestamp=T0 + 1,
                                    triage=triage(level="general", disposition=None, raised_by=[])),
                  bot("ask_hours")]
    went_quiet = check_in("i feel faint", timestamp=T0 + 2)
    rows = urgent_rows(wrote_else, went_quiet)
    assert [(row["message"], row["check_in_answer"]) for row in rows] == [
        ("my chest feels tight", "no answer"), ("i feel faint", "no answer")]
    assert counts(wrote_else, went_quiet) == UrgentCounts(check_in=2, no_answer=2)


def test_a_red_flag_of_the_rules_gets_the_emergency_message_raised_by_its_concept():
    rows = urgent_rows([user("i cant feel my legs", "emergency", 1.0, red_flag="leg_weakness_numbness",
                             triage=triage(disposition="emergency", raised_by=["rules", "classifier"],
                                           concept="leg_weakness_numbness", emergency=0.9, crisis=0.004)),
                        bot("emergency", variant="medical", language="en", concept="leg_weakness_numbness")])
    assert [disposition(row) for row in rows] == [
        ("emergency", f"leg_weakness_numbness; {RAISED_BY_CLASSIFIER}", "0.90", "")]


def test_older_messages_without_a_triage_record_count_as_emergency_messages():
    rows = urgent_rows([user("i cant feel my legs", "emergency", 1.0, red_flag="leg_weakness_numbness"),
                        bot("emergency")],
                       [user("everything is pointless", "emergency", 1.0, red_flag="(classifier)"), bot("emergency")])
    assert [disposition(row) for row in rows] == [
        ("emergency", "leg_weakness_numbness", "", ""), ("emergency", RAISED_BY_CLASSIFIER, "", "")]
    assert [row["red_flag"] for row in rows] == ["leg_weakness_numbness", "(classifier)"]  # the old column stays


def urgent_page(items: Any, counts: UrgentCounts) -> str:
    templates = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                            trim_blocks=True, lstrip_blocks=True)
    return templates.get_template("urgent.html").render(
        user="maria", csrf="token", flashes=[], path="/review/urgent", items=items, counts=counts, days=30,
        answer_names=lambda item: list(item.answers))


def test_the_urgent_page_shows_each_disposition_and_the_counts_of_the_whole_period(tmp_path):
    now = time.time()
    db = tmp_path / "tracker.db"
    table = EventsTable.for_server(db)
    events = {"a": [*check_in("<b>my chest</b> feels tight", timestamp=now - 60), *said_yes(timestamp=now - 50)],
              "b": [*check_in("i feel faint", timestamp=now - 40), *said_no(timestamp=now - 30)],
              "c": check_in("so dizzy", timestamp=now - 20)}
    table.append([row_of(sender, event) for sender, conversation in events.items() for event in conversation])
    table.close()
    queue = ReviewQueue(db=db, done_file=tmp_path / "done.json")
    items, _ = queue.urgent()
    queue.mark_done(items[0].key, "maria", "urgent message checked")  # checked: off the list, still counted

    items, totals = queue.urgent()
    assert totals == UrgentCounts(emergency=1, check_in=3, yes=1, no=1, no_answer=1)
    assert [(item.text, item.urgent.disposition if item.urgent else None) for item in items] == [
        ("Yes, it's happening now", "emergency"), ("i feel faint", "check_in"), ("so dizzy", "check_in")]
    assert [item.answers for item in items] == [("emergency",), ("check_in",), ("check_in",)]
    assert [item.key for item in queue.lists()[1]] == [item.key for item in items]

    page = urgent_page(items, totals)
    for name, value in (("emergency", 1), ("check_in", 3), ("yes", 1), ("no", 1), ("no_answer", 1)):
        assert f'data-count="{name}">{value}<' in page
    assert page.count('data-disposition="check_in"') == 2 and page.count('data-disposition="emergency"') == 1
    assert 'data-check-in-answer="no"' in page and 'data-check-in-answer="no answer"' in page
    assert "0.61" in page  # the classifier's P(emergency) + P(crisis) beside "classifier"


def test_patient_text_on_the_urgent_page_stays_text(tmp_path):
    db = tmp_path / "tracker.db"
    table = EventsTable.for_server(db)
    table.append([row_of("a", event) for event in check_in("<script>alert(1)</script>", timestamp=time.time())])
    table.close()
    items, totals = ReviewQueue(db=db, done_file=tmp_path / "done.json").urgent()
    page = urgent_page(items, totals)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- the review list a page at a time ---

def review_items(count: int) -> List[ReviewItem]:
    return [ReviewItem(f"k{n}", f"message {n}", ("fell to fallback",), "ask_cost", 0.3, ("fallback",),
                       "2024-01-01 10:00", ()) for n in range(count)]


def test_a_list_longer_than_a_page_is_cut_into_pages():
    items = review_items(120)
    first, last = page_of(items, None), page_of(items, "3")
    assert [i.key for i in first.items] == [f"k{n}" for n in range(50)]
    assert (first.number, first.count, first.total, first.first, first.previous, first.next) == (1, 3, 120, 1, None, 2)
    assert [i.key for i in last.items] == [f"k{n}" for n in range(100, 120)]
    assert (last.number, last.first, last.previous, last.next) == (3, 101, 2, None)
    assert [i.key for i in page_of(items, "2", per_page=100).items] == [f"k{n}" for n in range(100, 120)]


def test_a_page_out_of_range_or_malformed_is_the_first_or_the_last_never_an_error():
    items = review_items(120)
    for asked, number in (("4", 3), ("999999999999999999999999", 3), ("0", 1), ("-1", 1), ("x", 1), ("", 1),
                          (None, 1), ("1e3", 1), (" 2 ", 2), ("\u0663", 1)):
        assert page_of(items, asked).number == number, asked
    empty = page_of([], "7")
    assert (empty.items, empty.number, empty.count, empty.total, empty.next) == ([], 1, 1, 0, None)
    assert page_number("12") == 12 and page_number("٣") == 1


@pytest.mark.parametrize("reading, language", [
    ({"conversation": "en", "message": None, "p_spanish": 0.91}, "es"),  # the message's own reading, however short
    ({"conversation": "es", "message": None, "p_spanish": 0.08}, "en"),
    ({"conversation": "es", "message": None, "p_spanish": None}, "es"),  # a button: the conversation's
    (None, "en"),  # a message parsed before the language detector
    ({"conversation": "fr", "p_spanish": None}, "en"),
])
def test_each_message_keeps_the_language_its_example_goes_to(reading, language):
    event = user("gracias", "thank")
    if reading is not None:
        event["parse_data"]["language"] = reading
    [turn] = turns_of([event])
    assert turn.language == language
