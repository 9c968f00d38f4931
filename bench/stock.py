"""The benchmark's "before": the same model served as a plain `rasa run` would serve it, started through the
launcher's own pieces (clinic_bot/launcher/servers.py) so that only these differences are measured:
- Rasa's own SQL tracker store (SQLite) instead of endpoints.yml's store;
- a plain action endpoint: none of endpoints.yml's action settings (its timeout, and the selective domain: Rasa
  sends its whole domain with every action call);
- none of the launcher's speed settings (RASA_SPEED_ENV) in the Rasa server's environment.
The action server, the channel (credentials.yml), the ports and the addresses are the launcher's. The patches of
clinic_bot/rasa_patches.py are in the "before" too: the model's own components install them (bench/tuning.md).
"""
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, Mapping, Optional

import yaml

from clinic_bot.launcher.servers import LOOPBACK, Servers, endpoints_env, serving
from clinic_bot.store.database import StoreLocation


def write_stock_endpoints(action_port: int, tracker_db: StoreLocation, directory: Path,
                          action_host: str = LOOPBACK) -> Path:
    """endpoints.yml for the "before": Rasa's own SQL store and a plain action endpoint."""
    env = endpoints_env(action_port, tracker_db, action_host)
    endpoints = {"action_endpoint": {"url": env["ACTION_SERVER_URL"]},
                 "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": env["TRACKER_DB"]}}
    path = Path(directory) / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return path


class StockServers(Servers):
    """The launcher's servers with the stock endpoints (written into the log directory) and Rasa's own defaults."""

    def rasa_endpoints(self) -> Path:
        return write_stock_endpoints(self.action_port, self.tracker_db, self.log_dir, self.action_host)

    def rasa_env(self) -> Dict[str, str]:
        return self.child_env()


@contextmanager
def running_stock_servers(rasa_port: int, action_port: int, tracker_db: StoreLocation, model: Path, log_dir: Path,
                          channel_settings: Optional[Mapping[str, Any]] = None) -> Iterator[Servers]:
    """Both servers of the "before", started and ready; stopped on leaving."""
    with serving(StockServers(rasa_port, action_port, tracker_db, Path(log_dir)), model,
                 channel_settings=channel_settings) as servers:
        yield servers
