"""``python -m quotebot`` is the ``quotebot`` command."""

import sys

from quotebot.bot.cli import main

sys.exit(main())
