"""Each framework under its own prefix; only the frameworks of ``BENCH_FRAMEWORKS``."""

from __future__ import annotations

from django.conf import settings
from django.urls import include, path

urlpatterns: list = []

if "plain" in settings.FRAMEWORKS:
    from benchsite.apis import plain

    urlpatterns += [
        path("plain/items/", plain.item_list),
        path("plain/items/<int:item_id>/", plain.item_detail),
    ]

if "webapi_kit" in settings.FRAMEWORKS:
    from benchsite.apis import webapi_kit_api

    urlpatterns.append(path("wk/", include(webapi_kit_api.api.urls)))

if "drf" in settings.FRAMEWORKS:
    from benchsite.apis import drf

    urlpatterns += [
        path("drf/items/", drf.ItemList.as_view()),
        path("drf/items/<int:pk>/", drf.ItemDetail.as_view()),
    ]

if "tastypie" in settings.FRAMEWORKS:
    from benchsite.apis import tastypie_api

    urlpatterns.append(path("tp/", include(tastypie_api.api.urls)))

if "djblets" in settings.FRAMEWORKS:
    from benchsite.apis import djblets_api

    urlpatterns.append(path("dj/items/", include(djblets_api.item_resource.get_url_patterns())))
