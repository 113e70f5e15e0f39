"""Audit page (team mode, approvers): every action with who did it, its integrity, a CSV download."""

from __future__ import annotations

import streamlit as st

from studio.ui import labels, teamgate, widgets


def render() -> None:
    st.title(labels.text("page.audit"))
    person = teamgate.actor()
    if person is None:
        st.info(labels.text("audit.team_only"))
        return
    with widgets.user_errors(labels.text("audit.reading")):
        entries = teamgate.read_audit()
        broken = teamgate.team().audit.verify()
        if broken is None:
            st.caption(labels.text("audit.intact", count=len(entries)))
        else:
            st.error(labels.text("audit.broken", line=broken))
        st.download_button(
            labels.text("audit.csv"),
            data=teamgate.audit_csv_download(),
            file_name="crisis-studio-audit.csv",
            mime="text/csv",
            key="audit_csv",
            icon=":material/download:",
        )
        st.dataframe(
            widgets.localised_rows(
                [
                    {
                        "at": entry.at,
                        "user": entry.user,
                        "name": entry.name,
                        "roles": entry.roles,
                        "action": entry.action,
                        "outcome": entry.outcome,
                        "scenario": entry.scenario,
                        "detail": entry.detail,
                    }
                    for entry in reversed(entries)
                ]
            ),
            hide_index=True,
            width="stretch",
        )


render()
