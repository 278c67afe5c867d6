"""ASGI entry: HTTP (Django), websockets, and the background worker channel."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdal_site.settings")
django_asgi_app = get_asgi_application()

# Imported after get_asgi_application(): they need Django set up (hence the noqa: E402).
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ChannelNameRouter, ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from apps.chain.consumers import ChainActivityConsumer, ChainWorker  # noqa: E402
from apps.chain.handlers import WORKER_CHANNEL  # noqa: E402
from apps.learning.consumers import LearnerWorker  # noqa: E402
from apps.learning.handlers import LEARNER_CHANNEL  # noqa: E402
from apps.rewards.consumers import SettlementWorker  # noqa: E402
from apps.rewards.services import SETTLEMENT_CHANNEL  # noqa: E402
from apps.labeling.consumers import LabelingConsumer  # noqa: E402
from apps.jobs.consumers import JobDashboardConsumer  # noqa: E402

websocket_urlpatterns = [
    path("ws/chain/", ChainActivityConsumer.as_asgi()),
    path("ws/labeling/", LabelingConsumer.as_asgi()),
    path("ws/jobs/<int:job_id>/", JobDashboardConsumer.as_asgi()),
]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        "channel": ChannelNameRouter(
            {
                WORKER_CHANNEL: ChainWorker.as_asgi(),
                LEARNER_CHANNEL: LearnerWorker.as_asgi(),
                SETTLEMENT_CHANNEL: SettlementWorker.as_asgi(),
            }
        ),
    }
)
