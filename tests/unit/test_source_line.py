"""The line under an answer that says where it comes from: the marker's "source_line" (clinic_bot/content/articles.py)
for a curated answer, a variant, a Spanish reply with and without a reviewed translation, and a practical answer;
clinic.yml's article_links and what it refuses; the registry's check in `make validate`. Titles and links are read
from knowledge/articles.yml and the configs written here, never copied: staff edit the titles."""
import datetime as dt
import os
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml

from actions.reply import ActionReply
from clinic_bot import paths
from clinic_bot.content.articles import source_line
from clinic_bot.content.clinic_config import ClinicConfigError, load_clinic_details
from clinic_bot.content.knowledge import ReloadingKnowledge, Source, load_knowledge
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.tools.validate import check_answers, rule_intents, run_checks
from clinic_bot.tools.validate_articles import article_files, check_articles
from clinic_bot.tools.validate_clinic import check_clinic
from tests.conftest import make_tracker
from tests.unit.test_practical_answers import REQUIRED_ONLY
from tests.unit.text_edits import copy_with

REGISTRY = yaml.safe_load(paths.ARTICLES_FILE.read_text(encoding="utf-8"))["articles"]
INTENT = "ask_what_is_pain_management"  # a general answer citing two articles, each more than once
VARIANT = ("procedure", "radiofrequency_ablation")


def titles(sources: Tuple[Source, ...], language: str = "en") -> List[str]:
    """The registry's titles of the articles ``sources`` cite, each once, in order."""
    files = dict.fromkeys(source.file for source in sources)
    return [REGISTRY[file]["es"]["title"] if language == "es" else REGISTRY[file]["title"] for file in files]


def shown_titles(marker: Dict[str, Any]) -> List[str]:
    return [article["title"] for article in marker["source_line"]["articles"]]



def with_links(tmp_path: Path, links: Dict[str, str]) -> Path:
    """A copy of the repo's clinic.yml with these article_links."""
    return copy_with(tmp_path, paths.CLINIC_CONFIG_FILE, lambda data: data.update(article_links=links))


# The marker ---------------------------------------------------------------------------------------------------------

def test_a_curated_answer_names_each_article_it_cites_once_and_its_review_date(knowledge):
    answer = knowledge.answers[INTENT]
    marker = knowledge.faq(INTENT, {}).marker
    assert len({s.file for s in answer.sources}) > 1 < len(answer.sources)  # several articles, some cited twice
    assert shown_titles(marker) == titles(answer.sources)
    assert marker["source_line"]["reviewed"] == answer.reviewed
    assert marker["source_line"]["reviewed_language"] == "en"
    assert all(set(article) == {"title"} for article in marker["source_line"]["articles"])  # no link by default


@pytest.mark.parametrize("intent", sorted(rule_intents("action_answer_faq")))
def test_every_curated_answer_has_a_line_with_every_article_it_cites(knowledge, intent):
    answer = knowledge.answers[intent]
    for language in ("en", "es"):
        marker = knowledge.faq(intent, {}, language=language).marker
        assert shown_titles(marker) == titles(answer.sources, marker["language"]), (intent, language)


def test_a_variant_names_its_own_articles_with_the_answers_review_date(knowledge):
    kind, value = VARIANT
    answer = knowledge.answers["ask_procedure_info"]
    variant = answer.variants[kind][value]
    marker = knowledge.faq("ask_procedure_info", {kind: value}).marker
    assert marker["variant"] == f"{kind}:{value}"
    assert shown_titles(marker) == titles(variant.sources) != titles(answer.sources)
    assert (marker["source_line"]["reviewed"], marker["source_line"]["reviewed_language"]) == (answer.reviewed, "en")


def test_a_spanish_reply_whose_translation_is_not_reviewed_gives_the_englishs_date(knowledge):
    answer = knowledge.answers[INTENT]
    assert answer.es is not None and not answer.es.reviewed  # the repo's translations await review, and are shown
    marker = knowledge.faq(INTENT, {}, language="es").marker
    assert marker["language"] == "es"
    assert shown_titles(marker) == titles(answer.sources, "es")
    assert (marker["source_line"]["reviewed"], marker["source_line"]["reviewed_language"]) == (answer.reviewed, "en")


