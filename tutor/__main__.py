"""`python -m tutor`: the same commands as the `tutor` script, for a checkout without it."""

from tutor.cli import app

app(prog_name="tutor")
