"""What the actions say and the tools check, read from the repository's files; no Rasa imports here, so the
action server needs only rasa-sdk. ``knowledge`` (answers and messages, knowledge/), ``clinic_config``
(clinic.yml), ``feedback`` ("Was this helpful?"), ``triage_replies`` (the urgent and personal replies),
``translations`` (the Spanish beside each text: its fingerprint, and which of the two a patient is shown),
``nlu_data`` (reading data/nlu/ with file and line), ``yaml_lines`` (YAML that remembers its lines)."""
