"""What IROs record in Midway, each save one attributed, all-or-nothing unit of work: the midway
check (`midway_check/`: templates, validation, read model, save) and its case note (`casenote`),
escalations (`escalations`), significant events (`events`), the council's stored settings
(`council_settings`), the staff list (`staff`); their codes and labels are in `services.vocabulary`.
`one_child` computes one child's engine result from that child's rows; `errors` the refusals pages
show. Imports the engine, persistence and the vocabulary, never views or Streamlit.
"""
