"""The actions, driven with CollectingDispatcher and trackers: exact events and answer markers, and the text
each sends is the one in knowledge/ (read from the files, never copied here: staff edit those texts)."""
import pytest
from rasa_sdk.events import ActionExecuted, BotUttered, SessionStarted, SlotSet

from actions.answer_faq import ActionAnswerFaq
from actions.reply import ActionReply
from actions.session_start import ActionSessionStart
from actions.suggest_topics import ActionSuggestTopics
from tests.conftest import entity, make_tracker


def only_message(dispatcher):
    assert len(dispatcher.messages) == 1, dispatcher.messages
    return dispatcher.messages[0]


def faq_answer(dispatcher):
    """An FAQ answer is two messages: the curated answer, then "Was this helpful?" with yes/no buttons."""
    assert len(dispatcher.messages) == 2, dispatcher.messages
    assert dispatcher.messages[1]["custom"] == {"answer": "helpful_question", "language": "en"}
    return dispatcher.messages[0]


def test_insurance_answer_is_the_curated_text_with_its_marker(dispatcher, knowledge):
    events = ActionAnswerFaq().run(dispatcher, make_tracker("ask_insurance", "is this covered by insurance?"), {})
    assert events == [SlotSet("answered_topic", "ask_insurance")]  # never offered as related to the next answer
    message = faq_answer(dispatcher)
    assert message["custom"]["answer"] == "ask_insurance"
    assert message["custom"]["sources"] == [s.as_dict() for s in knowledge.answers["ask_insurance"].sources]
    assert message["text"] == knowledge.faq("ask_insurance", {}).text
    assert "{" not in message["text"], "placeholders must be filled from clinic.yml"


@pytest.mark.parametrize("intent", sorted(__import__("clinic_bot.tools.validate", fromlist=["x"])
                                          .rule_intents("action_answer_faq")))
def test_every_faq_intent_gets_its_own_answer(dispatcher, knowledge, intent):
    ActionAnswerFaq().run(dispatcher, make_tracker(intent), {})
    message = faq_answer(dispatcher)
    assert message["custom"]["answer"] == intent
    assert message["custom"]["sources"], "every FAQ answer names its sources"
    assert message["custom"]["sources"] == [s.as_dict() for s in knowledge.answers[intent].sources]
    assert message["text"] == knowledge.faq(intent, {}).text


def test_named_procedure_gets_its_variant(dispatcher, knowledge):
    tracker = make_tracker("ask_procedure_info", "what is rfa", [entity("procedure", "radiofrequency_ablation")],
                           {"procedure": "radiofrequency_ablation"})
    ActionAnswerFaq().run(dispatcher, tracker, {})
    message = faq_answer(dispatcher)
    assert message["custom"]["variant"] == message["custom"]["about"] == "procedure:radiofrequency_ablation"
    variant = knowledge.answers["ask_procedure_info"].variants["procedure"]["radiofrequency_ablation"]
    assert message["custom"]["sources"] == [s.as_dict() for s in variant.sources]
    assert message["text"] == knowledge.faq("ask_procedure_info", {"procedure": "radiofrequency_ablation"}).text


def test_follow_up_uses_the_remembered_procedure(dispatcher, knowledge):
    # "is it safe?" after talking about spinal cord stimulation: the slot carries the procedure.
    tracker = make_tracker("ask_safety", "is it safe?", slots={"procedure": "spinal_cord_stimulation"})
    ActionAnswerFaq().run(dispatcher, tracker, {})
    assert faq_answer(dispatcher)["custom"]["variant"] == "procedure:spinal_cord_stimulation"


