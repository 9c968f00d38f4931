"""The triage as a Rasa NLU component, named last in config.yml's pipeline so that it has the last word.

Training reads the lexicons, the triage training sets and the practical intents (the keys of
knowledge/practical_answers.yml; paths in its config) and stores them inside the model: at run time nothing is read
from disk, so the model behaves at run time exactly as it was trained, and ``fingerprint_addon`` makes a change to
any of these files retrain the model (to the practical answers: a topic added or removed, not a reworded answer).
It reads each message with the conversation so far (conversation.py). For every message it sets ``triage`` (the
decision) and, where it decides:
- urgent   -> intent ``emergency`` (confidence 1), ``red_flag`` = the concept (or ``(classifier)``); the
  record's ``disposition`` says whether the patient gets the emergency message or the check-in, and
  ``otherwise`` the intent a "no" to the check-in leads to;
- personal -> intent ``ask_personal_advice``; ``triage.general_intent`` keeps the classifier's best other
  intent, so the refusal can add the general answer where one fits;
- general  -> the intent classifier's own choice, except ``emergency``, which only the triage may give:
  the next intent of the ranking, or ``nlu_fallback`` when that one is unsure.
"""
import glob
import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Collection, Dict, FrozenSet, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic_bot.content.practical_answers import practical_intents as intents_of_practical_answers
from clinic_bot.content.yaml_lines import load_yaml
from clinic_bot.intents import CHECK_IN, EMERGENCY_INTENT, FALLBACK_INTENT, OUT_OF_SCOPE_INTENT, PERSONAL_INTENT
from clinic_bot.nlu.triage.conversation import NO, YES, last_question, word_count
from clinic_bot.nlu.triage.data import LabelledMessage, from_intent_examples, read_all
from clinic_bot.nlu.triage.decision import EMERGENCY, PERSONAL, URGENT, Framing, Thresholds, TriageDecision
from clinic_bot.nlu.triage.engine import Triage, plain
from clinic_bot.nlu.triage.rules import MEDICAL
from clinic_bot.nlu.triage.text import ENGLISH, Tokens, tokenize
from clinic_bot.paths import REPO_ROOT

DECIDED_BY_TRIAGE = {EMERGENCY_INTENT, PERSONAL_INTENT, FALLBACK_INTENT}
PRACTICAL_INTENTS_FILE = "practical_intents.json"  # in the model, beside the triage's own files
# The setting that held a copy of the practical intents before the component read them from the practical answers.
RETIRED_PRACTICAL_LIST = "practical_intents"


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
    """Every file the trained triage depends on whole (of the practical answers only the intents count:
    practical_intents)."""
    return _resolve(config["red_flags"]) + _resolve(config["context"]) + _resolve(config["training_data"])


def practical_intents(config: Dict[str, Any]) -> List[str]:
    """The practical intents, sorted: the keys of the practical answers file (`practical_answers`), the list the
    practical answer action answers. A list written into config.yml is refused: it would be a second copy."""
    if RETIRED_PRACTICAL_LIST in config:
        raise ValueError(f"config.yml gives the triage '{RETIRED_PRACTICAL_LIST}': remove it. The practical intents "
                         f"are the keys of {config['practical_answers']}, read at training.")
    found = _resolve(config["practical_answers"])
    if not found:
        raise ValueError(f"the triage's practical answers file {config['practical_answers']} does not exist")
    return sorted(intents_of_practical_answers(found[0]))


def save_practical_intents(directory: Path, intents: Collection[str]) -> None:
    (directory / PRACTICAL_INTENTS_FILE).write_text(json.dumps(sorted(intents)), encoding="utf-8")


