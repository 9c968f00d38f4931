"""clinic_bot.tools.add_example on a temporary copy of data/nlu (the real files are never touched)."""
import shutil
from pathlib import Path

import pytest

from clinic_bot import paths
from clinic_bot.content.nlu_data import block_language, read_all, read_examples
from clinic_bot.content.practical_answers import practical_intents
from clinic_bot.content.yaml_lines import load_yaml
from clinic_bot.intents import FAQ_ACTION
from clinic_bot.languages import ENGLISH, SPANISH
from clinic_bot.tools import add_example
from clinic_bot.tools.add_example import TrainingData
from clinic_bot.tools.validate import rule_intents, run_checks

NEW_TEXT = "will my medicaid plan pay for a facet joint injection"


@pytest.fixture
def nlu_copy(tmp_path) -> Path:
    return Path(shutil.copytree(paths.NLU_DIR, tmp_path / "nlu"))


def snapshot(directory: Path) -> dict:
    return {p.name: p.read_text(encoding="utf-8") for p in directory.glob("*.yml")}


def test_every_intent_has_one_block_per_language_in_the_file_of_its_kind():
    """The layout docs/staff.md describes and the tool relies on: data/nlu is split by topic, not by batch; the
    Spanish blocks (which say so in their metadata) in the topic's `_es` file."""
    faq = set(rule_intents(FAQ_ACTION))
    practical = set(practical_intents())
    kinds = {"faq": faq, "practical": practical, "safety": {"emergency", "ask_personal_advice"},
             "out_of_scope": {"out_of_scope"}}
    domain = {str(i) for i in (load_yaml(paths.DOMAIN_FILE) or {}).get("intents") or []}
    kinds["conversation"] = domain - set().union(*kinds.values())
    blocks = [(path.name, str(block["intent"]), block_language(block))
              for path in sorted(paths.NLU_DIR.glob("*.yml"))
              for block in (load_yaml(path) or {}).get("nlu") or [] if isinstance(block, dict) and "intent" in block]
    expected = [(f"{kind}{suffix}.yml", intent, language) for kind, intents in kinds.items() for intent in intents
                for suffix, language in (("", ENGLISH), ("_es", SPANISH))]
    assert sorted(blocks) == sorted(expected)


def test_adds_one_line_after_the_last_example_of_the_intents_block_and_keeps_the_rest(nlu_copy):
    before = snapshot(nlu_copy)
    mine = [e for e in read_all(nlu_copy.glob("*.yml")) if e.intent == "ask_insurance" and e.language == ENGLISH]
    assert {e.file.name for e in mine} == {"faq.yml"}  # one English block, in the FAQ topics' file
    last = mine[-1]
    [outcome] = TrainingData(nlu_copy).add("ask_insurance", [NEW_TEXT])
    assert outcome.added, outcome
    assert outcome.detail == f"ask_insurance (faq.yml:{last.line + 1})"
    after = snapshot(nlu_copy)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [last.file.name]
    old_lines, new_lines = before[last.file.name].splitlines(), after[last.file.name].splitlines()
    assert new_lines[last.line] == "    - " + NEW_TEXT  # right after the last example, same indentation
    assert new_lines[: last.line] + new_lines[last.line + 1:] == old_lines  # comments and layout untouched
    added = [e for e in read_examples(last.file) if e.text == NEW_TEXT]
    assert [(e.intent, e.line) for e in added] == [("ask_insurance", last.line + 1)]
    assert [p for p in run_checks(nlu_dir=nlu_copy) if p.level == "error"] == []


def test_a_spanish_example_goes_to_the_spanish_block_of_its_topic(nlu_copy):
    last = [e for e in read_examples(nlu_copy / "faq_es.yml") if e.intent == "ask_insurance"][-1]
    text = "la aseguranza de mi esposo cubre la ablacion de los nervios de la rodilla"
    [outcome] = TrainingData(nlu_copy).add("ask_insurance", [text], SPANISH)
    assert outcome.added and outcome.detail == f"ask_insurance (faq_es.yml:{last.line + 1})"
    [added] = [e for e in read_examples(nlu_copy / "faq_es.yml") if e.text == text]
    assert (added.intent, added.language) == ("ask_insurance", SPANISH)
    assert [p for p in run_checks(nlu_dir=nlu_copy) if p.level == "error"] == []


def test_an_unknown_language_is_refused_and_nothing_changes(nlu_copy):
    before = snapshot(nlu_copy)
    [outcome] = TrainingData(nlu_copy).add("ask_insurance", [NEW_TEXT], "fr")
    assert not outcome.added and "unknown language 'fr'" in outcome.detail
    assert snapshot(nlu_copy) == before


def test_a_message_of_the_spanish_holdout_is_refused(nlu_copy):
    [example] = read_examples(paths.SPANISH_HOLDOUT_FILE)[:1]
    [outcome] = TrainingData(nlu_copy).add(example.intent, [example.text], SPANISH)
    assert not outcome.added and "hold-out" in outcome.detail


