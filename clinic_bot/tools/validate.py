"""`make validate`: every check a staff edit can break, each problem as "file:line: level: what to do" (the checks
return problems as data, clinic_bot/tools/problems.py; the words are problem_messages.py's).

Exit code 1 when there is any error; warnings alone pass. Runs before Rasa's own validator (Makefile), so its
file and line come first.
"""
import argparse
import datetime as dt
import os
import re
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import AbstractSet, Any, Collection, Dict, List, Mapping, Optional, Set, Tuple

import yaml

from clinic_bot import paths
from clinic_bot.content.choices import MESSAGE_KEYS as CHOICE_MESSAGES
from clinic_bot.content.clinic_config import SHOW_UNREVIEWED_TRANSLATIONS, load_clinic_details
from clinic_bot.content.entity_values import canonical_values, name_messages
from clinic_bot.content.feedback import MESSAGE_KEYS as FEEDBACK_MESSAGES
from clinic_bot.content.knowledge import UNAVAILABLE_MESSAGE, VARIANT_KINDS, parse_answers
from clinic_bot.content.nlu_data import Example, normalise, read_all
from clinic_bot.content.placeholders import CURATED_ANSWER_PLACEHOLDERS, message_placeholders
from clinic_bot.content.practical_answers import UNSET_MESSAGE, WHICH_LOCATION_MESSAGE
from clinic_bot.content.translations import ALWAYS_IN_SPANISH, SAFETY_MESSAGES, TRANSLATION_UNAVAILABLE, fingerprint
from clinic_bot.content.triage_replies import CHECK_IN_KEY, GENTLE_CRISIS_KEY, URGENT_MESSAGE_KEYS
from clinic_bot.content.triage_replies import MESSAGE_KEYS as TRIAGE_MESSAGES
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.intents import FAQ_ACTION, PRACTICAL_ACTION
from clinic_bot.nlu.triage.data import TriageDataError, read_messages
from clinic_bot.nlu.triage.rules import CRISIS, MEDICAL
from clinic_bot.nlu.triage.terms import TermError, check_term
from clinic_bot.tools.answer_parts import ASK_ABOUT, CURATED, MESSAGE, REVIEWED, SOURCES, TEXT, AnswerPart
from clinic_bot.tools.problem_messages import LIST_SEPARATOR
from clinic_bot.tools.problems import (
    ERROR,
    WARNING,
    English,
    Problem,
    answers_match_intents,
    ask_problems,
    bracket_problems,
    is_unreviewed,
    translation_problems,
)
from clinic_bot.tools.validate_articles import check_articles
from clinic_bot.tools.validate_clinic import check_clinic
from clinic_bot.tools.validate_practical import check_practical_answers

MIN_EXAMPLES = 20
FAQ_RULES = "data/rules/faq.yml"  # where the rules to it live
TRIAGE_KINDS = (MEDICAL, CRISIS)
REVIEW_MAX_AGE_DAYS = int(os.environ.get("REVIEW_MAX_AGE_DAYS", 365))
HEADING_MAX_LENGTH = 120  # the longest line of a source article that article_headings offers as a heading
SYSTEM_MESSAGES = {"disclaimer", "no_specific_info", "no_answer", *CHOICE_MESSAGES, UNAVAILABLE_MESSAGE,
                   UNSET_MESSAGE, WHICH_LOCATION_MESSAGE, TRANSLATION_UNAVAILABLE,
                   *FEEDBACK_MESSAGES,
                   *TRIAGE_MESSAGES}
# What a safety message must always say, however staff word it: the emergency numbers, and the after-hours
# line for questions about a recent procedure (clinic.yml fills the placeholder). Their Spanish keeps those of them
# their English has.
SAFETY_NUMBERS: Dict[str, Tuple[str, ...]] = {
    **{key: ("911", "988", "{after_hours_phone}") for key in URGENT_MESSAGE_KEYS.values()},
    GENTLE_CRISIS_KEY: ("988",),
    CHECK_IN_KEY: ("911", "988"),
}
# Entity names in example markup: [text](entity), [text](entity:value), [text]{"entity": "entity", ...}.
ENTITY_MARKUP = re.compile(r"\]\((\w+)|\]\{[^}]*?[\"']entity[\"']\s*:\s*[\"'](\w+)")


