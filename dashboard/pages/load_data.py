"""load_data page."""

import streamlit as st

st.title("load_data")
