"""Rendering: numbers as a learner writes them, Markdown and MathML, and SVG charts.

Pure functions from values to text, HTML or SVG. It may import the engine (the charts of
losses and of a neuron plot the engine's numbers) and the vocabulary, nothing above.
``numbers`` and ``svg`` import nothing of the engine, so drawing a chart's axes does not load
the loss engine.
"""
