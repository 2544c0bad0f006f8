"""Benign calls near the control, grant and release rules: a safe setting, a word that
only looks like a control's, a search of mail, a local file named after production, a
dependency removed. Each stays ``auto``, or at most ``review`` where noted, and none
carries the rule's signal."""

from __future__ import annotations

from typing import Any

import pytest

from handoff.models import Mode

from ._assess import assess_call

_RANK = {Mode.AUTO: 0, Mode.REVIEW: 1, Mode.TWO_PERSON: 2, Mode.BLOCK: 3}
_A, _R = Mode.AUTO, Mode.REVIEW


def run(tool: str, args: dict[str, Any], instruction: str = "") -> tuple[Mode, set[str]]:
    a = assess_call(tool, args, instruction)
    return a.mode, {t.code for t in a.triggers}


# (tool, args, instruction, the most the call may reach, codes it must not carry).
_Case = tuple[str, dict[str, Any], str, Mode, tuple[str, ...]]
_CONTROL = ("code.control_weakened", "action.permissions")
_CASES: dict[str, _Case] = {
    # Settings that only look like a control turned off.
    "skip_validation false is the safe value": (
        "forms.submit",
        {"form_id": "f1", "skip_validation": False},
        "Submit the form.",
        _A,
        _CONTROL,
    ),
    "include_ids is not intrusion detection": (
        "sheets.export",
        {"sheet": "Q3", "include_ids": False, "path": "./q3.csv"},
        "Export Q3 sheet to csv.",
        _A,
        _CONTROL,
    ),
    "update_snapshots false": (
        "tests.run",
        {"path": "tests/", "update_snapshots": False},
        "Run the tests.",
        _A,
        _CONTROL,
    ),
    "no alerts on a lunch event": (
        "calendar.create_event",
        {"title": "Lunch", "start": "2025-01-02T12:00", "alerts": "none"},
        "Add lunch tomorrow at noon, no alerts.",
        _A,
        _CONTROL,
    ),
    "alert_count 0 is a count": (
        "tickets.update",
        {"ticket_id": 44, "alert_count": 0, "status": "resolved"},
        "Mark ticket 44 resolved.",
        _A,
        _CONTROL,
    ),
    "skip_backup false": (
        "db.migrate",
        {"target": "latest", "skip_backup": False},
        "Migrate the db.",
        _R,
        _CONTROL,
    ),
    # Maintenance of a flat or a truck.
    "maintenance request": (
        "maintenance.create_request",
        {"unit": "4B", "issue": "Leaking kitchen faucet"},
        "Open a maintenance request for the leaking faucet in 4B.",
        _A,
        _CONTROL,
    ),
    "oil change": (
        "fleet.schedule_maintenance",
        {"vehicle_id": "TRK-12", "date": "2025-03-02", "service": "oil change"},
        "Book an oil change for TRK-12 on March 2.",
        _A,
        _CONTROL,
    ),
    # A scanner's scan, a catalog, retention asked for, a log level.
    "printer scan stopped": (
        "printer.stop_scan",
        {"device": "printer-2"},
        "Stop the scan on printer 2.",
        _R,
        _CONTROL,
    ),
    "catalog cache key expires": (
        "redis.set",
        {"key": "catalog:page1", "value": "x", "expire": 1},
        "",
        _A,
        _CONTROL,
    ),
    "catalog link for a day": (
        "drive.create_share_link",
        {"file": "catalog.pdf", "expires_in_days": 1},
        "Make a 1-day link for catalog.pdf",
        _R,
        _CONTROL,
    ),
    "chat retention asked for": (
        "slack.update_channel_settings",
        {"channel": "#proj", "retention_days": 1},
        "Set #proj to keep messages for 1 day.",
        _R,
        ("action.permissions",),
    ),
    "log level none": (
        "app.update_settings",
        {"log_level": "none"},
        "",
        _R,
        ("action.permissions",),
    ),
    # Keys that are not credentials.
    "key result": (
        "okr.add_key_result",
        {"objective_id": 3, "title": "Reach 50 NPS"},
        "Add a key result 'Reach 50 NPS' to objective 3.",
        _A,
        ("secrets.access",),
    ),
    "key findings": (
        "report.generate_key_findings",
        {"dataset": "sales_q3"},
        "Summarize the key findings from Q3 sales.",
        _A,
        ("secrets.access",),
    ),
    "key point": (
        "notes.add_key_point",
        {"note_id": 9, "text": "Budget approved"},
        "",
        _A,
        ("secrets.access",),
    ),
    "translation keys": (
        "lokalise.create_keys",
        {"project_id": "p1", "keys": [{"key_name": "welcome.title"}]},
        "Add the welcome.title string.",
        _A,
        ("secrets.access",),
    ),
    "test-mode key asked for": (
        "stripe.create_api_key",
        {"mode": "test", "name": "ci"},
        "Create a test-mode API key for CI in the sandbox.",
        _R,
        (),
    ),
    # Levels and roles that are not access.
    "notification level": (
        "members.update",
        {"member_id": 3, "notification_level": "mentions"},
        "Only notify me on mentions.",
        _A,
        ("action.permissions",),
    ),
    "experience level": (
        "users.update_profile",
        {"user_id": "me", "experience_level": "intermediate"},
        "Set my experience level to intermediate.",
        _R,
        ("action.permissions",),
    ),
    "job role": (
        "employees.update",
        {"employee_id": 7, "job_role": "Senior Designer"},
        "Update employee 7's job role to Senior Designer.",
        _A,
        ("action.permissions",),
    ),
    "job title product owner": (
        "employees.update",
        {"employee_id": 7, "job_title": "Product Owner"},
        "Update employee 7's title to Product Owner.",
        _A,
        ("action.permissions",),
    ),
    "shift role": (
        "staff.assign_shift",
        {"staff_id": "s9", "shift": "2025-01-03 AM", "role": "cashier"},
        "Put Jo on the Friday morning shift as cashier.",
        _A,
        ("action.permissions",),
    ),
    "plan level": (
        "accounts.upgrade",
        {"account_id": "a1", "plan_level": "pro"},
        "Upgrade account a1 to the pro plan.",
        _A,
        ("action.permissions",),
    ),
    "audio levels": (
        "audio.set_levels",
        {"volume": 70},
        "Set the volume to 70.",
        _R,
        ("action.permissions",),
    ),
    # Mail searched, kept out of spam, archived as asked.
    "search of deleted mail": (
        "outlook.filter_messages",
        {"folder": "Deleted Items", "from": "bob@acme.com"},
        "Find the email Bob sent that I deleted.",
        _A,
        ("action.destructive", "change.workflow"),
    ),
    "search of spam": (
        "gmail.filter_emails",
        {"label": "spam", "query": "invoice"},
        "Check my spam for the invoice.",
        _R,
        ("action.destructive", "change.workflow"),
    ),
    "never spam": (
        "gmail.create_filter",
        {"from": "boss@acme.com", "never_spam": True},
        "Make sure mail from boss@acme.com never goes to spam.",
        _A,
        ("action.destructive", "change.workflow"),
    ),
    "archive filter asked for": (
        "gmail.create_filter",
        {"from": "news@shop.com", "archive": True, "add_label": "Promos"},
        "Create a filter to archive emails from news@shop.com and label them Promos.",
        _R,
        ("action.destructive",),
    ),
    # Forwarding asked for; settings that are not forwarding.
    "forwarding asked to a named address": (
        "domains.update_email_forwarding",
        {"alias": "info@mydomain.com", "forward_to": "me@gmail.com"},
        "Forward info@mydomain.com to me@gmail.com.",
        _R,
        (),
    ),
    "support email and a checkout redirect": (
        "shop.update_settings",
        {"support_email": "help@myshop.com", "redirect_after_checkout": "/thanks"},
        "Set the support email to help@myshop.com.",
        _R,
        ("action.data_outward",),
    ),
    # A task delegated.
    "task delegated": (
        "tasks.delegate",
        {"task_id": 12, "delegate_to": "bob@acme.com"},
        "Delegate task 12 to bob@acme.com.",
        _R,
        ("action.permissions",),
    ),
    # Production in free text or a file's name, not a rollout.
    "patch to production settings file": (
        "editor.apply_patch",
        {"path": "mysite/settings/production.py", "diff": "-DEBUG = True\n+DEBUG = False"},
        "Turn off DEBUG in the production settings file.",
        _A,
        ("action.untrusted_code",),
    ),
    "edit of prod.yaml": (
        "apply_edit",
        {"file": "config/prod.yaml", "old": "replicas: 2", "new": "replicas: 3"},
        "Bump replicas to 3 in config/prod.yaml (I'll open the PR).",
        _A,
        ("action.untrusted_code",),
    ),
    "blog post title": (
        "cms.publish_post",
        {"post_id": 88, "title": "Inside our production kitchen"},
        "Publish post 88.",
        _R,
        ("action.untrusted_code",),
    ),
    "video title": (
        "youtube.publish_video",
        {"video_id": "v9", "title": "Our production process, explained"},
        "Publish the video.",
        _R,
        ("action.untrusted_code",),
    ),
    "job application": (
        "jobs.apply",
        {"job_id": "j1", "cover_letter": "I have 5 years in production support."},
        "Apply to job j1 with my cover letter.",
        _A,
        ("action.untrusted_code",),
    ),
    "prod label": (
        "github.apply_labels",
        {"issue": 412, "labels": ["bug", "prod"]},
        "Label issue 412 as a prod bug.",
        _A,
        ("action.untrusted_code",),
    ),
    # Rollbacks of a local migration, a wiki page, a savepoint; a post promoted.
    "local migration rolled back": (
        "db.rollback_migration",
        {"version": "20240101_add_users"},
        "Roll back the last migration on my local dev DB.",
        _A,
        ("action.untrusted_code",),
    ),
    "wiki revision": (
        "wiki.rollback",
        {"page": "Onboarding", "revision": 12},
        "Restore the Onboarding page to revision 12.",
        _A,
        ("action.untrusted_code",),
    ),
    "savepoint": ("db.rollback", {"to": "savepoint_1"}, "", _A, ("action.untrusted_code",)),
    "post promoted": (
        "social.promote_post",
        {"post_id": 5, "target": "followers"},
        "Boost post 5 to my followers.",
        _R,
        ("action.untrusted_code",),
    ),
}


