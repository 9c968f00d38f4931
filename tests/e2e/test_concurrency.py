"""50 patients at once, 5 turns each, each asking different things, through the real servers: every
request answered, and every conversation in the tracker store holds exactly its own messages."""
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Tuple

from clinic_bot.content.nlu_data import read_examples
from clinic_bot.paths import NLU_DIR
from clinic_bot.store.privacy import conversation_events
from tests.conftest import FIGURES
from tests.e2e.conftest import answers, post

CONVERSATIONS = 50
TURNS = 5


def questions() -> List[List[str]]:
    """A distinct set of FAQ questions for every conversation (distinct texts show any cross-talk)."""
    texts = sorted({example.text for example in read_examples(NLU_DIR / "faq.yml")})
    random.Random(6).shuffle(texts)
    assert len(texts) >= CONVERSATIONS * TURNS
    return [texts[i * TURNS:(i + 1) * TURNS] for i in range(CONVERSATIONS)]


def converse(url: str, sender: str, texts: List[str]) -> List[Tuple[int, Any]]:
    return [post(url, {"sender": sender, "message": text}, timeout=180) for text in texts]


def test_fifty_concurrent_conversations_without_errors_or_cross_talk(servers):
    plans = {f"load-{i:02d}-{uuid.uuid4().hex[:8]}": texts for i, texts in enumerate(questions())}
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        futures = {sender: pool.submit(converse, servers.webhook_url, sender, texts) for sender, texts in plans.items()}
        results: Dict[str, List[Tuple[int, Any]]] = {sender: future.result() for sender, future in futures.items()}
    elapsed = time.monotonic() - started

    errors = [(sender, status, body) for sender, turns in results.items() for status, body in turns
              if status != 200 or not answers(body) or "unavailable" in answers(body)]
    assert errors == []
    for sender, turns in results.items():
        received = [message for _, messages in turns for message in messages]
        assert {message["recipient_id"] for message in received} == {sender}
        events = conversation_events(servers.tracker_db, sender)
        assert [e["text"] for e in events if e["event"] == "user"] == plans[sender]
        assert [e.get("text") for e in events if e["event"] == "bot"] == [m.get("text") for m in received]
    FIGURES["concurrent conversations"] = (f"{CONVERSATIONS} x {TURNS} turns: {CONVERSATIONS * TURNS} replies, "
                                           f"0 errors, {elapsed:.0f} s wall")
