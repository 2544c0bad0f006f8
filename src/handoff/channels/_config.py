"""Channel settings: where notifications go and the secrets to sign or send them.

They live apart from the policy: the policy is versioned, hashed and shown to anyone who
reads it over the API, while these hold secrets. A YAML file named by the environment
variable ``HANDOFF_CHANNELS`` holds them; any secret may be written ``env:NAME`` to read
it from the environment instead of the file (docs/deploy.md shows a full file).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .._exceptions import PolicyError

__all__ = ["ChannelsConfig", "EmailConfig", "SlackConfig", "WebhookTarget", "load_channels"]

ENV = "HANDOFF_CHANNELS"


def _secret(value: Any) -> Any:
    """``env:NAME`` reads the secret from the environment; a missing one is an error."""
    if isinstance(value, str) and value.startswith("env:"):
        name = value[4:]
        if name not in os.environ:
            raise ValueError(f"environment variable {name} is not set")
        return os.environ[name]
    return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookTarget(_Section):
    """One receiver of every notification, signed per Standard Webhooks."""

    url: str
    secret: str

    _env = field_validator("secret", mode="before")(_secret)

    @field_validator("url")
    @classmethod
    def _http(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return v


class EmailConfig(_Section):
    """SMTP server and the addresses of reviewers and teams (by reviewer or team name)."""

    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    sender: str = "handoff@localhost"
    addresses: dict[str, str] = Field(default_factory=dict)

    _env = field_validator("password", mode="before")(_secret)


class SlackConfig(_Section):
    """A Slack app: its bot token and signing secret, a channel per team, and which
    Slack user is which reviewer (only mapped users can decide from Slack)."""

    api_url: str = "https://slack.com/api"
    token: str
    signing_secret: str
    channels: dict[str, str] = Field(default_factory=dict)
    users: dict[str, str] = Field(default_factory=dict)

    _env = field_validator("token", "signing_secret", mode="before")(_secret)


class ChannelsConfig(_Section):
    """Every channel; an empty config delivers nothing and drops notifications."""

    #: The server's public address, for links to the handoff page.
    base_url: str = "http://127.0.0.1:8000"
    #: The handoff page, relative to ``base_url``.
    handoff_path: str = "/handoffs/{id}"
    webhooks: list[WebhookTarget] = Field(default_factory=list)
    email: EmailConfig | None = None
    slack: SlackConfig | None = None
    #: Delivery attempts before a message goes to the dead-letter list.
    max_attempts: int = Field(default=8, ge=1, le=100)
    #: Seconds before the first retry; doubles with each attempt up to ``max_backoff``.
    backoff: float = Field(default=10.0, gt=0)
    max_backoff: float = Field(default=3600.0, gt=0)
    #: Seconds one process holds a message it is sending before another may retry it.
    lease: float = Field(default=60.0, gt=0)

    def link(self, handoff_id: str) -> str:
        return self.base_url.rstrip("/") + self.handoff_path.format(id=handoff_id)

    def retry_delay(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failed try."""
        return float(min(self.backoff * 2 ** max(attempts - 1, 0), self.max_backoff))


def load_channels(source: str | Path | None = None) -> ChannelsConfig:
    """The config from a YAML file (default: ``$HANDOFF_CHANNELS``), or an empty one."""
    path = source if source is not None else os.environ.get(ENV)
    if not path:
        return ChannelsConfig()
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the channels file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: not valid YAML ({exc})") from None
    try:
        return ChannelsConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise PolicyError(f"{path}: {where}: {err['msg']}", field=where) from None
