"""Helpers of the benchmark driver (bench/driver.py): statistics, the server, the machine, the
report. Standard library only: the driver runs on the system Python, outside every venv."""
