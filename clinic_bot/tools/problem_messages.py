"""The command line's words for every problem (problems.Problem): one template per code, filled with the problem's
values. `make validate` prints them after the file and line; the staff console words the codes it knows its own way
and borrows these for the others (clinic_bot/staff/problem_wording.py), so each code needs a template here.

A template names a value in curly brackets, filled by name only (placeholders.fill: never evaluated, and a value is
put in as it is), and may also use:
- {subject}: the answer, or the part of it, the problem is about, as the command line names it ("answer 'ask_x'
  variant 'nerve_block'", "practical answer 'ask_hours' (more, sentence 2)", "message 'greet'"; its Spanish text
  with "es": "answer 'ask_x' (es)", "practical answer 'ask_hours' (es, more, sentence 2)");
- {NAME_and}, {NAME_or}: the list value NAME (items joined by LIST_SEPARATOR) with "and" or "or" between its items;
- {use_only}: which placeholders the text may use, from the value "allowed".
"""
from typing import Dict, List, Mapping, Optional

from clinic_bot.content.placeholders import fill
from clinic_bot.tools.answer_parts import ASK, ASK_ABOUT, CURATED, IF_UNSET, MESSAGE, MORE, PRACTICAL, AnswerPart

LIST_SEPARATOR = ", "

_NOT_A_PLACEHOLDER = ("{subject} uses {written}: a placeholder is a name alone in curly brackets, with nothing else "
                      "inside them")
_DOUBLED = "{subject} writes {written} with double curly brackets: a placeholder has single ones, {single}"
_CANNOT_FILL_HERE = "{subject} uses {written}, which the bot cannot fill in here"
_DEMO_PLACEHOLDER = "'{key}' is still the demo's PLACEHOLDER: put the clinic's own value"
_NOT_A_DETAIL = "'{key}' is not a detail the assistant knows (a typo?); known: {known}"

