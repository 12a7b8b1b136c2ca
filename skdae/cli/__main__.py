"""``python -m skdae.cli``: the ``skdae`` command."""

import sys

from . import main

sys.exit(main())
