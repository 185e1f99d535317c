"""Personal data shown partly (pure Python): enough to recognise, not enough to use."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """139****5678: enough to recognise a number, not to dial it. Short numbers keep only their last two."""
    digits = phone.strip()
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(0, len(digits) - 2) + digits[-2:] if digits else ""
