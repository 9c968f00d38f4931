"""Triage: decides for every message, before any FAQ answer, whether it is urgent (911 / 988), a personal
case (refusal, with the general answer where one fits) or general.

Two opinions, either of which can raise the alarm:
- ``rules``: red-flag concepts (``knowledge/triage/red_flags.yml``) found in the text, kept only when the
  ConText algorithm (``context``, triggers in ``knowledge/triage/context.yml``) finds them current, not
  negated, historical or hypothetical;
- ``learned``: a TF-IDF + logistic-regression classifier trained on ``data/triage/*.jsonl``.
``decision`` combines them; ``component`` is the Rasa NLU component that carries both inside the trained
model; ``evaluate`` and ``tune`` measure it. The replies it leads to are clinic_bot/content/triage_replies.py.
Only ``component`` (and ``tune``, which reads its defaults) use Rasa's classes.
"""
