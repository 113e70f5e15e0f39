"""Entry point of the studio (``streamlit run studio/ui/app.py``, or ``crisis-studio ui``).

It sets up the session, declares the pages with ``st.navigation`` and, after the current page has
run, fills the sidebar status box, so the status reflects the edits made during this very run.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from studio.propagation import engines
from studio.ui import labels, session, teamgate, widgets

# The page scripts. Not named pages/: Streamlit treats a pages/ folder beside the entry script as a
# legacy multipage folder, and with it the sidebar elements of this script vanished after the first
# rerun (seen with AppTest in Streamlit 1.67). No bare strings here either: Streamlit's "magic"
# would print them on the page.
PAGES_DIR = Path(__file__).resolve().parent / "views"

PAGES = (
    # (file, title, icon); the first page is the default one, served at "/". Titles are label keys
    # (studio/ui/locales), shown in the chosen interface language.
    ("scenario.py", "Scenario", ":material/folder_open:"),
    ("exercise.py", "Exercise", ":material/groups:"),
    ("systems.py", "Systems", ":material/lan:"),
    ("simulation.py", "Simulation", ":material/timeline:"),
    ("injects.py", "Injects", ":material/mail:"),
    ("exports.py", "Exports", ":material/download:"),
)


@st.cache_resource
def _kernel_build() -> bool:
    """Once per studio process: a fresh install builds the simulation kernel in the background (about
    two minutes) while the designer works; simulations use the reference engine until it is ready."""
    engines.warm_up_in_background()
    return True


def main() -> None:
    st.set_page_config(page_title="Crisis Studio", page_icon=":material/emergency:", layout="wide")
    _kernel_build()
    session.init()
    teamgate.sign_in()  # issue 14: team mode stops here until someone with a role is signed in
    widgets.language_choice()

    def title(file: str, fallback: str) -> str:
        key = f"page.{Path(file).stem}"
        found = labels.text(key)
        return fallback if found == key else found

    pages = [
        st.Page(
            PAGES_DIR / file,
            title=title(file, fallback),
            icon=icon,
            url_path=Path(file).stem,
            default=index == 0,
        )
        for index, (file, fallback, icon) in enumerate((*PAGES, *teamgate.team_pages()))
        if (PAGES_DIR / file).is_file()
    ]
    current = st.navigation(pages)
    st.sidebar.caption("Crisis Studio")
    status_box = st.sidebar.container(border=True)
    teamgate.guard_changes()  # issue 14: undo and explain changes the signed-in roles do not allow
    current.run()
    teamgate.guard_changes()  # issue 14
    widgets.document_status(status_box)
    widgets.leave_warning(bool(st.session_state.get("doc_dirty")))
    widgets.graph_hook()


# Streamlit runs this file as __main__; importing it (for PAGES) must not draw anything.
if __name__ == "__main__":
    main()
