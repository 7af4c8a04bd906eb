from pathlib import Path

import pytest

from tests.helpers import REPO


@pytest.fixture(autouse=True)
def _fixed_epoch(monkeypatch):
    # Tests must not depend on the caller's environment.
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """The sample project built once per test session (all editions)."""
    from tests.helpers import run_cli

    out = tmp_path_factory.mktemp("sample-dist")
    result = run_cli("-q", "build", str(REPO), "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def project(tmp_path) -> Path:
    """An empty project folder to fill from fixtures."""
    return tmp_path
