"""The scaled profile's shared servers, from Debian's packages: Redis, PostgreSQL and nginx, as the project's own
instances on loopback (their data and logs in one folder), supervised like the Rasa servers.

scripts/install_services.sh installs the packages when missing (`make services`, run by `make run-scaled` and
`make test`). The packages' own system services are not used: the profile must not depend on, or disturb,
whatever else runs on the machine.

PostgreSQL refuses to run as root; when the launcher is root it runs as Debian's `postgres` user, which then
needs to reach its data folder (every parent must be open to others, or owned by it).
"""
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional

from clinic_bot.launcher.supervisor import Child, answers

POSTGRES_USER = "clinic"  # the database role the Rasa servers and the staff tools use
POSTGRES_DB = "clinic_bot"
POSTGRES_OS_USER = "postgres"  # Debian's, when the launcher runs as root
INSTALL_HINT = "run `make services` (scripts/install_services.sh installs Debian's redis-server, postgresql, nginx)"


class MissingService(RuntimeError):
    pass


def _program(name: str, *candidates: str) -> str:
    for candidate in (shutil.which(name), *candidates):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    raise MissingService(f"{name} is not installed: {INSTALL_HINT}")


def postgres_program(name: str) -> str:
    """initdb and postgres live in /usr/lib/postgresql/<version>/bin on Debian (not on PATH); newest first."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parent.parent.name),
                   reverse=True) if Path("/usr/lib/postgresql").is_dir() else []
    return _program(name, *(str(p) for p in found))


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def require_free(port: int, what: str, variable: str) -> None:
    if not port_is_free(port):
        raise RuntimeError(f"port {port} for {what} is in use by another program; choose another with {variable}=...")


def redis_answers(port: int) -> Callable[[], bool]:
    def check() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False
    return check


def redis_child(port: int, work_dir: Path, env: Dict[str, str]) -> Child:
    """No persistence: Redis holds only the conversation locks and the rate-limit counts, both short-lived."""
    args = [_program("redis-server", "/usr/bin/redis-server"), "--port", str(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(work_dir), "--daemonize", "no",
            "--maxmemory", "256mb", "--maxmemory-policy", "volatile-ttl"]
    return Child("redis", args, env, work_dir, work_dir / "log" / "redis.log", ready=redis_answers(port))


@dataclass
class Postgres:
    """The project's PostgreSQL cluster in `data_dir`, with a generated password kept beside it (0600)."""
    data_dir: Path
    port: int

    @property
    def password_file(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.password"

    @property
    def os_user(self) -> Optional[str]:
        return POSTGRES_OS_USER if os.geteuid() == 0 else None

    def url(self, database: str = POSTGRES_DB) -> str:
        return f"postgresql://{POSTGRES_USER}:{self.password_file.read_text().strip()}@127.0.0.1:{self.port}/{database}"

    def env(self) -> Dict[str, str]:
        """What endpoints.scaled.yml reads."""
        return {"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": str(self.port), "POSTGRES_USER": POSTGRES_USER,
                "POSTGRES_PASSWORD": self.password_file.read_text().strip(), "POSTGRES_DB": POSTGRES_DB}

    def initialise(self) -> None:
        """Creates the cluster on first use (initdb, a password role); later runs reuse it."""
        if (self.data_dir / "PG_VERSION").is_file():
            if not self.password_file.is_file():
                raise RuntimeError(f"{self.password_file} is missing: without it nobody can log in to the database in "
                                   f"{self.data_dir}; restore it, or delete that folder to start an empty one")
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(24)
        self.password_file.write_text(password + "\n")
        self.password_file.chmod(0o600)
        owner = self._give_to_os_user(self.data_dir)
        with tempfile.NamedTemporaryFile("w", dir=self.data_dir.parent, delete=False) as pwfile:
            pwfile.write(password + "\n")
        try:
            if owner:
                os.chown(pwfile.name, owner.pw_uid, owner.pw_gid)
            subprocess.run([postgres_program("initdb"), "-D", str(self.data_dir), "-U", POSTGRES_USER,
                            "--pwfile", pwfile.name, "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8"],
                           check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           user=owner.pw_name if owner else None)
        except subprocess.CalledProcessError as error:
            raise RuntimeError(f"initdb failed:\n{error.stdout.decode(errors='replace')}") from error
        finally:
            os.unlink(pwfile.name)

    def _give_to_os_user(self, directory: Path) -> Optional[pwd.struct_passwd]:
        if self.os_user is None:
            return None
        try:
            owner = pwd.getpwnam(self.os_user)
        except KeyError as error:
            raise MissingService(f"there is no '{self.os_user}' user to run PostgreSQL as: {INSTALL_HINT}") from error
        for parent in directory.resolve().parents:
            mode = parent.stat()
            if not (mode.st_mode & 0o001 or mode.st_uid == owner.pw_uid):
                raise RuntimeError(f"PostgreSQL runs as '{self.os_user}', who cannot enter {parent}: "
                                   f"give its data folder another place, or `chmod o+x {parent}`")
        os.chown(directory, owner.pw_uid, owner.pw_gid)
        directory.chmod(0o700)
        return owner

    def child(self, env: Dict[str, str], log_dir: Path) -> Child:
        # synchronous_commit=off: a crash of the machine may lose the last fraction of a second of turns, never
        # the database's consistency (as the embedded SQLite store with synchronous=NORMAL); a commit then costs
        # no disk flush per message.
        args = [postgres_program("postgres"), "-D", str(self.data_dir), "-p", str(self.port),
                "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.data_dir}",
                "-c", "synchronous_commit=off", "-c", "max_connections=200", "-c", "logging_collector=off"]
        return Child("postgres", args, env, self.data_dir.parent, log_dir / "postgres.log", user=self.os_user,
                     stop_signal=signal.SIGINT, ready=self.answers)

    def answers(self) -> bool:
        import psycopg2

        try:
            psycopg2.connect(self.url("postgres"), connect_timeout=2).close()
            return True
        except psycopg2.Error:
            return False

    def create_database(self) -> None:
        import psycopg2

        connection = psycopg2.connect(self.url("postgres"), connect_timeout=5)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (POSTGRES_DB,))
                if cursor.fetchone() is None:
                    cursor.execute(f"CREATE DATABASE {POSTGRES_DB}")
        finally:
            connection.close()


def nginx_child(config: Path, work_dir: Path, env: Dict[str, str], health_url: str) -> Child:
    args = [_program("nginx", "/usr/sbin/nginx"), "-p", str(work_dir), "-c", str(config), "-e",
            str(work_dir / "log" / "proxy-error.log"), "-g", "daemon off;"]
    return Child("proxy", args, env, work_dir, work_dir / "log" / "proxy.log", ready=answers(health_url))


def check_installed() -> List[str]:
    """The programs the scaled profile needs, or MissingService naming what to do."""
    return [_program("redis-server", "/usr/bin/redis-server"), postgres_program("postgres"),
            postgres_program("initdb"), _program("nginx", "/usr/sbin/nginx")]
