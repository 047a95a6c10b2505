"""The web app: server-rendered pages over the services."""

from .app import create_app

__all__ = ["create_app"]
