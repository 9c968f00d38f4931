"""The actions answer in the patient's language: the conversation's (the slot the language detector fills), the
widget's choice at the start of a session, and for an urgent message the message's own when the detector is sure
of it. Markers and texts are read from the knowledge files, never copied."""
from rasa_sdk.events import ActionExecuted, BotUttered, SessionStarted, SlotSet

from actions.answer_faq import ActionAnswerFaq
from actions.reply import ActionReply
from actions.session_start import ActionSessionStart
from actions.suggest_topics import ActionSuggestTopics
from clinic_bot.languages import ENGLISH, SPANISH
from tests.conftest import make_tracker


def in_spanish(intent: str, text: str = "", reading=None, **kwargs):
    tracker = make_tracker(intent, text, slots={"language": SPANISH}, **kwargs)
    if reading is not None:
        tracker.latest_message["language"] = reading
    return tracker


def test_an_faq_answer_and_its_question_in_the_conversations_language(dispatcher, knowledge):
    ActionAnswerFaq().run(dispatcher, in_spanish("ask_cost", "cuanto cuesta"), {})
    answer, question = dispatcher.messages
    assert answer["text"] == knowledge.faq("ask_cost", {}, language=SPANISH).text
    assert answer["custom"]["language"] == SPANISH
    assert answer["custom"]["sources"] == knowledge.faq("ask_cost", {}).marker["sources"]
    assert question["custom"]["language"] == SPANISH
    assert [b["title"] for b in question["buttons"]] == [knowledge.label(key, SPANISH)
                                                         for key in ("helpful_yes", "helpful_no")]


def test_the_fallback_offers_spanish_questions_and_something_else(dispatcher, knowledge):
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "ask_cost", "confidence": 0.1}]
    ActionSuggestTopics().run(dispatcher, in_spanish("nlu_fallback", "blorp", ranking=ranking), {})
    [fallback] = dispatcher.messages
    topics = fallback["custom"]["suggestions"]
    assert [b["title"] for b in fallback["buttons"]] == [
        *(knowledge.related_button(t, {}, language=SPANISH)["title"] for t in topics),
        knowledge.label("something_else_button", SPANISH)]
    assert fallback["custom"]["language"] == SPANISH
    assert fallback["text"] == knowledge.message("fallback", language=SPANISH).text


def test_an_urgent_message_sure_to_be_spanish_gets_the_spanish_urgent_message_in_an_english_conversation(
        dispatcher, knowledge):
    tracker = make_tracker("emergency", "ayuda!!", slots={"language": ENGLISH},
                           triage={"kind": "medical", "language": "es"})
    tracker.latest_message["language"] = {"conversation": ENGLISH, "message": SPANISH, "p_spanish": 0.93}
    ActionReply().run(dispatcher, tracker, {})
    [urgent] = dispatcher.messages
    assert urgent["custom"]["answer"] == "emergency" and urgent["custom"]["language"] == SPANISH


def test_an_urgent_message_of_uncertain_language_follows_the_conversation(dispatcher):
    tracker = in_spanish("emergency", "911", reading={"conversation": SPANISH, "message": None, "p_spanish": 0.5},
                         triage={"kind": "medical", "language": "en"})
    ActionReply().run(dispatcher, tracker, {})
    assert [m["custom"]["language"] for m in dispatcher.messages] == [SPANISH]


def test_a_session_opened_by_the_spanish_widget_starts_with_the_spanish_disclaimer(knowledge):
    metadata = {"language": SPANISH}
    tracker = make_tracker("greet", "/greet", slots={"session_started_metadata": metadata})
    events = ActionSessionStart().run(None, tracker, {})
    disclaimer = knowledge.message("disclaimer", language=SPANISH)
    assert events == [SessionStarted(), SlotSet("session_started_metadata", metadata), SlotSet("language", SPANISH),
                      SlotSet("disclaimer_language", SPANISH),
                      BotUttered(disclaimer.text, data={"custom": disclaimer.marker}), ActionExecuted("action_listen")]
    assert disclaimer.marker["language"] == SPANISH


def switched_to_spanish(intent: str, text: str, **kwargs):
    """A Spanish message in a session whose disclaimer was English (typed Spanish on an English page)."""
    return make_tracker(intent, text, slots={"language": SPANISH, "disclaimer_language": ENGLISH}, **kwargs)


def test_a_switch_of_language_brings_the_disclaimer_in_the_new_one_before_the_answer(dispatcher, knowledge):
    events = ActionAnswerFaq().run(dispatcher, switched_to_spanish("ask_cost", "cuanto cuesta"), {})
    disclaimer = knowledge.message("disclaimer", language=SPANISH)
    first, answer = dispatcher.messages[:2]
    assert (first["text"], first["custom"]) == (disclaimer.text, disclaimer.marker)
    assert (answer["custom"]["answer"], answer["custom"]["language"]) == ("ask_cost", SPANISH)
    assert events[0] == SlotSet("disclaimer_language", SPANISH)


def test_the_disclaimer_comes_once_per_language_and_never_before_an_urgent_reply(dispatcher):
    had_it = make_tracker("ask_cost", "cuanto cuesta", slots={"language": SPANISH, "disclaimer_language": SPANISH})
    assert "disclaimer_language" not in str(ActionAnswerFaq().run(dispatcher, had_it, {}))
    urgent = switched_to_spanish("emergency", "me duele el pecho y no puedo respirar",
                                 triage={"kind": "medical", "language": SPANISH})
    assert ActionReply().run(dispatcher, urgent, {}) == []
    never_said = make_tracker("ask_cost", "cuanto cuesta", slots={"language": SPANISH})  # no disclaimer recorded
    assert ActionAnswerFaq().run(dispatcher, never_said, {}) == ActionAnswerFaq().run(dispatcher, had_it, {})
    assert all(m["custom"].get("answer") != "disclaimer" for m in dispatcher.messages)

