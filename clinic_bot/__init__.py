"""The clinic assistant's own code, shared by the NLU components, the actions, the staff tools and the tests.

Data flows one way: channel -> NLU (``nlu_components``, ``triage``) -> dialogue -> ``actions/`` -> ``knowledge``.
Nothing here imports ``actions``.
"""
