"""`portfolio --help` stays fast: it must not import the heavy adapters."""

from __future__ import annotations

import subprocess
import sys


def test_help_does_not_import_cookiecutter_git_or_httpx() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from portfolio.cli import main\n"
        "result = CliRunner().invoke(main, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = ('cookiecutter', 'git', 'httpx', 'requests')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.strip() == "[]"
