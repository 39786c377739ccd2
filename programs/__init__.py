"""Support programmes and the benefits each household or member received (issue 5)."""
