"""The handoff server: HTTP API, reviewer inbox, metrics; ``handoff serve`` runs it.

from handoff.server import create_app
app = create_app(ControlPlane.open("postgresql://..."), background=True)
"""

from .app import create_app

__all__ = ["create_app"]
