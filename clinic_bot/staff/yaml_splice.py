"""One entry under `answers:` of a knowledge file, edited in place with ruamel.yaml's round-trip mode (what Rasa
installs): the staff console's editors change the entry, and the rest of the file stays byte for byte as it was (the
comments, the order, the other entries, the folded ``>-`` texts).

The entry is changed in the round-trip document (put_key, folded_text), written alone and spliced into the original
text where it was (splice_entry); plain_data and jsonable give what was written as plain Python, for the read-back
check and the audit log.
"""
import datetime as dt
import io
import re
from typing import Any, Dict, List, Tuple

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import FoldedScalarString
from ruamel.yaml.tokens import CommentToken

# A text is folded so its lines (indent included) stay within this width, like the rest of the file. ruamel's own
# line width is left far wider: it would otherwise fold the other entries' texts again (some lines reach 120).
LINE_WIDTH = 110
MIN_FOLD_WIDTH = 40


def entry_of(document: Any, intent: str) -> CommentedMap:
    """The entry of ``intent`` under `answers:` of a round-trip document, as a mapping; KeyError when missing."""
    answers = (document or {}).get("answers") or {}
    entry = answers[intent]  # KeyError: no such answer
    if not isinstance(entry, CommentedMap):
        entry = CommentedMap()
        answers[intent] = entry
    return entry


def put_key(owner: CommentedMap, key: str, value: Any, before: Tuple[str, ...] = ()) -> None:
    """Sets ``key``, in its place when it is there; a new key goes before the first of ``before`` present."""
    if key in owner:
        owner[key] = value
        return
    keys = list(owner)
    position = next((keys.index(k) for k in before if k in keys), len(keys))
    owner.insert(position, key, value)


def folded_text(text: str, indent: int, previous: Any = None) -> FoldedScalarString:
    """``text`` as a ``>-`` block whose lines fit LINE_WIDTH at ``indent``. The lines it shares with the start and
    the end of ``previous`` (the text it replaces) stay as they were, so the change shows as only the lines that
    changed; the words between are folded anew."""
    words = text.split(" ")
    old_lines = [line.split() for line in _folded_lines(previous)]
    head: List[List[str]] = []
    used = 0
    for line in old_lines:
        if not line or words[used:used + len(line)] != line:
            break
        head.append(line)
        used += len(line)
    tail: List[List[str]] = []
    left = len(words)
    for line in reversed(old_lines[len(head):]):
        if not line or left - len(line) < used or words[left - len(line):left] != line:
            break
        tail.insert(0, line)
        left -= len(line)
    # The new words fill up the last line kept from the start first (when they fit), then lines of their own.
    middle = _wrap(head.pop() if head else [], words[used:left], max(LINE_WIDTH - indent, MIN_FOLD_WIDTH))
    lines = [" ".join(line) for line in head + middle + tail]
    folded = FoldedScalarString(text)
    breaks, position = [], 0
    for shown in lines[:-1]:
        position += len(shown)
        breaks.append(position)  # the space after this line
        position += 1
    if breaks:
        folded.fold_pos = breaks  # type: ignore[attr-defined]  # ruamel's own attribute for where the lines break
    return folded


def _folded_lines(text: Any) -> List[str]:
    """The lines ``text`` is written on in the file: a ``>-`` text broken where ruamel read the breaks."""
    if not isinstance(text, FoldedScalarString):
        return []
    value, lines, start = str(text), [], 0
    for position in getattr(text, "fold_pos", []):
        lines.append(value[start:position])
        start = position + 1
    return lines + [value[start:]]


def _wrap(first: List[str], words: List[str], width: int) -> List[List[str]]:
    """``words`` folded greedily within ``width``, the first ones on the end of the line ``first`` (if any)."""
    lines: List[List[str]] = [list(first)] if first else []
    for word in words:
        if lines and len(" ".join(lines[-1])) + 1 + len(word) <= width:
            lines[-1].append(word)
        else:
            lines.append([word])
    return lines


def round_trip_yaml() -> YAML:
    """ruamel.yaml set up to write the knowledge files as they are written: quotes kept, 2-space indents."""
    rt = YAML(typ="rt")
    rt.preserve_quotes = True  # type: ignore[assignment]  # ruamel declares these None
    # Folding is folded_text's: ruamel's own would fold the untouched texts again.
    rt.width = 4096  # type: ignore[assignment]
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def trim_trailing_comment(node: Any) -> None:
    """Drops what follows the last value of ``node`` (the blank line, comments of the next answer) but keeps an
    end-of-line comment: a node moved inside the answer must not carry the blank line with it."""
    if isinstance(node, CommentedMap) and node:
        key: Any = list(node)[-1]
    elif isinstance(node, CommentedSeq) and node:
        key = len(node) - 1
    else:
        return
    slots = node.ca.items.get(key)
    for index, token in enumerate(slots or []):
        if isinstance(token, CommentToken):
            first_line = token.value.split("\n", 1)[0]
            if first_line.strip().startswith("#"):
                token.value = first_line + "\n"
            else:
                slots[index] = None
    trim_trailing_comment(node[key])


def _lines(text: str) -> List[str]:
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _is_between(line: str) -> bool:
    """A blank or comment-only line: between answers, what splice_entry keeps as it is."""
    return not line.strip() or line.lstrip().startswith("#")


def splice_entry(original: str, document: Any, intent: str) -> str:
    """``original`` with the lines of ``intent``'s answer replaced by the edited answer as ruamel writes it; the
    lines before and after it (and the blank or comment lines that end it) stay as they were."""
    lines = _lines(original)
    answers = document["answers"]
    keys = list(answers)
    start = answers.lc.key(intent)[0]
    following = keys.index(intent) + 1
    if following < len(keys):
        end = answers.lc.key(keys[following])[0]
    else:
        tops = list(document)
        after_answers = tops.index("answers") + 1
        end = document.lc.key(tops[after_answers])[0] if after_answers < len(tops) else len(lines)
    kept_end = end
    while kept_end > start + 1 and _is_between(lines[kept_end - 1]):
        kept_end -= 1

    alone = CommentedMap()
    alone["answers"] = CommentedMap()
    alone["answers"][intent] = answers[intent]
    if intent in answers.ca.items:  # a comment on the "  intent:" line
        alone["answers"].ca.items[intent] = answers.ca.items[intent]
    written = io.StringIO()
    round_trip_yaml().dump(alone, written)
    block = _lines(written.getvalue())[1:]  # without "answers:"
    # Blank or comment lines before the key are the original's, kept above: ruamel gives them to the entry when the
    # one before ends with an empty value (a translation's `reviewed:`), and would write them twice.
    while block and _is_between(block[0]):
        block.pop(0)
    while block and _is_between(block[-1]):
        block.pop()
    if block and not block[-1].endswith("\n"):
        block[-1] += "\n"
    return "".join(lines[:start] + block + lines[kept_end:])


def plain_data(node: Any) -> Any:
    """``node`` as plain Python (ruamel's strings, maps and lists as str, dict and list): what yaml.safe_load reads."""
    if isinstance(node, dict):
        return {str(key): plain_data(value) for key, value in node.items()}
    if isinstance(node, list):
        return [plain_data(value) for value in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def jsonable(node: Any) -> Dict[str, Any]:
    """An entry as JSON can hold it (dates as YYYY-MM-DD), for the audit log; {} for anything but a mapping."""
    def convert(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: convert(item) for key, item in value.items()}
        if isinstance(value, list):
            return [convert(item) for item in value]
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        return value

    converted = convert(plain_data(node))
    return converted if isinstance(converted, dict) else {}
