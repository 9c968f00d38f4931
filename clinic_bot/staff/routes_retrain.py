"""Retrain: start "Train and compare", watch its stages, read what changed and whether it was switched."""
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from clinic_bot.staff.console import Console

REFRESH_S = 3  # the page reloads itself while a job runs (no script needed, screen readers announce the status)


def register(app: Sanic, console: Console) -> None:
    @app.get("/retrain")
    async def retrain_page(request: Request) -> HTTPResponse:
        assert console.retrainer is not None
        job = console.retrainer.status()
        return console.render(request, "retrain.html", job=job,
                              refresh=REFRESH_S if job and job["outcome"] == "running" else None)

    @app.get("/retrain/status")
    async def retrain_status(_: Request) -> HTTPResponse:
        assert console.retrainer is not None
        return response.json(console.retrainer.status() or {"outcome": "none"})

    @app.post("/retrain")
    async def retrain(request: Request) -> HTTPResponse:
        assert console.retrainer is not None
        if not console.retrainer.start(request.ctx.session.user):
            console.flash(request, "error", "A retrain is already running: wait for it to finish.")
        return response.redirect("/retrain", status=303)
