"""Word packs: player (one per cell and all cells together), animation, evaluator and after-exercise.

``docx_outputs(scenario)`` returns every pack as (file name, bytes); the individual builders return
the bytes of one pack. See docs/exports.md for what each pack holds and why.
"""

from __future__ import annotations

from typing import Any

from studio.exports.common import ExportFile, player_cells, safe_filename_part
from studio.exports.docx.after import after_pack
from studio.exports.docx.animation import animation_pack
from studio.exports.docx.evaluation import evaluator_pack
from studio.exports.docx.players import player_pack, players_combined_pack

__all__ = [
    "after_pack",
    "animation_pack",
    "docx_outputs",
    "evaluator_pack",
    "player_pack",
    "players_combined_pack",
]


def docx_outputs(scenario: dict[str, Any]) -> list[ExportFile]:
    """Every Word pack of a valid scenario, named ``<scenario id>-<pack>.docx``; SecretInDocument
    when the scenario holds the API key (the team's observers get these packs without export_outputs)."""
    from studio.scenario.store import refuse_secrets_in

    refuse_secrets_in(scenario)
    stem = safe_filename_part(scenario["id"])
    outputs = [
        ExportFile(
            f"{stem}-players-{safe_filename_part(cell['id'], 'cell')}.docx", player_pack(scenario, cell["id"])
        )
        for cell in player_cells(scenario)
    ]
    outputs += [
        ExportFile(f"{stem}-players-all.docx", players_combined_pack(scenario)),
        ExportFile(f"{stem}-animation.docx", animation_pack(scenario)),
        *(
            ExportFile(
                f"{stem}-evaluators-{safe_filename_part(cell['id'], 'cell')}.docx",
                evaluator_pack(scenario, cell["id"]),
            )
            for cell in player_cells(scenario)
        ),
        ExportFile(f"{stem}-after-exercise.docx", after_pack(scenario)),
    ]
    return outputs
