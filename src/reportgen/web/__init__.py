"""``reportgen serve``: a local web page and HTTP API over :mod:`reportgen.app`.

``server`` holds the routes (FastAPI), ``jobs`` the work done in the worker pool (each job
calls one function of :mod:`reportgen.app`), ``uploads`` the per-request folders and the
upload limit, ``errors`` how an error becomes JSON. Every word of the page is in
``templates/`` (Jinja), none in the Python code.
"""
