"""clinic_bot.tools.import_review: a filled review file into a temporary copy of data/nlu."""
import csv
import shutil
from pathlib import Path

import pytest

from clinic_bot import paths
from clinic_bot.content.nlu_data import read_all
from clinic_bot.tools import import_review
from clinic_bot.tools.review import EMERGENCY_COLUMNS, REVIEW_COLUMNS, write_csv

HELD_OUT = read_all([paths.HOLDOUT_FILE])[0]


@pytest.fixture
def nlu_copy(tmp_path) -> Path:
    return Path(shutil.copytree(paths.NLU_DIR, tmp_path / "nlu"))


def review_file(path: Path, labelled: list) -> Path:
    """A review CSV as `make review` writes it, with `correct_intent` filled as staff would."""
    write_csv(path, REVIEW_COLUMNS, [["low confidence", message, "greet", "0.50", "greet", "2026-11-20 10:00", label]
                                     for message, label in labelled])
    return path


def test_labelled_rows_are_added_blank_ones_skipped_refusals_explained(nlu_copy, tmp_path, capsys):
    file = review_file(tmp_path / "review.csv", [
        ("does medicare pay for a spinal cord stimulator trial", "ask_insurance"),
        ("asdfgh", ""),
        ("'-- how much for rfa", "Ask Cost"),  # protected from formulas by `make review`
        ("what about my bill", "ask_cots"),
        (HELD_OUT.text, HELD_OUT.intent),
        ("DOES MEDICARE PAY for a spinal cord stimulator trial?", "ask_cost"),
    ])
    assert import_review.main([str(file), "--nlu-dir", str(nlu_copy)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("row 2: added 'does medicare pay for a spinal cord stimulator trial': "
                             "ask_insurance (faq.yml:")
    assert out[1].startswith("row 4: added '-- how much for rfa': ask_cost (faq.yml:")
    assert out[2] == "row 5: refused 'what about my bill': unknown intent 'ask_cots': did you mean ask_cost?"
    assert out[3].startswith(f"row 6: refused '{HELD_OUT.text}': it is in the NLU hold-out test set")
    assert out[4].startswith("row 7: refused 'DOES MEDICARE PAY for a spinal cord stimulator trial?': "
                             "already in intent 'ask_insurance'")
    assert out[5] == "2 added, 3 refused, 1 blank row(s) skipped"
    examples = {(e.intent, e.text) for e in read_all(nlu_copy.glob("*.yml"))}
    assert {("ask_insurance", "does medicare pay for a spinal cord stimulator trial"),
            ("ask_cost", "-- how much for rfa")} <= examples


def test_all_blank_file_adds_nothing_and_succeeds(nlu_copy, tmp_path, capsys):
    before = {p.name: p.read_bytes() for p in nlu_copy.iterdir()}
    assert import_review.main([str(review_file(tmp_path / "r.csv", [("hmm", ""), ("ok", " ")])),
                               "--nlu-dir", str(nlu_copy)]) == 0
    assert capsys.readouterr().out.strip() == "0 added, 0 refused, 2 blank row(s) skipped"
    assert {p.name: p.read_bytes() for p in nlu_copy.iterdir()} == before


def test_the_emergencies_list_is_not_importable(nlu_copy, tmp_path, capsys):
    file = tmp_path / "review-emergencies.csv"
    write_csv(file, EMERGENCY_COLUMNS, [["i cant breathe", "breathing", "1.00", "emergency", "2026-11-20 10:00"]])
    assert import_review.main([str(file), "--nlu-dir", str(nlu_copy)]) == 1
    assert "has no correct_intent column" in capsys.readouterr().err


def test_a_file_saved_by_an_older_spreadsheet_is_read(nlu_copy, tmp_path):
    file = tmp_path / "legacy.csv"
    with open(file, "w", encoding="cp1252", newline="") as out:
        csv.writer(out).writerows([REVIEW_COLUMNS, ["x", "my insurer is Société Mutuelle, do they cover nerve blocks",
                                                    "", "", "", "", "ask_insurance"]])
    assert import_review.main([str(file), "--nlu-dir", str(nlu_copy)]) == 0
    assert ("my insurer is Société Mutuelle, do they cover nerve blocks"
            in (nlu_copy / "faq.yml").read_text(encoding="utf-8"))
