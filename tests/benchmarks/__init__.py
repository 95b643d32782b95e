"""Benchmarks: they print figures against their targets. Not tests; run them with
`python3 installers/dev.py bench [NAME]`."""
