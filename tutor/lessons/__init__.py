"""Lessons: the format (Pydantic models, the single source of truth), loading YAML with
positions, cross-checks and lint, sandboxed placeholders, variants, worked examples, and the
catalog of lessons an app serves.

It may import render, the engine and the vocabulary. ``loaded`` (a lesson in memory) is
light on purpose: the teaching layer works with loaded lessons without loading the YAML
loader, the validator or the charts.
"""
