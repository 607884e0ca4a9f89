"""Entry point for ``python -m <package>``."""

import sys

from .cli import main

sys.exit(main())
