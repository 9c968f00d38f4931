"""What the launchers hand their servers, without starting any: the addresses they listen on (loopback unless a
setting says otherwise) and the HTTP API's token, which reaches the Rasa server through its environment and
never through a command line (every local user can read one: `ps`, /proc/<pid>/cmdline).

The children are the ones `make run` (servers.main), `make shell` (shell.main) and the benchmark's plain-Rasa
"before" (bench/stock.py) build, recorded by a supervisor that starts nothing; tests/e2e/test_default_launch.py
checks the real processes and sockets."""
import os
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import yaml

from bench.stock import running_stock_servers
from clinic_bot import paths
from clinic_bot.launcher import rasa_cli, servers, shell
from clinic_bot.launcher.rasa_cli import API_TOKEN_ENV
from clinic_bot.launcher.servers import LOOPBACK, RASA_SPEED_ENV, SDK_HOST_ENV
from clinic_bot.launcher.supervisor import Child, Supervisor

SETTINGS = ("RASA_HOST", "ACTION_HOST", "ENABLE_API", API_TOKEN_ENV, SDK_HOST_ENV)


@pytest.fixture
def started(tmp_path, monkeypatch) -> Dict[str, Child]:
    """The children any supervisor is asked to start in this test, by name; no process is started."""
    children: Dict[str, Child] = {}

    def record(self: Supervisor, child: Child) -> Any:
        children[child.name] = child

    monkeypatch.setattr(Supervisor, "start", record)
    monkeypatch.setattr(Supervisor, "wait_until_ready", lambda self, *args, **kwargs: None)
    monkeypatch.setattr(Supervisor, "stop", lambda self, name=None: None)
    monkeypatch.setattr(paths, "RUNNING_SERVERS_FILE", tmp_path / "run" / "servers.json")
    monkeypatch.setattr(paths, "MODEL_RELOAD_TOKEN_FILE", tmp_path / "staff" / "token")
    for variable in SETTINGS:  # this test run's own environment must not decide the result
        monkeypatch.delenv(variable, raising=False)
    return children


@pytest.fixture
def make_run(started, monkeypatch) -> Callable[..., Dict[str, Child]]:
    """servers.main() with these arguments and environment variables: the children it starts."""
    @contextmanager
    def no_site(*args: Any, **kwargs: Any) -> Iterator[None]:
        yield

    monkeypatch.setattr(servers, "serving_site", no_site)
    monkeypatch.setattr(servers, "supervise", lambda supervisor: 0)
    monkeypatch.setattr(servers, "stop_on_signals", lambda: None)

    def run(*argv: str, **environment: str) -> Dict[str, Child]:
        for variable, value in environment.items():
            monkeypatch.setenv(variable, value)
        monkeypatch.setattr(sys, "argv", ["servers", *argv])
        with pytest.raises(SystemExit) as stopped:
            servers.main()
        assert stopped.value.code == 0
        assert set(started) == {"actions", "rasa"}, started
        return dict(started)

    return run


def option(args: List[str], flag: str) -> Optional[str]:
    return args[args.index(flag) + 1] if flag in args else None


def secret_token() -> str:
    return f"secret-{uuid.uuid4().hex}"


def on_command_line(token: str, children: Dict[str, Child]) -> List[str]:
    return [name for name, child in children.items() if any(token in arg for arg in child.args)]


# --- Where the servers listen ---------------------------------------------------------------------------------

def test_make_run_keeps_both_servers_on_loopback_by_default(make_run):
    children = make_run()
    assert option(children["rasa"].args, "--interface") == LOOPBACK, children["rasa"].args
    # rasa-sdk 3.6's command line has no address option: its run() binds to SANIC_HOST (0.0.0.0 when unset).
    assert children["actions"].env.get(SDK_HOST_ENV) == LOOPBACK
    assert children["rasa"].env["ACTION_SERVER_URL"].startswith(f"http://{LOOPBACK}:")


def test_the_addresses_are_settings_and_clients_still_use_loopback(make_run):
    children = make_run(RASA_HOST="0.0.0.0", ACTION_HOST="0.0.0.0")
    assert option(children["rasa"].args, "--interface") == "0.0.0.0"
    assert children["actions"].env[SDK_HOST_ENV] == "0.0.0.0"
    # Listening everywhere includes loopback: the Rasa server keeps calling the action server there.
    assert children["rasa"].env["ACTION_SERVER_URL"].startswith(f"http://{LOOPBACK}:")


