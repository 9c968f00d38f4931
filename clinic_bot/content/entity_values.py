"""The canonical procedure and condition names (spacy_pipeline/entity_patterns.yml): the only entity values an
answer may be tailored to or name."""
from functools import lru_cache
from typing import Dict, FrozenSet

from clinic_bot import paths
from clinic_bot.content.yaml_lines import load_yaml

PROCEDURE, CONDITION = "procedure", "condition"
ENTITY_KINDS = (PROCEDURE, CONDITION)


@lru_cache(maxsize=1)
def canonical_values() -> Dict[str, FrozenSet[str]]:
    """{"procedure": {"radiofrequency_ablation", ...}, "condition": {...}}, read once per process."""
    data = load_yaml(paths.ENTITY_PATTERNS_FILE) or {}
    return {kind: frozenset(data.get(kind) or {}) for kind in ENTITY_KINDS}


def is_canonical(kind: str, value: object) -> bool:
    return isinstance(value, str) and value in canonical_values().get(kind, frozenset())


def name_message(value: str) -> str:
    """The key of knowledge/messages.yml whose text names the canonical ``value`` in a reply ("name_sciatica"):
    a name is a text with its translation like any other the patient reads."""
    return f"name_{value}"


def name_messages() -> FrozenSet[str]:
    """The keys of the names of every canonical value: messages.yml must have each."""
    return frozenset(name_message(value) for values in canonical_values().values() for value in values)
