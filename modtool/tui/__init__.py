"""The moderator's terminal UI (the only package that imports Textual).

Build it with :func:`modtool.tui.app.create_app`; ``modtool tui`` runs it.
"""
