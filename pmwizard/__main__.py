"""`python -m pmwizard` is the same as the `pmwizard` console script."""

import sys

from pmwizard.cli import main

sys.exit(main())
