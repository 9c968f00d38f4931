"""The triage as a Rasa NLU component, named last in config.yml's pipeline so that it has the last word.

Training reads the lexicons and the triage training sets (paths in its config) and stores both inside the
model: at run time nothing is read from disk, and ``fingerprint_addon`` makes a change to any of these files
retrain the model. For every message it sets ``triage`` (the decision) and, where it decides:
- urgent   -> intent ``emergency`` (confidence 1), ``red_flag`` = the concept (or ``(classifier)``);
- personal -> intent ``ask_personal_advice``; ``triage.general_intent`` keeps the classifier's best other
  intent, so the refusal can add the general answer where one fits;
- general  -> the intent classifier's own choice, except ``emergency``, which only the triage may give:
  the next intent of the ranking, or ``nlu_fallback`` when that one is unsure.
"""
import glob
import hashlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_bot.content.yaml_lines import load_yaml
from clinic_bot.intents import EMERGENCY_INTENT, FALLBACK_INTENT, OUT_OF_SCOPE_INTENT, PERSONAL_INTENT
from clinic_bot.nlu.triage.data import LabelledMessage, from_intent_examples, read_all
from clinic_bot.nlu.triage.decision import PERSONAL, URGENT, Thresholds, TriageDecision
from clinic_bot.nlu.triage.engine import Triage, plain
from clinic_bot.nlu.triage.text import ENGLISH
from clinic_bot.paths import REPO_ROOT

DECIDED_BY_TRIAGE = {EMERGENCY_INTENT, PERSONAL_INTENT, FALLBACK_INTENT}


def _resolve(pattern: str) -> List[Path]:
    path = Path(pattern)
    full = str(path if path.is_absolute() else REPO_ROOT / path)
    return sorted(Path(p) for p in glob.glob(full))


def load_lexicon(config: Dict[str, Any]) -> Dict[str, Any]:
    """The red-flag concepts and the ConText triggers as plain data, as the model stores them."""
    return {"red_flags": plain(load_yaml(_resolve(config["red_flags"])[0])),
            "context": plain(load_yaml(_resolve(config["context"])[0]))}


def training_messages(config: Dict[str, Any], intent_examples: List[Tuple[str, str]]) -> List[LabelledMessage]:
    """The triage's own sets plus the NLU examples (text, intent) under the labels of ``intent_labels``."""
    own = read_all(_resolve(config["training_data"]))
    if not own:
        raise ValueError(f"no triage training messages in {config['training_data']}")
    return own + from_intent_examples(intent_examples, config["intent_labels"])


