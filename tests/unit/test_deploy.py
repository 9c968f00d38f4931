"""The deployment files (deploy/) against the scaled profile the project runs and tests (clinic_bot/launcher/).

Docker does not run on the project's CI machine, so the check is static: the compose file, the Dockerfiles and
the systemd units are parsed and compared with what ScaledProfile actually starts (its children recorded by a
supervisor that runs nothing), the Makefile's recipes and the modules' imports. No container, no server.
"""
import ast
import importlib.util
import ipaddress
import json
import os
import re
import shlex
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any, Dict, Iterable, List, Mapping, Optional, Set, Tuple
from unittest import mock

import pytest
import yaml

from clinic_bot import paths
from clinic_bot.launcher import proxy, rasa_cli, servers, services
from clinic_bot.launcher.rasa_cli import API_TOKEN_ENV, split_token
from clinic_bot.launcher.scaled import TICKET_LOCK_LIFETIME_S, ScaledProfile
from clinic_bot.launcher.servers import DEFAULT_PORTS, SDK_HOST_ENV
from clinic_bot.launcher.supervisor import Child, Supervisor
from clinic_bot.paths import REPO_ROOT, TRUSTED_PROXIES_ENV

DEPLOY = REPO_ROOT / "deploy"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
COMPOSE_ENV_EXAMPLE = DEPLOY / "env.example"
RASA_DOCKERFILE = DEPLOY / "Dockerfile.rasa"
ACTIONS_DOCKERFILE = DEPLOY / "Dockerfile.actions"
SYSTEMD = DEPLOY / "systemd"
SYSTEMD_ENV_EXAMPLE = SYSTEMD / "clinic-bot.env.example"
PASSWORD = "test-password-1234"  # the profile's generated one, here; the compose file's ${POSTGRES_PASSWORD}
LOOPBACK = "127.0.0.1"
# A container listens on every interface of its own network namespace: its networks decide who reaches it.
CONTAINER_HOST = "0.0.0.0"
FIRST_PARTY = ("clinic_bot", "actions")


# --- What the scaled profile starts --------------------------------------------------------------------------

class RecordingSupervisor(Supervisor):
    """Takes the children ScaledProfile would start, and starts nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.children: List[Child] = []

    def start(self, child: Child) -> Any:  # no process
        self.children.append(child)

    def wait_until_ready(self, *args: Any, **kwargs: Any) -> None:
        pass


@pytest.fixture
def profile(tmp_path, monkeypatch) -> ScaledProfile:
    """The profile with its default ports (as `make run-scaled`), two Rasa servers, after start() minus the parts
    that need real programs: `ready` becomes the URL a child is checked on, a program's path its name."""
    monkeypatch.setattr(servers, "answers", lambda url: url)
    monkeypatch.setattr(services, "answers", lambda url: url)
    monkeypatch.setattr(services, "_program", lambda name, *candidates: name)
    monkeypatch.setattr(services, "postgres_program", lambda name: name)
    first = DEFAULT_PORTS["RASA_PORT"]
    supervisor = RecordingSupervisor()
    scaled = ScaledProfile(model=paths.MODEL_FILE, work_dir=tmp_path, rasa_ports=[first, first + 1],
                           action_port=DEFAULT_PORTS["ACTION_PORT"], proxy_port=DEFAULT_PORTS["WEB_PORT"],
                           redis_port=DEFAULT_PORTS["REDIS_PORT"], postgres_port=DEFAULT_PORTS["POSTGRES_PORT"],
                           supervisor=supervisor)
    scaled.postgres.password_file.write_text(PASSWORD + "\n")
    # Only the profile's own settings in the children's environment, not this test run's.
    with mock.patch.dict(os.environ, clear=True):
        supervisor.start(services.redis_child(scaled.redis_port, scaled.work_dir, servers.server_env()))
        supervisor.start(scaled.postgres.child(servers.server_env(), scaled.log_dir))
        scaled.start_rasa_side()
        scaled.start_proxy()
    return scaled


def children(profile: ScaledProfile) -> Dict[str, Child]:
    supervisor = profile.supervisor
    assert isinstance(supervisor, RecordingSupervisor)
    return {child.name: child for child in supervisor.children}


def repo_relative(args: Iterable[str]) -> List[str]:
    """Arguments with the repo's absolute paths made relative (the containers' and units' working directory)."""
    out = []
    for arg in args:
        path = Path(arg)
        out.append(path.relative_to(REPO_ROOT).as_posix() if path.is_absolute() and REPO_ROOT in path.parents
                   else arg)
    return out


def with_port(args: List[str], port: str) -> List[str]:
    args = list(args)
    args[args.index("--port") + 1] = port
    return args


def in_container(args: List[str]) -> List[str]:
    """A command of the launcher as a container runs it: listening on the container's every interface."""
    args = list(args)
    if "--interface" in args:
        args[args.index("--interface") + 1] = CONTAINER_HOST
    return args


def launched(child: Child) -> List[str]:
    """A child's command after the python executable, with repo-relative paths."""
    assert child.args[1] == "-m", child.args
    return repo_relative(child.args[1:])


