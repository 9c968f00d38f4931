"""The languages the assistant speaks, by the codes every layer uses: the language detector (clinic_bot/nlu/
language.py), the slot that keeps the conversation's language, the knowledge files' translations, the widget and
the webhook's `language` field. English is the language of the curated answers; the others are translations."""
from typing import Any

ENGLISH = "en"
SPANISH = "es"
LANGUAGES = (ENGLISH, SPANISH)
SOURCE_LANGUAGE = ENGLISH
# The slot (domain.yml) and the entity that sets it: the conversation's language, as the detector decided it.
LANGUAGE_SLOT = "language"
# The slot that remembers the language of the disclaimer the patient has had in this session (actions/turn.py).
DISCLAIMER_LANGUAGE_SLOT = "disclaimer_language"


def reply_language(code: Any) -> str:
    """SPANISH for "es" (any case, "es-MX" too), else ENGLISH: the language a reply is wanted in, from any code."""
    return SPANISH if str(code or "").strip().lower().split("-")[0] == SPANISH else ENGLISH
