"""Team mode: settings, identities and roles, the guard on every change, the audit log, the server.

Nothing here imports Streamlit: the studio's glue is studio/ui/teamgate.py. See docs/deploy.md.
"""