def rule_intents(action: str) -> Set[str]:
    """Intents whose rule runs ``action`` (action_answer_faq -> the FAQ intents)."""
    found = set()
    for path in (paths.REPO_ROOT / "data" / "rules").glob("*.yml"):
        for rule in (load_yaml(path) or {}).get("rules") or []:
            steps = rule.get("steps") or []
            for step, following in zip(steps, steps[1:]):
                if "intent" in step and following.get("action") == action:
                    found.add(step["intent"])
    return found


def check_nlu(domain_intents: Set[str], domain_entities: Set[str], nlu_dir: Path = paths.NLU_DIR) -> List[Problem]:
    problems: List[Problem] = []
    training = read_all(Path(nlu_dir).glob("*.yml"))
    by_text: Dict[str, List[Example]] = defaultdict(list)
    counts: Dict[str, int] = defaultdict(int)
    for ex in training:
        counts[ex.intent] += 1
        if ex.intent not in domain_intents:
            problems.append(Problem(ex.file, ex.line, ERROR, "unknown_intent", {"intent": ex.intent}))
        # Rasa's own validator lets an unknown entity in markup pass.
        for entity in sorted({a or b for a, b in ENTITY_MARKUP.findall(ex.text)} - domain_entities):
            problems.append(Problem(ex.file, ex.line, ERROR, "unknown_entity", {"entity": entity, "text": ex.text}))
        by_text[normalise(ex.text)].append(ex)
    for same in by_text.values():
        first = same[0]
        for ex in same[1:]:
            where = f"{first.file.name}:{first.line}"
            if ex.intent == first.intent:
                problems.append(Problem(ex.file, ex.line, ERROR, "duplicate_example",
                                        {"text": ex.text, "first_at": where}))
            else:
                problems.append(Problem(ex.file, ex.line, ERROR, "example_in_two_intents",
                                        {"text": ex.text, "first_intent": first.intent, "first_at": where,
                                         "intent": ex.intent}))
    for intent in sorted(domain_intents):
        if counts[intent] < MIN_EXAMPLES:
            problems.append(Problem(Path(nlu_dir), 0, ERROR, "too_few_examples",
                                    {"intent": intent, "count": str(counts[intent]),
                                     "needed": str(MIN_EXAMPLES - counts[intent]), "minimum": str(MIN_EXAMPLES)}))
    if paths.HOLDOUT_FILE.exists():
        for ex in read_all([paths.HOLDOUT_FILE]):
            if normalise(ex.text) in by_text:
                train = by_text[normalise(ex.text)][0]
                problems.append(Problem(train.file, train.line, ERROR, "example_in_holdout",
                                        {"text": train.text, "holdout_at": f"{ex.file.name}:{ex.line}"}))
    return problems


def check_text(file: Path, line: int, part: AnswerPart, text: str,
               allowed: Collection[str] = CURATED_ANSWER_PLACEHOLDERS) -> List[Problem]:
    """A text is not empty, and every curly bracket in it is one of the ``allowed`` placeholders (default: a curated
    answer's): clinic_bot/content/placeholders.py, the check the bot's fill relies on. ``part``: whose text it is."""
    problems = []
    if not text.strip():
        problems.append(Problem(file, line, ERROR, "no_text", part=part))
    return problems + bracket_problems(file, line, part, text, allowed)


def _article(file_name: Any) -> Optional[Path]:
    """The source article named ``file_name`` (a file directly in knowledge/sources/), or None."""
    name = str(file_name or "")
    if not name or Path(name).name != name:  # no folders: a source names an article, nothing else
        return None
    article = paths.SOURCES_DIR / name
    return article if article.is_file() else None


