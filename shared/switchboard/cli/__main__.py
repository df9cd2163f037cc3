"""``python -m switchboard.cli``: the ``switchboard`` command."""

from __future__ import annotations

import sys

from switchboard.cli import main

sys.exit(main())
