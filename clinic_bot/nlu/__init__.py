"""What config.yml's pipeline names, in the order a message meets it: the entity extractor
(``entities``), the intent classifier (``intent_classifier``, over ``linear_text``) and the triage
(``triage``), which has the last word. Importing this package installs clinic_bot/rasa_patches.py."""
from clinic_bot import rasa_patches

rasa_patches.install()
