"""The emulation campaign "Vì người nghèo – Không để ai bị bỏ lại phía sau": criteria, nominations, awards."""
