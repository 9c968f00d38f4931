"""`make validate`'s checks of the clinic's own details (clinic.yml): required fields, demo values still marked
PLACEHOLDER, misspelt keys, locations without an address; and the filled details the checks of the practical answers
built from them warn about (validate_practical.py)."""
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from clinic_bot import paths
from clinic_bot.content.clinic_config import (
    REQUIRED_FIELDS,
    known_config_keys,
    load_clinic_details,
    placeholder_lines,
)
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.tools.problems import Problem


def _unknown_keys(file: Path, mapping: Any, allowed: Any, where: str) -> List[Problem]:
    if not isinstance(mapping, dict):
        return []
    return [Problem(file, line_of(mapping, key), "warning",
                    f"{where}'{key}' is not a detail the assistant knows (a typo?); known: {', '.join(allowed)}")
            for key in mapping if key not in allowed]


def check_clinic(file: Path = paths.CLINIC_CONFIG_FILE) -> List[Problem]:
    try:
        details = load_clinic_details(file)
    except ValueError as error:
        return [Problem(file, 0, "error", str(error))]
    data = load_yaml(file) or {}
    problems = []
    marked = placeholder_lines(file)
    for line, key in marked:
        may_be_empty = "" if key in REQUIRED_FIELDS else " (or \"\" to have patients call)"
        problems.append(Problem(file, line, "warning", f"'{key}' is still the demo's PLACEHOLDER: put the clinic's "
                                f"own value{may_be_empty} and delete the PLACEHOLDER mark"))
    marked_keys = {key for _, key in marked}
    problems += [Problem(file, line_of(data, field), "warning",
                         f"'{field}' is still a demo value: put the clinic's real value before going live")
                 for field in details.fields_still_placeholder() if field not in marked_keys]
    keys = known_config_keys()
    problems += _unknown_keys(file, data, keys["clinic"], "")
    for entry in data.get("locations") or []:
        problems += _unknown_keys(file, entry, keys["location"], f"location '{entry.get('name')}': ")
    for place in details.locations:
        if not place.address:
            problems.append(Problem(file, line_of(data, "locations"), "warning",
                                    f"location '{place.name}' has no address: patients asking where you are "
                                    "will be told to call"))
    return problems


def detail_values(clinic_file: Optional[Path] = None) -> Dict[str, str]:
    """Every detail of clinic.yml, the locations' included, for the warnings about empty ones; {} when clinic.yml
    does not load (check_clinic says why)."""
    try:
        details = load_clinic_details(clinic_file)
    except (ValueError, OSError, yaml.YAMLError):
        return {}
    return {**details.placeholders(),
            **{name: value for place in details.locations for name, value in place.placeholders().items()}}
