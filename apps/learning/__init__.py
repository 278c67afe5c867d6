"""The active learner: item features, query strategies and the train/rank/evaluate engine.

Pure Python on numpy/scikit-learn/modAL; the Django side (model versions, the worker, next-item
serving) calls into `engine` and owns no learning logic of its own.
"""