def test_follow_up_without_a_variant_says_the_articles_are_silent(dispatcher, knowledge):
    assert "radiofrequency_ablation" not in knowledge.answers["ask_cost"].variants["procedure"]
    tracker = make_tracker("ask_cost", "how much is it", slots={"procedure": "radiofrequency_ablation"})
    ActionAnswerFaq().run(dispatcher, tracker, {})
    message = faq_answer(dispatcher)
    assert message["custom"]["variant"] is None and message["custom"]["about"] == "procedure:radiofrequency_ablation"
    silent = knowledge.message("no_specific_info", topic=knowledge.name("radiofrequency_ablation")).text
    assert message["text"] == silent + " " + knowledge.faq("ask_cost", {}).text


@pytest.mark.parametrize("forged", ["https://evil.example/pay", "<b>x</b>", "radiofrequency ablation"])
def test_an_entity_value_that_is_not_a_canonical_name_never_reaches_the_answer(dispatcher, knowledge, forged):
    tracker = make_tracker("ask_cost", "how much is it", [entity("procedure", forged)], {"procedure": forged})
    ActionAnswerFaq().run(dispatcher, tracker, {})
    message = faq_answer(dispatcher)
    assert message["custom"]["about"] is None and message["text"] == knowledge.faq("ask_cost", {}).text


def test_general_topic_ignores_a_procedure_named_earlier(dispatcher, knowledge):
    tracker = make_tracker("ask_what_is_pain_management", slots={"procedure": "radiofrequency_ablation"})
    ActionAnswerFaq().run(dispatcher, tracker, {})
    assert faq_answer(dispatcher)["text"] == knowledge.faq("ask_what_is_pain_management", {}).text


def test_condition_question_prefers_the_named_condition(dispatcher):
    tracker = make_tracker("ask_conditions_treated", "can you help sciatica", [entity("condition", "sciatica")],
                           {"procedure": "radiofrequency_ablation", "condition": "sciatica"})
    ActionAnswerFaq().run(dispatcher, tracker, {})
    assert faq_answer(dispatcher)["custom"]["variant"] == "condition:sciatica"


def test_faq_answer_asks_if_it_was_helpful_with_yes_no_buttons(dispatcher, knowledge):
    ActionAnswerFaq().run(dispatcher, make_tracker("ask_recovery", "how long is recovery"), {})
    question = dispatcher.messages[1]
    assert question["custom"] == {"answer": "helpful_question", "language": "en"}
    assert question["text"] == knowledge.message("helpful_question").text
    # The buttons send the existing affirm/deny intents: the reply is an ordinary user event for `make review`.
    assert question["buttons"] == [{"title": knowledge.message("helpful_yes").text, "payload": "/affirm"},
                                   {"title": knowledge.message("helpful_no").text, "payload": "/deny"}]


def test_not_helpful_reply_offers_the_staff_contact(dispatcher, knowledge):
    ActionReply().run(dispatcher, make_tracker("deny", "/deny"), {})
    message = only_message(dispatcher)
    assert message["custom"] == {"answer": "deny", "language": "en"}
    assert message["text"] == knowledge.message("deny").text


def test_emergency_message_sends_to_911_and_988_with_after_hours_line(dispatcher, knowledge):
    assert ActionReply().run(dispatcher, make_tracker("emergency", "i cant breathe"), {}) == []
    message = only_message(dispatcher)
    assert message["custom"]["answer"] == "emergency" and message["custom"]["variant"] == "medical"
    assert message["text"] == knowledge.message("emergency").text  # 911, 988, after-hours: make validate checks


@pytest.mark.parametrize("kind,language,key", [("crisis", "en", "emergency_crisis"), ("medical", "es", "emergency"),
                                               ("crisis", "es", "emergency_crisis")])
def test_urgent_message_follows_the_triage_kind_and_language(dispatcher, knowledge, kind, language, key):
    triage = {"level": "urgent", "kind": kind, "language": language, "concept": None}
    # The patient's language as the triage read it and as the conversation's slot has it.
    ActionReply().run(dispatcher, make_tracker("emergency", "...", triage=triage, slots={"language": language}), {})
    message = only_message(dispatcher)
    shown = knowledge.message(key, language=language)
    assert message["custom"] == {"answer": "emergency", "variant": kind,
                                 **{k: v for k, v in shown.marker.items() if k != "answer"}, "concept": None}
    assert message["custom"]["language"] == language  # a safety message: in Spanish whenever its Spanish exists
    assert message["text"] == shown.text


