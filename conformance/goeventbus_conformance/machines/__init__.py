"""Hypothesis state machines, one per area of the contract, all built on ``base.StoreMachine``."""
