"""Where the project's files are, independent of the working directory."""
import os
from pathlib import Path
from typing import Union

from clinic_bot.store.database import is_server_url

REPO_ROOT = Path(__file__).resolve().parent.parent
# The answers, messages, triage lexicons and seed articles; a deployment (or the test that edits every
# message in a copy) may point CLINIC_KNOWLEDGE_DIR at its own copy.
KNOWLEDGE_DIR = Path(os.environ.get("CLINIC_KNOWLEDGE_DIR", REPO_ROOT / "knowledge"))
ANSWERS_FILE = KNOWLEDGE_DIR / "answers.yml"
MESSAGES_FILE = KNOWLEDGE_DIR / "messages.yml"
PRACTICAL_ANSWERS_FILE = KNOWLEDGE_DIR / "practical_answers.yml"  # the practical answers, filled from clinic.yml
# The clinic's articles (the files of SOURCES_DIR): each one's title in English and Spanish, shown under an answer.
ARTICLES_FILE = KNOWLEDGE_DIR / "articles.yml"
TRIAGE_LEXICON_DIR = KNOWLEDGE_DIR / "triage"
RED_FLAGS_FILE = TRIAGE_LEXICON_DIR / "red_flags.yml"
CONTEXT_TRIGGERS_FILE = TRIAGE_LEXICON_DIR / "context.yml"
TRIAGE_TRAINING_DIR = REPO_ROOT / "data" / "triage"
TRIAGE_TEST_DIR = REPO_ROOT / "tests" / "triage"
# The sets thresholds are chosen on (`make triage-tune`); the development sets (dev_*.jsonl) only measure.
TRIAGE_TUNING_FILES = sorted(TRIAGE_TEST_DIR.glob("tuning*.jsonl"))
SOURCES_DIR = KNOWLEDGE_DIR / "sources"
ENTITY_PATTERNS_FILE = REPO_ROOT / "spacy_pipeline" / "entity_patterns.yml"
NLU_DIR = REPO_ROOT / "data" / "nlu"
DOMAIN_FILE = REPO_ROOT / "domain.yml"
CONFIG_FILE = REPO_ROOT / "config.yml"  # the NLU pipeline and policies
ENDPOINTS_FILE = REPO_ROOT / "endpoints.yml"
SCALED_ENDPOINTS_FILE = REPO_ROOT / "endpoints.scaled.yml"  # `make run-scaled`: Redis, PostgreSQL, N Rasa servers
CREDENTIALS_FILE = REPO_ROOT / "credentials.yml"
MODEL_FILE = REPO_ROOT / "models" / "clinic.tar.gz"  # what `make train` writes (Makefile's MODEL)
LOG_DIR = REPO_ROOT / "var" / "log"
SCALED_DIR = REPO_ROOT / "var" / "scaled"  # the scaled profile's PostgreSQL and Redis data, logs, proxy config
SCALED_TRACKER_DB_FILE_NAME = "tracker_db.url"  # in the profile's folder: its store's URL, for PROFILE=scaled
NLU_TEST_DIR = REPO_ROOT / "tests" / "nlu"
HOLDOUT_FILE = NLU_TEST_DIR / "holdout.yml"  # never used for tuning: the figure the README quotes
SPANISH_HOLDOUT_FILE = NLU_TEST_DIR / "holdout_es.yml"  # the same, in Spanish
DEV_NLU_FILES = (NLU_TEST_DIR / "dev_patients.yml", NLU_TEST_DIR / "dev_first_holdout.yml",  # for tuning
                 NLU_TEST_DIR / "dev_logistics.yml", NLU_TEST_DIR / "dev_logistics_first_holdout.yml",
                 NLU_TEST_DIR / "dev_es.yml")
# The language of every message of the hold-outs and development sets, read by a bilingual annotator ("en", "es",
# or "either" when a reader cannot tell): the language detector's figures.
MESSAGE_LANGUAGES_FILE = NLU_TEST_DIR / "message_languages.jsonl"
OFF_TOPIC_FILE = NLU_TEST_DIR / "off_topic.yml"
PROCEDURE_FORMS_FILE = NLU_TEST_DIR / "procedure_forms.yml"

# A deployment points these at its own files without editing the repo.
CLINIC_CONFIG_FILE = Path(os.environ.get("CLINIC_CONFIG", REPO_ROOT / "clinic.yml"))
# The conversations (clinic_bot/store/events.py): the store, `make review`, `make purge`, `make forget`.
# A file, or a postgresql:// URL (the scaled profile; kept a string: Path would fold its "//").
_TRACKER_DB = os.environ.get("TRACKER_DB", "")
TRACKER_DB: Union[str, Path] = (_TRACKER_DB if is_server_url(_TRACKER_DB)
                                else Path(_TRACKER_DB or REPO_ROOT / "var" / "conversations.db"))
# A deployment adds its reverse proxy's addresses (comma-separated) to the channel's trusted_proxies here,
# without editing credentials.yml: `make run-scaled` and deploy/docker-compose.yml set it for their nginx.
TRUSTED_PROXIES_ENV = "TRUSTED_PROXIES"

# The staff console (clinic_bot/staff, `make staff`): accounts, audit log, review state, retrain work; git-ignored.
STAFF_DIR = Path(os.environ.get("STAFF_DIR", REPO_ROOT / "var" / "staff"))
STAFF_ACCOUNTS_FILE = STAFF_DIR / "accounts.json"
STAFF_AUDIT_FILE = STAFF_DIR / "audit.jsonl"
# The secret the console sends a Rasa server with "load the model file again" (clinic_bot/server/model_reload.py);
# read by the server at each request. MODEL_RELOAD_TOKEN_FILE points a server (a test's) at another file.
MODEL_RELOAD_TOKEN_FILE = Path(os.environ.get("MODEL_RELOAD_TOKEN_FILE", STAFF_DIR / "model_reload.token"))
# That request's path on each Rasa server (the channel's blueprint, mounted by Rasa at /webhooks/rest/); the proxy
# in front of the scaled profile answers 404 for it (clinic_bot/launcher/proxy.py).
MODEL_RELOAD_PATH = "/webhooks/rest/model/reload"
# The Rasa servers a launcher (make run, make run-scaled) has running now: what the console's switch reloads.
RUNNING_SERVERS_FILE = REPO_ROOT / "var" / "run" / "rasa_servers.json"
PREVIOUS_MODEL_FILE = MODEL_FILE.with_name("previous.tar.gz")  # the model the last switch replaced
