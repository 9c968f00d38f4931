"""The clinic's own details (name, phones, booking link, hours) from one config file."""
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, List, Optional

from clinic_bot.content.yaml_lines import load_yaml
from clinic_bot.paths import CLINIC_CONFIG_FILE

REQUIRED_FIELDS = ("name", "phone", "after_hours_phone", "booking_url", "hours")
# Values that show the demo defaults are still in place (555-01xx numbers are reserved as fictional).
PLACEHOLDER_MARKERS = ("example", "555) 010-", "555-010-")


@dataclass(frozen=True)
class ClinicDetails:
    name: str
    phone: str
    after_hours_phone: str
    booking_url: str
    hours: str

    def placeholders(self) -> Dict[str, str]:
        """The values answers may use as {clinic_name}, {phone}, {after_hours_phone}, {booking_url}, {hours}."""
        values = asdict(self)
        values["clinic_name"] = values.pop("name")
        return values

    def fields_still_placeholder(self) -> List[str]:
        return [
            field
            for field, value in asdict(self).items()
            if any(marker in value.lower() for marker in PLACEHOLDER_MARKERS)
        ]


def load_clinic_details(path: Optional[Path] = None) -> ClinicDetails:
    """Reads the clinic config; raises ValueError naming any missing or empty field."""
    path = Path(path or CLINIC_CONFIG_FILE)
    data = load_yaml(path) or {}
    missing = [f for f in REQUIRED_FIELDS if not str(data.get(f) or "").strip()]
    if missing:
        raise ValueError(f"{path}: missing or empty field(s): {', '.join(missing)}")
    return ClinicDetails(**{f: str(data[f]).strip() for f in REQUIRED_FIELDS})


DEFAULT_RETRAIN_MARGIN_POINTS = 1.0
MAX_RETRAIN_MARGIN_POINTS = 10.0


def load_retrain_margin(path: Optional[Path] = None) -> float:
    """clinic.yml's `retrain_margin_points` (default 1.0); raises ValueError for a value that is not 0 to 10."""
    path = Path(path or CLINIC_CONFIG_FILE)
    raw = (load_yaml(path) or {}).get("retrain_margin_points", DEFAULT_RETRAIN_MARGIN_POINTS)
    try:
        margin = float(raw)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: retrain_margin_points must be a number of percentage points, "
                         f"not {raw!r}") from error
    if not 0 <= margin <= MAX_RETRAIN_MARGIN_POINTS:
        raise ValueError(f"{path}: retrain_margin_points must be between 0 and {MAX_RETRAIN_MARGIN_POINTS:g}")
    return margin
