"""Answers: the list (due for review first, then every answer with the Spanish that needs work first), and one
answer's editor with the Spanish beside each English text, and a preview as the patient sees it, in English and in
Spanish. Saving runs the checks of `make validate` on the answer and records it in the audit log
(clinic_bot/staff/answers_editor.py); the problems are worded by problem_wording.py."""
import datetime as dt
from typing import Any, Dict, List, Optional

import yaml
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_bot.content.clinic_config import load_clinic_details
from clinic_bot.content.entity_values import canonical_values
from clinic_bot.staff.answers_editor import GENERAL_SPANISH, VARIANT_SPANISH, AnswerForm, SourceRef, VariantForm
from clinic_bot.staff.console import Console, refused
from clinic_bot.staff.problem_wording import plain_problems
from clinic_bot.staff.spanish_texts import (
    STATE_ORDER,
    STATE_WORDS,
    SpanishPreview,
    after_save,
    entry_order,
    spanish_from_request,
    worst,
)
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
    shown = {variant.key: variant.es for variant in original.variants}
    while f"variant-{index}-value" in form:
        prefix = f"variant-{index}-"
        kind, value = form.get(prefix + "kind") or "", form.get(prefix + "value") or ""
        variants.append(VariantForm(kind=kind, value=value, text=form.get(prefix + "text") or "",
                                    sources=_sources(form, prefix), remove=form.get(prefix + "remove") == "yes",
                                    es=spanish_from_request(form, prefix, shown.get(f"{kind}:{value}"),
                                                            VARIANT_SPANISH)))
        index += 1
    new_variant = (form.get("new-variant") or "").strip()
    if new_variant:
        kind, _, value = new_variant.partition(":")
        variants.append(VariantForm(kind=kind, value=value, text=form.get("new-variant-text") or "",
                                    sources=_sources(form, "new-variant-"),
                                    es=spanish_from_request(form, "new-variant-", None, VARIANT_SPANISH)))
    return AnswerForm(intent=original.intent, title=form.get("title") or "", text=form.get("text") or "",
                      sources=_sources(form, ""), variants=variants, reviewed=original.reviewed,
                      es=spanish_from_request(form, "", original.es, GENERAL_SPANISH))


def reviewed_labels(form: AnswerForm) -> List[str]:
    """How the page names each text whose Spanish the form marks reviewed."""
    labels = ["General answer"] if form.es and form.es.review else []
    return labels + [f"Answer for {v.value.replace('_', ' ')}" for v in form.variants
                     if v.es and v.es.review and not v.remove]


def shows_unreviewed(console: Console) -> Optional[bool]:
    """clinic.yml's show_unreviewed_translations (None when clinic.yml does not load)."""
    try:
        return load_clinic_details(console.answers.clinic_file).show_unreviewed_translations
    except (ValueError, OSError, yaml.YAMLError):
        return None


def register(app: Sanic, console: Console) -> None:
    def editor(request: Request, form: AnswerForm, status: int = 200, problems: Optional[List[Problem]] = None,
               preview: Optional[List[Any]] = None,
               spanish_preview: Optional[List[SpanishPreview]] = None) -> HTTPResponse:
        files = console.answers.source_files()
        headings: Dict[str, List[str]] = {name: article_headings(name) for name in files}
        values = canonical_values()
        taken = {(v.kind, v.value) for v in form.variants}
        new_values = [(kind, value) for kind in sorted(values) for value in sorted(values[kind])
                      if (kind, value) not in taken]
        states = {state.key: state for state in console.answers.spanish_states(form.intent)}
        return console.render(request, "answer_edit.html", status=status, form=form, files=files, headings=headings,
                              problems=plain_problems(problems or []), preview=preview, new_values=new_values,
                              extra_rows=EXTRA_SOURCE_ROWS, states=states, spanish_preview=spanish_preview,
                              show_unreviewed=shows_unreviewed(console))

    def load(intent: str) -> Optional[AnswerForm]:
        try:
            return console.answers.form(intent)
        except KeyError:
            return None

    @app.get("/answers")
    async def answers(request: Request) -> HTTPResponse:
        today = dt.date.today()
        due = console.answers.due_for_review(today)
        spanish = console.answers.spanish_overview()
        forms = [console.answers.form(intent) for intent in entry_order(spanish)]
        counts = {state: sum(s.state == state for states in spanish.values() for s in states) for state in STATE_ORDER}
        return console.render(request, "answers.html", due=due, forms=forms, spanish=spanish,
                              spanish_worst={intent: worst(s.state for s in states) for intent, states in
                                             spanish.items()},
                              spanish_counts=counts, state_words=STATE_WORDS)

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
                          problems=console.answers.problems(form),
                          spanish_preview=console.answers.spanish_preview(form))
        result = console.answers.save(form, request.ctx.session.user, audit=console.audit)
        if not result.saved:
            return editor(request, form, status=422, problems=result.problems)
        if result.changed:
            english = ("reviewed date set to today" if result.after.get("reviewed") != result.before.get("reviewed")
                       else "only its Spanish changed: the English and its reviewed date are as they were")
            console.flash(request, "ok", f"Saved \u201c{form.title}\u201d ({english}). "
                          "Patients get the new text from their next question.")
            for kind, text in after_save(console.answers.spanish_states(intent), reviewed_labels(form)):
                console.flash(request, kind, text)
        else:  # reviewed today already, and nothing else changed
            console.flash(request, "ok", "Nothing to save: the answer is as it was.")
        return response.redirect(f"/answers/{intent}", status=303)
