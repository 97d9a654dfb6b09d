"""Annotation tools in and out: Label Studio, Argilla and Prodigy.

Each module writes modtool records in the tool's documented import format
(an export format of ``modtool export``) and reads the tool's export back as
:class:`~modtool.annotations.common.ToolLabel` rows for ``modtool import-labels``.
"""
