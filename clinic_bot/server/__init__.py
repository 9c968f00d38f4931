"""What credentials.yml and endpoints.yml name: the REST channel (``channel``) with its limits
(``rate_limit``) and the conversation store (``tracker_store``, whose SQL is clinic_bot/store/events.py).
Importing this package installs clinic_bot/rasa_patches.py."""
from clinic_bot import rasa_patches

rasa_patches.install()
