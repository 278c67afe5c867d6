"""The active learner: item features, query strategies and the train/rank/evaluate engine.

Pure Python on numpy/scikit-learn/modAL; the Django side (model versions, the worker, next-item
serving) calls into `engine` and owns no learning logic of its own.
"""

from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "apps.learning"
    label = "learning"

    def ready(self) -> None:
        from apps.chain.handlers import register
        from apps.labeling.events import LabelsConfirmed
        from apps.learning import handlers
        from apps.lib.events import subscribe

        subscribe(LabelsConfirmed, handlers.schedule_retrain)
        register("JobCreated", handlers.schedule_cold_start)
