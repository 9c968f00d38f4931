"""`make shell`: the action server in the background and `rasa shell` in the terminal, with the same
endpoints, store and model as `make run`, both on loopback only. The action server stops when the shell ends.

    python -m clinic_bot.launcher.shell [--action-port 5055] [--model models/clinic.tar.gz]
"""
import argparse
import subprocess
import sys
from pathlib import Path

from clinic_bot.launcher.servers import LOOPBACK, Servers, default_port
from clinic_bot.paths import ENDPOINTS_FILE, LOG_DIR, MODEL_FILE, REPO_ROOT, TRACKER_DB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--action-port", type=int, default=default_port("ACTION_PORT"))
    parser.add_argument("--model", type=Path, default=MODEL_FILE)
    args = parser.parse_args()
    servers = Servers(rasa_port=0, action_port=args.action_port, tracker_db=TRACKER_DB, log_dir=LOG_DIR)
    try:
        servers.start_action_server()
        servers.wait_until_ready()
        print(f"Action server on :{args.action_port} (log: {LOG_DIR / 'actions.log'}). Type /stop to end.")
        # `rasa shell` runs a Rasa server for its console, which talks to it on localhost: loopback only, whatever
        # RASA_HOST says for `make run` (Rasa's default would be every interface).
        return subprocess.call([sys.executable, "-m", "rasa", "shell", "--model", str(args.model),
                                "--endpoints", str(ENDPOINTS_FILE), "--interface", LOOPBACK],
                               cwd=REPO_ROOT, env=servers.child_env())
    except KeyboardInterrupt:
        return 130
    finally:
        servers.stop()


if __name__ == "__main__":
    sys.exit(main())
