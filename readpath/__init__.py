"""The read path: what the public site and the API serve from, instead of rendering again.

Shared by both interfaces, so neither imports the other: the page cache (``caching``), the
read model (``readmodel``, its tables are ``programmes.models.read_model``) and the WSGI
handler that replays cached answers (``fast_path``).
"""
