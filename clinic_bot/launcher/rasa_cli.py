"""Rasa's own command line with the HTTP API's token taken from the environment, never from the command line:

    RASA_AUTH_TOKEN=... python -m clinic_bot.launcher.rasa_cli run --enable-api --model ... --port 5005 ...

The same arguments as `python -m rasa`; every Rasa server the project starts runs through here
(clinic_bot/launcher/servers.py rasa_server_child, and deploy/'s containers and units).

Why: a process's command line is readable by every local user (`ps`, /proc/<pid>/cmdline); its environment only
by that process's own user and root. Rasa 3.6.21 takes the token only as `--auth-token`, so this module adds it
to the arguments Rasa parses inside this process. sys.argv is Python's copy of the arguments: changing it leaves
/proc/<pid>/cmdline as the kernel recorded it at exec (tests/e2e/test_default_launch.py checks every process).
The token also leaves os.environ before Rasa starts, so nothing Rasa runs inherits it.

It refuses to start when the API is switched on without a token of MIN_API_TOKEN_CHARS characters (anyone who
reaches the port could replace the model or read conversations), or when a token is on its command line.
Imports nothing heavy: Rasa is loaded only to run it.
"""
import os
import runpy
import sys
from typing import List, Optional, Sequence, Tuple

API_TOKEN_ENV = "RASA_AUTH_TOKEN"
MIN_API_TOKEN_CHARS = 16
ENABLE_API = "--enable-api"
TOKEN_OPTION = "--auth-token"
TOKEN_SHORT_OPTION = "-t"  # `rasa run`'s short form of --auth-token


def check_api_token(token: Optional[str]) -> str:
    """The token, if it is long enough for the HTTP API; ValueError naming the variable otherwise."""
    if not token or len(token) < MIN_API_TOKEN_CHARS:
        raise ValueError(f"the HTTP API needs an auth token of at least {MIN_API_TOKEN_CHARS} characters in "
                         f"{API_TOKEN_ENV}; without one anyone could replace the model or read conversations")
    return token


def split_token(args: Sequence[str]) -> Tuple[List[str], Optional[str]]:
    """`rasa run`'s arguments without the API token, and the token (the last one given, as argparse keeps it).
    Finds every spelling argparse accepts for it: `--auth-token T`, `--auth-token=T`, `-t T` and `-tT`."""
    rest: List[str] = []
    token: Optional[str] = None
    found = False
    remaining = iter(args)
    for arg in remaining:
        if arg in (TOKEN_OPTION, TOKEN_SHORT_OPTION):
            token, found = next(remaining, None), True
        elif arg.startswith(TOKEN_OPTION + "="):
            token, found = arg.split("=", 1)[1], True
        elif arg.startswith(TOKEN_SHORT_OPTION) and not arg.startswith("--"):
            token, found = arg[len(TOKEN_SHORT_OPTION):], True
        else:
            rest.append(arg)
    return rest, (token or "") if found else None


def rasa_argv(args: Sequence[str], token: Optional[str]) -> List[str]:
    """What Rasa parses: `args`, plus the token when they switch the API on. ValueError when `args` hold a token
    (it would be on this process's command line) or the API is on without a good one."""
    rest, given = split_token(args)
    if given is not None:
        raise ValueError(f"put the API token in {API_TOKEN_ENV}, not on the command line: every local user can "
                         "read a process's command line")
    if ENABLE_API not in rest:
        return list(rest)
    return [*rest, TOKEN_OPTION, check_api_token(token)]


def main() -> None:
    token = os.environ.pop(API_TOKEN_ENV, None)
    try:
        args = rasa_argv(sys.argv[1:], token)
    except ValueError as error:
        sys.exit(f"error: {error}")
    sys.argv = [sys.argv[0], *args]
    # Exactly what `python -m rasa` runs (rasa/__main__.py as __main__), in this process.
    runpy.run_module("rasa", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
