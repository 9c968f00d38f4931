"""The retrain's verdict (clinic_bot/staff/evaluate.py) and the review list's memory of handled messages."""
import pytest

from clinic_bot.content.clinic_config import load_retrain_margin
from clinic_bot.staff.evaluate import FIGURES, compare
from clinic_bot.staff.review_queue import ReviewQueue


def figures(**rates):
    base = {f.name: {"rate": 0.9} for f in FIGURES}
    base.update({name: {"rate": rate} for name, rate in rates.items()})
    return base


def verdict(old, new, margin=1.0):
    return {c.figure.name for c in compare(old, new, margin) if c.too_much}


def test_urgent_recall_may_never_get_worse_whatever_the_margin():
    assert verdict(figures(urgent_recall=0.98), figures(urgent_recall=0.979), margin=10) == {"urgent_recall"}
    assert verdict(figures(urgent_recall_spanish=1.0), figures(urgent_recall_spanish=0.99)) == {
        "urgent_recall_spanish"}


def test_other_figures_may_move_within_the_margin_only():
    assert verdict(figures(holdout_accuracy=0.94), figures(holdout_accuracy=0.935)) == set()
    assert verdict(figures(holdout_accuracy=0.94), figures(holdout_accuracy=0.92)) == {"holdout_accuracy"}
    # false alarms: lower is better, so a rise is the worsening
    assert verdict(figures(general_false_alarms=0.03), figures(general_false_alarms=0.05)) == {
        "general_false_alarms"}
    assert verdict(figures(general_false_alarms=0.05), figures(general_false_alarms=0.01)) == set()


def test_the_same_figures_pass():
    assert verdict(figures(), figures(), margin=0) == set()


def test_the_margin_comes_from_the_clinic_config(tmp_path):
    config = tmp_path / "clinic.yml"
    config.write_text("retrain_margin_points: 2.5\n")
    assert load_retrain_margin(config) == 2.5
    config.write_text("retrain_margin_points: lots\n")
    with pytest.raises(ValueError, match="retrain_margin_points"):
        load_retrain_margin(config)
    config.write_text("name: x\n")
    assert load_retrain_margin(config) == 1.0


def test_a_handled_message_leaves_the_list_for_good(tmp_path):
    queue = ReviewQueue(db=tmp_path / "none.db", done_file=tmp_path / "done.json")
    assert queue.lists() == ([], [])  # no conversations yet: empty lists, no error
    queue.mark_done("abc", "maria", "answer was right")
    assert ReviewQueue(db=tmp_path / "none.db", done_file=tmp_path / "done.json").done()["abc"]["by"] == "maria"
