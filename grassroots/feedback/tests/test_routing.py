"""Feedback goes to the commune responsible for the place, or to the province."""

import pytest

from .. import routing

pytestmark = pytest.mark.django_db


def test_chosen_hamlet_goes_to_its_commune(place):
    found = routing.route(place.province, place=place.hamlet_b1)
    assert (found.area, found.place, found.method) == (
        place.commune_b,
        place.hamlet_b1,
        "chosen",
    )


def test_point_goes_to_the_nearest_hamlet(place):
    found = routing.route(place.province, latitude=10.512, longitude=105.812)
    assert found.area == place.commune_b
    assert found.place == place.hamlet_b1
    assert found.method == "nearest"


def test_point_inside_a_boundary_wins_over_distance(place):
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [105.70, 10.60],
                [105.72, 10.60],
                [105.72, 10.62],
                [105.70, 10.62],
                [105.70, 10.60],
            ]
        ],
    }
    type(place.commune_a).objects.filter(pk=place.commune_a.pk).update(boundary=square)
    routing.forget()
    found = routing.route(place.province, latitude=10.61, longitude=105.71)
    assert (found.area, found.method) == (place.commune_a, "boundary")


def test_far_point_goes_to_the_province(place):
    found = routing.route(place.province, latitude=21.03, longitude=105.85)
    assert (found.area, found.place, found.method) == (place.province, None, "province")


def test_address_naming_a_commune(place):
    found = routing.route(place.province, address="số 5 đường 30/4, phuong tan my")
    assert found.area == place.commune_b


def test_nothing_known_goes_to_the_province(place):
    assert routing.route(place.province).area == place.province


def test_malformed_boundary_is_ignored():
    assert routing.contains({"type": "Polygon", "coordinates": [[[1]]]}, 1, 1) is False
    assert routing.contains("junk", 1, 1) is False
