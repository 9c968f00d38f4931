"""Tools for clinic staff (no programming needed; see README "For clinic staff").

- ``add_example``: add training examples to data/nlu/ safely (``make add-example``);
- ``review``: list the conversations worth a look from the tracker store as a CSV (``make review``);
- ``import_review``: add the examples labelled in that CSV (``make import-review``).
"""
