"""The Spanish texts beside the English ones (clinic_bot/content/translations.py): they load from every knowledge
file, a Spanish-speaking patient gets them with the English's markers and sources, and gets the English with the
notice first when a translation is missing, stale, or (unless clinic.yml shows them) not reviewed; the safety messages
always in Spanish. Asserts markers, codes and values read from the files, never the clinic's wording."""
import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
import yaml

from clinic_bot import paths
from clinic_bot.content.entity_values import name_message
from clinic_bot.content.knowledge import Knowledge, load_knowledge
from clinic_bot.content.practical_answers import parse_practical_answers
from clinic_bot.content.translations import (
    ALWAYS_IN_SPANISH,
    MISSING,
    SAFETY_MESSAGES,
    STALE,
    TRANSLATION_UNAVAILABLE,
    UNREVIEWED,
    Translation,
    choose,
    fingerprint,
)
from clinic_bot.content.triage_replies import check_in_reply, gentle_crisis_reply, urgent_reply
from clinic_bot.languages import reply_language
from clinic_bot.staff.answers_editor import AnswersFile
from clinic_bot.staff.audit import AuditLog
from clinic_bot.staff.practical_editor import PracticalAnswersFile
from clinic_bot.tools.validate import check_answers

FILES = {"answers": paths.ANSWERS_FILE, "messages": paths.MESSAGES_FILE, "practical": paths.PRACTICAL_ANSWERS_FILE}
ENGLISH_MARKER_KEYS = ("answer", "variant", "about", "sources")


def count_es_blocks(node: Any) -> int:
    """How many `es:` mappings with a text a parsed knowledge file has."""
    if isinstance(node, dict):
        own = int(isinstance(node.get("es"), dict) and bool(node["es"].get("text")))
        return own + sum(count_es_blocks(value) for key, value in node.items() if key != "es")
    if isinstance(node, list):
        return sum(count_es_blocks(value) for value in node)
    return 0


def edited_copies(tmp_path: Path, answers: Callable[[Dict[str, Any]], None] = lambda data: None,
                  messages: Callable[[Dict[str, Any]], None] = lambda data: None,
                  practical: Callable[[Dict[str, Any]], None] = lambda data: None,
                  clinic: Callable[[Dict[str, Any]], None] = lambda data: None) -> Knowledge:
    """The knowledge from copies of the four files, each changed by its function."""
    copies = []
    for source, change in ((paths.ANSWERS_FILE, answers), (paths.MESSAGES_FILE, messages),
                           (paths.CLINIC_CONFIG_FILE, clinic), (paths.PRACTICAL_ANSWERS_FILE, practical)):
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        change(data)
        copy = tmp_path / source.name
        copy.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        copies.append(copy)
    return load_knowledge(*copies)


def reviewed_off(data: Dict[str, Any]) -> None:
    data["show_unreviewed_translations"] = False


def notice(knowledge: Knowledge) -> str:
    """The line put before an English reply to a Spanish-speaking patient, as the bot fills it."""
    return knowledge.message(TRANSLATION_UNAVAILABLE, language="es").text


# Loading ----------------------------------------------------------------------------------------------------------


def test_every_spanish_entry_of_each_file_loads(knowledge):
    answers = sum(bool(a.es) + sum(bool(v.es) for kind in a.variants.values() for v in kind.values())
                  for a in knowledge.answers.values())
    practical = sum(bool(p.es) for p in knowledge.practical_answers.values())
    assert answers == count_es_blocks(yaml.safe_load(FILES["answers"].read_text())) > 0
    assert practical == count_es_blocks(yaml.safe_load(FILES["practical"].read_text())) > 0
    assert len(knowledge.message_translations) == count_es_blocks(yaml.safe_load(FILES["messages"].read_text())) > 0


