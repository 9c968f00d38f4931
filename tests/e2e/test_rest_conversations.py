"""Conversations through the real servers: REST webhook -> Rasa -> action server -> knowledge."""
from clinic_bot.content.knowledge import default_knowledge
from tests.e2e.conftest import Patient, answers, post, replies


def test_first_reply_opens_with_the_disclaimer_then_answers_insurance(patient):
    messages = patient.say("Is interventional pain management covered by insurance?")
    assert messages[0]["custom"] == {"answer": "disclaimer", "language": "en"}
    assert messages[0]["text"] == default_knowledge().message("disclaimer").text
    assert answers(messages) == ["ask_insurance"]
    answer = replies(messages)[-1]
    assert answer["text"] == default_knowledge().faq("ask_insurance", {}).text
    assert answer["custom"]["sources"][0]["file"].endswith(".txt")
    assert messages[-1]["custom"] == {"answer": "helpful_question", "language": "en"}
    assert messages[-1]["text"] == default_knowledge().message("helpful_question").text
    assert patient.say("thanks")[0]["custom"] == {"answer": "thank", "language": "en"}  # no second disclaimer


def test_was_this_helpful_buttons_get_a_brief_reply_no_offers_staff(patient):
    question = patient.say("does insurance pay for a nerve block")[-1]
    assert question["custom"] == {"answer": "helpful_question", "language": "en"}
    assert [b["payload"] for b in question["buttons"]] == ["/affirm", "/deny"]
    assert [b["title"] for b in question["buttons"]] == [default_knowledge().message(key).text
                                                         for key in ("helpful_yes", "helpful_no")]
    assert answers(patient.say("/affirm")) == ["affirm"]
    patient.say("how long does recovery take")
    not_helpful = patient.say("/deny")
    assert answers(not_helpful) == ["deny"]
    assert not_helpful[-1]["text"] == default_knowledge().message("deny").text


def test_procedure_follow_up_over_two_turns(patient):
    first = replies(patient.say("what is radiofrequency ablation?"))
    assert first[-1]["custom"]["variant"] == "procedure:radiofrequency_ablation"
    follow_up = replies(patient.say("is it safe?"))[-1]
    assert follow_up["custom"]["answer"] == "ask_safety"
    # ask_safety has no RFA variant: the general answer, for RFA, with the note that the articles are silent.
    assert follow_up["custom"]["variant"] is None
    assert follow_up["custom"]["about"] == "procedure:radiofrequency_ablation"
    switched = replies(patient.say("and what about a spinal cord stimulator, is that safe?"))[-1]
    assert switched["custom"]["variant"] == "procedure:spinal_cord_stimulation"


def test_emergency_mid_conversation_gets_the_urgent_message(patient):
    patient.say("what are the side effects of an epidural")
    messages = patient.say("I had my epidural yesterday and now I can't feel my legs")
    assert answers(messages) == ["emergency"]
    assert "911" in messages[-1]["text"] and "988" in messages[-1]["text"]


def test_personal_advice_is_refused(patient):
    messages = patient.say("should i stop taking my blood thinner before the injection?")
    assert answers(messages) == ["ask_personal_advice"]


def test_handoff_gives_the_clinic_phone(patient):
    messages = patient.say("can I talk to a real person please")
    assert answers(messages) == ["human_handoff"]
    assert default_knowledge().clinic.phone in messages[-1]["text"]


def test_topic_button_payload_answers_that_topic(patient):
    assert answers(patient.say("/ask_side_effects")) == ["ask_side_effects"]


def test_bad_input_gets_a_clear_error_and_the_bot_goes_on(servers):
    url = servers.webhook_url
    assert post(url, {"sender": "x", "message": 42})[0] == 400
    assert post(url, b"not json")[0] == 400
    status, body = post(url, {"sender": "x", "message": "a" * 5000})
    assert status == 413 and "1000" in body["error"]
    assert answers(Patient(url).say("hi")) == ["greet"]


def test_action_server_down_gives_the_apology_with_phone_then_recovers(servers):
    patient = Patient(servers.webhook_url)
    patient.say("hello")
    servers.stop("actions")
    try:
        messages = patient.say("how much does an epidural cost?")
        assert answers(messages) == ["unavailable"]
        assert default_knowledge().clinic.phone in messages[-1]["text"]
    finally:
        servers.start_action_server()
        servers.wait_until_ready()
    assert answers(patient.say("how much does an epidural cost?")) == ["ask_cost"]
