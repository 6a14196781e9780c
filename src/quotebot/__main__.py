"""``python -m quotebot`` is the ``quotebot`` command."""

import sys

from quotebot.bot.cli import main

if __name__ == "__main__":  # not when multiprocessing imports the main module in a worker
    sys.exit(main())
