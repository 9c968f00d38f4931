"""The languages the assistant speaks, by the codes every layer uses: the language detector (clinic_bot/nlu/
language.py), the slot that keeps the conversation's language, the knowledge files' translations, the widget and
the webhook's `language` field. English is the language of the curated answers; the others are translations."""
ENGLISH = "en"
SPANISH = "es"
LANGUAGES = (ENGLISH, SPANISH)
SOURCE_LANGUAGE = ENGLISH
# The slot (domain.yml) and the entity that sets it: the conversation's language, as the detector decided it.
LANGUAGE_SLOT = "language"
