"""The conversations on disk: ``events`` owns every query of Rasa's ``events`` table (the conversation
store, the review tool and privacy use it); ``privacy`` is `make purge` / `make forget`."""
