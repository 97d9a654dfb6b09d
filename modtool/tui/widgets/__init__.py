"""Widgets of the moderation UI, one module per area."""