def input_files(config: Dict[str, Any]) -> List[Path]:
    """Every file the trained triage depends on."""
    return _resolve(config["red_flags"]) + _resolve(config["context"]) + _resolve(config["training_data"])


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TriageGate(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "red_flags": "knowledge/triage/red_flags.yml",
            "context": "knowledge/triage/context.yml",
            "training_data": "data/triage/*.jsonl",
            "urgent_threshold": 0.5,
            "personal_threshold": 0.5,
            "c": 8.0,
            # The NLU training examples join the triage's own sets under these labels (others: general).
            "intent_labels": {"emergency": None, "ask_personal_advice": "personal", "out_of_scope": "off_topic",
                              "greet": "off_topic", "goodbye": "off_topic", "thank": "off_topic",
                              "affirm": "off_topic", "deny": "off_topic", "bot_challenge": "off_topic"},
            # Below this, the intent after a demoted `emergency` is not trusted: topic suggestions instead.
            "demoted_min_confidence": 0.35,
            # A "personal" verdict gives way when the intent classifier is at least this sure the message is
            # out of scope and the triage's classifier leans to off-topic too ("roll a dice for me", "what should i get
            # my dad for his birthday"): the refusal of personal advice would be the wrong answer there. Never applies
            # to urgent messages, nor to Spanish ones (the intent classifier learned English: Spanish looks out of
            # scope to it).
            "out_of_scope_overrules_personal": 0.5,
            # A "personal" verdict also gives way when the intent classifier is at least this sure the message is one
            # of these practical requests (a refill, a records request, what to wear: config.yml lists the intents
            # answered from clinic.yml). Their answers give no instruction and send every care question to the care
            # team, and the refusal of personal advice would be the wrong answer to "can you send my MRI report to my
            # new doctor". A question about one's own medicine or body stays personal: the intent classifier is then
            # far from sure of a practical topic, or the triage's own P(personal) reaches `personal_beats_practical`
            # ("running low on my muscle relaxer, can i take 2 instead of 1 until the refill": a dose question first).
            "practical_intents": [],
            "practical_overrules_personal": 0.6,
            "personal_beats_practical": 0.75,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        digest = hashlib.sha256()
        for path in input_files({**cls.get_default_config(), **config}):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 triage: Optional[Triage] = None) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self.triage = triage

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TriageGate":
        return cls(config, model_storage, resource)

    @staticmethod
    def thresholds(config: Dict[str, Any]) -> Thresholds:
        return Thresholds(urgent=float(config["urgent_threshold"]), personal=float(config["personal_threshold"]))

    def train(self, training_data: TrainingData) -> Resource:
        examples = [(m.get(TEXT), m.get(INTENT)) for m in training_data.intent_examples]
        self.triage = Triage.train(load_lexicon(self._config), training_messages(self._config, examples),
                                   float(self._config["c"]), self.thresholds(self._config))
        with self._storage.write_to(self._resource) as directory:
            self.triage.save(directory)
        return self._resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TriageGate":
        with model_storage.read_from(resource) as directory:
            triage = Triage.load(directory, cls.thresholds(config))
        return cls(config, model_storage, resource, triage)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        if self.triage is None:  # an untrained component: never silently skip the safety check
            raise RuntimeError("TriageGate has not been trained: run `make train`")
        for message in messages:
            decision = self.triage.judge(message.get(TEXT) or "")
            self._apply(message, decision)
        return messages

    def _apply(self, message: Message, decision: TriageDecision) -> None:
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in DECIDED_BY_TRIAGE]
        own = message.get(INTENT) or {}
        general = ranking[0] if ranking else None
        record = decision.as_dict()
        record["general_intent"] = dict(general) if general else None
        message.set("triage", record, add_to_output=True)
        if decision.level == URGENT:
            self._force(message, EMERGENCY_INTENT, ranking)
            message.set("red_flag", decision.concept or "(classifier)", add_to_output=True)
        elif (decision.level == PERSONAL and decision.language == ENGLISH
              and self._surely_out_of_scope(general, decision)):
            return
        elif (decision.level == PERSONAL and own.get("name") != PERSONAL_INTENT
              and self._surely_practical(general, decision)):
            return
        elif decision.level == PERSONAL or own.get("name") == PERSONAL_INTENT:
            self._force(message, PERSONAL_INTENT, ranking)
        elif own.get("name") == EMERGENCY_INTENT:
            trusted = general is not None and general.get("confidence", 0.0) >= float(
                self._config["demoted_min_confidence"])
            if trusted:
                assert general is not None  # trusted implies a general intent
                message.set(INTENT, dict(general), add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            else:
                self._force(message, FALLBACK_INTENT, ranking)

    def _surely_out_of_scope(self, general: Optional[Dict[str, Any]], decision: TriageDecision) -> bool:
        """Both opinions agree: the intent classifier is sure enough, and the triage's own classifier leans to
        off-topic at least as much as to personal (unknown drug names also look out of scope to the first)."""
        leans_off_topic = decision.probabilities.get("off_topic", 0.0) >= decision.probabilities.get("personal", 0.0)
        return (leans_off_topic and general is not None and general.get("name") == OUT_OF_SCOPE_INTENT
                and float(general.get("confidence") or 0.0) >= float(self._config["out_of_scope_overrules_personal"]))

    def _surely_practical(self, general: Optional[Dict[str, Any]], decision: TriageDecision) -> bool:
        """The intent classifier is sure of a practical request, and the triage is not sure of a personal one."""
        return (general is not None and general.get("name") in set(self._config["practical_intents"])
                and float(general.get("confidence") or 0.0) >= float(self._config["practical_overrules_personal"])
                and decision.probabilities.get("personal", 0.0) < float(self._config["personal_beats_practical"]))

    @staticmethod
    def _force(message: Message, intent: Text, ranking: List[Dict[str, Any]]) -> None:
        forced = {"name": intent, "confidence": 1.0}
        message.set(INTENT, forced, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [forced] + ranking, add_to_output=True)
