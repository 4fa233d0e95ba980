"""ASGI entry: Django's HTTP app, plus the live WebSockets (Channels).

Served by uvicorn in production and the browser tests (`python -m cvj.serve`) and by daphne
under `runserver`; any ASGI server will do.
Sockets are authenticated from the Django session and only accepted from this site's own
origin (scheme, host and port: cvj/websocket.py).
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cvj.settings")
# Set up Django before importing anything that touches models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from cvj.websocket import SameOriginValidator  # noqa: E402
from journeys.live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
