"""The site's URLs and ``/bench/hello/``: Django's floor, a view that does nothing.

Served through the same middleware by the same gunicorn, it is what every page's
requests per second are compared with. Only ``bench/settings.py`` includes it.
"""

from django.http import HttpResponse
from django.urls import path

from twinning.urls import handler404, handler500
from twinning.urls import urlpatterns as site_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/hello/", hello), *site_urlpatterns]
