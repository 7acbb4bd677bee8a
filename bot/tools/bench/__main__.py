"""`python -m bot.tools.bench`: see the package docstring."""
import sys

from bot.tools.bench.cli import main

sys.exit(main())
