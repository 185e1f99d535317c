"""Open311 GeoReport v2 at /open311/v2/ (views.py); docs/open311.md."""
