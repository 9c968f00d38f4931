"""`rasa test core --stories tests/stories`: every test story must pass; the full report is kept in results/."""
import os
import subprocess
import sys

import yaml

from clinic_bot.paths import REPO_ROOT
from tests.conftest import FIGURES

RESULTS = REPO_ROOT / "results" / "stories"


def test_all_test_stories_pass(model_path):
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(REPO_ROOT)}
    # No --fail-on-prediction-errors: it stops at the first error and writes no report. We read the report.
    run = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--stories", str(REPO_ROOT / "tests" / "stories"),
         "--model", str(model_path), "--out", str(RESULTS), "--no-plot"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=1200,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    failed = yaml.safe_load((RESULTS / "failed_test_stories.yml").read_text()) or {}
    stories = yaml.safe_load(next((REPO_ROOT / "tests" / "stories").glob("*.yml")).read_text())["stories"]
    FIGURES["test stories"] = (f"{len(stories) - len(failed.get('stories') or [])}/{len(stories)} passed "
                               f"(report: {RESULTS})")
    assert not failed.get("stories"), (RESULTS / "failed_test_stories.yml").read_text()