def load_practical_intents(directory: Path) -> FrozenSet[str]:
    stored = directory / PRACTICAL_INTENTS_FILE
    if not stored.is_file():
        raise RuntimeError("this model's triage was trained before it kept the practical intents in the model: "
                           "run `make train`")
    return frozenset(str(intent) for intent in json.loads(stored.read_text(encoding="utf-8")))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TriageGate(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "red_flags": "knowledge/triage/red_flags.yml",
            "context": "knowledge/triage/context.yml",
            "training_data": "data/triage/*.jsonl",
            # P(emergency) + P(crisis) from which the classifier alone asks "is this happening now?" (a check-in
            # showing 911 and 988), and from which it gives the emergency message at once; a red-flag concept of
            # the rules whose P is below `rules_confirmed_threshold` gets the check-in, below
            # `rules_dismissed_threshold` nothing (decision.py).
            "urgent_threshold": 0.5,
            "emergency_threshold": 0.8,
            "rules_confirmed_threshold": 0.0,
            "rules_dismissed_threshold": 0.0,
            "personal_threshold": 0.5,
            # A message of at most `reply_max_words` words is a conversational reply, never urgent on the
            # classifier's word alone, when the intent classifier reads it as one of `reply_intents` (at least
            # `reply_min_confidence`) or when it answers the assistant's own question (conversation.py).
            "reply_max_words": 4,
            "reply_intents": ["affirm", "deny", "thank", "goodbye", "greet"],
            "reply_min_confidence": 0.5,
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
            # of the practical requests (a refill, a records request, what to wear: the intents of `practical_answers`,
            # answered from clinic.yml; read at training and kept in the model). Their answers give no instruction and
            # send every care question to the care team, and the refusal of personal advice would be the wrong answer
            # to "can you send my MRI report to my new doctor". A question about one's own medicine or body stays
            # personal: the intent classifier is then far from sure of a practical topic, or the triage's own
            # P(personal) reaches `personal_beats_practical` ("running low on my muscle relaxer, can i take 2 instead
            # of 1 until the refill": a dose question first).
            "practical_answers": "knowledge/practical_answers.yml",
            "practical_overrules_personal": 0.6,
            "personal_beats_practical": 0.75,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        digest = hashlib.sha256()
        full = {**cls.get_default_config(), **config}
        for path in input_files(full):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        digest.update(json.dumps(practical_intents(full)).encode())
        return digest.hexdigest()

    def __init__(self, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 triage: Optional[Triage] = None, practical: Collection[str] = ()) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self.triage = triage
        self.practical: FrozenSet[str] = frozenset(practical)  # the practical intents, as trained

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TriageGate":
        return cls(config, model_storage, resource)

    @staticmethod
    def thresholds(config: Dict[str, Any]) -> Thresholds:
        return Thresholds(urgent=float(config["urgent_threshold"]), personal=float(config["personal_threshold"]),
                          emergency=float(config["emergency_threshold"]),
                          rules_confirmed=float(config["rules_confirmed_threshold"]),
                          rules_dismissed=float(config["rules_dismissed_threshold"]))

    def train(self, training_data: TrainingData) -> Resource:
        examples = [(m.get(TEXT), m.get(INTENT)) for m in training_data.intent_examples]
        self.practical = frozenset(practical_intents(self._config))
        self.triage = Triage.train(load_lexicon(self._config), training_messages(self._config, examples),
                                   float(self._config["c"]), self.thresholds(self._config))
        with self._storage.write_to(self._resource) as directory:
            self.triage.save(directory)
            save_practical_intents(directory, self.practical)
        return self._resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "TriageGate":
        with model_storage.read_from(resource) as directory:
            triage = Triage.load(directory, cls.thresholds(config))
            practical = load_practical_intents(directory)
        return cls(config, model_storage, resource, triage, practical)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message], tracker: Optional[DialogueStateTracker] = None) -> List[Message]:
        """Rasa hands over the conversation so far (``tracker``) when it parses a patient's message in a
        conversation; tools that parse a message alone (``rasa shell nlu``, the tests) give none."""
        if self.triage is None:  # an untrained component: never silently skip the safety check
            raise RuntimeError("TriageGate has not been trained: run `make train`")
        triage = self.triage
        question = last_question(reversed(tracker.events)) if tracker is not None else None
        for message in messages:
            text = message.get(TEXT) or ""
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in DECIDED_BY_TRIAGE]
            general = ranking[0] if ranking else None
            tokens = tokenize(text)
            decision = triage.judge_tokens([tokens], [self._framing(tokens, general, question)])[0]
            if question is not None and question.get("answer") == CHECK_IN and not decision.emergency:
                answered = self._check_in_answered(message, triage, decision, question, tokens, general, ranking)
                if answered is None:
                    continue  # "no": the first message's own answer is set
                decision = answered
            self._apply(message, decision, ranking, general)
        return messages

    def _framing(self, tokens: Tokens, general: Optional[Dict[str, Any]],
                 question: Optional[Dict[str, Any]]) -> Framing:
        """A short message is a conversational reply when the intent classifier reads it as one, or when it comes
        right after the assistant asked something: then it is the answer."""
        short = word_count(tokens) <= int(self._config["reply_max_words"])
        conversational = (general is not None and general.get("name") in set(self._config["reply_intents"])
                          and float(general.get("confidence") or 0.0) >= float(self._config["reply_min_confidence"]))
        return Framing(short=short, short_reply=short and (conversational or question is not None),
                       answers_question=question is not None)

    def _check_in_answered(self, message: Message, triage: Triage, decision: TriageDecision, question: Dict[str, Any],
                           tokens: Tokens, general: Optional[Dict[str, Any]],
                           ranking: List[Dict[str, Any]]) -> Optional[TriageDecision]:
        """The answer to the check-in, typed or pressed: yes gets the emergency message the check-in held back (its
        kind and language), no the answer the first message would have had (None: this message is handled here);
        anything else is a new message."""
        answer = triage.check_in_answers.read(tokens, general.get("name") if general else None)
        if answer == YES:
            return replace(decision, level=URGENT, disposition=EMERGENCY, raised_by=[CHECK_IN],
                           kind=str(question.get("variant") or MEDICAL),
                           language=str(question.get("language") or decision.language))
        otherwise = question.get("otherwise")
        if answer == NO and isinstance(otherwise, str) and otherwise:
            message.set("triage", {**decision.as_dict(), "general_intent": dict(general) if general else None,
                                   "check_in_answer": NO}, add_to_output=True)
            self._force(message, otherwise, ranking)
            return None
        return decision

    def _apply(self, message: Message, decision: TriageDecision, ranking: List[Dict[str, Any]],
               general: Optional[Dict[str, Any]]) -> None:
        record = decision.as_dict()
        record["general_intent"] = dict(general) if general else None
        if decision.level == URGENT:
            calm = self._calm_intent(message, replace(decision, level=decision.calm_level), ranking, general)
            record["otherwise"] = (calm or message.get(INTENT) or {}).get("name")
            message.set("triage", record, add_to_output=True)
            self._force(message, EMERGENCY_INTENT, ranking)
            message.set("red_flag", decision.concept or "(classifier)", add_to_output=True)
            return
        message.set("triage", record, add_to_output=True)
        calm = self._calm_intent(message, decision, ranking, general)
        if calm is not None:
            message.set(INTENT, calm, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [calm] + ranking if calm.get("name") in DECIDED_BY_TRIAGE else ranking,
                        add_to_output=True)

    def _calm_intent(self, message: Message, decision: TriageDecision, ranking: List[Dict[str, Any]],
                     general: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
        """The intent of a message that is not urgent, when the triage changes it (None: the classifier's own)."""
        own = message.get(INTENT) or {}
        if (decision.level == PERSONAL and decision.language == ENGLISH
                and self._surely_out_of_scope(general, decision)):
            return None
        if (decision.level == PERSONAL and own.get("name") != PERSONAL_INTENT
                and self._surely_practical(general, decision)):
            return None
        if decision.level == PERSONAL or own.get("name") == PERSONAL_INTENT:
            return {"name": PERSONAL_INTENT, "confidence": 1.0}
        if own.get("name") == EMERGENCY_INTENT:
            trusted = general is not None and general.get("confidence", 0.0) >= float(
                self._config["demoted_min_confidence"])
            return dict(general) if trusted and general is not None else {"name": FALLBACK_INTENT, "confidence": 1.0}
        return None

    def _surely_out_of_scope(self, general: Optional[Dict[str, Any]], decision: TriageDecision) -> bool:
        """Both opinions agree: the intent classifier is sure enough, and the triage's own classifier leans to
        off-topic at least as much as to personal (unknown drug names also look out of scope to the first)."""
        leans_off_topic = decision.probabilities.get("off_topic", 0.0) >= decision.probabilities.get("personal", 0.0)
        return (leans_off_topic and general is not None and general.get("name") == OUT_OF_SCOPE_INTENT
                and float(general.get("confidence") or 0.0) >= float(self._config["out_of_scope_overrules_personal"]))

    def _surely_practical(self, general: Optional[Dict[str, Any]], decision: TriageDecision) -> bool:
        """The intent classifier is sure of a practical request, and the triage is not sure of a personal one."""
        return (general is not None and general.get("name") in self.practical
                and float(general.get("confidence") or 0.0) >= float(self._config["practical_overrules_personal"])
                and decision.probabilities.get("personal", 0.0) < float(self._config["personal_beats_practical"]))

    @staticmethod
    def _force(message: Message, intent: Text, ranking: List[Dict[str, Any]]) -> None:
        forced = {"name": intent, "confidence": 1.0}
        message.set(INTENT, forced, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [forced] + ranking, add_to_output=True)
