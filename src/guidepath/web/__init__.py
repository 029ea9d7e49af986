"""Server-rendered pages (FastAPI + Jinja2): articles, case form, necessity, calculators, review."""
