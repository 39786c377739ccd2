"""Support programmes and the benefits each household or member received (each checked against its programme's rule)."""
