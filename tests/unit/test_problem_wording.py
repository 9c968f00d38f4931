"""How the staff console words validate's problems (clinic_bot/staff/problem_wording.py): from each problem's code
and values, in the form's words, never with the file and line; the command line's wording for any other code."""
from dataclasses import replace
from typing import Optional

from clinic_bot import paths
from clinic_bot.staff.problem_wording import WORDS, plain
from clinic_bot.tools import validate
from clinic_bot.tools.answer_parts import CURATED, IF_UNSET, MORE, PRACTICAL, SOURCES, TEXT, TITLE, AnswerPart
from clinic_bot.tools.problem_messages import CATALOGUE
from clinic_bot.tools.problems import Problem

ARTICLE = sorted(p.name for p in paths.SOURCES_DIR.glob("*.txt"))[0]
GENERAL = AnswerPart(CURATED, "ask_insurance")
NERVE_BLOCK = AnswerPart(CURATED, "ask_insurance", "procedure", "nerve_block")
HOURS_ES = AnswerPart(PRACTICAL, "ask_hours", language="es")


def worded(code: str, part: Optional[AnswerPart], **values: str) -> str:
    return plain(Problem(paths.ANSWERS_FILE, 7, "error", code, values, part))


def test_the_console_words_each_code_it_knows_from_the_values():
    heading = validate.article_headings(ARTICLE)[0]
    cases = {
        "no_title": (worded("no_title", AnswerPart(PRACTICAL, "ask_hours", field=TITLE)), ["The title is empty"]),
        "no_text": (worded("no_text", replace(NERVE_BLOCK, field=TEXT)), ["The answer for nerve block has no text"]),
        "no_source": (worded("no_source", replace(GENERAL, field=SOURCES)), ["The general answer has no source"]),
        "unknown_source_file": (worded("unknown_source_file", replace(NERVE_BLOCK, field=SOURCES, source=3),
                                       file="gone.txt"), ["Source 3 for nerve block: ", "'gone.txt'"]),
        "section_not_in_article": (
            worded("section_not_in_article", replace(GENERAL, field=SOURCES, source=2), section=heading.upper(),
                   file=ARTICLE),
            ["Source 2 of the general answer: ", f"'{heading.upper()}'", ARTICLE, f"for example '{heading}'"]),
        "unknown_variant_value": (
            worded("unknown_variant_value", NERVE_BLOCK, kind="procedure", value="nerve_block",
                   known="facet_joint_injection, radiofrequency_ablation"),
            ["The answer for nerve block: ", "procedure", "facet joint injection, radiofrequency ablation"]),
        "half_filled_source": (worded("half_filled_source", replace(GENERAL, field=SOURCES, source=4)),
                               ["Source 4 of the general answer: ", "clear both"]),
        "variant_kind_unknown": (worded("variant_kind_unknown", GENERAL, kind="drug"), ["'drug'"]),
        "variant_without_value": (worded("variant_without_value", GENERAL, kind="condition"),
                                  ["The new variant has no condition chosen"]),
        "duplicate_variant": (worded("duplicate_variant", NERVE_BLOCK), ["two answers for nerve block"]),
        "unreadable_yaml": (worded("unreadable_yaml", AnswerPart(PRACTICAL, "ask_hours"), error="bad indent"),
                            ["The practical answers file does not read as YAML (bad indent)"]),
        "read_back_failed": (worded("read_back_failed", GENERAL), ["Saving 'ask_insurance'", "nothing was saved"]),
        # The Spanish beside the English
        "translation_without_text": (worded("translation_without_text", replace(NERVE_BLOCK, field=TEXT,
                                                                                language="es")),
                                     ["The Spanish of the answer for nerve block is empty", "remove its Spanish"]),
        "translation_without_title": (worded("translation_without_title", replace(GENERAL, field=TITLE,
                                                                                  language="es")),
                                      ["The Spanish of the general answer has no title"]),
        "translation_more_count": (worded("translation_more_count", replace(HOURS_ES, field=MORE), spanish="1",
                                          english="2"), ["\u201cmore\u201d", "1 sentence", "English 2"]),
        "translation_without_if_unset": (worded("translation_without_if_unset", replace(HOURS_ES, field=IF_UNSET)),
                                         ["Spanish text for a missing detail is empty"]),
        "translation_if_unset_without_english": (
            worded("translation_if_unset_without_english", replace(HOURS_ES, field=IF_UNSET)),
            ["The Spanish of the text for a missing detail is filled", "English text for a missing detail is empty"]),
    }
    assert set(cases) == set(WORDS)  # every code the console has words for, tested
    for code, (text, said) in cases.items():
        assert all(words in text for words in said), (code, text)
        assert "answers.yml" not in text and ":7" not in text, (code, text)  # never the file and line


def test_a_code_without_console_words_reads_as_the_command_line_about_the_forms_part():
    assert set(WORDS) <= set(CATALOGUE)  # the console's codes are the command line's
    assert "source_incomplete" not in WORDS
    assert worded("source_incomplete", replace(GENERAL, field=SOURCES, source=2)) == (
        "Source 2 of the general answer" + CATALOGUE["source_incomplete"].replace("{subject}", ""))
    sentence = AnswerPart(PRACTICAL, "ask_hours", field=MORE, sentence=3)
    text = worded("unknown_placeholder", sentence, written="{fax_number}", allowed="fax, phone")
    assert text.startswith("Sentence 3 under \u201cmore\u201d uses {fax_number}") and "{fax}, {phone}" in text
    about_no_answer = worded("unknown_intent", None, intent="ask_x")
    cli = str(Problem(paths.ANSWERS_FILE, 7, "error", "unknown_intent", {"intent": "ask_x"}))
    assert cli.endswith(": error: unknown intent 'ask_x': use one listed in domain.yml")
    assert about_no_answer == "Unknown intent 'ask_x': use one listed in domain.yml"  # without file and line
