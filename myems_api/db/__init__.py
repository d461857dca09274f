"""Storage: engines per store, the schema, reference data."""
