"""Every test target of the Makefile runs its part (a target without a recipe would do nothing and exit 0)."""
import re
import subprocess

import pytest

from clinic_bot.paths import REPO_ROOT

# target -> what its dry run must show
EXPECTED = {
    "test-unit": "pytest tests/unit",
    "test-model": "pytest tests/model",
    "test-stories": "pytest tests/model/test_stories.py",
    "test-e2e": "pytest tests/e2e",
    "test-browser": "pytest tests/browser",
    "test-scaled": "pytest tests/scaled",
    "run-scaled": "clinic_bot.launcher.scaled",
    "services": "scripts/install_services.sh",
    "lint": "ruff check",
    "types": "mypy",
    "validate": "clinic_bot.tools.validate",
    "test-staff": "pytest tests/staff",
    "staff": "-m clinic_bot.staff",
    "staff-user NAME=maria": "clinic_bot.staff.accounts \"$NAME\"",
}


def dry_run(target: str) -> str:
    done = subprocess.run(["make", "--no-print-directory", "-n", *target.split()], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("target", sorted(EXPECTED))
def test_each_target_runs_its_part(target):
    assert EXPECTED[target] in dry_run(target)


def test_make_test_runs_lint_types_and_every_test_folder():
    commands = dry_run("test")
    assert "ruff check" in commands and "mypy" in commands and "clinic_bot.tools.validate" in commands
    assert re.search(r"-m pytest\s*$", commands, re.MULTILINE)  # pytest.ini's testpaths: every folder


def test_every_phony_target_is_defined():
    makefile = (REPO_ROOT / "Makefile").read_text()
    phony = {name for line in re.findall(r"^\.PHONY:(.*)$", makefile, re.MULTILINE) for name in line.split()}
    defined = set(re.findall(r"^([a-z0-9-]+):", makefile, re.MULTILINE))
    assert phony - defined == set()


def test_profile_scaled_reads_the_url_file_the_scaled_launcher_writes():
    from clinic_bot.paths import SCALED_DIR, SCALED_TRACKER_DB_FILE_NAME

    written = (SCALED_DIR / SCALED_TRACKER_DB_FILE_NAME).relative_to(REPO_ROOT)
    assert f"cat {written} " in (REPO_ROOT / "Makefile").read_text()
