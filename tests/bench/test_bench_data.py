"""The benchmark data set (bench/data.py): what make bench measures must be a site that works."""

import html

import pytest
from django.utils import translation

from bench.data import BenchDataError, generate_bench_data
from programmes.models import Mission, Photo, ProgrammeItem, Region


@pytest.mark.django_db
def test_generates_a_published_site_in_every_language(client):
    counts = generate_bench_data(missions=3, items=2, regions=17, photos=1)

    assert counts["regions"] == Region.objects.count() == 17
    assert counts["missions"] == Mission.objects.published().count() == 3
    assert counts["programme items"] == ProgrammeItem.objects.count() == 6
    assert counts["photos"] == Photo.objects.count() == 1
    mission = Mission.objects.first()
    for language, title in [
        ("nl", mission.title_nl),
        ("en", mission.title_en),
        ("zh-hans", mission.title_zh_hans),
    ]:
        with translation.override(language):
            response = client.get(mission.get_absolute_url())
        assert response.status_code == 200
        assert html.escape(title) in response.text


@pytest.mark.django_db
def test_refuses_a_database_with_content_and_too_few_regions():
    with pytest.raises(BenchDataError, match="at least 17"):
        generate_bench_data(missions=1, regions=16)
    generate_bench_data(missions=1, items=1, regions=17)
    with pytest.raises(BenchDataError, match="already has content"):
        generate_bench_data(missions=1, items=1, regions=17)
