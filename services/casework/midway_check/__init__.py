"""The midway check form (DOMAIN §4-5), in small modules.

Why data, not code, for the templates: the three councils' layouts (seed 000 Appendix 1, seed 001
monitoring form, seed 002 checklist) differ only in which questions they ask, so a template is a
list of sections and the page, the validation and the case note all walk the same list.

Answers are one flat dict keyed by field key (e.g. ``contact_sw.date``, ``rec.12.status``,
``chk_pep.answer``): the same keys are the widget keys on the page and the keys of the validation
messages, so a message lands next to its field and nothing typed is lost. Stored as JSON with
dates as ISO strings.

What lives where (import from the module, not from this package):
- ``templates``: the questions, sections, the three council templates and the united default,
  the dispute choices, and ``field_keys`` (every answer key a template asks, in form order);
- ``answers``: the answers' value helpers: dates from widgets or JSON, JSON round trip, UK dates
  and times;
- ``errors``: ``ValidationError`` (field key -> message) and ``ConcurrentEditError``;
- ``validation``: ``validate``, every problem with a set of answers, by field;
- ``read_model``: what the form shows for a child (``form_context``) and the child's flags now
  (``child_flags``);
- ``save``: drafts and the final save (check, recommendations, escalation in one transaction).
"""
