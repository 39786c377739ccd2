"""English interface, Vietnamese formats: officers keep dd/mm/yyyy and 1.234.567 when they switch language."""

from config.formats.vi.formats import *  # noqa: F403