def test_the_command_line_options_win_over_the_environment(make_run):
    children = make_run("--rasa-host", "192.0.2.5", "--action-host", "192.0.2.6", RASA_HOST="0.0.0.0",
                        ACTION_HOST="0.0.0.0")
    assert option(children["rasa"].args, "--interface") == "192.0.2.5"
    assert children["actions"].env[SDK_HOST_ENV] == "192.0.2.6"
    assert children["rasa"].env["ACTION_SERVER_URL"].startswith("http://192.0.2.6:")


def test_rasa_sdks_own_variable_does_not_open_the_action_server(make_run):
    """SANIC_HOST left in the launcher's environment (another project's setting) is not this one's."""
    children = make_run(SANIC_HOST="0.0.0.0")
    assert children["actions"].env[SDK_HOST_ENV] == LOOPBACK


def test_the_url_hosts_of_wildcard_and_ipv6_addresses():
    assert [servers.url_host(host) for host in ("127.0.0.1", "0.0.0.0", "::", "::1", "192.0.2.5")] == \
        ["127.0.0.1", "127.0.0.1", "[::1]", "[::1]", "192.0.2.5"]


def test_make_shell_keeps_its_servers_on_loopback(started, monkeypatch):
    """`rasa shell` runs a Rasa server too (its console talks to it on localhost)."""
    calls: List[List[str]] = []

    def call(args: List[str], **kwargs: Any) -> int:
        calls.append(list(args))
        return 0

    monkeypatch.setattr(shell.subprocess, "call", call)
    monkeypatch.setattr(sys, "argv", ["shell"])
    monkeypatch.setenv("RASA_HOST", "0.0.0.0")  # make run's setting: the shell's console reaches localhost only
    assert shell.main() == 0
    (args,) = calls
    assert args[1:4] == ["-m", "rasa", "shell"] and option(args, "--interface") == LOOPBACK, args
    assert started["actions"].env[SDK_HOST_ENV] == LOOPBACK