CATALOGUE: Dict[str, str] = {
    # Reading the files
    "unreadable_yaml": "cannot read this YAML: {error}",
    # The intents and their answers (problems.answers_match_intents)
    "intent_without_answer": "{kind} intent '{intent}' has no answer: add one",
    "answer_without_intent": "{kind} answer '{intent}' has no intent in domain.yml",
    "answer_without_rule": "{kind} answer '{intent}' has no rule to {action} in {rules_file}",
    # The training examples
    "unknown_intent": "unknown intent '{intent}': use one listed in domain.yml",
    "unknown_entity": ("unknown entity '{entity}' in '{text}': procedure and condition names need no markup; remove "
                       "the [...](...) markup"),
    "duplicate_example": "duplicate example '{text}' (already at {first_at}): remove one",
    "example_in_two_intents": ("example '{text}' is in two intents, '{first_intent}' ({first_at}) and '{intent}': keep "
                               "it in the one it belongs to"),
    "too_few_examples": "intent '{intent}' has {count} examples; add at least {needed} more (minimum {minimum})",
    "example_in_holdout": ("example '{text}' is in the hold-out test set ({holdout_at}); remove it from the training "
                           "data"),
    # Any answer's text (validate.check_text)
    "no_text": "{subject} has no text",
    "no_title": "{subject} has no title",
    "no_ask": ("{subject} is empty: write the question the related-topic button asks, as a patient would (the button "
               "shows the title until then)"),
    # A curated answer (validate.check_answer)
    "answer_not_mapping": "{subject} must be a mapping with text and sources",
    "no_source": ("{subject} has no source: add the article (file in knowledge/sources/) and section heading it comes "
                  "from"),
    "source_incomplete": "{subject}: a source needs a file and a section",
    "unknown_source_file": "{subject}: source file '{file}' does not exist in knowledge/sources/",
    "section_not_in_article": "{subject}: section '{section}' is not a line of {file}: copy the heading exactly",
    "no_reviewed_date": "{subject} needs a reviewed date (YYYY-MM-DD)",
    "review_overdue": "{subject} was last reviewed {reviewed}, over {max_days} days ago: review it and update the date",
    "variants_not_mapping": "{subject}: by_{kind} must map {kind} names to variants with text and sources",
    "unknown_variant_value": "{subject}: unknown {kind}; use one of {known}",
    "variant_not_mapping": "{subject} must have text and sources",
    # A curated answer as the staff console's form has it (clinic_bot/staff/answers_editor.py)
    "half_filled_source": "{subject}: a source needs both the article and its section heading, or neither",
    "variant_kind_unknown": "{subject}: a variant is for a '{kind}', which is neither a procedure nor a condition",
    "variant_without_value": "{subject}: a new variant names no {kind}",
    "duplicate_variant": "{subject} is given twice",
    # Any edit of the staff console (clinic_bot/staff/entry_editor.py)
    "read_back_failed": "{subject}: the edited file would not read back as intended, so nothing was saved",
    # A message (validate.check_messages)
    "message_missing": ("'{intent}' has no message, and the bot sends it (a reply to that intent, a system message "
                        "or a name)"),
    "safety_numbers_missing": "{subject} must keep {missing_and}: it is a safety message",
    # A practical answer (validate_practical.check_practical_answer)
    "practical_answer_not_mapping": "{subject} must be a mapping with a title and a text",
    "more_not_a_list": "{subject}: more must be a list of sentences",
    "details_empty": "{subject} needs {details}, empty in clinic.yml: patients are told to call instead",
    "message_not_mapping": "{subject} must be a mapping with its text (and its Spanish under es)",
    # A Spanish text (es:) beside an English one (problems.translation_problems)
    "translation_not_mapping": "{subject} must be a mapping with the Spanish text, translates and reviewed",
    "translation_unknown_key": "{subject} has '{key}', which a translation does not have (a typo?); known: {known}",
    "translation_without_text": "{subject} has no text: write the Spanish, or remove the es block",
    "translation_without_title": "{subject} has no title: write the 2 to 4 Spanish words the buttons show",
    "translation_own_sources": ("{subject} has sources of its own: a translation keeps the English answer's sources; "
                                "remove sources from its es block"),
    "translation_placeholders_differ": ("{subject} must use the same placeholders as the English: "
                                        "{missing_note}{extra_note}"),
    "translation_more_count": ("{subject} has {spanish} sentence(s) under more, the English {english}: one Spanish "
                               "sentence for each English one, in the same order"),
    "translation_without_ask": "{subject} is empty, and the English has one: translate the button's question too",
    "translation_without_if_unset": "{subject} has no if_unset, which the English has: translate it too",
    # ... as the staff console's form has it (clinic_bot/staff/practical_editor.py)
    "translation_if_unset_without_english": ("{subject}: the English has no if_unset, and the Spanish would be shown "
                                             "all the same: write the English one too, or remove the Spanish one"),
    "translation_without_fingerprint": ("{subject} has no translates: once the Spanish renders the English as it is "
                                        "now, set translates: \"{fingerprint}\""),
    "translation_stale": ("{subject}: the English text changed after this translation; review the Spanish and update "
                          "translates (to \"{fingerprint}\")"),
    "translation_reviewed_not_date": ("{subject}: reviewed must be the date the staff reviewed the translation "
                                      "(YYYY-MM-DD), or empty, not '{reviewed}'"),
    "translation_safety_numbers_missing": ("{subject} must keep {missing_and}, as its English does: it is a safety "
                                           "message"),
    "translation_required": ("{subject} is missing: a Spanish-speaking patient gets this message in Spanish "
                             "whatever its review, so write its Spanish under es"),
    "translations_unreviewed": ("{count} translation(s) not yet reviewed by the staff ({counts}) are shown to "
                                "Spanish-speaking patients (show_unreviewed_translations: true): review them and set "
                                "their reviewed date"),
    "safety_translations_unreviewed": ("{count} Spanish safety message(s) not yet reviewed by the staff ({keys}) are "
                                       "shown to Spanish-speaking patients whatever their review: review them and set "
                                       "their reviewed date"),
    # clinic.yml (validate_clinic.check_clinic)
    "clinic_unreadable": "{error}",
    "demo_placeholder": _DEMO_PLACEHOLDER + " and delete the PLACEHOLDER mark",
    "demo_placeholder_optional": _DEMO_PLACEHOLDER + " (or \"\" to have patients call) and delete the PLACEHOLDER mark",
    "demo_value": "'{key}' is still a demo value: put the clinic's real value before going live",
    "unknown_clinic_detail": _NOT_A_DETAIL,
    "unknown_location_detail": "location '{location}': " + _NOT_A_DETAIL,
    "unknown_spanish_detail": "es: " + _NOT_A_DETAIL,
    "unknown_location_spanish_detail": "location '{location}', es: " + _NOT_A_DETAIL,
    "location_without_address": ("location '{location}' has no address: patients asking where you are will be told "
                                  "to call"),
    # The article registry, knowledge/articles.yml (validate_articles.check_articles)
    "articles_not_mapping": ("articles must map each article's file (in knowledge/sources/) to its title and its "
                             "Spanish title (es: title)"),
    "article_unknown_file": "'{file}' is not an article of knowledge/sources/ (a typo?); known: {known}",
    "article_not_mapping": "'{file}' must be a mapping with its title and its Spanish title (es: title)",
    "article_without_title": "'{file}' has no title: copy the article's own title from the file",
    "article_without_spanish_title": "'{file}' has no Spanish title: add es: with the title in Spanish",
    "article_not_registered": ("'{file}', cited at {cited_at}, has no entry here: add it with its title and its "
                               "Spanish title (es: title)"),
    # The triage's terms and messages (validate.check_triage)
    "concept_without_kind": "concept '{concept}' needs kind: {kinds_or}",
    "bad_term": "{where}: {error}",
    "bad_triage_data": "{error}",
    # Curly brackets in a text (clinic_bot/content/placeholders.py names each case and its values)
    "doubled_brackets": _DOUBLED,
    "doubled_brackets_not_allowed": _DOUBLED + "; {use_only}",
    "lone_opening_bracket": ("{subject} has a curly bracket { that opens no placeholder (at \u201c{around}\u201d): "
                             "write a placeholder as a name in curly brackets, such as {phone}, or remove the bracket"),
    "lone_closing_bracket": ("{subject} has a curly bracket } that closes no placeholder (at \u201c{around}\u201d): "
                             "write a placeholder as a name in curly brackets, such as {phone}, or remove the bracket"),
    "unknown_placeholder": "{subject} uses {written}, which the bot cannot fill in: {use_only}",
    "location_placeholder": (_CANNOT_FILL_HERE + " ({written} is a detail of one location, which only a practical "
                             "answer that depends on the location knows): {use_only}"),
    "optional_placeholder": (_CANNOT_FILL_HERE + " ({written} may be empty in clinic.yml, and this text may use only "
                             "the details that are never empty): {use_only}"),
    "message_only_placeholder": _CANNOT_FILL_HERE + " (only the message {given_to_or} can use it): {use_only}",
    "empty_brackets": "{subject} uses {written}, curly brackets with no name in them: {use_only}",
    "malformed_placeholder": _NOT_A_PLACEHOLDER + "; write {suggested}, or remove the curly brackets",
    "malformed_unknown_placeholder": _NOT_A_PLACEHOLDER + "; {use_only}",
}