def test_a_spanish_reply_whose_translation_is_reviewed_gives_its_own_date(tmp_path):
    kind, value = VARIANT

    def review(data: Dict[str, Any]) -> None:
        data["answers"][INTENT]["es"]["reviewed"] = dt.date(2026, 12, 1)
        data["answers"]["ask_procedure_info"][f"by_{kind}"][value]["es"]["reviewed"] = dt.date(2026, 12, 2)

    knowledge = load_knowledge(answers_file=copy_with(tmp_path, paths.ANSWERS_FILE, review))
    line = knowledge.faq(INTENT, {}, language="es").marker["source_line"]
    assert (line["reviewed"], line["reviewed_language"]) == ("2026-12-01", "es")
    line = knowledge.faq("ask_procedure_info", {kind: value}, language="es").marker["source_line"]
    assert (line["reviewed"], line["reviewed_language"]) == ("2026-12-02", "es")
    english = knowledge.faq(INTENT, {}).marker["source_line"]  # the English keeps its own date
    assert (english["reviewed"], english["reviewed_language"]) == (knowledge.answers[INTENT].reviewed, "en")


def test_the_english_shown_to_a_spanish_speaking_patient_has_the_english_line(tmp_path):
    knowledge = load_knowledge(answers_file=copy_with(tmp_path, paths.ANSWERS_FILE,
                                                   lambda data: data["answers"][INTENT].pop("es")))
    spanish = knowledge.faq(INTENT, {}, language="es").marker
    assert (spanish["language"], spanish["wanted"]) == ("en", "es")
    assert spanish["source_line"] == knowledge.faq(INTENT, {}).marker["source_line"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_practical_answer_comes_from_the_clinics_details(knowledge, language):
    for intent in ("ask_hours", "ask_location", "ask_refill"):
        assert knowledge.practical(intent, language=language).marker["source_line"] == {"clinic_details": True}


def test_a_practical_answer_whose_detail_is_empty_still_comes_from_the_clinics_details(tmp_path):
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(yaml.safe_dump(REQUIRED_ONLY))
    reply = load_knowledge(clinic_file=clinic).practical("ask_location")
    assert reply.marker["unset"] and reply.marker["source_line"] == {"clinic_details": True}


@pytest.mark.parametrize("key", ["disclaimer", "fallback", "greet", "helpful_question", "ask_personal_advice",
                                 "general_not_your_case", "emergency", "check_in", "no_answer", "unavailable"])
def test_other_messages_have_no_line(knowledge, key):
    assert "source_line" not in knowledge.message(key).marker
    assert "source_line" not in knowledge.message(key, language="es").marker


def test_after_a_refused_personal_question_only_the_general_answer_has_a_line(dispatcher, knowledge):
    triage = {"level": "personal", "general_intent": {"name": "ask_procedures", "confidence": 0.9}}
    ActionReply().run(dispatcher, make_tracker("ask_personal_advice", "i have knee arthritis, what procedures do you "
                                               "offer", triage=triage), {})
    lines = {m["custom"]["answer"]: m["custom"].get("source_line") for m in dispatcher.messages}
    assert lines == {"ask_personal_advice": None, "general_not_your_case": None, "helpful_question": None,
                     "ask_procedures": knowledge.faq("ask_procedures", {}).marker["source_line"]}


def test_an_article_missing_from_the_registry_is_left_out_and_none_leaves_no_line(tmp_path, knowledge):
    answer = knowledge.answers[INTENT]
    first, second = dict.fromkeys(s.file for s in answer.sources)
    registry = copy_with(tmp_path, paths.ARTICLES_FILE, lambda data: data["articles"].pop(first))
    unlinked = copy_with(tmp_path, paths.CLINIC_CONFIG_FILE, lambda data: data.pop("article_links"))
    marker = load_knowledge(clinic_file=unlinked, articles_file=registry).faq(INTENT, {}).marker
    assert shown_titles(marker) == [REGISTRY[second]["title"]]
    missing = tmp_path / "no-registry.yml"
    assert "source_line" not in load_knowledge(clinic_file=unlinked, articles_file=missing).faq(INTENT, {}).marker


def test_a_date_that_is_not_one_is_left_out():
    assert source_line([("A title", "")], "2026-11-22") == {"articles": [{"title": "A title"}],
                                                             "reviewed": "2026-11-22", "reviewed_language": "en"}
    for bad in ("", "November 2026", "2026-13-01", "2026-02-31"):
        assert source_line([("A title", "")], bad) == {"articles": [{"title": "A title"}]}, bad
    assert source_line(clinic_details=True) == {"clinic_details": True}


def test_an_edited_title_reaches_patients_without_a_restart(tmp_path):
    registry = Path(copy_with(tmp_path, paths.ARTICLES_FILE, lambda data: None))
    clock = [1000.0]
    knowledge = ReloadingKnowledge(paths.ANSWERS_FILE, paths.MESSAGES_FILE, paths.CLINIC_CONFIG_FILE,
                                   clock=lambda: clock[0], articles_file=registry)
    file = knowledge().answers["ask_insurance"].sources[0].file
    before = registry.stat().st_mtime_ns
    copy_with(tmp_path, registry, lambda data: data["articles"][file].update(title="An edited title"))
    os.utime(registry, ns=(before + 1_000_000_000, before + 1_000_000_000))
    clock[0] += 1.0
    assert shown_titles(knowledge().faq("ask_insurance", {}).marker) == ["An edited title"]


# clinic.yml's article_links -----------------------------------------------------------------------------------------

def test_the_demo_clinic_names_every_article_without_a_link():
    config = load_yaml(paths.CLINIC_CONFIG_FILE)
    assert sorted(config["article_links"]) == article_files() and set(config["article_links"].values()) == {""}
    assert load_clinic_details(paths.CLINIC_CONFIG_FILE).article_links == {}


def test_a_configured_link_is_given_with_its_title_only(tmp_path, knowledge):
    answer = knowledge.answers[INTENT]
    first, second = dict.fromkeys(s.file for s in answer.sources)
    url = "https://clinic.example/articles/first"
    clinic = with_links(tmp_path, {first: url, second: ""})
    linked = load_knowledge(clinic_file=clinic)
    assert linked.clinic.article_links == {first: url}
    for language in ("en", "es"):
        articles = linked.faq(INTENT, {}, language=language).marker["source_line"]["articles"]
        assert [article.get("url") for article in articles] == [url, None]


@pytest.mark.parametrize("links, says", [
    ({"000_245b2c6ddc9feabd.txt": "http://clinic.example/a"}, "https"),
    ({"000_245b2c6ddc9feabd.txt": "javascript:alert(1)"}, "https"),
    ({"000_245b2c6ddc9feabd.txt": "clinic.example/a"}, "https"),
    ({"000_245b2c6ddc9feabd.txt": "https://"}, "https"),
    ({"000_245b2c6ddc9feabd.txt": "https://clinic.example/a b"}, "https"),
    ({"999_not_an_article.txt": "https://clinic.example/a"}, "999_not_an_article.txt"),
    ({"SHA256SUMS": ""}, "SHA256SUMS"),  # beside the articles, not one
    (["https://clinic.example/a"], "article_links"),
])
def test_a_bad_link_is_refused_with_its_file_and_line(tmp_path, links, says):
    clinic = with_links(tmp_path, links)
    config = load_yaml(clinic)
    line = line_of(config["article_links"], next(iter(links))) if isinstance(links, dict) else line_of(
        config, "article_links")
    with pytest.raises(ClinicConfigError) as refused:
        load_clinic_details(clinic)
    assert str(refused.value).startswith(f"{clinic}:{line}: ") and says in str(refused.value)
    [problem] = check_clinic(clinic)  # `make validate` reports it at that line
    assert (problem.level, problem.code, problem.file, problem.line) == ("error", "clinic_unreadable", clinic, line)
    assert says in problem.message


def test_an_empty_link_and_no_block_are_no_link(tmp_path):
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(yaml.safe_dump({**REQUIRED_ONLY, "article_links": {article_files()[0]: None}}))
    assert load_clinic_details(clinic).article_links == {}
    assert [p for p in check_clinic(clinic) if p.level == "error"] == []
    clinic.write_text(yaml.safe_dump(REQUIRED_ONLY))
    assert load_clinic_details(clinic).article_links == {}


# `make validate`: the registry --------------------------------------------------------------------------------------

def test_the_registry_names_every_article_with_both_titles_and_has_no_problem():
    assert sorted(REGISTRY) == article_files()
    assert all(entry["title"].strip() and entry["es"]["title"].strip() for entry in REGISTRY.values())
    assert check_articles() == []
    assert [p for p in run_checks() if p.file == paths.ARTICLES_FILE] == []


def test_a_cited_article_without_an_entry_is_an_error_naming_where_it_is_cited(tmp_path, knowledge):
    file = knowledge.answers["ask_insurance"].sources[0].file
    registry = copy_with(tmp_path, paths.ARTICLES_FILE, lambda data: data["articles"].pop(file))
    [problem] = check_articles(registry)
    cited = load_yaml(paths.ANSWERS_FILE)["answers"]
    first = next(source for entry in cited.values() for source in entry["sources"] if source["file"] == file)
    assert (problem.level, problem.code, problem.file) == ("error", "article_not_registered", registry)
    assert problem.line == line_of(load_yaml(registry), "articles")
    assert dict(problem.values) == {"file": file, "cited_at": f"{paths.ANSWERS_FILE.name}:{line_of(first)}"}
    assert file in str(problem) and f"{paths.ANSWERS_FILE.name}:{line_of(first)}" in str(problem)


def test_an_entry_without_a_title_or_a_spanish_title_or_of_no_article_is_an_error_at_its_line(tmp_path):
    first, second, third = article_files()[:3]

    def change(data: Dict[str, Any]) -> None:
        data["articles"][first]["title"] = ""
        del data["articles"][second]["es"]
        data["articles"][third]["es"]["title"] = " "
        data["articles"]["999_not_an_article.txt"] = {"title": "A title", "es": {"title": "Un título"}}

    registry = copy_with(tmp_path, paths.ARTICLES_FILE, change)
    articles = load_yaml(registry)["articles"]
    found = [(p.level, p.code, p.values["file"], p.line) for p in check_articles(registry)]
    assert found == [
        ("error", "article_without_title", first, line_of(articles, first)),
        ("error", "article_without_spanish_title", second, line_of(articles, second)),
        ("error", "article_without_spanish_title", third, line_of(articles[third], "es")),
        ("error", "article_unknown_file", "999_not_an_article.txt", line_of(articles, "999_not_an_article.txt")),
    ]


def test_a_registry_that_is_not_a_mapping_is_an_error(tmp_path):
    registry = tmp_path / "articles.yml"
    registry.write_text("articles:\n  - 000_245b2c6ddc9feabd.txt\n")
    assert [p.code for p in check_articles(registry)] == ["articles_not_mapping"]


def test_a_citation_of_no_article_is_left_to_the_answers_check(tmp_path):
    """An answer citing a file that is not an article is the answers' error (unknown_source_file), not the
    registry's too."""
    def change(data: Dict[str, Any]) -> None:
        data["answers"]["ask_insurance"]["sources"][0]["file"] = "999_not_an_article.txt"

    answers = copy_with(tmp_path, paths.ANSWERS_FILE, change)
    domain = {str(i) for i in yaml.safe_load(paths.DOMAIN_FILE.read_text())["intents"]}
    assert check_articles(answers_file=answers) == []
    assert "unknown_source_file" in [p.code for p in check_answers(rule_intents("action_answer_faq"), domain,
                                                                   dt.date.today(), answers)]