def article_lines(file_name: str) -> List[str]:
    """The lines of the source article ``file_name`` that a section may name: each distinct non-blank line,
    stripped, in the article's order; [] when knowledge/sources/ has no such article."""
    article = _article(file_name)
    if article is None:
        return []
    lines = dict.fromkeys(line.strip() for line in article.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def article_headings(file_name: str) -> List[str]:
    """The heading-sized lines of article_lines(file_name), without the paragraphs: what the staff console
    suggests for a section (a longer line is still accepted)."""
    return [line for line in article_lines(file_name) if len(line) <= HEADING_MAX_LENGTH]


def check_sources(file: Path, owner: dict, part: AnswerPart) -> List[Problem]:
    """The sources of the general answer or of a variant (``part``): at least one, each an article's line."""
    problems = []
    sources = owner.get("sources") or []
    if not sources:
        problems.append(Problem(file, line_of(owner), ERROR, "no_source", part=replace(part, field=SOURCES)))
    for number, source in enumerate(sources if isinstance(sources, list) else [sources], start=1):
        line = line_of(source) or line_of(owner, "sources")
        which = replace(part, field=SOURCES, source=number)
        if not isinstance(source, dict):
            problems.append(Problem(file, line, ERROR, "source_incomplete", part=which))
            continue
        if _article(source.get("file")) is None:
            problems.append(Problem(file, line, ERROR, "unknown_source_file", {"file": str(source.get("file"))},
                                    which))
            continue
        if str(source.get("section", "")).strip() not in article_lines(str(source.get("file"))):
            problems.append(Problem(file, line, ERROR, "section_not_in_article",
                                    {"section": str(source.get("section")), "file": str(source.get("file"))}, which))
    return problems


def check_answer(file: Path, intent: str, answer: Any, line: int, values: Mapping[str, AbstractSet[str]],
                 today: dt.date) -> List[Problem]:
    """The checks of one entry of knowledge/answers.yml (its text, sources, reviewed date and variants), the ones
    `make validate` runs on each answer and the staff console on an edit. ``values``: canonical_values()."""
    general = AnswerPart(CURATED, str(intent))
    if not isinstance(answer, dict):
        return [Problem(file, line, ERROR, "answer_not_mapping", part=general)]
    problems = check_text(file, line, replace(general, field=TEXT), str(answer.get("text") or ""))
    problems += check_sources(file, answer, general)
    problems += ask_problems(file, answer, general, ASK_ABOUT)
    reviewed = answer.get("reviewed")
    if not isinstance(reviewed, dt.date):
        problems.append(Problem(file, line, ERROR, "no_reviewed_date", part=replace(general, field=REVIEWED)))
    elif (today - reviewed).days > REVIEW_MAX_AGE_DAYS:
        problems.append(Problem(file, line_of(answer, "reviewed"), WARNING, "review_overdue",
                                {"reviewed": str(reviewed), "max_days": str(REVIEW_MAX_AGE_DAYS)},
                                replace(general, field=REVIEWED)))
    for kind in VARIANT_KINDS:
        variants = answer.get(f"by_{kind}") or {}
        if not isinstance(variants, dict):
            problems.append(Problem(file, line_of(answer, f"by_{kind}"), ERROR, "variants_not_mapping",
                                    {"kind": kind}, general))
            continue
        for value, variant in variants.items():
            vline = line_of(variants, value)
            vpart = replace(general, variant_kind=kind, variant_value=str(value))
            if value not in values[kind]:
                problems.append(Problem(file, vline, ERROR, "unknown_variant_value",
                                        {"kind": kind, "value": str(value),
                                         "known": LIST_SEPARATOR.join(sorted(values[kind]))}, vpart))
            if not isinstance(variant, dict):
                problems.append(Problem(file, vline, ERROR, "variant_not_mapping", part=vpart))
                continue
            problems += check_text(file, vline, replace(vpart, field=TEXT), str(variant.get("text") or ""))
            problems += check_sources(file, variant, vpart)
            problems += translation_problems(file, variant, vpart, variant_english(variant))
    return problems + translation_problems(file, answer, general, answer_english(str(intent), answer))


def answer_english(intent: str, answer: Dict[str, Any]) -> English:
    """What the Spanish of a curated answer renders: its title and text (fingerprinted as the bot reads them)."""
    parsed = parse_answers({"answers": {intent: answer}})[intent]
    return English(parsed.fingerprint(), str(answer.get("text") or ""), title=str(answer.get("title") or ""),
                   sources=answer.get("sources"), allowed=CURATED_ANSWER_PLACEHOLDERS,
                   ask=parsed.ask or None, ask_about=parsed.ask_about or None)


def variant_english(variant: Dict[str, Any]) -> English:
    """What the Spanish of a variant renders: its text."""
    return English(fingerprint(str(variant.get("text") or "")), str(variant.get("text") or ""),
                   sources=variant.get("sources"), allowed=CURATED_ANSWER_PLACEHOLDERS)


def check_answers(faq_intents: Set[str], domain_intents: Set[str], today: dt.date,
                  file: Optional[Path] = None) -> List[Problem]:
    """Every answer in ``file`` (default: paths.ANSWERS_FILE), and an answer for every FAQ intent."""
    file = Path(file or paths.ANSWERS_FILE)
    answers = (load_yaml(file) or {}).get("answers") or {}
    values = canonical_values()
    problems = answers_match_intents(file, answers, faq_intents, domain_intents, "FAQ", FAQ_ACTION, FAQ_RULES)
    for intent, answer in answers.items():
        line = line_of(answers, intent)
        problems += check_answer(file, intent, answer, line, values, today)
    return problems


def check_messages(reply_intents: Set[str]) -> List[Problem]:
    """Every message: a mapping with its text (and its Spanish, `es`), the placeholders it may use, the safety
    messages' numbers; a message for every intent action_reply answers and every system message."""
    file = paths.MESSAGES_FILE
    messages = (load_yaml(file) or {}).get("messages") or {}
    problems = [Problem(file, 0, ERROR, "message_missing", {"intent": i})
                for i in sorted((reply_intents | SYSTEM_MESSAGES | name_messages()) - set(messages))]
    for key, message in messages.items():
        line = line_of(messages, key)
        part = AnswerPart(MESSAGE, str(key), field=TEXT)
        if not isinstance(message, dict):
            problems.append(Problem(file, line, ERROR, "message_not_mapping", part=replace(part, field="")))
            continue
        text = str(message.get("text") or "")
        allowed = message_placeholders(str(key))
        problems += check_text(file, line, part, text, allowed)
        missing = [number for number in SAFETY_NUMBERS.get(key, ()) if number not in text]
        if missing:
            problems.append(Problem(file, line, ERROR, "safety_numbers_missing",
                                    {"missing": LIST_SEPARATOR.join(missing)}, part))
        problems += translation_problems(file, message, replace(part, field=""),
                                         English(fingerprint(text), text, allowed=allowed),
                                         required=key in ALWAYS_IN_SPANISH, safety_numbers=SAFETY_NUMBERS.get(key, ()))
    return problems


def check_translations_reviewed(clinic_file: Optional[Path] = None) -> List[Problem]:
    """One warning summing up the translations patients are shown that the staff have not reviewed: all of them when
    clinic.yml shows unreviewed translations, else the safety messages (shown whatever their review)."""
    clinic_file = Path(clinic_file or paths.CLINIC_CONFIG_FILE)
    try:
        shown = load_clinic_details(clinic_file).show_unreviewed_translations
    except (ValueError, OSError, yaml.YAMLError):
        return []  # check_clinic says why
    answers = (load_yaml(paths.ANSWERS_FILE) or {}).get("answers") or {}
    practical = (load_yaml(paths.PRACTICAL_ANSWERS_FILE) or {}).get("answers") or {}
    messages = (load_yaml(paths.MESSAGES_FILE) or {}).get("messages") or {}
    if not shown:
        keys = [str(key) for key, message in messages.items() if key in SAFETY_MESSAGES and is_unreviewed(message)]
        return [Problem(paths.MESSAGES_FILE, 0, WARNING, "safety_translations_unreviewed",
                        {"count": str(len(keys)), "keys": LIST_SEPARATOR.join(keys)})] if keys else []
    entries = [entry for entry in answers.values() if isinstance(entry, dict)]
    variants = [variant for entry in entries for kind in VARIANT_KINDS
                for variant in (entry.get(f"by_{kind}") or {}).values() if isinstance(entry.get(f"by_{kind}"), dict)]
    counts = {paths.ANSWERS_FILE.name: sum(map(is_unreviewed, [*entries, *variants])),
              paths.PRACTICAL_ANSWERS_FILE.name: sum(map(is_unreviewed, practical.values())),
              paths.MESSAGES_FILE.name: sum(map(is_unreviewed, messages.values()))}
    total = sum(counts.values())
    if not total:
        return []
    data = load_yaml(clinic_file) or {}
    return [Problem(clinic_file, line_of(data, SHOW_UNREVIEWED_TRANSLATIONS), WARNING, "translations_unreviewed",
                    {"count": str(total),
                     "counts": LIST_SEPARATOR.join(f"{name} {count}" for name, count in counts.items() if count)})]


def _check_terms(file: Path, data: Any, where: str) -> List[Problem]:
    """Every string in the lists under ``data`` must read as a term (clinic_bot/nlu/triage/terms.py)."""
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in _check_terms(file, value, f"{where}.{key}")]
    if isinstance(data, list):
        problems = []
        for item in data:
            try:
                check_term(str(item))
            except TermError as error:
                problems.append(Problem(file, line_of(data), ERROR, "bad_term",
                                        {"where": where, "error": str(error)}))
        return problems
    return []


