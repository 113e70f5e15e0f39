"""The Streamlit studio: a thin shell over the library (``crisis-studio ui`` runs ``app.py``).

Only this package imports streamlit. Pages gather input, call library functions and show results;
conversions, filtering, validation and diffing live in library modules tested without Streamlit.
"""
