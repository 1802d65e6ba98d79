"""`python -m bot` is the same program as `spacebrief`."""

import sys

from bot.cli import main

sys.exit(main())