def check_triage() -> List[Problem]:
    """The red-flag concepts, the ConText triggers and the triage message sets."""
    concepts = load_yaml(paths.RED_FLAGS_FILE) or {}
    problems = []
    for name, concept in (concepts.get("concepts") or {}).items():
        if not isinstance(concept, dict) or concept.get("kind") not in TRIAGE_KINDS:
            problems.append(Problem(paths.RED_FLAGS_FILE, line_of(concepts.get("concepts"), name), ERROR,
                                    "concept_without_kind",
                                    {"concept": str(name), "kinds": LIST_SEPARATOR.join(TRIAGE_KINDS)}))
            continue
        problems += _check_terms(paths.RED_FLAGS_FILE, {k: v for k, v in concept.items() if k != "kind"}, name)
    problems += _check_terms(paths.RED_FLAGS_FILE, concepts.get("exclusions") or [], "exclusions")
    context = load_yaml(paths.CONTEXT_TRIGGERS_FILE) or {}
    problems += _check_terms(paths.CONTEXT_TRIGGERS_FILE, {k: v for k, v in context.items()}, "context")
    for file in sorted(paths.TRIAGE_TRAINING_DIR.glob("*.jsonl")) + sorted(paths.TRIAGE_TEST_DIR.glob("*.jsonl")):
        try:
            read_messages(file)
        except TriageDataError as error:
            problems.append(Problem(file, 0, ERROR, "bad_triage_data", {"error": str(error)}))
    return problems