def test_every_text_of_the_repository_has_a_current_translation(knowledge):
    """The translations were made for the English as it is: none is stale."""
    pairs = [(a.es, a.fingerprint()) for a in knowledge.answers.values()]
    pairs += [(v.es, v.fingerprint()) for a in knowledge.answers.values() for kind in a.variants.values()
              for v in kind.values()]
    pairs += [(p.es, p.fingerprint()) for p in knowledge.practical_answers.values()]
    pairs += [(knowledge.message_translations.get(key), fingerprint(text)) for key, text in knowledge.messages.items()]
    assert [es.translates if es else None for es, _ in pairs] == [english for _, english in pairs]


def test_the_messages_have_one_shape_and_no_spanish_keys_of_their_own():
    messages = yaml.safe_load(FILES["messages"].read_text())["messages"]
    assert all(isinstance(message, dict) and "text" in message for message in messages.values())
    assert not [key for key in messages if key.endswith("_es")]
    assert ALWAYS_IN_SPANISH <= {key for key, message in messages.items() if (message.get("es") or {}).get("text")}


PROMISES_ES = re.compile(r"garantiz|garantía|100 ?%|sin riesgos?\b|siempre funciona|libre de riesgo|\bcura(?:n|rá)?\b|"
                         r"estará cubiert|será cubiert", re.I)


def test_no_spanish_answer_promises_coverage_results_or_safety(knowledge):
    texts = [a.es.text for a in knowledge.answers.values() if a.es]
    texts += [v.es.text for a in knowledge.answers.values() for kind in a.variants.values() for v in kind.values()
              if v.es]
    texts += [t.text for t in knowledge.message_translations.values()]
    assert texts and [t for t in texts if PROMISES_ES.search(t)] == []


# The fingerprint --------------------------------------------------------------------------------------------------


def test_the_fingerprint_changes_with_the_english_and_not_with_its_folding():
    text = "Call {phone} about your visit."
    assert fingerprint("Title", text) == fingerprint(" Title ", "Call {phone}\n  about your   visit.")
    assert fingerprint("Title", text) != fingerprint("Title", text.replace("visit", "appointment"))
    assert fingerprint("Title", text) != fingerprint("Other title", text)
    assert fingerprint("T", "x", ["a", "b"], "") != fingerprint("T", "x", ["a b"], "")  # sentences stay apart
    assert len(fingerprint(text)) == 12 and int(fingerprint(text), 16) >= 0


def test_the_knowledge_fingerprints_the_english_it_renders(tmp_path, knowledge):
    edited = edited_copies(tmp_path, answers=lambda d: d["answers"]["ask_cost"].update(title="Changed"),
                           practical=lambda d: d["answers"]["ask_contact"]["more"].append("One more {fax}."))
    assert edited.answers["ask_cost"].fingerprint() != knowledge.answers["ask_cost"].fingerprint()
    assert edited.practical_answers["ask_contact"].fingerprint() != knowledge.practical_answers[
        "ask_contact"].fingerprint()
    assert edited.answers["ask_insurance"].fingerprint() == knowledge.answers["ask_insurance"].fingerprint()


# The decision -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("translation,show_unreviewed,always,expected", [
    (Translation("hola", "abc", "2026-12-01"), False, False, ("es", None)),
    (Translation("hola", "abc", ""), True, False, ("es", None)),
    (Translation("hola", "abc", ""), False, False, ("en", UNREVIEWED)),
    (Translation("hola", "old", "2026-12-01"), True, False, ("en", STALE)),
    (None, True, False, ("en", MISSING)),
    (Translation("hola", "old", ""), False, True, ("es", None)),  # a safety message: reviewed or not, stale or not
    (None, True, True, ("en", MISSING)),
])
def test_one_decision_for_every_text(translation, show_unreviewed, always, expected):
    choice = choose("es", translation, "abc", show_unreviewed, always)
    assert (choice.language, choice.why) == expected
    assert choose("en", translation, "abc", show_unreviewed, always).marker() == {"language": "en"}


def test_a_reply_is_wanted_in_spanish_or_english():
    assert [reply_language(v) for v in ("es", "ES", "es-MX", "en", "fr", None, "")] == [
        "es", "es", "es", "en", "en", "en", "en"]


