"""pmwizard: set up Planetmint nodes and form Planetmint networks (Tendermint 0.34)."""

__version__ = "0.1.0"
