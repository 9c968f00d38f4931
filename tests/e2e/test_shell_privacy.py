"""`make shell` (the action server and `rasa shell` in a terminal) writes no message text to any log file."""
import os
import pty
import select
import subprocess
import sys
import time
import uuid

from clinic_bot.paths import LOG_DIR, REPO_ROOT
from clinic_bot.store.privacy import conversation_events, senders
from tests.e2e.conftest import free_port


class Terminal:
    """A program in a pseudo-terminal: `rasa shell` reads its input through prompt_toolkit, which needs one."""

    def __init__(self, args, env) -> None:
        self.master, follower = pty.openpty()
        self.process = subprocess.Popen(args, stdin=follower, stdout=follower, stderr=follower, env=env,
                                        cwd=REPO_ROOT, start_new_session=True)
        os.close(follower)
        self.seen = b""

    def wait_for(self, text: bytes, timeout_s: float) -> bool:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 1)
            if ready:
                try:
                    self.seen += os.read(self.master, 65536)
                except OSError:  # the program ended
                    return text in self.seen
                if text in self.seen:
                    return True
        return False

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")


def answered(db) -> bool:
    """The store holds a bot reply (the shell's conversation has its own random sender id)."""
    return db.exists() and any(e["event"] == "bot" for sender in senders(db) for e in conversation_events(db, sender))


def test_the_shell_writes_no_message_text_to_the_logs(model_path, tmp_path):
    name = f"Quokkaroe{uuid.uuid4().hex[:8]}"
    db = tmp_path / "conversations.db"
    env = {**os.environ, "TRACKER_DB": str(db)}
    shell = Terminal([sys.executable, "-m", "clinic_bot.launcher.shell", "--action-port", str(free_port()),
                      "--model", str(model_path)], env)
    try:
        assert shell.wait_for(b"Your input", 240), shell.seen[-2000:]
        shell.type(f"my name is Jane {name}, born 1970-01-01. how much does an epidural cost?")
        # The conversation is stored once the turn is over: then every log has had its chance to write.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not answered(db):
            time.sleep(1)
        shell.type("/stop")
        assert shell.process.wait(60) == 0
    finally:
        if shell.process.poll() is None:
            shell.process.kill()
    assert answered(db), shell.seen[-2000:]
    for log in LOG_DIR.glob("*.log"):
        assert name not in log.read_text(errors="replace"), log.name
