"""Builds the project's spaCy pipeline and installs it into the venv as the package ``en_clinic_pipeline``.

No pretrained model can be downloaded, so the pipeline is made here from files in the repo:
blank English tokenizer + lookup lemmatizer (tables from spacy-lookups-data) + an entity ruler
with the variants patients use (entity_patterns.yml). Installed as a package, ``spacy.load`` finds it
by name from any working directory, which is how Rasa's SpacyNLP loads it (config.yml).
Run through ``make setup``; rerun whenever entity_patterns.yml changes.
"""
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, cast

import spacy
import yaml
from spacy.cli.package import package
from spacy.pipeline import EntityRuler

HERE = Path(__file__).resolve().parent
PATTERNS_FILE = HERE / "entity_patterns.yml"
NAME = "clinic_pipeline"  # spaCy prefixes the language: the package is en_clinic_pipeline
VERSION = "1.0.0"


def ruler_patterns(path: Path = PATTERNS_FILE) -> List[Dict[str, Any]]:
    """entity_patterns.yml -> EntityRuler patterns whose id is the canonical value."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        {"label": label, "pattern": phrase.lower(), "id": value}
        for label, values in data.items()
        for value, phrases in (values or {}).items()
        for phrase in phrases or []
    ]


def build_pipeline(patterns_file: Path = PATTERNS_FILE) -> "spacy.language.Language":
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
    nlp.initialize()  # loads the lemma tables; also empties the ruler, so patterns come after
    ruler = cast(EntityRuler, nlp.get_pipe("entity_ruler"))  # what add_pipe("entity_ruler") made above
    ruler.add_patterns(ruler_patterns(patterns_file))
    nlp.meta.update({"name": NAME, "version": VERSION, "description": "Clinic assistant: lemmas + entity ruler"})
    return nlp


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        model_dir, dist_dir = Path(tmp) / "model", Path(tmp) / "dist"
        build_pipeline().to_disk(model_dir)
        dist_dir.mkdir()
        # The function, not `python -m spacy package`: spaCy 3.4's CLI breaks with the pinned click.
        package(model_dir, dist_dir, create_sdist=False, force=True, silent=True)
        package_dir = next(dist_dir.iterdir())
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
             "--force-reinstall", str(package_dir)],
            check=True,
        )
    print(f"spaCy pipeline installed as en_{NAME} {VERSION} ({len(ruler_patterns())} entity patterns)")


if __name__ == "__main__":
    main()