# --- The compose file ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose() -> Dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


INTERPOLATION = re.compile(r"\$\{(\w+)(?:(:?[-?+])([^}]*))?\}")


def interpolate(value: Any, env: Mapping[str, str]) -> str:
    """Docker Compose's ${VAR}, ${VAR:-default}, ${VAR:?error}, ${VAR:+other} and $$ for `env` (deploy/.env)."""
    def one(match: re.Match) -> str:
        name, operator, argument = match[1], match[2] or "", match[3] or ""
        present = name in env and (env[name] != "" or not operator.startswith(":"))
        if operator.endswith("?") and not present:
            raise KeyError(f"${{{name}}} is required: {argument}")
        if operator.endswith("+"):
            return argument if present else ""
        return env[name] if present else argument

    text = str(value)
    return "$".join(INTERPOLATION.sub(one, part) for part in text.split("$$"))


def strings(data: Any) -> Iterable[str]:
    """Every string of a parsed YAML document (keys and values; not its comments)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from strings(item)
    elif isinstance(data, str):
        yield data


def yaml_variables(path: Path) -> Set[str]:
    """The ${VAR} names a YAML file's values use (Rasa's and Compose's interpolation; $$ is a literal $)."""
    return {match[1] for text in strings(yaml.safe_load(path.read_text()))
            for match in INTERPOLATION.finditer(text.replace("$$", ""))}


def service_env(service: Mapping[str, Any], env: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: interpolate(value, env if env is not None else {"POSTGRES_PASSWORD": PASSWORD})
            for key, value in environment.items()}


def rasa_services(compose: Mapping[str, Any], profile: ScaledProfile) -> Dict[str, Dict[str, Any]]:
    missing = [name for name in profile.rasa_names if name not in compose["services"]]
    assert not missing, f"the compose file has no service for the profile's Rasa servers {missing}"
    return {name: compose["services"][name] for name in profile.rasa_names}


def volume_mounts(service: Mapping[str, Any]) -> Dict[str, str]:
    """Named volume -> where it is mounted (short syntax NAME:TARGET[:ro] or the long one)."""
    mounts = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume.get("source"), volume["target"]
        mounts[source] = target
    return mounts


def test_the_compose_file_has_a_service_for_every_process_of_the_profile(compose, profile):
    expected = list(children(profile))
    assert len(expected) > len(profile.rasa_names), f"the recorded profile looks wrong: {expected}"
    missing = [name for name in expected if name not in compose["services"]]
    assert not missing, (f"deploy/docker-compose.yml has no service named {missing}; the profile's processes "
                         f"are {expected} (clinic_bot/launcher/scaled.py)")


def test_the_rasa_servers_get_the_environment_the_profile_gives_them(compose, profile):
    kids = children(profile)
    profile_env = dict(kids[profile.rasa_names[0]].env)
    endpoints_vars = sorted(yaml_variables(paths.SCALED_ENDPOINTS_FILE))
    assert endpoints_vars, "no ${VAR} found in endpoints.scaled.yml"
    # A host of the profile (127.0.0.1) is the compose service that listens on that port.
    service_by_port = {args[i + 1]: name for name, child in kids.items() for args in [child.args]
                       for i, flag in enumerate(args[:-1]) if flag in ("--port", "-p") and args[i + 1].isdigit()}
    assert str(profile.postgres_port) in service_by_port and str(profile.redis_port) in service_by_port

    def in_containers(key: str, value: str) -> str:
        if key.endswith("_HOST") and value == LOOPBACK:
            return service_by_port[profile_env[key[: -len("_HOST")] + "_PORT"]]
        return re.sub(rf"{re.escape(LOOPBACK)}:(\d+)", lambda m: f"{service_by_port[m[1]]}:{m[1]}", value)

    image_env = dockerfile_env(RASA_DOCKERFILE)
    for name, service in rasa_services(compose, profile).items():
        env = service_env(service)
        missing = [var for var in [*endpoints_vars, TRUSTED_PROXIES_ENV] if var not in env]
        assert not missing, f"{name}: endpoints.scaled.yml reads {missing}, not set in its environment"
        effective = {**image_env, **env}
        missing = sorted(key for key in profile_env if key not in effective)
        assert not missing, f"{name}: the profile gives its Rasa servers {missing}; neither compose nor the image does"
        for key, value in profile_env.items():
            if key == TRUSTED_PROXIES_ENV:
                continue  # the compose network's, below
            if key == "PYTHONPATH":
                assert effective[key].rstrip(os.pathsep) == dockerfile_workdir(RASA_DOCKERFILE), \
                    f"{name}: PYTHONPATH must be the image's project folder"
                continue
            expected = in_containers(key, value)
            assert effective[key] == expected, f"{name}: {key}={effective[key]!r}, the profile's is {expected!r}"
        assert env["ACTION_SERVER_URL"] == f"http://actions:{DEFAULT_PORTS['ACTION_PORT']}/webhook"
        assert env["REDIS_PORT"] == str(DEFAULT_PORTS["REDIS_PORT"])
        assert env["POSTGRES_PORT"] == str(DEFAULT_PORTS["POSTGRES_PORT"])
        assert env["TICKET_LOCK_LIFETIME"] == str(TICKET_LOCK_LIFETIME_S)
        assert env.get("RASA_TELEMETRY_ENABLED") == "false", f"{name}: telemetry must be off"
        with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):
            service_env(service, env={})  # compose must refuse to start without the password


