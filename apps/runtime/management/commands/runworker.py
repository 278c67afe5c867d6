"""`manage.py runworker CHANNEL...`: Channels' command with the eager worker, so a restarted worker
sweeps what was left pending (chain events, settlements) without waiting for a message. (apps.runtime
comes before channels in INSTALLED_APPS so this command is the one Django finds.)"""

from channels.management.commands.runworker import Command as ChannelsRunworker

from apps.runtime.stack import EagerWorker


class Command(ChannelsRunworker):
    worker_class = EagerWorker
