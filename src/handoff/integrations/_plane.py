"""What an integration needs from a plane: ``handoff.Plane``, kept here for old imports.

Integrations are typed on the public protocol, so they take an embedded
``ControlPlane`` or a ``Client`` of a ``handoff serve`` alike.
"""

from __future__ import annotations

from ..protocol import Plane

__all__ = ["Plane"]