# What a Spanish-speaking patient gets -----------------------------------------------------------------------------


def test_a_spanish_answer_keeps_the_english_markers_and_sources(knowledge):
    for context in ({}, {"procedure": "radiofrequency_ablation"}, {"procedure": "no_variant_for_this"}):
        english = knowledge.faq("ask_procedure_info", context)
        spanish = knowledge.faq("ask_procedure_info", context, language="es")
        assert {k: spanish.marker[k] for k in ENGLISH_MARKER_KEYS} == {k: english.marker[k]
                                                                      for k in ENGLISH_MARKER_KEYS}
        assert spanish.marker["language"] == "es" and "wanted" not in spanish.marker
        assert english.marker["language"] == "en" and "translates" not in english.marker
    answer = knowledge.answers["ask_procedure_info"]
    variant = answer.variants["procedure"]["radiofrequency_ablation"]
    spanish = knowledge.faq("ask_procedure_info", {"procedure": "radiofrequency_ablation"}, language="es")
    assert spanish.text == variant.es.text.replace("{clinic_name}", knowledge.clinic.name)
    assert (spanish.marker["translates"], spanish.marker["translation_reviewed"]) == (
        variant.es.translates, variant.es.reviewed or None)


def test_no_specific_info_comes_first_in_spanish_too(knowledge):
    reply = knowledge.faq("ask_insurance", {"procedure": "nerve_block"}, language="es")
    note = knowledge.message("no_specific_info", language="es", topic=knowledge.name("nerve_block", "es")).text
    assert reply.text.startswith(note + " ") and reply.marker["about"] == "procedure:nerve_block"


def test_a_procedure_or_condition_is_named_in_the_replys_language(knowledge):
    """The name comes from messages.yml like any other text: the Spanish one in a Spanish reply."""
    for value in ("nerve_block", "sciatica"):
        assert knowledge.name(value, "es") == knowledge.label(name_message(value), "es") != knowledge.name(value)
    assert knowledge.name("not_a_known_value") == "not a known value"  # never a key shown as written


def test_every_reply_method_answers_in_spanish(knowledge):
    assert knowledge.message("greet", language="es").marker["language"] == "es"
    assert knowledge.practical("ask_contact", language="es").marker["language"] == "es"
    reply, buttons = knowledge.which_location("ask_hours", language="es")
    assert reply.marker["language"] == "es" and reply.marker["for"] == "ask_hours" and buttons
    assert knowledge.topic_title("ask_cost", language="es") == knowledge.answers["ask_cost"].es.title
    assert knowledge.topic_title("ask_hours", language="es") == knowledge.practical_answers["ask_hours"].es.title
    assert knowledge.topic_title("ask_cost") == knowledge.answers["ask_cost"].title
    assert knowledge.unavailable("p", language="es")["custom"]["language"] == "es"
    assert knowledge.unavailable("p")["custom"] == {"answer": "unavailable", "language": "en"}


@pytest.mark.parametrize("why", [MISSING, STALE, UNREVIEWED])
def test_without_a_showable_translation_the_patient_gets_the_english_after_the_notice(tmp_path, why):
    def answers(data):
        entry = data["answers"]["ask_cost"]
        if why == MISSING:
            del entry["es"]
        elif why == STALE:
            entry["text"] += " Edited after the translation."

    knowledge = edited_copies(tmp_path, answers=answers, clinic=reviewed_off if why == UNREVIEWED else lambda d: None)
    english = knowledge.faq("ask_cost", {})
    spanish = knowledge.faq("ask_cost", {}, language="es")
    assert spanish.text == notice(knowledge) + " " + english.text
    assert spanish.marker == {**english.marker, "language": "en", "wanted": "es", "translation": why}
    assert knowledge.topic_title("ask_cost", language="es") == knowledge.answers["ask_cost"].title


