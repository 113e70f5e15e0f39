"""Studio pages: each file is run by st.navigation and only gathers input and shows results."""