def test_an_example_of_a_practical_topic_goes_to_practical_yml(nlu_copy):
    last = [e for e in read_examples(nlu_copy / "practical.yml") if e.intent == "ask_parking"][-1]
    [outcome] = TrainingData(nlu_copy).add("ask_parking", ["is the lot behind the building free for patients"])
    assert outcome.added and outcome.detail == f"ask_parking (practical.yml:{last.line + 1})"


def test_an_intent_with_a_second_block_is_refused_naming_both(nlu_copy):
    with (nlu_copy / "out_of_scope.yml").open("a", encoding="utf-8") as out:
        out.write("- intent: ask_parking\n  examples: |\n    - where do visitors leave their cars\n")
    first = next(e for e in read_examples(nlu_copy / "practical.yml") if e.intent == "ask_parking")
    before = snapshot(nlu_copy)
    [outcome] = TrainingData(nlu_copy).add("ask_parking", ["is the lot behind the building free for patients"])
    assert not outcome.added
    assert outcome.detail.startswith("intent 'ask_parking' has 2 blocks in 'en' (out_of_scope.yml:")
    assert f"practical.yml:{first.line - 2}); every intent has one per language" in outcome.detail
    assert snapshot(nlu_copy) == before


def test_unknown_intent_is_refused_with_the_close_names(nlu_copy):
    before = snapshot(nlu_copy)
    [outcome] = TrainingData(nlu_copy).add("ask_insurence", [NEW_TEXT])
    assert not outcome.added
    assert outcome.detail.startswith("unknown intent 'ask_insurence': did you mean ask_insurance")
    assert snapshot(nlu_copy) == before


def test_spreadsheet_spelling_of_an_intent_is_accepted(nlu_copy):
    [outcome] = TrainingData(nlu_copy).add("Ask Insurance", [NEW_TEXT])
    assert outcome.added and outcome.intent == "ask_insurance"


def test_near_duplicate_is_refused_naming_the_intent_that_has_it(nlu_copy):
    existing = next(e for e in read_all(nlu_copy.glob("*.yml")) if e.intent == "out_of_scope")
    shouted = existing.text.upper().replace(" ", "   ") + " ?!"
    before = snapshot(nlu_copy)
    [outcome] = TrainingData(nlu_copy).add("ask_insurance", [shouted])
    assert not outcome.added
    assert outcome.detail == (f"already in intent 'out_of_scope' as '{existing.text}' "
                              f"({existing.file.name}:{existing.line})")
    assert snapshot(nlu_copy) == before


def test_duplicates_within_one_call_are_caught(nlu_copy):
    first, second = TrainingData(nlu_copy).add("ask_insurance", [NEW_TEXT, NEW_TEXT.capitalize() + "?"])
    assert first.added and not second.added
    assert second.detail.startswith("already in this intent as")


def test_holdout_example_is_rejected(nlu_copy):
    held_out = read_all([paths.HOLDOUT_FILE])[0]
    [outcome] = TrainingData(nlu_copy).add(held_out.intent, [held_out.text])
    assert not outcome.added
    assert "hold-out test set (tests/nlu/holdout.yml:" in outcome.detail


@pytest.mark.parametrize("text,reason", [
    ("/ask_cost", "a leading '/' is how buttons send an intent"),
    ("is [RFA](procedure) covered", "square brackets are entity markup"),
    ("   ", "the example is empty"),
    ("...", "the example has no words"),
    ("cost\x00", "control characters"),
])
def test_texts_that_are_no_patient_sentence_are_refused(nlu_copy, text, reason):
    [outcome] = TrainingData(nlu_copy).add("ask_cost", [text])
    assert not outcome.added and reason in outcome.detail


def test_cli_help_and_exit_codes(nlu_copy, capsys):
    with pytest.raises(SystemExit) as help_exit:
        add_example.main(["--help"])
    assert help_exit.value.code == 0
    assert "ask_insurance" in capsys.readouterr().out
    assert add_example.main(["ask_cost", "how pricey is a nerve block all in", "--nlu-dir", str(nlu_copy)]) == 0
    assert add_example.main(["ask_cost", "How pricey is a nerve block, all in?", "--nlu-dir", str(nlu_copy)]) == 1
    out = capsys.readouterr().out
    assert "added 'how pricey is a nerve block all in': ask_cost (faq.yml:" in out
    assert "refused 'How pricey is a nerve block, all in?': already in this intent" in out


def test_validator_reports_an_unknown_entity_in_markup_with_file_and_line(nlu_copy):
    faq = nlu_copy / "faq.yml"
    last = [e for e in read_examples(faq) if e.intent == "ask_cost"][-1]
    lines = faq.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(last.line, '    - is [rfa]{"entity": "gadget"} pricey\n')
    faq.write_text("".join(lines), encoding="utf-8")
    errors = [str(p) for p in run_checks(nlu_dir=nlu_copy) if p.level == "error"]
    assert len(errors) == 1 and f"faq.yml:{last.line + 1}: error: unknown entity 'gadget'" in errors[0]
