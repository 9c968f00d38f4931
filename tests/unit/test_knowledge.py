"""The knowledge files: complete, sourced, and free of invented promises."""
import datetime as dt
import hashlib
import logging
import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Set

import pytest
import yaml

from clinic_bot import paths
from clinic_bot.content.knowledge import Knowledge, ReloadingKnowledge, load_knowledge
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.intents import FAQ_ACTION
from clinic_bot.tools.answer_parts import CURATED, MESSAGE, SOURCES, TEXT, AnswerPart
from clinic_bot.tools.problems import Problem
from clinic_bot.tools.validate import FAQ_RULES, check_answers, check_messages, rule_intents, run_checks

FAQ_INTENTS = sorted(rule_intents(FAQ_ACTION))


def test_the_validator_finds_no_errors():
    errors = [str(p) for p in run_checks() if p.level == "error"]
    assert errors == []


def test_every_intent_routed_to_the_faq_action_has_an_answer_and_every_answer_a_rule(knowledge):
    assert FAQ_INTENTS, f"no rule runs {FAQ_ACTION}"  # else the equality below would hold vacuously
    assert sorted(knowledge.answers) == FAQ_INTENTS


def test_the_faq_intents_of_domain_and_rules_are_checked_against_the_answers(tmp_path):
    """answers.yml, the rules to the FAQ action and domain.yml must name the same intents: each missing piece is an
    error naming where it goes (the answer, or the rule and the intent Rasa needs)."""
    new = "ask_topic_not_in_the_data"
    domain_intents = {str(i) for i in yaml.safe_load(paths.DOMAIN_FILE.read_text())["intents"]}
    today = dt.date.today()

    def errors(routed: Set[str], domain: Set[str], file: Path = paths.ANSWERS_FILE) -> Set[Any]:
        """(code, values) of each error."""
        return {(p.code, tuple(sorted(p.values.items())))
                for p in check_answers(routed, domain, today, file) if p.level == "error"}

    def about(**values: str) -> Any:
        return tuple(sorted({"kind": "FAQ", "intent": new, **values}.items()))

    assert errors(set(FAQ_INTENTS) | {new}, domain_intents | {new}) == {("intent_without_answer", about())}
    entry = {**yaml.safe_load(paths.ANSWERS_FILE.read_text())["answers"][FAQ_INTENTS[0]], "title": "A new topic"}
    copy = copy_with(tmp_path, paths.ANSWERS_FILE, lambda data: data["answers"].update({new: entry}))
    assert errors(set(FAQ_INTENTS), domain_intents, copy) == {("answer_without_intent", about())}
    assert errors(set(FAQ_INTENTS), domain_intents | {new}, copy) == {
        ("answer_without_rule", about(action=FAQ_ACTION, rules_file=FAQ_RULES))}
    assert errors(set(FAQ_INTENTS) | {new}, domain_intents | {new}, copy) == set()


def test_every_source_names_a_seed_article_and_an_exact_heading(knowledge):
    for answer in knowledge.answers.values():
        variants = [v for kind in answer.variants.values() for v in kind.values()]
        for source in [*answer.sources, *(s for v in variants for s in v.sources)]:
            article = paths.SOURCES_DIR / source.file
            assert article.is_file(), source
            assert source.section in {line.strip() for line in article.read_text().splitlines()}, source


SEEDS = paths.REPO_ROOT.parent / "shared" / "seeds"  # the clinic's articles as received, beside the checkout
MANIFEST = paths.SOURCES_DIR / "SHA256SUMS"  # their checksums, recorded when they were copied in


def checksums(folder: Path) -> Dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.txt"))}


def test_sources_are_the_articles_as_received():
    """The copies are unchanged since they were taken: every medical statement is traced to these files."""
    recorded = dict(reversed(line.split()) for line in MANIFEST.read_text().splitlines() if line.strip())
    assert checksums(paths.SOURCES_DIR) == recorded


