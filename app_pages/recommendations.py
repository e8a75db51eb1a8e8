import streamlit as st

st.title("Recommendations")
