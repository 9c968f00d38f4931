"""Command-line tools for staff and maintainers (no Rasa server needed):
- ``validate``: the project's data and knowledge checks with file and line (``make validate``);
- ``add_example``: add training examples to data/nlu/ safely (``make add-example``);
- ``review``: the conversations worth a look as a CSV (``make review``);
- ``import_review``: add the examples labelled in that CSV (``make import-review``).
"""
