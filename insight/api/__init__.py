"""The HTTP API (issue 6): `create_app(settings)` builds it, `serve(settings)` runs it.

>>> from insight.api import Settings, create_app
>>> app = create_app(Settings())  # nothing is loaded until the server starts
"""

from insight.api.app import create_app
from insight.api.settings import Settings

__all__ = ["Settings", "create_app"]
