"""Reading addresses (clinic_bot/net.py): the one loopback check, which the model reload's "this machine only"
uses (clinic_bot/server/model_reload.py), and the address parser of the rate limits' client address."""
import ipaddress

import pytest

from clinic_bot.net import ip_of, is_loopback


@pytest.mark.parametrize("address", ["127.0.0.1", "127.5.6.7", "::1", "::1%lo", "::ffff:127.0.0.1",
                                     "::ffff:127.0.0.1%eth0", "127.0.0.1%lo"])
def test_loopback_addresses(address):
    assert is_loopback(address)


@pytest.mark.parametrize("address", ["", "10.0.0.5", "0.0.0.0", "::", "::ffff:10.0.0.1", "2001:db8::1", "fe80::1%lo",
                                     "localhost", "127.0.0.1.example.org", "not an address"])
def test_anything_else_is_not_loopback(address):
    """A host name is not an address: "localhost" included (the caller that accepts names decides)."""
    assert not is_loopback(address)


def test_ip_of_reads_an_address_or_nothing():
    assert ip_of(" 198.51.100.1 ") == ipaddress.ip_address("198.51.100.1")
    assert ip_of("2001:db8::1") == ipaddress.ip_address("2001:db8::1")
    assert ip_of("not-an-address") is None and ip_of("") is None
