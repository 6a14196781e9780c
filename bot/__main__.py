"""``python -m bot`` is the ``quotebot`` command."""

import sys

from bot.cli import main

sys.exit(main())