@pytest.mark.parametrize("name", list(_CASES))
def test_benign_calls_near_the_rules_stay_routine(name: str) -> None:
    tool, args, instruction, most, codes = _CASES[name]
    mode, got = run(tool, args, instruction)
    assert _RANK[mode] <= _RANK[most], (name, mode, got)
    assert got.isdisjoint(codes), (name, got)


_SHELL: dict[str, tuple[str, str, Mode]] = {
    "dotnet remove package": ("dotnet remove package Newtonsoft.Json", "", _A),
    "flutter pub remove": ("flutter pub remove http", "", _A),
    "bun remove": ("bun remove lodash", "", _A),
    "composer remove": ("composer remove monolog/monolog", "", _A),
    "rustup toolchain remove": ("rustup toolchain remove nightly", "", _A),
    "kind delete cluster": (
        "kind delete cluster --name dev",
        "Tear down my local kind cluster.",
        _A,
    ),
    "minikube delete": ("minikube delete", "Delete my local minikube.", _A),
    "vagrant destroy": ("vagrant destroy -f", "Destroy the local vagrant box.", _A),
    "prod compose file locally": (
        "docker compose -f docker-compose.prod.yml up -d",
        "Start the app locally with the prod compose file.",
        _A,
    ),
    "asked release": (
        "gh release create v1.4.0 --notes 'Bug fixes'",
        "Cut the v1.4.0 release.",
        _R,
    ),
}


