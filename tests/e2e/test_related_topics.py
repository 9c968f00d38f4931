"""The choices the assistant offers when it is not sure, through the real servers (REST webhook, NLU, rules,
action server), judged by the answer markers the widget receives: after an answer whose runner-up topic came close,
one related-topic button that brings the other answer about the same procedure; none after a clear question, an
urgent message, a check-in or a refusal; and where the classifier is unsure of everything, "did you mean" with the
two likeliest topics and "something else", which brings the topic list and the clinic's phone."""
import csv
import subprocess
import sys
from typing import Any, Dict, List, Optional, Tuple

import pytest

from clinic_bot import paths
from clinic_bot.content.choices import (
    DID_YOU_MEAN_MARKER,
    RELATED_MARGIN,
    RELATED_MARKER,
    SOMETHING_ELSE_INTENT,
    TOPIC_LIST,
)
from clinic_bot.content.nlu_data import read_examples
from clinic_bot.intents import FALLBACK_INTENT
from clinic_bot.launcher.servers import server_env
from tests.e2e.conftest import Patient, answers, replies
from tests.e2e.test_dispositions import button, check_in

RFA = "procedure:radiofrequency_ablation"
# Questions on two neighbouring topics about one procedure: the test takes the first that gets the related button,
# so that a retrained model moving one of them does not hide the flow.
CLOSE_PAIRS = ["any risks or side effects with rfa", "does rfa hurt and how long is the recovery",
               "how much does rfa cost and will insurance cover it", "rfa side effects or is it safe"]
CLEAR = ["what are your hours", "is rfa safe", "how long is recovery after an epidural"]


def offer(messages: List[Dict[str, Any]], marker: str) -> Optional[Dict[str, Any]]:
    return next((m for m in messages if (m.get("custom") or {}).get("answer") == marker), None)


def related_pair(servers) -> Tuple[Patient, List[Dict[str, Any]], Dict[str, Any]]:
    for text in CLOSE_PAIRS:
        patient = Patient(servers.webhook_url)
        messages = patient.say(text)
        related = offer(messages, RELATED_MARKER)
        if related is not None:
            return patient, messages, related
    pytest.fail(f"none of the close pairs got a related-topic button: {CLOSE_PAIRS}")


def test_a_close_pair_gets_one_button_that_brings_the_other_answer_about_the_same_procedure(servers):
    patient, messages, related = related_pair(servers)
    first = replies(messages)[0]["custom"]
    assert len(replies(messages)) == 1  # the answer; the offer frames it, as "Was this helpful?" does
    assert first["about"] == RFA
    assert [m["custom"]["answer"] for m in messages if m.get("custom", {}).get("answer") == RELATED_MARKER] == [
        RELATED_MARKER]  # never two
    assert len(related["buttons"]) == 1 and related["custom"]["related"] != first["answer"]
    assert messages.index(related) < len(messages) - 1  # before "Was this helpful?"
    pressed = patient.say(button(related, 0))
    assert answers(pressed)[0] == related["custom"]["related"]
    assert replies(pressed)[0]["custom"]["about"] == RFA
    assert offer(pressed, RELATED_MARKER) is None  # the topic chosen: nothing more to offer


def test_a_clear_question_gets_no_button(servers, parse):
    clear = [text for text in CLEAR if _gap(parse(text)) > RELATED_MARGIN]
    assert clear, f"the classifier is no longer sure of any of {CLEAR}"
    for text in clear:
        messages = Patient(servers.webhook_url).say(text)
        assert answers(messages)[0].startswith("ask_") and offer(messages, RELATED_MARKER) is None, messages


def test_an_urgent_message_a_check_in_and_a_refusal_get_no_button(servers, patient):
    urgent = patient.say("my husband collapsed and isnt breathing right, his lips are blue")
    assert answers(urgent) == ["emergency"]
    asked, question = check_in(servers, "en")
    assert offer(asked.say(button(question, 1)), RELATED_MARKER) is None  # "no": the answer it held back, alone
    refused = Patient(servers.webhook_url).say("can i take 2 of my oxycodone instead of 1 before my rfa tomorrow")
    assert answers(refused)[0] == "ask_personal_advice" and offer(refused, RELATED_MARKER) is None


def test_did_you_mean_offers_the_two_likeliest_topics_and_something_else(servers, parse, knowledge):
    text = _unsure_of_everything(parse)
    patient = Patient(servers.webhook_url)
    asked = offer(patient.say(text), DID_YOU_MEAN_MARKER)
    assert asked is not None
    topics = asked["custom"]["suggestions"]
    assert len(topics) == 2 and all(knowledge.has_topic(topic) for topic in topics)
    assert [b["payload"].split("{")[0] for b in asked["buttons"]] == [*(f"/{t}" for t in topics),
                                                                       f"/{SOMETHING_ELSE_INTENT}"]
    assert answers(patient.say(button(asked, 0)))[0] == topics[0]
    listed = offer(patient.say(button(asked, 2)), SOMETHING_ELSE_INTENT)
    assert listed is not None and knowledge.clinic.phone in listed["text"]
    assert [b["payload"] for b in listed["buttons"]][:len(TOPIC_LIST)] == [f"/{t}" for t in TOPIC_LIST]


def _gap(parse: Dict[str, Any]) -> float:
    ranking = [r["confidence"] for r in parse["intent_ranking"]]
    return ranking[0] - (ranking[1] if len(ranking) > 1 else 0.0)


def _unsure_of_everything(parse) -> str:
    """A patient message the classifier sends to the fallback: read from the hold-out and development sets (never
    trained on), the first the model is unsure of everything about."""
    for path in (paths.HOLDOUT_FILE, *paths.DEV_NLU_FILES, paths.SPANISH_HOLDOUT_FILE):
        for example in read_examples(path):
            if parse(example.text)["intent"]["name"] == FALLBACK_INTENT:
                return example.text
    pytest.fail("no message of the hold-out and development sets falls to the fallback")


def test_the_review_list_shows_the_patients_choice_first_as_the_suggested_label(servers, tmp_path):
    patient, messages, related = related_pair(servers)
    patient.say(button(related, 0))
    asked = replies(messages)[0]
    out = tmp_path / "review.csv"
    done = subprocess.run([sys.executable, "-m", "clinic_bot.tools.review", "--db", str(servers.tracker_db),
                           "--days", "1", "--out", str(out)], cwd=paths.REPO_ROOT, env=server_env(),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    chose = [row for row in rows if row["patient_chose"]]
    assert rows[:len(chose)] == chose  # the patients' choices first
    ours = [row for row in chose if row["answer_given"].startswith(asked["custom"]["answer"])]
    assert ours and ours[0]["patient_chose"] == related["custom"]["related"] and ours[0]["correct_intent"] == ""
