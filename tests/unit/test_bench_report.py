"""`make bench`'s judgement and report (bench/targets.py, bench/load.py, bench/report.py) on given figures:
what is met, how other work on the machine is told apart, and the before/after table."""
from typing import Any, Dict

from bench.load import other_work_share
from bench.report import _before_after
from bench.targets import check


def verdict(results: Dict[str, Any], figure: str) -> Any:
    return next(row["met"] for row in check(results) if row["figure"] == figure)


def test_memory_is_judged_in_megabytes_as_the_goal_is_written():
    memory = "Rasa server resident memory after load"
    assert verdict({"footprint": {"rss_rasa_mib_after_load": 760.0}}, memory) is True  # 797 MB
    assert verdict({"footprint": {"rss_rasa_mib_after_load": 780.0}}, memory) is False  # 818 MB
    assert verdict({}, memory) is None  # not measured is not a pass


def test_other_work_is_what_neither_the_servers_nor_the_client_used():
    used = {"machine": 10.0, "rasa": 6.0, "actions": 1.0, "client": 1.0}
    assert other_work_share(used, seconds=5.0, cores=2) == 0.2
    assert other_work_share({**used, "machine": 7.5}, seconds=5.0, cores=2) == 0.0
    assert other_work_share({"rasa": 1.0}, seconds=5.0, cores=2) is None


def test_before_and_after_sit_side_by_side():
    def part(p95: float, rss: float) -> Dict[str, Any]:
        return {"footprint": {"rss_rasa_mib_after_load": rss, "start_to_first_answer_s": 9.0},
                "load": {"levels": [{"patients": 8, "p50_ms": 50.0, "p95_ms": p95, "messages_per_s": 40.0,
                                     "cpu_ms_per_message_rasa": 12.0}],
                         "long_conversation": {"ratio_last_to_2": 1.2}}}
    table = "\n".join(_before_after({**part(120.0, 780.0), "baseline": part(700.0, 830.0)}))
    assert "| 8 patient(s): p50 / p95 ms | 50.0 / 700.0 | 50.0 / 120.0 |" in table
    assert "| Rasa server resident memory after the load | 830 MiB | 780 MiB |" in table
    assert _before_after(part(120.0, 780.0)) == ["Not measured in this run (`--no-baseline`, or the load was skipped)."]
