"""How the staff console words a problem (clinic_bot/tools/problems.py), from its data alone: in the form's words
("Source 2 of the general answer", "Sentence 3 under “more”", "The title is empty"), with what a staff member can
act on (the closest heading of the article, the procedures by their names), and never with a file and line.

WORDS has the console's own template for the codes an editor meets often; any other code reads as the command line
words it (tools/problem_messages.py), about the part of the answer as the form names it. The templates are filled
as the command line's are: {subject} is the part ("The general answer"), the other names are the problem's values
and the phrases made from them here (console_fields).
"""
import difflib
from dataclasses import replace
from typing import Dict, List, Optional

from clinic_bot.content.knowledge import humanise
from clinic_bot.tools.answer_parts import CURATED, IF_UNSET, MORE, PRACTICAL, AnswerPart
from clinic_bot.tools.problem_messages import CATALOGUE, items, subject, word
from clinic_bot.tools.problems import Problem
from clinic_bot.tools.validate import article_headings

WORDS: Dict[str, str] = {
    "no_title": "The title is empty: write the 2 to 4 words the \u201cDid you mean\u201d buttons show",
    "no_text": "{subject} has no text: write what the patient should read",
    "no_source": "{subject} has no source: add the article and the section heading it comes from",
    "unknown_source_file": "{subject}: there is no article '{file}' in knowledge/sources: choose one of the list",
    "section_not_in_article": ("{subject}: the section '{section}' is not a heading of {file}: copy the heading "
                               "exactly{for_example}"),
    "unknown_variant_value": "{subject}: the bot does not know this {kind}; choose one of {known_names}",
    "half_filled_source": "{subject}: choose the article and copy its section heading, or clear both",
    "variant_kind_unknown": "A variant is for a '{kind}': choose a procedure or a condition",
    "variant_without_value": "The new variant has no {kind} chosen: choose one, or leave the new variant empty",
    "duplicate_variant": "There are two answers for {variant_name}: keep one",
    "unreadable_yaml": ("{file_name} does not read as YAML ({error}): nothing can be saved until it is fixed "
                        "(`make validate` shows the line)"),
    "read_back_failed": ("Saving '{intent}' would not have written it as intended, so nothing was saved: please tell "
                         "whoever maintains the assistant"),
    # The Spanish beside the English (clinic_bot/staff/spanish_texts.py)
    "translation_without_text": ("{subject} is empty: write the Spanish text, or empty every Spanish box of this text "
                                 "to remove its Spanish (Spanish-speaking patients then get the English)"),
    "translation_without_title": "{subject} has no title: write the 2 to 4 Spanish words the buttons show",
    "translation_more_count": ("The Spanish \u201cmore\u201d box has {spanish} sentence(s) and the English {english}: "
                               "write one Spanish sentence a line for each English one, in the same order"),
    "translation_without_if_unset": ("The Spanish text for a missing detail is empty, and the English has one: "
                                     "translate it too"),
    "translation_if_unset_without_english": ("{subject} is filled, but the English text for a missing detail is "
                                             "empty: write the English one too, or empty the Spanish one"),
}
FILE_NAMES = {CURATED: "The answers file", PRACTICAL: "The practical answers file"}


def plain(problem: Problem) -> str:
    """The problem as the console shows it."""
    if problem.part is None:
        return _capitalised(problem.message)
    template = WORDS.get(problem.code) or CATALOGUE[problem.code]
    return _capitalised(word(template, {**problem.values, **console_fields(problem)}, part_name(problem.part)))


def plain_problems(problems: List[Problem]) -> List[str]:
    return [plain(problem) for problem in problems]


def part_name(part: AnswerPart) -> str:
    """The part of the answer as the form names it; a part of its Spanish text (not edited in the console) as
    "The Spanish of ..."."""
    if part.is_spanish:
        english = part_name(replace(part, language=""))
        return f"The Spanish of {english[:1].lower()}{english[1:]}"
    if part.entry == PRACTICAL:
        if part.field == MORE and part.sentence:
            return f"Sentence {part.sentence} under \u201cmore\u201d"
        return "The text for a missing detail" if part.field == IF_UNSET else "The answer"
    if part.entry == CURATED:
        if part.source:
            whose = f"for {humanise(part.variant_value)}" if part.is_variant else "of the general answer"
            return f"Source {part.source} {whose}"
        return f"The answer for {humanise(part.variant_value)}" if part.is_variant else "The general answer"
    return _capitalised(subject(part))


def console_fields(problem: Problem) -> Dict[str, str]:
    """The phrases WORDS uses besides the problem's values, made from them."""
    part = problem.part
    found = {"intent": part.intent if part else "",
             "variant_name": humanise(part.variant_value) if part and part.is_variant else "",
             "file_name": FILE_NAMES.get(part.entry if part else "", "The file"),
             "known_names": ", ".join(humanise(value) for value in items(problem.values.get("known", "")))}
    if problem.code == "section_not_in_article":  # reads the article: only when it is needed
        example = closest_heading(problem.values["section"], problem.values["file"])
        found["for_example"] = f" (for example '{example}')" if example else ""
    return found


def closest_heading(section: str, file_name: str) -> Optional[str]:
    """The heading of the article most like ``section`` (whatever the case), to copy instead."""
    headings = article_headings(file_name)
    lowered = {heading.lower(): heading for heading in headings}
    close = difflib.get_close_matches(section.lower(), list(lowered), n=1, cutoff=0.0)
    return lowered[close[0]] if close else None


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
