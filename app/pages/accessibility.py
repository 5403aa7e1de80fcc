"""The accessibility statement."""

from __future__ import annotations

import streamlit as st

from app.parts import statement

st.title("Accessibility statement")
statement.show()
