"""The clinic's articles (knowledge/articles.yml) and the line under an answer that says where it comes from.

The files of knowledge/sources/ are the articles as received, never edited, and some start with the website's menu
("S Blogs", "GET STARTED TODAY!"), so their titles, in English and Spanish, are kept in one registry beside them,
keyed by file name. It is the list of the clinic's articles: clinic.yml may give each one's address on the clinic's
website (``article_links``, clinic_config.py).

``source_line`` builds what a reply's marker carries for the widget (its "source_line"): for a curated answer the
titles of the articles it cites, in the reply's language, each with its link when clinic.yml has one, and when the
text shown was last reviewed; for a practical answer only that it comes from the clinic's own details. The widget
words it (widget/strings/) and invents nothing: a marker without one shows no line.
"""
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Sequence, Tuple

from clinic_bot import paths
from clinic_bot.content.text import one_line
from clinic_bot.content.yaml_lines import load_yaml
from clinic_bot.languages import ENGLISH, SPANISH

SOURCE_LINE = "source_line"  # the marker's key
CLINIC_DETAILS = "clinic_details"  # source_line of a practical answer: {"clinic_details": true}

CitedArticle = Tuple[str, str]  # (title, its link on the clinic's website or "")


@dataclass(frozen=True)
class Article:
    file: str
    title: str
    title_es: str = ""

    def title_in(self, language: str) -> str:
        """The title a reply in ``language`` shows: the Spanish one for Spanish where the registry has it."""
        return (self.title_es if language == SPANISH else "") or self.title


def _flat(value: Any) -> str:
    return "" if value is None else one_line(str(value))


def parse_articles(data: Any) -> Dict[str, Article]:
    """file name -> Article from the parsed knowledge/articles.yml, tolerating gaps (`make validate` reports them):
    a title missing is ""."""
    raw = data.get("articles") if isinstance(data, dict) else None
    articles: Dict[str, Article] = {}
    for file, entry in raw.items() if isinstance(raw, dict) else ():
        entry = entry if isinstance(entry, dict) else {}
        spanish = entry.get(SPANISH) if isinstance(entry.get(SPANISH), dict) else {}
        articles[str(file)] = Article(str(file), _flat(entry.get("title")), _flat(spanish.get("title")))
    return articles


def load_articles(file: Path = paths.ARTICLES_FILE) -> Dict[str, Article]:
    """The registry; {} when the file is missing (a knowledge folder from before it still serves its answers,
    without the line under them; `make validate` reports it)."""
    return parse_articles(load_yaml(file)) if Path(file).exists() else {}


def cited_articles(files: Iterable[str], articles: Mapping[str, Article], links: Mapping[str, str],
                   language: str) -> List[CitedArticle]:
    """The articles named by ``files`` (an answer's sources, in order), each title once, in ``language``, with its
    link from ``links`` (clinic.yml's article_links; "" for none). A file the registry lacks, or has no title for,
    is left out: the line never shows a file name, and `make validate` reports the gap."""
    cited: Dict[str, str] = {}
    for file in dict.fromkeys(files):
        title = articles[file].title_in(language) if file in articles else ""
        if title:
            cited.setdefault(title, links.get(file, ""))
    return list(cited.items())


def _is_iso_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def source_line(articles: Sequence[CitedArticle] = (), reviewed: str = "", reviewed_language: str = ENGLISH,
                clinic_details: bool = False) -> Dict[str, Any]:
    """The marker's "source_line", for both kinds of answer. A practical one (``clinic_details``):
    {"clinic_details": true}. A curated one: {"articles": [{"title", "url" (only when there is one)}], "reviewed":
    "YYYY-MM-DD", "reviewed_language": "en" | "es"}: the date the text shown was last reviewed and the language of
    the text that date is for (a Spanish reply whose translation is not reviewed gives its English's date); without
    a valid date, neither key."""
    if clinic_details:
        return {CLINIC_DETAILS: True}
    line: Dict[str, Any] = {"articles": [{"title": title, **({"url": url} if url else {})}
                                         for title, url in articles]}
    if _is_iso_date(reviewed):
        line.update(reviewed=reviewed, reviewed_language=reviewed_language)
    return line
