"""Where the project's files are, independent of the working directory."""
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = REPO_ROOT / "knowledge"
ANSWERS_FILE = KNOWLEDGE_DIR / "answers.yml"
MESSAGES_FILE = KNOWLEDGE_DIR / "messages.yml"
RED_FLAGS_FILE = KNOWLEDGE_DIR / "red_flags.yml"
SOURCES_DIR = KNOWLEDGE_DIR / "sources"
ENTITY_PATTERNS_FILE = REPO_ROOT / "spacy_pipeline" / "entity_patterns.yml"
NLU_DIR = REPO_ROOT / "data" / "nlu"
DOMAIN_FILE = REPO_ROOT / "domain.yml"
HOLDOUT_FILE = REPO_ROOT / "tests" / "nlu" / "holdout.yml"

# A deployment points these at its own files without editing the repo.
CLINIC_CONFIG_FILE = Path(os.environ.get("CLINIC_CONFIG", REPO_ROOT / "clinic.yml"))
