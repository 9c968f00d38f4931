"""The proxy alone, in front of Rasa servers that are all down: it answers with the apology itself."""
import shutil
import tempfile
from pathlib import Path

from clinic_bot.content.knowledge import default_knowledge
from clinic_bot.launcher.proxy import HEALTH_PATH, ProxyConfig, apology_json
from clinic_bot.launcher.services import nginx_child
from clinic_bot.launcher.supervisor import Supervisor
from tests.e2e.conftest import free_port, post


def test_no_rasa_server_up_gets_the_apology_from_the_proxy(monkeypatch):
    # A text with every character nginx would otherwise read specially must come back unchanged.
    knowledge = default_knowledge()
    tricky = dict(knowledge.messages, unavailable="Sorry $1 'down' \\ \"now\" {phone} \u00e9")
    monkeypatch.setattr(knowledge, "messages", tricky)
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
        status, messages = post(f"http://127.0.0.1:{port}/webhooks/rest/webhook", {"sender": "p", "message": "hi"})
        assert status == 200
        assert messages == [knowledge.unavailable("")]
        assert knowledge.clinic.phone in messages[0]["text"] and "$1 'down' \\" in messages[0]["text"]
    finally:
        supervisor.stop()
        shutil.rmtree(work, ignore_errors=True)
