"""Wizard steps: one file per step, each a widget that a journey screen shows in turn."""
