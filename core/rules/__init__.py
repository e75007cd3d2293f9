"""The sign-in rules of design §3 as pure functions: no I/O, no clock, no randomness.

Each takes what the use case loaded and returns a decision for the use case to persist.
"""
