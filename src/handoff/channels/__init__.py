"""Channels: how notifications leave the outbox (signed webhooks, Slack, email).

    from handoff.channels import Deliverer, load_channels

The ``Deliverer`` runs inside every ``handoff serve`` process (see docs/deploy.md); the
``webhook`` and ``slack`` modules also hold the verifying side of each signature.
"""

from ._config import ChannelsConfig, EmailConfig, SlackConfig, WebhookTarget, load_channels
from .deliverer import Deliverer, Pass
from .webhook import ReplayError, SignatureError

__all__ = [
    "ChannelsConfig",
    "Deliverer",
    "EmailConfig",
    "Pass",
    "ReplayError",
    "SignatureError",
    "SlackConfig",
    "WebhookTarget",
    "load_channels",
]
