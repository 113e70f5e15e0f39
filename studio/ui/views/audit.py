"""Audit page (team mode, approvers): every action with who did it, its integrity, a CSV download."""

from __future__ import annotations

import streamlit as st

from studio.ui import teamgate, widgets


def render() -> None:
    st.title("Audit")
    person = teamgate.actor()
    if person is None:
        st.info("The audit log is kept in team mode (crisis-studio ui --team).")
        return
    with widgets.user_errors("Reading the audit log"):
        entries = teamgate.read_audit()
        broken = teamgate.team().audit.verify()
        if broken is None:
            st.caption(f"{len(entries)} entries; the chain of lines is intact.")
        else:
            st.error(f"The audit log was altered: the chain breaks at line {broken}.")
        st.download_button(
            "Download as CSV",
            data=teamgate.audit_csv_download(),
            file_name="crisis-studio-audit.csv",
            mime="text/csv",
            key="audit_csv",
            icon=":material/download:",
        )
        st.dataframe(
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
            ],
            hide_index=True,
            width="stretch",
        )


render()
