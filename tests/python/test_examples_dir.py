"""The scripts in examples/python run against `sockt serve` and exit 0."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import REPO, Server

EXAMPLES = sorted((REPO / "examples" / "python").glob("*.py"))


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script: os.PathLike[str], server: Server) -> None:
    env = dict(os.environ, SOCKT_API_URL=server.url, SOCKT_API_KEY=server.api_key)
    proc = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
