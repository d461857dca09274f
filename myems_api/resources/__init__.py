"""One module per domain: declarative family specs plus the few custom handlers they need."""
