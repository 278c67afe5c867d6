"""ws/labeling/: a signed-in labeler's batch updates (confirmed on chain, or failed), live."""
from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.labeling.services import worker_group


class LabelingConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = worker_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def labeling_update(self, message: dict) -> None:
        await self.send_json({key: value for key, value in message.items() if key != "type"})
