"""Registration's public addresses, under the language prefix (``twinning/urls.py``).

The form sits under its mission's address; the pages reached from e-mails are named by
the token alone (``tokens.py``), which says whose registration it is.
"""

from django.urls import path

from . import registration_views as views

app_name = "registrations"

urlpatterns = [
    path("missions/<slug:slug>/register/", views.register, name="register"),
    path("missions/<slug:slug>/register/sent/", views.sent, name="sent"),
    path("registration/confirm/<str:token>/", views.confirm, name="confirm"),
    path("registration/<str:token>/", views.manage, name="manage"),
    path("registration/<str:token>/cancel/", views.cancel, name="cancel"),
]
