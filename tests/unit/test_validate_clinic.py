"""`make validate`'s checks of clinic.yml (the clinic's details), on copies in tmp_path; those of the practical
answers are in test_validate_practical.py."""
import yaml

from clinic_bot import paths
from clinic_bot.content.clinic_config import PLACEHOLDER_COMMENT
from clinic_bot.tools.validate_clinic import check_clinic
from tests.unit.test_practical_answers import REQUIRED_ONLY


def test_every_demo_value_marked_placeholder_is_warned_with_its_line():
    lines = paths.CLINIC_CONFIG_FILE.read_text().splitlines()
    marked = [n for n, line in enumerate(lines, start=1) if PLACEHOLDER_COMMENT.search(line)]
    problems = check_clinic(paths.CLINIC_CONFIG_FILE)
    placeholder_codes = ("demo_placeholder", "demo_placeholder_optional")
    assert marked and {p.line for p in problems if p.code in placeholder_codes} == set(marked)
    assert all(p.level == "warning" for p in problems)


def test_a_filled_config_has_no_warning(tmp_path):
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(yaml.safe_dump({**REQUIRED_ONLY, "locations": [{"name": "Main", "address": "1 Oak St"}]}))
    assert check_clinic(clinic) == []


def test_a_misspelt_detail_and_a_location_without_address_are_warned(tmp_path):
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(yaml.safe_dump({**REQUIRED_ONLY, "adress": "1 Oak St", "locations": [{"name": "Main"}]}))
    problems = check_clinic(clinic)
    assert ("unknown_clinic_detail", "adress") in [(p.code, p.values.get("key")) for p in problems]
    assert ("location_without_address", "Main") in [(p.code, p.values.get("location")) for p in problems]
    assert all(p.level == "warning" for p in problems)


def test_a_missing_required_detail_is_an_error(tmp_path):
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(yaml.safe_dump({k: v for k, v in REQUIRED_ONLY.items() if k != "phone"}))
    [problem] = check_clinic(clinic)
    assert problem.level == "error" and problem.code == "clinic_unreadable" and "phone" in problem.values["error"]
