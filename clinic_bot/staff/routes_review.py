"""Review: the messages that need a look, labelled with the topic they should have had (the checks of
`make add-example`), or marked fine; urgent ones on their own page, to check, not to label. The review list
is shown a page at a time (``?page=N``); its forms bring staff back to the page they were on. A message after
which the patient pressed a topic the assistant offered shows that choice, with the topic already picked in its
form: a suggestion, added only when staff press the button."""
from typing import Dict, List

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_bot.languages import ENGLISH, SPANISH
from clinic_bot.staff.console import Console, refused
from clinic_bot.staff.review_queue import ReviewItem, page_number, page_of, topics
from clinic_bot.store.turns import DID_YOU_MEAN, RELATED
from clinic_bot.tools.add_example import TrainingData


def _answer_names(item: ReviewItem, names: Dict[str, str]) -> List[str]:
    return [names.get(marker, marker.replace("_", " ")) for marker in item.answers]


def _review_page(request: Request) -> str:
    """Where a review form returns to: the page it was sent from (a number only, so nothing else gets in)."""
    number = page_number(request.form.get("page") if request.form else None)
    return "/review" if number == 1 else f"/review?page={number}"


# How the review list names a message's language (the console is in English).
LANGUAGE_NAMES = {ENGLISH: "English", SPANISH: "Spanish"}
# Where the patient's chosen topic was offered, as the review list says it ("... (from the related topic button)").
CHOSEN_FROM_NAMES = {RELATED: "the related topic button", DID_YOU_MEAN: "\"Did you mean\""}


def register(app: Sanic, console: Console) -> None:
    @app.get("/review")
    async def review(request: Request) -> HTTPResponse:
        to_label, urgent = console.queue.lists()
        page = page_of(to_label, request.args.get("page"))
        all_topics = topics()
        names = {t.intent: t.label for t in all_topics}
        return console.render(request, "review.html", page=page, items=page.items, urgent_count=len(urgent),
                              topics=all_topics, names=names, answer_names=lambda item: _answer_names(item, names),
                              language_names=LANGUAGE_NAMES, chosen_from_names=CHOSEN_FROM_NAMES)

    @app.get("/review/urgent")
    async def urgent(request: Request) -> HTTPResponse:
        items, counts = console.queue.urgent()
        names = {t.intent: t.label for t in topics()}
        return console.render(request, "urgent.html", items=items, counts=counts, days=console.queue.days,
                              answer_names=lambda item: _answer_names(item, names))

    @app.post("/review/<key:str>/label")
    async def label(request: Request, key: str) -> HTTPResponse:
        item = console.queue.find(key)
        if item is None:
            return refused(console, request, 404, "Message not found",
                           "This message is no longer in the review list (someone may have handled it already).")
        intent = (request.form.get("intent") or "").strip()
        user = request.ctx.session.user
        if not intent:
            console.flash(request, "error", "Choose the topic the message should have had, then press the button.")
            return response.redirect(f"{_review_page(request)}#item-{key}", status=303)
        outcome = TrainingData().add(intent, [item.text], item.language)[0]
        if outcome.added:
            console.queue.mark_done(key, user, f"labelled {outcome.intent}")
            console.audit.record(user, "added training example", outcome.intent, after={
                "text": outcome.text, "where": outcome.detail})
            console.flash(request, "ok", f"Added \u201c{outcome.text}\u201d as an example of {outcome.detail}. "
                          "The assistant learns it at the next retrain.")
        else:
            console.audit.record(user, "training example refused", f"message {key}", after={
                "intent": intent, "reason": outcome.detail})
            console.flash(request, "error", f"Not added: {outcome.detail}.")
        return response.redirect(_review_page(request), status=303)

    @app.post("/review/<key:str>/fine")
    async def fine(request: Request, key: str) -> HTTPResponse:
        return handled(request, key, "answer was right", "Marked as answered well: it leaves the list.",
                       back=_review_page(request))

    @app.post("/review/<key:str>/checked")
    async def checked(request: Request, key: str) -> HTTPResponse:
        return handled(request, key, "urgent message checked", "Marked as checked.", back="/review/urgent")

    def handled(request: Request, key: str, outcome: str, message: str, back: str = "/review") -> HTTPResponse:
        item = console.queue.find(key)
        if item is None:
            return refused(console, request, 404, "Message not found",
                           "This message is no longer in the list (someone may have handled it already).")
        console.queue.mark_done(key, request.ctx.session.user, outcome)
        # The key only: the patient's words stay in the conversation store, which `make purge` and `make forget`
        # clean; a labelled message is in data/nlu/ by design.
        console.audit.record(request.ctx.session.user, outcome, f"message {key}")
        console.flash(request, "ok", message)
        return response.redirect(back, status=303)