def items(value: str) -> List[str]:
    """The items of a list value ("" is no item)."""
    return value.split(LIST_SEPARATOR) if value else []


def subject(part: Optional[AnswerPart]) -> str:
    """How the command line names the part of an answer a problem is about; a Spanish text's with "es"."""
    if part is None:
        return ""
    notes = [part.language] if part.is_spanish else []
    if part.field in (ASK, ASK_ABOUT):
        notes.append(part.field)
    if part.entry == PRACTICAL:
        if part.field == MORE and part.sentence:
            notes.append(f"more, sentence {part.sentence}")
        elif part.field == IF_UNSET:
            notes.append("if_unset")
        named = f"practical answer '{part.intent}'"
    elif part.entry == CURATED:
        named = f"answer '{part.intent}'" + (f" variant '{part.variant_value}'" if part.is_variant else "")
    elif part.entry == MESSAGE:
        named = f"message '{part.intent}'"
    else:
        named = part.intent
    return f"{named} ({', '.join(notes)})" if notes else named


def use_only(allowed: List[str]) -> str:
    """What a text may write between curly brackets instead, as the end of a problem's sentence."""
    if not allowed:
        return "this text can use no placeholder: remove the curly brackets"
    return f"use only {', '.join(f'{{{name}}}' for name in sorted(allowed))}, or remove the curly brackets"


def fields(values: Mapping[str, str], subject_words: str) -> Dict[str, str]:
    """What a template may name: the values, the subject, and the phrases made from them (the module's docstring)."""
    found = {"subject": subject_words, **values}
    for name, value in values.items():
        found[f"{name}_and"] = " and ".join(items(value))
        found[f"{name}_or"] = " or ".join(items(value))
    if "allowed" in values:
        found["use_only"] = use_only(items(values["allowed"]))
    if "missing" in values or "extra" in values:  # a translation's placeholders (translation_placeholders_differ)
        missing, extra = items(values.get("missing", "")), items(values.get("extra", ""))
        found["missing_note"] = f"add {' and '.join(missing)}" if missing else ""
        found["extra_note"] = (("; " if missing else "") + f"remove {' and '.join(extra)}") if extra else ""
    return found


def word(template: str, values: Mapping[str, str], subject_words: str) -> str:
    return fill(template, fields(values, subject_words))


def cli_message(code: str, values: Mapping[str, str], part: Optional[AnswerPart]) -> str:
    """The command line's sentence for a problem (without its file and line)."""
    return word(CATALOGUE[code], values, subject(part))