def run_checks(today: Optional[dt.date] = None, nlu_dir: Path = paths.NLU_DIR) -> List[Problem]:
    today = today or dt.date.today()
    problems: List[Problem] = []
    files = [paths.DOMAIN_FILE, paths.ANSWERS_FILE, paths.MESSAGES_FILE, paths.PRACTICAL_ANSWERS_FILE,
             paths.ARTICLES_FILE, paths.RED_FLAGS_FILE, paths.CONTEXT_TRIGGERS_FILE,
             paths.ENTITY_PATTERNS_FILE, paths.CLINIC_CONFIG_FILE, *sorted(Path(nlu_dir).glob("*.yml"))]
    for file in files:
        try:
            load_yaml(file)
        except (yaml.YAMLError, OSError) as error:
            mark = getattr(error, "problem_mark", None)
            problems.append(Problem(file, mark.line + 1 if mark else 0, ERROR, "unreadable_yaml",
                                    {"error": str(error)}))
    if problems:
        return problems  # the other checks need readable files
    domain = load_yaml(paths.DOMAIN_FILE) or {}
    domain_intents = {str(i) for i in domain.get("intents") or []}
    problems += check_nlu(domain_intents, {str(e) for e in domain.get("entities") or []}, nlu_dir)
    problems += check_answers(rule_intents(FAQ_ACTION), domain_intents, today)
    problems += check_articles()
    problems += check_messages(rule_intents("action_reply"))
    problems += check_clinic()
    problems += check_practical_answers(rule_intents(PRACTICAL_ACTION), domain_intents)
    problems += check_triage()
    problems += check_translations_reviewed()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nlu-dir", type=Path, default=paths.NLU_DIR,
                        help="the NLU example files to check (default: data/nlu; the staff tools' tests use a copy)")
    problems = run_checks(nlu_dir=parser.parse_args().nlu_dir)
    for problem in problems:
        print(problem)
    errors = sum(p.level == ERROR for p in problems)
    print(f"validate: {errors} error(s), {len(problems) - errors} warning(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
