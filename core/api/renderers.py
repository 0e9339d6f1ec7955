"""JSON rendered by orjson where answers are large and frequent (bench/jurisdiction.py measures both).

The same bytes' meaning as DRF's JSONRenderer (compact, UTF-8); the browsable API stays for people.
"""

from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer

PUBLIC_RENDERERS: list[type[BaseRenderer]] = [ORJSONRenderer, BrowsableAPIRenderer]
