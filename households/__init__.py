"""Households and their members, poverty criteria and the review rounds (issues 3 and 4)."""
