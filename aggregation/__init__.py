"""Aggregation: vectorised normalisation of raw readings into hourly energy, cost and carbon."""
