"""What a campaign may spend, written: a budget or a bid is money that goes out on its
own. The number the person wrote runs; another number goes to a person."""

from __future__ import annotations

from tests._assess import assess_call

ASKED = "Raise CMP-9's daily budget from $500 to $550."


def test_a_budget_other_than_the_one_named_goes_to_a_person() -> None:
    a = assess_call("ads.set_daily_budget", {"campaign_id": "CMP-9", "daily_budget": 50000}, ASKED)
    assert a.mode.value != "auto"
    assert "action.money" in {t.code for t in a.triggers}


def test_the_budget_named_runs() -> None:
    a = assess_call("ads.set_daily_budget", {"campaign_id": "CMP-9", "daily_budget": 550}, ASKED)
    assert a.mode.value == "auto", [t.code for t in a.triggers]


def test_a_bid_nobody_named_goes_to_a_person() -> None:
    a = assess_call("ads.update_bid", {"ad_group": "AG-1", "max_bid": 40}, "Tidy up ad group AG-1.")
    assert a.mode.value != "auto"


def test_a_cost_per_click_other_than_the_one_named_goes_to_a_person() -> None:
    a = assess_call(
        "ads.update_bid", {"ad_group": "AG-7", "max_cpc": 120.0}, "Set AG-7's CPC to $1.40."
    )
    assert a.mode.value != "auto"
