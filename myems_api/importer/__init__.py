"""``myems db import-myems``: an existing MyEMS v6.7.0 installation's data brought into our stores.

- :mod:`.source` reads MyEMS's databases, read-only, in primary-key batches.
- :mod:`.plan` declares what each MyEMS table becomes here (most tables share MyEMS's names and columns).
- :mod:`.copier` copies one declared table: configuration tables are replaced whole in one transaction,
  time series are streamed with idempotent upserts and a checkpoint.
- :mod:`.finish` verifies the energy sums and lets the aggregation go on from where MyEMS stopped.
- :mod:`.main` runs it all and prints the report.
"""
