"""Shared test support: real servers and processes on loopback, binary lookup, free ports."""
