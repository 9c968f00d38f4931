"""clinic_bot.tools.review's selection logic on events in Rasa's tracker-store JSON format.
(The whole loop on a real tracker store written by the servers is tests/e2e/test_review_loop.py.)"""
from typing import Any, Dict, List, Optional

from clinic_bot.tools.review import from_spreadsheet, review_rows, spreadsheet_safe, turns_of

T0 = 1_700_000_000.0


def user(text: str, intent: str, confidence: float = 0.95, ranking: Optional[List[Dict[str, Any]]] = None,
         red_flag: Optional[str] = None) -> Dict[str, Any]:
    parse = {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text,
             "intent_ranking": ranking or [{"name": intent, "confidence": confidence}]}
    if red_flag:
        parse["red_flag"] = red_flag
    return {"event": "user", "timestamp": T0, "text": text, "parse_data": parse}


def bot(marker: str) -> Dict[str, Any]:
    return {"event": "bot", "timestamp": T0, "text": "...", "data": {"custom": {"answer": marker}}}


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
