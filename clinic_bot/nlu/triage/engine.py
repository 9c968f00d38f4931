"""The triage as one object: the lexicons and the classifier, ready to judge a message. What the Rasa
component carries inside the model, and what the tuning tool, the benchmark and the tests call."""
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from clinic_bot.nlu.triage.conversation import CheckInAnswers
from clinic_bot.nlu.triage.data import LabelledMessage
from clinic_bot.nlu.triage.decision import Framing, Thresholds, TriageDecision, decide
from clinic_bot.nlu.triage.learned import TriageClassifier
from clinic_bot.nlu.triage.rules import Finding, RedFlagRules
from clinic_bot.nlu.triage.text import Tokens, language, tokenize

LEXICON_FILE = "lexicon.json"


@dataclass
class Triage:
    lexicon: Dict[str, Any]  # {"red_flags": ..., "context": ...}, as parsed from the YAML files
    classifier: TriageClassifier
    thresholds: Thresholds

    def __post_init__(self) -> None:
        self.rules = RedFlagRules.from_config(self.lexicon["red_flags"], self.lexicon["context"])
        self.check_in_answers = CheckInAnswers.from_config(self.lexicon["context"])

    @classmethod
    def train(cls, lexicon: Dict[str, Any], messages: Sequence[LabelledMessage], c: float,
              thresholds: Thresholds) -> "Triage":
        rules = RedFlagRules.from_config(lexicon["red_flags"], lexicon["context"])
        views = [rules.classifier_view(tokenize(m.text)) for m in messages]
        return cls(lexicon, TriageClassifier.train(views, [m.label for m in messages], c), thresholds)

    def findings(self, text: str) -> List[Finding]:
        return self.rules.findings(tokenize(text))

    def judge(self, text: str, framing: Framing = Framing()) -> TriageDecision:
        return self.judge_all([text], [framing])[0]

    def judge_all(self, texts: Sequence[str], framings: Optional[Sequence[Framing]] = None) -> List[TriageDecision]:
        """One decision per text (framed by the conversation, when given); the classifier runs once over all."""
        return self.judge_tokens([tokenize(text) for text in texts], framings)

    def judge_tokens(self, tokens: Sequence[Tokens],
                     framings: Optional[Sequence[Framing]] = None) -> List[TriageDecision]:
        """``judge_all`` for messages already tokenized (the Rasa component reads the tokens for its framing too)."""
        analyses = [self.rules.analyse(t) for t in tokens]
        all_probabilities = self.classifier.probabilities([view for _, view in analyses])
        framings = framings or [Framing()] * len(tokens)
        return [decide(findings, probabilities, language(t), self.thresholds, framing)
                for t, (findings, _), probabilities, framing in zip(tokens, analyses, all_probabilities, framings)]

    def save(self, directory: Path) -> None:
        (directory / LEXICON_FILE).write_text(json.dumps(self.lexicon, ensure_ascii=False), encoding="utf-8")
        self.classifier.save(directory)

    @classmethod
    def load(cls, directory: Path, thresholds: Thresholds) -> "Triage":
        lexicon = json.loads((directory / LEXICON_FILE).read_text(encoding="utf-8"))
        return cls(lexicon, TriageClassifier.load(directory), thresholds)


def load_from_model(archive: Path, thresholds: Thresholds) -> Triage:
    """The triage stored in a trained model archive (models/clinic.tar.gz), for tools that time or inspect it
    without Rasa: the component's resource directory is the one named after TriageGate."""
    import tarfile
    import tempfile

    with tempfile.TemporaryDirectory() as unpacked:
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if "TriageGate" in m.name and not m.issym() and not m.islnk()]
            tar.extractall(unpacked, members=members)  # noqa: S202 - our own model archive, these members only
        directory = next(p for p in Path(unpacked).rglob(LEXICON_FILE)).parent
        return Triage.load(directory, thresholds)


def plain(data: Any) -> Any:
    """YAML as plain JSON-able data (the loader's line-numbered mappings become dicts)."""
    if isinstance(data, Mapping):
        return {str(k): plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data
