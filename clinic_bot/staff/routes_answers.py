"""Answers: the list (due for review first), and one answer's editor with a preview as the patient sees it.
Saving runs the checks of `make validate` on the answer and records it in the audit log
(clinic_bot/staff/answers_editor.py); the problems are worded by problem_wording.py."""
import datetime as dt
from typing import Any, Dict, List, Optional

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_bot.content.entity_values import canonical_values
from clinic_bot.staff.answers_editor import AnswerForm, SourceRef, VariantForm
from clinic_bot.staff.console import Console, refused
from clinic_bot.staff.problem_wording import plain_problems
from clinic_bot.tools.problems import Problem
from clinic_bot.tools.validate import article_headings

EXTRA_SOURCE_ROWS = 1  # empty rows under the sources, to add one


def _sources(form: Any, prefix: str) -> List[SourceRef]:
    found, index = [], 0
    while f"{prefix}source-{index}-file" in form:
        found.append(SourceRef((form.get(f"{prefix}source-{index}-file") or "").strip(),
                               (form.get(f"{prefix}source-{index}-section") or "").strip()))
        index += 1
    return found


def form_from_request(form: Any, original: AnswerForm) -> AnswerForm:
    """The edited answer as the browser sent it; what it cannot change (intent, reviewed) from the file."""
    variants, index = [], 0
    while f"variant-{index}-value" in form:
        prefix = f"variant-{index}-"
        variants.append(VariantForm(kind=form.get(prefix + "kind") or "", value=form.get(prefix + "value") or "",
                                    text=form.get(prefix + "text") or "", sources=_sources(form, prefix),
                                    remove=form.get(prefix + "remove") == "yes"))
        index += 1
    new_variant = (form.get("new-variant") or "").strip()
    if new_variant:
        kind, _, value = new_variant.partition(":")
        variants.append(VariantForm(kind=kind, value=value, text=form.get("new-variant-text") or "",
                                    sources=_sources(form, "new-variant-")))
    return AnswerForm(intent=original.intent, title=form.get("title") or "", text=form.get("text") or "",
                      sources=_sources(form, ""), variants=variants, reviewed=original.reviewed)


def register(app: Sanic, console: Console) -> None:
    def editor(request: Request, form: AnswerForm, status: int = 200, problems: Optional[List[Problem]] = None,
               preview: Optional[List[Any]] = None) -> HTTPResponse:
        files = console.answers.source_files()
        headings: Dict[str, List[str]] = {name: article_headings(name) for name in files}
        values = canonical_values()
        taken = {(v.kind, v.value) for v in form.variants}
        new_values = [(kind, value) for kind in sorted(values) for value in sorted(values[kind])
                      if (kind, value) not in taken]
        return console.render(request, "answer_edit.html", status=status, form=form, files=files, headings=headings,
                              problems=plain_problems(problems or []), preview=preview, new_values=new_values,
                              extra_rows=EXTRA_SOURCE_ROWS)

    def load(intent: str) -> Optional[AnswerForm]:
        try:
            return console.answers.form(intent)
        except KeyError:
            return None

    @app.get("/answers")
    async def answers(request: Request) -> HTTPResponse:
        today = dt.date.today()
        due = console.answers.due_for_review(today)
        forms = [console.answers.form(intent) for intent in console.answers.intents()]
        return console.render(request, "answers.html", due=due, forms=forms)

    @app.get("/answers/<intent:str>")
    async def edit(request: Request, intent: str) -> HTTPResponse:
        form = load(intent)
        if form is None:
            return refused(console, request, 404, "No such answer", f"There is no curated answer '{intent}'.")
        return editor(request, form)

    @app.post("/answers/<intent:str>")
    async def save(request: Request, intent: str) -> HTTPResponse:
        original = load(intent)
        if original is None:
            return refused(console, request, 404, "No such answer", f"There is no curated answer '{intent}'.")
        form = form_from_request(request.form, original)
        if request.form.get("action") == "preview":
            return editor(request, form, preview=console.answers.preview(form),
                          problems=console.answers.problems(form))
        result = console.answers.save(form, request.ctx.session.user, audit=console.audit)
        if not result.saved:
            return editor(request, form, status=422, problems=result.problems)
        if result.changed:
            console.flash(request, "ok", f"Saved \u201c{form.title}\u201d (reviewed date set to today). "
                          "Patients get the new text from their next question.")
        else:  # reviewed today already, and nothing else changed
            console.flash(request, "ok", "Nothing to save: the answer is as it was.")
        return response.redirect(f"/answers/{intent}", status=303)
