"""How hard the property tests that run the tendermint binary look: PMWIZARD_DEEP=1 draws ten times as many
examples (a longer run at a desk, to hunt for disagreements; the suite's own counts stay CI-sized)."""

import os

DEEP = 10 if os.environ.get("PMWIZARD_DEEP") == "1" else 1
