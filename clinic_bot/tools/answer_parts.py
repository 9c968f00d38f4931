"""Which part of which answer a problem is about, as data: the command line names it one way ("answer 'ask_x'
variant 'nerve_block'"), the staff console another ("Source 2 for nerve block"), and neither has to read it back out
of a sentence.

An answer is an entry of one of the knowledge files, keyed by its intent: a curated answer (knowledge/answers.yml),
a practical answer (knowledge/practical_answers.yml), or a message (knowledge/messages.yml: what action_reply answers
an intent with; its key is the intent or the message's own name). Each text may have a Spanish text beside it
(``es:``, clinic_bot/content/translations.py): a part of it has ``language`` "es".
"""
from dataclasses import dataclass

# Which file's entry (AnswerPart.entry).
CURATED = "curated"
PRACTICAL = "practical"
MESSAGE = "message"

# Which field of the entry (AnswerPart.field); "" is the entry as a whole.
TITLE = "title"
TEXT = "text"
SOURCES = "sources"
REVIEWED = "reviewed"
MORE = "more"
IF_UNSET = "if_unset"
TRANSLATES = "translates"
ASK = "ask"  # the related-topic button's question
ASK_ABOUT = "ask_about"  # the same, naming the conversation's procedure or condition

SPANISH = "es"  # AnswerPart.language of a Spanish text


@dataclass(frozen=True)
class AnswerPart:
    entry: str  # CURATED, PRACTICAL or MESSAGE
    intent: str  # the entry's key
    variant_kind: str = ""  # a curated answer's variant: "procedure" or "condition" ("": the general answer)
    variant_value: str = ""  # the variant's canonical value, e.g. "nerve_block"
    field: str = ""  # TITLE, TEXT, SOURCES, REVIEWED, MORE, IF_UNSET, or "" for the whole entry (or variant)
    source: int = 0  # the source's number in the list of sources, from 1 (0: not one source)
    sentence: int = 0  # the number of the sentence of `more`, from 1 (0: not one sentence)
    language: str = ""  # "es": the Spanish text of the part (its `es:`); "": the English

    @property
    def is_spanish(self) -> bool:
        return self.language == SPANISH

    @property
    def is_variant(self) -> bool:
        return bool(self.variant_kind)
