"""Every kind of non-public address is refused, in each form it can be written; public ones pass."""

from __future__ import annotations

import pytest

from quotebot.retrieval.web.addresses import parse_address, refusal


@pytest.mark.parametrize(
    "address, reason",
    [
        ("127.0.0.1", "a loopback address"),
        ("127.8.9.10", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.9", "a private address"),
        ("192.168.1.1", "a private address"),
        ("fd12:3456::1", "a private address"),
        ("169.254.1.1", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("224.0.0.251", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("::", "an unspecified address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("100.100.100.200", "a cloud metadata address"),
        ("100.64.0.1", "a reserved (non-public) address"),
        ("192.0.2.10", "a private address"),
        ("240.0.0.1", "a private address"),
        # IPv6 forms that carry an IPv4 address.
        ("::ffff:127.0.0.1", "a loopback address"),
        ("::ffff:169.254.169.254", "a cloud metadata address"),
        ("::ffff:10.0.0.1", "a private address"),
        ("2002:7f00:1::", "a loopback address"),  # 6to4 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "a cloud metadata address"),  # NAT64 of 169.254.169.254
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "a private address"),  # Teredo, client 10.0.0.1
    ],
)
def test_non_public_addresses_are_refused_with_their_kind(address, reason):
    parsed = parse_address(address)
    assert parsed is not None
    assert refusal(parsed) == reason


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.215.14"])
def test_public_addresses_pass(address):
    assert refusal(parse_address(address)) is None


@pytest.mark.parametrize("text, expected", [("[::1]", "::1"), ("fe80::1%eth0", "fe80::1"), ("example.org", None)])
def test_addresses_are_read_as_hosts_write_them(text, expected):
    parsed = parse_address(text)
    assert (str(parsed) if parsed else None) == expected
