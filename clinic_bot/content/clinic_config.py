"""The clinic's own details (name, phones, booking link, hours, locations, practical details) from one config file.

Nothing here is medical. A detail left empty is "not given": the practical answers then tell the patient to call
instead of guessing (clinic_bot/content/practical_answers.py).
"""
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Collection, Dict, List, Optional, Tuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clinic_bot.content.articles import load_articles
from clinic_bot.content.text import one_line
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.paths import CLINIC_CONFIG_FILE

REQUIRED_FIELDS = ("name", "phone", "after_hours_phone", "booking_url", "hours")
# How answers name the required details: the clinic's name is {clinic_name}, beside a location's {location_name}.
REQUIRED_PLACEHOLDERS = {field: "clinic_name" if field == "name" else field for field in REQUIRED_FIELDS}
# Clinic-wide details the practical answers may use; each may be empty.
OPTIONAL_FIELDS = (
    "fax", "email", "languages", "insurance_plans", "referrals", "new_patient_forms_url", "what_to_bring",
    "first_visit_length", "cancellation_notice", "arrive_early", "procedure_day",
    "refill_url", "records_url", "message_form_url",
)
# Each location's details. Without a `locations` list the clinic is one location named after the clinic;
# a location without hours or phone has the clinic's.
LOCATION_FIELDS = ("name", "address", "hours", "phone", "directions", "parking", "accessibility")
# How answers name a location's details, so that {hours} and {phone} keep meaning the front desk's.
LOCATION_PLACEHOLDERS = {"name": "location_name", "address": "address", "hours": "location_hours",
                         "phone": "location_phone", "directions": "directions", "parking": "parking",
                         "accessibility": "accessibility"}
# Values that show the demo defaults are still in place (555-01xx numbers are reserved as fictional).
PLACEHOLDER_MARKERS = ("example", "555) 010-", "555-010-")
# The comment that marks a demo value in clinic.yml: `make validate` warns for each line that still has it.
PLACEHOLDER_COMMENT = re.compile(r"#\s*PLACEHOLDER\b")
# Words of a location's name too common to tell locations apart ("Northside office" is matched by "northside").
GENERIC_NAME_WORDS = {"office", "clinic", "location", "center", "centre", "building", "suite", "the", "pain",
                      "medical", "main", "and", "of", "at", "in", "campus", "site", "branch"}
# A reply to "which location?" is the location's name and little else ("the northside one please"); a message with
# more words ("northside parking?") is a question of its own.
MAX_OTHER_WORDS_OF_A_LOCATION_REPLY = 3
# The Spanish values of the details (an `es:` mapping in clinic.yml, and in a location): keyed by the detail's name
# (hours, directions, parking, ...), used when a Spanish text is filled; a detail without one uses its English value.
SPANISH_KEY = "es"
SPANISH_CLINIC_FIELDS = (*REQUIRED_FIELDS, *OPTIONAL_FIELDS)
SPANISH_LOCATION_FIELDS = LOCATION_FIELDS
# Whether a Spanish-speaking patient is shown translations the clinic's staff have not reviewed yet (default: no,
# they get the English with a line saying so). clinic_bot/content/translations.py decides with it.
SHOW_UNREVIEWED_TRANSLATIONS = "show_unreviewed_translations"
# Each article's address on the clinic's website, keyed by its file as knowledge/articles.yml names it (with its
# title): the title under an answer citing it is then a link. "" (or no entry): no link.
ARTICLE_LINKS = "article_links"


