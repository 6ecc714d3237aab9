"""The evaluation behind ``bench/simulate.py``: simulated learners, the tutor, its controls.

- ``items``: what a learner sees of an item, with the truth the simulation acts on;
- ``learners``: five learner models, none of them the tutor's own model but ``bkt``;
- ``conditions``: the adaptive tutor (over HTTP) and the fixed, yoked and random controls;
- ``tracing``: how well the tutor's P(known) predicts the next answer, beside pyBKT;
- ``report``: the tables, the targets and ``docs/evaluation.md`` with its charts.
"""
