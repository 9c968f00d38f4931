"""The language detector's figures: of the messages whose language a bilingual annotator could tell
(paths.MESSAGE_LANGUAGES_FILE, "en" or "es"; "either" messages such as "ok" are left out), the share the trained
model reads right, for the hold-outs' messages and for the development sets', each also for the short messages
(where detectors fail). The same reading as tests/model/test_language.py: a message's own reading is Spanish when
its parse result's `language.p_spanish` is at least 0.5."""
import json
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Tuple

from clinic_bot.holdout import Parse
from clinic_bot.languages import ENGLISH, LANGUAGES, SPANISH
from clinic_bot.paths import MESSAGE_LANGUAGES_FILE

SHORT_WORDS = 3  # messages of at most this many words count also as short
SPANISH_FROM = 0.5  # P(Spanish) from which a message's own reading is Spanish


def labelled(path: Path = MESSAGE_LANGUAGES_FILE) -> List[Tuple[str, str]]:
    """(text, "en" or "es") of every message the annotator could tell."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(str(row["text"]), str(row["language"])) for row in rows if row["language"] in LANGUAGES]


def reading(parsed: Mapping[str, Any]) -> str:
    """The message's own language, as the model read it."""
    return SPANISH if float(parsed["language"]["p_spanish"]) >= SPANISH_FROM else ENGLISH


def is_short(text: str) -> bool:
    return len(text.split()) <= SHORT_WORDS


def _share(right: List[bool]) -> Dict[str, Any]:
    return {"hits": sum(right), "total": len(right), "rate": sum(right) / len(right) if right else None}


def read_right(parse: Parse, messages: Iterable[Tuple[str, str]], groups: Mapping[str, Iterable[str]]
               ) -> Dict[str, Any]:
    """Per group (a name and the texts it holds, e.g. the hold-outs'): the share of its labelled messages read
    right ("all") and of those of at most SHORT_WORDS words ("short"), and the ones read wrong. A message in two
    groups counts in both; each message is parsed once."""
    members = {name: set(texts) for name, texts in groups.items()}
    figures: Dict[str, Any] = {"short_words": SHORT_WORDS}
    right: Dict[str, Dict[str, List[bool]]] = {name: {"all": [], "short": []} for name in members}
    wrong: Dict[str, List[Dict[str, str]]] = {name: [] for name in members}
    for text, language in messages:
        inside = [name for name, texts in members.items() if text in texts]
        if not inside:
            continue
        got = reading(parse(text))
        for name in inside:
            right[name]["all"].append(got == language)
            if is_short(text):
                right[name]["short"].append(got == language)
            if got != language:
                wrong[name].append({"text": text, "language": language, "read_as": got})
    for name in members:
        figures[name] = {"all": _share(right[name]["all"]), "short": _share(right[name]["short"]),
                         "wrong": wrong[name]}
    return figures