class ClinicConfigError(ValueError):
    """A value of the config that cannot be used, at a known line: `make validate` reports it there."""

    def __init__(self, path: Path, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Location:
    key: str  # a short, stable id: the payload of the "which location?" buttons
    name: str
    address: str = ""
    hours: str = ""
    phone: str = ""
    directions: str = ""
    parking: str = ""
    accessibility: str = ""
    aliases: Tuple[str, ...] = ()
    spanish: Dict[str, str] = field(default_factory=dict, hash=False)  # LOCATION_FIELDS -> Spanish value

    def placeholders(self, language: str = "en") -> Dict[str, str]:
        """The location's details by placeholder; with ``language`` "es" a detail's Spanish value where it has one."""
        spanish = self.spanish if language == SPANISH_KEY else {}
        english = {f: str(getattr(self, f)) for f in LOCATION_FIELDS}
        return {LOCATION_PLACEHOLDERS[f]: (spanish.get(f) or value) if value else value for f, value in english.items()}

    def name_in(self, language: str = "en") -> str:
        """The location's name as a patient of ``language`` reads it."""
        return (self.spanish.get("name") if language == SPANISH_KEY else "") or self.name

    def names(self) -> List[str]:
        """What a patient may call it: the name, its aliases, and each distinctive word of the name."""
        words = [w for w in re.findall(r"[a-z0-9]+", self.name.lower()) if w not in GENERIC_NAME_WORDS and len(w) > 2]
        return [self.name.lower(), *(a.lower() for a in self.aliases), *words]


@dataclass(frozen=True)
class ClinicDetails:
    name: str
    phone: str
    after_hours_phone: str
    booking_url: str
    hours: str
    details: Dict[str, str] = field(default_factory=dict)  # OPTIONAL_FIELDS -> value ("" when not given)
    locations: Tuple[Location, ...] = ()
    spanish: Dict[str, str] = field(default_factory=dict)  # SPANISH_CLINIC_FIELDS -> Spanish value (clinic.yml's es:)
    show_unreviewed_translations: bool = False
    article_links: Dict[str, str] = field(default_factory=dict)  # article file -> https URL (only those with one)

    def placeholders(self, language: str = "en") -> Dict[str, str]:
        """The values answers may use: {clinic_name}, {phone}, {after_hours_phone}, {booking_url}, {hours}, and
        every optional detail ("" when not given); with ``language`` "es" a detail's Spanish value where it has
        one (an empty detail stays empty)."""
        values = {REQUIRED_PLACEHOLDERS[f]: getattr(self, f) for f in REQUIRED_FIELDS}
        english = {**{f: "" for f in OPTIONAL_FIELDS}, **self.details, **values}
        if language != SPANISH_KEY:
            return english
        spanish = {REQUIRED_PLACEHOLDERS.get(f, f): value for f, value in self.spanish.items()}
        return {name: (spanish.get(name) or value) if value else value for name, value in english.items()}

    def fields_still_placeholder(self) -> List[str]:
        """Required fields still holding a demo value (a 555-010x number, an example.* address)."""
        return [f for f in REQUIRED_FIELDS if any(m in getattr(self, f).lower() for m in PLACEHOLDER_MARKERS)]

    def location(self, key: Optional[str]) -> Optional[Location]:
        return next((place for place in self.locations if place.key == key), None)

    def locations_named_in(self, text: str) -> List[Location]:
        """The locations a message names ("the northside one", "downtown office"); several when it is unclear."""
        lowered = " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "
        return [place for place in self.locations
                if any(f" {' '.join(re.findall(r'[a-z0-9]+', name))} " in lowered for name in place.names())]

    def location_reply(self, text: str) -> Optional[Location]:
        """The location a reply to "which location?" names: exactly one, with little else around it; None for a
        message that names none, several, or asks something of its own."""
        named = self.locations_named_in(text)
        if len(named) != 1:
            return None
        name_words = {word for name in named[0].names() for word in name.split()}
        other_words = [word for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in name_words]
        return named[0] if len(other_words) <= MAX_OTHER_WORDS_OF_A_LOCATION_REPLY else None


def location_key(name: str) -> str:
    return "_".join(re.findall(r"[a-z0-9]+", name.lower())) or "location"


def _text(value: Any) -> str:
    return "" if value is None else one_line(str(value))


def _spanish(owner: Any, path: Path, fields: Tuple[str, ...], where: str) -> Dict[str, str]:
    """The Spanish values of ``owner``'s `es:` mapping (only the known ``fields``: `make validate` warns of others);
    raises ValueError when it is not a mapping."""
    raw = owner.get(SPANISH_KEY) if isinstance(owner, dict) else None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}:{line_of(owner, SPANISH_KEY)}: {where}es must map detail names (such as hours or "
                         "parking) to their Spanish values")
    return {str(key): _text(value) for key, value in raw.items() if key in fields and _text(value)}


def _locations(data: Dict[str, Any], path: Path, clinic: Dict[str, str],
               clinic_spanish: Dict[str, str]) -> Tuple[Location, ...]:
    raw = data.get("locations")
    if raw is None:
        spanish = {f: clinic_spanish[f] for f in ("name", "hours", "phone") if f in clinic_spanish}
        return (Location(key=location_key(clinic["name"]), name=clinic["name"], hours=clinic["hours"],
                         phone=clinic["phone"], spanish=spanish),)
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{path}:{line_of(data, 'locations')}: locations must be a list of one or more locations, "
                         "each with a name and an address")
    places: List[Location] = []
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or not _text(entry.get("name")):
            raise ValueError(f"{path}:{line_of(entry) or line_of(data, 'locations')}: location {number} needs a name")
        values = {f: _text(entry.get(f)) for f in LOCATION_FIELDS}
        spanish = _spanish(entry, path, SPANISH_LOCATION_FIELDS, f"location {number}: ")
        for inherited in ("hours", "phone"):  # the front desk's, in Spanish too, unless the location has its own
            if not values[inherited] and inherited not in spanish and inherited in clinic_spanish:
                spanish[inherited] = clinic_spanish[inherited]
            values[inherited] = values[inherited] or clinic[inherited]
        aliases = tuple(_text(a) for a in entry.get("aliases") or [] if _text(a))
        key = _text(entry.get("id")) or location_key(values["name"])
        if any(place.key == key for place in places):
            raise ValueError(f"{path}:{line_of(entry)}: two locations are called '{values['name']}': "
                             "give each its own name (or id)")
        places.append(Location(key=key, aliases=aliases, spanish=spanish, **values))
    return tuple(places)


