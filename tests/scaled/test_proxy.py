"""The proxy alone, in front of Rasa servers that are all down: it answers with the apology itself, and never
passes on the staff console's model reload."""
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from clinic_bot import paths
from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.languages import LANGUAGES
from clinic_bot.launcher.proxy import HEALTH_PATH, ProxyConfig, apology_json
from clinic_bot.launcher.services import nginx_child
from clinic_bot.launcher.supervisor import Supervisor
from tests.e2e.conftest import free_port, post, send


@contextmanager
def proxy_alone() -> Iterator[str]:
    """nginx with the project's configuration in front of two Rasa servers that are down: its base URL."""
    work = Path(tempfile.mkdtemp(prefix="clinic-proxy-"))
    supervisor = Supervisor()
    try:
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (work / "tmp" / kind).mkdir(parents=True)
        port = free_port()
        config = ProxyConfig(listen=f"127.0.0.1:{port}", rasa_upstreams=[f"127.0.0.1:{free_port()}"] * 2,
                             work_dir=work)
        (work / "nginx.conf").write_text(config.render(apology_json()))
        supervisor.start(nginx_child(work / "nginx.conf", work, {}, f"http://127.0.0.1:{port}{HEALTH_PATH}"))
        supervisor.wait_until_ready(timeout_s=20)
        yield f"http://127.0.0.1:{port}"
    finally:
        supervisor.stop()
        shutil.rmtree(work, ignore_errors=True)


def test_no_rasa_server_up_gets_the_apology_from_the_proxy(monkeypatch):
    # A text with every character nginx would otherwise read specially must come back unchanged.
    knowledge = default_knowledge()
    tricky = dict(knowledge.messages, unavailable="Sorry $1 'down' \\ \"now\" {phone} \u00e9")
    monkeypatch.setattr(knowledge, "messages", tricky)
    with proxy_alone() as proxy:
        status, messages = post(f"{proxy}/webhooks/rest/webhook", {"sender": "p", "message": "hi"})
    assert status == 200
    assert messages == [knowledge.unavailable("", language) for language in LANGUAGES]  # it cannot know which
    assert knowledge.clinic.phone in messages[0]["text"] and "$1 'down' \\" in messages[0]["text"]


def test_the_model_reload_is_not_reachable_through_the_proxy():
    """The staff console's reload (clinic_bot/server/model_reload.py) is for the servers' own machine: 404 here,
    however the path is spelled, while any other webhook path goes on to the Rasa servers (the apology: down)."""
    reload_path = paths.MODEL_RELOAD_PATH
    spellings = [reload_path, reload_path.replace("/model/", "//model/"), reload_path.replace("reload", "%72eload"),
                 reload_path.replace("/model/", "/x/../model/")]
    with proxy_alone() as proxy:
        for path in spellings:
            reply = send(proxy + path, b"{}", headers={"Content-Type": "application/json",
                                                        "Authorization": "Bearer anything"})
            assert reply.status == 404, path
        assert post(f"{proxy}/webhooks/rest/webhook", {"sender": "p", "message": "hi"})[0] == 200
