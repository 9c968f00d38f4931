"""The staff's learning loop on a real tracker store: conversations through the servers -> `review` CSV ->
labels filled in as in a spreadsheet -> `import_review` into a temporary copy of data/ -> the examples are
there and both validators (`make validate`) pass on the copy. The real data/nlu files are never touched."""
import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from clinic_bot import paths
from clinic_bot.content.nlu_data import normalise, read_all, read_examples
from clinic_bot.launcher.servers import server_env
from tests.e2e.conftest import Patient, answers

NOT_HELPFUL = "my plan is medicaid, will it pay for a nerve block"
NOT_HELPFUL_MISLABELLED = "can i get a payment plan for the procedure bill"
HELPFUL = "how long does recovery take after an epidural"
# A hold-out message: the import must refuse it. Its first FAQ question, read from the file (not copied here).
HELD_OUT = next(e.text for e in read_examples(paths.HOLDOUT_FILE) if e.intent.startswith("ask_"))
EMERGENCY = "the pain is too much, i want to kill myself"
# Gibberish gets the fallback's topic buttons or the out-of-scope message, depending on the model.
GIBBERISH = ["blorp zxqv frimble", "purple monkey dishwasher", "hmm"]
REVIEW_REASON = {"fallback": "fell to fallback", "out_of_scope": "out of scope"}
OUT_OF_SCOPE = next(e.text for e in read_all(paths.NLU_DIR.glob("*.yml")) if e.intent == "out_of_scope")
LABELS = {NOT_HELPFUL: "ask_insurance", NOT_HELPFUL_MISLABELLED: "ask_cots", OUT_OF_SCOPE: "out_of_scope",
          HELD_OUT: "ask_what_is_pain_management"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=paths.REPO_ROOT, env=server_env(), capture_output=True,
                          text=True, timeout=600)


