"""Custom actions served by `rasa run actions`: one module per action, all reading clinic_bot.content.knowledge, each
a ClinicAction (actions/turn.py: an action reads the current turn, never further back)."""
