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


def test_the_spanish_details_and_the_setting_are_known_keys_and_misspelt_spanish_ones_are_warned(tmp_path):
    clinic = tmp_path / "clinic.yml"
    config = {**REQUIRED_ONLY, "show_unreviewed_translations": False, "es": {"hours": "de 9 a 5", "horas": "x"},
              "locations": [{"name": "Main", "address": "1 Oak St", "es": {"parking": "Gratis", "parkin": "x"}}]}
    clinic.write_text(yaml.safe_dump(config, allow_unicode=True))
    problems = check_clinic(clinic)
    assert [(p.code, p.level, p.values.get("key"), p.values.get("location")) for p in problems] == [
        ("unknown_spanish_detail", "warning", "horas", None),
        ("unknown_location_spanish_detail", "warning", "parkin", "Main")]


def test_the_translations_setting_is_true_or_false(tmp_path):
    clinic = tmp_path / "clinic.yml"
    clinic.write_text(yaml.safe_dump({**REQUIRED_ONLY, "show_unreviewed_translations": "sometimes"}))
    [problem] = check_clinic(clinic)
    assert problem.code == "clinic_unreadable" and "show_unreviewed_translations" in problem.values["error"]
    clinic.write_text(yaml.safe_dump({**REQUIRED_ONLY, "es": ["hours"]}))
    [problem] = check_clinic(clinic)
    assert problem.code == "clinic_unreadable" and "es" in problem.values["error"]


def test_the_demo_clinic_shows_unreviewed_translations_and_has_spanish_details():
    from clinic_bot.content.clinic_config import load_clinic_details

    details = load_clinic_details(paths.CLINIC_CONFIG_FILE)
    assert details.show_unreviewed_translations is True
    assert details.spanish and details.locations[0].spanish