def test_postgres_creates_the_role_and_database_the_rasa_servers_use(compose, profile):
    database = service_env(compose["services"]["postgres"])
    rasa = service_env(compose["services"][profile.rasa_names[0]])
    for key in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"):
        assert database.get(key) == rasa[key], f"postgres's {key} differs from the Rasa servers'"
    assert (database["POSTGRES_USER"], database["POSTGRES_DB"]) == (services.POSTGRES_USER, services.POSTGRES_DB)
    # The launcher's server settings (services.py), not PostgreSQL's defaults.
    launcher_settings = settings_after(children(profile)["postgres"].args, "-c")
    command = compose["services"]["postgres"]["command"]
    tuned = {key: value for key, value in launcher_settings.items()
             if key not in ("listen_addresses", "unix_socket_directories", "logging_collector")}
    assert tuned and settings_after(command, "-c") == tuned, f"postgres's -c settings should be {tuned}"
    assert any("pg_isready" in part for part in compose["services"]["postgres"]["healthcheck"]["test"])
    assert "postgres-data" in compose.get("volumes", {}) and "postgres-data" in volume_mounts(
        compose["services"]["postgres"]), "the conversations need a named volume"


def settings_after(args: List[str], flag: str) -> Dict[str, str]:
    return dict(args[i + 1].split("=", 1) for i, arg in enumerate(args) if arg == flag)


def test_redis_runs_with_the_launchers_settings(compose, profile):
    launcher = children(profile)["redis"].args
    command = compose["services"]["redis"]["command"]
    for flag in ("--save", "--appendonly", "--maxmemory", "--maxmemory-policy"):
        assert flag in command and command[command.index(flag) + 1] == launcher[launcher.index(flag) + 1], \
            f"redis: {flag} should be {launcher[launcher.index(flag) + 1]!r} as clinic_bot/launcher/services.py"


def test_the_commands_are_the_launchers(compose, profile):
    kids = children(profile)
    rasa_port = str(DEFAULT_PORTS["RASA_PORT"])
    for name, service in rasa_services(compose, profile).items():
        # Each container has its own address: every Rasa server on the default port, on all its interfaces.
        expected = ["python", *in_container(with_port(launched(kids[name]), rasa_port))]
        assert service.get("command") == expected, f"{name}: command should be {expected}"
    expected = ["python", *launched(kids["actions"])]
    assert compose["services"]["actions"].get("command") == expected, f"actions: command should be {expected}"
    # rasa-sdk has no address option: the variable it reads, which the launcher sets to loopback.
    assert kids["actions"].env[SDK_HOST_ENV] == LOOPBACK
    image = {**dockerfile_env(ACTIONS_DOCKERFILE), **service_env(compose["services"]["actions"])}
    assert service_env(compose["services"]["actions"]).get(SDK_HOST_ENV) == CONTAINER_HOST == image[SDK_HOST_ENV], \
        f"actions: set {SDK_HOST_ENV}={CONTAINER_HOST} (the Rasa servers call it over the backend network)"


def test_the_profile_listens_on_loopback_only_and_puts_no_secret_on_a_command_line(profile):
    """`make run-scaled`: the proxy is the one way in; the database's password (and an API token left in the
    launcher's environment) stays off every command line, which every local user can read."""
    kids = children(profile)
    for name in profile.rasa_names:
        args = kids[name].args
        assert args[args.index("--interface") + 1] == LOOPBACK, f"{name} should listen on {LOOPBACK} only"
        assert split_token(args)[1] is None and API_TOKEN_ENV not in kids[name].env
    assert kids["actions"].env[SDK_HOST_ENV] == LOOPBACK
    redis = kids["redis"].args
    assert redis[redis.index("--bind") + 1] == LOOPBACK
    assert settings_after(kids["postgres"].args, "-c")["listen_addresses"] == LOOPBACK
    assert re.search(rf"listen {re.escape(LOOPBACK)}:{profile.proxy_port};",
                     (profile.work_dir / "proxy" / "nginx.conf").read_text())
    leaking = {name: child.args for name, child in kids.items() if any(PASSWORD in arg for arg in child.args)}
    assert not leaking, f"the database's password on a command line: {leaking}"


