"""The parts of the model switch that need no server: the registry of running servers, the reload token, who may
reload, and installing a model file (clinic_bot/launcher/registry.py, clinic_bot/reload_token.py,
clinic_bot/server/model_reload.py, clinic_bot/staff/switch.py). The switch through real servers:
tests/e2e/test_model_switch.py."""
import ast
import io
import json
import os
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from clinic_bot import paths, reload_token
from clinic_bot.launcher import registry
from clinic_bot.launcher.proxy import ProxyConfig
from clinic_bot.staff import switch

# --- The registry --------------------------------------------------------------------------------------------

URLS = ["http://127.0.0.1:5005", "http://127.0.0.1:5006"]


def test_the_registry_names_the_servers_while_its_launcher_runs(tmp_path):
    path = tmp_path / "run" / "rasa_servers.json"  # the folder is created
    registry.write_running(URLS, path)
    record = json.loads(path.read_text())
    assert record["rasa"] == URLS and record["pid"] == os.getpid() and record["started"]
    assert registry.running_rasa_urls(path) == URLS
    assert not [p for p in path.parent.iterdir() if p != path], "the temporary file is left behind"
    registry.remove_running(path)
    assert not path.exists() and registry.running_rasa_urls(path) == []


def test_a_file_left_by_a_launcher_that_died_is_ignored(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path = tmp_path / "rasa_servers.json"
    path.write_text(json.dumps({"rasa": URLS, "pid": dead.pid, "started": "2026-01-01T00:00:00+00:00"}))
    assert registry.running_rasa_urls(path) == []
    for broken in ("not json", "[]", json.dumps({"rasa": URLS}), json.dumps({"rasa": URLS, "pid": True})):
        path.write_text(broken)
        assert registry.running_rasa_urls(path) == []
    assert registry.running_rasa_urls(tmp_path / "missing.json") == []


def test_a_launcher_removes_only_its_own_file(tmp_path):
    path = tmp_path / "rasa_servers.json"
    other = {"rasa": URLS[:1], "pid": os.getppid(), "started": "2026-01-01T00:00:00+00:00"}  # another launcher
    path.write_text(json.dumps(other))
    registry.remove_running(path)
    assert json.loads(path.read_text()) == other
    assert registry.running_rasa_urls(path) == URLS[:1]
    with registry.registered(URLS, path):
        assert registry.running_rasa_urls(path) == URLS
    assert not path.exists()


def test_the_default_registry_file_is_the_paths_one(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "RUNNING_SERVERS_FILE", tmp_path / "servers.json")
    registry.write_running(URLS)
    assert registry.running_rasa_urls() == URLS
    registry.remove_running()
    assert not (tmp_path / "servers.json").exists()


# --- The reload token and who may reload ---------------------------------------------------------------------

def test_the_reload_token_is_created_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "staff" / "model_reload.token"
    token = reload_token.ensure_reload_token(path)
    assert len(token) >= 40 and path.read_text().strip() == token
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert reload_token.ensure_reload_token(path) == token  # kept, not replaced
    assert reload_token.read_token(path) == token
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert registry.ensure_reload_token is reload_token.ensure_reload_token  # where the console imports it


def test_the_rasa_server_imports_nothing_of_the_launchers():
    """The server reads the token through clinic_bot/reload_token.py; the launchers start the server, never the
    other way round."""
    imported = set()
    for source in (paths.REPO_ROOT / "clinic_bot" / "server").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported |= {f"{node.module}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
    assert imported and not [name for name in imported if name.startswith("clinic_bot.launcher")]


def test_the_token_file_can_be_set_for_a_server(tmp_path):
    env = {**os.environ, "MODEL_RELOAD_TOKEN_FILE": str(tmp_path / "token")}
    seen = subprocess.run([sys.executable, "-c", "from clinic_bot import paths; print(paths.MODEL_RELOAD_TOKEN_FILE)"],
                          cwd=paths.REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert seen.stdout.strip() == str(tmp_path / "token"), seen.stderr


@pytest.fixture(scope="module")
def model_reload():
    from clinic_bot.server import model_reload

    return model_reload


TOKEN = "s3cret-token-for-the-tests-0123456789"
GOOD = {"authorization": f"Bearer {TOKEN}"}


@pytest.mark.parametrize("ip, headers, token, status, words", [
    ("127.0.0.1", GOOD, TOKEN, None, ""),
    ("::1", GOOD, TOKEN, None, ""),
    ("::ffff:127.0.0.1", GOOD, TOKEN, None, ""),
    ("127.0.0.1", {}, TOKEN, 403, "token"),
    ("127.0.0.1", {"authorization": "Bearer wrong"}, TOKEN, 403, "token"),
    ("127.0.0.1", {"authorization": TOKEN}, TOKEN, 403, "token"),
    ("127.0.0.1", {"authorization": f"Basic {TOKEN}"}, TOKEN, 403, "token"),
    ("127.0.0.1", {**GOOD, "x-forwarded-for": "127.0.0.1"}, TOKEN, 403, "proxy"),
    ("127.0.0.1", {**GOOD, "forwarded": "for=127.0.0.1"}, TOKEN, 403, "proxy"),
    ("10.0.0.5", GOOD, TOKEN, 403, "this machine"),
    ("", GOOD, TOKEN, 403, "this machine"),
    ("127.0.0.1", GOOD, None, 403, "not set up"),
])
def test_only_this_machine_with_the_token_and_no_proxy_may_reload(model_reload, ip, headers, token, status, words):
    refused = model_reload.refusal(ip, headers, token)
    if status is None:
        assert refused is None
    else:
        assert refused is not None and refused[0] == status and words in refused[1], refused


def test_the_reload_route_is_the_one_the_console_calls(model_reload):
    assert model_reload.CHANNEL_PREFIX + model_reload.ROUTE == paths.MODEL_RELOAD_PATH


def test_the_proxy_answers_404_for_the_reload_route():
    config = ProxyConfig(listen="8080", rasa_upstreams=["rasa-1:5005"]).render("[]")
    block = config.split(f"location = {paths.MODEL_RELOAD_PATH} {{", 1)[1].split("}", 1)[0]
    assert block.split() == ["return", "404;"]


# --- Installing a model file ---------------------------------------------------------------------------------

def archive(path: Path, content: bytes) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("metadata.json")
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    return path


def content(path: Path) -> bytes:
    with tarfile.open(path) as tar:
        member = tar.extractfile("metadata.json")
        assert member is not None
        return member.read()


def test_install_keeps_the_previous_model_and_replaces_the_file(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    model_file, previous = archive(models / "clinic.tar.gz", b"old"), models / "previous.tar.gz"
    candidate = archive(tmp_path / "candidate.tar.gz", b"new")
    held = open(model_file, "rb")  # a server reading the old file while it is replaced
    try:
        old_inode = os.fstat(held.fileno()).st_ino
        switch.install_model(candidate, model_file, previous)
        assert os.fstat(held.fileno()).st_ino == old_inode and model_file.stat().st_ino != old_inode, \
            "the file should be replaced (renamed over), not rewritten in place"
        assert held.read(2) == b"\x1f\x8b"  # the reader still has the whole old file
    finally:
        held.close()
    assert content(model_file) == b"new" and content(previous) == b"old"
    assert candidate.exists(), "the candidate is left where it was"
    assert sorted(p.name for p in models.iterdir()) == ["clinic.tar.gz", "previous.tar.gz"], "temporary files left"
    # A rollback is the same install with the previous model.
    switch.install_model(previous, model_file, previous)
    assert content(model_file) == b"old" and content(previous) == b"new"


def test_install_without_a_current_model_and_refusing_a_non_model(tmp_path):
    model_file, previous = tmp_path / "models" / "clinic.tar.gz", tmp_path / "models" / "previous.tar.gz"
    switch.install_model(archive(tmp_path / "candidate.tar.gz", b"first"), model_file, previous)
    assert content(model_file) == b"first" and not previous.exists()
    (tmp_path / "broken.tar.gz").write_text("not an archive")
    with pytest.raises(ValueError):
        switch.install_model(tmp_path / "broken.tar.gz", model_file, previous)
    with pytest.raises(FileNotFoundError):
        switch.install_model(tmp_path / "missing.tar.gz", model_file, previous)
    assert content(model_file) == b"first" and not previous.exists()


def test_switch_with_no_assistant_running_only_installs(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "MODEL_FILE", tmp_path / "clinic.tar.gz")
    monkeypatch.setattr(paths, "PREVIOUS_MODEL_FILE", tmp_path / "previous.tar.gz")
    monkeypatch.setattr(paths, "RUNNING_SERVERS_FILE", tmp_path / "missing.json")
    result = switch.switch_model(archive(tmp_path / "candidate.tar.gz", b"new"))
    assert result == switch.SwitchResult(True, [], switch.NO_SERVER_RUNNING)
    assert content(tmp_path / "clinic.tar.gz") == b"new"


def test_a_server_that_does_not_reload_is_named(tmp_path, monkeypatch):
    from tests.e2e.conftest import free_port

    monkeypatch.setattr(paths, "MODEL_FILE", tmp_path / "clinic.tar.gz")
    monkeypatch.setattr(paths, "PREVIOUS_MODEL_FILE", tmp_path / "previous.tar.gz")
    monkeypatch.setattr(paths, "RUNNING_SERVERS_FILE", tmp_path / "servers.json")
    monkeypatch.setattr(paths, "MODEL_RELOAD_TOKEN_FILE", tmp_path / "staff" / "token")
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    registry.write_running([down], tmp_path / "servers.json")
    result = switch.switch_model(archive(tmp_path / "candidate.tar.gz", b"new"))
    assert not result.switched and [s.url for s in result.servers] == [down] and not result.servers[0].ok
    assert down in result.detail and "still run the old model" in result.detail
    assert content(tmp_path / "clinic.tar.gz") == b"new"


def test_make_run_registers_its_server_while_it_runs_and_creates_the_token(tmp_path, monkeypatch):
    from contextlib import contextmanager
    from types import SimpleNamespace

    from clinic_bot.launcher import servers

    monkeypatch.setattr(paths, "RUNNING_SERVERS_FILE", tmp_path / "run" / "servers.json")
    monkeypatch.setattr(paths, "MODEL_RELOAD_TOKEN_FILE", tmp_path / "staff" / "token")
    seen = {}

    @contextmanager
    def fake_servers(*args, **kwargs):  # nothing started
        yield SimpleNamespace(rasa_url="http://127.0.0.1:5999", webhook_url="", tracker_db="x.db", supervisor=None)

    def supervise(_):
        seen["running"] = registry.running_rasa_urls()
        seen["token"] = reload_token.read_token()
        return 0

    monkeypatch.setattr(servers, "serving_site", lambda *args, **kwargs: fake_servers())
    monkeypatch.setattr(servers, "running_servers", fake_servers)
    monkeypatch.setattr(servers, "supervise", supervise)
    monkeypatch.setattr(servers, "stop_on_signals", lambda: None)
    monkeypatch.setattr(sys, "argv", ["servers"])
    with pytest.raises(SystemExit):
        servers.main()
    assert seen["running"] == ["http://127.0.0.1:5999"] and seen["token"]
    assert not paths.RUNNING_SERVERS_FILE.exists(), "removed when the launcher stops"