def test_a_reviewed_translation_is_shown_when_unreviewed_ones_are_not(tmp_path):
    def answers(data):
        data["answers"]["ask_cost"]["es"]["reviewed"] = "2026-12-01"

    knowledge = edited_copies(tmp_path, answers=answers, clinic=reviewed_off)
    assert knowledge.faq("ask_cost", {}, language="es").marker["translation_reviewed"] == "2026-12-01"
    assert knowledge.faq("ask_insurance", {}, language="es").marker["translation"] == UNREVIEWED
    practical = knowledge.practical("ask_contact", language="es")
    assert practical.text.startswith(notice(knowledge) + " ") and practical.marker["translation"] == UNREVIEWED
    assert knowledge.message("greet", language="es").marker["wanted"] == "es"


def test_a_spanish_practical_answer_needing_the_default_message_falls_back_with_it(tmp_path):
    """Without an if_unset of its own, a Spanish answer whose detail is empty needs detail_unset's Spanish too."""
    def messages(data):
        data["messages"]["detail_unset"]["text"] += " Edited."  # its translation is now stale: not shown

    def practical(data):
        entry = data["answers"]["ask_insurance_plans"]
        entry.pop("if_unset")
        entry["es"].pop("if_unset")
        entry["es"]["translates"] = parse_practical_answers(data)["ask_insurance_plans"].fingerprint()  # current

    filled = edited_copies(tmp_path, messages=messages, practical=practical)
    assert filled.practical("ask_insurance_plans", language="es").marker["language"] == "es"
    needing = edited_copies(tmp_path, messages=messages, practical=practical,
                            clinic=lambda data: data.update(insurance_plans=""))
    reply = needing.practical("ask_insurance_plans", language="es")
    assert reply.marker["unset"] == ["insurance_plans"]
    assert (reply.marker["language"], reply.marker["translation"]) == ("en", STALE)
    assert reply.text == notice(needing) + " " + needing.practical("ask_insurance_plans").text


# The safety messages ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["unreviewed", "stale"])
def test_the_safety_messages_are_always_spanish(tmp_path, state):
    def messages(data):
        for key in SAFETY_MESSAGES:
            if state == "stale":
                data["messages"][key]["text"] += " (edited)"

    knowledge = edited_copies(tmp_path, messages=messages, clinic=reviewed_off)
    for kind in ("medical", "crisis"):
        urgent = urgent_reply(knowledge, {"triage": {"kind": kind}}, language="es")
        assert urgent.marker["language"] == "es" and "wanted" not in urgent.marker
        assert "911" in urgent.text and "988" in urgent.text and not urgent.text.startswith(notice(knowledge))
    check_in, buttons = check_in_reply(knowledge, {"triage": {"kind": "crisis"}}, language="es")
    assert check_in.marker["language"] == "es"
    assert [b["title"] for b in buttons] == [knowledge.message_translations[k].text
                                             for k in ("check_in_yes", "check_in_no")]
    gentle = gentle_crisis_reply(knowledge, {"triage": {"gentle_crisis_line": True}}, language="es")
    assert gentle is not None and gentle.marker["language"] == "es"
    assert knowledge.message("greet", language="es").marker["language"] == "en"  # not a safety message


def test_a_safety_message_without_spanish_is_the_english_with_its_numbers_first(tmp_path):
    knowledge = edited_copies(tmp_path, messages=lambda data: data["messages"]["emergency"].pop("es"))
    urgent = urgent_reply(knowledge, {}, language="es")
    assert urgent.text == knowledge.message("emergency").text  # no notice before 911
    assert (urgent.marker["language"], urgent.marker["wanted"], urgent.marker["translation"]) == ("en", "es", MISSING)


def test_button_titles_never_carry_the_notice(tmp_path):
    from clinic_bot.content.feedback import helpful_question

    knowledge = edited_copies(tmp_path, clinic=reviewed_off)
    question, buttons = helpful_question(knowledge, language="es")
    assert question.marker["translation"] == UNREVIEWED
    assert [b["title"] for b in buttons] == [knowledge.message(k).text for k in ("helpful_yes", "helpful_no")]


# Placeholders and the clinic's Spanish details --------------------------------------------------------------------


