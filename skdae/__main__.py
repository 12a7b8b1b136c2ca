"""``python -m skdae``: the ``skdae`` command."""

import sys

from .cli import main

sys.exit(main())
