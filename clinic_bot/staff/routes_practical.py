"""Practical answers (knowledge/practical_answers.yml: hours, address, refills, ...): one entry's editor, with the
Spanish beside the English, and a preview as a patient of the first location reads it, in English and in Spanish.
Saving runs the checks of `make validate` on the entry and records it in the audit log
(clinic_bot/staff/practical_editor.py); the problems are worded by problem_wording.py. The list is the second table
of /answers, the Spanish that needs work first."""
import logging
from typing import Any, List, Optional, Tuple

import yaml
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_bot.staff.console import Console, refused
from clinic_bot.staff.practical_editor import ANSWER_LABEL, SPANISH_LAYOUT, PracticalForm, PracticalPreview
from clinic_bot.staff.problem_wording import plain_problems
from clinic_bot.staff.routes_answers import shows_unreviewed
from clinic_bot.staff.spanish_texts import SpanishForm, SpanishPreview, after_save, entry_order, spanish_from_request
from clinic_bot.tools.problems import Problem

logger = logging.getLogger(__name__)
MORE_ROWS_EXTRA = 2  # a "more" box is this many lines taller than its sentences, to add one


def form_from_request(form: Any, intent: str, shown: Optional[SpanishForm] = None) -> PracticalForm:
    """The edited entry as the browser sent it: the `more` boxes hold one sentence a line. ``shown``: the file's
    Spanish, for what is shown but not edited."""
    return PracticalForm(intent=intent, title=form.get("title") or "", text=form.get("text") or "",
                         more=(form.get("more") or "").splitlines(), if_unset=form.get("if_unset") or "",
                         es=spanish_from_request(form, "", shown, SPANISH_LAYOUT))


def _listing(console: Console) -> Tuple[List[Tuple[str, str, str]], str]:
    """((intent, title, state of its Spanish) per practical answer, the Spanish that needs work first, "") or ([], why
    the file could not be read)."""
    try:
        titles = console.practical.titles()
        spanish = console.practical.spanish_overview()
        return [(intent, titles[intent], spanish[intent][0].state) for intent in entry_order(spanish)], ""
    except (OSError, yaml.YAMLError) as error:
        logger.error("Cannot list the practical answers: %s", error)
        return [], ("The practical answers file (knowledge/practical_answers.yml) could not be read: "
                    "`make validate` shows what is wrong.")


def register(app: Sanic, console: Console) -> None:
    # /answers belongs to routes_answers.py; its template asks for this list itself, so that page needs no change.
    console.templates.globals["practical_listing"] = lambda: _listing(console)

    def editor(request: Request, form: PracticalForm, status: int = 200, problems: Optional[List[Problem]] = None,
               preview: Optional[PracticalPreview] = None,
               spanish_preview: Optional[SpanishPreview] = None) -> HTTPResponse:
        return console.render(request, "practical_edit.html", status=status, form=form,
                              problems=plain_problems(problems or []), spanish_preview=spanish_preview,
                              state=console.practical.spanish_states(form.intent)[0],
                              show_unreviewed=shows_unreviewed(console),
                              preview=preview, per_location=console.practical.per_location(form.intent),
                              placeholders=console.practical.placeholders(form.intent),
                              if_unset_placeholders=console.practical.if_unset_placeholders(),
                              more_rows=len(form.more) + MORE_ROWS_EXTRA)

    def missing(request: Request, intent: str) -> HTTPResponse:
        return refused(console, request, 404, "No such answer", f"There is no practical answer '{intent}'.")

    def unreadable(request: Request, error: Exception) -> HTTPResponse:
        logger.error("Cannot read the practical answers: %s", error)
        return refused(console, request, 503, "The practical answers cannot be read",
                       "knowledge/practical_answers.yml does not read as YAML, so it cannot be edited here: "
                       "`make validate` shows the line to fix.")

    @app.get("/practical/<intent:str>")
    async def practical_edit(request: Request, intent: str) -> HTTPResponse:
        try:
            return editor(request, console.practical.form(intent))
        except KeyError:
            return missing(request, intent)
        except (OSError, yaml.YAMLError) as error:
            return unreadable(request, error)

    @app.post("/practical/<intent:str>")
    async def practical_save(request: Request, intent: str) -> HTTPResponse:
        try:
            original = console.practical.form(intent)  # only an entry that is in the file
            form = form_from_request(request.form, intent, original.es)
            if request.form.get("action") == "preview":
                return editor(request, form, preview=console.practical.preview(form),
                              problems=console.practical.problems(form),
                              spanish_preview=console.practical.spanish_preview(form))
            result = console.practical.save(form, request.ctx.session.user, audit=console.audit)
        except KeyError:
            return missing(request, intent)
        except (OSError, yaml.YAMLError) as error:
            return unreadable(request, error)
        if not result.saved:
            return editor(request, form, status=422, problems=result.problems)
        if result.changed:
            console.flash(request, "ok", f"Saved \u201c{result.after.get('title', intent)}\u201d. "
                          "Patients get the new text from their next question.")
            reviewed = [ANSWER_LABEL] if form.es and form.es.review else []
            for kind, text in after_save(console.practical.spanish_states(intent), reviewed):
                console.flash(request, kind, text)
        else:
            console.flash(request, "ok", "Nothing to save: the answer is as it was.")
        return response.redirect(f"/practical/{intent}", status=303)
