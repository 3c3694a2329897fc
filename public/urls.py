from django.urls import path

from readpath.caching import cache_public_page

from . import views
from .feeds import MissionFeed, OutcomeFeed

app_name = "programmes"

urlpatterns = [
    path("", views.home, name="home"),
    path("partnerships/<slug:slug>/", views.partnership_detail, name="partnership"),
    path("regions/<slug:slug>/", views.region_detail, name="region"),
    path("missions/", views.mission_list, name="missions"),
    path("missions/<slug:slug>/", views.mission_detail, name="mission"),
    path("missions/<slug:slug>/calendar.ics", views.mission_calendar, name="mission-calendar"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("outcomes/", views.outcome_list, name="outcomes"),
    path("outcomes/<slug:slug>/", views.outcome_detail, name="outcome"),
    path("feeds/missions.atom", cache_public_page(MissionFeed()), name="mission-feed"),
    path("feeds/outcomes.atom", cache_public_page(OutcomeFeed()), name="outcome-feed"),
    path("search/", views.search_page, name="search"),
    path("pages/<slug:slug>/", views.site_page, name="page"),
]