def test_spanish_texts_are_filled_with_the_spanish_details_or_the_english_ones(knowledge):
    clinic, place = knowledge.clinic, knowledge.clinic.locations[0]
    assert clinic.spanish and place.spanish, "the demo clinic.yml has Spanish details"
    hours = knowledge.practical("ask_hours", language="es")
    assert place.spanish.get("hours", clinic.spanish["hours"]) in hours.text and clinic.hours not in hours.text
    location = knowledge.practical("ask_location", language="es")
    assert place.spanish["directions"] in location.text and place.address in location.text  # no Spanish address
    contact = knowledge.practical("ask_contact", language="es")
    assert clinic.details["fax"] in contact.text and clinic.phone in contact.text
    assert clinic.spanish["hours"] in contact.text
    assert "{" not in contact.text and "{" not in knowledge.faq("ask_insurance", {}, language="es").text
    for key in knowledge.message_translations:
        assert "{" not in knowledge.message(key, language="es", topic="x").text, key


def test_a_detail_without_a_spanish_value_and_an_empty_one(tmp_path):
    def clinic(data):
        data["es"] = {"hours": "de 9 a 5", "fax": "no se usa"}
        data["fax"] = ""  # empty in English: empty in Spanish too
        data["locations"][0].pop("es")

    knowledge = edited_copies(tmp_path, clinic=clinic)
    values = knowledge.clinic.placeholders("es")
    assert (values["hours"], values["fax"], values["phone"]) == ("de 9 a 5", "", knowledge.clinic.phone)
    location = knowledge.clinic.locations[0].placeholders("es")
    assert location["location_hours"] == "de 9 a 5"  # the front desk's hours, in Spanish
    assert location["parking"] == knowledge.clinic.locations[0].parking  # no Spanish value: the English one


def test_a_bad_bracket_in_a_spanish_text_is_shown_as_written_and_logged(tmp_path):
    def answers(data):
        data["answers"]["ask_insurance"]["es"]["text"] += " {phone.__class__} {soon"

    knowledge = edited_copies(tmp_path, answers=answers)
    reply = knowledge.faq("ask_insurance", {}, language="es")
    assert "{phone.__class__}" in reply.text and knowledge.clinic.phone in reply.text
    assert knowledge.unfillable() == ["answer 'ask_insurance' (es)"]


# The editors keep the Spanish as it is ----------------------------------------------------------------------------


def es_block(text: str, intent: str) -> List[str]:
    """The lines of the `es:` block of ``intent``'s entry (the general answer's), as written."""
    lines = text.splitlines()
    start = lines.index(f"  {intent}:")
    first = next(n for n in range(start + 1, len(lines)) if lines[n] == "    es:")
    end = next((n for n in range(first + 1, len(lines)) if lines[n].strip() and not lines[n].startswith("      ")),
               len(lines))
    return lines[first:end]


@pytest.mark.parametrize("kind", ["answers", "practical"])
def test_an_edit_of_the_english_keeps_the_es_block_as_it_is(tmp_path, kind):
    source = FILES[kind]
    copy = Path(shutil.copy(source, tmp_path / source.name))
    audit = AuditLog(tmp_path / "audit.jsonl")
    editor = AnswersFile(copy, audit=audit) if kind == "answers" else PracticalAnswersFile(copy, audit=audit)
    intent = editor.intents()[1]
    form = editor.form(intent)
    form.text += " Edited by the staff."
    result = editor.save(form, "maria")
    assert result.saved and result.changed, result.problems
    before = yaml.safe_load(source.read_text())["answers"][intent]
    after = yaml.safe_load(copy.read_text())["answers"][intent]
    assert after["es"] == before["es"]
    assert es_block(copy.read_text(), intent) == es_block(source.read_text(), intent)  # byte for byte
    if kind == "answers":  # the English changed: its translation is stale, a warning, not an error
        problems = [p for p in check_answers(set(), set(), dt.date.today(), copy)
                    if p.part and p.part.intent == intent and p.part.language == "es"]
        assert [(p.code, p.level) for p in problems] == [("translation_stale", "warning")]
