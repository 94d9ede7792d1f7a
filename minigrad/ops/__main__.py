"""`python -m minigrad.ops`: prints the derivative table (see table.py)."""
from .table import main

main()