@pytest.mark.skipif(not SEEDS.is_dir(), reason="no ../shared/seeds beside the checkout: the checksums above still hold")
def test_sources_are_the_clinic_seed_articles():
    assert checksums(SEEDS) == checksums(paths.SOURCES_DIR)


PROMISES = re.compile(r"will be covered|guarantee|100%|always works|no risk|risk-free|cure[sd]?\b", re.I)


def test_no_answer_promises_coverage_results_or_safety(knowledge):
    texts = [a.text for a in knowledge.answers.values()]
    texts += [v.text for a in knowledge.answers.values() for kind in a.variants.values() for v in kind.values()]
    assert [t for t in texts if PROMISES.search(t)] == []


def test_a_safety_message_without_its_numbers_is_refused(tmp_path, monkeypatch):
    messages = yaml.safe_load(paths.MESSAGES_FILE.read_text())
    messages["messages"]["emergency"]["text"] = "Please see a doctor soon."
    messages["messages"]["crisis_line_gentle"]["text"] = "We are here for you."
    edited = tmp_path / "messages.yml"
    edited.write_text(yaml.safe_dump(messages, allow_unicode=True))
    monkeypatch.setattr(paths, "MESSAGES_FILE", edited)
    errors = [(p.code, p.part.intent if p.part else None, dict(p.values)) for p in run_checks() if p.level == "error"]
    assert ("safety_numbers_missing", "emergency", {"missing": "911, 988, {after_hours_phone}"}) in errors, errors
    assert ("safety_numbers_missing", "crisis_line_gentle", {"missing": "988"}) in errors, errors
    [emergency] = [p for p in run_checks() if p.code == "safety_numbers_missing" and p.part.intent == "emergency"]
    assert "must keep 911 and 988 and {after_hours_phone}" in emergency.message  # the command line's words


def test_procedure_info_has_a_variant_for_every_procedure(knowledge):
    procedures = set(__import__("yaml").safe_load(paths.ENTITY_PATTERNS_FILE.read_text())["procedure"])
    assert set(knowledge.answers["ask_procedure_info"].variants["procedure"]) == procedures


def test_clinic_details_fill_every_placeholder(knowledge):
    for key in knowledge.messages:
        assert "{" not in knowledge.message(key, topic="x").text, key


# A stray bracket, attribute access, a format spec and an unknown name in one text, with a known placeholder.
BAD_TEXT = "Call {phone} ({phone.__class__.__mro__}, {phone:>9}) about {opening_times}, or {soon."
BAD_FIELDS = ("{phone.__class__.__mro__}", "{phone:>9}", "{opening_times}", "curly bracket {")
BAD_CODES = [("malformed_placeholder", "{phone.__class__.__mro__}"), ("malformed_placeholder", "{phone:>9}"),
             ("unknown_placeholder", "{opening_times}"), ("lone_opening_bracket", None)]  # in the order of the text
INTERNALS = ("<class", "__mro__)", "object'>")  # what evaluating {phone.__class__.__mro__} would show


def copy_with(tmp_path: Path, source: Path, change: Callable[[Dict[str, Any]], None]) -> Path:
    data = yaml.safe_load(source.read_text())
    change(data)
    copy = tmp_path / source.name
    copy.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return copy


def assert_each_bad_field_reported(problems: List[Problem], file: Path, line: int, part: AnswerPart) -> None:
    errors = [p for p in problems if p.level == "error" and p.part == part]
    assert [(p.code, p.values.get("written")) for p in errors] == BAD_CODES, errors
    assert {(p.file, p.line) for p in errors} == {(file, line)}, errors
    for field in BAD_FIELDS:  # the command line's words name each bracket
        assert len([p for p in errors if field in p.message]) == 1, (field, errors)


