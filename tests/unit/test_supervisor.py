"""The supervisor with small stand-in children: restart with back-off, give up on a child that keeps failing,
stop in reverse order, and children that cannot outlive their parent."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clinic_bot.launcher.supervisor import Child, KeepsFailing, Supervisor
from tests.e2e.test_supervision import alive


def child(tmp_path: Path, name: str, code: str) -> Child:
    return Child(name, [sys.executable, "-c", code], dict(os.environ), tmp_path, tmp_path / f"{name}.log")


def fast_supervisor(**settings) -> Supervisor:
    return Supervisor(backoff_s=(0.05, 0.1), **settings)


def run_checks(supervisor: Supervisor, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        supervisor.check()
        time.sleep(0.02)


def test_a_crashed_child_is_started_again(tmp_path):
    supervisor = fast_supervisor()
    restarts = []
    supervisor.on_restart = lambda name, code: restarts.append((name, code))
    supervisor.start(child(tmp_path, "steady", "import time; time.sleep(60)"))
    first = supervisor.processes["steady"].pid
    try:
        os.kill(first, signal.SIGKILL)
        supervisor.processes["steady"].wait()
        run_checks(supervisor, 0.5)
        assert restarts == [("steady", -signal.SIGKILL)]
        assert supervisor.processes["steady"].pid != first and supervisor.processes["steady"].poll() is None
    finally:
        supervisor.stop()


def test_a_child_that_keeps_crashing_makes_the_supervisor_give_up(tmp_path):
    supervisor = fast_supervisor(max_restarts=3)
    supervisor.start(child(tmp_path, "broken", "import sys; sys.exit(3)"))
    with pytest.raises(KeepsFailing, match="broken server exited .code 3. 4 times"):
        run_checks(supervisor, 10)


def test_a_run_that_lasted_resets_the_back_off(tmp_path):
    supervisor = fast_supervisor(max_restarts=1, stable_s=0.3)
    supervisor.start(child(tmp_path, "flaky", "import time; time.sleep(0.4)"))  # lasts, then exits: each time
    try:
        run_checks(supervisor, 2.5)  # several exits, none counted as failing in a row
        assert supervisor.running["flaky"].restarts <= 1
    finally:
        supervisor.stop()


def test_stop_ends_children_in_reverse_order_of_start(tmp_path):
    supervisor = fast_supervisor()
    log = tmp_path / "order.log"
    code = ("import signal, sys, time\n"
            "def bye(*_):\n"
            f"    open({str(log)!r}, 'a').write(sys.argv[1] + '\\n'); sys.exit(0)\n"
            "signal.signal(signal.SIGTERM, bye)\n"
            "time.sleep(60)\n")
    for name in ("database", "server", "proxy"):
        spec = child(tmp_path, name, code)
        spec.args.append(name)
        supervisor.start(spec)
    time.sleep(0.5)
    supervisor.stop()
    assert log.read_text().split() == ["proxy", "server", "database"]


def test_children_die_with_the_launcher_even_by_sigkill(tmp_path):
    """A launcher killed without clean-up: the kernel stops what it started (PR_SET_PDEATHSIG)."""
    pid_file = tmp_path / "child.pid"
    launcher_code = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from clinic_bot.launcher.supervisor import Child, Supervisor\n"
        f"tmp = Path({str(tmp_path)!r})\n"
        "process = Supervisor().start(Child('sleeper', [sys.executable, '-c', 'import time; time.sleep(60)'],"
        " dict(os.environ), tmp, tmp / 'sleeper.log'))\n"
        f"Path({str(pid_file)!r}).write_text(str(process.pid))\n"
        "time.sleep(60)\n")
    launcher = subprocess.Popen([sys.executable, "-c", launcher_code], env={**os.environ, "PYTHONPATH": os.getcwd()})
    deadline = time.monotonic() + 20
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    sleeper = int(pid_file.read_text())
    launcher.kill()
    launcher.wait()
    deadline = time.monotonic() + 10
    while alive(sleeper):
        assert time.monotonic() < deadline, "the child outlived its launcher"
        time.sleep(0.05)


@pytest.mark.skipif(os.geteuid() != 0 or not Path("/usr/bin/python3").exists(), reason="switching user needs root")
def test_a_child_run_as_another_user_still_gets_the_death_signal(tmp_path):
    """The user switch clears a death signal set before it; the supervisor sets it after (PostgreSQL's case).
    The child (as `nobody`, with the system's Python: the project's is not readable to it) asks the kernel."""
    tmp_path.chmod(0o755)
    code = ("import ctypes, os; v = ctypes.c_int(); ctypes.CDLL('libc.so.6').prctl(2, ctypes.byref(v), 0, 0, 0); "
            "print(os.getuid(), v.value)")
    spec = Child("other-user", ["/usr/bin/python3", "-c", code], {}, tmp_path, tmp_path / "other-user.log",
                 user="nobody", stop_signal=signal.SIGINT)
    Supervisor().start(spec).wait(timeout=20)
    import pwd

    assert spec.log.read_text().split() == [str(pwd.getpwnam("nobody").pw_uid), str(int(signal.SIGINT))]
