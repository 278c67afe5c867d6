"""ASGI entry: HTTP (Django), websockets, and the background worker channel."""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdal_site.settings")
django.setup(set_prefix=False)

from crowdal_site.handlers import OneThreadASGIHandler  # noqa: E402

django_asgi_app = OneThreadASGIHandler()

# Imported after django.setup(): they need Django set up (hence the noqa: E402).
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ChannelNameRouter, ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import get_resolver, path  # noqa: E402

from apps.chain.consumers import ChainActivityConsumer, ChainWorker  # noqa: E402
from apps.chain.handlers import WORKER_CHANNEL  # noqa: E402
from apps.cockpit.consumers import JobDashboardConsumer  # noqa: E402
from apps.labeling.consumers import BatchSender, LabelingConsumer  # noqa: E402
from apps.labeling.scheduling import BATCH_CHANNEL  # noqa: E402
from apps.learning.consumers import LearnerWorker  # noqa: E402
from apps.learning.handlers import LEARNER_CHANNEL  # noqa: E402
from apps.rewards.consumers import SettlementWorker  # noqa: E402
from apps.rewards.scheduling import SETTLEMENT_CHANNEL  # noqa: E402

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
                BATCH_CHANNEL: BatchSender.as_asgi(),
            }
        ),
    }
)

# What the process built so far lives as long as it does: modules, settings, the URLconf (loaded
# here rather than on the first request) and every view it imports. gc.freeze() moves it out of the
# cyclic collector's reach; otherwise each full collection walks all of it while holding the GIL,
# a 150-200 ms stall of every request in flight (seen as next-items' worst latencies).
get_resolver().reverse_dict  # noqa: B018  (the access builds it)
gc.freeze()
