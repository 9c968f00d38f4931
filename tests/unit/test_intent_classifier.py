"""The intent classifier component: its views of a message, and training and classifying through Rasa's own
objects (the project's spaCy pipeline, as config.yml names it); and the benchmark's ensemble built on it
(bench/ensemble.py), which mixes in an earlier classifier's ranking where config.yml's replaces it."""
from typing import Any, Dict, List, Tuple

import pytest
import spacy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bench.ensemble import EnsembleIntentClassifier, mixed
from clinic_bot.nlu.entities import SPACY_DOC
from clinic_bot.nlu.intent_classifier import ClinicIntentClassifier, mask_token, views

NLP = spacy.load("en_clinic_pipeline")
TRAIN = {
    "ask_cost": ["how much is an epidural", "rfa price", "what does a nerve block cost", "is kyphoplasty expensive"],
    "ask_procedure_info": ["explain the pain pump", "tell me about facet injections", "what is acupuncture",
                           "how does a spinal cord stimulator work"],
    "out_of_scope": ["whats the weather", "book me a flight", "who won the game", "how do i bake bread"],
}


def message(text: str, intent: str = "") -> Message:
    built = Message.build(text=text, intent=intent) if intent else Message.build(text=text)
    built.set(SPACY_DOC, NLP(text))
    return built


def test_procedure_and_condition_names_are_one_token_in_the_word_view():
    seen = views(message("Tell me about RFA for my sciatica"))
    assert seen["masked"] == f"tell me about {mask_token('procedure')} for my {mask_token('condition')}"


def test_a_message_without_the_spacy_doc_is_refused_clearly():
    with pytest.raises(RuntimeError, match="SpacyNLP"):
        views(Message.build(text="hello"))


def test_mixing_weights_the_earlier_ranking_and_ignores_unknown_intents():
    own = {"a": 0.6, "b": 0.3, "c": 0.1}
    previous = [{"name": "b", "confidence": 0.5}, {"name": "a", "confidence": 0.5}, {"name": "zzz", "confidence": 0.9}]
    assert mixed(own, previous, 0.0) == own
    result = mixed(own, previous, 0.5)
    assert result == pytest.approx({"a": 0.55, "b": 0.4, "c": 0.05})
    assert mixed(own, [], 0.5) == own


@pytest.fixture
def trained(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    component = ClinicIntentClassifier.create({**ClinicIntentClassifier.get_default_config(), "c": 10.0}, storage,
                                              Resource("intents"), context)
    component.train(TrainingData([message(t, i) for i, texts in TRAIN.items() for t in texts]))
    return storage, context


def test_trains_saves_loads_and_names_the_intent_with_a_ranking(trained):
    storage, context = trained
    loaded = ClinicIntentClassifier.load(ClinicIntentClassifier.get_default_config(), storage, Resource("intents"),
                                         context)
    [asked] = loaded.process([message("explain vertebroplasty")])  # a procedure the training never named
    assert asked.get(INTENT)["name"] == "ask_procedure_info"
    ranking = asked.get(INTENT_RANKING_KEY)
    assert [r["name"] for r in ranking][0] == "ask_procedure_info"
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    [empty] = loaded.process([message("")])
    assert empty.get(INTENT)["name"] in TRAIN and empty.get(TEXT) == ""


def test_an_earlier_ranking_is_replaced_in_production_and_mixed_in_by_the_benchmarks_ensemble(
        trained: Tuple[LocalModelStorage, ExecutionContext]) -> None:
    storage, context = trained
    earlier: List[Dict[str, Any]] = [{"name": "out_of_scope", "confidence": 1.0}]

    def parsed(component: ClinicIntentClassifier, ranking: List[Dict[str, Any]]) -> Dict[str, float]:
        asked = message("explain vertebroplasty")
        asked.set(INTENT_RANKING_KEY, ranking)
        [asked] = component.process([asked])
        return {r["name"]: r["confidence"] for r in asked.get(INTENT_RANKING_KEY)}

    production = ClinicIntentClassifier.load(ClinicIntentClassifier.get_default_config(), storage,
                                             Resource("intents"), context)
    own = parsed(production, [])
    assert parsed(production, earlier) == own
    ensemble = EnsembleIntentClassifier.load({**EnsembleIntentClassifier.get_default_config(), "previous_weight": 0.5},
                                             storage, Resource("intents"), context)
    assert parsed(ensemble, earlier) == pytest.approx({name: p / 2 + (name == "out_of_scope") / 2
                                                       for name, p in own.items()})


def test_an_untrained_classifier_refuses_to_guess(tmp_path):
    component = ClinicIntentClassifier.create(ClinicIntentClassifier.get_default_config(), LocalModelStorage(tmp_path),
                                              Resource("x"), ExecutionContext(GraphSchema({}), "test"))
    with pytest.raises(RuntimeError, match="make train"):
        component.process([message("hi")])


def test_too_few_intents_are_refused(tmp_path):
    component = ClinicIntentClassifier.create(ClinicIntentClassifier.get_default_config(), LocalModelStorage(tmp_path),
                                              Resource("x"), ExecutionContext(GraphSchema({}), "test"))
    with pytest.raises(ValueError, match="three intents"):
        component.train(TrainingData([message("hi", "greet"), message("bye", "goodbye")]))