def test_no_deployment_command_carries_a_secret(compose):
    """deploy/: the database's password and an API token reach the servers through their environment only."""
    argvs: Dict[str, List[str]] = {}  # where -> the command
    for name, service in compose["services"].items():
        argvs[f"compose {name}"] = [str(part) for part in service.get("command") or []]
        test = (service.get("healthcheck") or {}).get("test") or []
        argvs[f"compose {name} healthcheck"] = [test] if isinstance(test, str) else [str(part) for part in test]
    for path in (RASA_DOCKERFILE, ACTIONS_DOCKERFILE):
        for keyword, rest in dockerfile(path):
            if keyword in ("CMD", "HEALTHCHECK"):
                argvs[f"{path.name} {keyword}"] = exec_form(rest)
    for path in UNITS:
        for number, argv in enumerate(commands(unit(path))):
            argvs[f"{path.name} #{number}"] = argv
    assert len(argvs) > 10, f"the commands found look wrong: {sorted(argvs)}"

    def rasa(argv: List[str]) -> bool:  # split_token knows Rasa's options (nginx's -t is another thing)
        return "-m" in argv[:-1] and argv[argv.index("-m") + 1] in ("rasa", rasa_cli.__name__)

    assert any(rasa(argv) for argv in argvs.values()), f"no Rasa command found in {sorted(argvs)}"
    leaking = {where: argv for where, argv in argvs.items()
               if any("PASSWORD" in arg or arg.startswith("--auth-token") for arg in argv)
               or (rasa(argv) and split_token(argv)[1] is not None)}
    assert not leaking, f"a secret on a command line: {leaking}"


def trusted_networks(value: str) -> List[Any]:  # IPv4Network or IPv6Network
    # As clinic_bot/server/channel.py trusted_proxies_from_env (not imported: it loads Rasa).
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in value.split(",") if entry.strip()]


def test_the_rasa_servers_trust_the_proxy_and_no_patient(compose, profile):
    services_ = compose["services"]
    proxy_networks = services_["proxy"]["networks"]
    fixed = {network: settings["ipv4_address"] for network, settings in proxy_networks.items()
             if settings and "ipv4_address" in settings}
    assert len(fixed) == 1, "the proxy needs one fixed address, on the network it shares with the Rasa servers"
    (backend, address), = fixed.items()
    proxy_address = ipaddress.ip_address(address)
    network = compose["networks"][backend]
    subnet: Any = ipaddress.ip_network(network["ipam"]["config"][0]["subnet"])
    assert network.get("internal") is True, f"network {backend} must be internal: only the project's containers"
    assert proxy_address in subnet, f"the proxy's {proxy_address} is outside {backend}'s {subnet}"
    for name, service in rasa_services(compose, profile).items():
        assert backend in service["networks"], f"{name} is not on {backend}"
        value = service_env(service)[TRUSTED_PROXIES_ENV]
        trusted = trusted_networks(value)
        assert any(subnet.subnet_of(net) for net in trusted), f"{name}: TRUSTED_PROXIES={value!r} misses {subnet}"
        assert any(proxy_address in net for net in trusted), f"{name}: TRUSTED_PROXIES misses the proxy's address"
        outside = [str(net) for net in trusted if not net.subnet_of(subnet)]
        assert not outside, f"{name}: TRUSTED_PROXIES trusts {outside} outside {backend} by default"
        # The clinic's HTTPS front end (deploy/env.example) can be added without editing the file.
        front_end = ipaddress.ip_network("192.0.2.7")
        extra = service_env(service, {"POSTGRES_PASSWORD": PASSWORD, "EXTRA_TRUSTED_PROXIES": str(front_end)})
        assert front_end in trusted_networks(extra[TRUSTED_PROXIES_ENV]), \
            f"{name}: EXTRA_TRUSTED_PROXIES should add to TRUSTED_PROXIES"
    # Patients reach the proxy over its other networks: none of those may be trusted.
    for other in proxy_networks:
        if other == backend:
            continue
        config = (compose["networks"][other].get("ipam") or {}).get("config") or []
        assert config, f"network {other}: declare its subnet, to show it is not trusted"
        other_subnet: Any = ipaddress.ip_network(config[0]["subnet"])
        assert not other_subnet.overlaps(subnet), f"the proxy's {other} network overlaps the trusted {subnet}"
    published = [name for name, service in services_.items() if service.get("ports") and name != "proxy"]
    assert not published, f"only the proxy is published; also {published}"


