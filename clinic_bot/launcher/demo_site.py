"""Serves the demo clinic site with the chat widget (widget/), filled in with the clinic's details.

    python -m clinic_bot.launcher.demo_site [--port 8080] [--host 127.0.0.1] [--chat-server http://localhost:5005]

HTML pages may use {{clinic_name}} {{phone}} {{hours}} {{booking_url}} (from clinic.yml, in the page's language:
a page whose <html lang> is Spanish, such as es/index.html, gets the Spanish values clinic.yml's `es:` gives) and
{{chat_server}} (the Rasa server the widget talks to). Every page is sent with a Content-Security-Policy that lets
it load and connect only to its own origin and the chat server: nothing of a patient's chat can go anywhere else.
The widget's files are served as they are: widget.js, widget.css and its texts, strings/en.json and
strings/es.json, which the widget fetches from beside widget.js (so from this origin: `connect-src 'self'`).
`make run` starts this next to the bot (clinic_bot/launcher/servers.py); the tests start it on a free port.
"""
import argparse
import html
import os
import re
import threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import Dict, Iterator

from clinic_bot.content.clinic_config import load_clinic_details
from clinic_bot.languages import ENGLISH, LANGUAGES
from clinic_bot.paths import REPO_ROOT

WIDGET_DIR = REPO_ROOT / "widget"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
HTML_LANG = re.compile(r"<html\b[^>]*\blang=[\"']?([\w-]+)", re.IGNORECASE)


def page_values(chat_server: str, language: str = ENGLISH) -> Dict[str, str]:
    """What the pages' {{placeholders}} stand for, in ``language``."""
    values = load_clinic_details().placeholders(language)
    values["chat_server"] = chat_server
    return values


def page_language(page: str) -> str:
    """The language of a page's <html lang> as the widget reads it: "es", "es-MX"... -> "es"; else English."""
    found = HTML_LANG.search(page)
    primary = found.group(1).split("-")[0].lower() if found else ""
    return primary if primary in LANGUAGES else ENGLISH


def fill_in(page: str, values: Dict[str, str]) -> str:
    """The page with each {{name}} replaced by its HTML-escaped value; an unknown name is an error."""
    return PLACEHOLDER.sub(lambda match: html.escape(values[match.group(1)]), page)


def content_security_policy(chat_server: str) -> str:
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {chat_server}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class WidgetSiteHandler(SimpleHTTPRequestHandler):
    """Static files from widget/; .html pages filled in. Read-only: GET and HEAD only."""

    def __init__(self, *args, values: Dict[str, Dict[str, str]], **kwargs) -> None:
        self.values = values  # language -> placeholder -> value
        super().__init__(*args, directory=str(WIDGET_DIR), **kwargs)

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?")[0].endswith("/"):
            path = os.path.join(path, "index.html")  # (without the slash: the base class redirects to it)
        if not path.endswith(".html") or not os.path.isfile(path):
            return super().send_head()  # also answers directory redirects and 404s
        with open(path, encoding="utf-8") as page:
            text = page.read()
        values = self.values[page_language(text)]
        body = fill_in(text, values).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", content_security_policy(values["chat_server"]))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        return BytesIO(body)

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        pass  # page requests would drown the bot's output in `make run`


def make_server(port: int, chat_server: str, host: str = DEFAULT_HOST) -> ThreadingHTTPServer:
    values = {language: page_values(chat_server, language) for language in LANGUAGES}
    handler = partial(WidgetSiteHandler, values=values)
    return ThreadingHTTPServer((host, port), handler)


@contextmanager
def serving_site(port: int, chat_server: str, host: str = DEFAULT_HOST) -> Iterator[ThreadingHTTPServer]:
    """The demo site served from a background thread for as long as the block runs."""
    server = make_server(port, chat_server, host)
    thread = threading.Thread(target=server.serve_forever, name="widget-site", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", DEFAULT_PORT)))
    parser.add_argument("--chat-server", default=f"http://localhost:{os.environ.get('RASA_PORT', 5005)}",
                        help="the Rasa server's URL as the browser reaches it")
    args = parser.parse_args()
    server = make_server(args.port, args.chat_server, args.host)
    print(f"Serving the demo clinic site on http://localhost:{args.port}/ (chat server {args.chat_server}); "
          "Ctrl-C stops it.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
