"""OpenBAS / OpenAEV scenario zip export (see export.py)."""

from studio.exports.openbas.export import openbas_document, openbas_outputs, openbas_zip

__all__ = ["openbas_document", "openbas_outputs", "openbas_zip"]