def test_validate_reports_every_bad_brace_of_an_answer_and_a_variant_with_its_line(tmp_path):
    intent = "ask_procedure_info"
    value = sorted(yaml.safe_load(paths.ANSWERS_FILE.read_text())["answers"][intent]["by_procedure"])[0]

    def change(data: Dict[str, Any]) -> None:
        data["answers"][intent]["text"] = BAD_TEXT
        data["answers"][intent]["by_procedure"][value]["text"] = BAD_TEXT

    copy = copy_with(tmp_path, paths.ANSWERS_FILE, change)
    domain_intents = {str(i) for i in yaml.safe_load(paths.DOMAIN_FILE.read_text())["intents"]}
    problems = check_answers(set(FAQ_INTENTS), domain_intents, dt.date.today(), copy)
    answers = load_yaml(copy)["answers"]
    assert_each_bad_field_reported(problems, copy, line_of(answers, intent), AnswerPart(CURATED, intent, field=TEXT))
    assert_each_bad_field_reported(problems, copy, line_of(answers[intent]["by_procedure"], value),
                                   AnswerPart(CURATED, intent, "procedure", value, field=TEXT))


def test_validate_names_a_wrong_section_by_its_file_and_line_and_the_section(tmp_path):
    """The problem as data (code, values, part, file and line), and the command line's words built from it."""
    intent = FAQ_INTENTS[0]
    wrong = "A heading that is in no article"

    def change(data: Dict[str, Any]) -> None:
        data["answers"][intent]["sources"][0]["section"] = wrong

    copy = copy_with(tmp_path, paths.ANSWERS_FILE, change)
    domain_intents = {str(i) for i in yaml.safe_load(paths.DOMAIN_FILE.read_text())["intents"]}
    [found] = [p for p in check_answers(set(FAQ_INTENTS), domain_intents, dt.date.today(), copy) if p.level == "error"]
    source = load_yaml(copy)["answers"][intent]["sources"][0]
    assert (found.code, dict(found.values)) == ("section_not_in_article", {"section": wrong, "file": source["file"]})
    assert (found.file, found.line, found.part) == (copy, line_of(source), AnswerPart(CURATED, intent, field=SOURCES,
                                                                                      source=1))
    shown = str(found)  # what `make validate` prints
    assert shown.startswith(f"{copy}:{line_of(source)}: error: answer '{intent}'"), shown
    assert f"'{wrong}'" in shown and source["file"] in shown


def test_validate_reports_every_bad_brace_of_a_message_with_its_line(tmp_path, monkeypatch):
    def change(data: Dict[str, Any]) -> None:
        data["messages"]["fallback"]["text"] = BAD_TEXT
        data["messages"]["disclaimer"]["text"] += " About {topic}."  # only no_specific_info is given the topic

    copy = copy_with(tmp_path, paths.MESSAGES_FILE, change)
    monkeypatch.setattr(paths, "MESSAGES_FILE", copy)
    problems = check_messages(rule_intents("action_reply"))
    messages = load_yaml(copy)["messages"]
    assert_each_bad_field_reported(problems, copy, line_of(messages, "fallback"),
                                   AnswerPart(MESSAGE, "fallback", field=TEXT))
    assert [(p.line, p.code) for p in problems if p.values.get("written") == "{topic}"] == [
        (line_of(messages, "disclaimer"), "message_only_placeholder")]
    # The English changed after its translation: the Spanish is stale (a warning), and its placeholders differ.
    assert ("translation_stale", "warning") in [(p.code, p.level) for p in problems
                                                if p.part == AnswerPart(MESSAGE, "fallback", field="translates",
                                                                        language="es")]


