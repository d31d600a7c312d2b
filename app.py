"""RightPlace in the browser: routes to one page per user task; pages only render."""

import streamlit as st

from views.shared import delete_stale_folders

st.set_page_config(page_title="RightPlace", layout="wide")
delete_stale_folders()
st.navigation(
    [
        st.Page("views/data.py", title="Data", default=True),
        st.Page("views/caseworker.py", title="Caseworker"),
        st.Page("views/placement.py", title="Placement"),
        st.Page("views/sufficiency.py", title="Sufficiency"),
        st.Page("views/scenarios.py", title="Scenarios"),
        st.Page("views/free_school.py", title="Free school"),
    ]
).run()