def test_the_benchmarks_before_differs_only_in_the_rasa_servers_endpoints_and_speed_settings(
        started: Dict[str, Child], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in RASA_SPEED_ENV:  # this test run's own environment must not decide the result
        monkeypatch.delenv(variable, raising=False)
    db, logs = tmp_path / "conversations.db", tmp_path / "logs"
    with servers.running_servers(5005, 5055, tracker_db=db, model=paths.MODEL_FILE, log_dir=logs):
        tuned = dict(started)
    started.clear()
    with running_stock_servers(5005, 5055, tracker_db=db, model=paths.MODEL_FILE, log_dir=logs):
        stock = dict(started)
    assert (stock["actions"].args, stock["actions"].env) == (tuned["actions"].args, tuned["actions"].env)
    assert option(tuned["rasa"].args, "--endpoints") == str(paths.ENDPOINTS_FILE)
    stock_endpoints = Path(str(option(stock["rasa"].args, "--endpoints")))
    assert yaml.safe_load(stock_endpoints.read_text()) == {
        "action_endpoint": {"url": f"http://{LOOPBACK}:5055/webhook"},
        "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(db.resolve())}}
    assert [arg for arg in stock["rasa"].args if arg != str(stock_endpoints)] == \
        [arg for arg in tuned["rasa"].args if arg != str(paths.ENDPOINTS_FILE)]
    assert {name: tuned["rasa"].env.get(name) for name in RASA_SPEED_ENV} == RASA_SPEED_ENV
    assert {name: value for name, value in tuned["rasa"].env.items() if name not in RASA_SPEED_ENV} == stock["rasa"].env


# --- The HTTP API's token -------------------------------------------------------------------------------------

def test_the_api_token_reaches_the_rasa_server_by_its_environment_only(make_run):
    token = secret_token()
    children = make_run("--enable-api", **{API_TOKEN_ENV: token})
    rasa = children["rasa"]
    assert on_command_line(token, children) == []
    assert "--enable-api" in rasa.args and "--auth-token" not in rasa.args
    assert rasa.args[1:4] == ["-m", rasa_cli.__name__, "run"], "Rasa through the entry that takes the token"
    assert rasa.env[API_TOKEN_ENV] == token
    assert API_TOKEN_ENV not in children["actions"].env, "the action server has no use for the token"


def test_with_the_api_off_no_server_gets_the_token(make_run):
    token = secret_token()
    children = make_run(**{API_TOKEN_ENV: token})
    assert on_command_line(token, children) == []
    assert "--enable-api" not in children["rasa"].args
    assert [name for name, child in children.items() if token in child.env.values()] == []


@pytest.mark.parametrize("form", [["--auth-token", "{}"], ["--auth-token={}"], ["-t", "{}"], ["-t{}"]])
def test_a_token_among_rasas_arguments_is_moved_to_the_environment(tmp_path, form):
    """Whoever starts a Rasa server (a test's restart with the API, the benchmark) passes Rasa's arguments; the
    child's command line never holds the token in any of argparse's spellings."""
    token = secret_token()
    extra = ["--enable-api", *[part.format(token) for part in form], "--cors", "http://localhost:8080"]
    child = servers.rasa_server_child(5005, paths.MODEL_FILE, paths.ENDPOINTS_FILE, paths.CREDENTIALS_FILE,
                                      {API_TOKEN_ENV: "inherited"}, tmp_path, extra_args=extra)
    assert not any(token in arg for arg in child.args), child.args
    assert child.args[-3:] == ["--enable-api", "--cors", "http://localhost:8080"]
    assert child.env[API_TOKEN_ENV] == token


def test_the_scaled_profiles_children_get_no_token(tmp_path):
    child = servers.rasa_server_child(5005, paths.MODEL_FILE, paths.SCALED_ENDPOINTS_FILE, paths.CREDENTIALS_FILE,
                                      {API_TOKEN_ENV: secret_token(), "OTHER": "kept"}, tmp_path)
    assert API_TOKEN_ENV not in child.env and child.env["OTHER"] == "kept"
    assert option(child.args, "--interface") == LOOPBACK


# --- The entry module that hands the token to Rasa ------------------------------------------------------------

@pytest.fixture
def rasa_main(monkeypatch) -> List[Dict[str, Any]]:
    """Replaces running Rasa's `python -m rasa` by recording what it would have seen."""
    runs: List[Dict[str, Any]] = []

    def run_module(name: str, **kwargs: Any) -> Dict[str, Any]:
        runs.append({"module": name, "kwargs": kwargs, "argv": list(sys.argv), "env": dict(os.environ)})
        return {}

    monkeypatch.setattr(rasa_cli.runpy, "run_module", run_module)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    return runs


def test_the_entry_gives_rasa_the_token_inside_the_process(rasa_main, monkeypatch):
    token = secret_token()
    monkeypatch.setenv(API_TOKEN_ENV, token)
    monkeypatch.setattr(sys, "argv", ["rasa_cli.py", "run", "--port", "5005", "--enable-api"])
    rasa_cli.main()
    (run,) = rasa_main
    assert run["module"] == "rasa" and run["kwargs"] == {"run_name": "__main__", "alter_sys": True}
    assert run["argv"][1:] == ["run", "--port", "5005", "--enable-api", "--auth-token", token]
    assert API_TOKEN_ENV not in run["env"], "what Rasa starts must not inherit the token"


def test_the_entry_passes_no_token_without_the_api(rasa_main, monkeypatch):
    monkeypatch.setenv(API_TOKEN_ENV, secret_token())
    monkeypatch.setattr(sys, "argv", ["rasa_cli.py", "run", "--port", "5005"])
    rasa_cli.main()
    assert rasa_main[0]["argv"][1:] == ["run", "--port", "5005"]
    assert API_TOKEN_ENV not in rasa_main[0]["env"]


@pytest.mark.parametrize("args, token", [
    (["run", "--enable-api"], None),  # the API open to anyone
    (["run", "--enable-api"], "short"),
    (["run", "--enable-api", "--auth-token", "t" * 32], None),  # a token on the command line, readable by all
    (["run", "--auth-token=" + "t" * 32], "t" * 32),
    (["run", "-t", "t" * 32], None),
])
def test_the_entry_refuses_an_open_api_and_a_token_on_its_command_line(rasa_main, monkeypatch, capsys, args, token):
    if token is not None:
        monkeypatch.setenv(API_TOKEN_ENV, token)
    monkeypatch.setattr(sys, "argv", ["rasa_cli.py", *args])
    with pytest.raises(SystemExit) as refused:
        rasa_cli.main()
    assert refused.value.code not in (0, None) and API_TOKEN_ENV in str(refused.value.code)
    assert rasa_main == [], "Rasa must not start"
