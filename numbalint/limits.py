"""Limits of a run that the command line shows as defaults (kept here, light, so that
building the CLI imports no worker-process machinery)."""

# libcst's parser needs minutes for some expressions (10,000 chained attribute
# accesses: 50 s). A file that takes longer than this to check is given up.
TASK_SECONDS = 20.0