def test_the_proxy_reads_the_configuration_proxy_config_writes(compose, profile):
    services_ = compose["services"]
    writer, reader = services_["proxy-config"], services_[children(profile)["proxy"].name]
    command = writer["command"]
    assert command[:3] == ["python", "-m", proxy.__name__] and "--compose" in command, \
        f"proxy-config should run python -m {proxy.__name__} --compose"
    out = PurePosixPath(command[command.index("--out") + 1])
    written = {volume: target for volume, target in volume_mounts(writer).items()
               if PurePosixPath(target) == out.parent}
    assert written, f"proxy-config writes {out} outside its volumes {volume_mounts(writer)}"
    (volume, _), = written.items()
    assert volume in compose.get("volumes", {}), f"{volume} should be a named volume"
    target = volume_mounts(reader).get(volume)
    assert target is not None, f"the proxy does not mount {volume}"
    assert str(PurePosixPath(target) / out.name) == proxy.COMPOSE_CONFIG_PATH, \
        f"the proxy sees the configuration at {PurePosixPath(target) / out.name}, not {proxy.COMPOSE_CONFIG_PATH}"
    rasa = rasa_services(compose, profile)
    assert all(writer.get("build") == service.get("build") and writer.get("image") == service.get("image")
               for service in rasa.values()), "proxy-config should run the Rasa image (its knowledge/ and clinic.yml)"
    assert proxy.COMPOSE_RASA_UPSTREAMS == [f"{name}:{DEFAULT_PORTS['RASA_PORT']}" for name in rasa], \
        f"proxy.py's COMPOSE_RASA_UPSTREAMS {proxy.COMPOSE_RASA_UPSTREAMS} should name the compose Rasa services"
    container_ports = [interpolate(port, {}).rsplit(":", 1)[-1] for port in reader.get("ports", [])]
    assert container_ports == [proxy.COMPOSE_LISTEN], \
        f"the proxy publishes {container_ports}; proxy.py listens on {proxy.COMPOSE_LISTEN}"
    assert proxy.COMPOSE_LISTEN == str(profile.proxy_port), "the compose proxy should listen on WEB_PORT's default"
    depends = reader.get("depends_on") or {}
    assert depends.get("proxy-config", {}).get("condition") == "service_completed_successfully"
    assert all(name in depends for name in rasa), "the proxy must start after the Rasa containers exist"
    assert f"{proxy.COMPOSE_LISTEN}{proxy.HEALTH_PATH}" in " ".join(reader["healthcheck"]["test"])


def test_neither_proxy_passes_on_the_model_reload(profile):
    """The staff console's reload (clinic_bot/server/model_reload.py) is for the Rasa servers' own machine: the
    scaled profile's written nginx.conf and the compose one answer 404 for it (an exact location wins)."""
    blocked = re.compile(r"location = " + re.escape(paths.MODEL_RELOAD_PATH) + r" \{\s*return 404;\s*\}")
    written = (profile.work_dir / "proxy" / "nginx.conf").read_text()
    for name, config in (("make run-scaled", written), ("compose", proxy.compose_config().render("[]"))):
        assert blocked.search(config), f"{name}: the proxy should answer 404 for {paths.MODEL_RELOAD_PATH}"


def test_every_variable_of_the_compose_file_is_in_env_example(compose):
    used = yaml_variables(COMPOSE_FILE)
    documented = env_file(COMPOSE_ENV_EXAMPLE)
    missing = sorted(used - set(documented))
    assert not missing, f"deploy/env.example should list {missing}"
    assert documented["POSTGRES_USER"] == services.POSTGRES_USER and documented["POSTGRES_DB"] == services.POSTGRES_DB
    assert documented.get("POSTGRES_PASSWORD") == "", "env.example must not ship a password"


# --- The Dockerfiles -----------------------------------------------------------------------------------------

def dockerfile(path: Path) -> List[Tuple[str, str]]:
    """(INSTRUCTION, arguments), with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        keyword, _, rest = pending.strip().partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        pending = ""
    return instructions


def dockerfile_env(path: Path) -> Dict[str, str]:
    return dict(token.split("=", 1) for keyword, rest in dockerfile(path) if keyword == "ENV"
                for token in shlex.split(rest))


def dockerfile_workdir(path: Path) -> str:
    return [rest for keyword, rest in dockerfile(path) if keyword == "WORKDIR"][-1]


def faithful_copies(path: Path) -> List[str]:
    """Repo paths a Dockerfile copies to the same path under its WORKDIR (directories with their contents)."""
    workdir, copied = PurePosixPath("/"), []
    for keyword, rest in dockerfile(path):
        if keyword == "WORKDIR":
            workdir = workdir / rest
        if keyword != "COPY":
            continue
        *sources, dest = [token for token in shlex.split(rest) if not token.startswith("--")]
        into_dir = dest.endswith("/") or len(sources) > 1
        for source in sources:
            is_dir = (REPO_ROOT / source).is_dir()
            landed = workdir / dest if is_dir or not into_dir else workdir / dest / PurePosixPath(source).name
            if landed == workdir / source.rstrip("/"):
                copied.append(source.rstrip("/"))
    return copied


def covered(path: Path, copies: List[str]) -> bool:
    relative = path.relative_to(REPO_ROOT).as_posix()
    return any(relative == copy or relative.startswith(copy + "/") for copy in copies)


def exec_form(rest: str) -> List[str]:
    """The JSON list of CMD, or of HEALTHCHECK's CMD after its options."""
    match = re.search(r"(?:^|\bCMD\s+)(\[.*\])\s*$", rest)
    assert match, f"should be in exec (JSON) form: {rest}"
    return json.loads(match[1])


def only(instructions: List[Tuple[str, str]], keyword: str) -> str:
    found = [rest for name, rest in instructions if name == keyword]
    assert len(found) == 1, f"expected one {keyword}, found {found}"
    return found[0]