def read_csv(path: Path) -> List[Dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def answer_then(patient: Patient, text: str, feedback: str) -> str:
    """Asks, checks the bot asked "Was this helpful?", clicks yes or no; returns the answer's marker."""
    messages = patient.say(text)
    assert (messages[-1].get("custom") or {}).get("answer") == "helpful_question", messages
    assert answers(patient.say(feedback)) == [feedback.strip("/")]
    return answers(messages)[0]


@pytest.fixture(scope="module")
def conversations(servers) -> Dict[str, object]:
    """Real conversations through the webhook; returns what the bot did, for the assertions."""
    patients = [Patient(servers.webhook_url) for _ in range(4)]
    did: Dict[str, object] = {"senders": [p.sender for p in patients]}
    did["not_helpful_answer"] = answer_then(patients[0], NOT_HELPFUL, "/deny")
    answer_then(patients[0], HELPFUL, "/affirm")
    answer_then(patients[1], NOT_HELPFUL_MISLABELLED, "/deny")
    answer_then(patients[1], HELD_OUT, "/deny")
    assert answers(patients[2].say(OUT_OF_SCOPE)) == ["out_of_scope"]
    replies = {text: answers(patients[2].say(text)) for text in GIBBERISH}
    did["routed_away"] = {text: reply[0] for text, reply in replies.items() if reply and reply[0] in REVIEW_REASON}
    assert did["routed_away"], f"none of {GIBBERISH} got the fallback or the scope message: {replies}"
    assert answers(patients[3].say(EMERGENCY)) == ["emergency"]
    return did


@pytest.fixture(scope="module")
def review(servers, conversations, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("review") / "review.csv"
    # Threshold 0: no "low confidence" rows, so each row here is listed for exactly the reasons asserted.
    done = run("-m", "clinic_bot.tools.review", "--db", str(servers.tracker_db), "--days", "1",
               "--threshold", "0", "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "message(s) to review" in done.stdout
    return out


def test_review_lists_what_staff_should_look_at(review, conversations):
    rows = {row["message"]: row for row in read_csv(review)}
    assert list(next(iter(rows.values()))) == ["why", "message", "predicted_intent", "confidence", "answer_given",
                                                "time", "correct_intent", "patient_chose"]
    row = rows[NOT_HELPFUL]
    assert row["why"] == "not helpful"
    assert row["predicted_intent"] == row["answer_given"] == conversations["not_helpful_answer"]
    assert 0 < float(row["confidence"]) <= 1 and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", row["time"])
    assert row["correct_intent"] == ""
    assert rows[HELD_OUT]["why"] == rows[NOT_HELPFUL_MISLABELLED]["why"] == "not helpful"
    assert rows[OUT_OF_SCOPE]["why"] == "out of scope" and rows[OUT_OF_SCOPE]["answer_given"] == "out_of_scope"
    for text, answer in conversations["routed_away"].items():
        assert rows[text]["why"] == REVIEW_REASON[answer] and rows[text]["answer_given"] == answer
    assert HELPFUL not in rows and "/deny" not in rows and "/affirm" not in rows
    assert EMERGENCY not in rows


def test_emergencies_are_listed_separately(review):
    emergencies = {row["message"]: row for row in read_csv(review.with_name("review-emergencies.csv"))}
    assert emergencies[EMERGENCY]["red_flag"] not in ("", "(model)")
    assert emergencies[EMERGENCY]["answer_given"] == "emergency"
    assert "correct_intent" not in emergencies[EMERGENCY]


def test_no_sender_id_is_written(review, conversations):
    for file in (review, review.with_name("review-emergencies.csv")):
        text = file.read_text(encoding="utf-8-sig")
        assert not [s for s in conversations["senders"] if s in text] and "sender" not in text.splitlines()[0]


def test_threshold_option_lists_low_confidence_answers(servers, conversations, tmp_path):
    out = tmp_path / "strict.csv"
    done = run("-m", "clinic_bot.tools.review", "--db", str(servers.tracker_db), "--threshold", "1.01",
               "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert {row["message"]: row["why"] for row in read_csv(out)}[HELPFUL] == "low confidence"


def test_labelled_review_is_imported_into_a_copy_and_validates(review, tmp_path):
    data = Path(shutil.copytree(paths.REPO_ROOT / "data", tmp_path / "data"))
    real_nlu = {p: p.read_bytes() for p in paths.NLU_DIR.glob("*.yml")}
    rows = read_csv(review)
    for row in rows:  # what staff type into the spreadsheet
        row["correct_intent"] = LABELS.get(row["message"], "")
    with open(review, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    done = run("-m", "clinic_bot.tools.import_review", str(review), "--nlu-dir", str(data / "nlu"))
    report = done.stdout
    assert done.returncode == 1, report + done.stderr  # some rows were refused
    assert re.search(rf"row \d+: added '{re.escape(NOT_HELPFUL)}': ask_insurance \(faq.yml:\d+\)", report), report
    assert f"refused '{NOT_HELPFUL_MISLABELLED}': unknown intent 'ask_cots': did you mean ask_cost?" in report
    assert f"refused '{OUT_OF_SCOPE}': already in this intent" in report
    assert f"refused '{HELD_OUT}': it is in the NLU hold-out test set" in report
    assert f"1 added, 3 refused, {len(rows) - 4} blank row(s) skipped" in report

    added = [e for e in read_all((data / "nlu").glob("*.yml")) if normalise(e.text) == normalise(NOT_HELPFUL)]
    assert [(e.intent, e.file.name) for e in added] == [("ask_insurance", "faq.yml")]
    assert {p: p.read_bytes() for p in paths.NLU_DIR.glob("*.yml")} == real_nlu

    ours = run("-m", "clinic_bot.tools.validate", "--nlu-dir", str(data / "nlu"))
    assert ours.returncode == 0, ours.stdout
    rasa = run("-m", "rasa", "data", "validate", "--fail-on-warnings", "--quiet", "--data", str(data),
               "--domain", str(paths.DOMAIN_FILE), "--config", str(paths.REPO_ROOT / "config.yml"))
    assert rasa.returncode == 0, rasa.stdout[-3000:] + rasa.stderr[-3000:]
