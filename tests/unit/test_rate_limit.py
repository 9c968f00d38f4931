"""The webhook's message limits and the client address behind proxies (clinic_bot/server/rate_limit.py)."""
import pytest

from clinic_bot.server.rate_limit import MessageRateLimits, SlidingWindowLimiter, client_address, parse_networks


def test_the_21st_message_in_a_minute_waits_until_the_first_leaves_the_window():
    limiter = SlidingWindowLimiter(20)
    for second in range(20):
        assert limiter.wait_s("a", now=100.0 + second) == 0
        limiter.record("a", now=100.0 + second)
    assert limiter.wait_s("a", now=130.0) == pytest.approx(30.0)  # first message (t=100) leaves at t=160
    assert limiter.wait_s("b", now=130.0) == 0
    assert limiter.wait_s("a", now=160.0) == 0


def test_refused_messages_do_not_count():
    limits = MessageRateLimits(sender_per_minute=2, address_per_minute=100)
    assert [limits.retry_after_s("a", "10.0.0.1", now=t) for t in (0.0, 1.0, 2.0, 3.0)] == [0, 0, 58, 57]
    assert limits.retry_after_s("a", "10.0.0.1", now=60.5) == 0  # the refused ones did not extend the wait


def test_sender_and_address_limits_apply_separately():
    limits = MessageRateLimits(sender_per_minute=2, address_per_minute=3)
    assert limits.retry_after_s("a", "10.0.0.1", now=0) == 0
    assert limits.retry_after_s("a", "10.0.0.1", now=1) == 0
    assert limits.retry_after_s("a", "10.0.0.2", now=2) > 0  # sender a is done, whatever its address
    assert limits.retry_after_s("b", "10.0.0.1", now=3) == 0  # third message of 10.0.0.1
    assert limits.retry_after_s("c", "10.0.0.1", now=4) > 0  # 10.0.0.1 is done, whichever sender
    assert limits.retry_after_s("c", "10.0.0.2", now=5) == 0


def test_idle_keys_are_swept():
    limiter = SlidingWindowLimiter(5)
    for i in range(2000):
        limiter.record(f"sender-{i}", now=float(i))
    assert len(limiter._hits) < 100


def test_a_limit_below_one_is_refused():
    with pytest.raises(ValueError):
        SlidingWindowLimiter(0)


PROXY = parse_networks(["127.0.0.1", "10.0.0.0/8"])


@pytest.mark.parametrize("peer, forwarded_for, expected", [
    ("203.0.113.5", "198.51.100.1", "203.0.113.5"),               # not from our proxy: the header is ignored
    ("127.0.0.1", None, "127.0.0.1"),                             # from our proxy without the header
    ("127.0.0.1", "198.51.100.1", "198.51.100.1"),                # the client as our proxy saw it
    ("127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),       # what the client claimed is ignored
    ("127.0.0.1", "198.51.100.1, 10.1.2.3", "198.51.100.1"),      # through two of our proxies
    ("127.0.0.1", "not-an-address", "127.0.0.1"),
    ("127.0.0.1", "10.1.2.3", "127.0.0.1"),                       # only our own proxies
    ("127.0.0.1", "2001:db8::1", "2001:db8::1"),
])
def test_client_address(peer, forwarded_for, expected):
    assert client_address(peer, forwarded_for, PROXY) == expected


def test_forwarded_for_is_never_trusted_without_a_proxy_setting():
    assert client_address("127.0.0.1", "198.51.100.1", parse_networks([])) == "127.0.0.1"


def test_a_bad_proxy_entry_is_named():
    with pytest.raises(ValueError, match="proxy.example"):
        parse_networks(["proxy.example"])
