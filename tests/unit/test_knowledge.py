"""The knowledge files: complete, sourced, and free of invented promises."""
import filecmp
import re

import yaml

from clinic_bot import paths
from clinic_bot.tools.validate import rule_intents, run_checks

FAQ_INTENTS = sorted(rule_intents("action_answer_faq"))


def test_the_validator_finds_no_errors():
    errors = [str(p) for p in run_checks() if p.level == "error"]
    assert errors == []


def test_every_faq_intent_has_an_answer_and_nothing_dangles(knowledge):
    assert len(FAQ_INTENTS) == 22
    assert sorted(knowledge.answers) == FAQ_INTENTS


def test_every_source_names_a_seed_article_and_an_exact_heading(knowledge):
    for answer in knowledge.answers.values():
        variants = [v for kind in answer.variants.values() for v in kind.values()]
        for source in [*answer.sources, *(s for v in variants for s in v.sources)]:
            article = paths.SOURCES_DIR / source.file
            assert article.is_file(), source
            assert source.section in {line.strip() for line in article.read_text().splitlines()}, source


def test_sources_are_the_clinic_seed_articles():
    seeds = paths.REPO_ROOT.parent / "shared" / "seeds"
    # Not a skip: without the clinic's articles beside the checkout nothing proves the copies are theirs.
    assert seeds.is_dir(), f"the clinic's seed articles are expected in {seeds} (../shared/seeds beside the checkout)"
    names = sorted(p.name for p in seeds.glob("*.txt"))
    assert sorted(p.name for p in paths.SOURCES_DIR.glob("*.txt")) == names
    assert all(filecmp.cmp(seeds / n, paths.SOURCES_DIR / n, shallow=False) for n in names)


PROMISES = re.compile(r"will be covered|guarantee|100%|always works|no risk|risk-free|cure[sd]?\b", re.I)


def test_no_answer_promises_coverage_results_or_safety(knowledge):
    texts = [a.text for a in knowledge.answers.values()]
    texts += [v.text for a in knowledge.answers.values() for kind in a.variants.values() for v in kind.values()]
    assert [t for t in texts if PROMISES.search(t)] == []


def test_a_safety_message_without_its_numbers_is_refused(tmp_path, monkeypatch):
    messages = yaml.safe_load(paths.MESSAGES_FILE.read_text())
    messages["messages"]["emergency"] = "Please see a doctor soon."
    messages["messages"]["crisis_line_gentle"] = "We are here for you."
    edited = tmp_path / "messages.yml"
    edited.write_text(yaml.safe_dump(messages))
    monkeypatch.setattr(paths, "MESSAGES_FILE", edited)
    errors = [p.message for p in run_checks() if p.level == "error"]
    assert any("'emergency' must keep 911 and 988 and {after_hours_phone}" in e for e in errors), errors
    assert any("'crisis_line_gentle' must keep 988" in e for e in errors), errors


def test_procedure_info_has_a_variant_for_every_procedure(knowledge):
    procedures = set(__import__("yaml").safe_load(paths.ENTITY_PATTERNS_FILE.read_text())["procedure"])
    assert set(knowledge.answers["ask_procedure_info"].variants["procedure"]) == procedures


def test_clinic_details_fill_every_placeholder(knowledge):
    for key in knowledge.messages:
        assert "{" not in knowledge.message(key, topic="x").text, key