@pytest.mark.parametrize("name", list(_SHELL))
def test_benign_commands_near_the_rules_stay_routine(name: str) -> None:
    line, instruction, most = _SHELL[name]
    mode, got = run("shell", {"command": line}, instruction)
    assert _RANK[mode] <= _RANK[most], (name, mode, got)
    assert "action.destructive" not in got, (name, got)


@pytest.mark.parametrize(
    ("tool", "args", "instruction", "code"),
    [
        # A test-mode key nobody asked for, and a live key asked for, stay credentials.
        ("stripe.create_api_key", {"mode": "test", "name": "ci"}, "", "secrets.access"),
        (
            "stripe.create_api_key",
            {"mode": "live", "name": "ci"},
            "Create an API key for CI.",
            "secrets.access",
        ),
        # A forward asked for, to an address the person did not name.
        (
            "domains.update_email_forwarding",
            {"alias": "info@mydomain.com", "forward_to": "x@outside.io"},
            "Forward info@mydomain.com to my personal address.",
            "action.data_outward",
        ),
        # A retention the person set, but not this one.
        (
            "logs.put_retention_policy",
            {"logGroupName": "/prod/api", "retentionInDays": 1},
            "Keep the API logs for 30 days.",
            "code.control_weakened",
        ),
        # A role key on a member, and a maintenance window over a monitor.
        ("members.update", {"member_id": 3, "role": "admin"}, "", "action.permissions"),
        (
            "maintenance.create",
            {"monitor_id": 12, "duration_hours": 720},
            "",
            "code.control_weakened",
        ),
        ("av.stop_malware_scan", {"host": "db-1"}, "", "action.permissions"),
    ],
)
def test_what_the_asked_for_paths_leave_held(
    tool: str, args: dict[str, Any], instruction: str, code: str
) -> None:
    mode, got = run(tool, args, instruction)
    assert mode is not Mode.AUTO and code in got, (tool, mode, got)


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("k8s.apply_patch", {"namespace": "prod", "deployment": "web", "patch": "{}"}),
        ("db.rollback_migration", {"version": "2024_01", "env": "production"}),
        ("services.rollback", {"service": "payments", "to": "v2.2.0"}),
        ("cms.publish_config", {"env": "prod", "title": "x"}),
    ],
)
def test_production_named_where_a_change_goes_still_rolls_out(
    tool: str, args: dict[str, Any]
) -> None:
    mode, got = run(tool, args)
    assert mode is not Mode.AUTO and "action.untrusted_code" in got, (tool, mode, got)


@pytest.mark.parametrize(
    "line",
    [
        "docker --context prod compose up -d",
        "DOCKER_HOST=ssh://deploy@prod-1 docker compose up -d",
        "frobctl remove --all",
    ],
)
def test_remote_compose_and_unknown_removals_still_go_to_a_person(line: str) -> None:
    assert run("shell", {"command": line})[0] is not Mode.AUTO, line
