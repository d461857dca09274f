"""Reports: period bucketing, report builders per family and Excel exporters."""
