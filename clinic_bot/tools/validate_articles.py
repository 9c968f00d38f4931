"""`make validate`'s checks of the article registry (knowledge/articles.yml): each entry is an article of
knowledge/sources/ with its English and Spanish titles, and every article an answer cites has an entry, so that the
line under every curated answer can name it in both languages. The links of clinic.yml's article_links are checked
where clinic.yml is read (clinic_config.py; validate_clinic.py reports them)."""
from pathlib import Path
from typing import Any, Dict, List, Optional

from clinic_bot import paths
from clinic_bot.content.knowledge import VARIANT_KINDS
from clinic_bot.content.translations import TRANSLATION_KEY
from clinic_bot.content.yaml_lines import line_of, load_yaml
from clinic_bot.tools.problem_messages import LIST_SEPARATOR
from clinic_bot.tools.problems import ERROR, Problem

ARTICLE_PATTERN = "*.txt"  # the articles of knowledge/sources/ (beside them, SHA256SUMS is not one)


def article_files(folder: Path = paths.SOURCES_DIR) -> List[str]:
    """The names of the clinic's articles: the files of knowledge/sources/ an answer may cite, sorted."""
    return sorted(path.name for path in Path(folder).glob(ARTICLE_PATTERN) if path.is_file())


def _sources_of(entry: Any) -> List[Any]:
    """The sources of an answer and of each of its variants, as the file has them."""
    if not isinstance(entry, dict):
        return []
    owners = [entry] + [variant for kind in VARIANT_KINDS if isinstance(entry.get(f"by_{kind}"), dict)
                        for variant in entry[f"by_{kind}"].values() if isinstance(variant, dict)]
    return [source for owner in owners if isinstance(owner.get("sources"), list) for source in owner["sources"]]


def cited_files(answers_file: Path) -> Dict[str, int]:
    """Each article file the answers (and their variants) cite -> the line of its first citation."""
    answers = (load_yaml(answers_file) or {}).get("answers") or {}
    cited: Dict[str, int] = {}
    for entry in answers.values() if isinstance(answers, dict) else ():
        for source in _sources_of(entry):
            if isinstance(source, dict) and source.get("file"):
                cited.setdefault(str(source["file"]), line_of(source))
    return cited


def _entry_problems(file: Path, name: str, entry: Any, line: int, known: List[str]) -> List[Problem]:
    """One entry of the registry: an article of knowledge/sources/, with a title and a Spanish title."""
    if name not in known:
        return [Problem(file, line, ERROR, "article_unknown_file",
                        {"file": name, "known": LIST_SEPARATOR.join(known)})]
    if not isinstance(entry, dict):
        return [Problem(file, line, ERROR, "article_not_mapping", {"file": name})]
    problems = []
    if not str(entry.get("title") or "").strip():
        problems.append(Problem(file, line, ERROR, "article_without_title", {"file": name}))
    spanish = entry.get(TRANSLATION_KEY)
    if not isinstance(spanish, dict) or not str(spanish.get("title") or "").strip():
        where = line_of(entry, TRANSLATION_KEY) if TRANSLATION_KEY in entry else line
        problems.append(Problem(file, where, ERROR, "article_without_spanish_title", {"file": name}))
    return problems


def check_articles(file: Path = paths.ARTICLES_FILE, answers_file: Path = paths.ANSWERS_FILE,
                   known: Optional[List[str]] = None) -> List[Problem]:
    """Every entry of the registry, and an entry for every article an answer cites (``known``: the article files,
    default those of knowledge/sources/)."""
    known = article_files() if known is None else known
    data = load_yaml(file) or {}
    articles = data.get("articles") if isinstance(data, dict) else None
    if not isinstance(articles, dict):
        return [Problem(file, line_of(data, "articles"), ERROR, "articles_not_mapping")]
    problems = []
    for name, entry in articles.items():
        problems += _entry_problems(file, str(name), entry, line_of(articles, name), known)
    for name, line in cited_files(answers_file).items():
        if name not in articles and name in known:  # an unknown file is the answers' check's (unknown_source_file)
            problems.append(Problem(file, line_of(data, "articles"), ERROR, "article_not_registered",
                                    {"file": name, "cited_at": f"{answers_file.name}:{line}"}))
    return problems
