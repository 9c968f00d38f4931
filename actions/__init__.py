"""Custom actions served by `rasa run actions`: one module per action, all reading clinic_bot.content.knowledge."""
