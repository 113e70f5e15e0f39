"""The simulation's time slider as data: its instants, their labels and the systems' states at each.

Plain Python (no Streamlit), so it is tested on its own. Built once per timeline: the labels of every
instant are computed up front, and the states of an instant the first time the slider reaches it,
after which moving back and forth is a dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from studio.propagation import state_at
from studio.scenario.exercise_clock import clock_style, event_time_label


class StateFrames:
    """Instants of a timeline (start and each event's minute) with labels and states."""

    def __init__(
        self, scenario: Mapping[str, Any], timeline: Mapping[str, Any], language: str = "en"
    ) -> None:
        self.scenario = scenario
        self.timeline = timeline
        self.instants: list[float] = sorted(
            {0.0, *(float(event["minute"]) for event in timeline.get("events") or [])}
        )
        style = clock_style(scenario)
        self._labels = {
            minute: event_time_label(scenario, minute, style, language) for minute in self.instants
        }
        self._states: dict[float, Mapping[str, Any]] = {}

    def label(self, minute: float) -> str:
        """The exercise-time label of an instant (``J1 08:30`` or ``T+01:30``)."""
        found = self._labels.get(minute)
        return found if found is not None else event_time_label(self.scenario, minute)

    def states(self, minute: float) -> Mapping[str, Any]:
        """System id -> state at ``minute`` (studio.propagation.state_at), computed once per instant."""
        found = self._states.get(minute)
        if found is None:
            found = self._states[minute] = state_at(dict(self.scenario), dict(self.timeline), minute)
        return found
