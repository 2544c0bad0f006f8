"""Numbers and names read as what they are: a matter number led by its year is no
phone; a field read as ``.key`` is no key file; a name that ends in its verb
(``orders_hold_bulk``) says what it does. Each neighbour that is what it looks like is
still held."""

from __future__ import annotations

import json
from typing import Any

from tests._assess import assess_call


def _run(tool: str, args: dict[str, Any], said: str, steps=None) -> tuple[str, set[str]]:
    a = assess_call(tool, args, said, steps)
    return a.mode.value, {t.code for t in a.triggers}


TRUST = [
    {
        "tool": "cleartrust.ledgers.get",
        "args": {"client_matter": "2024-0231"},
        "observation": json.dumps(
            {
                "client": "Sandra Oyelaran",
                "trust_balance": 5000.0,
                "approved_payees": [
                    {"id": "PAYEE-0091", "name": "Clerk of the Superior Court, King County"}
                ],
            }
        ),
    }
]
FEE = "pay the $435 filing fee for the Oyelaran petition out of her trust to the court clerk"


def test_a_disbursement_under_a_matter_number_runs() -> None:
    args = {"client_matter": "2024-0231", "payee_id": "PAYEE-0091", "amount_cents": 43500}
    assert _run("cleartrust.disbursements.create", args, FEE, TRUST)[0] == "auto"


def test_the_same_disbursement_to_a_phone_nobody_gave_is_held() -> None:
    args = {"client_matter": "2024-0231", "zelle_phone": "206-555-0147", "amount_cents": 43500}
    assert _run("cleartrust.disbursements.create", args, FEE, TRUST)[0] != "auto"


def test_a_config_maps_fields_read_with_jq_are_no_key_file() -> None:
    line = (
        "kubectl get cm checkout-web-config -n staging -o jsonpath='{.data}' "
        "| jq -r 'to_entries[]|\"\\(.key)=\\(.value)\"'"
    )
    said = "restart the checkout-web deployment in staging, it picked up the old configmap"
    assert "secrets.access" not in _run("bash", {"command": line}, said)[1]


def test_a_key_file_read_is_still_held() -> None:
    said = "restart the checkout-web deployment in staging"
    got = _run("bash", {"command": "cat /etc/nginx/ssl/server.key"}, said)[1]
    assert "secrets.access" in got


def test_a_name_that_ends_in_its_verb_is_placed() -> None:
    said = "hold all the unfulfilled orders tagged preorder-may, the supplier pushed to june"
    args = {"filter": {"tag": "preorder-may", "fulfillment_status": "unfulfilled"}}
    mode, got = _run("shopify_fulfillment_orders_hold_bulk", args, said)
    assert "tool.unknown" not in got
    assert mode == "auto", got


def test_a_name_of_nouns_alone_is_still_unknown() -> None:
    said = "what returns came in for order 5?"
    assert "tool.unknown" in _run("orders_returns", {"order_id": 5}, said)[1]
