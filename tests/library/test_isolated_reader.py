"""Parsers run in a child process; when that process cannot even start, the reason says so."""

from __future__ import annotations

import subprocess
import sys

from hub import ROOT

# a script read from standard input: Python re-imports the main module in each child process and
# cannot for "<stdin>", so the reader's process fails before it begins
UNGUARDED = """
from hub import samples
from hub.extract import Limits, extract

result = extract(samples.make_pdf("Intro", ["Welcome"]), "application/pdf", Limits(seconds=20))
print(result.status.value, "|", result.error)
"""


def test_a_reader_that_cannot_start_is_not_blamed_on_the_file():
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-"], input=UNGUARDED, capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    status, error = done.stdout.strip().split(" | ")
    assert status == "failed"
    assert "could not start" in error and "memory" not in error
