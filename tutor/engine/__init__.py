"""The engine: losses, their gradients and breakdowns, one neuron, gradient descent, and the
typical mistakes a learner makes with each, as pure NumPy functions.

Every number a learner sees in a worked example is computed here. Nothing in this package
touches a request, a database, a lesson or the clock, and it imports nothing from the rest
of tutor: only NumPy and the standard library.
"""