def module_file(module: str) -> Optional[Path]:
    base = REPO_ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def import_closure(modules: Iterable[str]) -> Tuple[Set[Path], Set[Path]]:
    """The first-party files `modules` import, transitively (with their packages' __init__.py), and the repo
    files they name from clinic_bot.paths (what they read)."""
    files: Set[Path] = set()
    read: Set[Path] = set()
    todo = list(modules)
    while todo:
        module = todo.pop()
        path = module_file(module)
        if path is None or path in files:
            continue
        files.add(path)
        parts = module.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]
        package = module if path.name == "__init__.py" else ".".join(parts[:-1])
        names: List[str] = []
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                todo += [alias.name for alias in node.names if alias.name.startswith(FIRST_PARTY)]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package `level - 1` steps up
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                if not base.startswith(FIRST_PARTY):
                    continue
                todo += [base] + [f"{base}.{alias.name}" for alias in node.names]
                if base == paths.__name__:
                    names += [alias.name for alias in node.names]
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and node.value.id == "paths"):
                names.append(node.attr)
        for name in names:
            value = getattr(paths, name, None)
            if isinstance(value, Path) and value != REPO_ROOT and REPO_ROOT in value.parents and value.exists():
                read.add(value)
    return files, read


def dotted_names(data: Any) -> Iterable[str]:
    """The first-party modules a parsed YAML document names (clinic_bot.x.Class -> clinic_bot.x)."""
    for text in strings(data):
        if not (text.startswith(FIRST_PARTY) and "." in text):
            continue
        parts = text.split(".")
        module = next((".".join(parts[:i]) for i in range(len(parts), 0, -1) if module_file(".".join(parts[:i]))),
                      None)
        if module:
            yield module


def makefile() -> str:
    return (REPO_ROOT / "Makefile").read_text()


def make_exports() -> Dict[str, str]:
    """What the Makefile exports to every command it runs (with no PROFILE=... given)."""
    done = subprocess.run(["make", "-s", "--no-print-directory", "--eval", "deploy-print: ; @env", "deploy-print"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    assert done.returncode == 0, done.stderr
    exported = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    return {key: value for key, value in exported.items()
            if key not in ("PATH", "PWD", "OLDPWD", "SHLVL", "_") and not key.startswith(("MAKE", "MFLAGS"))}


def make_variable(name: str) -> str:
    done = subprocess.run(["make", "-s", "--no-print-directory", "--eval", f"deploy-print: ; @echo $({name})",
                           "deploy-print"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def make_recipe(target: str) -> List[str]:
    """The commands of a Makefile rule, with $(PY) as the image's `python`; @-lines (mkdir, touch) left out."""
    variables = dict(re.findall(r"^(\w+) := (.*)$", makefile(), re.MULTILINE))
    variables["PY"] = "python"

    def expand(text: str) -> str:
        expanded = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m[1], m[0]), text)
        return expanded if expanded == text else expand(expanded)

    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n?)+)", makefile(), re.MULTILINE)
    assert match, f"no rule {target} in the Makefile"
    return [expand(line.strip()) for line in match[1].splitlines() if not line.strip().startswith("@")]


def check_image(path: Path, service: Mapping[str, Any], child: Child, port: int) -> List[Tuple[str, str]]:
    instructions = dockerfile(path)
    assert service["build"]["dockerfile"] == path.relative_to(REPO_ROOT).as_posix()
    assert (COMPOSE_FILE.parent / service["build"]["context"]).resolve() == REPO_ROOT, "build from the repo's root"
    python = re.search(r'python_version = "([\d.]+)"', (REPO_ROOT / "pyproject.toml").read_text())
    assert python and only(instructions, "FROM").startswith(f"python:{python[1]}-slim"), \
        f"{path.name}: the project runs on Python {python and python[1]} (pyproject.toml)"
    runs = " && ".join(rest for keyword, rest in instructions if keyword == "RUN")
    requirements = re.findall(r"pip install .*?-r (\S+)", runs)
    assert requirements, f"{path.name} installs no requirements file"
    for requirement in requirements:
        assert (REPO_ROOT / requirement).is_file(), f"{path.name} installs {requirement}, which does not exist"
        assert covered(REPO_ROOT / requirement, faithful_copies(path)), f"{path.name} does not copy {requirement}"
    cmd = exec_form(only(instructions, "CMD"))
    assert cmd == ["python", *in_container(launched(child))], f"{path.name}: CMD should be what the launcher runs"
    assert cmd == service["command"], f"{path.name}: CMD differs from the compose service's command"
    assert only(instructions, "EXPOSE") == str(port) == cmd[cmd.index("--port") + 1]
    healthcheck = " ".join(exec_form(only(instructions, "HEALTHCHECK")))
    assert isinstance(child.ready, str) and child.ready in healthcheck, \
        f"{path.name}: HEALTHCHECK should ask {child.ready}, as the launcher does"
    user = [rest for keyword, rest in instructions if keyword == "USER"]
    assert user and user[-1] not in ("root", "0"), f"{path.name} should run as a dedicated user"
    return instructions


def runtime_state(path: Path) -> bool:
    """var/ holds what the running servers write (conversations, the registry of running servers, the reload
    token): a volume at run time, never part of an image."""
    return (REPO_ROOT / "var") in path.parents


