"""The JSON API for partner sites (``/api/v1/``): endpoints, schemas and the error format."""
