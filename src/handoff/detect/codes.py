"""Every trigger code Detect can fire, with what it means.

A policy's ``triggers`` and ``routes[].when.triggers`` name codes; a misspelt one
(``action.monney``) would never fire and silently leave the rule out, so the policy
refuses codes that are not here (naming the YAML line). ``handoff policy check
--explain`` prints this table. tests/test_codes.py checks that every code the
detectors, the rubric and the judge write down is listed, so a new detector cannot
forget its entry.
"""

from __future__ import annotations

from .detectors._subject import _AREAS

__all__ = ["NOTES", "TRIGGER_CODES", "is_known"]

#: Codes that can hand an action off, each with when it fires.
TRIGGER_CODES: dict[str, str] = {
    "action.money": "the action moves money or crypto",
    "action.destructive": "the action deletes, overwrites, stops or disables something",
    "action.cancellation": "the action cancels a booking, order or subscription",
    "action.permissions": "the action changes who can access what, or runs as root",
    "action.data_outward": "the action sends data outside the company",
    "action.untrusted_code": "the action runs, downloads or installs code",
    "action.public": "the action publishes to a public audience",
    "action.personal_data": "the action opens or captures personal records of identifiable people",
    "action.harmful": "the tool's name says it does harm, or what it writes is ransomware",
    "action.fraud": "the tool's name describes fraud, or the person asked to deceive",
    "action.impersonation": "the action goes out in the name of someone who is not the one asking",
    "content.slanted": (
        "someone other than the person asking asked to leave facts out or tilt them, and the"
        " action writes or sends"
    ),
    "content.copied": "the text sent out copies, word for word, content an earlier tool fetched",
    "action.public_access": "an argument makes data readable by anyone (a public ACL or link)",
    "action.physical": (
        "the action controls a safety device, or something physical without one named target"
    ),
    "action.dispatch": "the action sends, changes or closes emergency dispatch",
    "action.hidden_move": "the action moves or copies data to a hidden path",
    "access.allowlist": "the action changes what is allowed or blocked (unblocks a domain)",
    "web.suspicious_domain": "the action goes to a look-alike, bare-IP or abuse-prone host",
    "web.risky_search": "the agent searches for cracked software, the dark web or how to do harm",
    "web.dns_change": "the action writes a DNS record: where a name leads for everyone",
    "secrets.access": "the action reads or writes where credentials live",
    "secrets.outward": "the action sends credentials or secret keys out",
    "secrets.in_code": "an API token or private key is written into a file",
    "input.unreadable": "the arguments could not be read whole",
    "code.wipe": "code that wipes a disk or the whole file system (rm -rf /, mkfs, dd)",
    "code.persistence": "code that starts itself: a cron entry, a login script, autorun",
    "code.system_delete": "code that deletes the system's own folders, or force-pushes",
    "code.surveillance": (
        "code that reads the clipboard or keystrokes, grabs the screen, or listens to the network"
    ),
    "code.data_dump": "code that writes a whole object, the configuration or the environment out",
    "code.control_weakened": (
        "code or a call that turns a control off (verify=False, a bypass in auth, alerts,"
        " logging or backups muted or paused, retention cut)"
    ),
    "code.unpinned_dependency": "a dependency manifest's exact pin is loosened to a range",
    "code.unread_script": "a script run that no earlier step read or wrote",
    "code.password_guessing": "code or a tool that guesses passwords (brute force, a wordlist)",
    "code.protected_traits": "code that scores or decides about people by a protected trait",
    "code.bulk_change": "code that closes, deletes or archives every record a query returns",
    "code.exfiltration": "code that sends data it holds to another machine's address",
    "tool.unknown": "nothing says what the tool does (acts as unknown_tools says)",
    "tool.destructive": "the tool's annotations say it may destroy or overwrite",
    "provenance.injected": "a target of the call comes from an instruction inside a tool's output",
    "provenance.untrusted_target": (
        "a payee, recipient or link only tool output named, for an action the user never asked for"
    ),
    "provenance.invented_target": "a payee or grantee appears nowhere before the call",
    "provenance.target_drift": (
        "the person named where the action goes (an address, account, URL, channel, branch,"
        " environment or path); the call goes to another value of that kind"
    ),
    "provenance.relayed_code": (
        "an access code someone else supplied (a verification, override or one-time code) "
        "is written down or passed on"
    ),
    "session.exfiltration": (
        "after reading untrusted content that mentions sensitive data, the call sends to a"
        " recipient the user never named"
    ),
    "change.workflow": "the action changes a workflow, automation or setting others rely on",
    "injection.followed": "the action follows instructions that came from tool output",
    "injection.complied": "the agent went along with such injected instructions",
    "scope.beyond_instruction": "the action goes beyond what the user asked for",
    "scope.forbidden": "the action changes what the user's instruction said not to change",
    "plan.harmful": "the agent's plan names a harmful tool it has not called",
    "plan.fraud": "the agent's plan names a fraudulent tool it has not called",
    "evidence.insufficient": (
        "low stated confidence, assumptions without evidence, or a placeholder target"
    ),
    "language.pricing": "the text states a price or a discount",
    "language.contractual": "the text makes a contractual commitment",
    "language.regulated": "the text uses regulated (legal, medical, financial) language",
    "language.security_policy": "the text states a security policy or guarantee",
    "language.claims": "the text makes an absolute product claim",
    "language.abusive": "the text insults or threatens a person, or turns on a group of people",
    "learned.risk": "the learned detector's p reaches detect.learned_raise (with detect.learned)",
    "judge.escalate": "the LLM judge asks for a human on an action in its band (with detect.judge)",
    **{
        f"subject.{area}": f"a routing hint, never a reason to hand off: the tool works on {area}"
        for area, _ in _AREAS
    },
}

#: Codes that only inform the scores or note what happened; a rule for them is allowed
#: (it may name an owner) but they never hand an action off on their own.
NOTES: dict[str, str] = {
    "evidence.none": "no evidence attached",
    "evidence.hedged": "the agent's reasoning hedges",
    "action.money_authorized": "money the user asked to move, to a payee and amount they named",
    "action.access_authorized": "access the user asked to give, to a grantee they named",
    "action.deletion_authorized": "a deletion the user asked for, of the one thing they named",
    "action.device": "one named device switched",
    "tool.open_world": "the tool's annotations say it reaches the outside world",
    "learned.lowered": "the learned detector let medium-level triggers pass",
    "judge.agrees": "the LLM judge agrees with the rubric",
    "judge.lowered": "the LLM judge saw no need for a human",
    "judge.unavailable": "the LLM judge could not be asked; the rubric's decision stands",
}


def is_known(code: str) -> bool:
    return code in TRIGGER_CODES or code in NOTES