def test_the_rasa_image_builds_the_pipeline_and_model_as_the_makefile(compose, profile):
    kids = children(profile)
    name = profile.rasa_names[0]
    service = compose["services"][name]
    child = kids[name]
    instructions = check_image(RASA_DOCKERFILE, service, child, DEFAULT_PORTS["RASA_PORT"])
    runs = [rest for keyword, rest in instructions if keyword == "RUN"]
    requirements = re.findall(r"-r (\S+)", " ".join(runs))
    assert any(re.search(r"^rasa==", (REPO_ROOT / r).read_text(), re.MULTILINE) for r in requirements), \
        "the Rasa image should install the requirements that pin rasa"
    for target in ("$(SPACY_PIPELINE)", "$(MODEL)"):
        for command in make_recipe(target):
            assert any(command in run for run in runs), f"Dockerfile.rasa should run the Makefile's `{command}`"
    model, args = make_variable("MODEL"), launched(child)
    assert model == paths.MODEL_FILE.relative_to(REPO_ROOT).as_posix() == args[args.index("--model") + 1], \
        f"the launcher's model, paths.MODEL_FILE and the Makefile's MODEL ({model}) should be one file"
    # What the Makefile exports for every command (training included) is the image's environment too.
    image_env, workdir = dockerfile_env(RASA_DOCKERFILE), dockerfile_workdir(RASA_DOCKERFILE)
    exports = make_exports()
    assert "RASA_TELEMETRY_ENABLED" in exports, f"the Makefile's exports look wrong: {exports}"
    for variable, value in exports.items():
        assert image_env.get(variable) == value.replace(str(REPO_ROOT), workdir), \
            f"Dockerfile.rasa should set {variable} as the Makefile exports it ({value})"
    # Everything training, the Rasa server and proxy-config read lands in the image at its repo path.
    copies = faithful_copies(RASA_DOCKERFILE)
    needed = {REPO_ROOT / p for p in make_variable("TRAINING_INPUTS").split()}
    spacy_rule = re.search(r"^\$\(SPACY_PIPELINE\):(.*)$", makefile(), re.MULTILINE)
    assert spacy_rule
    needed |= {REPO_ROOT / p for p in spacy_rule[1].split() if not p.startswith("$(")}
    needed |= {REPO_ROOT / arg for arg in args if arg != model and (REPO_ROOT / arg).is_file()}  # the model: built
    modules = {proxy.__name__, args[1]}  # the module CMD runs (rasa_cli)
    for config in (REPO_ROOT / "config.yml", paths.SCALED_ENDPOINTS_FILE, paths.CREDENTIALS_FILE):
        modules |= set(dotted_names(yaml.safe_load(config.read_text())))
    files, read = import_closure(modules)
    assert len(files) > 10, f"the import closure looks wrong: {sorted(files)}"
    missing = sorted(p.relative_to(REPO_ROOT).as_posix() for p in needed | files | read
                     if not covered(p, copies) and not runtime_state(p))
    assert not missing, f"Dockerfile.rasa does not copy {missing}"


def test_the_actions_image_has_only_what_the_actions_need(compose, profile):
    child = children(profile)["actions"]
    instructions = check_image(ACTIONS_DOCKERFILE, compose["services"][child.name], child,
                               DEFAULT_PORTS["ACTION_PORT"])
    requirements = re.findall(r"-r (\S+)", " ".join(rest for keyword, rest in instructions if keyword == "RUN"))
    pins = "\n".join((REPO_ROOT / r).read_text() for r in requirements)
    assert re.search(r"^rasa-sdk==", pins, re.MULTILINE) and not re.search(r"^rasa==", pins, re.MULTILINE), \
        "the action server's image installs rasa-sdk and not Rasa (requirements/actions.txt)"
    package = child.args[child.args.index("--actions") + 1]
    modules = [package] + [f"{package}.{p.stem}" for p in (REPO_ROOT / package).glob("*.py")]
    files, read = import_closure(modules)
    assert {paths.ANSWERS_FILE, paths.MESSAGES_FILE} <= read, f"the actions' reads look wrong: {sorted(read)}"
    copies = faithful_copies(ACTIONS_DOCKERFILE)
    missing = sorted(p.relative_to(REPO_ROOT).as_posix() for p in files | read
                     if not covered(p, copies) and not runtime_state(p))
    assert not missing, f"Dockerfile.actions does not copy {missing}, which actions/ imports or reads"
    heavy = [copy for copy in copies if copy in ("clinic_bot", "clinic_bot/server", "clinic_bot/nlu")]
    assert not heavy, f"Dockerfile.actions copies {heavy}: Rasa code the action server cannot import"


# --- The systemd units ---------------------------------------------------------------------------------------

def unit(path: Path) -> Dict[str, List[str]]:
    """key -> every value it is given (systemd allows repeats), across sections."""
    entries: Dict[str, List[str]] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        entries.setdefault(key.strip(), []).append(value.strip())
    return entries


def env_file(path: Path) -> Dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#"))


def commands(entries: Mapping[str, List[str]]) -> List[List[str]]:
    return [shlex.split(value.lstrip("-@:+!")) for key in ("ExecStartPre", "ExecStart", "ExecReload")
            for value in entries.get(key, [])]