def knowledge_with_bad_texts(tmp_path: Path) -> Knowledge:
    """The knowledge with BAD_TEXT in an answer, a variant, a message, and a practical answer's text, its `more`
    and its if_unset: what a hand edit that skipped `make validate` would leave on disk."""
    def answers(data: Dict[str, Any]) -> None:
        data["answers"]["ask_insurance"]["text"] = BAD_TEXT
        variants = data["answers"]["ask_procedure_info"]["by_procedure"]
        variants[sorted(variants)[0]]["text"] = BAD_TEXT

    def messages(data: Dict[str, Any]) -> None:
        data["messages"]["fallback"]["text"] = BAD_TEXT
        data["messages"]["no_specific_info"]["text"] += " " + BAD_TEXT

    def practical(data: Dict[str, Any]) -> None:
        data["answers"]["ask_contact"]["text"] = BAD_TEXT.replace("{opening_times}", "us")
        data["answers"]["ask_contact"]["more"] = ["A sentence naming {opening_times}.", "Fax {phone:>9}."]
        data["answers"]["ask_location"]["if_unset"] = BAD_TEXT

    clinic = tmp_path / "clinic.yml"
    config = yaml.safe_load(paths.CLINIC_CONFIG_FILE.read_text())
    config["locations"][0]["address"] = ""  # ask_location then needs its if_unset
    clinic.write_text(yaml.safe_dump(config))
    return load_knowledge(copy_with(tmp_path, paths.ANSWERS_FILE, answers),
                          copy_with(tmp_path, paths.MESSAGES_FILE, messages), clinic,
                          copy_with(tmp_path, paths.PRACTICAL_ANSWERS_FILE, practical))


def assert_shown_as_written(text: str, phone: str) -> None:
    assert phone in text and "{phone}" not in text  # the known placeholder is still filled
    assert "{phone.__class__.__mro__}" in text and "{phone:>9}" in text  # as written: not evaluated, not padded
    assert not any(shown in text for shown in INTERNALS), text


def test_bad_braces_on_disk_never_fail_a_reply_nor_show_internals(tmp_path):
    knowledge = knowledge_with_bad_texts(tmp_path)
    phone = knowledge.clinic.phone
    assert_shown_as_written(knowledge.faq("ask_insurance", {}).text, phone)
    value = sorted(knowledge.answers["ask_procedure_info"].variants["procedure"])[0]
    assert_shown_as_written(knowledge.faq("ask_procedure_info", {"procedure": value}).text, phone)
    assert_shown_as_written(knowledge.message("fallback").text, phone)
    general = knowledge.faq("ask_insurance", {"procedure": "no_variant_for_this"})  # with no_specific_info first
    assert_shown_as_written(general.text, phone)
    assert "no variant for this" in general.text  # {topic}, which only this message may use, is still filled
    contact = knowledge.practical("ask_contact").text
    assert_shown_as_written(contact, phone)
    assert "{opening_times}" not in contact  # a `more` sentence naming an unknown detail is left out
    assert_shown_as_written(knowledge.practical("ask_location").text, phone)  # the if_unset
    assert set(knowledge.unfillable()) == {
        "answer 'ask_insurance'", f"answer 'ask_procedure_info' variant '{value}'", "message 'fallback'",
        "message 'no_specific_info'", "practical answer 'ask_contact'", "practical answer 'ask_location' (if_unset)"}


def test_the_servers_log_the_texts_they_show_brackets_of(tmp_path, caplog):
    knowledge = knowledge_with_bad_texts(tmp_path)
    reloading = ReloadingKnowledge(tmp_path / "answers.yml", tmp_path / "messages.yml", tmp_path / "clinic.yml",
                                   practical_answers_file=tmp_path / "practical_answers.yml")
    with caplog.at_level(logging.WARNING, logger="clinic_bot.content.knowledge"):
        assert reloading().faq("ask_insurance", {}).text == knowledge.faq("ask_insurance", {}).text
    [record] = [r for r in caplog.records if r.name == "clinic_bot.content.knowledge" and r.levelno == logging.WARNING]
    assert "answer 'ask_insurance'" in record.getMessage() and "make validate" in record.getMessage()


def test_the_repos_texts_log_nothing(knowledge):
    assert knowledge.unfillable() == []
