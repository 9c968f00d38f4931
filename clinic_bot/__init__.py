"""The clinic assistant's own code. The folders follow a message:

``server`` (channel, limits, conversation store) -> ``nlu`` (entities, intents, triage) -> ``dialogue``
(rule policy) -> ``actions/`` (outside this package, as Rasa expects) -> ``content`` (answers, messages,
clinic details). ``store`` owns the conversations table, ``tools`` are the staff's and maintainers' commands,
``launcher`` starts everything. ``paths`` defines every path and ``intents`` the intent names the code acts on.
``rasa_patches`` is the one module that changes Rasa's own code (version-checked).
Nothing here imports ``actions``; ``content`` imports no Rasa.
"""
