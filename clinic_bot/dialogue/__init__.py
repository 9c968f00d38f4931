"""What config.yml's policies name: the rule policy (``rule_policy``). Every flow here is a rule.
Importing this package installs clinic_bot/rasa_patches.py."""
import warnings

from clinic_bot import rasa_patches

rasa_patches.install()
# Rasa's recipe validator looks for RulePolicy by exact class, so it would warn at every training that
# restart and back are not handled; the subclass keeps them (RulePolicy's DEFAULT_RULES,
# rasa/core/policies/rule_policy.py).
warnings.filterwarnings("ignore", message="'RulePolicy' is not included in the model's policy configuration")
