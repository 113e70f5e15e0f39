"""The chronogramme (MSEL) as display rows: shared by the animation pack and the studio's preview.

Each row is a dict keyed by inject field name, holding the text shown for it: names instead of ids,
the exercise clock (``J1 08:30`` or ``T+01:30``, see schedule.py), scenario date and time from the
time model, labels of enum values in the scenario's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from studio.exports.common import (
    Labels,
    by_id,
    inject_minutes,
    is_control_only_inject,
    scenario_labels,
    sorted_injects,
)
from studio.exports.contacts import Directory
from studio.exports.schedule import exercise_schedule
from studio.scenario.timemodel import TimeModel

CHRONO_COLUMNS = ("number", "offset", "scenario_time", "from", "to", "channel", "title", "expected_actions")
"""Columns of the chronogramme table of the animation pack and of the studio preview."""


NAMES_LISTED = 8
"""Names a table cell lists before "and N more": a card or log row naming 30 systems helps nobody."""


class ScenarioView:
    """Read helpers over a valid scenario: names by id, clocks and labels in the scenario's language."""

    def __init__(self, scenario: dict[str, Any], labels: Labels | None = None) -> None:
        self.scenario = scenario
        self.labels = labels or scenario_labels(scenario)
        self.exercise = scenario["exercise"]
        self.personas = by_id(scenario.get("personas", []))
        self.cells = by_id(scenario.get("cells", []))
        self.organisations = by_id(scenario.get("organisations", []))
        self.systems = by_id(scenario.get("systems", []))
        self.objectives = by_id(scenario.get("objectives", []))
        self.injects = sorted_injects(scenario)
        self.time_model = TimeModel.from_scenario(scenario)
        self.schedule = exercise_schedule(scenario)
        self.directory = Directory(scenario)

    def schedule_end_minute(self) -> float:
        """ENDEX on the exercise clock (minutes from STARTEX)."""
        return (self.schedule.endex - self.schedule.startex).total_seconds() / 60

    def persona_name(self, persona_id: str) -> str:
        return self.personas.get(persona_id, {}).get("name", persona_id)

    def cell_names(self, cell_ids: list[str]) -> str:
        return ", ".join(self.cells.get(cell_id, {}).get("name", cell_id) for cell_id in cell_ids)

    def name_list(self, names: list[str], limit: int = NAMES_LISTED) -> str:
        """Names joined by commas, the first ``limit`` only, then "and N more" (blank names dropped)."""
        names = list(dict.fromkeys(name for name in names if name))
        if len(names) <= limit:
            return ", ".join(names)
        return ", ".join(names[:limit]) + " " + self.labels.format("and_more", count=len(names) - limit)

    def organisation_name(self, organisation_id: str | None) -> str:
        if not organisation_id:
            return ""
        return self.organisations.get(organisation_id, {}).get("name", organisation_id)

    def system_name(self, system_id: str | None) -> str:
        if not system_id:
            return ""
        return self.systems.get(system_id, {}).get("name", system_id)

    def when(self, moment: datetime | str) -> str:
        """A date-time in the language's format (strings are ISO-8601 date-times)."""
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return moment.strftime(self.labels["datetime_format"])

    def inject_scenario_time(self, inject: dict[str, Any]) -> str:
        """The scenario clock of an inject: its own ``scenario_time`` or, failing that, the time model's."""
        if inject.get("scenario_time"):
            return self.when(inject["scenario_time"])
        return self.when(self.time_model.scenario_datetime(inject_minutes(inject)))

    def number(self, inject: dict[str, Any]) -> str:
        return inject.get("number") or inject["id"]

    def display(self, inject: dict[str, Any], field: str) -> str:
        """The text shown for one field of an inject in a table."""
        if field == "offset":
            return self.schedule.clock(inject_minutes(inject), self.labels)
        if field == "scenario_time":
            return self.inject_scenario_time(inject)
        if field == "number":
            return self.number(inject)
        if field == "from":
            return self.persona_name(inject["from"])
        if field in ("to", "cc"):
            return self.cell_names(inject.get(field, []))
        if field == "channel":
            return self.labels.enum("channel", inject["channel"])
        if field == "category":
            return self.labels.enum("inject_category", inject["category"])
        if field in ("priority", "visibility"):
            return self.labels.enum(field, inject.get(field, ""))
        if field == "status":
            return self.labels.enum("review_status", inject.get("status", ""))
        if field == "title" and is_control_only_inject(inject):
            flag = "visibility" if not inject.get("contingency") else "contingency"
            tag = (
                self.labels.enum("field", "contingency")
                if flag == "contingency"
                else self.labels.enum("visibility", inject.get("visibility"))
            )
            return f"[{tag}] {inject['title']}"
        value = inject.get(field, "")
        if isinstance(value, list):
            return "\n".join(f"- {item}" if field == "expected_actions" else str(item) for item in value)
        if isinstance(value, bool):
            return self.labels["yes"] if value else self.labels["no"]
        return str(value)


def chronogramme_headers(labels: Labels) -> list[str]:
    """Column titles of the chronogramme; the offset column shows the exercise clock (J1 08:30 or T+)."""
    return [
        labels["col_exercise_clock"] if column == "offset" else labels.enum("field", column)
        for column in CHRONO_COLUMNS
    ]


def chronogramme_rows(scenario: dict[str, Any], *, include_control: bool = True) -> list[dict[str, str]]:
    """One display row per inject, in play order, keyed by CHRONO_COLUMNS plus ``id``.

    ``include_control=False`` drops contingency and control/evaluator-only injects (a players' view).
    For the studio's chronogramme preview; headers in the scenario's language come from
    ``chronogramme_headers(scenario_labels(scenario))``.
    """
    view = ScenarioView(scenario)
    rows = []
    for inject in view.injects:
        if not include_control and is_control_only_inject(inject):
            continue
        row = {"id": inject["id"]}
        row.update({column: view.display(inject, column) for column in CHRONO_COLUMNS})
        rows.append(row)
    return rows
