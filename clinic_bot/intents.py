"""The intent, action and slot names the code itself acts on (the rest live only in domain.yml, data/nlu and
data/rules). No Rasa import, so the staff tools can use them without loading Rasa."""
FALLBACK_INTENT = "nlu_fallback"  # Rasa's FallbackClassifier
OUT_OF_SCOPE_INTENT = "out_of_scope"
EMERGENCY_INTENT = "emergency"  # only the triage gives it (clinic_bot/nlu/triage/component.py)
PERSONAL_INTENT = "ask_personal_advice"
# The triage's weak-evidence disposition ("is this happening now?"), and the answer marker of its message: the
# triage reads the patient's reply to a bot message with this marker (clinic_bot/nlu/triage/conversation.py).
CHECK_IN = "check_in"
CHECK_IN_YES, CHECK_IN_NO = "yes", "no"  # how the triage records the patient's answer to it
GREET_INTENT = "greet"
BOOKING_INTENT = "book_appointment"
HANDOFF_INTENT = "human_handoff"
# What the widget sends besides the topics (its opening "/greet" and its booking button) and the topic
# suggestions' handoff button: the webhook honours them, with the topics, as bare "/intent" payloads
# (clinic_bot/server/slash_payloads.py).
BUTTON_INTENTS = frozenset({GREET_INTENT, BOOKING_INTENT, HANDOFF_INTENT})

# The curated answers: one action answers every FAQ intent (the intents its rules name).
FAQ_ACTION = "action_answer_faq"
# The practical answers (hours, address, ...): one action answers them all. With several locations it asks "which
# one?" and the question waits in PENDING_LOCATION_SLOT; the location chosen is remembered in LOCATION_SLOT.
PRACTICAL_ACTION = "action_answer_practical"
LOCATION_SLOT = "location"
PENDING_LOCATION_SLOT = "pending_location_topic"
# The topic the patient was answered last: the related-topic button never offers it (clinic_bot/content/choices.py).
ANSWERED_TOPIC_SLOT = "answered_topic"
