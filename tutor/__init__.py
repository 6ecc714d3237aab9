"""tutor: an adaptive, step-by-step tutor for how a neural network learns.

The package's folders are its layers; each may import only those below it (CI checks this
with import-linter's contracts in pyproject.toml):

- ``web``: the front doors (pages, JSON API, instructor routes);
- ``service``: what both front doors call (reads, one-transaction writes);
- ``teaching`` (pure judgement) beside ``store`` (tables and queries);
- ``lessons``: the format, loading and validation, variants, the catalog;
- ``render``: numbers, Markdown and MathML, SVG charts;
- ``engine``: NumPy losses, gradients, the neuron, descent and mistakes.

At the top, ``app`` builds the application (``create_app``), ``cli`` is the ``tutor``
command and ``workers`` supervises several server processes; at the bottom, ``vocabulary``,
``errors`` and ``config`` hold the words, the errors and the settings every layer shares.
"""
