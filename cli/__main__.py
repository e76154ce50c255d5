"""`python -m cli ...` runs the scorecard command."""

import sys

from cli.main import main

sys.exit(main())