UNITS = sorted(SYSTEMD.glob("*.service"))


def test_the_systemd_units_exist():
    names = {path.name for path in UNITS}
    assert {"clinic-actions.service", "clinic-rasa@.service", "clinic-proxy.service"} <= names, names


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_every_unit_runs_modules_and_files_that_exist(path):
    entries = unit(path)
    install = entries["WorkingDirectory"][0]
    venv_python = make_variable("PY")
    assert commands(entries), f"{path.name} runs nothing"
    for argv in commands(entries):
        if not argv[0].endswith("python"):
            continue
        assert argv[0] == f"{install}/{venv_python}", f"{path.name}: {argv[0]} is not the project's {venv_python}"
        assert (REPO_ROOT / venv_python).exists(), f"{venv_python} is missing: `make setup` builds it"
        module = argv[argv.index("-m") + 1]
        assert importlib.util.find_spec(module) is not None, f"{path.name}: no module {module}"
        for flag, value in zip(argv, argv[1:]):
            if flag == "--actions":
                assert importlib.util.find_spec(value) is not None, f"{path.name}: no actions package {value}"
            if flag == "--model":
                assert value == make_variable("MODEL"), f"{path.name}: {value} is not what `make train` writes"
            elif flag in ("--endpoints", "--credentials"):
                assert (REPO_ROOT / value).is_file(), f"{path.name}: {value} does not exist in the repo"
        for arg in argv:
            if arg.startswith(install + "/"):
                assert (REPO_ROOT / arg[len(install) + 1:]).exists(), f"{path.name}: {arg} is not in the repo"
    hardening = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes", "Restart": "on-failure"}
    wrong = {key: entries.get(key) for key, value in hardening.items() if entries.get(key) != [value]}
    assert not wrong, f"{path.name}: {wrong}"
    assert entries.get("RestartSec"), f"{path.name}: restart after a pause"


def test_the_units_run_what_the_launcher_runs(profile):
    kids = children(profile)
    rasa = unit(SYSTEMD / "clinic-rasa@.service")
    (argv,) = [shlex.split(value) for value in rasa["ExecStart"]]
    expected = with_port(launched(kids[profile.rasa_names[0]]), "%i")
    assert argv[1:] == expected, f"clinic-rasa@: should run {expected}"
    assert expected[expected.index("--interface") + 1] == LOOPBACK
    assert rasa.get("User") and rasa["User"] != ["root"]
    assert rasa.get("MemoryMax") and rasa["MemoryMax"][0].endswith(("M", "G")), "clinic-rasa@ needs MemoryMax"
    actions = unit(SYSTEMD / "clinic-actions.service")
    (argv,) = [shlex.split(value) for value in actions["ExecStart"]]
    assert argv[1:] == launched(kids["actions"]), f"clinic-actions: should run {launched(kids['actions'])}"
    assert f"{SDK_HOST_ENV}={kids['actions'].env[SDK_HOST_ENV]}" in actions.get("Environment", []), \
        f"clinic-actions: {SDK_HOST_ENV} should be the launcher's, {LOOPBACK}"
    assert actions.get("User") == rasa["User"]
    # The proxy: its generated configuration in front of the units' Rasa servers, on the profile's ports.
    entries = unit(SYSTEMD / "clinic-proxy.service")
    pre = commands({"ExecStartPre": entries["ExecStartPre"]})[0]
    start = commands({"ExecStart": entries["ExecStart"]})[0]
    assert pre[1:3] == ["-m", proxy.__name__]
    upstreams = [value for flag, value in zip(pre, pre[1:]) if flag == "--rasa"]
    assert upstreams == [f"{LOOPBACK}:{port}" for port in profile.rasa_ports], upstreams
    wanted = " ".join(entries.get("Wants", []))
    assert all(f"clinic-rasa@{port}.service" in wanted for port in profile.rasa_ports), wanted
    assert pre[pre.index("--listen") + 1].rsplit(":", 1)[-1] == str(profile.proxy_port)
    assert start[start.index("-c") + 1] == pre[pre.index("--out") + 1], "nginx should read the generated file"
    assert "daemon off;" in start[start.index("-g") + 1]
    # The environment file: the profile's own, on this host.
    for name in ("clinic-rasa@.service", "clinic-actions.service"):
        assert unit(SYSTEMD / name).get("EnvironmentFile") == ["/etc/clinic-bot/" + SYSTEMD_ENV_EXAMPLE.stem]
    env = env_file(SYSTEMD_ENV_EXAMPLE)
    password = env.get("POSTGRES_PASSWORD", "")
    for key, value in kids[profile.rasa_names[0]].env.items():
        if key == "PYTHONPATH":
            assert f"PYTHONPATH={rasa['WorkingDirectory'][0]}" in rasa.get("Environment", [])
            continue
        wanted = value.replace(PASSWORD, password)
        assert env.get(key) == wanted, f"{SYSTEMD_ENV_EXAMPLE.name}: {key}={env.get(key)!r}, not {wanted!r}"