def _https_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
        host = parts.hostname  # raises for a malformed address, such as an unclosed [
    except ValueError:
        return False
    return parts.scheme == "https" and bool(host) and not any(c.isspace() for c in value)


def _article_links(data: Dict[str, Any], path: Path, known: Collection[str]) -> Dict[str, str]:
    """clinic.yml's article_links: article file -> https URL, the empty ones left out; raises ClinicConfigError (its
    line) for an entry that is not one of the ``known`` articles or a value that is not an https address or ""."""
    raw = data.get(ARTICLE_LINKS)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ClinicConfigError(path, line_of(data, ARTICLE_LINKS), f"{ARTICLE_LINKS} must map article files (as "
                                "knowledge/articles.yml names them) to their https addresses on the clinic's website, "
                                "or \"\"")
    links: Dict[str, str] = {}
    for file, value in raw.items():
        where = line_of(raw, file)
        if str(file) not in known:
            raise ClinicConfigError(path, where, f"{ARTICLE_LINKS}: '{file}' is not an article of "
                                    f"knowledge/articles.yml (known: {', '.join(sorted(known)) or 'none'})")
        url = "" if value is None else str(value).strip()
        if url and not _https_url(url):
            raise ClinicConfigError(path, where, f"{ARTICLE_LINKS}: the link of '{file}' must be an https:// "
                                    f"address (or \"\" for none), not {value!r}")
        if url:
            links[str(file)] = url
    return links


def load_clinic_details(path: Optional[Path] = None, known_articles: Optional[Collection[str]] = None) -> ClinicDetails:
    """Reads the clinic config; raises ValueError naming any missing or empty required field, or a value that cannot
    be used (with its line). ``known_articles``: the article files article_links may name (default: those of
    knowledge/articles.yml)."""
    path = Path(path or CLINIC_CONFIG_FILE)
    data = load_yaml(path) or {}
    missing = [f for f in REQUIRED_FIELDS if not _text(data.get(f))]
    if missing:
        raise ValueError(f"{path}: missing or empty field(s): {', '.join(missing)}")
    required = {f: _text(data[f]) for f in REQUIRED_FIELDS}
    details = {f: _text(data.get(f)) for f in OPTIONAL_FIELDS}
    spanish = _spanish(data, path, SPANISH_CLINIC_FIELDS, "")
    show_unreviewed = data.get(SHOW_UNREVIEWED_TRANSLATIONS, False)
    if not isinstance(show_unreviewed, bool):
        raise ValueError(f"{path}:{line_of(data, SHOW_UNREVIEWED_TRANSLATIONS)}: {SHOW_UNREVIEWED_TRANSLATIONS} "
                         f"must be true or false, not {show_unreviewed!r}")
    links = _article_links(data, path, load_articles() if known_articles is None else known_articles)
    return ClinicDetails(**required, details=details, locations=_locations(data, path, required, spanish),
                         spanish=spanish, show_unreviewed_translations=show_unreviewed, article_links=links)


def placeholder_lines(path: Optional[Path] = None) -> List[Tuple[int, str]]:
    """(line, key) of every value in the config still marked `# PLACEHOLDER` (the demo's values)."""
    path = Path(path or CLINIC_CONFIG_FILE)
    marked = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if PLACEHOLDER_COMMENT.search(line) and ":" in line.split("#", 1)[0]:
            marked.append((number, line.split(":", 1)[0].strip(" -")))
    return marked


def known_config_keys() -> Dict[str, Tuple[str, ...]]:
    """What clinic.yml may hold, for the check that catches a misspelt key ("adress")."""
    return {"clinic": (*REQUIRED_FIELDS, *OPTIONAL_FIELDS, "locations", "retrain_margin_points",
                       SHOW_UNREVIEWED_TRANSLATIONS, SPANISH_KEY, ARTICLE_LINKS, TIME_ZONE_KEY),
            "location": (*LOCATION_FIELDS, "id", "aliases", SPANISH_KEY),
            "clinic_spanish": SPANISH_CLINIC_FIELDS, "location_spanish": SPANISH_LOCATION_FIELDS}


TIME_ZONE_KEY = "time_zone"
DEFAULT_TIME_ZONE = "UTC"


def load_time_zone(path: Optional[Path] = None) -> ZoneInfo:
    """clinic.yml's `time_zone` (an IANA name such as America/Chicago; default UTC): the staff console's insights
    count days and hours of the week in it. Raises ValueError for a name the time zone database does not know."""
    path = Path(path or CLINIC_CONFIG_FILE)
    name = str((load_yaml(path) or {}).get(TIME_ZONE_KEY) or DEFAULT_TIME_ZONE).strip()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"{path}: {TIME_ZONE_KEY} must be a time zone name such as America/Chicago, "
                         f"not {name!r}") from error


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

