"""`make validate`'s checks of the clinic's own details (clinic.yml): required fields, demo values still marked
PLACEHOLDER, misspelt keys (of the Spanish values, `es:`, too), locations without an address, article links that are
not https or name no article (at their line); and the filled details the checks of the practical answers built from
them warn about (validate_practical.py)."""
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from clinic_bot import paths
from clinic_bot.content.clinic_config import (
    REQUIRED_FIELDS,
    SPANISH_KEY,
    TIME_ZONE_KEY,
    ClinicConfigError,
    known_config_keys,
    load_clinic_details,
    load_time_zone,
    placeholder_lines,
)
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.tools.problem_messages import LIST_SEPARATOR
from clinic_bot.tools.problems import ERROR, WARNING, Problem


def _unknown_keys(file: Path, mapping: Any, allowed: Any, location: Optional[str] = None,
                  spanish: bool = False) -> List[Problem]:
    """The keys of ``mapping`` (the clinic's details, or one ``location``'s; with ``spanish`` their Spanish values)
    that are not ``allowed``."""
    if not isinstance(mapping, dict):
        return []
    known = {"known": LIST_SEPARATOR.join(allowed)}
    if location is None:
        code = "unknown_spanish_detail" if spanish else "unknown_clinic_detail"
        return [Problem(file, line_of(mapping, key), WARNING, code, {"key": str(key), **known})
                for key in mapping if key not in allowed]
    code = "unknown_location_spanish_detail" if spanish else "unknown_location_detail"
    return [Problem(file, line_of(mapping, key), WARNING, code, {"location": location, "key": str(key), **known})
            for key in mapping if key not in allowed]


def check_clinic(file: Path = paths.CLINIC_CONFIG_FILE) -> List[Problem]:
    try:
        details = load_clinic_details(file)
    except ClinicConfigError as error:  # a value at a known line: reported there
        return [Problem(file, error.line, ERROR, "clinic_unreadable", {"error": error.reason})]
    except ValueError as error:
        return [Problem(file, 0, ERROR, "clinic_unreadable", {"error": str(error)})]
    data = load_yaml(file) or {}
    problems = []
    try:
        load_time_zone(file)
    except ValueError as error:
        problems.append(Problem(file, line_of(data, TIME_ZONE_KEY), ERROR, "clinic_unreadable", {"error": str(error)}))
    marked = placeholder_lines(file)
    for line, key in marked:
        code = "demo_placeholder" if key in REQUIRED_FIELDS else "demo_placeholder_optional"
        problems.append(Problem(file, line, WARNING, code, {"key": key}))
    marked_keys = {key for _, key in marked}
    problems += [Problem(file, line_of(data, field), WARNING, "demo_value", {"key": field})
                 for field in details.fields_still_placeholder() if field not in marked_keys]
    keys = known_config_keys()
    problems += _unknown_keys(file, data, keys["clinic"])
    problems += _unknown_keys(file, data.get(SPANISH_KEY), keys["clinic_spanish"], spanish=True)
    for entry in data.get("locations") or []:
        problems += _unknown_keys(file, entry, keys["location"], str(entry.get("name")))
        if isinstance(entry, dict):
            problems += _unknown_keys(file, entry.get(SPANISH_KEY), keys["location_spanish"], str(entry.get("name")),
                                      spanish=True)
    for place in details.locations:
        if not place.address:
            problems.append(Problem(file, line_of(data, "locations"), WARNING, "location_without_address",
                                    {"location": place.name}))
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