def test_personal_question_with_a_general_part_gets_refusal_then_the_general_answer(dispatcher):
    triage = {"level": "personal", "general_intent": {"name": "ask_procedures", "confidence": 0.9}}
    ActionReply().run(dispatcher, make_tracker("ask_personal_advice",
                                               "i have knee arthritis, what procedures do you offer",
                                               triage=triage), {})
    markers = [m["custom"]["answer"] for m in dispatcher.messages]
    assert markers == ["ask_personal_advice", "general_not_your_case", "ask_procedures", "helpful_question"]


def test_suicide_mentioned_in_the_past_gets_the_answer_then_the_gentle_988_line(dispatcher):
    triage = {"level": "general", "gentle_crisis_line": True, "language": "en"}
    ActionAnswerFaq().run(dispatcher, make_tracker("ask_safety", "i attempted suicide years ago, is rfa safe",
                                                   triage=triage), {})
    assert [m["custom"]["answer"] for m in dispatcher.messages] == ["ask_safety", "helpful_question",
                                                                    "crisis_line_gentle"]


def test_personal_advice_is_refused_kindly_with_the_care_team(dispatcher, knowledge):
    ActionReply().run(dispatcher, make_tracker("ask_personal_advice", "how many oxycodone can i take"), {})
    message = only_message(dispatcher)
    assert message["custom"] == {"answer": "ask_personal_advice", "language": "en"}
    assert message["text"] == knowledge.message("ask_personal_advice").text


@pytest.mark.parametrize("intent", ["book_appointment", "human_handoff"])
def test_booking_and_handoff_give_the_clinic_details(dispatcher, knowledge, intent):
    ActionReply().run(dispatcher, make_tracker(intent), {})
    message = only_message(dispatcher)
    assert message["custom"] == {"answer": intent, "language": "en"}
    assert message["text"] == knowledge.message(intent).text and "{" not in message["text"]


def test_fallback_asks_did_you_mean_the_two_likeliest_topics_or_something_else(dispatcher, knowledge):
    ranking = [{"name": "nlu_fallback", "confidence": 1.0}, {"name": "ask_cost", "confidence": 0.3},
               {"name": "greet", "confidence": 0.2}, {"name": "ask_insurance", "confidence": 0.25},
               {"name": "ask_recovery", "confidence": 0.1}, {"name": "ask_safety", "confidence": 0.05}]
    ActionSuggestTopics().run(dispatcher, make_tracker("nlu_fallback", "hmm money?", ranking=ranking), {})
    message = only_message(dispatcher)
    assert message["custom"]["answer"] == "fallback"
    assert message["custom"]["suggestions"] == ["ask_cost", "ask_insurance"]  # the two likeliest topics
    assert [b["payload"] for b in message["buttons"]] == ["/ask_cost", "/ask_insurance", "/ask_capabilities"]
    assert message["buttons"][0] == knowledge.related_button("ask_cost", {})
    assert message["buttons"][2]["title"] == knowledge.label("something_else_button")


def test_session_starts_with_the_disclaimer(knowledge):
    events = ActionSessionStart().run(None, make_tracker("greet"), {})
    assert events == [SessionStarted(), SlotSet("disclaimer_language", "en"),  # remembered: a switch brings it again
                      BotUttered(knowledge.message("disclaimer").text,
                                 data={"custom": {"answer": "disclaimer", "language": "en"}}),
                      ActionExecuted("action_listen")]


def test_unknown_intent_gets_a_plain_no_answer_not_a_crash(dispatcher):
    ActionAnswerFaq().run(dispatcher, make_tracker("ask_something_new"), {})
    assert only_message(dispatcher)["custom"] == {"answer": "no_answer", "language": "en"}
